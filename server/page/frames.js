// One statement's result as a frame: its graph, table, JSON and plan views,
// or its error with the caret under the spot.

import { decode, collectGraph, cellText } from './values.js';
import { GraphView, EXPAND_QUERY, CONNECT_QUERY, ENDS_QUERY } from './graph.js';

const TABLE_ROWS = 1000;
const JSON_CHARS = 2_000_000;

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const plural = (n, word) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

export class Frame {
  // app: {api, settings, colours, edit(statement), run(statement), onUpdate()}
  constructor(app, statement, params) {
    this.app = app;
    this.statement = statement;
    this.params = params;
    this.graph = null;
    this.el = document.createElement('section');
    this.el.className = 'frame';
    this.el.dataset.state = 'running';
    this.el.innerHTML = `
      <div class="frame-head">
        <span class="frame-query" title="Edit this statement">${escapeHtml(statement)}</span>
        <button class="rerun" title="Run it again">↻</button>
        <button class="close" title="Close this frame">×</button>
      </div>
      <div class="frame-tabs"></div>
      <div class="frame-notices"></div>
      <div class="frame-body"><div class="empty">running…</div></div>
      <div class="frame-foot"></div>`;
    this.el.querySelector('.frame-query').addEventListener('click', () => app.edit(statement));
    this.el.querySelector('.rerun').addEventListener('click', () => app.run(statement));
    this.el.querySelector('.close').addEventListener('click', () => this.close());
    this.done = this.execute();
  }

  close() {
    this.graph?.destroy();
    this.el.remove();
    this.app.closed(this);
  }

  async execute() {
    try {
      const result = await this.app.api.query(this.statement, this.params);
      await this.show(result);
      if (result.counters.containsUpdates) this.app.onUpdate();
    } catch (e) {
      this.showError(e);
    }
    this.el.dataset.state = this.el.dataset.state === 'running' ? 'done' : this.el.dataset.state;
  }

  notice(text) {
    const n = document.createElement('div');
    n.className = 'notice';
    n.textContent = text;
    this.el.querySelector('.frame-notices').appendChild(n);
  }

  async show(result) {
    this.result = result;
    const rows = result.rows.map((r) => r.map(decode));
    this.rows = rows;
    const foot = [plural(rows.length, 'row'), `${Math.round(result.ms)} ms`];
    const changes = describeCounters(result.counters);
    if (changes) foot.unshift(changes);
    this.el.querySelector('.frame-foot').textContent = foot.join(' · ');

    const views = [];
    const found = collectGraph(rows);
    if (found.nodes.size || found.rels.size) views.push(['graph', 'Graph', (v) => this.graphView(v, found)]);
    if (result.fields.length) views.push(['table', 'Table', (v) => this.tableView(v, result.fields, rows)]);
    if (result.plan) views.push(['plan', result.profiled ? 'Profile' : 'Plan', (v) => this.planView(v, result.plan, result.profiled)]);
    if (!result.fields.length && !result.plan) views.push(['summary', 'Summary', (v) => this.summaryView(v, changes)]);
    views.push(['json', 'JSON', (v) => this.jsonView(v, result.raw)]);
    if (result.plan && !rows.length) views.unshift(views.splice(views.findIndex((v) => v[0] === 'plan'), 1)[0]);
    this.views = views;
    const tabs = this.el.querySelector('.frame-tabs');
    const body = this.el.querySelector('.frame-body');
    body.innerHTML = '';
    tabs.innerHTML = views.map(([id, title]) => `<button data-view="${id}">${title}</button>`).join('');
    this.built = new Map();
    tabs.addEventListener('click', (e) => { if (e.target.dataset.view) this.select(e.target.dataset.view); });
    await this.select(views[0][0]);
  }

  async select(id) {
    const body = this.el.querySelector('.frame-body');
    for (const b of this.el.querySelectorAll('.frame-tabs button')) b.classList.toggle('active', b.dataset.view === id);
    if (!this.built.has(id)) {
      const view = document.createElement('div');
      view.className = `view ${id}-view-box`;
      view.dataset.view = id;
      body.appendChild(view);
      const [, , build] = this.views.find((v) => v[0] === id);
      this.built.set(id, view);
      for (const v of body.children) v.classList.toggle('active', v === view);
      await build(view);
    }
    for (const v of body.children) v.classList.toggle('active', v.dataset.view === id);
    if (id === 'graph') this.graph?.resize();
  }

