//! The per-call CSR projection: the one copy of the graph an algorithm may make.
//!
//! Nodes are renumbered densely `0..n` in `node_identifiers` order (a filtered view
//! or a `StableGraph` with holes gives a compact range). Each row lists the
//! neighbours reached from a node along the projected direction, with an optional
//! `f64` weight and an optional index of the relationship (in `edge_references`
//! order) the entry came from.

use std::cell::Cell;
use std::ops::Range;

use fixedbitset::FixedBitSet;
use petgraph::visit::{
    EdgeRef, GraphBase, GraphRef, IntoNeighbors, IntoNeighborsDirected, IntoNodeIdentifiers, NodeIndexable, Visitable,
};
use petgraph::Direction;

use crate::error::{check_weight, AlgoError};
use crate::{AlgoGraph, Interrupt, Orientation, Weight};

const ABSENT: u32 = u32::MAX;

/// How many units of work (node visits, edge scans) pass between two interrupt checks.
const TICKS: u32 = 4096;

/// Counts work and calls the caller's interrupt check every [`TICKS`] units.
pub(crate) struct Ticker<'a> {
    interrupt: Interrupt<'a>,
    left: u32,
}

impl<'a> Ticker<'a> {
    pub(crate) fn new(interrupt: Interrupt<'a>) -> Self {
        // The first unit of work already asks.
        Ticker { interrupt, left: 1 }
    }

    /// One unit of work; every few thousand, asks whether to stop.
    #[inline]
    pub(crate) fn tick(&mut self) -> Result<(), AlgoError> {
        self.left -= 1;
        if self.left == 0 {
            self.left = TICKS;
            return self.check();
        }
        Ok(())
    }

    /// Asks now (once per outer iteration).
    pub(crate) fn check(&self) -> Result<(), AlgoError> {
        if (self.interrupt)() {
            Err(AlgoError::Interrupted)
        } else {
            Ok(())
        }
    }
}

/// The dense renumbering of a graph's nodes.
pub(crate) struct Nodes<N> {
    /// Dense index to the graph's node id.
    pub(crate) ids: Vec<N>,
    /// `NodeIndexable::to_index` to dense index (`ABSENT` for holes and filtered-out nodes).
    dense: Vec<u32>,
    /// Whether `to_index` is already dense (no holes): then `dense` is empty.
    identity: bool,
}

impl<N: Copy> Nodes<N> {
    pub(crate) fn of<G: AlgoGraph<NodeId = N>>(g: G) -> Self {
        let ids: Vec<N> = g.node_identifiers().collect();
        assert!(ids.len() < ABSENT as usize, "more than 2^32 - 1 nodes");
        let bound = g.node_bound();
        let identity = ids.len() == bound && ids.iter().enumerate().all(|(i, &id)| g.to_index(id) == i);
        let mut dense = Vec::new();
        if !identity {
            dense = vec![ABSENT; bound];
            for (i, &id) in ids.iter().enumerate() {
                dense[g.to_index(id)] = i as u32;
            }
        }
        Nodes { ids, dense, identity }
    }

    /// Whether the graph's node indices are dense already (`to_index(ids[i]) == i`).
    pub(crate) fn is_identity(&self) -> bool {
        self.identity
    }

    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// The dense index of `id`, if the graph (or view) has that node.
    pub(crate) fn index_of<G: NodeIndexable<NodeId = N>>(&self, g: G, id: N) -> Option<u32> {
        let i = g.to_index(id);
        if self.identity {
            return (i < self.ids.len()).then_some(i as u32);
        }
        self.dense.get(i).copied().filter(|&d| d != ABSENT)
    }

    /// Results in dense order, keyed by the graph's node ids.
    pub(crate) fn zip<T>(&self, values: impl IntoIterator<Item = T>) -> Vec<(N, T)> {
        self.ids.iter().copied().zip(values).collect()
    }

