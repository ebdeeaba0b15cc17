// SGP4 in a web worker (satellite.js, Vallado's SGP4/SDP4, WGS-72 like the library's python-sgp4).
// Each worker owns a contiguous slice of the catalog and answers "keyframe" requests: the TEME
// position (km) and velocity (km/s) of every object of its slice at one UTC instant, packed as
// 6 float32 per object. An object SGP4 cannot propagate at that instant (decayed, error code) is
// written as all zeros and counted; the renderer hides it and the page reports the count.
import { json2satrec, sgp4 } from 'satellite.js';

const MAX_KM = 500_000;

/** @type {{rec: any, epochMs: number}[]} */
let sats = [];
let initErrors = [];

function epochMs(omm) {
  const s = String(omm.EPOCH);
  // OMM epochs are UTC without a zone designator; microseconds are cut to the millisecond by Date
  // (<= 1 ms, i.e. <= 8 m along-track at LEO speed, well inside the page's 1 km tolerance).
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

function init(omms) {
  sats = [];
  initErrors = [];
  for (let i = 0; i < omms.length; i++) {
    const omm = omms[i];
    try {
      const rec = json2satrec(omm);
      sats.push({ rec, epochMs: epochMs(omm) });
    } catch (err) {
      sats.push({ rec: null, epochMs: 0 });
      initErrors.push({ index: i, norad: omm.NORAD_CAT_ID, reason: String(err) });
    }
  }
}

function keyframe(tMs) {
  const out = new Float32Array(sats.length * 6);
  let errors = 0;
  for (let i = 0; i < sats.length; i++) {
    const s = sats[i];
    if (!s.rec) {
      errors++;
      continue;
    }
    const r = sgp4(s.rec, (tMs - s.epochMs) / 60000);
    const p = r && r.position;
    const v = r && r.velocity;
    // SGP4 without an error code can still return nonsense for an element set far from its
    // epoch (a decayed fragment propagated for weeks lands at 1e10 km in python-sgp4 too): a
    // position beyond MAX_KM (past the Moon) is counted with the errors, not drawn
    if (!p || !v || !Number.isFinite(p.x) || !Number.isFinite(v.x) || p.x * p.x + p.y * p.y + p.z * p.z > MAX_KM * MAX_KM) {
      errors++;
      continue; // left as zeros = "not drawable"
    }
    const o = i * 6;
    out[o] = p.x;
    out[o + 1] = p.y;
    out[o + 2] = p.z;
    out[o + 3] = v.x;
    out[o + 4] = v.y;
    out[o + 5] = v.z;
  }
  return { out, errors };
}

/** Positions of one object of this slice over a time grid (the orbit line, the miss vector),
 *  TEME km; NaN where SGP4 fails (the same rule as keyframes). */
function track(index, tMs, stepMs, n) {
  const s = sats[index];
  const out = new Float64Array(n * 3).fill(Number.NaN);
  if (!s || !s.rec) return out;
  for (let k = 0; k < n; k++) {
    const r = sgp4(s.rec, (tMs + k * stepMs - s.epochMs) / 60000);
    const p = r && r.position;
    if (p && Number.isFinite(p.x) && p.x * p.x + p.y * p.y + p.z * p.z <= MAX_KM * MAX_KM) {
      out[3 * k] = p.x;
      out[3 * k + 1] = p.y;
      out[3 * k + 2] = p.z;
    }
  }
  return out;
}

self.onmessage = (ev) => {
  const msg = ev.data;
  if (msg.type === 'init') {
    const t0 = performance.now();
    init(msg.omms);
    self.postMessage({ type: 'init', n: sats.length, errors: initErrors, ms: performance.now() - t0 });
  } else if (msg.type === 'keyframe') {
    const t0 = performance.now();
    const { out, errors } = keyframe(msg.tMs);
    self.postMessage(
      { type: 'keyframe', id: msg.id, tMs: msg.tMs, data: out, errors, ms: performance.now() - t0 },
      [out.buffer],
    );
  } else if (msg.type === 'track') {
    const out = track(msg.index, msg.tMs, msg.stepMs, msg.n);
    self.postMessage({ type: 'track', id: msg.id, data: out }, [out.buffer]);
  }
};
