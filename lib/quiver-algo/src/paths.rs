//! Traversal and paths: breadth-first depths, Dijkstra, Yen's k shortest loopless paths,
//! and the minimum spanning forest.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashSet};

use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;

use crate::csr::{Csr, Dir, Loops, Merge, Nodes, Spec, Ticker};
use crate::error::check_weight;
use crate::{AlgoError, AlgoGraph, Interrupt, NodeValues, Orientation, Weight};

const NONE: u32 = u32::MAX;

/// A heap key ordering distances so that `BinaryHeap` pops the smallest first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Key(pub(crate) f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0)
    }
}

/// Single-source search state over a CSR projection, reusable across sources: only the
/// nodes a search touched are reset before the next.
pub(crate) struct Search {
    /// Hops from the source (breadth-first); `NONE` when not reached.
    pub(crate) hops: Vec<u32>,
    /// Distance from the source (Dijkstra); `INFINITY` when not reached.
    pub(crate) dist: Vec<f64>,
    /// The node before each reached node on its shortest path (`NONE` for the source).
    pub(crate) pred: Vec<u32>,
    /// The CSR entry leading from `pred` to the node.
    pub(crate) pred_entry: Vec<usize>,
    done: Vec<bool>,
    touched: Vec<u32>,
    order: Vec<u32>,
    heap: BinaryHeap<(Key, u32)>,
}

