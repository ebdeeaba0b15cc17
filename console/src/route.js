// Routes from the planner's CZML (sweepers.formats.czml): trajectory packets carry time-tagged
// cartesian samples in metres, in INERTIAL (GCRF) or FIXED (ITRF) frames; event packets mark the
// targets. The globe's world frame is TEME: FIXED samples are turned by GMST at their own time;
// INERTIAL samples are drawn as they are (GCRF and TEME differ by precession-nutation, ~0.4° in
// 2026, a few tens of km in LEO: acceptable for a route line, never used for a position readout).

function parseTime(s) {
  return Date.parse(/Z$|[+-]\d\d:\d\d$/.test(s) ? s : `${s}Z`);
}

/**
 * @param {any[]} doc CZML packets
 * @param {(tMs: number) => number} gmstAt GMST (rad) at a UTC time
 * @returns {{lines: {times: number[], pts: Float32Array}[], targets: {name: string, pos: number[]}[]}}
 *   sample times (ms UTC) and positions (km, TEME)
 */
export function parseCzmlRoute(doc, gmstAt) {
  const lines = [];
  const targets = [];
  for (const pkt of Array.isArray(doc) ? doc : []) {
    const pos = pkt.position;
    if (!pos || pkt.id === 'document') continue;
    const frame = pos.referenceFrame ?? 'FIXED';
    const c = pos.cartesian;
    if (!Array.isArray(c)) continue;
    const toTeme = (x, y, z, tMs) => {
      if (frame !== 'FIXED' || !Number.isFinite(tMs)) return [x / 1000, y / 1000, z / 1000];
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
      const when = pkt.availability ? parseTime(String(pkt.availability).split('/')[0]) : Number.NaN;
      targets.push({ name: pkt.label?.text ?? pkt.name ?? pkt.id, pos: toTeme(c[0], c[1], c[2], when) });
    }
  }
  return { lines, targets };
}

/**
 * The part of a route line around the clock (trail 6 h behind, 90 min ahead — a month-long route
 * drawn whole would wrap the globe in hundreds of turns), and the ship's position now (linear
 * between samples), or null outside the route's time span.
 */
export function routeWindow(line, tMs, behindMs = 6 * 3_600_000, aheadMs = 5_400_000) {
  const { times, pts } = line;
  const out = [];
  let now = null;
  for (let k = 0; k < times.length; k++) {
    if (times[k] >= tMs - behindMs && times[k] <= tMs + aheadMs) out.push(pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]);
    if (k + 1 < times.length && times[k] <= tMs && tMs <= times[k + 1]) {
      const u = (tMs - times[k]) / (times[k + 1] - times[k] || 1);
      now = [0, 1, 2].map((c) => pts[3 * k + c] + u * (pts[3 * k + 3 + c] - pts[3 * k + c]));
    }
  }
  return { pts: new Float32Array(out), now };
}
