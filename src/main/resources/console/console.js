// PhotoBridge console: a static page over PhotoBridge's API (/api/...). The token stays in this tab's sessionStorage and
// goes out only as a bearer header. Everything shown is set as text (never as HTML): file names come from outside.
'use strict';

const $ = (id) => document.getElementById(id);
const TOKEN = 'photobridge.api.token';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === 'class') e.className = v; else if (k === 'style') e.style.cssText = v; else if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  });
  children.flat().forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c))));
  return e;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : '';
}

function status(text) {
  $('status').textContent = text || '';
}

class Refused extends Error {
  constructor(code, message) { super(message); this.code = code; }
}

async function api(path, options) {
  const token = sessionStorage.getItem(TOKEN);
  const init = Object.assign({ headers: {} }, options || {});
  init.headers.Authorization = 'Bearer ' + token;
  if (init.body) init.headers['Content-Type'] = 'application/json';
  const response = await fetch(path, init);
  if (response.status === 401 || response.status === 403) {
    const body = await response.json().catch(() => ({}));
    sessionStorage.removeItem(TOKEN);
    showLogin(body.message || 'Sign in again.');
    throw new Refused(response.status, body.message || 'refused');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Refused(response.status, body.message || ('HTTP ' + response.status));
  }
  return response;
}

const json = async (path, options) => (await api(path, options)).json();

function show(section) {
  ['login', 'dashboard', 'order', 'failures'].forEach((s) => { $(s).hidden = s !== section; });
  $('nav').hidden = section === 'login';
}

function showLogin(message) {
  show('login');
  $('login-error').textContent = message || '';
  $('token').focus();
}

function rows(table, items, cells) {
  const body = $(table).tBodies[0];
  body.replaceChildren(...items.map((item) => el('tr', {}, cells(item).map((c) => el('td', {}, c)))));
}

async function dashboard() {
  show('dashboard');
  const [d, orders] = await Promise.all([json('/api/console/dashboard'), json('/api/orders?limit=20')]);
  $('dash-mode').textContent = d.mode + ' mode, ' + when(d.at);
  $('dash-backlog').textContent = d.inbox.backlog;
  $('dash-inflight').textContent = d.inbox.inFlight;
  $('dash-uploads').textContent = d.uploadsPerMinute.lastMinute;
  $('dash-failed').textContent = d.failedInputs;
  const max = Math.max(1, ...d.uploadsPerMinute.perMinute);
  $('dash-chart').replaceChildren(...d.uploadsPerMinute.perMinute.map((n, i) =>
    el('div', { style: 'height:' + Math.round(100 * n / max) + '%', title: n + ' uploads, ' + (29 - i) + ' min ago' })));
  rows('dash-vendors', d.vendors, (v) => [v.vendor, v.mode, el('span', { class: 'state-' + v.state }, v.state), v.message || '']);
  $('dash-states').textContent = Object.entries(d.photosByState).map(([s, n]) => s + ': ' + n).join(' · ') || 'no photos yet';
  rows('dash-failures', d.failuresLast24h, (f) => [f.count, f.reason, when(f.last)]);
  const r = d.lastReload;
  $('dash-reload').textContent = r ? when(r.at) + ': ' + r.outcome + ' (' + r.trigger + ')' + (r.detail ? ', ' + r.detail : '') : 'none since start';
  rows('dash-orders', orders.items, (o) => [el('a', { href: '#/order/' + o.orderId }, o.orderId), o.photos, o.uploaded, o.failed,
    when(o.lastActivity)]);
}

async function thumbnail(orderId, photo, box) {
  try {
    const blob = await (await api('/api/orders/' + orderId + '/photos/' + photo.id + '/thumbnail')).blob();
    const img = el('img', { class: 'thumb', alt: photo.originalName || '' });
    img.src = URL.createObjectURL(blob);
    box.replaceWith(img);
  } catch (e) {
    box.textContent = photo.mediaKind === 'VIDEO' ? 'video' : 'no preview';
  }
}

function damageSummary(record) {
  const s = record.damageSummary;
  const box = $('order-damage');
  if (!record.damageReports.length) {
    box.replaceChildren(el('p', {}, record.damageJobs.length ? 'Damage analysis: ' + record.damageJobs.map((j) => j.state).join(', ')
      : 'No damage analysis for this order.'));
    return;
  }
  const reports = record.damageReports.map((r) => el('p', {}, 'Inspection ' + r.inspectionId + ': ' + r.status + ', ' + (r.uploadStatus || '')
    + (r.vehicleReadings && r.vehicleReadings.observations ? ' — ' + r.vehicleReadings.observations : '')));
  const severities = el('p', {}, 'By severity: ' + (Object.entries(s.bySeverity).map(([k, n]) => k + ' ' + n).join(', ') || 'no damage found'));
  const table = el('table', { id: 'order-damage-parts' }, el('thead', {}, el('tr', {}, ['Part', 'Damage', 'Severity', 'Confidence', 'File']
    .map((h) => el('th', {}, h)))), el('tbody', {}, s.damagedParts.map((p) => el('tr', {}, [p.part, p.damageType || '', p.severity || '',
    p.confidence == null ? '' : Math.round(p.confidence * 100) + '%', p.file || ''].map((c) => el('td', {}, c))))));
  box.replaceChildren(...reports, severities, table);
}