impl Search {
    pub(crate) fn new(n: usize) -> Self {
        Search {
            hops: vec![NONE; n],
            dist: vec![f64::INFINITY; n],
            pred: vec![NONE; n],
            pred_entry: vec![usize::MAX; n],
            done: vec![false; n],
            touched: Vec::new(),
            order: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn reset(&mut self) {
        for &v in &self.touched {
            let v = v as usize;
            self.hops[v] = NONE;
            self.dist[v] = f64::INFINITY;
            self.pred[v] = NONE;
            self.pred_entry[v] = usize::MAX;
            self.done[v] = false;
        }
        self.touched.clear();
        self.order.clear();
        self.heap.clear();
    }

    /// The nodes reached by the last search, in the order they were settled.
    pub(crate) fn settled(&self) -> &[u32] {
        &self.order
    }

    /// Breadth-first search from `s`, to depth `max_depth` at most.
    pub(crate) fn bfs(
        &mut self,
        csr: &Csr,
        s: u32,
        max_depth: Option<u64>,
        ticker: &mut Ticker<'_>,
    ) -> Result<(), AlgoError> {
        self.reset();
        self.hops[s as usize] = 0;
        self.touched.push(s);
        self.order.push(s);
        let mut head = 0;
        while head < self.order.len() {
            ticker.tick()?;
            let v = self.order[head] as usize;
            head += 1;
            let depth = self.hops[v];
            if max_depth.is_some_and(|d| depth as u64 >= d) {
                continue;
            }
            for &w in csr.neighbors(v) {
                if self.hops[w as usize] == NONE {
                    self.hops[w as usize] = depth + 1;
                    self.touched.push(w);
                    self.order.push(w);
                }
            }
        }
        Ok(())
    }

    /// Dijkstra from `s` over the CSR weights, stopping once `target` is settled; nodes
    /// and entries marked in `banned` are not used (for Yen's spur searches).
    pub(crate) fn dijkstra(
        &mut self,
        csr: &Csr,
        s: u32,
        target: Option<u32>,
        banned: Option<(&[bool], &[bool])>,
        ticker: &mut Ticker<'_>,
    ) -> Result<(), AlgoError> {
        self.reset();
        self.dist[s as usize] = 0.0;
        self.touched.push(s);
        self.heap.push((Key(0.0), s));
        while let Some((Key(d), v)) = self.heap.pop() {
            let v = v as usize;
            if self.done[v] || d > self.dist[v] {
                continue;
            }
            ticker.tick()?;
            self.done[v] = true;
            self.order.push(v as u32);
            if target == Some(v as u32) {
                break;
            }
            for i in csr.range(v) {
                let w = csr.targets[i] as usize;
                if self.done[w] {
                    continue;
                }
                if let Some((nodes, entries)) = banned {
                    if nodes[w] || entries[i] {
                        continue;
                    }
                }
                let through = d + csr.weights[i];
                if through < self.dist[w] {
                    if self.dist[w] == f64::INFINITY {
                        self.touched.push(w as u32);
                    }
                    self.dist[w] = through;
                    self.pred[w] = v as u32;
                    self.pred_entry[w] = i;
                    self.heap.push((Key(through), w as u32));
                }
            }
        }
        Ok(())
    }

    /// The nodes and CSR entries of the shortest path found to `t` (which must be settled).
    fn path_to(&self, t: u32) -> (Vec<u32>, Vec<usize>) {
        let mut nodes = vec![t];
        let mut entries = Vec::new();
        let mut v = t;
        while self.pred[v as usize] != NONE {
            entries.push(self.pred_entry[v as usize]);
            v = self.pred[v as usize];
            nodes.push(v);
        }
        nodes.reverse();
        entries.reverse();
        (nodes, entries)
    }
}

/// A path found by [`dijkstra`] or [`k_shortest_paths`].
#[derive(Debug, Clone, PartialEq)]
pub struct Path<N, E> {
    /// The nodes from source to target.
    pub nodes: Vec<N>,
    /// The relationships between consecutive nodes (one fewer than `nodes`).
    pub relationships: Vec<E>,
    /// The sum of the relationships' weights (their number, unweighted).
    pub cost: f64,
}

/// Breadth-first search from `source`: each reachable node with its depth (number of
/// relationships from `source`, which has depth 0), in visiting order, not going deeper
/// than `max_depth` (`maxDepth`, default unbounded). Relationships are followed as
/// `orientation` says.
///
/// Errors: `source` not in the graph, [`AlgoError::Interrupted`].
pub fn bfs<G: AlgoGraph>(
    g: G,
    source: G::NodeId,
    max_depth: Option<u64>,
    orientation: Orientation,
    interrupt: Interrupt<'_>,
) -> Result<NodeValues<G::NodeId, u64>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let s = nodes
        .index_of(g, source)
        .ok_or(AlgoError::NodeNotFound { parameter: "source" })?;
    let dir = Dir::of(orientation, g.is_directed());
    let csr = Csr::build(g, &nodes, Spec::plain(dir, Loops::Drop, Merge::Keep), &mut ticker)?;
    let mut search = Search::new(nodes.len());
    search.bfs(&csr, s, max_depth, &mut ticker)?;
    Ok(search
        .settled()
        .iter()
        .map(|&v| (nodes.ids[v as usize], search.hops[v as usize] as u64))
        .collect())
}

/// The projection and relationship ids the weighted path functions share: each pair of
/// adjacent nodes keeps its cheapest relationship.
struct Weighted<N, E> {
    nodes: Nodes<N>,
    csr: Csr,
    ids: Vec<E>,
}

impl<N: Copy, E> Weighted<N, E> {
    fn build<G>(
        g: G,
        orientation: Orientation,
        weight: Weight<'_, G::EdgeRef>,
        ticker: &mut Ticker<'_>,
    ) -> Result<Self, AlgoError>
    where
        G: AlgoGraph<NodeId = N, EdgeId = E>,
    {
        let nodes = Nodes::of(g);
        let dir = Dir::of(orientation, g.is_directed());
        let spec = Spec::plain(dir, Loops::Drop, Merge::Min)
            .weighted(weight, false)
            .with_edges();
        let csr = Csr::build(g, &nodes, spec, ticker)?;
        let ids = g.edge_references().map(|e| e.id()).collect();
        Ok(Weighted { nodes, csr, ids })
    }

    fn path(&self, nodes: &[u32], entries: &[usize]) -> Path<N, E>
    where
        E: Copy,
    {
        Path {
            nodes: nodes.iter().map(|&v| self.nodes.ids[v as usize]).collect(),
            relationships: entries.iter().map(|&i| self.ids[self.csr.edges[i] as usize]).collect(),
            cost: entries.iter().map(|&i| self.csr.weights[i]).sum(),
        }
    }

