// The official JavaScript driver against quiver's Bolt server.
//
// Run by server/tests/drivers.rs, which starts the server over the in-memory
// test backend and sets QUIVER_BOLT_ADDR (host:port), QUIVER_BOLT_EXPECT (the
// Bolt version to negotiate), QUIVER_BOLT_LARGE ("1": stream 100k rows) and
// QUIVER_BOLT_DB (the home database's name, "quiver" unless set).
// Prints one line per check and "N passed, M failed"; exits 1 on a failure.

import neo4j from 'neo4j-driver'
import { createRequire } from 'node:module'

const { Date, Time, LocalTime, DateTime, LocalDateTime, Duration, Node, Relationship, Path } = neo4j.types
const ADDR = process.env.QUIVER_BOLT_ADDR
const EXPECT = process.env.QUIVER_BOLT_EXPECT
const LARGE = process.env.QUIVER_BOLT_LARGE === '1'
const DB = process.env.QUIVER_BOLT_DB || 'quiver'
const BOLT5 = !(EXPECT || '').startsWith('4.')
const AUTH = neo4j.auth.basic('neo4j', 'quiver-test')
const VERSION = createRequire(import.meta.url)('neo4j-driver/package.json').version

let passed = 0
let failed = 0
const checks = []
const check = (name, fn) => checks.push([name, fn])

function assert (cond, ...what) {
  if (!cond) throw new Error('assertion failed: ' + what.map(w => JSON.stringify(w, (k, v) => typeof v === 'bigint' ? v.toString() : v)).join(' '))
}

const driver = neo4j.driver(`bolt://${ADDR}`, AUTH, { useBigInt: true })

check('connectivity and version', async () => {
  await driver.verifyConnectivity()
  const info = await driver.getServerInfo()
  assert(info.agent.startsWith('Neo4j/') && info.agent.includes('quiver'), info.agent)
  assert(!EXPECT || String(info.protocolVersion) === EXPECT, info.protocolVersion, EXPECT)
})

check('routing scheme', async () => {
  const d = neo4j.driver(`neo4j://${ADDR}`, AUTH, { useBigInt: true })
  try {
    await d.verifyConnectivity()
    const s = d.session({ defaultAccessMode: neo4j.session.READ })
    const r = await s.run('RETURN 1 AS one')
    assert(r.records[0].get('one') === 1n)
    await s.close()
    const { records } = await d.executeQuery('RETURN 2 AS two', {}, { routing: neo4j.routing.WRITE })
    assert(records[0].get('two') === 2n)
  } finally {
    await d.close()
  }
})

check('auto-commit', async () => {
  const s = driver.session()
  const r = await s.run('CREATE (n:Auto {name: $name}) RETURN n.name AS name', { name: 'a' })
  assert(r.records[0].get('name') === 'a')
  const c = r.summary.counters.updates()
  assert(c.nodesCreated === 1 && c.labelsAdded === 1 && c.propertiesSet === 1, c)
  assert(r.summary.counters.containsUpdates())
  assert(r.summary.queryType === 'rw', r.summary.queryType)
  assert(r.summary.database.name === DB, r.summary.database)
  assert(s.lastBookmarks().length > 0)
  await s.close()
})

check('explicit transactions', async () => {
  const s = driver.session()
  let tx = s.beginTransaction()
  await tx.run('CREATE (:Explicit {v: 1})')
  const r1 = tx.run('UNWIND [1, 2, 3] AS x RETURN x')
  const r2 = await tx.run("UNWIND ['a', 'b'] AS y RETURN y")
  assert(r2.records.map(r => r.get('y')).join() === 'a,b')
  assert((await r1).records.length === 3)
  await tx.commit()
  tx = s.beginTransaction()
  await tx.run('CREATE (:Explicit {v: 2})')
  await tx.rollback()
  const r = await s.run('MATCH (n:Explicit) RETURN collect(n.v) AS v')
  assert(r.records[0].get('v').join() === '1', r.records[0].get('v'))
  await s.close()
})

