// A result as a picture: cytoscape.js (vendored), laid out with fCoSE.
// Nodes coloured by label (a legend says which), captioned by `name` or
// their first string property; relationships captioned by type. A click
// shows an element's properties, a double click expands a node's
// neighbours.

import { caption, literal } from './values.js';

const PALETTE = [
  '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7',
  '#9c755f', '#8cd17d', '#499894', '#d37295', '#a0cbe8', '#ffbe7d', '#86bcb6', '#bab0ac',
];

if (window.cytoscape && window.cytoscapeFcose && !window.cytoscape.__quiverFcose) {
  window.cytoscape.use(window.cytoscapeFcose);
  window.cytoscape.__quiverFcose = true;
}

const escapeHtml = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
const short = (s, n) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

// Colours, the same for a label in every frame: by the schema's order of
// labels where known, else in the order labels are met.
export class Colours {
  constructor() { this.assigned = new Map(); this.counts = new Map(); }
  setSchema(labels) {
    // labels: [{name, count}]
    labels.forEach(({ name, count }) => {
      this.counts.set(name, count);
      if (!this.assigned.has(name)) this.assigned.set(name, PALETTE[this.assigned.size % PALETTE.length]);
    });
  }
  of(label) {
    if (!this.assigned.has(label)) this.assigned.set(label, PALETTE[this.assigned.size % PALETTE.length]);
    return this.assigned.get(label);
  }
  // A node with several labels takes the colour of its rarest (most specific) one.
  main(labels) {
    if (!labels.length) return null;
    return [...labels].sort((a, b) => (this.counts.get(a) ?? Infinity) - (this.counts.get(b) ?? Infinity) || a.localeCompare(b))[0];
  }
}

function nodeElement(n, colours) {
  const label = colours.main(n.labels);
  return {
    group: 'nodes',
    data: {
      id: n.id, size: 24, caption: short(caption(n), 40), label: label || '', colour: label ? colours.of(label) : '#9aa5b1',
      entity: n,
    },
  };
}

function relElement(r) {
  return { group: 'edges', data: { id: r.id, source: r.start, target: r.end, caption: r.type, entity: r } };
}

const STYLE = [
  {
    selector: 'node',
    style: {
      'background-color': 'data(colour)', label: 'data(caption)', width: 'data(size)', height: 'data(size)',
      'font-size': 11, 'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'wrap', 'text-max-width': 120,
      color: '#1d2733', 'text-outline-color': '#ffffff', 'text-outline-width': 2.5, 'border-width': 1.5,
      'border-color': '#ffffff', 'min-zoomed-font-size': 7,
    },
  },
  {
    selector: 'edge',
    style: {
      width: 1.4, 'line-color': '#9aa6b5', 'target-arrow-color': '#9aa6b5', 'target-arrow-shape': 'triangle',
      'arrow-scale': 0.9, 'curve-style': 'bezier', label: 'data(caption)', 'font-size': 8, color: '#4d5968',
      'text-rotation': 'autorotate', 'text-background-color': '#ffffff', 'text-background-opacity': 0.85,
      'text-background-padding': 1, 'min-zoomed-font-size': 7, 'control-point-step-size': 28,
    },
  },
  { selector: 'edge.loop', style: { 'loop-direction': '-45deg', 'loop-sweep': '-60deg' } },
  { selector: 'node:selected', style: { 'border-color': '#1f6feb', 'border-width': 4 } },
  { selector: 'edge:selected', style: { 'line-color': '#1f6feb', 'target-arrow-color': '#1f6feb', width: 3, color: '#1f6feb' } },
  { selector: 'node.expanded', style: { 'border-style': 'double', 'border-width': 4, 'border-color': '#7b8794' } },
];

