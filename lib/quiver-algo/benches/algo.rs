//! Benchmarks on a seeded power-law graph of 100k nodes and 1M relationships.
//!
//! The graph is directed: each relationship starts at a uniformly drawn node and, with
//! probability 0.8, ends at the end of an earlier relationship (preferential attachment, so
//! in-degrees follow a power law), else at a uniform node. Set `QUIVER_ALGO_BENCH_EDGES` to a
//! path to also write the edge list there (`source target` per line) for other libraries.

use std::hint::black_box;
use std::io::Write;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use petgraph::stable_graph::StableDiGraph;
use quiver_algo::*;

const NODES: usize = 100_000;
const EDGES: usize = 1_000_000;

fn never() -> bool {
    false
}

fn power_law(seed: u64) -> StableDiGraph<(), f64> {
    let mut rng = SplitMix64::new(seed);
    let mut g = StableDiGraph::with_capacity(NODES, EDGES);
    let nodes: Vec<_> = (0..NODES).map(|_| g.add_node(())).collect();
    let mut ends: Vec<usize> = Vec::with_capacity(EDGES);
    let mut edges = Vec::with_capacity(EDGES);
    for _ in 0..EDGES {
        let u = rng.below(NODES);
        let v = if !ends.is_empty() && rng.below(10) < 8 {
            ends[rng.below(ends.len())]
        } else {
            rng.below(NODES)
        };
        ends.push(v);
        edges.push((u, v));
        g.add_edge(nodes[u], nodes[v], 1.0 + rng.below(9) as f64);
    }
    if let Ok(path) = std::env::var("QUIVER_ALGO_BENCH_EDGES") {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("edge list file"));
        for (u, v) in edges {
            writeln!(out, "{u} {v}").unwrap();
        }
    }
    g
}

fn algorithms(c: &mut Criterion) {
    let g = power_law(42);
    let g = &g;
    let mut group = c.benchmark_group("power_law_100k_1m");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    group.bench_function("pagerank_20_iterations", |b| {
        // A zero tolerance runs all 20 iterations.
        let opts = PageRankOptions {
            tolerance: 0.0,
            ..Default::default()
        };
        b.iter(|| black_box(pagerank(g, &opts, None, &never).unwrap()))
    });
    group.bench_function("wcc", |b| b.iter(|| black_box(wcc(g, &never).unwrap())));
    group.bench_function("scc", |b| {
        b.iter(|| black_box(scc(g, Orientation::Natural, &never).unwrap()))
    });
    group.bench_function("betweenness_sampled_100", |b| {
        let opts = BetweennessOptions {
            sampling_size: Some(100),
            sampling_seed: 7,
            ..Default::default()
        };
        b.iter(|| black_box(betweenness(g, &opts, None, &never).unwrap()))
    });
    group.bench_function("triangle_count", |b| {
        b.iter(|| black_box(triangle_count(g, &never).unwrap()))
    });
    group.bench_function("louvain", |b| {
        let opts = LouvainOptions {
            orientation: Orientation::Undirected,
            ..Default::default()
        };
        b.iter(|| black_box(louvain(g, &opts, None, &never).unwrap()))
    });
    group.bench_function("kcore", |b| {
        b.iter(|| black_box(kcore(g, Orientation::Undirected, &never).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, algorithms);
criterion_main!(benches);
