// The sweepers console: loads the catalog from the service, propagates it with SGP4 in web workers,
// draws it on a WebGL2 globe, and gives crews their claims, routes and alerts.
import { eciToEcf, gstime } from 'satellite.js';
import { Api, ApiError } from './api.js';
import { Clock } from './clock.js';
import { EARTH_RADIUS_KM, F_ALERT, F_CLAIMED, F_MINE, F_SELECTED, F_VISIBLE, Globe, KIND_NAMES, hermite } from './globe.js';
import { PropagatorPool } from './propagator.js';
import { inertialSpan, matrixTable, parseCzmlRoute, routeWindow, targetTeme } from './route.js';
import { Timeline } from './timeline.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const api = new Api(params.get('api') ?? new URL('./api/v1', document.baseURI).pathname);
const tStart = performance.now();

const state = {
  ready: false,
  firstPaintMs: null,
  readyMs: null,
  omms: [],
  meta: [], // per object: the /catalog/objects item, or null until loaded
  index: new Map(), // norad id -> index
  kinds: null,
  flags: null,
  claims: new Map(), // norad id -> claim
  me: null,
  selected: null,
  alerts: [],
  topN: null, // Set of norad ids, or null
  fps: 0,
  errors: [],
  initRejected: [],
  span: null,
  timings: {}, // ms: elements download + parse, worker set-up, page start → workers ready
};

const KIND_CODE = { PAYLOAD: 0, 'ROCKET BODY': 1, DEBRIS: 2, UNKNOWN: 3 };

function status(text) {
  $('status').textContent = text;
}

function isoOf(tMs) {
  return new Date(tMs).toISOString();
}

function jdOf(tMs) {
  return tMs / 86_400_000 + 2_440_587.5;
}

// ----------------------------------------------------------------------------------------------
// Data loading

async function loadElements() {
  const omms = await api.get('/catalog/elements');
  if (!Array.isArray(omms)) throw new Error('catalog/elements did not answer a JSON array');
  return omms;
}

function startTime(omms) {
  const p = params.get('t');
  if (p && Number.isFinite(Date.parse(p))) return { tMs: Date.parse(p), why: 'the time in the address (t=)' };
  const epochs = omms.map((o) => Date.parse(/Z$/.test(o.EPOCH) ? o.EPOCH : `${o.EPOCH}Z`)).filter(Number.isFinite).sort((a, b) => a - b);
  const median = epochs[Math.floor(epochs.length / 2)];
  const now = Date.now();
  if (!Number.isFinite(median) || Math.abs(now - median) < 30 * 86_400_000) return { tMs: now, why: 'now' };
  return { tMs: median, why: `the catalog's median epoch (its element sets are ${Math.round(Math.abs(now - median) / 86_400_000)} days from now)` };
}

function applyMeta(items) {
  if (!state.kinds) {
    state.pendingMeta = (state.pendingMeta ?? []).concat(items);
    return;
  }
  if (state.pendingMeta) {
    const pending = state.pendingMeta;
    state.pendingMeta = null;
    applyMeta(pending);
  }
  for (const it of items) {
    const i = state.index.get(it.norad_id);
    if (i === undefined) continue;
    state.meta[i] = it;
    state.kinds[i] = KIND_CODE[it.object_type] ?? 3;
  }
}

// ----------------------------------------------------------------------------------------------
// Filters

function readFilters() {
  const types = new Set([...document.querySelectorAll('input[name=type]:checked')].map((e) => Number(e.value)));
  const regimes = new Set([...document.querySelectorAll('input[name=regime]:checked')].map((e) => e.value));
  const allRegimes = document.querySelectorAll('input[name=regime]').length === regimes.size;
  return {
    types,
    regimes: allRegimes ? null : regimes,
    altMin: Number($('alt-min').value) || 0,
    altMax: Number($('alt-max').value) || Number.POSITIVE_INFINITY,
    incMin: Number($('inc-min').value) || 0,
    incMax: $('inc-max').value === '' ? 180 : Number($('inc-max').value),
    cloud: $('cloud').value,
    claimed: $('claimed').value,
  };
}

function orbitOf(i) {
  const m = state.meta[i];
  if (m && m.perigee_km != null) return { perigee: m.perigee_km, apogee: m.apogee_km, inc: m.i_deg };
  // from the element set alone (before the object list arrives): Kepler's third law
  const o = state.omms[i];
  const n = (Number(o.MEAN_MOTION) * 2 * Math.PI) / 86400; // rad/s
  const a = Math.cbrt(398600.4418 / (n * n));
  const e = Number(o.ECCENTRICITY);
  return { perigee: a * (1 - e) - EARTH_RADIUS_KM, apogee: a * (1 + e) - EARTH_RADIUS_KM, inc: Number(o.INCLINATION) };
}