    /// Dense indices of both ends of a relationship, or `None` if an end is not in the view.
    #[inline]
    pub(crate) fn ends<G: AlgoGraph<NodeId = N>>(&self, g: G, e: &G::EdgeRef) -> Option<(u32, u32)> {
        if self.identity {
            let (s, t) = (g.to_index(e.source()), g.to_index(e.target()));
            let n = self.ids.len();
            return (s < n && t < n).then_some((s as u32, t as u32));
        }
        let s = *self.dense.get(g.to_index(e.source()))?;
        let t = *self.dense.get(g.to_index(e.target()))?;
        (s != ABSENT && t != ABSENT).then_some((s, t))
    }
}

/// Which way each stored relationship is followed in the projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dir {
    /// From source to target.
    Out,
    /// From target to source.
    In,
    /// Both ways (undirected).
    Both,
}

impl Dir {
    /// The direction an orientation asks for; an undirected graph is always `Both`.
    pub(crate) fn of(orientation: Orientation, directed: bool) -> Dir {
        match (directed, orientation) {
            (false, _) | (true, Orientation::Undirected) => Dir::Both,
            (true, Orientation::Natural) => Dir::Out,
            (true, Orientation::Reverse) => Dir::In,
        }
    }

    /// The opposite direction (for algorithms that pull along incoming relationships).
    pub(crate) fn flipped(self) -> Dir {
        match self {
            Dir::Out => Dir::In,
            Dir::In => Dir::Out,
            Dir::Both => Dir::Both,
        }
    }
}

/// What becomes of a self-loop `u -> u`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Loops {
    /// Left out of the projection.
    Drop,
    /// One entry `u -> u`.
    Once,
    /// In a `Both` projection, two entries (a loop adds 2 to the undirected degree);
    /// in a directed one, one entry.
    Twice,
}

/// How entries of one row with the same target are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Merge {
    /// Kept apart.
    Keep,
    /// One entry with the weights added.
    Sum,
    /// One entry with the smallest weight (and that entry's relationship).
    Min,
}

/// What to project, besides the direction.
#[derive(Clone, Copy)]
pub(crate) struct Spec<'w, E> {
    pub(crate) dir: Dir,
    pub(crate) loops: Loops,
    pub(crate) merge: Merge,
    /// Store weights: the caller's (checked), or 1.0 per relationship when it gave none.
    pub(crate) weights: bool,
    pub(crate) weight: Weight<'w, E>,
    /// Whether negative weights are accepted.
    pub(crate) negative: bool,
    /// Store, per entry, the relationship's index in `edge_references` order.
    pub(crate) edges: bool,
}

impl<'w, E> Spec<'w, E> {
    /// A projection with no weights and no relationship indices.
    pub(crate) fn plain(dir: Dir, loops: Loops, merge: Merge) -> Self {
        Spec {
            dir,
            loops,
            merge,
            weights: false,
            weight: None,
            negative: false,
            edges: false,
        }
    }

    pub(crate) fn weighted(mut self, weight: Weight<'w, E>, negative: bool) -> Self {
        self.weights = true;
        self.weight = weight;
        self.negative = negative;
        self
    }

    pub(crate) fn with_edges(mut self) -> Self {
        self.edges = true;
        self
    }
}

/// Compressed sparse rows over dense node indices.
#[derive(Debug, Clone, Default)]
pub(crate) struct Csr {
    pub(crate) offsets: Vec<usize>,
    pub(crate) targets: Vec<u32>,
    /// Empty when not asked for.
    pub(crate) weights: Vec<f64>,
    /// Empty when not asked for.
    pub(crate) edges: Vec<u32>,
}

