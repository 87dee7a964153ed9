//! Graph algorithms for quiver, written against petgraph's visit traits.
//!
//! Nothing here knows the engine: every algorithm takes any graph `G` that implements
//! [`AlgoGraph`] (petgraph's `IntoEdgeReferences + IntoNodeIdentifiers + NodeIndexable +
//! GraphProp`) — a petgraph `Graph`/`StableGraph`, the store's read view, or a filtered
//! view of it — and returns results keyed by `G`'s node ids (or relationship ids).
//! Where an algorithm needs random access it makes one CSR projection per call
//! (offsets, targets and, if needed, `f64` weights over nodes renumbered `0..n`).
//!
//! | function | computes | definition followed |
//! |---|---|---|
//! | [`pagerank`] | PageRank scores | networkx `pagerank` |
//! | [`wcc`] | weakly connected components | connected components of the undirected graph |
//! | [`scc`] | strongly connected components | petgraph `kosaraju_scc` |
//! | [`betweenness`], [`betweenness_from_sources`] | Brandes betweenness, exact or sampled | networkx `betweenness_centrality` |
//! | [`closeness`] | closeness with the Wasserman–Faust correction | networkx `closeness_centrality(wf_improved=True)` |
//! | [`degree`] | (weighted) out-, in- or total degree | networkx `out_degree` / `in_degree` / `degree` |
//! | [`louvain`], [`modularity`] | Louvain communities, modularity of a partition | networkx `louvain_communities`, `community.modularity` |
//! | [`label_propagation`] | label propagation communities | asynchronous LPA (networkx `asyn_lpa_communities`), split into connected parts |
//! | [`triangle_count`] | triangles through each node | networkx `triangles` |
//! | [`kcore`] | coreness | networkx `core_number` |
//! | [`bfs`] | breadth-first depths from a source | |
//! | [`dijkstra`] | weighted shortest paths from a source | Dijkstra |
//! | [`k_shortest_paths`] | the `k` shortest loopless paths | Yen (1971), networkx `shortest_simple_paths` |
//! | [`spanning_forest`] | minimum spanning forest | Kruskal with petgraph's `UnionFind` |
//!
//! Common conventions:
//! - [`Orientation`] says which way relationships are followed; on an undirected graph
//!   every orientation is undirected.
//! - A weight is a [`Weight`]: `None` means every relationship weighs 1. Parallel
//!   relationships each count (their weights add) where a measure sums over
//!   relationships (PageRank, degree, modularity, Louvain, label propagation); shortest-path
//!   measures use the cheapest of parallel relationships, and the set-based measures
//!   (triangles, coreness) see each pair of adjacent nodes once. Self-loops follow what
//!   networkx does for each measure (documented on each function).
//! - Every function takes an [`Interrupt`], called at least once per outer iteration and
//!   every few thousand units of work; when it returns `true` the function returns
//!   [`AlgoError::Interrupted`].
//! - Randomised algorithms use [`SplitMix64`] seeded by the caller: the same seed gives the
//!   same result.

mod centrality;
mod community;
mod components;
mod csr;
mod error;
mod paths;
mod rng;
mod structure;

pub use centrality::{
    betweenness, betweenness_from_sources, closeness, degree, pagerank, BetweennessOptions, PageRankOptions,
    PageRankResult,
};
pub use community::{
    label_propagation, louvain, modularity, LabelPropagationOptions, LabelPropagationResult, LouvainOptions,
    LouvainResult,
};
pub use components::{scc, wcc};
pub use error::AlgoError;
pub use paths::{bfs, dijkstra, k_shortest_paths, spanning_forest, Path, SpanningForest};
pub use rng::SplitMix64;
pub use structure::{kcore, triangle_count};

use petgraph::visit::{GraphProp, IntoEdgeReferences, IntoNodeIdentifiers, NodeIndexable};

/// The graphs the algorithms accept: anything petgraph can enumerate the nodes and
/// relationships of, with node ids that map to indices below `node_bound()`.
pub trait AlgoGraph: IntoEdgeReferences + IntoNodeIdentifiers + NodeIndexable + GraphProp {}

impl<G> AlgoGraph for G where G: IntoEdgeReferences + IntoNodeIdentifiers + NodeIndexable + GraphProp {}

/// A relationship weight: `None` weighs every relationship 1, `Some(f)` weighs relationship
/// `e` as `f(e)`. Weights must be finite; most algorithms also refuse negative ones.
pub type Weight<'w, E> = Option<&'w dyn Fn(E) -> f64>;

/// The caller's cancellation check: returns `true` to stop the algorithm.
pub type Interrupt<'a> = &'a dyn Fn() -> bool;

/// Which way relationships are followed (meaningful on directed graphs only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// From source to target (`'NATURAL'`).
    #[default]
    Natural,
    /// From target to source (`'REVERSE'`).
    Reverse,
    /// Both ways (`'UNDIRECTED'`).
    Undirected,
}

/// The result rows of a per-node algorithm: one `(node, value)` per node of the graph
/// (or view), in `node_identifiers` order.
pub type NodeValues<N, T> = Vec<(N, T)>;