  // The picture: nodes the result mentions (up to the cap), the ends of
  // relationships it returned without them, and (when "connect result
  // nodes" is on) the relationships among the nodes drawn.
  async graphView(view, found) {
    const { api, settings, colours } = this.app;
    const cap = settings.cap;
    const missing = new Set();
    for (const r of found.rels.values()) for (const end of [r.start, r.end]) if (!found.nodes.has(end)) missing.add(end);
    if (missing.size && found.nodes.size < cap) {
      const ids = [...missing].slice(0, cap - found.nodes.size);
      const ends = await api.query(ENDS_QUERY, { ids });
      for (const row of ends.rows) { const n = decode(row[0]); found.nodes.set(n.id, n); }
    }
    const total = found.nodes.size;
    if (total > cap) {
      this.notice(`The result mentions ${total.toLocaleString('en')} nodes: the picture shows the first ${cap.toLocaleString('en')} `
        + `and the relationships among them (raise "Largest picture" in Settings to see more; the table has every row).`);
    }
    const root = document.createElement('div');
    view.appendChild(root);
    this.graph = new GraphView(root, {
      graph: found, cap, colours,
      expand: (id, limit) => this.neighbours(id, limit),
    });
    this.app.page.drawn?.(this);
    await this.graph.ready;
    this.el.dataset.picture = 'drawn';
    if (settings.connect && this.graph.cy.nodes().length > 1) {
      const ids = this.graph.cy.nodes().map((n) => n.id());
      try {
        const extra = await api.query(CONNECT_QUERY, { ids, limit: 10 * cap });
        const more = collectGraph(extra.rows.map((r) => r.map(decode)));
        const fresh = [...more.rels.values()].filter((r) => this.graph.cy.getElementById(r.id).empty());
        if (fresh.length) {
          this.graph.cy.add(fresh.map((r) => ({ group: 'edges', data: { id: r.id, source: r.start, target: r.end, caption: r.type, entity: r } })))
            .filter((e) => e.source().same(e.target())).addClass('loop');
          this.graph.sizes();
          this.graph.updateStatus();
        }
      } catch (e) {
        this.notice(`The relationships among the result's nodes could not be read: ${e.message}`);
      }
    }
  }

  async neighbours(id, limit) {
    const { api, settings } = this.app;
    const r = await api.query(EXPAND_QUERY, { id, limit: Math.max(1, limit) });
    const found = collectGraph(r.rows.map((row) => row.map(decode)));
    if (settings.connect) {
      const shown = this.graph.cy.nodes().map((n) => n.id());
      const fresh = [...found.nodes.keys()].filter((k) => !shown.includes(k));
      if (fresh.length) {
        const extra = await api.query(
          'MATCH (a)-[r]-(b) WHERE elementId(a) IN $fresh AND elementId(b) IN $all RETURN r LIMIT $limit',
          { fresh, all: [...shown, ...fresh], limit: 10 * limit },
        );
        for (const row of extra.rows) { const rel = decode(row[0]); found.rels.set(rel.id, rel); }
      }
    }
    return found;
  }

  tableView(view, fields, rows) {
    if (!rows.length) { view.innerHTML = '<div class="empty">(no rows)</div>'; return; }
    const shown = rows.slice(0, TABLE_ROWS);
    const cell = (v) => {
      if (v === null || v === undefined) return '<td class="null">null</td>';
      const num = typeof v === 'number' || typeof v === 'bigint' || v?.kind === 'float';
      return `<td${num ? ' class="num"' : ''}>${escapeHtml(cellText(v))}</td>`;
    };
    view.innerHTML = `<div class="table-view"><table class="result"><thead><tr>${fields.map((f) => `<th>${escapeHtml(f)}</th>`).join('')}</tr></thead>`
      + `<tbody>${shown.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('')}</tbody></table></div>`;
    if (rows.length > shown.length) {
      const n = document.createElement('div');
      n.className = 'notice';
      n.textContent = `Showing the first ${TABLE_ROWS.toLocaleString('en')} of ${rows.length.toLocaleString('en')} rows (the JSON view has them all; SKIP and LIMIT page a result).`;
      view.prepend(n);
    }
  }

  jsonView(view, raw) {
    let text = JSON.stringify(raw, null, 2);
    let cut = '';
    if (text.length > JSON_CHARS) {
      cut = `<div class="notice">The answer is ${(text.length / 1e6).toFixed(1)} MB of JSON; the first 2 MB are shown.</div>`;
      text = text.slice(0, JSON_CHARS) + '\n…';
    }
    view.innerHTML = `${cut}<div class="json-view"><pre>${escapeHtml(text)}</pre></div>`;
  }

