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
 * @returns {{lines: Float32Array[], targets: {name: string, pos: number[]}[]}} km, TEME
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
      for (let k = 0; k < c.length; k += 4) pts.push(...toTeme(c[k + 1], c[k + 2], c[k + 3], epoch + c[k] * 1000));
      lines.push(new Float32Array(pts));
    } else if (c.length === 3) {
      const when = pkt.availability ? parseTime(String(pkt.availability).split('/')[0]) : Number.NaN;
      targets.push({ name: pkt.label?.text ?? pkt.name ?? pkt.id, pos: toTeme(c[0], c[1], c[2], when) });
    }
  }
  return { lines, targets };
}