export class GraphView {
  // graph: {nodes: Map, rels: Map}; cap: the most nodes drawn; expand(id)
  // resolves to {nodes, rels} of a node's neighbourhood; notify(text).
  constructor(root, { graph, cap, colours, expand, large }) {
    this.root = root;
    this.colours = colours;
    this.expandFn = expand;
    this.cap = cap;
    root.classList.add('graph-view');
    root.innerHTML = `
      <div class="graph-canvas"></div>
      <div class="legend"></div>
      <div class="inspector" hidden></div>
      <div class="graph-status"></div>
      <div class="graph-tools">
        <button data-act="fit" title="Fit the picture to the frame">fit</button>
        <button data-act="layout" title="Lay the picture out again">re-layout</button>
        <button data-act="png" title="Save the picture as PNG">png</button>
      </div>`;
    this.legend = root.querySelector('.legend');
    this.inspector = root.querySelector('.inspector');
    this.status = root.querySelector('.graph-status');
    const nodes = [...graph.nodes.values()].slice(0, cap);
    this.shown = nodes.length;
    this.total = graph.nodes.size;
    const keep = new Set(nodes.map((n) => n.id));
    const rels = [...graph.rels.values()].filter((r) => keep.has(r.start) && keep.has(r.end));
    this.hiddenRels = graph.rels.size - rels.length;
    const big = nodes.length > 1000 || large;
    this.cy = window.cytoscape({
      container: root.querySelector('.graph-canvas'),
      elements: [...nodes.map((n) => nodeElement(n, colours)), ...rels.map(relElement)],
      style: STYLE,
      minZoom: 0.05,
      maxZoom: 4,
      // Large pictures: redraw a cached bitmap while panning and zooming.
      textureOnViewport: big,
      hideEdgesOnViewport: big,
      pixelRatio: big ? 1 : 'auto',
    });
    this.cy.edges().filter((e) => e.source().same(e.target())).addClass('loop');
    this.sizes();
    this.cy.on('tap', 'node, edge', (e) => this.inspect(e.target));
    this.cy.on('tap', (e) => { if (e.target === this.cy) this.inspect(null); });
    this.cy.on('dbltap', 'node', (e) => this.expand(e.target));
    root.querySelector('.graph-tools').addEventListener('click', (e) => {
      const act = e.target.dataset.act;
      if (act === 'fit') this.cy.fit(undefined, 30);
      if (act === 'layout') this.layout(true);
      if (act === 'png') this.savePng();
    });
    this.inspector.addEventListener('click', (e) => { if (e.target.closest('.close')) this.inspect(null); });
    this.updateLegend();
    this.ready = this.layout(false);
  }

  // Node sizes grow a little with degree, so hubs stand out.
  sizes(eles = this.cy.nodes()) {
    eles.forEach((n) => n.data('size', Math.round(22 + Math.min(26, 5 * Math.sqrt(n.degree(false))))));
  }