  summaryView(view, changes) {
    view.innerHTML = `<div class="summary-view">${escapeHtml(changes || 'The statement ran; it returned no columns and changed nothing.')}</div>`;
  }

  // quiver's plan text (one operator a line, sub-plans indented, PROFILE
  // figures in brackets) as a tree of boxes.
  planView(view, text, profiled) {
    const lines = text.split('\n').filter((l) => l.trim());
    const root = { children: [] };
    const stack = [{ depth: -1, node: root }];
    for (const line of lines) {
      const depth = Math.floor((line.length - line.trimStart().length) / 2);
      const body = line.trim();
      const m = /\s+\[([^\]]*\brows?\b[^\]]*)\]$/.exec(body);
      const item = { text: m ? body.slice(0, m.index) : body, stats: m ? m[1] : null, children: [] };
      while (stack.length > 1 && stack[stack.length - 1].depth >= depth) stack.pop();
      stack[stack.length - 1].node.children.push(item);
      stack.push({ depth, node: item });
    }
    const render = (items) => items.map((it, i) => {
      if (/^UNION( ALL)?$/.test(it.text)) return `<div class="plan-union">${it.text}</div>`;
      const name = /^[A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*)*/.exec(it.text)?.[0] || '';
      const rest = it.text.slice(name.length);
      const op = `<div class="plan-op"><span class="op">${escapeHtml(name)}</span>${escapeHtml(rest)}`
        + `${it.stats ? `<span class="rows">${escapeHtml(it.stats)}</span>` : ''}</div>`;
      const kids = it.children.length ? `<div class="plan-children">${render(it.children)}</div>` : '';
      const arrow = i < items.length - 1 && !/^UNION/.test(items[i + 1].text) ? '<div class="plan-arrow">↓</div>' : '';
      return op + kids + arrow;
    }).join('');
    view.innerHTML = `<div class="plan-view"><div class="muted small">${profiled ? 'PROFILE: the operators in the order they run, with the rows each produced and its time' : 'EXPLAIN: the operators in the order they run (nothing was run)'}</div>${render(root.children)}</div>`;
  }

  showError(e) {
    this.el.dataset.state = 'error';
    this.el.classList.add('failed');
    const d = e.detail;
    if (e.status === 401) this.app.unauthorized?.();
    const tabs = this.el.querySelector('.frame-tabs');
    tabs.innerHTML = '<button class="active">Error</button>';
    const kind = d ? `${d.kind} (${d.code})` : (e.code || 'Error').split('.').pop();
    let source = '';
    if (d && d.line && d.sourceLine !== undefined) {
      const pad = ' '.repeat(Math.max(0, Array.from(d.sourceLine).slice(0, d.column - 1).length));
      source = `<div class="error-source"><span class="line">${escapeHtml(d.sourceLine)}</span>\n${pad}<span class="caret" data-line="${d.line}" data-column="${d.column}">^</span></div>`;
      this.app.markError?.(this.statement, d.line, d.column);
    }
    const where = d && d.line ? ` at line ${d.line}, column ${d.column}` : '';
    const message = d ? d.message : e.message;
    this.el.querySelector('.frame-body').innerHTML = `<div class="error-view">
      <div class="error-title">${escapeHtml(kind)}${escapeHtml(where)}<span class="code">${escapeHtml(e.code)}</span></div>
      <div class="error-message">${escapeHtml(message)}</div>
      ${source}
      ${d && d.hint ? `<div class="error-hint">hint: ${escapeHtml(d.hint)}</div>` : ''}
    </div>`;
    this.el.querySelector('.frame-foot').textContent = d ? `${d.phase} error` : (e.status ? `HTTP ${e.status}` : '');
  }
}

function describeCounters(c) {
  const parts = [];
  const add = (n, what) => { if (n) parts.push(`${what} ${n.toLocaleString('en')}`); };
  add(c.nodesCreated, 'nodes created:');
  add(c.nodesDeleted, 'nodes deleted:');
  add(c.relationshipsCreated, 'relationships created:');
  add(c.relationshipsDeleted, 'relationships deleted:');
  add(c.propertiesSet, 'properties set:');
  add(c.labelsAdded, 'labels added:');
  add(c.labelsRemoved, 'labels removed:');
  return parts.join(', ');
}