function recomputeFlags() {
  const f = readFilters();
  const me = state.me?.crew?.name ?? state.me?.crew ?? null;
  let shown = 0;
  for (let i = 0; i < state.omms.length; i++) {
    const o = state.omms[i];
    const m = state.meta[i];
    const norad = Number(o.NORAD_CAT_ID);
    const claim = state.claims.get(norad);
    let vis = f.types.has(state.kinds[i]);
    if (vis && f.regimes && m) vis = f.regimes.has(m.regime);
    if (vis) {
      const ob = orbitOf(i);
      vis = ob.apogee >= f.altMin && ob.perigee <= f.altMax && ob.inc >= f.incMin && ob.inc <= f.incMax;
    }
    if (vis && f.cloud) vis = String(o.OBJECT_ID ?? '').startsWith(f.cloud);
    if (vis && f.claimed === 'claimed') vis = !!claim;
    if (vis && f.claimed === 'unclaimed') vis = !claim;
    if (vis && state.topN) vis = state.topN.has(norad);
    let flags = vis ? F_VISIBLE : 0;
    if (claim) flags |= F_CLAIMED;
    if (claim && me && claimCrew(claim) === me) flags |= F_MINE;
    if (state.selected === i) flags |= F_SELECTED | F_VISIBLE;
    if (state.alertIds?.has(norad)) flags |= F_ALERT | F_VISIBLE;
    state.flags[i] = flags;
    if (flags & F_VISIBLE) shown++;
  }
  state.shown = shown;
  globe.updateFlags(state.flags);
  $('filter-count').textContent = `${shown.toLocaleString('en')} of ${state.omms.length.toLocaleString('en')} objects shown`;
}

function claimCrew(c) {
  return typeof c.crew === 'object' && c.crew ? c.crew.name : c.crew;
}

function buildRegimeFilter() {
  const regimes = [...new Set(state.meta.filter(Boolean).map((m) => m.regime).filter(Boolean))].sort();
  $('regimes').replaceChildren(
    ...regimes.map((r) => {
      const l = document.createElement('label');
      const c = document.createElement('input');
      c.type = 'checkbox';
      c.name = 'regime';
      c.value = r;
      c.checked = true;
      c.addEventListener('change', recomputeFlags);
      l.append(c, ` ${r}`);
      return l;
    }),
  );
}

async function updateTopN() {
  const n = Number($('topn').value) || 0;
  if (n <= 0) {
    state.topN = null;
  } else {
    try {
      const data = await api.get(`/targets?top=${n}`);
      const items = Array.isArray(data) ? data : data.items ?? [];
      state.topN = new Set(items.map((t) => Number(t.norad_id)));
    } catch (err) {
      // the targets endpoint needs a key on some deployments: rank the loaded objects by value
      const ranked = state.meta.filter((m) => m && m.value != null).sort((a, b) => b.value - a.value);
      state.topN = new Set(ranked.slice(0, n).map((m) => m.norad_id));
      status(`Top-${n} ranked in the page from the objects' values (targets endpoint: ${err.message})`);
    }
  }
  recomputeFlags();
}

// ----------------------------------------------------------------------------------------------
// Positions as drawn

function spanNow() {
  return state.span;
}

/** The drawn TEME position (km) of object i at the current span, or null. */
function drawnTeme(i) {
  const sp = spanNow();
  if (!sp) return null;
  const o = i * 6;
  if (sp.a.data[o] === 0 && sp.a.data[o + 1] === 0) return null;
  if (sp.b.data[o] === 0 && sp.b.data[o + 1] === 0) return null;
  return hermite(sp.a.data, sp.b.data, o, sp.s, sp.h);
}

function temeToItrs(p, tMs) {
  const r = eciToEcf({ x: p[0], y: p[1], z: p[2] }, gstime(jdOf(tMs)));
  return [r.x, r.y, r.z];
}

// ----------------------------------------------------------------------------------------------
// Selection and the panel

const fmt = (x, d = 1) => (x == null || Number.isNaN(Number(x)) ? '—' : Number(x).toLocaleString('en', { maximumFractionDigits: d, minimumFractionDigits: d }));

function altitudeBand(per, apo) {
  const mean = (per + apo) / 2;
  if (mean < 2000) return 'LEO (< 2,000 km)';
  if (mean < 35586) return 'MEO (2,000–35,586 km)';
  if (mean < 35986) return 'GEO (35,786 ± 200 km)';
  return 'beyond GEO';
}