  // Lays the picture out; resolves when it is drawn.
  layout(animate, eles) {
    const n = this.cy.nodes().length;
    const options = {
      name: 'fcose',
      // Past a thousand nodes the spectral step alone: a picture in a second or two.
      quality: n > 1000 && !eles ? 'draft' : 'default',
      randomize: !eles,
      animate: !!animate && n <= 400,
      animationDuration: 500,
      fit: true,
      padding: 30,
      nodeDimensionsIncludeLabels: n <= 300,
      packComponents: false,
      nodeRepulsion: () => (n <= 100 ? 40000 : 9000),
      idealEdgeLength: () => (n <= 100 ? 150 : 70),
      edgeElasticity: () => 0.3,
      nodeSeparation: 90,
      gravity: 0.2,
      numIter: n > 1000 ? 1000 : 2500,
    };
    if (eles && eles.fixed) options.fixedNodeConstraint = eles.fixed;
    if (!n) {
      this.status.textContent = 'nothing to draw';
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const layout = this.cy.layout(options);
      layout.one('layoutstop', () => requestAnimationFrame(() => resolve()));
      layout.run();
    }).then(() => this.updateStatus());
  }

  updateStatus() {
    const n = this.cy.nodes().length;
    const r = this.cy.edges().length;
    this.status.textContent = `${n} node${n === 1 ? '' : 's'}, ${r} relationship${r === 1 ? '' : 's'} · double-click a node to expand it`;
  }

  updateLegend() {
    const counts = new Map();
    this.cy.nodes().forEach((n) => {
      for (const l of n.data('entity').labels) counts.set(l, (counts.get(l) || 0) + 1);
    });
    this.legend.innerHTML = [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([l, c]) => `<span class="chip" data-label="${escapeHtml(l)}"><span class="swatch" style="background:${this.colours.of(l)}"></span>${escapeHtml(l)}<span class="count">${c}</span></span>`)
      .join('');
  }

  inspect(ele) {
    if (!ele) { this.inspector.hidden = true; return; }
    const x = ele.data('entity');
    const head = x.kind === 'node'
      ? x.labels.map((l) => `<span class="chip label" style="border-left-color:${this.colours.of(l)}">${escapeHtml(l)}</span>`).join('') || '<span class="muted">no label</span>'
      : `<span class="chip type">${escapeHtml(x.type)}</span>`;
    const rows = [['<id>', x.id]];
    if (x.kind === 'rel') rows.push(['<from>', ele.source().data('caption')], ['<to>', ele.target().data('caption')]);
    for (const [k, v] of Object.entries(x.props)) rows.push([k, typeof v === 'string' ? v : literal(v)]);
    this.inspector.innerHTML = `<button class="close" title="Close">×</button>
      <h3 class="inspector-title">${head}</h3>
      <table class="props">${rows.map(([k, v]) => `<tr><td class="key">${escapeHtml(k)}</td><td class="value">${escapeHtml(v)}</td></tr>`).join('')}</table>
      ${x.kind === 'node' ? '<div class="hint">double-click the node to expand its neighbours</div>' : ''}`;
    this.inspector.hidden = false;
    this.inspector.dataset.id = x.id;
  }

  // Adds a node's neighbours (and the relationships to them) to the picture.
  async expand(node) {
    const id = node.id();
    this.status.textContent = `expanding ${node.data('caption')}…`;
    let found;
    try {
      found = await this.expandFn(id, this.cap);
    } catch (e) {
      this.status.textContent = `expanding failed: ${e.message}`;
      return;
    }
    const room = Math.max(0, this.cap - this.cy.nodes().length);
    const fresh = [...found.nodes.values()].filter((n) => this.cy.getElementById(n.id).empty());
    const added = fresh.slice(0, room);
    const centre = node.position();
    const step = (2 * Math.PI) / Math.max(1, added.length);
    const radius = 60 + 6 * added.length;
    const eles = added.map((n, i) => ({
      ...nodeElement(n, this.colours),
      position: { x: centre.x + radius * Math.cos(i * step), y: centre.y + radius * Math.sin(i * step) },
    }));
    this.cy.add(eles);
    const rels = [...found.rels.values()].filter((r) => this.cy.getElementById(r.id).empty()
      && this.cy.getElementById(r.start).nonempty() && this.cy.getElementById(r.end).nonempty());
    const newEdges = this.cy.add(rels.map(relElement));
    newEdges.filter((e) => e.source().same(e.target())).addClass('loop');
    node.addClass('expanded');
    this.sizes();
    this.updateLegend();
    if (added.length) {
      // The nodes already there keep their places; the new ones settle around them.
      const fixed = this.cy.nodes().filter((n) => !added.some((a) => a.id === n.id()))
        .map((n) => ({ nodeId: n.id(), position: { ...n.position() } }));
      await this.layout(true, { fixed });
    }
    this.updateStatus();
    const skipped = fresh.length - added.length;
    if (!fresh.length && !rels.length) this.status.textContent = `${node.data('caption')}: no neighbours beyond those shown`;
    else if (skipped > 0) this.status.textContent += ` · ${skipped} more neighbours not drawn (the cap is ${this.cap} nodes)`;
    this.root.dispatchEvent(new CustomEvent('expanded', { detail: { id, added: added.length, rels: rels.length } }));
  }

  savePng() {
    const a = document.createElement('a');
    a.href = this.cy.png({ full: true, scale: 2, bg: '#ffffff' });
    a.download = 'quiver-graph.png';
    a.click();
  }

  resize() { this.cy.resize(); }

  destroy() { this.cy.destroy(); }
}

// The query that expands a node: its relationships and neighbours.
export const EXPAND_QUERY = 'MATCH (n)-[r]-(m) WHERE elementId(n) = $id RETURN r, m LIMIT $limit';
// The relationships among nodes a result mentions, when it returned none of them.
export const CONNECT_QUERY = 'MATCH (a)-[r]->(b) WHERE elementId(a) IN $ids AND elementId(b) IN $ids RETURN r LIMIT $limit';
// The nodes at the ends of relationships a result mentions without them.
export const ENDS_QUERY = 'MATCH (n) WHERE elementId(n) IN $ids RETURN n';
