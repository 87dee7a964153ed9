//! quiver's own hot paths, on data generated in-process:
//! parse, plan, expand (1 and 2 hops from one node), aggregate (count and
//! group over 100k rows), and streaming (pipelines that stop early).
//!
//!     cargo bench --bench engine -- --quick
//!
//! The graph: 100k :Person nodes (id, indexed; age; country from 50) and 300k :KNOWS
//! relationships whose endpoints are skewed towards low ids (id = n * u^3), so
//! person 0 is a hub and the median person has a handful of friends.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use quiver::{Database, Params, Value};

const PERSONS: i64 = 100_000;
const KNOWS: usize = 300_000;

const W4: &str = "MATCH (p:Person {id: 0})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person) WHERE fof <> p \
                  RETURN count(DISTINCT fof) AS fof";
const LONG: &str = "MATCH (a:Person {id: $id})-[r:KNOWS]->(b:Person) WHERE b.age > 30 AND r.since >= 2010 \
                    WITH b.country AS country, count(*) AS n, collect(b.id)[0..5] AS sample \
                    WHERE n > 1 RETURN country, n, sample, CASE WHEN n > 10 THEN 'many' ELSE 'few' END AS how \
                    ORDER BY n DESC, country LIMIT 10";

/// xorshift64*: a seeded generator, so every run builds the same graph.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn social_graph() -> Database {
    let db = Database::in_memory();
    db.execute("CREATE INDEX FOR (p:Person) ON (p.id)", &Params::new())
        .unwrap();
    db.execute(
        &format!(
            "UNWIND range(0, {}) AS i CREATE (:Person {{id: i, age: 18 + (i * 7919) % 63, country: 'c' + toString((i * 31) % 50)}})",
            PERSONS - 1
        ),
        &Params::new(),
    )
    .unwrap();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut pairs = Vec::with_capacity(KNOWS);
    while pairs.len() < KNOWS {
        let a = (PERSONS as f64 * rng.unit().powi(3)) as i64;
        let b = (rng.next() % PERSONS as u64) as i64;
        if a != b {
            pairs.push(Value::list(vec![
                Value::Int(a),
                Value::Int(b),
                Value::Int(2000 + (rng.next() % 26) as i64),
            ]));
        }
    }
    for chunk in pairs.chunks(100_000) {
        let mut params = Params::new();
        params.insert("pairs".into(), Value::list(chunk.to_vec()));
        db.execute(
            "UNWIND $pairs AS r MATCH (a:Person {id: r[0]}), (b:Person {id: r[1]}) CREATE (a)-[:KNOWS {since: r[2]}]->(b)",
            &params,
        )
        .unwrap();
    }
    db
}

fn count(db: &mut Database, q: &str) -> i64 {
    match &db.execute(q, &Params::new()).unwrap().rows[0][0] {
        Value::Int(n) => *n,
        v => panic!("expected a count, got {v:?}"),
    }
}

fn bench_parse_plan(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    g.bench_function("parse W4", |b| {
        b.iter(|| quiver::parser::parse_statement(black_box(W4)).unwrap())
    });
    g.bench_function("parse long query", |b| {
        b.iter(|| quiver::parser::parse_statement(black_box(LONG)).unwrap())
    });
    let w4 = quiver::parser::parse_statement(W4).unwrap();
    let long = quiver::parser::parse_statement(LONG).unwrap();
    // Planning reads the graph (names, statistics) and changes nothing.
    let graph = quiver::store::Snapshot::empty(Default::default());
    let procs = quiver::procedure::Procedures::with_builtins();
    g.bench_function("bind W4", |b| {
        b.iter(|| quiver::semantic::check(black_box(&w4), &procs).unwrap())
    });
    let (w4, long) = (
        quiver::semantic::check(&w4, &procs).unwrap(),
        quiver::semantic::check(&long, &procs).unwrap(),
    );
    g.bench_function("plan W4", |b| {
        b.iter(|| quiver::plan::plan_query(black_box(w4), &graph, &procs, Default::default()).unwrap())
    });
    g.bench_function("plan long query", |b| {
        b.iter(|| quiver::plan::plan_query(black_box(long), &graph, &procs, Default::default()).unwrap())
    });
    g.finish();
}

