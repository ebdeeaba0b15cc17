// How far the page's drawing (cubic Hermite between two SGP4 keyframes H seconds apart) strays
// from SGP4 itself, over a whole catalog: for each span length H, every object, 8 spans from the
// start time and 7 interior points per span, the largest distance |Hermite − SGP4| in km.
// Usage: node scripts/hermite-error.mjs ELEMENTS.json [ISO start]   (elements: OMM JSON array,
// e.g. saved from GET /api/v1/catalog/elements)
import { readFileSync } from 'node:fs';
import { json2satrec, sgp4 } from 'satellite.js';

const omms = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const epochs = omms.map((o) => Date.parse(`${o.EPOCH}Z`)).sort((a, b) => a - b);
const t0 = process.argv[3] ? Date.parse(process.argv[3]) : epochs[Math.floor(epochs.length / 2)];
const sats = omms.map((o) => ({ rec: json2satrec(o), epochMs: Date.parse(`${o.EPOCH}Z`), name: o.OBJECT_NAME, id: o.NORAD_CAT_ID }));
const state = (s, t) => {
  const r = sgp4(s.rec, (t - s.epochMs) / 60000);
  // the page's rule (sgp4.worker.js): an error code, or a position beyond 500,000 km, is not drawn
  return r && r.position && Number.isFinite(r.position.x) && Math.hypot(r.position.x, r.position.y, r.position.z) <= 500_000 ? [r.position.x, r.position.y, r.position.z, r.velocity.x, r.velocity.y, r.velocity.z] : null;
};
console.log(`start ${new Date(t0).toISOString()}, ${sats.length} objects`);
for (const H of [20, 120, 300, 600, 1200, 2500]) {
  const errs = [];
  let worst = { e: 0 };
  for (const s of sats) {
    let e = 0;
    for (let k = 0; k < 8; k++) {
      const ta = t0 + k * H * 1000;
      const a = state(s, ta);
      const b = state(s, ta + H * 1000);
      if (!a || !b) continue;
      for (let j = 1; j < 8; j++) {
        const u = j / 8;
        const p = state(s, ta + u * H * 1000);
        if (!p) continue;
        const u2 = u * u, u3 = u2 * u;
        const h00 = 2 * u3 - 3 * u2 + 1, h10 = (u3 - 2 * u2 + u) * H, h01 = -2 * u3 + 3 * u2, h11 = (u3 - u2) * H;
        const d = Math.hypot(...[0, 1, 2].map((c) => h00 * a[c] + h10 * a[c + 3] + h01 * b[c] + h11 * b[c + 3] - p[c]));
        e = Math.max(e, d);
      }
    }
    errs.push(e);
    if (e > worst.e) worst = { e, name: s.name, id: s.id };
  }
  errs.sort((x, y) => x - y);
  const q = (f) => errs[Math.min(errs.length - 1, Math.floor(f * errs.length))];
  const over = errs.filter((e) => e > 1).length;
  console.log(`H = ${String(H).padStart(4)} s: median ${q(0.5).toFixed(4)} km, 99% ${q(0.99).toFixed(3)} km, 99.9% ${q(0.999).toFixed(3)} km, over 1 km: ${over} objects; max ${worst.e.toFixed(3)} km (${worst.name}, ${worst.id})`);
}
