// The browser page of `quiver serve`, in a real headless Chromium driven by
// playwright-core (the system's chromium: nothing is downloaded). Run by
// cli/tests/page.rs, which starts the servers:
//   QUIVER_HTTP        a server over the event graph (fixtures/gaza_isf.cypher)
//   QUIVER_HTTP_AUTH   the same graph with --auth neo4j:secret --read-only
//   QUIVER_CHROMIUM    the browser
//   QUIVER_SCREENSHOTS where to write the screenshots (docs/ refreshes the README's)
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const base = `http://${process.env.QUIVER_HTTP}`;
const authBase = process.env.QUIVER_HTTP_AUTH ? `http://${process.env.QUIVER_HTTP_AUTH}` : null;
const shots = process.env.QUIVER_SCREENSHOTS;
if (shots) mkdirSync(shots, { recursive: true });

let passed = 0;
let failed = 0;
async function check(name, f) {
  try {
    await f();
    passed++;
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}\n  ${String(e.stack || e).replaceAll('\n', '\n  ')}`);
  }
}

// The Query API, straight: what the page should show is computed here.
async function query(statement, parameters = {}, address = base, auth = null) {
  const headers = { 'Content-Type': 'application/json' };
  if (auth) headers.Authorization = 'Basic ' + Buffer.from(auth).toString('base64');
  const r = await fetch(`${address}/db/neo4j/query/v2`, { method: 'POST', headers, body: JSON.stringify({ statement, parameters }) });
  const body = await r.json();
  if (body.errors?.length) return { error: body.errors[0], status: r.status };
  return body.data.values;
}

const browser = await chromium.launch({
  executablePath: process.env.QUIVER_CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

function watch(page) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  return problems;
}

const frames = (page) => page.locator('#frames > .frame');
const newest = (page) => page.locator('#frames > .frame').first();

async function settled(page) {
  await page.waitForFunction(() => {
    const f = window.quiverPage.frames[0];
    return f && f.el.dataset.state !== 'running';
  }, null, { timeout: 30000 });
  // The picture, if any, has been laid out and connected.
  await page.evaluate(() => window.quiverPage.frames[0].done);
}

// Types a statement into the editor and runs it with Ctrl-Enter.
async function type(page, text, { closeCompletion = true } = {}) {
  const input = page.locator('#editor-input');
  await input.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Delete');
  await input.pressSequentially(text, { delay: 2 });
  if (closeCompletion) await page.keyboard.press('Escape');
}

async function runTyped(page, text) {
  await type(page, text);
  await page.keyboard.press('Control+Enter');
  await settled(page);
}

const model = (page) => page.evaluate(() => {
  const cy = window.quiverPage.frames[0].graph?.cy;
  return cy ? { nodes: cy.nodes().map((n) => n.id()).sort(), edges: cy.edges().map((e) => e.id()).sort() } : null;
});

// Where a node of the newest frame's picture is on the page.
const nodePoint = (page, id) => page.evaluate((id) => {
  const g = window.quiverPage.frames[0].graph;
  const p = g.cy.getElementById(id).renderedPosition();
  const box = g.cy.container().getBoundingClientRect();
  return { x: box.left + p.x, y: box.top + p.y };
}, id);

const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const problems = watch(page);

await check('the page loads with no console errors and opens on the whole event graph', async () => {
  const r = await page.goto(base + '/');
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-type'], /text\/html/);
  await page.evaluate(() => window.quiverPage.ready);
  await settled(page);
  const [[nodes]] = await query('MATCH (n) RETURN count(n)');
  const [[rels]] = await query('MATCH ()-[r]->() RETURN count(r)');
  const m = await model(page);
  assert.equal(m.nodes.length, nodes);
  assert.equal(m.edges.length, rels);
  await page.waitForTimeout(300);
  if (shots) await page.screenshot({ path: join(shots, 'browser-event-graph.png') });
  assert.deepEqual(problems, []);
});

await check('the schema panel lists the event graph labels, types and keys with counts', async () => {
  const labels = (await query('CALL db.labels() YIELD label RETURN label')).map((r) => r[0]);
  assert.ok(labels.includes('Person') && labels.includes('Event'));
  const shown = await page.locator('#schema-body .chip.label').evaluateAll((els) => els.map((e) => e.dataset.label));
  assert.deepEqual(shown.sort(), labels.sort());
  const types = (await query('CALL db.relationshipTypes() YIELD relationshipType RETURN relationshipType')).map((r) => r[0]);
  const shownTypes = await page.locator('#schema-body .chip.type').evaluateAll((els) => els.map((e) => e.dataset.type));
  assert.deepEqual(shownTypes.sort(), types.sort());
  const [[countries]] = await query('MATCH (c:Country) RETURN count(c)');
  assert.equal(await page.locator('#schema-body .chip[data-label="Country"] .count').textContent(), String(countries));
  const keys = (await query('CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey')).map((r) => r[0]);
  assert.equal(await page.locator('#schema-body .chip.key').count(), keys.length);
});

await check('a typed query (with completion) renders a table with the right cells and a graph with the right counts', async () => {
  await type(page, 'MATCH (c:Coun', { closeCompletion: false });
  await page.waitForSelector('#completion:not([hidden])');
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('#editor-input').inputValue(), 'MATCH (c:Country');
  await page.locator('#editor-input').pressSequentially(')-[r:OPEN_TO_J', { delay: 2 });
  await page.waitForSelector('#completion:not([hidden]) li');
  assert.equal(await page.locator('#completion li.active span').first().textContent(), 'OPEN_TO_JOINING');
  await page.keyboard.press('Enter');
  await page.locator('#editor-input').pressSequentially(']->(f:Force) RETURN c.name AS country, c, r, f ORDER BY country', { delay: 2 });
  await page.keyboard.press('Escape');
  const statement = await page.locator('#editor-input').inputValue();
  assert.equal(statement, 'MATCH (c:Country)-[r:OPEN_TO_JOINING]->(f:Force) RETURN c.name AS country, c, r, f ORDER BY country');
  await page.keyboard.press('Control+Enter');
  await settled(page);
  const expected = await query(statement);
  await newest(page).locator('.frame-tabs button[data-view=table]').click();
  const cells = await newest(page).locator('table.result tbody tr').evaluateAll((rows) => rows.map((r) => r.cells[0].textContent));
  assert.deepEqual(cells, expected.map((r) => r[0]));
  assert.ok(cells.includes('Azerbaijan'));
  const header = await newest(page).locator('table.result th').allTextContents();
  assert.deepEqual(header, ['country', 'c', 'r', 'f']);
  assert.match(await newest(page).locator('table.result tbody tr').first().locator('td').nth(1).textContent(), /^\(:Country \{.*name: 'Azerbaijan'/);
  await newest(page).locator('.frame-tabs button[data-view=graph]').click();
  // The nodes the result mentions, and every relationship among them (the page connects result nodes).
  const [[nodes, rels]] = await query(
    'MATCH (c:Country)-[:OPEN_TO_JOINING]->(f:Force) WITH collect(DISTINCT c) + collect(DISTINCT f) AS ns '
    + 'UNWIND ns AS a OPTIONAL MATCH (a)-[x]->(b) WHERE b IN ns RETURN size(ns), count(DISTINCT x)');
  const m = await model(page);
  assert.equal(m.nodes.length, nodes);
  assert.equal(m.edges.length, rels);
  assert.ok(rels >= expected.length);
});

await check('a click on a node shows its labels, id and properties', async () => {
  const [[id, name, props]] = await query("MATCH (c:Country {name: 'Azerbaijan'}) RETURN elementId(c), c.name, keys(c)");
  const p = await nodePoint(page, id);
  await page.mouse.click(p.x, p.y);
  const inspector = newest(page).locator('.inspector');
  await inspector.waitFor({ state: 'visible' });
  assert.equal(await inspector.getAttribute('data-id'), id);
  assert.match(await inspector.locator('.inspector-title').textContent(), /Country/);
  const rows = await inspector.locator('tr').evaluateAll((trs) => Object.fromEntries(trs.map((t) => [t.cells[0].textContent, t.cells[1].textContent])));
  assert.equal(rows['<id>'], id);
  assert.equal(rows.name, name);
  for (const k of props) assert.ok(k in rows, `property ${k} shown`);
});

await check('a double click expands a node into its neighbours', async () => {
  const before = await model(page);
  const [[id]] = await query("MATCH (f:Force {name: 'International Stabilization Force'}) RETURN elementId(f)");
  const neighbours = (await query('MATCH (f)--(m) WHERE elementId(f) = $id RETURN DISTINCT elementId(m)', { id })).map((r) => r[0]);
  assert.ok(neighbours.some((n) => !before.nodes.includes(n)), 'the node has neighbours not yet shown');
  const p = await nodePoint(page, id);
  const expanded = page.evaluate(() => new Promise((resolve) => {
    window.quiverPage.frames[0].graph.root.addEventListener('expanded', (e) => resolve(e.detail), { once: true });
  }));
  await page.mouse.dblclick(p.x, p.y);
  const detail = await expanded;
  const after = await model(page);
  assert.ok(detail.added > 0);
  for (const n of neighbours) assert.ok(after.nodes.includes(n), `neighbour ${n} drawn`);
  assert.equal(after.nodes.length, new Set([...before.nodes, ...neighbours]).size);
  assert.ok(after.edges.length > before.edges.length);
  if (shots) await newest(page).screenshot({ path: join(shots, 'browser-expand.png') });
});

await check('a syntax error shows kind, code, the caret under the spot and marks it in the editor', async () => {
  const statement = 'MATCH (n:Person RETURN n';
  const expected = await query(statement);
  assert.equal(expected.status, 400);
  const d = expected.error.quiver;
  assert.ok(d && d.line === 1 && d.column > 1, JSON.stringify(expected.error));
  const count = problems.length;
  await runTyped(page, statement);
  const f = newest(page);
  assert.equal(await f.getAttribute('data-state'), 'error');
  assert.match(await f.locator('.error-title').textContent(), new RegExp(`${d.kind} \\(${d.code}\\) at line 1, column ${d.column}`));
  assert.match(await f.locator('.error-title .code').textContent(), /Neo\.ClientError\.Statement\.SyntaxError/);
  const source = await f.locator('.error-source').textContent();
  const [line, caretLine] = source.split('\n');
  assert.equal(line, statement);
  assert.equal(caretLine.indexOf('^'), d.column - 1);
  assert.equal(await f.locator('.caret').getAttribute('data-column'), String(d.column));
  const marked = await page.locator('#editor-highlight .tok-err').textContent();
  assert.equal(marked, Array.from(statement)[d.column - 1] || ' ');
  // The browser reports the 400 answer itself; nothing else went wrong.
  assert.ok(problems.slice(count).every((p) => /status of 400/.test(p)), problems.slice(count).join('\n'));
  problems.length = count;
});

await check('parameters from the parameters box', async () => {
  await page.locator('#params').fill('{"name": "Mike Waltz"}');
  await runTyped(page, 'MATCH (p:Person {name: $name})-[:PARTICIPATED_IN]->(e:Event) RETURN e.name AS event, e.date AS date ORDER BY date');
  const expected = await query('MATCH (p:Person {name: $name})-[:PARTICIPATED_IN]->(e:Event) RETURN e.name AS event, e.date AS date ORDER BY date', { name: 'Mike Waltz' });
  const cells = await newest(page).locator('table.result tbody tr').evaluateAll((rows) => rows.map((r) => [r.cells[0].textContent, r.cells[1].textContent]));
  assert.deepEqual(cells, expected);
  await page.locator('#params').fill('{"name": ');
  await page.locator('#run').click();
  assert.ok(await page.locator('#params-error').isVisible());
  await page.locator('#params').fill('');
});

await check('EXPLAIN and PROFILE show the plan as a tree', async () => {
  await runTyped(page, 'EXPLAIN MATCH (p:Person)-[:PARTICIPATED_IN]->(e:Event) RETURN p.name, count(e)');
  let f = newest(page);
  assert.equal(await f.locator('.frame-tabs button.active').textContent(), 'Plan');
  assert.ok(await f.locator('.plan-op').count() >= 2);
  assert.match(await f.locator('.plan-view').textContent(), /Aggregation/);
  await runTyped(page, 'PROFILE MATCH (p:Person)-[:PARTICIPATED_IN]->(e:Event) RETURN p.name, count(e)');
  f = newest(page);
  await f.locator('.frame-tabs button[data-view=plan]').click();
  assert.equal(await f.locator('.frame-tabs button[data-view=plan]').textContent(), 'Profile');
  assert.ok(await f.locator('.plan-op .rows').count() >= 1);
  assert.match(await f.locator('.plan-op .rows').first().textContent(), /rows?, [0-9.]+ ms/);
});

await check('large results are capped with a notice', async () => {
  await page.locator('#cap').fill('10');
  await page.locator('#cap').dispatchEvent('change');
  await runTyped(page, 'MATCH (n) RETURN n');
  const [[nodes]] = await query('MATCH (n) RETURN count(n)');
  assert.equal((await model(page)).nodes.length, 10);
  assert.match(await newest(page).locator('.notice').first().textContent(), new RegExp(`mentions ${nodes} nodes: the picture shows the first 10`));
  await page.locator('#cap').fill('300');
  await page.locator('#cap').dispatchEvent('change');
});

await check('a schema label runs a sample query', async () => {
  await page.locator('#schema-body .chip[data-label="Person"]').click();
  await settled(page);
  const [[people]] = await query('MATCH (p:Person) RETURN count(p)');
  assert.equal(await page.locator('#editor-input').inputValue(), 'MATCH (n:Person) RETURN n LIMIT 25');
  assert.equal((await model(page)).nodes.length, people);
});

await check('frames stack newest first and close; the history survives a reload', async () => {
  const n = await frames(page).count();
  assert.match(await newest(page).locator('.frame-query').textContent(), /MATCH \(n:Person\)/);
  await newest(page).locator('.frame-head .close').click();
  assert.equal(await frames(page).count(), n - 1);
  await page.reload();
  await page.evaluate(() => window.quiverPage.ready);
  const past = await page.locator('#history li').allTextContents();
  assert.ok(past.includes('MATCH (n:Person) RETURN n LIMIT 25'), past.join('\n'));
  assert.ok(past.some((s) => s.startsWith('MATCH (c:Country)-[r:OPEN_TO_JOINING]')));
  await page.locator('#history li').first().click();
  assert.equal(await page.locator('#editor-input').inputValue(), past[0]);
  await page.locator('#editor-input').press('Control+ArrowUp');
  assert.equal(await page.locator('#editor-input').inputValue(), past[0]);
});

await check('a write shows its counters and the schema follows', async () => {
  await runTyped(page, "CREATE (:Note {text: 'seen from the browser'})");
  assert.match(await newest(page).locator('.frame-foot').textContent(), /nodes created: 1/);
  await page.waitForSelector('#schema-body .chip[data-label="Note"]');
  await runTyped(page, 'MATCH (n:Note) DELETE n');
});

if (authBase) {
  const auth = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const authProblems = watch(auth);
  await check('with --auth the page asks for credentials; with --read-only it says so and writes are refused', async () => {
    await auth.goto(authBase + '/');
    await auth.locator('#login').waitFor({ state: 'visible' });
    await auth.locator('#login-user').fill('neo4j');
    await auth.locator('#login-password').fill('wrong');
    await auth.locator('#login-form button[type=submit]').click();
    await auth.locator('#login-error', { hasText: 'Wrong user or password' }).waitFor();
    await auth.locator('#login-password').fill('secret');
    await auth.locator('#login-form button[type=submit]').click();
    await auth.evaluate(() => window.quiverPage.ready);
    await settled(auth);
    assert.ok(await auth.locator('#login').isHidden());
    assert.ok(await auth.locator('#read-only').isVisible());
    assert.match(await auth.locator('#user').textContent(), /neo4j/);
    const [[nodes]] = await query('MATCH (n) RETURN count(n)', {}, authBase, 'neo4j:secret');
    assert.equal((await model(auth)).nodes.length, nodes);
    await runTyped(auth, "CREATE (:Note {text: 'no'})");
    assert.equal(await newest(auth).getAttribute('data-state'), 'error');
    assert.match(await newest(auth).locator('.error-view').textContent(), /read-only|AccessMode|ReadOnly/i);
    // The wrong password (401) and the refused write (400) are the browser's own reports.
    assert.ok(authProblems.every((p) => /status of (401|400)/.test(p)), authProblems.join('\n'));
  });
}

await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
