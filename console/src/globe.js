// The WebGL2 globe: the Earth (a shaded sphere with coastlines and a graticule, turned by GMST),
// every catalog object as one point of a single draw call, and a few lines (the selected orbit,
// routes, a miss vector).
//
// World frame: TEME (≈ true equator, mean equinox of date), in Earth radii, z to the north pole.
// Points are not moved by JavaScript per frame: each keyframe holds position (km) and velocity
// (km/s) of every object at one instant, and the vertex shader blends two keyframes with the cubic
// Hermite polynomial at the clock's fraction s of the span. The same polynomial is evaluated in
// JavaScript (hermite(), below) when the page reports or picks a position, so what the tests read
// is what is drawn.
import { feature } from 'topojson-client';
import land from 'world-atlas/land-110m.json';
import { lookAt, multiply, perspective, rotZ, transform } from './mat.js';

export const EARTH_RADIUS_KM = 6378.137;

/** Colours by object type (index = kind code): payload, rocket body, debris, unknown. */
export const KIND_COLORS = [
  [0.35, 0.85, 1.0],
  [1.0, 0.6, 0.2],
  [0.85, 0.85, 0.85],
  [0.75, 0.45, 1.0],
];
export const KIND_NAMES = ['PAYLOAD', 'ROCKET BODY', 'DEBRIS', 'UNKNOWN'];

// flags, one byte per object
export const F_VISIBLE = 1;
export const F_SELECTED = 2;
export const F_CLAIMED = 4;
export const F_MINE = 8;
export const F_ALERT = 16;

const POINT_VS = `#version 300 es
layout(location=0) in vec3 p0;
layout(location=1) in vec3 v0;
layout(location=2) in vec3 p1;
layout(location=3) in vec3 v1;
layout(location=4) in float kind;
layout(location=5) in float flags;
uniform mat4 u_viewProj;
uniform float u_s;      // fraction of the span [0, 1]
uniform float u_h;      // span length, s
uniform float u_size;   // base point size, px
uniform vec3 u_colors[4];
out vec4 v_color;
void main() {
  int f = int(flags + 0.5);
  // keyframes of an object SGP4 could not propagate are zeros: hide it, like a filtered object
  bool ok = (f & 1) != 0 && dot(p0, p0) > 1.0 && dot(p1, p1) > 1.0;
  if (!ok) { gl_Position = vec4(2.0, 2.0, 2.0, 1.0); gl_PointSize = 0.0; v_color = vec4(0.0); return; }
  float s = u_s, s2 = s * s, s3 = s2 * s;
  vec3 p = (2.0*s3 - 3.0*s2 + 1.0) * p0 + (s3 - 2.0*s2 + s) * u_h * v0
         + (-2.0*s3 + 3.0*s2) * p1 + (s3 - s2) * u_h * v1;
  gl_Position = u_viewProj * vec4(p / ${EARTH_RADIUS_KM.toFixed(3)}, 1.0);
  vec3 c = u_colors[int(kind + 0.5)];
  float size = u_size;
  if ((f & 4) != 0) { c = mix(c, vec3(1.0, 0.85, 0.1), 0.7); size += 1.0; }
  if ((f & 8) != 0) { c = vec3(0.2, 1.0, 0.4); size += 2.0; }
  if ((f & 16) != 0) { c = vec3(1.0, 0.2, 0.2); size += 4.0; }
  if ((f & 2) != 0) { c = vec3(1.0, 1.0, 1.0); size += 6.0; }
  gl_PointSize = size;
  v_color = vec4(c, 1.0);
}`;

const POINT_FS = `#version 300 es
precision mediump float;
in vec4 v_color;
out vec4 color;
void main() {
  vec2 d = gl_PointCoord - 0.5;
  if (dot(d, d) > 0.25) discard;
  color = v_color;
}`;

const EARTH_VS = `#version 300 es
layout(location=0) in vec3 pos;
uniform mat4 u_viewProj;
uniform mat4 u_model;
out vec3 v_n;
out vec3 v_body;
void main() {
  vec4 w = u_model * vec4(pos, 1.0);
  v_n = w.xyz;
  v_body = pos;
  gl_Position = u_viewProj * w;
}`;