check('managed transactions', async () => {
  const s = driver.session()
  const v = await s.executeWrite(async tx => (await tx.run('CREATE (m:Managed {v: $v}) RETURN m.v AS v', { v: 7n })).records[0].get('v'))
  assert(v === 7n)
  const c = await s.executeRead(async tx => (await tx.run('MATCH (m:Managed) RETURN count(m) AS c')).records[0].get('c'))
  assert(c === 1n)
  await s.close()
})

check('retry after a transient error', async () => {
  // Session A holds the writer; B's managed transaction fails on the lock
  // (a transient error) and is retried until A commits.
  const a = driver.session()
  const txA = a.beginTransaction()
  await txA.run('CREATE (:Holder)')
  const started = globalThis.Date.now()
  const commit = new Promise((resolve, reject) => setTimeout(() => txA.commit().then(resolve, reject), 1000))
  const b = driver.session()
  let attempts = 0
  await b.executeWrite(async tx => { attempts++; await tx.run('CREATE (:Retried)') })
  await commit
  assert(globalThis.Date.now() - started >= 900 && attempts >= 1, attempts)
  const r = await b.run('MATCH (n:Retried) RETURN count(n) AS c')
  assert(r.records[0].get('c') === 1n)
  // The error itself: transient, with the lock code.
  const txA2 = a.beginTransaction()
  await txA2.run('CREATE (:Holder2)')
  try {
    await b.run('CREATE (:Blocked)')
    throw new Error('expected a transient error')
  } catch (e) {
    assert(e.code === 'Neo.TransientError.Transaction.LockAcquisitionTimeout', e.code)
    assert(neo4j.isRetryableError(e))
  } finally {
    await txA2.rollback()
    await a.close()
    await b.close()
  }
})

async function roundtrip (value) {
  const s = driver.session()
  try {
    return (await s.run('RETURN $v AS v', { v: value })).records[0].get('v')
  } finally {
    await s.close()
  }
}

check('scalars, lists and maps', async () => {
  const values = [null, true, false, 0n, -1n, 127n, -17n, 128n, 2n ** 31n, -(2n ** 63n), 2n ** 63n - 1n, 1.5, -0.25, Infinity,
    '', 'x', 'Größenmaßstäbe', 'a'.repeat(70000), [1n, 'a', null, [2.5]], { k: [1n, { x: 2n }], e: {} }]
  for (const v of values) {
    const got = await roundtrip(v)
    // Maps come back with their keys sorted.
    const sorted = y => y && typeof y === 'object' && !Array.isArray(y) ? Object.fromEntries(Object.keys(y).sort().map(k => [k, y[k]])) : y
    const show = x => JSON.stringify(x, (k, y) => typeof y === 'bigint' ? 'n' + y.toString() : sorted(y))
    assert(show(got) === show(v), v, got)
  }
  assert(Number.isNaN(await roundtrip(NaN)))
})

