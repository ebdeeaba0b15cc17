// The console's clock: simulated UTC time (ms since 1970) advancing at `speed` × real time while
// playing. Real time comes from performance.now() so that a jump of the wall clock does not jump
// the simulation.
export class Clock {
  constructor(tMs) {
    this.anchorSim = tMs;
    this.anchorReal = performance.now();
    this.speed = 1;
    this.playing = true;
    this.listeners = [];
  }

  now() {
    if (!this.playing) return this.anchorSim;
    return this.anchorSim + (performance.now() - this.anchorReal) * this.speed;
  }

  _rebase() {
    this.anchorSim = this.now();
    this.anchorReal = performance.now();
  }

  setSpeed(speed) {
    this._rebase();
    this.speed = speed;
    this._emit('speed');
  }

  play(on) {
    this._rebase();
    this.playing = on;
    this._emit('play');
  }

  /** Jump to tMs (a discontinuity: keyframes are rebuilt). */
  jump(tMs) {
    this.anchorSim = tMs;
    this.anchorReal = performance.now();
    this._emit('jump');
  }

  on(fn) {
    this.listeners.push(fn);
  }

  _emit(what) {
    for (const fn of this.listeners) fn(what);
  }
}