impl Csr {
    /// Projects `g` as `spec` says: two passes over `edge_references` (count, then fill).
    pub(crate) fn build<G: AlgoGraph>(
        g: G,
        nodes: &Nodes<G::NodeId>,
        spec: Spec<'_, G::EdgeRef>,
        ticker: &mut Ticker<'_>,
    ) -> Result<Csr, AlgoError> {
        let n = nodes.len();
        let twice = spec.dir == Dir::Both && spec.loops == Loops::Twice;
        let mut offsets = vec![0usize; n + 1];
        let mut counts = Counter::new(n);
        for e in g.edge_references() {
            ticker.tick()?;
            let Some((s, t)) = nodes.ends(g, &e) else { continue };
            if s == t {
                match spec.loops {
                    Loops::Drop => continue,
                    Loops::Once => offsets[s as usize + 1] += 1,
                    Loops::Twice => offsets[s as usize + 1] += 1 + twice as usize,
                }
                continue;
            }
            match spec.dir {
                Dir::Out => counts.add(&mut offsets, s),
                Dir::In => counts.add(&mut offsets, t),
                Dir::Both => {
                    counts.add(&mut offsets, s);
                    counts.add(&mut offsets, t);
                }
            }
        }
        counts.finish(&mut offsets);
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let m = offsets[n];
        let mut targets = vec![0u32; m];
        let mut weights = if spec.weights { vec![0.0; m] } else { Vec::new() };
        let mut edges = if spec.edges { vec![0u32; m] } else { Vec::new() };
        let mut scatter = Scatter::new(n, m, &offsets);
        let mut out = Rows {
            targets: &mut targets,
            weights: if spec.weights { Some(&mut weights) } else { None },
            edges: if spec.edges { Some(&mut edges) } else { None },
        };
        for (index, e) in g.edge_references().enumerate() {
            ticker.tick()?;
            let Some((s, t)) = nodes.ends(g, &e) else { continue };
            if s == t && spec.loops == Loops::Drop {
                continue;
            }
            let w = match (spec.weights, spec.weight) {
                (true, Some(f)) => check_weight(f(e), spec.negative)?,
                _ => 1.0,
            };
            let index = index as u32;
            let mut put = |from: u32, to: u32| scatter.put(&mut out, Entry { from, to, w, index });
            if s == t {
                put(s, s);
                if twice {
                    put(s, s);
                }
                continue;
            }
            match spec.dir {
                Dir::Out => put(s, t),
                Dir::In => put(t, s),
                Dir::Both => {
                    put(s, t);
                    put(t, s);
                }
            }
        }
        scatter.finish(&mut out);
        let mut csr = Csr {
            offsets,
            targets,
            weights,
            edges,
        };
        if spec.merge != Merge::Keep {
            csr.merge(spec.merge);
        }
        Ok(csr)
    }

    pub(crate) fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    pub(crate) fn entry_count(&self) -> usize {
        self.targets.len()
    }

    /// The entry positions of row `u`.
    #[inline]
    pub(crate) fn range(&self, u: usize) -> Range<usize> {
        self.offsets[u]..self.offsets[u + 1]
    }

    #[inline]
    pub(crate) fn neighbors(&self, u: usize) -> &[u32] {
        &self.targets[self.range(u)]
    }

    /// Combines the entries of each row that share a target, in place, keeping the
    /// first occurrence's position; linear time with one marker array.
    pub(crate) fn merge(&mut self, how: Merge) {
        let n = self.node_count();
        let weighted = !self.weights.is_empty();
        let with_edges = !self.edges.is_empty();
        let mut at = vec![usize::MAX; n];
        let mut write = 0usize;
        let mut start = 0usize;
        for u in 0..n {
            let end = self.offsets[u + 1];
            let row_start = write;
            // A short row is searched (no random access to `at`); a long one uses `at`.
            let short = end - start <= SHORT_ROW;
            for read in start..end {
                let v = self.targets[read] as usize;
                let p = if short {
                    self.targets[row_start..write]
                        .iter()
                        .position(|&t| t as usize == v)
                        .map_or(usize::MAX, |i| row_start + i)
                } else {
                    at[v]
                };
                if p != usize::MAX && p >= row_start {
                    if weighted {
                        let w = self.weights[read];
                        match how {
                            Merge::Sum => self.weights[p] += w,
                            Merge::Min if w < self.weights[p] => {
                                self.weights[p] = w;
                                if with_edges {
                                    self.edges[p] = self.edges[read];
                                }
                            }
                            _ => {}
                        }
                    }
                    continue;
                }
                if !short {
                    at[v] = write;
                }
                self.targets[write] = self.targets[read];
                if weighted {
                    self.weights[write] = self.weights[read];
                }
                if with_edges {
                    self.edges[write] = self.edges[read];
                }
                write += 1;
            }
            start = end;
            self.offsets[u + 1] = write;
        }
        self.targets.truncate(write);
        self.weights.truncate(if weighted { write } else { 0 });
        self.edges.truncate(if with_edges { write } else { 0 });
    }
}

