// The page: sign-in (when the server has --auth), the schema panel, the
// editor, parameters, history and settings, and the frames of results.

import { Api } from './api.js';
import { Editor } from './editor.js';
import { Frame } from './frames.js';
import { Colours } from './graph.js';
import { decode, quoteName } from './values.js';

const $ = (id) => document.getElementById(id);
const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const HISTORY = 'quiver.history';
const PARAMS = 'quiver.params';
const SETTINGS = 'quiver.settings';
const HISTORY_SIZE = 100;

const api = new Api();
const colours = new Colours();
const settings = { cap: 300, connect: true, ...JSON.parse(localStorage.getItem(SETTINGS) || '{}') };
let schema = { labels: [], types: [], keys: [], nodes: 0, rels: 0 };
const frames = [];

const history = {
  list: () => JSON.parse(localStorage.getItem(HISTORY) || '[]'),
  add(statement) {
    const past = history.list().filter((s) => s !== statement);
    past.unshift(statement);
    localStorage.setItem(HISTORY, JSON.stringify(past.slice(0, HISTORY_SIZE)));
    showHistory();
  },
};

// For tests and the curious: the frames and what they drew.
window.quiverPage = { frames, api, settings, get schema() { return schema; }, ready: null };

const editor = new Editor({
  root: $('editor'),
  onRun: (text) => run(text),
  history,
  vocabulary: () => ({
    labels: schema.labels.map((l) => l.name),
    types: schema.types.map((t) => t.name),
    keys: schema.keys.map((k) => k.name),
    params: Object.keys(readParams(true) || {}),
  }),
});

const app = {
  api, settings, colours, page: window.quiverPage,
  edit(statement) { editor.value = statement; editor.focus(); },
  run: (statement) => run(statement),
  closed(frame) { frames.splice(frames.indexOf(frame), 1); },
  onUpdate: () => loadSchema(),
  unauthorized: () => askCredentials('Your credentials were refused: sign in again.'),
  markError(statement, line, column) { if (editor.value === statement) editor.markError(line, column); },
};

function readParams(quiet) {
  const text = $('params').value.trim();
  if (!text) { $('params-error').hidden = true; return {}; }
  try {
    const p = JSON.parse(text);
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new Error('parameters are a JSON object: {"name": value, ...}');
    $('params-error').hidden = true;
    return p;
  } catch (e) {
    if (!quiet) { $('params-error').textContent = `Parameters: ${e.message}`; $('params-error').hidden = false; }
    return null;
  }
}

// Runs a statement in a new frame on top; resolves when it is shown.
function run(text, { tall = false } = {}) {
  const statement = text.trim();
  if (!statement) return Promise.resolve(null);
  const params = readParams(false);
  if (params === null) { $('params').focus(); return Promise.resolve(null); }
  history.add(statement);
  const frame = new Frame(app, statement, params);
  if (tall) frame.el.classList.add('tall');
  frames.unshift(frame);
  $('frames').prepend(frame.el);
  return frame.done.then(() => frame);
}

function showHistory() {
  $('history').innerHTML = history.list().map((s, i) => `<li data-i="${i}" title="${escapeHtml(s)}">${escapeHtml(s.replace(/\s+/g, ' '))}</li>`).join('');
}

$('history').addEventListener('click', (e) => {
  const li = e.target.closest('li');
  if (li) app.edit(history.list()[Number(li.dataset.i)]);
});
$('history-clear').addEventListener('click', () => { localStorage.removeItem(HISTORY); showHistory(); });
$('run').addEventListener('click', () => run(editor.value));
$('params').value = localStorage.getItem(PARAMS) || '';
$('params').addEventListener('input', () => { localStorage.setItem(PARAMS, $('params').value); readParams(false); });
$('cap').value = settings.cap;
$('connect').checked = settings.connect;
const saveSettings = () => localStorage.setItem(SETTINGS, JSON.stringify(settings));
$('cap').addEventListener('change', () => {
  settings.cap = Math.max(10, Math.min(20000, Number($('cap').value) || 300));
  $('cap').value = settings.cap;
  saveSettings();
});
$('connect').addEventListener('change', () => { settings.connect = $('connect').checked; saveSettings(); });
$('schema-refresh').addEventListener('click', () => loadSchema());

// ---------------------------------------------------------------- schema

const SCHEMA_QUERIES = {
  labels: 'MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count ORDER BY label',
  types: 'MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count ORDER BY type',
  nodeKeys: 'MATCH (n) UNWIND keys(n) AS key RETURN key, count(*) AS count',
  relKeys: 'MATCH ()-[r]->() UNWIND keys(r) AS key RETURN key, count(*) AS count',
  nodes: 'MATCH (n) RETURN count(n) AS count',
  rels: 'MATCH ()-[r]->() RETURN count(r) AS count',
};

async function loadSchema() {
  const out = {};
  try {
    await Promise.all(Object.entries(SCHEMA_QUERIES).map(async ([k, q]) => {
      out[k] = (await api.query(q)).rows.map((r) => r.map(decode));
    }));
  } catch (e) {
    $('schema-body').textContent = `The schema could not be read: ${e.message}`;
    if (e.status === 401) askCredentials('Sign in to see the graph.');
    return schema;
  }
  const keys = new Map();
  for (const [k, c] of out.nodeKeys) keys.set(k, { name: k, nodes: c, rels: 0 });
  for (const [k, c] of out.relKeys) keys.set(k, { ...(keys.get(k) || { name: k, nodes: 0 }), rels: c });
  schema = {
    labels: out.labels.map(([name, count]) => ({ name, count })),
    types: out.types.map(([name, count]) => ({ name, count })),
    keys: [...keys.values()].sort((a, b) => a.name.localeCompare(b.name)),
    nodes: out.nodes[0][0],
    rels: out.rels[0][0],
  };
  colours.setSchema(schema.labels);
  showSchema();
  return schema;
}

