// Benchmark baseline (not shipped): the same catalog drawn as CesiumJS entities, the way a CZML
// document would draw it — one Entity with a PointGraphics per object, its position a
// SampledPositionProperty of Earth-fixed SGP4 samples every 120 s (satellite.js, the same SGP4 as
// the console). Cesium is loaded from its prebuilt package (npm `cesium`, Build/Cesium), served by
// the benchmark at /cesium/. Offline: no Ion token, no imagery, no terrain, no sky box.
import { eciToEcf, gstime, json2satrec, sgp4 } from 'satellite.js';

const Cesium = window.Cesium;
const params = new URLSearchParams(location.search);
const tStart = performance.now();
const state = { objects: 0, firstPaintMs: null, fps: 0, renderer: null, sampleMs: null, drawn: 0 };
window.sweepersConsole = state;

const COLORS = {
  PAYLOAD: Cesium.Color.fromBytes(89, 217, 255),
  'ROCKET BODY': Cesium.Color.fromBytes(255, 153, 51),
  DEBRIS: Cesium.Color.fromBytes(217, 217, 217),
  UNKNOWN: Cesium.Color.fromBytes(191, 115, 255),
};

async function main() {
  const [omms, objects] = await Promise.all([
    fetch('/api/v1/catalog/elements').then((r) => r.json()),
    fetch('/api/v1/catalog/objects').then((r) => r.json()),
  ]);
  const types = new Map((objects.items ?? objects).map((o) => [o.norad_id, o.object_type]));
  Cesium.Ion.defaultAccessToken = '';
  const viewer = new Cesium.Viewer('cesium', {
    baseLayer: false, geocoder: false, baseLayerPicker: false, timeline: false, animation: false,
    homeButton: false, sceneModePicker: false, navigationHelpButton: false, fullscreenButton: false,
    infoBox: false, selectionIndicator: false, skyBox: false, skyAtmosphere: false,
    requestRenderMode: false,
  });
  viewer.scene.globe.baseColor = Cesium.Color.fromBytes(13, 41, 82);
  const gl = viewer.scene.context._gl;
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  state.renderer = dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);

  const epochs = omms.map((o) => Date.parse(`${o.EPOCH}Z`)).sort((a, b) => a - b);
  const t0 = Number(params.get('t') ? Date.parse(params.get('t')) : epochs[Math.floor(epochs.length / 2)]);
  const nSamples = 16;
  const stepMs = 120_000;
  const times = Array.from({ length: nSamples }, (_, k) => t0 + k * stepMs);
  const julians = times.map((t) => Cesium.JulianDate.fromDate(new Date(t)));
  const gmsts = times.map((t) => gstime(t / 86_400_000 + 2_440_587.5));

  const ts = performance.now();
  viewer.entities.suspendEvents();
  let drawn = 0;
  for (const o of omms) {
    const rec = json2satrec(o);
    const epochMs = Date.parse(`${o.EPOCH}Z`);
    const prop = new Cesium.SampledPositionProperty(Cesium.ReferenceFrame.FIXED);
    let ok = 0;
    for (let k = 0; k < nSamples; k++) {
      const r = sgp4(rec, (times[k] - epochMs) / 60000);
      if (!r || !r.position || !Number.isFinite(r.position.x)) continue;
      const f = eciToEcf(r.position, gmsts[k]);
      prop.addSample(julians[k], new Cesium.Cartesian3(f.x * 1000, f.y * 1000, f.z * 1000));
      ok++;
    }
    if (!ok) continue;
    drawn++;
    viewer.entities.add({
      id: String(o.NORAD_CAT_ID),
      position: prop,
      point: { pixelSize: 2, color: COLORS[types.get(o.NORAD_CAT_ID)] ?? COLORS.UNKNOWN },
    });
  }
  viewer.entities.resumeEvents();
  state.sampleMs = performance.now() - ts;
  state.drawn = drawn;

  viewer.clock.startTime = julians[0].clone();
  viewer.clock.currentTime = julians[0].clone();
  viewer.clock.stopTime = julians[nSamples - 1].clone();
  viewer.clock.clockRange = Cesium.ClockRange.LOOP_STOP;
  viewer.clock.multiplier = Number(params.get('speed')) || 60;
  viewer.clock.shouldAnimate = true;

  let frames = 0;
  let fpsT0 = performance.now();
  viewer.scene.postRender.addEventListener(() => {
    // first paint: the first frame after every entity's point has been created by the visualizer
    if (state.firstPaintMs == null && viewer.dataSourceDisplay.ready) {
      state.firstPaintMs = performance.now() - tStart;
      state.objects = omms.length;
    }
    frames++;
    const now = performance.now();
    if (now - fpsT0 >= 1000) {
      state.fps = (frames * 1000) / (now - fpsT0);
      frames = 0;
      fpsT0 = now;
    }
  });
}

main().catch((err) => console.error(err));