function renderPanel() {
  const i = state.selected;
  const body = $('panel-body');
  if (i == null) {
    $('panel-title').textContent = 'No object selected';
    body.replaceChildren();
    $('claim-btn').hidden = true;
    return;
  }
  const o = state.omms[i];
  const m = state.meta[i] ?? {};
  const norad = Number(o.NORAD_CAT_ID);
  const ob = orbitOf(i);
  const claim = state.claims.get(norad) ?? m.claim ?? null;
  const a = m.a_km ?? Math.cbrt(398600.4418 / ((Number(o.MEAN_MOTION) * 2 * Math.PI) / 86400) ** 2);
  const rows = [
    ['NORAD id', String(norad)],
    ['Intl designator', o.OBJECT_ID ?? m.object_id ?? '—'],
    ['Type', m.object_type ?? KIND_NAMES[state.kinds[i]]],
    ['Size (RCS)', m.rcs_size ?? '—'],
    ['Mass estimate', m.mass_kg != null ? `${fmt(m.mass_kg, 0)} kg` : '—'],
    ['a', `${fmt(a, 1)} km`],
    ['e', fmt(m.e ?? o.ECCENTRICITY, 5)],
    ['i', `${fmt(m.i_deg ?? o.INCLINATION, 2)}°`],
    ['Perigee–apogee', `${fmt(ob.perigee, 0)}–${fmt(ob.apogee, 0)} km`],
    ['Altitude band', altitudeBand(ob.perigee, ob.apogee)],
    ['Regime', m.regime ?? '—'],
    ['Salvage value', m.value != null ? fmt(m.value, 2) : '—'],
    ['Criticality', m.criticality != null ? fmt(m.criticality, 3) : '—'],
    ['Claim', claim ? `${claimCrew(claim)} until ${claim.until}` : 'unclaimed'],
    ['Element epoch', `${o.EPOCH} UTC`],
  ];
  $('panel-title').textContent = o.OBJECT_NAME ?? `Object ${norad}`;
  body.replaceChildren(
    ...rows.flatMap(([k, v]) => {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = v;
      dd.dataset.field = k;
      return [dt, dd];
    }),
  );
  $('claim-btn').hidden = !api.key || !!claim;
}

async function select(i) {
  state.selected = i;
  recomputeFlags();
  renderPanel();
  globe.removeOverlay('orbit');
  state.orbitPoints = null;
  if (i == null) return;
  // the orbit for one period, from the clock's time (SGP4 in the worker holding the object)
  const o = state.omms[i];
  const periodMs = (86_400_000 / Number(o.MEAN_MOTION));
  const n = 181;
  const t0 = clock.now();
  const pts = await pool.track(i, t0, periodMs / (n - 1), n);
  if (state.selected !== i) return;
  const finite = [];
  for (let k = 0; k < n; k++) if (Number.isFinite(pts[3 * k])) finite.push(pts[3 * k], pts[3 * k + 1], pts[3 * k + 2]);
  state.orbitPoints = finite.length / 3;
  globe.setOverlay('orbit', new Float32Array(finite), [1, 1, 1, 0.8]);
}

function find(query) {
  const q = query.trim();
  if (!q) return -1;
  if (/^\d+$/.test(q) && state.index.has(Number(q))) return state.index.get(Number(q));
  const up = q.toUpperCase();
  let best = -1;
  for (let i = 0; i < state.omms.length; i++) {
    const o = state.omms[i];
    if (String(o.OBJECT_ID ?? '').toUpperCase() === up) return i;
    const name = String(o.OBJECT_NAME ?? '').toUpperCase();
    if (name === up) return i;
    if (best < 0 && (name.includes(up) || String(o.OBJECT_ID ?? '').toUpperCase().startsWith(up))) best = i;
  }
  return best;
}