function showSchema() {
  $('db-info').textContent = `database ${api.database} · ${schema.nodes.toLocaleString('en')} nodes, ${schema.rels.toLocaleString('en')} relationships`;
  const chip = (cls, name, count, style, title) =>
    `<button class="chip ${cls}" data-${cls}="${escapeHtml(name)}" style="${style}" title="${escapeHtml(title)}">${escapeHtml(name)}<span class="count">${count.toLocaleString('en')}</span></button>`;
  const group = (title, items) => `<div class="schema-group"><h3>${title}</h3><div class="chips">${items || '<span class="muted small">none</span>'}</div></div>`;
  $('schema-body').classList.remove('muted');
  $('schema-body').innerHTML =
    group(`Node labels (${schema.labels.length})`, schema.labels.map((l) => chip('label', l.name, l.count, `border-left-color:${colours.of(l.name)}`, `MATCH (n:${quoteName(l.name)}) RETURN n LIMIT 25`)).join(''))
    + group(`Relationship types (${schema.types.length})`, schema.types.map((t) => chip('type', t.name, t.count, '', `MATCH p = ()-[:${quoteName(t.name)}]->() RETURN p LIMIT 25`)).join(''))
    + group(`Property keys (${schema.keys.length})`, schema.keys.map((k) => chip('key', k.name, k.nodes + k.rels, '', `${k.nodes.toLocaleString('en')} on nodes, ${k.rels.toLocaleString('en')} on relationships`)).join(''));
}

$('schema-body').addEventListener('click', (e) => {
  const c = e.target.closest('.chip');
  if (!c) return;
  let q;
  if (c.dataset.label !== undefined) q = `MATCH (n:${quoteName(c.dataset.label)}) RETURN n LIMIT 25`;
  else if (c.dataset.type !== undefined) q = `MATCH p = ()-[:${quoteName(c.dataset.type)}]->() RETURN p LIMIT 25`;
  else if (c.dataset.key !== undefined) {
    const k = quoteName(c.dataset.key);
    const info = schema.keys.find((x) => x.name === c.dataset.key);
    q = info && !info.nodes
      ? `MATCH ()-[r]->() WHERE r.${k} IS NOT NULL RETURN r.${k} AS ${k}, r LIMIT 25`
      : `MATCH (n) WHERE n.${k} IS NOT NULL RETURN n.${k} AS ${k}, n LIMIT 25`;
  }
  if (q) { editor.value = q; run(q); }
});

// ---------------------------------------------------------------- sign-in

let signedIn = null;

function askCredentials(message) {
  $('login').hidden = false;
  $('login-error').hidden = !message;
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-password').focus();
  return new Promise((resolve) => { signedIn = resolve; });
}

$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  api.signIn($('login-user').value, $('login-password').value);
  try {
    await api.query('RETURN 1');
  } catch (err) {
    api.signOut();
    $('login-error').textContent = err.status === 401 ? 'Wrong user or password.' : err.message;
    $('login-error').hidden = false;
    return;
  }
  $('login').hidden = true;
  showUser();
  signedIn?.();
  signedIn = null;
  if (!schema.labels.length) await loadSchema();
});

function showUser() {
  $('user').textContent = api.credentials ? `signed in as ${api.credentials.user}` : '';
  $('sign-out').hidden = !api.authRequired || !api.credentials;
}

$('sign-out').addEventListener('click', () => { api.signOut(); showUser(); askCredentials(''); });

// ---------------------------------------------------------------- start

// The first picture: the whole graph when it fits under the cap, else a
// sample of it; nothing for an empty graph.
function starter() {
  if (!schema.nodes) return null;
  if (schema.nodes <= settings.cap) return 'MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r';
  return `MATCH (n) WITH n LIMIT ${Math.max(10, Math.floor(settings.cap / 3))} OPTIONAL MATCH (n)-[r]-() RETURN n, r`;
}

async function start() {
  showHistory();
  await api.discover();
  $('read-only').hidden = !api.readOnly;
  if (api.readOnly) $('editor-input').placeholder = 'MATCH (n) RETURN n LIMIT 25   (read-only: statements that write are refused)';
  document.title = `quiver browser · ${api.database}`;
  if (api.authRequired) {
    let ok = false;
    if (api.credentials) {
      try { await api.query('RETURN 1'); ok = true; } catch { api.signOut(); }
    }
    if (!ok) await askCredentials('');
  }
  showUser();
  await loadSchema();
  const first = starter();
  if (first && !frames.length) {
    editor.value = first;
    await run(first, { tall: true });
  } else if (!schema.nodes) {
    $('frames').innerHTML = `<section class="frame"><div class="summary-view">The graph is empty. Try
      <code>CREATE (a:Person {name: 'Ada'})-[:KNOWS]->(b:Person {name: 'Alan'}) RETURN a, b</code>${api.readOnly ? ' on a server that is not read-only' : ''}.</div></section>`;
  }
  editor.focus();
}

window.quiverPage.ready = start().catch((e) => {
  $('frames').innerHTML = `<section class="frame"><div class="error-view"><div class="error-title">The page could not start</div><div class="error-message">${escapeHtml(e.message)}</div></div></section>`;
  throw e;
});