const EARTH_FS = `#version 300 es
precision mediump float;
in vec3 v_n;
in vec3 v_body;
uniform vec3 u_light;
out vec4 color;
void main() {
  float l = 0.35 + 0.65 * max(dot(normalize(v_n), u_light), 0.0);
  color = vec4(vec3(0.05, 0.16, 0.32) * l, 1.0);
}`;

const LINE_VS = `#version 300 es
layout(location=0) in vec3 pos;
uniform mat4 u_viewProj;
uniform mat4 u_model;
void main() { gl_Position = u_viewProj * u_model * vec4(pos, 1.0); }`;

const LINE_FS = `#version 300 es
precision mediump float;
uniform vec4 u_color;
out vec4 color;
void main() { color = u_color; }`;

const SPLAT_VS = `#version 300 es
out vec2 v_uv;
void main() {
  vec2 p = vec2((gl_VertexID & 1) == 1 ? 1.0 : -1.0, (gl_VertexID & 2) == 2 ? 1.0 : -1.0);
  v_uv = vec2((p.x + 1.0) * 0.5, (1.0 - p.y) * 0.5);
  gl_Position = vec4(p, 0.0, 1.0);
}`;

const SPLAT_FS = `#version 300 es
precision mediump float;
in vec2 v_uv;
uniform sampler2D u_tex;
out vec4 color;
void main() { color = texture(u_tex, v_uv); }`;

function compile(gl, vs, fs) {
  const prog = gl.createProgram();
  for (const [type, src] of [[gl.VERTEX_SHADER, vs], [gl.FRAGMENT_SHADER, fs]]) {
    const sh = gl.createShader(type);
    gl.shaderSource(sh, src);
    gl.compileShader(sh);
    if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS)) throw new Error(gl.getShaderInfoLog(sh));
    gl.attachShader(prog, sh);
  }
  gl.linkProgram(prog);
  if (!gl.getProgramParameter(prog, gl.LINK_STATUS)) throw new Error(gl.getProgramInfoLog(prog));
  const uniforms = {};
  const n = gl.getProgramParameter(prog, gl.ACTIVE_UNIFORMS);
  for (let i = 0; i < n; i++) {
    const name = gl.getActiveUniform(prog, i).name.replace(/\[0\]$/, '');
    uniforms[name] = gl.getUniformLocation(prog, name);
  }
  return { prog, uniforms };
}

function rgba32(c) {
  return (255 << 24) | (Math.round(c[2] * 255) << 16) | (Math.round(c[1] * 255) << 8) | Math.round(c[0] * 255);
}
const RGBA_CLAIMED = rgba32([1.0, 0.85, 0.1]);
const RGBA_MINE = rgba32([0.2, 1.0, 0.4]);
const RGBA_ALERT = rgba32([1.0, 0.2, 0.2]);
const RGBA_SELECTED = rgba32([1, 1, 1]);

/** Cubic Hermite blend of two keyframe states (km, km/s) at fraction s of a span of h seconds. */
export function hermite(a, b, o, s, h) {
  const s2 = s * s;
  const s3 = s2 * s;
  const h00 = 2 * s3 - 3 * s2 + 1;
  const h10 = (s3 - 2 * s2 + s) * h;
  const h01 = -2 * s3 + 3 * s2;
  const h11 = (s3 - s2) * h;
  return [0, 1, 2].map((k) => h00 * a[o + k] + h10 * a[o + 3 + k] + h01 * b[o + k] + h11 * b[o + 3 + k]);
}

function sphereMesh(nLat, nLon) {
  const pos = [];
  const idx = [];
  for (let i = 0; i <= nLat; i++) {
    const lat = -Math.PI / 2 + (Math.PI * i) / nLat;
    for (let j = 0; j <= nLon; j++) {
      const lon = -Math.PI + (2 * Math.PI * j) / nLon;
      pos.push(Math.cos(lat) * Math.cos(lon), Math.cos(lat) * Math.sin(lon), Math.sin(lat));
    }
  }
  for (let i = 0; i < nLat; i++) {
    for (let j = 0; j < nLon; j++) {
      const a = i * (nLon + 1) + j;
      const b = a + nLon + 1;
      idx.push(a, b, a + 1, b, b + 1, a + 1);
    }
  }
  return { pos: new Float32Array(pos), idx: new Uint16Array(idx) };
}

