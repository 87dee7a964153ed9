// How the page performs with a large picture (by hand, not in CI):
//   quiver serve --bolt off --http 127.0.0.1:7475 &
//   QUIVER_HTTP=127.0.0.1:7475 QUIVER_CHROMIUM=$(command -v chromium) node perf_page.mjs [NODES]
// Fills the (empty, in-memory) server with NODES nodes (5,000) and about
// 1.5 relationships per node, runs `MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r`
// with the cap raised to NODES, and prints the time to the first picture
// (statement sent -> laid out and drawn), then frames per second and
// cytoscape redraws per second while dragging a node and while panning.
import { chromium } from 'playwright-core';

const base = `http://${process.env.QUIVER_HTTP}`;
const n = Number(process.argv[2] || 5000);

async function query(statement, parameters = {}) {
  const r = await fetch(`${base}/db/neo4j/query/v2`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ statement, parameters }),
  });
  const body = await r.json();
  if (body.errors?.length) throw new Error(JSON.stringify(body.errors[0]));
  return body.data.values;
}

const [[existing]] = await query('MATCH (n) RETURN count(n)');
if (existing === 0) {
  await query(`UNWIND range(0, $n - 1) AS i
    CREATE (:Item {name: 'item ' + i, i: i, group: i % 7})`, { n });
  // A sparse graph with some structure: a ring, plus chords to nearby and random nodes.
  await query(`MATCH (a:Item), (b:Item) WHERE b.i = (a.i + 1) % $n CREATE (a)-[:NEXT]->(b)`, { n });
  await query(`MATCH (a:Item) WHERE a.i % 2 = 0
    WITH a, toInteger((a.i * 7919) % $n) AS j
    MATCH (b:Item {i: j}) CREATE (a)-[:LINKS]->(b)`, { n });
}
const [[nodes, rels]] = await query('MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n), count(r)');

const browser = await chromium.launch({
  executablePath: process.env.QUIVER_CHROMIUM,
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
await page.goto(base + '/');
await page.evaluate(() => window.quiverPage.ready);
await page.evaluate(() => window.quiverPage.frames[0]?.done);
await page.locator('#cap').fill(String(n));
await page.locator('#cap').dispatchEvent('change');

const input = page.locator('#editor-input');
await input.fill('MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r');
const t0 = Date.now();
await input.press('Control+Enter');
await page.waitForFunction((before) => window.quiverPage.frames.length > before
  && window.quiverPage.frames[0].el.dataset.state !== 'running', 1, { timeout: 600000 });
await page.evaluate(() => window.quiverPage.frames[0].done);
// The first drawing after the layout.
await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
const firstPicture = Date.now() - t0;
const drawn = await page.evaluate(() => {
  const cy = window.quiverPage.frames[0].graph.cy;
  return { nodes: cy.nodes().length, edges: cy.edges().length };
});

// Counts animation frames and cytoscape redraws while `move` runs.
async function rate(move) {
  await page.evaluate(() => {
    const s = { frames: 0, renders: 0, on: true };
    window.__perf = s;
    const tick = () => { if (s.on) { s.frames++; requestAnimationFrame(tick); } };
    requestAnimationFrame(tick);
    window.quiverPage.frames[0].graph.cy.on('render', () => { s.renders++; });
  });
  const t = Date.now();
  await move();
  const secs = (Date.now() - t) / 1000;
  const s = await page.evaluate(() => { window.__perf.on = false; window.quiverPage.frames[0].graph.cy.off('render'); return window.__perf; });
  return { fps: s.frames / secs, redraws: s.renders / secs, secs };
}

const box = await page.evaluate(() => {
  const g = window.quiverPage.frames[0].graph;
  const r = g.cy.container().getBoundingClientRect();
  const node = g.cy.nodes().first();
  node.select();
  const p = node.renderedPosition();
  return { left: r.left, top: r.top, width: r.width, height: r.height, x: r.left + p.x, y: r.top + p.y };
});
const steps = 120;
const drag = await rate(async () => {
  await page.mouse.move(box.x, box.y);
  await page.mouse.down();
  for (let i = 0; i < steps; i++) {
    await page.mouse.move(box.x + 150 * Math.sin(i / 10), box.y + 100 * Math.cos(i / 10));
  }
  await page.mouse.up();
});
// Panning: drag the background (a corner of the picture, away from nodes).
const pan = await rate(async () => {
  const x = box.left + 12;
  const y = box.top + box.height - 12;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 0; i < steps; i++) await page.mouse.move(x + 200 * Math.sin(i / 10), y - 100 * Math.abs(Math.cos(i / 10)));
  await page.mouse.up();
});

console.log(`graph: ${nodes} nodes, ${rels} relationships; drawn: ${drawn.nodes} nodes, ${drawn.edges} edges`);
console.log(`time to first picture: ${(firstPicture / 1000).toFixed(2)} s`);
console.log(`dragging a node: ${drag.fps.toFixed(1)} frames/s, ${drag.redraws.toFixed(1)} redraws/s over ${drag.secs.toFixed(1)} s`);
console.log(`panning: ${pan.fps.toFixed(1)} frames/s, ${pan.redraws.toFixed(1)} redraws/s over ${pan.secs.toFixed(1)} s`);
await browser.close();