/// Rows this long or shorter are merged by searching the row itself.
const SHORT_ROW: usize = 32;

/// Counts entries per row (into `offsets[row + 1]`), for large projections through
/// per-block buffers as [`Scatter`] writes them: the rows counted come in random order.
struct Counter {
    shift: Option<u32>,
    pending: Vec<u32>,
    fill: Vec<u32>,
}

impl Counter {
    fn new(n: usize) -> Counter {
        // Up to 64 Ki rows the counts (512 KiB) stay in the caches.
        if n < 1 << 16 {
            return Counter {
                shift: None,
                pending: Vec::new(),
                fill: Vec::new(),
            };
        }
        // The counts of a block's rows: a few KiB.
        let shift = 10;
        let blocks = (n >> shift) + 1;
        Counter {
            shift: Some(shift),
            pending: vec![0; blocks * PENDING],
            fill: vec![0; blocks],
        }
    }

    #[inline]
    fn add(&mut self, offsets: &mut [usize], row: u32) {
        let Some(shift) = self.shift else {
            offsets[row as usize + 1] += 1;
            return;
        };
        let b = (row >> shift) as usize;
        let f = self.fill[b] as usize;
        self.pending[b * PENDING + f] = row;
        if f + 1 == PENDING {
            for &r in &self.pending[b * PENDING..(b + 1) * PENDING] {
                offsets[r as usize + 1] += 1;
            }
            self.fill[b] = 0;
        } else {
            self.fill[b] = f as u32 + 1;
        }
    }

    fn finish(self, offsets: &mut [usize]) {
        for (b, &f) in self.fill.iter().enumerate() {
            for &r in &self.pending[b * PENDING..b * PENDING + f as usize] {
                offsets[r as usize + 1] += 1;
            }
        }
    }
}

/// One projected entry on its way to row `from`.
#[derive(Clone, Copy, Default)]
struct Entry {
    from: u32,
    to: u32,
    w: f64,
    index: u32,
}

/// The arrays a CSR's entries are written into.
struct Rows<'a> {
    targets: &'a mut [u32],
    weights: Option<&'a mut Vec<f64>>,
    edges: Option<&'a mut Vec<u32>>,
}

/// Places entries at their rows' next free positions. A large projection's rows are
/// filled in the order the relationships come, which for the transposed direction is
/// random: each write would miss the cache and the TLB. So entries wait in small
/// per-block buffers (a block: a range of rows whose entries span a few hundred KiB) and
/// a full buffer is written out at once, into one block. Each row still receives its
/// entries in the order they came, so the projection is the same either way.
struct Scatter {
    /// Next free position per row.
    cursor: Vec<usize>,
    /// Row `r` belongs to block `r >> shift`; `None`: write straight through.
    shift: Option<u32>,
    pending: Vec<Entry>,
    fill: Vec<u32>,
}

/// Entries held per block before they are written out.
const PENDING: usize = 64;
/// Projections with fewer entries fit the caches and are written straight through.
const SCATTER_FROM: usize = 1 << 20;
/// Entries per block, about (a block's rows' share of the arrays stays cache-sized).
const BLOCK_ENTRIES: usize = 1 << 14;