function pick(x, y) {
  const vp = globe.viewProj();
  let best = -1;
  let bestD = 10 * 10;
  for (let i = 0; i < state.omms.length; i++) {
    if (!(state.flags[i] & F_VISIBLE)) continue;
    const p = drawnTeme(i);
    if (!p) continue;
    const s = globe.project(p, vp);
    if (!s) continue;
    const d = (s[0] - x) ** 2 + (s[1] - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

// ----------------------------------------------------------------------------------------------
// Crew: login, claims, ships and routes, alerts

async function refreshClaims() {
  try {
    const items = await api.all('/claims?limit=1000');
    state.claims = new Map(items.map((c) => [Number(c.norad_id), c]));
  } catch (err) {
    status(`Claims could not be read: ${err.message}`);
  }
  if (state.flags) recomputeFlags();
  renderPanel();
  renderOurClaims();
}

function renderOurClaims() {
  const me = state.me?.crew?.name ?? state.me?.crew;
  const ul = $('our-claims');
  ul.replaceChildren(
    ...[...state.claims.values()]
      .filter((c) => me && claimCrew(c) === me)
      .map((c) => {
        const li = document.createElement('li');
        const b = document.createElement('button');
        b.type = 'button';
        const i = state.index.get(Number(c.norad_id));
        b.textContent = `${i != null ? state.omms[i].OBJECT_NAME : c.norad_id} (${c.norad_id})`;
        b.addEventListener('click', () => i != null && select(i));
        li.append(b, ` until ${c.until}`);
        return li;
      }),
  );
}

async function login(key) {
  api.setKey(key);
  try {
    state.me = await api.get('/me');
  } catch (err) {
    api.setKey(null);
    state.me = null;
    $('crew-name').textContent = err instanceof ApiError && err.status === 401 ? 'Key refused.' : `Login failed: ${err.message}`;
    return false;
  }
  const crew = state.me.crew?.name ?? state.me.crew ?? '?';
  $('crew-name').textContent = `Crew ${crew}${state.me.role ? ` (${state.me.role})` : ''}`;
  $('key').value = '';
  $('key').hidden = true;
  $('login-btn').hidden = true;
  $('logout-btn').hidden = false;
  $('crew').hidden = false;
  if (state.loginWaiter) {
    state.loginWaiter();
    state.loginWaiter = null;
  }
  if (state.omms.length) await crewViews();
  return true;
}

/** The crew's layers, once both the catalog and the key are there. */
async function crewViews() {
  state.crewReady = false;
  await refreshClaims();
  await Promise.all([loadShips(), startAlerts()]);
  state.crewReady = !!state.me;
}

function logout() {
  api.setKey(null);
  state.me = null;
  state.crewReady = false;
  state.alertAbort?.abort();
  $('crew-name').textContent = 'Logged out.';
  $('key').hidden = false;
  $('login-btn').hidden = false;
  $('logout-btn').hidden = true;
  $('crew').hidden = true;
  for (const name of [...globe.overlays.keys()]) if (name.startsWith('route:') || name.startsWith('miss')) globe.removeOverlay(name);
  state.routeLabels = [];
  state.routes = [];
  state.alerts = [];
  state.alertIds = null;
  state.missVector = null;
  $('alerts').replaceChildren();
  $('ships').replaceChildren();
  $('our-claims').replaceChildren();
  if (state.flags) recomputeFlags();
  renderPanel();
}

async function loadShips() {
  let ships = [];
  let plans = [];
  try {
    [ships, plans] = await Promise.all([api.all('/ships'), api.all('/plans')]);
  } catch (err) {
    $('ships').textContent = `Ships could not be read: ${err.message}`;
    return;
  }
  state.shipNames = new Map(ships.map((sh) => [sh.id, sh.name]));
  state.routes = [];
  const ul = $('ships');
  ul.replaceChildren();
  for (const name of [...globe.overlays.keys()]) if (name.startsWith('route:')) globe.removeOverlay(name);
  state.routeLabels = [];
  if (!ships.length) ul.textContent = 'No ships yet.';
  for (const ship of ships) {
    const li = document.createElement('li');
    const mine = plans.filter((p) => p.ship_id === ship.id);
    li.textContent = `${ship.name}: ${mine.length} plan(s)`;
    ul.append(li);
    for (const plan of mine.filter((p) => p.status === 'done')) {
      try {
        const doc = await api.get(`/plans/${plan.id}/czml`);
        const route = await czmlToTeme(doc);
        route.lines.forEach((line, k) => state.routes.push({ name: `route:${plan.id}:${k}`, line }));
        state.routeT = null;
        const t0 = Math.min(...route.lines.map((l) => l.times[0]));
        const t1 = Math.max(...route.lines.map((l) => l.times[l.times.length - 1]));
        if (Number.isFinite(t0)) {
          const go = document.createElement('button');
          go.type = 'button';
          go.textContent = 'Go to its start';
          go.setAttribute('aria-label', `Set the clock to the start of plan ${plan.id}'s route (${isoOf(t0).slice(0, 16)}Z to ${isoOf(t1).slice(0, 16)}Z)`);
          go.addEventListener('click', () => clock.jump(t0));
          li.append(' ', go);
        }
        route.targets.forEach((t, n) => state.routeLabels.push({ text: /^\d/.test(t.name) ? t.name : `${n + 1}: ${t.name}`, target: t }));
        li.append(` · plan ${plan.id}: ${route.targets.length} target(s) numbered on the globe`);
      } catch (err) {
        li.append(` · plan ${plan.id}: ${err.status === 404 ? 'no route' : err.message}`);
      }
    }
  }
}

function parseTime(s) {
  return Date.parse(/Z$|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);
}

/** A CZML document's routes and targets in TEME: FIXED turned by GMST82, INERTIAL by the
 *  service's GCRS → TEME matrices over the document's span (hourly, interpolated). */
async function czmlToTeme(doc) {
  const span = inertialSpan(doc);
  let inertialAt = null;
  if (span) {
    const stepS = Math.max(3600, Math.ceil((span[1] - span[0]) / 1000 / 2000));
    const q = `start=${encodeURIComponent(isoOf(span[0]))}&stop=${encodeURIComponent(isoOf(span[1]))}&step_s=${stepS}`;
    const m = await api.get(`/frames/teme-from-gcrs?${q}`);
    inertialAt = matrixTable(m.epochs.map(parseTime), m.matrices);
  }
  return parseCzmlRoute(doc, (t) => gstime(jdOf(t)), inertialAt);
}

function alertText(a) {
  const i = state.index.get(Number(a.secondary_id));
  const name = i != null ? `${state.omms[i].OBJECT_NAME} (${a.secondary_id})` : String(a.secondary_id);
  const ship = state.shipNames?.get(a.ship_id) ?? `ship ${a.ship_id}`;
  return `${a.kind ?? 'alert'}: ${ship} × ${name}, TCA ${isoOf(parseTime(a.tca)).slice(0, 19)}Z, miss ${fmt(a.miss_km * 1000, 0)} m, Pc ${Number(a.pc).toExponential(1)}`;
}

function addAlert(a) {
  if (state.alerts.some((x) => x.id === a.id)) return;
  state.alerts.push(a);
  const text = alertText(a);
  const li = document.createElement('li');
  li.className = 'new';
  li.dataset.alertId = String(a.id);
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = 'Go to TCA − 30 s';
  b.setAttribute('aria-label', `Go to 30 seconds before the close approach: ${text}`);
  b.addEventListener('click', () => goToAlert(a));
  li.append(`${text} `, b);
  $('alerts').prepend(li);
}

async function startAlerts() {
  try {
    for (const a of await api.all('/alerts')) addAlert(a);
  } catch (err) {
    status(`Alerts could not be read: ${err.message}`);
  }
  state.alertAbort?.abort();
  const ctl = new AbortController();
  state.alertAbort = ctl;
  const run = async () => {
    for (let attempt = 0; !ctl.signal.aborted && attempt < 1000; attempt++) {
      try {
        const after = state.alerts.reduce((m, a) => Math.max(m, Number(a.id) || 0), 0);
        await api.stream(`/alerts/stream?after=${after}`, (ev) => {
          if (ev.event !== 'alert') return;
          try {
            addAlert(JSON.parse(ev.data));
          } catch (err) {
            console.warn('alert event not JSON', err);
          }
        }, ctl.signal);
      } catch (err) {
        if (ctl.signal.aborted) return;
        status(`Alert stream interrupted (${err.message}); reconnecting`);
      }
      await new Promise((r) => setTimeout(r, 3000));
    }
  };
  run();
}

async function goToAlert(a) {
  const tca = parseTime(a.tca);
  clock.play(false);
  syncPlay();
  clock.jump(tca - 30_000);
  const i = state.index.get(Number(a.secondary_id));
  state.alertIds = new Set([Number(a.secondary_id)]);
  if (i != null) select(i);
  else recomputeFlags();
  globe.removeOverlay('miss');
  globe.removeOverlay('miss:scaled');
  state.missVector = null;
  let note;
  const ship = a.ship_r_teme_km;
  const sec = a.secondary_r_teme_km;
  if (Array.isArray(ship) && Array.isArray(sec)) {
    // both objects at TCA as the service's screen had them, in TEME (the globe's frame): the
    // segment ship → object is the miss vector itself; a few hundred metres do not show at globe
    // scale, so the same direction is drawn again from the object, stretched to 300 km
    const miss = a.miss_teme_km ?? [0, 1, 2].map((k) => sec[k] - ship[k]);
    const len = Math.hypot(...miss) || 1e-9;
    const scale = Math.max(1, 300 / len);
    const tip = [0, 1, 2].map((k) => sec[k] - miss[k] * scale);
    const cross = [];
    for (const axis of [[60, 0, 0], [0, 60, 0], [0, 0, 60]]) {
      cross.push(...ship.map((c, k) => c - axis[k]), ...ship.map((c, k) => c + axis[k]));
    }
    globe.setOverlay('miss', new Float32Array([...ship, ...sec]), [1, 0.25, 0.25, 1], { mode: 'lines' });
    globe.setOverlay('miss:scaled', new Float32Array([...sec, ...tip, ...cross]), [1, 0.25, 0.25, 0.7], { mode: 'lines' });
    state.missVector = { tca: isoOf(tca), ship_km: [...ship], object_km: [...sec], miss_km: [...miss], rtn_m: a.miss_rtn_m ? [...a.miss_rtn_m] : null, scale };
    const rtn = a.miss_rtn_m ? ` (R ${fmt(a.miss_rtn_m[0], 0)}, T ${fmt(a.miss_rtn_m[1], 0)}, N ${fmt(a.miss_rtn_m[2], 0)} m in the ship's frame)` : '';
    note = ` Miss vector at TCA ${fmt(len * 1000, 0)} m${rtn}, drawn again ×${fmt(scale, 0)} from the object; the ship at TCA is the red cross.`;
  } else {
    note = ' (this alert carries no geometry at TCA: its CDM could not be read)';
  }
  status(`Clock at TCA − 30 s: ${alertText(a)}.${note}`);
}

// ----------------------------------------------------------------------------------------------
// Time controls

function syncPlay() {
  $('play').textContent = clock.playing ? 'Pause' : 'Play';
  $('play').setAttribute('aria-pressed', String(clock.playing));
}

function wireControls() {
  $('play').addEventListener('click', () => {
    clock.play(!clock.playing);
    syncPlay();
    retime();
  });
  $('speed').addEventListener('change', () => {
    clock.setSpeed(Number($('speed').value));
    retime();
  });
  $('jump').addEventListener('click', () => {
    const v = $('date').value;
    const t = Date.parse(/Z$/.test(v) ? v : `${v}Z`);
    if (!Number.isFinite(t)) {
      status('Jump: not a date.');
      return;
    }
    clock.jump(t);
  });
  $('now').addEventListener('click', () => clock.jump(Date.now()));
  $('date').addEventListener('focus', () => {
    if (!$('date').value) $('date').value = isoOf(clock.now()).slice(0, 19);
  });
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const i = find($('q').value);
    if (i < 0) {
      $('search-msg').textContent = `No object matches “${$('q').value}”.`;
      return;
    }
    $('search-msg').textContent = `Found ${state.omms[i].OBJECT_NAME} (${state.omms[i].NORAD_CAT_ID}).`;
    select(i);
  });
  $('login').addEventListener('submit', (ev) => {
    ev.preventDefault();
    login($('key').value.trim());
  });
  $('logout-btn').addEventListener('click', logout);
  $('claim-btn').addEventListener('click', async () => {
    const i = state.selected;
    if (i == null) return;
    const norad = Number(state.omms[i].NORAD_CAT_ID);
    let msg;
    try {
      const c = await api.post('/claims', { norad_id: norad });
      msg = `Claimed ${norad} until ${c.until}.`;
    } catch (err) {
      const b = err.body ?? {};
      const holder = b.holder ?? b.detail?.holder;
      const until = b.until ?? b.detail?.until;
      msg = err.status === 409 ? `Already claimed${holder ? ` by ${holder}` : ' by another crew'}${until ? ` until ${until}` : ''}.` : `Claim failed: ${err.message}`;
    }
    await refreshClaims(); // the registry as the service now has it, then say what happened
    $('claim-msg').textContent = msg;
  });
  for (const id of ['alt-min', 'alt-max', 'inc-min', 'inc-max', 'cloud', 'claimed']) $(id).addEventListener('change', recomputeFlags);
  for (const el of document.querySelectorAll('input[name=type]')) el.addEventListener('change', recomputeFlags);
  $('topn').addEventListener('change', updateTopN);

  // camera: drag, wheel, keyboard (arrows turn, +/- zoom, Escape clears the selection)
  const cv = $('globe');
  let drag = null;
  cv.addEventListener('pointerdown', (e) => {
    drag = { x: e.clientX, y: e.clientY, moved: false };
    cv.setPointerCapture(e.pointerId);
  });
  cv.addEventListener('pointermove', (e) => {
    if (!drag) return;
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
    globe.yaw -= dx * 0.005;
    globe.pitch = Math.max(-1.5, Math.min(1.5, globe.pitch + dy * 0.005));
    drag.x = e.clientX;
    drag.y = e.clientY;
  });
  cv.addEventListener('pointerup', (e) => {
    if (drag && !drag.moved) {
      const r = cv.getBoundingClientRect();
      const i = pick(e.clientX - r.left, e.clientY - r.top);
      if (i >= 0) select(i);
    }
    drag = null;
  });
  cv.addEventListener('wheel', (e) => {
    e.preventDefault();
    globe.distance = Math.max(1.3, Math.min(40, globe.distance * Math.exp(e.deltaY * 0.001)));
  }, { passive: false });
  cv.addEventListener('keydown', (e) => {
    const step = 0.08;
    if (e.key === 'ArrowLeft') globe.yaw += step;
    else if (e.key === 'ArrowRight') globe.yaw -= step;
    else if (e.key === 'ArrowUp') globe.pitch = Math.min(1.5, globe.pitch + step);
    else if (e.key === 'ArrowDown') globe.pitch = Math.max(-1.5, globe.pitch - step);
    else if (e.key === '+' || e.key === '=') globe.distance = Math.max(1.3, globe.distance / 1.15);
    else if (e.key === '-') globe.distance = Math.min(40, globe.distance * 1.15);
    else if (e.key === 'Escape') select(null);
    else return;
    e.preventDefault();
  });
}

// ----------------------------------------------------------------------------------------------
// The frame loop

let frames = 0;
let fpsT0 = performance.now();
let lastClockText = 0;

function frame() {
  const tFrame = performance.now();
  const t = clock.now();
  const sp = timeline.at(t);
  if (sp) {
    state.span = sp;
    if (globe.keyA !== sp.a.buf || globe.keyB !== sp.b.buf) globe.setSpan(sp.a.buf, sp.b.buf);
  }
  const gmst = gstime(jdOf(t));
  globe.draw(sp ? sp.s : 0, sp ? sp.h : 1, gmst, sp ? { a: sp.a.data, b: sp.b.data } : null);
  if (sp && state.firstPaintMs == null && state.omms.length) {
    state.firstPaintMs = performance.now() - tStart;
    status(`${state.omms.length.toLocaleString('en')} objects on the globe after ${(state.firstPaintMs / 1000).toFixed(2)} s (renderer: ${globe.renderer}).`);
  }
  updateRoutes(t);
  drawLabels(gmst);
  // JavaScript time of this frame (the GPU process's work is not in it), smoothed
  state.frameJsMs = 0.9 * (state.frameJsMs ?? 0) + 0.1 * (performance.now() - tFrame);
  frames++;
  const now = performance.now();
  if (now - fpsT0 >= 1000) {
    state.fps = (frames * 1000) / (now - fpsT0);
    frames = 0;
    fpsT0 = now;
  }
  if (now - lastClockText > 250) {
    $('clock').textContent = `${isoOf(t).replace('T', ' ').slice(0, 19)} UTC`;
    lastClockText = now;
    const errs = timeline.lastErrors;
    const txt = errs ? `${errs.toLocaleString('en')} objects not drawn: SGP4 fails for them at this time (error code, or a position beyond 500,000 km: decayed or stale elements).` : '';
    if ($('sgp4-msg').textContent !== txt) $('sgp4-msg').textContent = txt;
  }
  requestAnimationFrame(frame);
}

/** Redraw the routes' windows when the clock moved more than 2 min (simulated) since the last. */
function updateRoutes(tMs) {
  if (!state.routes?.length || (state.routeT != null && Math.abs(tMs - state.routeT) < 120_000)) return;
  state.routeT = tMs;
  for (const { name, line } of state.routes) {
    const w = routeWindow(line, tMs);
    if (w.pts.length >= 6) globe.setOverlay(name, w.pts, [0.2, 1, 0.4, 0.9]);
    else globe.removeOverlay(name);
    if (w.now) {
      const cross = [];
      for (const axis of [[80, 0, 0], [0, 80, 0], [0, 0, 80]]) cross.push(...w.now.map((c, k) => c - axis[k]), ...w.now.map((c, k) => c + axis[k]));
      globe.setOverlay(`${name}:ship`, new Float32Array(cross), [0.2, 1, 0.4, 1], { mode: 'lines' });
    } else {
      globe.removeOverlay(`${name}:ship`);
    }
  }
}

function drawLabels(gmst) {
  const box = $('labels');
  const labels = state.routeLabels ?? [];
  if (!labels.length) {
    if (box.childElementCount) box.replaceChildren();
    return;
  }
  const vp = globe.viewProj();
  while (box.childElementCount < labels.length) box.append(document.createElement('span'));
  labels.forEach((l, k) => {
    const el = box.children[k];
    const s = globe.project(targetTeme(l.target, gmst), vp);
    el.hidden = !s; // behind the Earth or the eye
    if (el.textContent !== l.text) el.textContent = l.text;
    if (s) {
      el.style.left = `${s[0]}px`;
      el.style.top = `${s[1]}px`;
    }
  });
}

// ----------------------------------------------------------------------------------------------
// Read-only state for tests and benchmarks

function exposeState() {
  const view = {};
  const def = (name, get) => Object.defineProperty(view, name, { get, enumerable: true });
  def('ready', () => state.ready);
  def('objects', () => state.omms.length);
  def('drawn', () => {
    const sp = spanNow();
    if (!sp) return 0;
    let n = 0;
    for (let i = 0; i < state.omms.length; i++) if (state.flags[i] & F_VISIBLE && drawnTeme(i)) n++;
    return n;
  });
  def('shown', () => state.shown ?? 0);
  def('sgp4Errors', () => timeline.lastErrors);
  def('initRejected', () => state.initRejected.length);
  def('fps', () => state.fps);
  def('frameJsMs', () => state.frameJsMs ?? 0);
  def('timings', () => ({ ...state.timings }));
  def('firstPaintMs', () => state.firstPaintMs);
  def('readyMs', () => state.readyMs);
  def('renderer', () => globe.renderer);
  def('pointsMode', () => globe.pointsMode);
  def('time', () => isoOf(clock.now()));
  def('timeMs', () => clock.now());
  def('speed', () => clock.speed);
  def('playing', () => clock.playing);
  def('spanFresh', () => !!spanNow()?.fresh);
  def('spanMs', () => timeline.spanMs);
  def('selected', () => (state.selected == null ? null : Number(state.omms[state.selected].NORAD_CAT_ID)));
  def('orbitPoints', () => state.orbitPoints ?? 0);
  def('claims', () => state.claims.size);
  def('alerts', () => state.alerts.map((a) => ({ ...a })));
  def('crew', () => state.me?.crew?.name ?? state.me?.crew ?? null);
  def('crewReady', () => !!state.crewReady);
  def('overlays', () => [...globe.overlays.keys()]);
  def('missVector', () => (state.missVector ? structuredClone(state.missVector) : null));
  /** The routes loaded from the crew's plans: sample times (ISO) and TEME positions (km). */
  view.routes = () => (state.routes ?? []).map(({ name, line }) => ({ name, times: line.times.map(isoOf), pts: [...Array(line.times.length).keys()].map((k) => [line.pts[3 * k], line.pts[3 * k + 1], line.pts[3 * k + 2]]) }));
  /** What the page makes of a CZML document (the route code above, on a document given by a
   *  test): lines with ISO times and TEME km, targets in TEME km at time tIso. */
  view.parseCzml = async (doc, tIso) => {
    const r = await czmlToTeme(doc);
    const g = gstime(jdOf(Date.parse(tIso)));
    return { lines: r.lines.map((l) => ({ times: l.times.map(isoOf), pts: [...Array(l.times.length).keys()].map((k) => [l.pts[3 * k], l.pts[3 * k + 1], l.pts[3 * k + 2]]) })), targets: r.targets.map((t) => ({ name: t.name, pos: targetTeme(t, g) })) };
  };
  /** The vertices of an overlay as drawn (km, TEME; Earth-fixed overlays in ITRS), or null. */
  view.overlay = (name) => {
    const o = globe.overlays.get(name);
    if (!o) return null;
    const pts = [];
    for (let k = 0; k + 2 < o.km.length; k += 3) pts.push([o.km[k], o.km[k + 1], o.km[k + 2]]);
    return pts;
  };
  def('errors', () => [...state.errors]);
  def('lastKeyframeMs', () => pool.lastKeyframeMs);
  def('workers', () => pool.workers.length);
  /** Position of one object as drawn now: TEME and ITRS (≈ TEME turned by GMST), km. */
  view.position = (norad) => {
    const i = state.index.get(Number(norad));
    if (i === undefined) return null;
    const t = state.span ? state.span.a.tMs + state.span.s * state.span.h * 1000 : null;
    const p = drawnTeme(i);
    if (!p || t == null) return null;
    return { norad: Number(norad), time: isoOf(t), timeMs: t, teme_km: p, itrs_km: temeToItrs(p, t), visible: !!(state.flags[i] & F_VISIBLE), fresh: !!state.span.fresh };
  };
  /** Where that object is drawn on the canvas now (CSS px from its top-left), or null when
   *  hidden (filtered, behind the Earth, off screen). */
  view.screen = (norad) => {
    const i = state.index.get(Number(norad));
    if (i === undefined || !(state.flags[i] & F_VISIBLE)) return null;
    const p = drawnTeme(i);
    const sc = p && globe.project(p);
    const cv = $('globe');
    return sc && sc[0] >= 0 && sc[1] >= 0 && sc[0] < cv.clientWidth && sc[1] < cv.clientHeight ? sc : null;
  };
  window.sweepersConsole = Object.freeze(view);
}

// ----------------------------------------------------------------------------------------------
// Start

const globe = new Globe($('globe'));
if (params.get('points') === 'gpu' || params.get('points') === 'cpu') globe.pointsMode = params.get('points');
const pool = new PropagatorPool(Math.min(4, Math.max(1, Number(params.get('workers')) || navigator.hardwareConcurrency || 2)));
const timeline = new Timeline(pool, globe);
let clock = new Clock(Date.now());
exposeState();

/** Load a catalog read (public). A refused key is dropped and the read made again without one;
 *  only a service that keeps its catalog for crews (401 without a key) makes the page ask. */
async function withLogin(read) {
  for (;;) {
    const hadKey = !!api.key;
    try {
      return await read();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) throw err;
      if (hadKey) {
        if (api.key) logout();
        continue;
      }
      status('This service serves its catalog to crews only: log in with your crew\'s API key (top right) to load it.');
      $('key').focus();
      await new Promise((resolve) => {
        state.loginWaiter = resolve;
      });
      status('Loading the catalog…');
    }
  }
}

