// Routes from the planner's CZML (sweepers.formats.czml): trajectory packets carry time-tagged
// cartesian samples in metres, in INERTIAL (ICRF: the planner writes GCRF, GTOC9 plans EME2000,
// which differ from it by 23 mas) or FIXED (ITRF) frames; event packets mark the targets. The
// globe's world frame is TEME (SGP4's): FIXED samples are turned by GMST82 at their own time (the
// library's ITRS → TEME without polar motion), INERTIAL samples by the GCRS → TEME rotation at
// their time (precession-nutation; ~0.4° in 2026, tens of km in LEO), from the service's
// /frames/teme-from-gcrs matrices (sweepers.orbits.frames), interpolated between hourly ones.

function parseTime(s) {
  return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
}

function frameOf(pos) {
  const f = String(pos.referenceFrame ?? 'FIXED').toUpperCase();
  if (f === 'FIXED') return 'FIXED';
  if (f === 'INERTIAL') return 'INERTIAL';
  throw new Error(`CZML referenceFrame ${pos.referenceFrame} is neither FIXED nor INERTIAL`);
}

function eventTime(pkt) {
  return pkt.availability ? parseTime(String(pkt.availability).split('/')[0]) : Number.NaN;
}

/** First and last time (ms UTC) of the INERTIAL positions of a CZML document, or null. */
export function inertialSpan(doc) {
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const pkt of Array.isArray(doc) ? doc : []) {
    const pos = pkt.position;
    if (!pos || pkt.id === 'document' || !Array.isArray(pos.cartesian) || frameOf(pos) !== 'INERTIAL') continue;
    const c = pos.cartesian;
    const times = c.length % 4 === 0 && pos.epoch ? c.filter((_, k) => k % 4 === 0).map((s) => parseTime(pos.epoch) + s * 1000) : [eventTime(pkt)];
    for (const t of times.filter(Number.isFinite)) {
      t0 = Math.min(t0, t);
      t1 = Math.max(t1, t);
    }
  }
  return t0 <= t1 ? [t0, t1] : null;
}

/**
 * A function of time (ms UTC) giving the GCRS → TEME matrix (row-major, 9 numbers), linear
 * between the tabulated ones (clamped at the ends).
 * @param {number[]} times ms UTC, increasing
 * @param {number[][]} matrices
 */
export function matrixTable(times, matrices) {
  return (tMs) => {
    const n = times.length;
    if (n === 1 || tMs <= times[0]) return matrices[0];
    if (tMs >= times[n - 1]) return matrices[n - 1];
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= tMs) lo = mid;
      else hi = mid;
    }
    const u = (tMs - times[lo]) / (times[hi] - times[lo]);
    return matrices[lo].map((x, k) => x + u * (matrices[hi][k] - x));
  };
}

/**
 * @param {any[]} doc CZML packets
 * @param {(tMs: number) => number} gmstAt GMST82 (rad) at a UTC time
 * @param {((tMs: number) => number[]) | null} inertialAt GCRS → TEME matrix at a UTC time; null
 *   when the document has no INERTIAL positions
 * @returns {{lines: {times: number[], pts: Float32Array}[], targets: {name: string, pos?: number[], fixedKm?: number[]}[]}}
 *   sample times (ms UTC) and positions (km, TEME); targets in TEME (pos) or, for FIXED ones,
 *   Earth-fixed (fixedKm, ITRF km: place them with targetTeme)
 */