impl Scatter {
    fn new(n: usize, m: usize, offsets: &[usize]) -> Scatter {
        Self::sized(n, m, offsets, SCATTER_FROM, BLOCK_ENTRIES)
    }

    fn sized(n: usize, m: usize, offsets: &[usize], from: usize, block_entries: usize) -> Scatter {
        let cursor = offsets[..n].to_vec();
        if m < from || n < 2 {
            return Scatter {
                cursor,
                shift: None,
                pending: Vec::new(),
                fill: Vec::new(),
            };
        }
        let blocks_wanted = (m / block_entries).clamp(1, 1 << 12);
        let rows_per_block = n.div_ceil(blocks_wanted).next_power_of_two();
        let shift = rows_per_block.trailing_zeros();
        let blocks = (n >> shift) + 1;
        Scatter {
            cursor,
            shift: Some(shift),
            pending: vec![Entry::default(); blocks * PENDING],
            fill: vec![0; blocks],
        }
    }

    #[inline]
    fn write(cursor: &mut [usize], out: &mut Rows<'_>, e: Entry) {
        let at = cursor[e.from as usize];
        cursor[e.from as usize] = at + 1;
        out.targets[at] = e.to;
        if let Some(w) = out.weights.as_deref_mut() {
            w[at] = e.w;
        }
        if let Some(x) = out.edges.as_deref_mut() {
            x[at] = e.index;
        }
    }

    #[inline]
    fn put(&mut self, out: &mut Rows<'_>, e: Entry) {
        let Some(shift) = self.shift else {
            Self::write(&mut self.cursor, out, e);
            return;
        };
        let b = (e.from >> shift) as usize;
        let f = self.fill[b] as usize;
        self.pending[b * PENDING + f] = e;
        if f + 1 == PENDING {
            self.flush(out, b, PENDING);
            self.fill[b] = 0;
        } else {
            self.fill[b] = f as u32 + 1;
        }
    }

    fn flush(&mut self, out: &mut Rows<'_>, b: usize, count: usize) {
        for i in b * PENDING..b * PENDING + count {
            let e = self.pending[i];
            Self::write(&mut self.cursor, out, e);
        }
    }

    fn finish(mut self, out: &mut Rows<'_>) {
        for b in 0..self.fill.len() {
            let f = self.fill[b] as usize;
            self.flush(out, b, f);
        }
    }
}

/// A CSR projection (and its transpose) seen through petgraph's visit traits, so that
/// petgraph's own algorithms run on it; every neighbour listing is a unit of work for
/// the interrupt check, and once interrupted every listing is empty so the algorithm
/// winds down quickly (its result is then dropped).
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub(crate) out: &'a Csr,
    pub(crate) inc: &'a Csr,
    pub(crate) interrupt: Interrupt<'a>,
    pub(crate) ticks: &'a Cell<u32>,
    pub(crate) tripped: &'a Cell<bool>,
}

impl View<'_> {
    fn listing<'c>(&self, csr: &'c Csr, a: u32) -> std::iter::Copied<std::slice::Iter<'c, u32>> {
        let left = self.ticks.get();
        if left == 0 {
            self.ticks.set(TICKS);
            if (self.interrupt)() {
                self.tripped.set(true);
            }
        } else {
            self.ticks.set(left - 1);
        }
        if self.tripped.get() {
            return [].iter().copied();
        }
        csr.neighbors(a as usize).iter().copied()
    }
}

impl GraphBase for View<'_> {
    type NodeId = u32;
    type EdgeId = usize;
}

impl GraphRef for View<'_> {}

impl<'a> IntoNeighbors for View<'a> {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.listing(self.out, a)
    }
}

impl<'a> IntoNeighborsDirected for View<'a> {
    type NeighborsDirected = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors_directed(self, a: u32, d: Direction) -> Self::NeighborsDirected {
        match d {
            Direction::Outgoing => self.listing(self.out, a),
            Direction::Incoming => self.listing(self.inc, a),
        }
    }
}

