// Keyframes in time: the page asks the SGP4 workers for the state of every object at instants
// K0, K1 = K0 + H, K2, … ahead of the clock, and the globe blends the two keyframes around the
// clock's time (cubic Hermite, exact at the keyframes). One keyframe is propagated per span, ahead
// of time, so the workers run one SGP4 pass per H of simulated time instead of one per frame.
//
// H grows with the speed so that the workers stay ahead (one keyframe per ~2 s of real time), and
// is bounded to keep the blend's error small: the Hermite error is ~ r·ω⁴·H⁴/384, about 5 m in LEO
// for H = 120 s (×60) and a few km at the 600 s cap (×300 and faster), where a point crosses the
// globe in a fraction of a second anyway.
export function spanMsFor(speed) {
  return Math.min(600_000, Math.max(20_000, speed * 2000));
}

export class Timeline {
  /**
   * @param {import('./propagator.js').PropagatorPool} pool
   * @param {import('./globe.js').Globe} globe
   */
  constructor(pool, globe) {
    this.pool = pool;
    this.globe = globe;
    this.keys = []; // {tMs, data, buf, errors}, sorted by tMs
    this.generation = 0;
    this.inflight = false;
    this.spanMs = spanMsFor(1);
    this.lastErrors = 0;
    this.onKeyframe = null;
  }

  /** Forget every keyframe and start again at tMs (after a jump or a change of speed). */
  reset(tMs, speed) {
    this.generation++;
    for (const k of this.keys) this.globe.deleteKeyframe(k.buf);
    this.keys = [];
    this.spanMs = spanMsFor(speed);
    this.base = tMs;
    this.inflight = false;
    this._want(tMs);
  }

  _want(tMs) {
    if (this.inflight) return;
    this.inflight = true;
    const gen = this.generation;
    this.pool.keyframe(tMs).then((kf) => {
      if (gen !== this.generation) return; // stale: the clock jumped meanwhile
      this.inflight = false;
      kf.buf = this.globe.uploadKeyframe(kf.data);
      this.keys.push(kf);
      this.keys.sort((a, b) => a.tMs - b.tMs);
      this.lastErrors = kf.errors;
      if (this.onKeyframe) this.onKeyframe(kf);
    });
  }

  /**
   * The span to draw at clock time tMs: {a, b, s, h} (keyframes, fraction, span seconds) or null.
   * `fresh` is false when the clock ran past the last keyframe and the points wait at its end.
   */
  at(tMs) {
    if (this.base === undefined) return null; // not started: the workers are still being set up
    const keys = this.keys;
    // drop keyframes left behind (keep the one starting the current span)
    while (keys.length > 2 && keys[1].tMs <= tMs) this.globe.deleteKeyframe(keys.shift().buf);
    const last = keys[keys.length - 1];
    const next = last ? last.tMs + this.spanMs : this.base;
    if (!last || (keys.length < 3 && next - tMs < 4 * this.spanMs)) this._want(next);
    if (keys.length < 2) return null;
    if (tMs > last.tMs + 3 * this.spanMs || tMs < keys[0].tMs) {
      // far behind (workers could not keep up) or before the first keyframe: start again here
      return { restart: true };
    }
    let i = 0;
    while (i < keys.length - 2 && keys[i + 1].tMs <= tMs) i++;
    const a = keys[i];
    const b = keys[i + 1];
    const raw = (tMs - a.tMs) / (b.tMs - a.tMs);
    return { a, b, s: Math.min(1, Math.max(0, raw)), h: (b.tMs - a.tMs) / 1000, fresh: raw >= 0 && raw <= 1 };
  }
}
