// The service's REST API (/api/v1), as the console uses it. The crew's API key travels only in the
// Authorization header (Bearer), kept in sessionStorage for the tab's life.

const KEY_STORAGE = 'sweepers.apiKey';

export class ApiError extends Error {
  constructor(status, body, url) {
    super(`${url}: HTTP ${status}${body?.detail ? ` — ${typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail)}` : ''}`);
    this.status = status;
    this.body = body;
  }
}

export class Api {
  constructor(base) {
    this.base = base.replace(/\/$/, '');
    this.key = sessionStorage.getItem(KEY_STORAGE) || null;
  }

  setKey(key) {
    this.key = key || null;
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  headers(extra = {}) {
    const h = { Accept: 'application/json', ...extra };
    if (this.key) h.Authorization = `Bearer ${this.key}`;
    return h;
  }

  async request(method, path, body) {
    const url = `${this.base}${path}`;
    const init = { method, headers: this.headers(body ? { 'Content-Type': 'application/json' } : {}) };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(url, init);
    const text = await res.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) throw new ApiError(res.status, data, url);
    return data;
  }

  get(path) {
    return this.request('GET', path);
  }

  post(path, body) {
    return this.request('POST', path, body ?? {});
  }

  /** Every page of a cursor-paginated list ({items, next_cursor} or a bare array). */
  async all(path, onPage) {
    const items = [];
    let cursor = null;
    for (let page = 0; page < 10000; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const url = cursor ? `${path}${sep}cursor=${encodeURIComponent(cursor)}` : path;
      const data = await this.get(url);
      const batch = Array.isArray(data) ? data : data.items ?? [];
      items.push(...batch);
      if (onPage) onPage(batch);
      cursor = Array.isArray(data) ? null : data.next_cursor ?? data.next ?? null;
      if (!cursor) break;
    }
    return items;
  }

  /**
   * Server-sent events over fetch() (EventSource cannot send an Authorization header).
   * Calls onEvent({event, data}) per event until the stream ends or signal aborts.
   */
  async stream(path, onEvent, signal) {
    const res = await fetch(`${this.base}${path}`, { headers: this.headers({ Accept: 'text/event-stream' }), signal });
    if (!res.ok || !res.body) throw new ApiError(res.status, null, path);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += value.replace(/\r\n?/g, '\n');
      let cut;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') event = val;
          else if (field === 'data') data.push(val);
        }
        if (data.length) onEvent({ event, data: data.join('\n') });
      }
    }
  }
}