impl IntoNodeIdentifiers for View<'_> {
    type NodeIdentifiers = Range<u32>;
    fn node_identifiers(self) -> Range<u32> {
        0..self.out.node_count() as u32
    }
}

impl NodeIndexable for View<'_> {
    fn node_bound(&self) -> usize {
        self.out.node_count()
    }
    fn to_index(&self, a: u32) -> usize {
        a as usize
    }
    fn from_index(&self, i: usize) -> u32 {
        i as u32
    }
}

impl Visitable for View<'_> {
    type Map = FixedBitSet;
    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.out.node_count())
    }
    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.out.node_count());
    }
}

/// Renumbers labels (each below `labels.len()`) densely in order of first appearance.
pub(crate) fn dense_labels(labels: &[u32]) -> Vec<u64> {
    let mut map = vec![u64::MAX; labels.len()];
    let mut next = 0u64;
    labels
        .iter()
        .map(|&l| {
            let slot = &mut map[l as usize];
            if *slot == u64::MAX {
                *slot = next;
                next += 1;
            }
            *slot
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use petgraph::graph::{DiGraph, UnGraph};
    use petgraph::stable_graph::StableDiGraph;

    pub(crate) fn never() -> bool {
        false
    }

    fn rows(csr: &Csr) -> Vec<Vec<(u32, f64)>> {
        (0..csr.node_count())
            .map(|u| {
                let r = csr.range(u);
                r.map(|i| (csr.targets[i], csr.weights.get(i).copied().unwrap_or(1.0)))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn buffered_scatter_fills_rows_as_writing_through_does() {
        // A pseudo-random multigraph's transposed entries, placed both ways.
        let n = 1000usize;
        let mut x = 12345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let entries: Vec<Entry> = (0..20_000)
            .map(|i| Entry {
                from: (next() % n as u64) as u32,
                to: (next() % n as u64) as u32,
                w: i as f64,
                index: i,
            })
            .collect();
        let mut offsets = vec![0usize; n + 1];
        for e in &entries {
            offsets[e.from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let place = |scatter: Scatter| {
            let (mut t, mut w, mut x) = (
                vec![0u32; entries.len()],
                vec![0.0; entries.len()],
                vec![0u32; entries.len()],
            );
            let mut out = Rows {
                targets: &mut t,
                weights: Some(&mut w),
                edges: Some(&mut x),
            };
            let mut scatter = scatter;
            for &e in &entries {
                scatter.put(&mut out, e);
            }
            scatter.finish(&mut out);
            (t, w, x)
        };
        let direct = place(Scatter::sized(n, entries.len(), &offsets, usize::MAX, 1));
        let buffered = Scatter::sized(n, entries.len(), &offsets, 0, 64);
        assert!(buffered.shift.is_some());
        assert_eq!(place(buffered), direct);
        // Rows keep the order their entries came in.
        let (t, w, _) = direct;
        for u in 0..n {
            let mine: Vec<(u32, f64)> = entries
                .iter()
                .filter(|e| e.from as usize == u)
                .map(|e| (e.to, e.w))
                .collect();
            let got: Vec<(u32, f64)> = (offsets[u]..offsets[u + 1]).map(|i| (t[i], w[i])).collect();
            assert_eq!(got, mine);
        }
    }

    #[test]
    fn directions_loops_and_merges() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, 2.0), (0, 1, 3.0), (1, 1, 5.0), (2, 0, 1.0)]);
        let nodes = Nodes::of(&g);
        let w = |e: petgraph::graph::EdgeReference<'_, f64>| *e.weight();
        let mut t = Ticker::new(&never);
        let build = |spec: Spec<'_, _>, t: &mut Ticker<'_>| rows(&Csr::build(&g, &nodes, spec, t).unwrap());
        let out = build(
            Spec::plain(Dir::Out, Loops::Once, Merge::Keep).weighted(Some(&w), false),
            &mut t,
        );
        assert_eq!(out, vec![vec![(1, 2.0), (1, 3.0)], vec![(1, 5.0)], vec![(0, 1.0)]]);
        let inc = build(
            Spec::plain(Dir::In, Loops::Drop, Merge::Sum).weighted(Some(&w), false),
            &mut t,
        );
        assert_eq!(inc, vec![vec![(2, 1.0)], vec![(0, 5.0)], vec![]]);
        let both = build(
            Spec::plain(Dir::Both, Loops::Twice, Merge::Keep).weighted(Some(&w), false),
            &mut t,
        );
        assert_eq!(both[1], vec![(0, 2.0), (0, 3.0), (1, 5.0), (1, 5.0)]);
        let min = build(
            Spec::plain(Dir::Both, Loops::Once, Merge::Min).weighted(Some(&w), false),
            &mut t,
        );
        assert_eq!(min[0], vec![(1, 2.0), (2, 1.0)]);
        assert_eq!(min[1], vec![(0, 2.0), (1, 5.0)]);
        let unit = build(
            Spec::plain(Dir::Out, Loops::Drop, Merge::Sum).weighted(None, false),
            &mut t,
        );
        assert_eq!(unit[0], vec![(1, 2.0)]);
    }

    #[test]
    fn negative_weights_are_refused_unless_allowed() {
        let g = DiGraph::<(), f64>::from_edges([(0, 1, -2.0)]);
        let nodes = Nodes::of(&g);
        let w = |e: petgraph::graph::EdgeReference<'_, f64>| *e.weight();
        let mut t = Ticker::new(&never);
        let spec = Spec::plain(Dir::Out, Loops::Once, Merge::Keep).weighted(Some(&w), false);
        assert!(matches!(
            Csr::build(&g, &nodes, spec, &mut t),
            Err(AlgoError::NegativeWeight { .. })
        ));
        let spec = Spec::plain(Dir::Out, Loops::Once, Merge::Keep).weighted(Some(&w), true);
        assert!(Csr::build(&g, &nodes, spec, &mut t).is_ok());
    }

    #[test]
    fn holes_are_renumbered_and_min_keeps_the_cheapest_relationship() {
        let mut g = StableDiGraph::<(), f64>::new();
        let a = g.add_node(());
        let hole = g.add_node(());
        let b = g.add_node(());
        g.add_edge(a, b, 4.0);
        g.add_edge(a, b, 1.0);
        g.remove_node(hole);
        let nodes = Nodes::of(&g);
        assert_eq!(nodes.ids, vec![a, b]);
        assert_eq!(nodes.index_of(&g, b), Some(1));
        assert_eq!(nodes.index_of(&g, hole), None);
        let w = |e: petgraph::stable_graph::EdgeReference<'_, f64>| *e.weight();
        let spec = Spec::plain(Dir::Out, Loops::Drop, Merge::Min)
            .weighted(Some(&w), false)
            .with_edges();
        let csr = Csr::build(&g, &nodes, spec, &mut Ticker::new(&never)).unwrap();
        assert_eq!(csr.targets, vec![1]);
        assert_eq!(csr.weights, vec![1.0]);
        assert_eq!(csr.edges, vec![1]);
    }

    #[test]
    fn an_interrupt_stops_the_build() {
        let g = UnGraph::<(), ()>::from_edges((0..10_000u32).map(|i| (i, i + 1)));
        let nodes = Nodes::of(&g);
        let stop = || true;
        let r = Csr::build(
            &g,
            &nodes,
            Spec::plain(Dir::Both, Loops::Drop, Merge::Keep),
            &mut Ticker::new(&stop),
        );
        assert_eq!(r.err(), Some(AlgoError::Interrupted));
    }

    #[test]
    fn labels_are_renumbered_by_first_appearance() {
        assert_eq!(dense_labels(&[4, 4, 2, 0, 2]), vec![0, 0, 1, 2, 1]);
    }
}