const lonLatToXyz = (lonDeg, latDeg, r) => {
  const lon = (lonDeg * Math.PI) / 180;
  const lat = (latDeg * Math.PI) / 180;
  return [r * Math.cos(lat) * Math.cos(lon), r * Math.cos(lat) * Math.sin(lon), r * Math.sin(lat)];
};

/** Coastlines (Natural Earth 1:110m land, via world-atlas) and a 30° graticule, as line segments. */
function earthLines() {
  const segs = [];
  const add = (ring) => {
    for (let k = 0; k + 1 < ring.length; k++) {
      segs.push(...lonLatToXyz(ring[k][0], ring[k][1], 1.001), ...lonLatToXyz(ring[k + 1][0], ring[k + 1][1], 1.001));
    }
  };
  const geo = feature(land, land.objects.land);
  for (const f of geo.features) {
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const poly of polys) for (const ring of poly) add(ring);
  }
  const coast = segs.length / 3;
  for (let lat = -60; lat <= 60; lat += 30) {
    const ring = [];
    for (let lon = -180; lon <= 180; lon += 5) ring.push([lon, lat]);
    add(ring);
  }
  for (let lon = -180; lon < 180; lon += 30) {
    const ring = [];
    for (let lat = -90; lat <= 90; lat += 5) ring.push([lon, lat]);
    add(ring);
  }
  return { data: new Float32Array(segs), coast, total: segs.length / 3 };
}

