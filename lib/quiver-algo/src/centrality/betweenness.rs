//! Brandes betweenness centrality, exact or estimated from sampled sources, as networkx's
//! `betweenness_centrality` (with `endpoints=False`) computes it.

use std::collections::BinaryHeap;

use crate::csr::{Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::paths::Key;
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, SplitMix64, Weight};

/// Parameters of [`betweenness`]; the defaults are the procedure's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetweennessOptions {
    /// Which way paths follow relationships (`orientation`, default `NATURAL`).
    pub orientation: Orientation,
    /// Divide by the number of node pairs (`normalized`, default true).
    pub normalized: bool,
    /// Estimate from this many sampled sources (`samplingSize`, default all nodes: exact).
    pub sampling_size: Option<usize>,
    /// Seed of the source sample (`samplingSeed`, default 0).
    pub sampling_seed: u64,
}

impl Default for BetweennessOptions {
    fn default() -> Self {
        BetweennessOptions {
            orientation: Orientation::Natural,
            normalized: true,
            sampling_size: None,
            sampling_seed: 0,
        }
    }
}

/// Betweenness centrality: for each node `v`, the sum over pairs `s != v != t` of the
/// fraction of shortest `s`–`t` paths through `v` (Brandes 2001), as networkx's
/// `betweenness_centrality(G, k, normalized, weight, endpoints=False, seed)` defines it.
///
/// Without a weight, path length is the number of relationships (breadth-first search);
/// with one, the sum of weights (Dijkstra; weights must be non-negative, zero weights are
/// accepted but, as networkx warns, make path counts ill-defined). Parallel relationships
/// count as one step (the cheapest of them when weighted), and self-loops lie on no
/// shortest path — as in networkx, which walks a node's distinct neighbours.
///
/// Sampling (`sampling_size = Some(k)`, `k < n`): `k` distinct sources are drawn uniformly
/// without replacement by [`SplitMix64`] seeded with `sampling_seed` (the first `k` steps of
/// a Fisher–Yates shuffle of the nodes in `node_identifiers` order); only paths from those
/// sources are counted, to every target, and the sums are rescaled as networkx does since
/// 3.5: a sampled source `v` can only be passed by paths from the `k - 1` other sources and
/// is scaled by `1 / ((k - 1)(n - 2))`, any other node by `1 / (k (n - 2))` (normalized), or by
/// `(n - 1) / ((k - 1) c)` and `(n - 1) / (k c)` unnormalized, with `c` = 2 for undirected
/// paths and 1 for directed ones. `k = n` is the exact computation. Where networkx gives NaN
/// (the one source when `k = 1`), this gives 0. [`betweenness_from_sources`] takes the
/// sources from the caller instead.
///
/// Exact scaling: normalized, divided by `(n - 1)(n - 2)`; unnormalized, undirected sums are
/// halved (each pair is walked from both ends). Graphs with fewer than 3 nodes are not scaled.
///
/// Errors: `samplingSize` 0 or above the node count, a negative or non-finite weight,
/// [`AlgoError::Interrupted`].
pub fn betweenness<G: AlgoGraph>(
    g: G,
    opts: &BetweennessOptions,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, f64>, AlgoError> {
    let nodes = Nodes::of(g);
    let n = nodes.len();
    let sources: Vec<u32> = match opts.sampling_size {
        Some(0) => {
            return Err(AlgoError::OutOfRange {
                parameter: "samplingSize",
                expected: "at least 1",
                value: 0.0,
            })
        }
        Some(k) if k > n => {
            return Err(AlgoError::OutOfRange {
                parameter: "samplingSize",
                expected: "at most the number of nodes",
                value: k as f64,
            })
        }
        Some(k) if k < n => SplitMix64::new(opts.sampling_seed)
            .sample(n, k)
            .into_iter()
            .map(|s| s as u32)
            .collect(),
        _ => (0..n as u32).collect(),
    };
    run(g, &nodes, opts, weight, &sources, interrupt)
}

/// [`betweenness`] with the sampled sources given by the caller (`sampling_size` and
/// `sampling_seed` are ignored): paths from `sources` only, rescaled as for a sample of
/// `sources.len()` nodes (or exactly, when every node is a source). A source listed twice
/// counts once; no sources give all zeros.
///
/// Errors: a source not in the graph (`sourceNodes`), those of [`betweenness`].
pub fn betweenness_from_sources<G: AlgoGraph>(
    g: G,
    opts: &BetweennessOptions,
    weight: Weight<'_, G::EdgeRef>,
    sources: &[G::NodeId],
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, f64>, AlgoError> {
    let nodes = Nodes::of(g);
    let mut seen = vec![false; nodes.len()];
    let mut dense = Vec::with_capacity(sources.len());
    for &s in sources {
        let d = nodes.index_of(g, s).ok_or(AlgoError::NodeNotFound {
            parameter: "sourceNodes",
        })?;
        if !std::mem::replace(&mut seen[d as usize], true) {
            dense.push(d);
        }
    }
    run(g, &nodes, opts, weight, &dense, interrupt)
}

fn run<G: AlgoGraph>(
    g: G,
    nodes: &Nodes<G::NodeId>,
    opts: &BetweennessOptions,
    weight: Weight<'_, G::EdgeRef>,
    sources: &[u32],
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, f64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let n = nodes.len();
    let dir = Dir::of(opts.orientation, g.is_directed());
    let weighted = weight.is_some();
    let mut spec = Spec::plain(dir, Loops::Drop, Merge::Min);
    if weighted {
        spec = spec.weighted(weight, false);
    }
    let csr = Csr::build(g, nodes, spec, &mut ticker)?;
    let mut state = State::new(n);
    for &s in sources {
        ticker.check()?;
        if weighted {
            state.dijkstra(&csr, s, &mut ticker)?;
        } else {
            state.bfs(&csr, s, &mut ticker)?;
        }
        state.accumulate(&csr, s, weighted);
    }
    let mut scores = state.score;
    rescale(&mut scores, sources, n, opts.normalized, dir != Dir::Both);
    Ok(nodes.zip(scores))
}

/// Per-source working arrays, reset after each source by walking `order`.
struct State {
    /// Hops from the source (`u32::MAX`: not reached), breadth-first.
    hops: Vec<u32>,
    /// Distance from the source (`INFINITY`: not reached), Dijkstra.
    dist: Vec<f64>,
    /// Position in `order` (Dijkstra), to tell which of two equally far nodes settled first.
    rank: Vec<u32>,
    /// Number of shortest paths from the source; during back-propagation, once a node is
    /// done, `(1 + delta) / sigma` (delta: the source's dependency on it), which is all its
    /// predecessors need — one array instead of two keeps the working set small.
    sigma: Vec<f64>,
    /// Nodes in the order they were settled.
    order: Vec<u32>,
    heap: BinaryHeap<(Key, u32)>,
    score: Vec<f64>,
}

impl State {
    fn new(n: usize) -> Self {
        State {
            hops: vec![u32::MAX; n],
            dist: vec![f64::INFINITY; n],
            rank: vec![u32::MAX; n],
            sigma: vec![0.0; n],
            order: Vec::with_capacity(n),
            heap: BinaryHeap::new(),
            score: vec![0.0; n],
        }
    }

    fn bfs(&mut self, csr: &Csr, s: u32, ticker: &mut Ticker<'_>) -> Result<(), AlgoError> {
        self.order.push(s);
        self.hops[s as usize] = 0;
        self.sigma[s as usize] = 1.0;
        let mut head = 0;
        while head < self.order.len() {
            ticker.tick()?;
            let v = self.order[head] as usize;
            head += 1;
            let next = self.hops[v] + 1;
            let sigma_v = self.sigma[v];
            for &w in csr.neighbors(v) {
                let w = w as usize;
                if self.hops[w] == u32::MAX {
                    self.hops[w] = next;
                    self.order.push(w as u32);
                }
                if self.hops[w] == next {
                    self.sigma[w] += sigma_v;
                }
            }
        }
        Ok(())
    }

    fn dijkstra(&mut self, csr: &Csr, s: u32, ticker: &mut Ticker<'_>) -> Result<(), AlgoError> {
        self.dist[s as usize] = 0.0;
        self.sigma[s as usize] = 1.0;
        self.heap.push((Key(0.0), s));
        while let Some((Key(d), v)) = self.heap.pop() {
            let v = v as usize;
            if self.rank[v] != u32::MAX || d > self.dist[v] {
                continue;
            }
            ticker.tick()?;
            self.rank[v] = self.order.len() as u32;
            self.order.push(v as u32);
            let sigma_v = self.sigma[v];
            let range = csr.range(v);
            for (&w, &len) in csr.targets[range.clone()].iter().zip(&csr.weights[range]) {
                let w = w as usize;
                if self.rank[w] != u32::MAX {
                    continue;
                }
                let through = d + len;
                if through < self.dist[w] {
                    self.dist[w] = through;
                    self.sigma[w] = sigma_v;
                    self.heap.push((Key(through), w as u32));
                } else if through == self.dist[w] {
                    self.sigma[w] += sigma_v;
                }
            }
        }
        Ok(())
    }

    /// Brandes' back-propagation in reverse settling order, pulling from the successors on
    /// shortest paths (all settled later, so already done): `delta[v] = sigma[v] * Σ (1 +
    /// delta[w]) / sigma[w]`.
    fn accumulate(&mut self, csr: &Csr, s: u32, weighted: bool) {
        for i in (0..self.order.len()).rev() {
            let v = self.order[i] as usize;
            let mut pull = 0.0;
            if weighted {
                let d = self.dist[v];
                let rank = self.rank[v];
                let range = csr.range(v);
                for (&w, &len) in csr.targets[range.clone()].iter().zip(&csr.weights[range]) {
                    let w = w as usize;
                    if self.rank[w] != u32::MAX && self.rank[w] > rank && d + len == self.dist[w] {
                        pull += self.sigma[w];
                    }
                }
            } else {
                let next = self.hops[v] + 1;
                for &w in csr.neighbors(v) {
                    if self.hops[w as usize] == next {
                        pull += self.sigma[w as usize];
                    }
                }
            }
            let sigma_v = self.sigma[v];
            let dependency = sigma_v * pull;
            if v != s as usize {
                self.score[v] += dependency;
            }
            self.sigma[v] = (1.0 + dependency) / sigma_v;
        }
        for &v in &self.order {
            let v = v as usize;
            self.hops[v] = u32::MAX;
            self.dist[v] = f64::INFINITY;
            self.rank[v] = u32::MAX;
            self.sigma[v] = 0.0;
        }
        self.order.clear();
        self.heap.clear();
    }
}

/// networkx's `_rescale` with `endpoints=False`.
fn rescale(scores: &mut [f64], sources: &[u32], n: usize, normalized: bool, directed: bool) {
    if n < 3 {
        return;
    }
    let pairs_end = (n - 1) as f64; // N in networkx
    let correction = if directed { 1.0 } else { 2.0 };
    let k = sources.len();
    if k == 0 {
        return;
    }
    if k == n {
        let scale = if normalized {
            1.0 / (pairs_end * (pairs_end - 1.0))
        } else {
            1.0 / correction
        };
        scores.iter_mut().for_each(|s| *s *= scale);
        return;
    }
    let kf = k as f64;
    let (source_scale, other_scale) = if normalized {
        (1.0 / ((kf - 1.0) * (pairs_end - 1.0)), 1.0 / (kf * (pairs_end - 1.0)))
    } else {
        (pairs_end / ((kf - 1.0) * correction), pairs_end / (kf * correction))
    };
    let mut is_source = vec![false; n];
    for &s in sources {
        is_source[s as usize] = true;
    }
    for (v, s) in scores.iter_mut().enumerate() {
        if is_source[v] {
            *s = if k > 1 { *s * source_scale } else { 0.0 };
        } else {
            *s *= other_scale;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeReference, UnGraph};

    fn values(v: NodeValues<petgraph::graph::NodeIndex, f64>) -> Vec<f64> {
        v.into_iter().map(|(_, s)| s).collect()
    }

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn paths_of_three() {
        let g = UnGraph::<(), ()>::from_edges([(0, 1), (1, 2)]);
        let raw = BetweennessOptions {
            normalized: false,
            ..Default::default()
        };
        close(&values(betweenness(&g, &raw, None, &never).unwrap()), &[0.0, 1.0, 0.0]);
        close(
            &values(betweenness(&g, &Default::default(), None, &never).unwrap()),
            &[0.0, 1.0, 0.0],
        );
        let d = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2)]);
        close(&values(betweenness(&d, &raw, None, &never).unwrap()), &[0.0, 1.0, 0.0]);
        close(
            &values(betweenness(&d, &Default::default(), None, &never).unwrap()),
            &[0.0, 0.5, 0.0],
        );
    }

    #[test]
    fn a_square_splits_paths_and_parallel_or_looping_relationships_change_nothing() {
        // 0-1-2-3-0: each pair of opposite nodes has two shortest paths.
        let g = UnGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 3), (3, 0)]);
        let raw = BetweennessOptions {
            normalized: false,
            ..Default::default()
        };
        close(&values(betweenness(&g, &raw, None, &never).unwrap()), &[0.5; 4]);
        let h = UnGraph::<(), ()>::from_edges([(0, 1), (0, 1), (1, 2), (2, 3), (3, 0), (2, 2)]);
        close(&values(betweenness(&h, &raw, None, &never).unwrap()), &[0.5; 4]);
    }

    #[test]
    fn weights_choose_the_paths() {
        // 0 -> 1 -> 2 costs 2, 0 -> 2 costs 5: node 1 carries the 0 -> 2 path.
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 5.0)]);
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        let raw = BetweennessOptions {
            normalized: false,
            ..Default::default()
        };
        close(
            &values(betweenness(&g, &raw, Some(&w), &never).unwrap()),
            &[0.0, 1.0, 0.0],
        );
        // Equal costs split the path in half.
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 2.0)]);
        close(
            &values(betweenness(&g, &raw, Some(&w), &never).unwrap()),
            &[0.0, 0.5, 0.0],
        );
        // Unweighted, the direct relationship wins.
        close(&values(betweenness(&g, &raw, None, &never).unwrap()), &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn sampling_rescales_as_networkx() {
        // The path 0-1-2-3-4 sampled at {0, 4}: non-sources scale by (n-1)/(k*2) = 1.
        let g = UnGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 3), (3, 4)]);
        let ids: Vec<_> = g.node_indices().collect();
        let raw = BetweennessOptions {
            normalized: false,
            ..Default::default()
        };
        let got = values(betweenness_from_sources(&g, &raw, None, &[ids[0], ids[4]], &never).unwrap());
        // From 0: 1 gets 3 (targets 2,3,4), 2 gets 2, 3 gets 1; from 4 symmetric: [0, 4, 4, 4, 0].
        close(&got, &[0.0, 4.0, 4.0, 4.0, 0.0]);
        let norm = values(betweenness_from_sources(&g, &Default::default(), None, &[ids[0], ids[4]], &never).unwrap());
        close(&norm, &[0.0, 4.0 / 6.0, 4.0 / 6.0, 4.0 / 6.0, 0.0]);
        // A sampled source is only reached by the other sources' paths.
        let got = values(betweenness_from_sources(&g, &raw, None, &[ids[0], ids[2]], &never).unwrap());
        // From 0: [0,3,2,1,0]; from 2: [0,1,0,1,0]; node 2 is a source: 2 * 4 / ((2-1)*2) = 4.
        close(&got, &[0.0, 4.0, 4.0, 2.0, 0.0]);
    }

    #[test]
    fn sampling_is_deterministic_for_a_seed() {
        let g = UnGraph::<(), ()>::from_edges((0..60u32).map(|i| (i, (i * 7 + 3) % 60)));
        let opts = BetweennessOptions {
            sampling_size: Some(10),
            sampling_seed: 5,
            ..Default::default()
        };
        let a = betweenness(&g, &opts, None, &never).unwrap();
        assert_eq!(a, betweenness(&g, &opts, None, &never).unwrap());
        let all = BetweennessOptions {
            sampling_size: Some(60),
            ..Default::default()
        };
        assert_eq!(
            betweenness(&g, &all, None, &never).unwrap(),
            betweenness(&g, &Default::default(), None, &never).unwrap()
        );
    }

    #[test]
    fn errors() {
        let g = UnGraph::<(), f64>::from_edges([(0, 1, -1.0)]);
        let opts = BetweennessOptions {
            sampling_size: Some(3),
            ..Default::default()
        };
        assert!(matches!(
            betweenness(&g, &opts, None, &never),
            Err(AlgoError::OutOfRange {
                parameter: "samplingSize",
                ..
            })
        ));
        let w = |e: EdgeReference<'_, f64>| *e.weight();
        assert!(matches!(
            betweenness(&g, &Default::default(), Some(&w), &never),
            Err(AlgoError::NegativeWeight { .. })
        ));
        let stop = || true;
        assert_eq!(
            betweenness(&g, &Default::default(), None, &stop),
            Err(AlgoError::Interrupted)
        );
        let other = UnGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
        let missing = other.node_indices().next_back().unwrap();
        assert_eq!(
            betweenness_from_sources(&g, &Default::default(), None, &[missing], &never),
            Err(AlgoError::NodeNotFound {
                parameter: "sourceNodes"
            })
        );
    }
}