fn bench_graph(c: &mut Criterion) {
    let mut db = social_graph();
    // the hub (id 0) and a low-degree person near the median
    let hub_deg = count(&mut db, "MATCH (p:Person {id: 0})-[:KNOWS]-(f) RETURN count(f)");
    let med = 50_000;
    let med_deg = count(
        &mut db,
        &format!("MATCH (p:Person {{id: {med}}})-[:KNOWS]-(f) RETURN count(f)"),
    );
    eprintln!(
        "engine bench graph: {PERSONS} persons, {KNOWS} knows; hub degree {hub_deg}, person {med} degree {med_deg}"
    );

    let mut g = c.benchmark_group("expand");
    g.sample_size(10);
    for (name, id) in [("hub", 0), ("median", med)] {
        let one = format!("MATCH (p:Person {{id: {id}}})-[:KNOWS]-(f:Person) RETURN count(f)");
        let two = format!(
            "MATCH (p:Person {{id: {id}}})-[:KNOWS]-(:Person)-[:KNOWS]-(fof:Person) WHERE fof <> p RETURN count(DISTINCT fof)"
        );
        g.bench_function(format!("1-hop {name}"), |b| b.iter(|| count(&mut db, &one)));
        g.bench_function(format!("2-hop distinct {name}"), |b| b.iter(|| count(&mut db, &two)));
    }
    // the node lookup alone, which the hops above include: through the index, and by a label scan
    g.bench_function("find person by id (index)", |b| {
        b.iter(|| count(&mut db, "MATCH (p:Person {id: 50000}) RETURN count(p)"))
    });
    g.bench_function("find person by age + 0 (scan)", |b| {
        b.iter(|| count(&mut db, "MATCH (p:Person) WHERE p.age + 0 = 200 RETURN count(p)"))
    });
    g.finish();

    let mut g = c.benchmark_group("aggregate");
    g.sample_size(10);
    g.bench_function("count 100k nodes", |b| {
        b.iter(|| count(&mut db, "MATCH (p:Person) RETURN count(*)"))
    });
    g.bench_function("group 100k nodes by country (50 groups)", |b| {
        b.iter(|| {
            db.execute(
                "MATCH (p:Person) WHERE p.age > 30 RETURN p.country AS country, count(*) AS n ORDER BY n DESC, country",
                &Params::new(),
            )
            .unwrap()
        })
    });
    g.bench_function("avg over 100k nodes", |b| {
        b.iter(|| {
            db.execute("MATCH (p:Person) RETURN avg(p.age)", &Params::new())
                .unwrap()
        })
    });
    g.bench_function("group 100k unwound rows (50 groups)", |b| {
        b.iter(|| {
            db.execute(
                "UNWIND range(1, 100000) AS i RETURN i % 50 AS k, count(*) AS n",
                &Params::new(),
            )
            .unwrap()
        })
    });
    g.finish();
}

/// Reading pipelines that stop early: a few rows of a 2M-node scan, the top 3
/// of it, and one row of 9M unwound integers (against counting them all).
fn bench_streaming(c: &mut Criterion) {
    let mut db = Database::in_memory();
    db.execute("UNWIND range(1, 2000000) AS i CREATE (:P {i: i})", &Params::new())
        .unwrap();
    let mut g = c.benchmark_group("streaming");
    g.sample_size(10);
    let first_rows = |db: &mut Database, q: &str, n: usize| {
        let rows: Vec<_> = db.query(q, &Params::new()).unwrap().take(n).collect();
        assert_eq!(rows.len(), n);
        rows
    };
    g.bench_function("2M nodes: RETURN p.i LIMIT 5", |b| {
        b.iter(|| first_rows(&mut db, "MATCH (p:P) RETURN p.i LIMIT 5", 5))
    });
    g.bench_function("2M nodes: first 5 rows of RETURN p.i (no LIMIT)", |b| {
        b.iter(|| first_rows(&mut db, "MATCH (p:P) RETURN p.i", 5))
    });
    g.bench_function("2M nodes: ORDER BY p.i DESC LIMIT 3", |b| {
        b.iter(|| first_rows(&mut db, "MATCH (p:P) WITH p ORDER BY p.i DESC RETURN p.i LIMIT 3", 3))
    });
    g.bench_function("UNWIND range(1, 9000000) LIMIT 1", |b| {
        b.iter(|| first_rows(&mut db, "UNWIND range(1, 9000000) AS x RETURN x LIMIT 1", 1))
    });
    g.bench_function("UNWIND range(1, 9000000) count", |b| {
        b.iter(|| count(&mut db, "UNWIND range(1, 9000000) AS x RETURN count(x)"))
    });
    g.finish();
}

criterion_group!(benches, bench_parse_plan, bench_graph, bench_streaming);
criterion_main!(benches);