export class Globe {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    const gl = canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false });
    if (!gl) throw new Error('WebGL2 is not available in this browser');
    this.gl = gl;
    const dbg = gl.getExtension('WEBGL_debug_renderer_info');
    this.renderer = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
    this.points = compile(gl, POINT_VS, POINT_FS);
    this.earth = compile(gl, EARTH_VS, EARTH_FS);
    this.line = compile(gl, LINE_VS, LINE_FS);

    const sphere = sphereMesh(48, 96);
    this.earthVao = gl.createVertexArray();
    gl.bindVertexArray(this.earthVao);
    this._buffer(gl.ARRAY_BUFFER, sphere.pos);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 3, gl.FLOAT, false, 0, 0);
    this._buffer(gl.ELEMENT_ARRAY_BUFFER, sphere.idx);
    this.earthCount = sphere.idx.length;

    const lines = earthLines();
    this.earthLinesVao = gl.createVertexArray();
    gl.bindVertexArray(this.earthLinesVao);
    this._buffer(gl.ARRAY_BUFFER, lines.data);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 3, gl.FLOAT, false, 0, 0);
    this.earthLines = lines;

    this.pointsVao = gl.createVertexArray();
    this.kindBuf = gl.createBuffer();
    this.flagBuf = gl.createBuffer();
    this.n = 0;
    this.keyA = null;
    this.keyB = null;
    this.overlays = new Map(); // name -> {vao, count, color, mode, earthFixed}
    // Points mode: 'gpu' = one POINTS draw call, blended in the vertex shader; 'cpu' = the same
    // blend in JavaScript, splatted into a texture drawn as one quad. Software renderers
    // (SwiftShader, llvmpipe) pay ~1 µs per point primitive, the splat ~20 ns: chosen by measurement,
    // see console/README.md. '?points=gpu|cpu' forces one.
    this.software = /swiftshader|llvmpipe|softpipe|software/i.test(this.renderer);
    this.pointsMode = this.software ? 'cpu' : 'gpu';
    this.splat = compile(gl, SPLAT_VS, SPLAT_FS);
    this.splatTex = gl.createTexture();
    this.splatVao = gl.createVertexArray();
    this.splatPixels = null;
    this.cpuKinds = null;
    this.cpuFlags = null;
    this.kindRgba = new Uint32Array(KIND_COLORS.map(rgba32));

    this.yaw = 0.6;
    this.pitch = 0.35;
    this.distance = 4.2; // Earth radii
    this.pointSize = 2.0;
    this.gmst = 0;
    gl.bindVertexArray(null);
  }

  _buffer(target, data, usage) {
    const gl = this.gl;
    const b = gl.createBuffer();
    gl.bindBuffer(target, b);
    gl.bufferData(target, data, usage ?? gl.STATIC_DRAW);
    return b;
  }

  /** Object types (kind codes 0..3) and flags, one per object. */
  setObjects(kinds, flags) {
    const gl = this.gl;
    this.n = kinds.length;
    this.cpuKinds = kinds;
    this.cpuFlags = flags;
    gl.bindVertexArray(this.pointsVao);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.kindBuf);
    gl.bufferData(gl.ARRAY_BUFFER, kinds, gl.STATIC_DRAW);
    gl.enableVertexAttribArray(4);
    gl.vertexAttribPointer(4, 1, gl.UNSIGNED_BYTE, false, 0, 0);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuf);
    gl.bufferData(gl.ARRAY_BUFFER, flags, gl.DYNAMIC_DRAW);
    gl.enableVertexAttribArray(5);
    gl.vertexAttribPointer(5, 1, gl.UNSIGNED_BYTE, false, 0, 0);
    gl.bindVertexArray(null);
  }

  updateKinds(kinds) {
    const gl = this.gl;
    this.cpuKinds = kinds;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.kindBuf);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, kinds);
  }

  updateFlags(flags) {
    const gl = this.gl;
    this.cpuFlags = flags;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuf);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, flags);
  }

  /** Upload a keyframe (Float32Array, 6 per object) to a GPU buffer; returns a handle. */
  uploadKeyframe(data) {
    const gl = this.gl;
    const buf = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
    return buf;
  }

  deleteKeyframe(buf) {
    this.gl.deleteBuffer(buf);
  }

  /** Draw the span between keyframe buffers a (start) and b (end). */
  setSpan(a, b) {
    const gl = this.gl;
    gl.bindVertexArray(this.pointsVao);
    for (const [buf, loc] of [[a, 0], [b, 2]]) {
      gl.bindBuffer(gl.ARRAY_BUFFER, buf);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, 3, gl.FLOAT, false, 24, 0);
      gl.enableVertexAttribArray(loc + 1);
      gl.vertexAttribPointer(loc + 1, 3, gl.FLOAT, false, 24, 12);
    }
    gl.bindVertexArray(null);
    this.keyA = a;
    this.keyB = b;
  }

  /** A line overlay from world positions in km (TEME, or Earth-fixed when earthFixed). */
  setOverlay(name, positionsKm, color, { mode = 'strip', earthFixed = false } = {}) {
    const gl = this.gl;
    this.removeOverlay(name);
    const scaled = new Float32Array(positionsKm.length);
    for (let i = 0; i < positionsKm.length; i++) scaled[i] = positionsKm[i] / EARTH_RADIUS_KM;
    const vao = gl.createVertexArray();
    gl.bindVertexArray(vao);
    const buf = this._buffer(gl.ARRAY_BUFFER, scaled);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 3, gl.FLOAT, false, 0, 0);
    gl.bindVertexArray(null);
    this.overlays.set(name, { vao, buf, count: scaled.length / 3, color, mode, earthFixed, km: Float32Array.from(positionsKm) });
  }

  removeOverlay(name) {
    const o = this.overlays.get(name);
    if (!o) return;
    this.gl.deleteVertexArray(o.vao);
    this.gl.deleteBuffer(o.buf);
    this.overlays.delete(name);
  }

  eye() {
    const d = this.distance;
    return [d * Math.cos(this.pitch) * Math.cos(this.yaw), d * Math.cos(this.pitch) * Math.sin(this.yaw), d * Math.sin(this.pitch)];
  }

  viewProj() {
    const w = this.canvas.width;
    const h = this.canvas.height;
    const proj = perspective((45 * Math.PI) / 180, w / Math.max(h, 1), 0.05, 100);
    return multiply(proj, lookAt(this.eye(), [0, 0, 0], [0, 0, 1]));
  }

  resize() {
    const dpr = Math.min(window.devicePixelRatio || 1, 2);
    const w = Math.round(this.canvas.clientWidth * dpr);
    const h = Math.round(this.canvas.clientHeight * dpr);
    if (this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas.width = w;
      this.canvas.height = h;
    }
  }

  /**
   * Render one frame at span fraction s of a span of h seconds; gmst in rad turns the Earth.
   * cpu = {a, b}: the two keyframes' Float32Arrays, used by the 'cpu' points mode.
   */
  draw(s, h, gmst, cpu) {
    const gl = this.gl;
    this.resize();
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(0.01, 0.01, 0.03, 1);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    gl.enable(gl.DEPTH_TEST);
    const vp = this.viewProj();
    const model = rotZ(gmst);
    const ident = rotZ(0);

    gl.useProgram(this.earth.prog);
    gl.uniformMatrix4fv(this.earth.uniforms.u_viewProj, false, vp);
    gl.uniformMatrix4fv(this.earth.uniforms.u_model, false, model);
    const e = this.eye();
    const l = Math.hypot(...e);
    gl.uniform3f(this.earth.uniforms.u_light, e[0] / l, e[1] / l, e[2] / l);
    gl.bindVertexArray(this.earthVao);
    gl.drawElements(gl.TRIANGLES, this.earthCount, gl.UNSIGNED_SHORT, 0);

    gl.useProgram(this.line.prog);
    gl.uniformMatrix4fv(this.line.uniforms.u_viewProj, false, vp);
    gl.uniformMatrix4fv(this.line.uniforms.u_model, false, model);
    gl.bindVertexArray(this.earthLinesVao);
    gl.uniform4f(this.line.uniforms.u_color, 0.45, 0.7, 0.55, 1);
    gl.drawArrays(gl.LINES, 0, this.earthLines.coast);
    gl.uniform4f(this.line.uniforms.u_color, 0.2, 0.3, 0.45, 1);
    gl.drawArrays(gl.LINES, this.earthLines.coast, this.earthLines.total - this.earthLines.coast);

    if (this.n > 0 && this.pointsMode === 'cpu' && cpu) {
      this._splatPoints(cpu.a, cpu.b, s, h, vp);
    } else if (this.n > 0 && this.keyA && this.keyB) {
      gl.useProgram(this.points.prog);
      gl.uniformMatrix4fv(this.points.uniforms.u_viewProj, false, vp);
      gl.uniform1f(this.points.uniforms.u_s, s);
      gl.uniform1f(this.points.uniforms.u_h, h);
      gl.uniform1f(this.points.uniforms.u_size, this.pointSize);
      gl.uniform3fv(this.points.uniforms.u_colors, new Float32Array(KIND_COLORS.flat()));
      gl.bindVertexArray(this.pointsVao);
      gl.drawArrays(gl.POINTS, 0, this.n);
    }
    // lines last, over the points (still hidden behind the Earth by its depth)
    gl.enable(gl.DEPTH_TEST);
    gl.useProgram(this.line.prog);
    gl.uniformMatrix4fv(this.line.uniforms.u_viewProj, false, vp);
    for (const o of this.overlays.values()) {
      gl.uniformMatrix4fv(this.line.uniforms.u_model, false, o.earthFixed ? model : ident);
      gl.uniform4f(this.line.uniforms.u_color, ...o.color);
      gl.bindVertexArray(o.vao);
      gl.drawArrays(o.mode === 'lines' ? gl.LINES : gl.LINE_STRIP, 0, o.count);
    }
    gl.bindVertexArray(null);
  }

  /** The 'cpu' points mode: Hermite blend, projection and Earth occlusion in JS, one texture. */
  _splatPoints(a, b, s, h, vp) {
    const gl = this.gl;
    const w = this.canvas.width;
    const ht = this.canvas.height;
    if (!this.splatPixels || this.splatPixels.length !== w * ht) {
      this.splatPixels = new Uint32Array(w * ht);
      gl.bindTexture(gl.TEXTURE_2D, this.splatTex);
      gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, w, ht, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    }
    const px = this.splatPixels;
    px.fill(0);
    const s2 = s * s;
    const s3 = s2 * s;
    const h00 = 2 * s3 - 3 * s2 + 1;
    const h10 = (s3 - 2 * s2 + s) * h;
    const h01 = -2 * s3 + 3 * s2;
    const h11 = (s3 - s2) * h;
    const R = 1 / EARTH_RADIUS_KM;
    const [ex, ey, ez] = this.eye();
    const ec = ex * ex + ey * ey + ez * ez - 1;
    const m = vp;
    const flags = this.cpuFlags;
    const kinds = this.cpuKinds;
    const base = Math.max(1, Math.round(this.pointSize));
    for (let i = 0, o = 0; i < this.n; i++, o += 6) {
      const f = flags[i];
      if (!(f & F_VISIBLE)) continue;
      const ax = a[o];
      const bx = b[o];
      if ((ax === 0 && a[o + 1] === 0) || (bx === 0 && b[o + 1] === 0)) continue;
      const x = (h00 * ax + h10 * a[o + 3] + h01 * bx + h11 * b[o + 3]) * R;
      const y = (h00 * a[o + 1] + h10 * a[o + 4] + h01 * b[o + 1] + h11 * b[o + 4]) * R;
      const z = (h00 * a[o + 2] + h10 * a[o + 5] + h01 * b[o + 2] + h11 * b[o + 5]) * R;
      const cw = m[3] * x + m[7] * y + m[11] * z + m[15];
      if (cw <= 0) continue;
      const sx = Math.floor(((m[0] * x + m[4] * y + m[8] * z + m[12]) / cw + 1) * 0.5 * w);
      const sy = Math.floor((1 - (m[1] * x + m[5] * y + m[9] * z + m[13]) / cw) * 0.5 * ht);
      if (sx < 0 || sy < 0 || sx >= w || sy >= ht) continue;
      // hidden by the Earth: the segment eye -> point meets the unit sphere
      const dx = x - ex;
      const dy = y - ey;
      const dz = z - ez;
      const qa = dx * dx + dy * dy + dz * dz;
      const qb = 2 * (ex * dx + ey * dy + ez * dz);
      const disc = qb * qb - 4 * qa * ec;
      if (disc > 0) {
        const t = (-qb - Math.sqrt(disc)) / (2 * qa);
        if (t > 0 && t < 1) continue;
      }
      let c = this.kindRgba[kinds[i]];
      let size = base;
      if (f & (F_CLAIMED | F_MINE | F_ALERT | F_SELECTED)) {
        if (f & F_CLAIMED) { c = RGBA_CLAIMED; size += 1; }
        if (f & F_MINE) { c = RGBA_MINE; size += 2; }
        if (f & F_ALERT) { c = RGBA_ALERT; size += 4; }
        if (f & F_SELECTED) { c = RGBA_SELECTED; size += 6; }
      }
      const x0 = Math.max(0, sx - (size >> 1));
      const y0 = Math.max(0, sy - (size >> 1));
      const x1 = Math.min(w, x0 + size);
      const y1 = Math.min(ht, y0 + size);
      for (let yy = y0; yy < y1; yy++) px.fill(c, yy * w + x0, yy * w + x1);
    }
    gl.bindTexture(gl.TEXTURE_2D, this.splatTex);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, w, ht, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(px.buffer));
    gl.disable(gl.DEPTH_TEST);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    gl.useProgram(this.splat.prog);
    gl.uniform1i(this.splat.uniforms.u_tex, 0);
    gl.activeTexture(gl.TEXTURE0);
    gl.bindVertexArray(this.splatVao);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.disable(gl.BLEND);
  }

  /** Screen position (CSS px) of a world point in km, or null when behind the Earth or the eye. */
  project(pKm, vp = this.viewProj()) {
    const x = pKm[0] / EARTH_RADIUS_KM;
    const y = pKm[1] / EARTH_RADIUS_KM;
    const z = pKm[2] / EARTH_RADIUS_KM;
    const c = transform(vp, x, y, z);
    if (c[3] <= 0) return null;
    const e = this.eye();
    // hidden by the Earth: the segment eye -> point meets the unit sphere
    const d = [x - e[0], y - e[1], z - e[2]];
    const a = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    const b = 2 * (e[0] * d[0] + e[1] * d[1] + e[2] * d[2]);
    const cc = e[0] * e[0] + e[1] * e[1] + e[2] * e[2] - 1;
    const disc = b * b - 4 * a * cc;
    if (disc > 0) {
      const t = (-b - Math.sqrt(disc)) / (2 * a);
      if (t > 0 && t < 1) return null;
    }
    return [((c[0] / c[3] + 1) / 2) * this.canvas.clientWidth, ((1 - c[1] / c[3]) / 2) * this.canvas.clientHeight];
  }
}
