// Keyframes in time: the page asks the SGP4 workers for the state of every object at instants
// K0, K1 = K0 + H, K2, … ahead of the clock, and the globe blends the two keyframes around the
// clock's time (cubic Hermite on position and velocity, exact at the keyframes). One SGP4 pass
// per H of simulated time, not one per frame.
//
// The blend's error grows as H⁴ (~ r·ω⁴·H⁴/384 for a circular orbit, larger near the perigee of
// an eccentric one). Measured against SGP4 over the bundled catalog (console/README.md): H ≤ 300 s
// keeps it under 1 km. So H = 2 s of real time (0.5 keyframe/s) up to ×150, then 300 s up to ×600
// (≤ 2 keyframes/s), then speed/2 s capped at 1,200 s (a quarter of a LEO orbit; the blend is a
// drawing, tens of km off in LEO, while a point crosses the globe in under a second). When the
// clock is paused the span starts exactly at the clock's time, so the drawn positions are SGP4's.
export function spanMsFor(speed) {
  if (!(speed > 0)) return 20_000;
  if (speed <= 600) return Math.min(300_000, Math.max(20_000, speed * 2000));
  return Math.min(1_200_000, speed * 500);
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
    this.stale = []; // the previous keys, drawn (held) until the new ones are ready
    this.generation = 0;
    this.inflight = false;
    this.spanMs = spanMsFor(1);
    this.speed = 0;
    this.lastErrors = 0;
    this.base = undefined;
  }

  /** Start again at tMs for a clock running at `speed` (0 = paused): after a jump, a pause, a
   *  change of speed, or when the workers fell behind the clock. */
  reset(tMs, speed) {
    this.generation++;
    if (this.keys.length >= 2) {
      for (const k of this.stale) this.globe.deleteKeyframe(k.buf);
      this.stale = this.keys;
    } else {
      for (const k of this.keys) this.globe.deleteKeyframe(k.buf);
    }
    this.keys = [];
    this.speed = speed;
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
      if (this.keys.length >= 2 && this.stale.length) {
        for (const k of this.stale) this.globe.deleteKeyframe(k.buf);
        this.stale = [];
      }
    });
  }

  /**
   * The span to draw at clock time tMs: {a, b, s, h, fresh} (keyframes, fraction in [0, 1], span
   * in seconds), or null before any keyframe. `fresh` is false while the points are held (the
   * clock ran past the last keyframe, or new keyframes are being computed after a reset).
   */
  at(tMs) {
    if (this.base === undefined) return null; // not started: the workers are still being set up
    const keys = this.keys;
    while (keys.length > 2 && keys[1].tMs <= tMs) this.globe.deleteKeyframe(keys.shift().buf);
    const last = keys[keys.length - 1];
    const next = last ? last.tMs + this.spanMs : this.base;
    if (!last || (keys.length < 3 && next - tMs < 4 * this.spanMs)) this._want(next);
    if (keys.length === 1 && !this.stale.length) {
      // first paint: draw the first keyframe as it is while the second is being computed
      return { a: keys[0], b: keys[0], s: 0, h: 1, fresh: tMs === keys[0].tMs };
    }
    if (keys.length < 2) {
      const st = this.stale;
      return st.length >= 2 ? { a: st[0], b: st[1], s: 0, h: (st[1].tMs - st[0].tMs) / 1000, fresh: false } : null;
    }
    if (tMs > last.tMs + 2 * this.spanMs) {
      // the workers could not keep up: start again a little ahead of the clock
      const leadMs = Math.max(200, 2 * this.pool.lastKeyframeMs) * Math.max(this.speed, 1);
      this.reset(tMs + leadMs, this.speed);
      return this.at(tMs);
    }
    let i = 0;
    while (i < keys.length - 2 && keys[i + 1].tMs <= tMs) i++;
    const a = keys[i];
    const b = keys[i + 1];
    const raw = (tMs - a.tMs) / (b.tMs - a.tMs);
    return { a, b, s: Math.min(1, Math.max(0, raw)), h: (b.tMs - a.tMs) / 1000, fresh: raw >= 0 && raw <= 1 };
  }
}