async function main() {
  wireControls();
  requestAnimationFrame(frame);
  // the catalog is public: the globe loads at once; a key from this tab's session is checked
  // meanwhile and brings the crew's layers
  const tLoad = performance.now();
  const elements = withLogin(loadElements);
  if (api.key) await login(api.key);
  else $('crew-name').textContent = 'Log in for your crew\'s claims, ships, routes and alerts.';
  const omms = await elements;
  state.timings.elementsMs = performance.now() - tLoad;
  const metaPromise = api
    .all('/catalog/objects?limit=5000', (batch) => {
      applyMeta(batch);
      globe.updateKinds(state.kinds);
    })
    .catch((err) => {
      state.errors.push(`catalog/objects: ${err.message}`);
      status(`Object details could not be read: ${err.message}`);
      return [];
    });
  state.omms = omms;
  state.meta = new Array(omms.length).fill(null);
  omms.forEach((o, i) => state.index.set(Number(o.NORAD_CAT_ID), i));
  state.kinds = new Uint8Array(omms.length).fill(3);
  state.flags = new Uint8Array(omms.length).fill(F_VISIBLE);
  globe.setObjects(state.kinds, state.flags);
  const start = startTime(omms);
  const speed = Number(params.get('speed')) || 1;
  clock = new Clock(start.tMs);
  clock.setSpeed(speed);
  if (params.get('paused') === '1') clock.play(false);
  $('speed').value = String(speed);
  syncPlay();
  const tInit = performance.now();
  state.initRejected = await pool.init(omms);
  state.timings.workersInitMs = performance.now() - tInit;
  state.timings.startedMs = performance.now() - tStart;
  retime();
  wireClock();
  await metaPromise;
  globe.updateKinds(state.kinds);
  buildRegimeFilter();
  recomputeFlags();
  if (state.me) await crewViews();
  else await refreshClaims();
  state.ready = true;
  state.readyMs = performance.now() - tStart;
  const rejected = state.initRejected.length ? ` ${state.initRejected.length} element set(s) SGP4 could not initialise (not drawn).` : '';
  status(`${omms.length.toLocaleString('en')} objects loaded; clock starts at ${start.why}.${rejected} Renderer: ${globe.renderer}.`);
}

function wireClock() {
  clock.on((what) => {
    if (what === 'jump') {
      retime();
      if (state.selected != null) select(state.selected);
    }
  });
}

/** New keyframes from the clock's time (a paused clock gets a span starting exactly there). */
function retime() {
  timeline.reset(clock.now(), clock.playing ? clock.speed : 0);
}

main().catch((err) => {
  state.errors.push(String(err.message ?? err));
  status(`The console could not start: ${err.message ?? err}`);
  console.error(err);
});