async function order(orderId) {
  show('order');
  $('order-id').textContent = orderId;
  $('search-order').value = orderId;
  const record = await json('/api/orders/' + encodeURIComponent(orderId) + '/records');
  $('order-empty').hidden = record.photos.length + record.timeline.length > 0;
  $('order-photos').replaceChildren(...record.photos.map((p) => {
    const box = el('div', { class: 'thumb' }, '…');
    thumbnail(orderId, p, box);
    return el('div', { class: 'photo', 'data-photo': p.id }, box, el('dl', {},
      el('dt', {}, 'File'), el('dd', {}, p.originalName),
      el('dt', {}, 'State'), el('dd', { class: 'state-' + p.state }, p.state),
      el('dt', {}, 'Type'), el('dd', {}, p.typeId == null ? '' : p.typeId + (record.typeLabels[p.typeId] ? ' ' + record.typeLabels[p.typeId] : '')),
      el('dt', {}, 'Taken'), el('dd', {}, p.pictureTime ? p.pictureTime.replace('T', ' ') + (p.pictureOffset || '') : ''),
      el('dt', {}, 'Attachment'), el('dd', { class: 'attachment' }, p.rcAttachmentId == null ? '—' : p.rcAttachmentId),
      el('dt', {}, 'Attempts'), el('dd', {}, p.attempts),
      p.lastError ? [el('dt', {}, 'Error'), el('dd', { class: 'error' }, p.lastError)] : []));
  }));
  damageSummary(record);
  rows('order-pave', record.paveCaptures, (c) => [c.sessionKey, c.photoLabel || c.photoCode,
    el('span', { class: c.approved ? 'state-UPLOADED' : 'state-FAILED' }, c.approved ? 'accepted' : 'rejected'),
    c.approvedMessage || '', c.relayState + (c.relayError ? ': ' + c.relayError : ''), when(c.verdictAt)]);
  rows('order-timeline', record.timeline, (e) => [when(e.at), e.kind, e.photoId == null ? '' : e.photoId, e.detail || '']);
}

async function retry(path, body, button) {
  button.disabled = true;
  try {
    const answer = await json(path, { method: 'POST', body: JSON.stringify(body) });
    status(answer.putBack === undefined ? '' : 'Put back: ' + (typeof answer.putBack === 'number' ? answer.putBack + ' file(s)' : answer.putBack));
  } catch (e) {
    status('Retry refused: ' + e.message);
  }
  await failures();
}

async function failures() {
  show('failures');
  const page = await json('/api/failures?limit=500');
  $('failures-empty').hidden = page.total > 0;
  if (page.problem) status(page.problem);
  $('failures-reasons').replaceChildren(...Object.entries(page.byReason).map(([reason, n]) => el('p', { class: 'reason' },
    el('button', { type: 'button', class: 'retry-all', onclick: (ev) => retry('/api/failures/retry-all', { reason }, ev.target) },
      'Retry all ' + n), ' ', reason)));
  rows('failures-table', page.items, (f) => [f.source, f.path,
    f.orderId == null ? '' : el('a', { href: '#/order/' + f.orderId }, f.orderId), f.reason, when(f.failedAt),
    el('button', { type: 'button', class: 'retry', 'data-id': f.id, onclick: (ev) => retry('/api/failures/retry', { id: f.id }, ev.target) },
      'Retry')]);
}

async function route() {
  if (!sessionStorage.getItem(TOKEN)) {
    showLogin();
    return;
  }
  status('');
  const hash = location.hash || '#/dashboard';
  const m = hash.match(/^#\/order\/(\d{1,18})$/);
  try {
    if (m) await order(m[1]);
    else if (hash === '#/failures') await failures();
    else await dashboard();
    document.body.dataset.loaded = hash;
  } catch (e) {
    if (!(e instanceof Refused && (e.code === 401 || e.code === 403))) status('Error: ' + e.message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN, $('token').value);
    $('token').value = '';
    route();
  });
  $('search').addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/order/' + $('search-order').value.trim();
  });
  $('logout').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN);
    showLogin();
  });
  window.addEventListener('hashchange', route);
  route();
  // the dashboard follows the work: refreshed every 10 s while it is shown
  setInterval(() => {
    if (sessionStorage.getItem(TOKEN) && !$('dashboard').hidden) dashboard().catch((e) => status('Error: ' + e.message));
  }, 10000);
});