export function parseCzmlRoute(doc, gmstAt, inertialAt) {
  const lines = [];
  const targets = [];
  for (const pkt of Array.isArray(doc) ? doc : []) {
    const pos = pkt.position;
    if (!pos || pkt.id === 'document') continue;
    const c = pos.cartesian;
    if (!Array.isArray(c)) continue;
    const frame = frameOf(pos);
    if (frame === 'INERTIAL' && !inertialAt) throw new Error('INERTIAL CZML needs the GCRS → TEME matrices');
    const toTeme = (x, y, z, tMs) => {
      if (!Number.isFinite(tMs)) throw new Error(`CZML packet ${pkt.id}: a position without a time`);
      if (frame === 'INERTIAL') {
        const m = inertialAt(tMs);
        return [(m[0] * x + m[1] * y + m[2] * z) / 1000, (m[3] * x + m[4] * y + m[5] * z) / 1000, (m[6] * x + m[7] * y + m[8] * z) / 1000];
      }
      const g = gmstAt(tMs);
      const cg = Math.cos(g);
      const sg = Math.sin(g);
      return [(cg * x - sg * y) / 1000, (sg * x + cg * y) / 1000, z / 1000];
    };
    if (c.length % 4 === 0 && pos.epoch) {
      const epoch = parseTime(pos.epoch);
      const pts = [];
      const times = [];
      for (let k = 0; k < c.length; k += 4) {
        times.push(epoch + c[k] * 1000);
        pts.push(...toTeme(c[k + 1], c[k + 2], c[k + 3], epoch + c[k] * 1000));
      }
      lines.push({ times, pts: new Float32Array(pts) });
    } else if (c.length === 3) {
      // a constant position: fixed in inertial space (INERTIAL), or on the turning Earth (FIXED:
      // its TEME position depends on the time it is drawn at, see targetTeme)
      const name = pkt.label?.text ?? pkt.name ?? pkt.id;
      if (frame === 'FIXED') targets.push({ name, fixedKm: [c[0] / 1000, c[1] / 1000, c[2] / 1000] });
      else targets.push({ name, pos: toTeme(c[0], c[1], c[2], eventTime(pkt)) });
    }
  }
  return { lines, targets };
}

/**
 * Lagrange interpolation of degree `deg` (the planner's CZML says LAGRANGE, 5) on the deg + 1
 * samples centred on tMs: the positions (km) at tMs, as Cesium would draw them. (Linear between
 * samples a few minutes apart would cut LEO arcs short by up to ~100 km.)
 */
export function lagrangeAt(times, pts, tMs, deg = 5) {
  const n = times.length;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (times[mid] <= tMs) lo = mid;
    else hi = mid;
  }
  const first = Math.max(0, Math.min(n - 1 - deg, lo - (deg >> 1)));
  const last = Math.min(n - 1, first + deg);
  const out = [0, 0, 0];
  for (let j = first; j <= last; j++) {
    let w = 1;
    for (let m = first; m <= last; m++) if (m !== j) w *= (tMs - times[m]) / (times[j] - times[m]);
    for (let c = 0; c < 3; c++) out[c] += w * pts[3 * j + c];
  }
  return out;
}

/**
 * The part of a route line around the clock (trail 6 h behind, 90 min ahead — a month-long route
 * drawn whole would wrap the globe in hundreds of turns), each interval between samples drawn in
 * `sub` Lagrange steps (so the samples are every `sub`-th vertex), and the ship's position now
 * (Lagrange), or null outside the route's time span.
 */
export function routeWindow(line, tMs, behindMs = 6 * 3_600_000, aheadMs = 5_400_000, sub = 8) {
  const { times, pts } = line;
  const out = [];
  let prev = -1;
  for (let k = 0; k < times.length; k++) {
    if (times[k] < tMs - behindMs || times[k] > tMs + aheadMs) continue;
    if (prev === k - 1 && prev >= 0) {
      for (let q = 1; q < sub; q++) out.push(...lagrangeAt(times, pts, times[prev] + ((times[k] - times[prev]) * q) / sub));
    }
    out.push(pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]);
    prev = k;
  }
  const inside = times.length > 0 && times[0] <= tMs && tMs <= times[times.length - 1];
  return { pts: new Float32Array(out), now: inside ? lagrangeAt(times, pts, tMs) : null };
}

/** A target's TEME position (km) at a time: its own, or its Earth-fixed one turned by GMST82. */
export function targetTeme(target, gmst) {
  if (target.pos) return target.pos;
  const [x, y, z] = target.fixedKm;
  const cg = Math.cos(gmst);
  const sg = Math.sin(gmst);
  return [cg * x - sg * y, sg * x + cg * y, z];
}