check('temporal values', async () => {
  const values = [
    new Date(2024, 2, 29),
    new Date(1, 1, 1),
    new LocalTime(12, 34, 56, 789000000),
    new Time(23, 59, 59, 999999999, 5400),
    new Time(1, 2, 3, 0, -18000),
    new LocalDateTime(2024, 1, 2, 3, 4, 5, 123456789),
    new DateTime(1969, 12, 31, 23, 59, 59, 500000000, 0),
    new DateTime(2024, 6, 30, 23, 59, 59, 1, 5400),
    new DateTime(2024, 7, 1, 12, 0, 0, 0, undefined, 'Europe/Stockholm'),
    new DateTime(2024, 1, 1, 12, 0, 0, 0, undefined, 'Europe/Stockholm'),
    new Duration(14, 3, 4 * 3600 + 5 * 60 + 6, 7),
    new Duration(0, 0, -1, 500000000),
    new Duration(0, 0, 0, 0)
  ]
  for (const v of values) {
    const got = await roundtrip(v)
    // A zoned date-time made without an offset comes back with the zone's offset.
    const shown = v.timeZoneId && v.timeZoneOffsetSeconds === undefined
      ? got.toString().replace(/[+-]\d\d:\d\d(?=\[)/, '')
      : got.toString()
    assert(shown === v.toString(), v.toString(), got.toString())
    assert(got.constructor === v.constructor, v.toString())
    if (v.timeZoneId) assert(got.timeZoneId === v.timeZoneId)
  }
  const s = driver.session()
  const r = (await s.run(
    "RETURN date('2025-11-04') AS d, time('10:00+02:00') AS t, localtime('10:00:00.5') AS lt, " +
    "datetime('2025-11-04T10:00:00[Europe/Paris]') AS dtz, datetime('2025-11-04T10:00:00-03:30') AS dto, " +
    "localdatetime('2025-11-04T10:00') AS ldt, duration('P1M2DT3H') AS dur")).records[0]
  await s.close()
  assert(r.get('d').toString() === '2025-11-04', r.get('d').toString())
  assert(r.get('t').toString() === '10:00:00+02:00', r.get('t').toString())
  assert(r.get('lt').toString() === '10:00:00.500000000', r.get('lt').toString())
  assert(r.get('dtz').timeZoneId === 'Europe/Paris' && r.get('dtz').toString().startsWith('2025-11-04T10:00:00'), r.get('dtz').toString())
  assert(r.get('dto').toString() === '2025-11-04T10:00:00-03:30', r.get('dto').toString())
  assert(r.get('ldt').toString() === '2025-11-04T10:00:00', r.get('ldt').toString())
  const dur = r.get('dur')
  assert([dur.months, dur.days, dur.seconds, dur.nanoseconds].map(String).join() === '1,2,10800,0', dur.toString())
})

check('nodes, relationships and paths', async () => {
  const s = driver.session()
  let r = (await s.run("CREATE p = (a:Person:Dev {name: 'Ada'})-[k:KNOWS {since: 2020}]->(b:Person {name: 'Alan'}) RETURN a, k, b, p")).records[0]
  const [a, k, b, p] = ['a', 'k', 'b', 'p'].map(x => r.get(x))
  assert(a instanceof Node && a.labels.sort().join() === 'Dev,Person' && a.properties.name === 'Ada')
  assert(k instanceof Relationship && k.type === 'KNOWS' && k.properties.since === 2020n)
  assert(k.start === a.identity && k.end === b.identity)
  if (BOLT5) {
    assert(a.elementId.startsWith('n') && k.elementId.startsWith('r'), a.elementId, k.elementId)
    assert(k.startNodeElementId === a.elementId && k.endNodeElementId === b.elementId)
  }
  assert(p instanceof Path && p.length === 1 && p.start.properties.name === 'Ada' && p.end.properties.name === 'Alan')
  r = (await s.run("MATCH p = (b:Person {name: 'Alan'})<-[:KNOWS]-(a:Person) RETURN p")).records[0].get('p')
  assert(r.start.properties.name === 'Alan' && r.segments[0].relationship.start === r.end.identity)
  await s.run("MATCH (a:Person {name: 'Ada'}), (b:Person {name: 'Alan'}) CREATE (b)-[:KNOWS {since: 2021}]->(a)")
  r = (await s.run("MATCH p = (a:Person {name: 'Ada'})-[:KNOWS]->(b)-[:KNOWS]->(a2) RETURN p")).records[0].get('p')
  assert(r.segments.map(x => x.relationship.properties.since).join() === '2020,2021')
  assert(r.segments.map(x => x.end.properties.name).join() === 'Alan,Ada')
  const ids = (await s.run("MATCH (n:Person {name: 'Ada'}) RETURN elementId(n) AS e, id(n) AS i")).records[0]
  assert(ids.get('i') === a.identity)
  if (BOLT5) assert(ids.get('e') === a.elementId)
  await s.close()
})

check('errors and codes', async () => {
  const s = driver.session()
  const cases = [
    ['RETURN 1 +', 'Neo.ClientError.Statement.SyntaxError'],
    ['RETURN $missing', 'Neo.ClientError.Statement.ParameterMissing'],
    ['CREATE (a)-[:R]->(b) WITH a DELETE a', 'Neo.ClientError.Schema.ConstraintValidationFailed'],
    ['CALL no.such.procedure()', 'Neo.ClientError.Procedure.ProcedureNotFound']
  ]
  for (const [query, code] of cases) {
    try {
      await s.run(query)
      throw new Error(`${query} succeeded`)
    } catch (e) {
      assert(e.code === code, query, e.code, e.message)
    }
  }
  assert((await s.run('RETURN 1 AS x')).records[0].get('x') === 1n)
  await s.close()
  const nope = driver.session({ database: 'nope' })
  try {
    await nope.run('RETURN 1')
    throw new Error('unknown database accepted')
  } catch (e) {
    assert(e.code === 'Neo.ClientError.Database.DatabaseNotFound', e.code)
  } finally {
    await nope.close()
  }
})

check('explain and profile', async () => {
  const s = driver.session()
  assert((await s.run('EXPLAIN MATCH (n) RETURN n')).summary.hasPlan())
  assert((await s.run('PROFILE MATCH (n) RETURN n')).summary.hasProfile())
  await s.close()
})

check('bad credentials', async () => {
  const d = neo4j.driver(`bolt://${ADDR}`, neo4j.auth.basic('neo4j', 'wrong'))
  try {
    await d.verifyConnectivity()
    throw new Error('wrong password accepted')
  } catch (e) {
    assert(e.code === 'Neo.ClientError.Security.Unauthorized', e.code)
  } finally {
    await d.close()
  }
})

const atLeast = (major, minor) => {
  if (!EXPECT) return true
  const [a, b] = EXPECT.split('.').map(Number)
  return a > major || (a === major && b >= minor)
}

check('notification filters and user agent', async () => {
  if (!atLeast(5, 2)) return
  const d = neo4j.driver(`bolt://${ADDR}`, AUTH, {
    userAgent: 'quiver-tests/1.0',
    notificationFilter: { minimumSeverityLevel: 'WARNING', disabledClassifications: ['HINT'] }
  })
  try {
    const s = d.session({ notificationFilter: { minimumSeverityLevel: 'OFF' } })
    assert((await s.run('RETURN 1 AS x')).records[0].get('x').toNumber() === 1)
    await s.close()
  } finally {
    await d.close()
  }
})

check('session auth and re-authentication', async () => {
  if (!atLeast(5, 1)) return
  let s = driver.session()
  assert((await s.run('RETURN 0 AS x')).records[0].get('x') === 0n)
  await s.close()
  s = driver.session({ auth: neo4j.auth.basic('reader', 'reader-test') })
  assert((await s.run('RETURN 1 AS x')).records[0].get('x') === 1n)
  await s.close()
  s = driver.session()
  assert((await s.run('RETURN 2 AS x')).records[0].get('x') === 2n)
  await s.close()
  s = driver.session({ auth: neo4j.auth.basic('neo4j', 'wrong') })
  try {
    await s.run('RETURN 1')
    throw new Error('wrong session credentials accepted')
  } catch (e) {
    // The driver turns every LOGON failure into a fatal ProtocolError too (its
    // `_onLoginError`), and for session auth that is the one the session sees.
    assert(e.code === 'Neo.ClientError.Security.Unauthorized' || (e.code === 'ProtocolError' && /unauthorized/i.test(e.message)), e.code, e.message)
  } finally {
    await s.close()
  }
  // (A wrong token is not checked here: this driver skips the LOGON when the
  // pooled connection's last message was one, and answers true without asking.)
  assert(await driver.verifyAuthentication({ auth: AUTH }))
})

if (LARGE) {
  check('large streamed result', async () => {
    const s = driver.session({ fetchSize: 1000 })
    let n = 0
    let total = 0n
    const result = s.run("UNWIND range(1, 100000) AS i RETURN i, 'row ' + toString(i) AS s")
    for await (const record of result) {
      n++
      total += record.get('i')
    }
    assert(n === 100000 && total === 5000050000n, n, total)
    await s.close()
  })
}

for (const [name, fn] of checks) {
  try {
    await fn()
    passed++
    console.log(`ok ${name}`)
  } catch (e) {
    failed++
    console.log(`FAILED ${name}`)
    console.log(e.stack || e)
  }
}
await driver.close()
console.log(`javascript driver ${VERSION}: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
