// A pool of SGP4 web workers over the whole catalog. The catalog is cut into one contiguous slice
// per worker; a keyframe (state of every object at one instant) is the concatenation of the
// slices' answers, assembled without copying per object.
import SgpWorker from './sgp4.worker.js?worker';

export class PropagatorPool {
  /** @param {number} nWorkers */
  constructor(nWorkers) {
    this.workers = Array.from({ length: Math.max(1, nWorkers) }, () => new SgpWorker());
    this.slices = []; // [start, end) per worker
    this.nextId = 1;
    this.pending = new Map();
    this.lastKeyframeMs = 0;
    this.workers.forEach((w, wi) => {
      w.onmessage = (ev) => this._onMessage(wi, ev.data);
      w.onerror = (ev) => console.warn('sgp4 worker error', ev.message);
    });
  }

  _onMessage(wi, msg) {
    const p = this.pending.get(msg.id ?? `init${wi}`);
    if (!p) return;
    p.parts[wi] = msg;
    p.left--;
    if (p.left === 0) {
      this.pending.delete(msg.id ?? `init${wi}`);
      p.resolve(p.parts);
    }
  }

  _request(key, nParts) {
    return new Promise((resolve) => this.pending.set(key, { parts: [], left: nParts, resolve }));
  }

  /** Build the SGP4 records. Returns the records SGP4 could not initialise ({index, norad, reason}). */
  async init(omms) {
    const n = omms.length;
    const k = this.workers.length;
    this.n = n;
    this.slices = this.workers.map((_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)]);
    const waits = this.workers.map((w, i) => {
      const [a, b] = this.slices[i];
      const wait = new Promise((resolve) => this.pending.set(`init${i}`, { parts: [], left: 1, resolve }));
      w.postMessage({ type: 'init', omms: omms.slice(a, b) });
      return wait.then((parts) => parts[i].errors.map((e) => ({ ...e, index: e.index + a })));
    });
    return (await Promise.all(waits)).flat();
  }

  /** State of every object at tMs (ms since 1970 UTC): Float32Array of 6 per object, TEME km, km/s. */
  async keyframe(tMs) {
    if (this.n === undefined) throw new Error('keyframe requested before init()');
    const id = this.nextId++;
    const wait = this._request(id, this.workers.length);
    const t0 = performance.now();
    this.workers.forEach((w) => w.postMessage({ type: 'keyframe', id, tMs }));
    const parts = await wait;
    const data = new Float32Array(this.n * 6);
    let errors = 0;
    parts.forEach((m, i) => {
      data.set(m.data, this.slices[i][0] * 6);
      errors += m.errors;
    });
    this.lastKeyframeMs = performance.now() - t0;
    return { tMs, data, errors };
  }

  /** TEME positions (km) of one object at n instants from tMs every stepMs (NaN where SGP4 fails). */
  async track(index, tMs, stepMs, n) {
    const wi = this.slices.findIndex(([a, b]) => index >= a && index < b);
    const id = this.nextId++;
    const wait = this._request(id, 1); // only the worker holding the object answers
    this.workers[wi].postMessage({ type: 'track', id, index: index - this.slices[wi][0], tMs, stepMs, n });
    return (await wait)[wi].data;
  }
}