    fn endpoint<G: AlgoGraph<NodeId = N>>(&self, g: G, id: N, parameter: &'static str) -> Result<u32, AlgoError> {
        self.nodes.index_of(g, id).ok_or(AlgoError::NodeNotFound { parameter })
    }
}

/// Weighted shortest paths from `source` (Dijkstra): the one to `target`, if given and
/// reachable, else one to every node reachable from `source` (the source itself left out),
/// in order of increasing cost. Without a weight every relationship costs 1. Of parallel
/// relationships the cheapest is used; self-loops are never on a shortest path.
///
/// Errors: `source` or `target` not in the graph, a negative weight (`weightProperty`) or a
/// non-finite one, [`AlgoError::Interrupted`].
#[allow(clippy::type_complexity)]
pub fn dijkstra<G: AlgoGraph>(
    g: G,
    source: G::NodeId,
    target: Option<G::NodeId>,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<Vec<Path<G::NodeId, G::EdgeId>>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let w = Weighted::build(g, orientation, weight, &mut ticker)?;
    let s = w.endpoint(g, source, "source")?;
    let t = target.map(|t| w.endpoint(g, t, "target")).transpose()?;
    let mut search = Search::new(w.nodes.len());
    search.dijkstra(&w.csr, s, t, None, &mut ticker)?;
    let path = |v: u32| {
        let (nodes, entries) = search.path_to(v);
        w.path(&nodes, &entries)
    };
    Ok(match t {
        Some(t) if search.done[t as usize] => vec![path(t)],
        Some(_) => Vec::new(),
        None => search.settled().iter().skip(1).map(|&v| path(v)).collect(),
    })
}

/// The `k` shortest loopless paths from `source` to `target` by Yen's algorithm (Yen 1971),
/// in order of increasing cost — the first `k` paths networkx's `shortest_simple_paths`
/// yields, up to the order of equal-cost paths. A path is a sequence of distinct nodes; of
/// parallel relationships the cheapest represents the pair. Fewer than `k` paths come back
/// when fewer exist. Without a weight every relationship costs 1. Among candidates of equal
/// cost, the one with fewer nodes, then the lexicographically smaller dense node sequence,
/// is taken first, so the result is deterministic.
///
/// Errors: `k` 0, `source` or `target` not in the graph, a negative or non-finite weight,
/// [`AlgoError::Interrupted`].
#[allow(clippy::type_complexity)]
pub fn k_shortest_paths<G: AlgoGraph>(
    g: G,
    source: G::NodeId,
    target: G::NodeId,
    k: usize,
    orientation: Orientation,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<Vec<Path<G::NodeId, G::EdgeId>>, AlgoError> {
    if k == 0 {
        return Err(AlgoError::OutOfRange {
            parameter: "k",
            expected: "at least 1",
            value: 0.0,
        });
    }
    let mut ticker = Ticker::new(interrupt);
    let w = Weighted::build(g, orientation, weight, &mut ticker)?;
    let s = w.endpoint(g, source, "source")?;
    let t = w.endpoint(g, target, "target")?;
    let csr = &w.csr;
    let mut search = Search::new(w.nodes.len());
    search.dijkstra(csr, s, Some(t), None, &mut ticker)?;
    if !search.done[t as usize] {
        return Ok(Vec::new());
    }
    let cost = |entries: &[usize]| -> f64 { entries.iter().map(|&i| csr.weights[i]).sum() };
    let mut found: Vec<(Vec<u32>, Vec<usize>)> = vec![search.path_to(t)];
    let mut known: HashSet<Vec<u32>> = HashSet::new();
    known.insert(found[0].0.clone());
    let mut candidates: Vec<(f64, Vec<u32>, Vec<usize>)> = Vec::new();
    let mut banned_nodes = vec![false; w.nodes.len()];
    let mut banned_entries = vec![false; csr.entry_count()];
    while found.len() < k {
        ticker.check()?;
        let (last_nodes, last_entries) = found.last().expect("at least one path").clone();
        for i in 0..last_nodes.len() - 1 {
            ticker.check()?;
            let spur = last_nodes[i];
            let root = &last_nodes[..=i];
            let mut cut = Vec::new();
            for (nodes, entries) in &found {
                if nodes.len() > i + 1 && &nodes[..=i] == root {
                    cut.push(entries[i]);
                }
            }
            for &e in &cut {
                banned_entries[e] = true;
            }
            for &v in &root[..i] {
                banned_nodes[v as usize] = true;
            }
            search.dijkstra(csr, spur, Some(t), Some((&banned_nodes, &banned_entries)), &mut ticker)?;
            if search.done[t as usize] {
                let (spur_nodes, spur_entries) = search.path_to(t);
                let mut nodes = root[..i].to_vec();
                nodes.extend_from_slice(&spur_nodes);
                if known.insert(nodes.clone()) {
                    let mut entries = last_entries[..i].to_vec();
                    entries.extend_from_slice(&spur_entries);
                    candidates.push((cost(&entries), nodes, entries));
                }
            }
            for &e in &cut {
                banned_entries[e] = false;
            }
            for &v in &root[..i] {
                banned_nodes[v as usize] = false;
            }
        }
        let Some(best) = (0..candidates.len()).min_by(|&a, &b| {
            let (ca, na, _) = &candidates[a];
            let (cb, nb, _) = &candidates[b];
            ca.total_cmp(cb).then(na.len().cmp(&nb.len())).then_with(|| na.cmp(nb))
        }) else {
            break;
        };
        let (_, nodes, entries) = candidates.swap_remove(best);
        found.push((nodes, entries));
    }
    Ok(found.iter().map(|(nodes, entries)| w.path(nodes, entries)).collect())
}

/// A minimum spanning forest found by [`spanning_forest`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpanningForest<E> {
    /// The relationships of the forest, in the order Kruskal took them.
    pub relationships: Vec<E>,
    /// Their total weight.
    pub total_weight: f64,
}

/// A minimum spanning forest of the graph taken as undirected (a minimum spanning tree of
/// each connected component), by Kruskal's algorithm on petgraph's `UnionFind`:
/// relationships by increasing weight (ties in `edge_references` order), each kept when it
/// joins two trees. Self-loops are never taken; each parallel relationship is a candidate.
/// Negative weights are allowed. Without a weight every relationship weighs 1.
///
/// Errors: a non-finite weight, [`AlgoError::Interrupted`].
pub fn spanning_forest<G: AlgoGraph>(
    g: G,
    weight: Weight<'_, G::EdgeRef>,
    interrupt: Interrupt<'_>,
) -> Result<SpanningForest<G::EdgeId>, AlgoError> {
    let mut ticker = Ticker::new(interrupt);
    let nodes = Nodes::of(g);
    let mut edges: Vec<(f64, u32, u32, G::EdgeId)> = Vec::new();
    for e in g.edge_references() {
        ticker.tick()?;
        let Some((s, t)) = nodes.ends(g, &e) else { continue };
        if s == t {
            continue;
        }
        let w = match weight {
            Some(f) => check_weight(f(e), true)?,
            None => 1.0,
        };
        edges.push((w, s, t, e.id()));
    }
    // A stable sort keeps equal weights in edge_references order.
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut trees = UnionFind::<u32>::new(nodes.len());
    let mut forest = SpanningForest {
        relationships: Vec::new(),
        total_weight: 0.0,
    };
    for (w, s, t, id) in edges {
        ticker.tick()?;
        if trees.union(s, t) {
            forest.relationships.push(id);
            forest.total_weight += w;
        }
    }
    Ok(forest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csr::tests::never;
    use petgraph::graph::{DiGraph, EdgeIndex, EdgeReference, NodeIndex, UnGraph};

    fn w(e: EdgeReference<'_, f64>) -> f64 {
        *e.weight()
    }

    fn n(i: u32) -> NodeIndex {
        NodeIndex::new(i as usize)
    }

    #[test]
    fn bfs_depths_and_limit() {
        let g = DiGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 3), (0, 2), (4, 0)]);
        let all = bfs(&g, n(0), None, Orientation::Natural, &never).unwrap();
        assert_eq!(all, vec![(n(0), 0), (n(1), 1), (n(2), 1), (n(3), 2)]);
        let one = bfs(&g, n(0), Some(1), Orientation::Natural, &never).unwrap();
        assert_eq!(one, vec![(n(0), 0), (n(1), 1), (n(2), 1)]);
        let back = bfs(&g, n(0), None, Orientation::Reverse, &never).unwrap();
        assert_eq!(back, vec![(n(0), 0), (n(4), 1)]);
        assert_eq!(
            bfs(&g, n(9), None, Orientation::Natural, &never),
            Err(AlgoError::NodeNotFound { parameter: "source" })
        );
    }

    #[test]
    fn dijkstra_picks_the_cheapest_relationships() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 4.0), (0, 1, 1.0), (1, 2, 1.0), (0, 2, 3.0), (2, 3, 1.0)]);
        let p = dijkstra(&g, n(0), Some(n(3)), Orientation::Natural, Some(&w), &never).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].nodes, vec![n(0), n(1), n(2), n(3)]);
        assert_eq!(
            p[0].relationships,
            vec![EdgeIndex::new(1), EdgeIndex::new(2), EdgeIndex::new(4)]
        );
        assert_eq!(p[0].cost, 3.0);
        let all = dijkstra(&g, n(0), None, Orientation::Natural, Some(&w), &never).unwrap();
        let costs: Vec<_> = all.iter().map(|p| (p.nodes.last().copied().unwrap(), p.cost)).collect();
        assert_eq!(costs, vec![(n(1), 1.0), (n(2), 2.0), (n(3), 3.0)]);
        assert!(dijkstra(&g, n(3), Some(n(0)), Orientation::Natural, Some(&w), &never)
            .unwrap()
            .is_empty());
        let back = dijkstra(&g, n(3), Some(n(0)), Orientation::Reverse, None, &never).unwrap();
        assert_eq!(back[0].cost, 2.0);
    }

    #[test]
    fn dijkstra_errors_name_the_parameter() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, -1.0)]);
        assert_eq!(
            dijkstra(&g, n(0), None, Orientation::Natural, Some(&w), &never),
            Err(AlgoError::NegativeWeight {
                parameter: "weightProperty",
                value: -1.0
            })
        );
        assert_eq!(
            dijkstra(&g, n(0), Some(n(7)), Orientation::Natural, None, &never),
            Err(AlgoError::NodeNotFound { parameter: "target" })
        );
    }

    #[test]
    fn yen_on_a_small_graph() {
        // The classic example: C=0 D=1 E=2 F=3 G=4 H=5.
        let g = DiGraph::<(), f64>::from_edges([
            (0, 1, 3.0),
            (0, 2, 2.0),
            (1, 3, 4.0),
            (2, 1, 1.0),
            (2, 3, 2.0),
            (2, 4, 3.0),
            (3, 4, 2.0),
            (3, 5, 1.0),
            (4, 5, 2.0),
        ]);
        let p = k_shortest_paths(&g, n(0), n(5), 3, Orientation::Natural, Some(&w), &never).unwrap();
        let got: Vec<(Vec<NodeIndex>, f64)> = p.into_iter().map(|p| (p.nodes, p.cost)).collect();
        assert_eq!(
            got,
            vec![
                (vec![n(0), n(2), n(3), n(5)], 5.0),
                (vec![n(0), n(2), n(4), n(5)], 7.0),
                (vec![n(0), n(1), n(3), n(5)], 8.0),
            ]
        );
        let many = k_shortest_paths(&g, n(0), n(5), 100, Orientation::Natural, Some(&w), &never).unwrap();
        assert_eq!(many.len(), 7);
        assert!(many.windows(2).all(|p| p[0].cost <= p[1].cost));
        assert!(matches!(
            k_shortest_paths(&g, n(0), n(5), 0, Orientation::Natural, None, &never),
            Err(AlgoError::OutOfRange { parameter: "k", .. })
        ));
        let same = k_shortest_paths(&g, n(0), n(0), 2, Orientation::Natural, None, &never).unwrap();
        assert_eq!(same.len(), 1);
        assert_eq!(same[0].cost, 0.0);
    }

    #[test]
    fn spanning_forest_of_two_components() {
        let g = UnGraph::<(), f64>::from_edges([
            (0, 1, 3.0),
            (1, 2, 1.0),
            (0, 2, 2.0),
            (0, 1, 0.5),
            (3, 4, -2.0),
            (4, 4, -9.0),
        ]);
        let f = spanning_forest(&g, Some(&w), &never).unwrap();
        assert_eq!(
            f.relationships,
            vec![EdgeIndex::new(4), EdgeIndex::new(3), EdgeIndex::new(1)]
        );
        assert_eq!(f.total_weight, -0.5);
        let stop = || true;
        assert_eq!(spanning_forest(&g, None, &stop).unwrap_err(), AlgoError::Interrupted);
    }
}
