//! [`GraphView`]: the store as petgraph sees it.
//!
//! petgraph stays the graph model: the store's read view implements petgraph's visit
//! traits, so petgraph's own algorithms and the generic functions of `quiver-algo` run on
//! a committed graph or a transaction's state unchanged. The view reads through
//! [`GraphRead`] only (never the store's layout) and may be narrowed to the nodes carrying
//! some labels and the relationships of some types; a relationship is in the view when its
//! type is chosen and both its ends are.
//!
//! | petgraph | here |
//! |---|---|
//! | `NodeId`, `EdgeId` | [`NodeId`], [`RelId`] (the user-visible ids) |
//! | `EdgeRef` | [`ViewEdge`]: the relationship id and its ends as stored, so a weight can be read with `GraphRead::relationship_property` |
//! | `NodeIndexable` | `to_index(NodeId(i)) == i`, `node_bound` from [`GraphRead::id_bounds`] (deleted ids and filtered-out nodes are holes) |
//! | `GraphProp` | directed: orientation is the caller's choice (reverse or undirected adaptors, or `quiver_algo::Orientation`) |
//! | `Visitable` | [`VisitedNodes`], a bitmap over `node_bound` |
//!
//! Node identifiers come in ascending id order, edge references by start node (ascending)
//! and then relationship id, and a node's edges in relationship id order.
//!
//! ```
//! use quiver::{Database, Params};
//! use quiver::store::view::GraphView;
//!
//! let db = Database::in_memory();
//! db.execute("CREATE (a:P)-[:R]->(b:P)-[:R]->(c:P), (c)-[:S]->(a)", &Params::new())?;
//! let snapshot = db.snapshot()?;
//! let all = GraphView::new(&snapshot);
//! assert_eq!(petgraph::algo::kosaraju_scc(&all).len(), 1);
//! let only_r = GraphView::new(&snapshot).with_types(&["R"]);
//! assert_eq!(petgraph::algo::kosaraju_scc(&only_r).len(), 3);
//! # Ok::<(), quiver::Error>(())
//! ```

use petgraph::visit::{
    Data, EdgeCount, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges, IntoEdgesDirected, IntoNeighbors,
    IntoNeighborsDirected, IntoNodeIdentifiers, NodeCount, NodeIndexable, VisitMap, Visitable,
};
use petgraph::{Directed, Direction};

use super::catalog::{LabelId, TypeId};
use super::{Dir, GraphRead};
use crate::value::{NodeId, RelId};

/// A read-only view of a graph, optionally narrowed to some labels and relationship types,
/// that implements petgraph's visit traits (on `&GraphView`).
pub struct GraphView<'a> {
    graph: &'a dyn GraphRead,
    /// The chosen nodes, ascending (`None`: every node).
    members: Option<Vec<NodeId>>,
    /// `members` as a bitmap over node ids.
    member_bits: Vec<u64>,
    /// The chosen relationship types (`None`: every type; empty: none).
    types: Option<Vec<TypeId>>,
}

impl<'a> GraphView<'a> {
    /// Every node and relationship of `graph`.
    pub fn new(graph: &'a dyn GraphRead) -> GraphView<'a> {
        GraphView {
            graph,
            members: None,
            member_bits: Vec::new(),
            types: None,
        }
    }

    /// Narrows the view to the nodes carrying at least one of `labels` (a label the graph
    /// has never held selects nothing; an empty list selects no node).
    pub fn with_labels(mut self, labels: &[impl AsRef<str>]) -> GraphView<'a> {
        let ids: Vec<LabelId> = labels
            .iter()
            .filter_map(|l| self.graph.catalog().labels.get(l.as_ref()))
            .collect();
        let bound = self.graph.id_bounds().0 as usize;
        let mut bits = vec![0u64; bound.div_ceil(64)];
        let mut members = Vec::new();
        for &label in &ids {
            for n in self.graph.nodes_with_label(label) {
                let (word, bit) = ((n.0 / 64) as usize, n.0 % 64);
                if bits[word] & (1 << bit) == 0 {
                    bits[word] |= 1 << bit;
                    members.push(n);
                }
            }
        }
        if ids.len() > 1 {
            members.sort_unstable();
        }
        self.members = Some(members);
        self.member_bits = bits;
        self
    }

    /// Narrows the view to the relationships of one of `types` (a type the graph has never
    /// held selects nothing; an empty list selects no relationship).
    pub fn with_types(mut self, types: &[impl AsRef<str>]) -> GraphView<'a> {
        let catalog = self.graph.catalog();
        self.types = Some(types.iter().filter_map(|t| catalog.types.get(t.as_ref())).collect());
        self
    }

    /// The graph the view reads.
    pub fn graph(&self) -> &'a dyn GraphRead {
        self.graph
    }

    /// Whether node `id` is in the view.
    #[inline]
    pub fn contains(&self, id: NodeId) -> bool {
        match &self.members {
            None => self.graph.contains_node(id),
            Some(_) => self
                .member_bits
                .get((id.0 / 64) as usize)
                .is_some_and(|w| w & (1 << (id.0 % 64)) != 0),
        }
    }

    /// The relationships at `id` in direction `dir` that are in the view, as `(relationship, other end)`.
    fn incident(&self, id: NodeId, dir: Dir) -> Box<dyn Iterator<Item = (RelId, NodeId)> + '_> {
        let types: &[TypeId] = match &self.types {
            None => &[],
            Some(ts) if ts.is_empty() => return Box::new(std::iter::empty()),
            Some(ts) => ts,
        };
        let narrowed = self.members.is_some();
        Box::new(
            self.graph
                .neighbours(id, dir, types)
                .filter(move |&(_, other)| !narrowed || self.contains(other)),
        )
    }

    /// What `incident` gives, appended to `out`.
    fn incident_into(&self, id: NodeId, dir: Dir, out: &mut Vec<(RelId, NodeId)>) {
        let types: &[TypeId] = match &self.types {
            None => &[],
            Some(ts) if ts.is_empty() => return,
            Some(ts) => ts,
        };
        let from = out.len();
        self.graph.neighbours_into(id, dir, types, out);
        if self.members.is_some() {
            let mut keep = from;
            for i in from..out.len() {
                if self.contains(out[i].1) {
                    out[keep] = out[i];
                    keep += 1;
                }
            }
            out.truncate(keep);
        }
    }
}

/// A relationship of a [`GraphView`]: its id and its ends as stored (start, end).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ViewEdge {
    pub id: RelId,
    pub source: NodeId,
    pub target: NodeId,
}

impl EdgeRef for ViewEdge {
    type NodeId = NodeId;
    type EdgeId = RelId;
    type Weight = ();

    fn source(&self) -> NodeId {
        self.source
    }
    fn target(&self) -> NodeId {
        self.target
    }
    /// Nothing: read a weight with `GraphRead::relationship_property(e.id, key)`.
    fn weight(&self) -> &() {
        &()
    }
    fn id(&self) -> RelId {
        self.id
    }
}

/// The visit map of a [`GraphView`]: a bitmap over node ids.
#[derive(Clone, Debug)]
pub struct VisitedNodes(Vec<u64>);

impl VisitedNodes {
    fn with_bound(bound: usize) -> VisitedNodes {
        VisitedNodes(vec![0; bound.div_ceil(64)])
    }

    fn slot(&mut self, id: NodeId) -> (&mut u64, u64) {
        let word = (id.0 / 64) as usize;
        if word >= self.0.len() {
            self.0.resize(word + 1, 0);
        }
        (&mut self.0[word], 1 << (id.0 % 64))
    }
}

impl VisitMap<NodeId> for VisitedNodes {
    fn visit(&mut self, a: NodeId) -> bool {
        let (w, bit) = self.slot(a);
        let first = *w & bit == 0;
        *w |= bit;
        first
    }
    fn is_visited(&self, a: &NodeId) -> bool {
        self.0
            .get((a.0 / 64) as usize)
            .is_some_and(|w| w & (1 << (a.0 % 64)) != 0)
    }
    fn unvisit(&mut self, a: NodeId) -> bool {
        let (w, bit) = self.slot(a);
        let was = *w & bit != 0;
        *w &= !bit;
        was
    }
}

impl GraphBase for GraphView<'_> {
    type NodeId = NodeId;
    type EdgeId = RelId;
}

impl Data for GraphView<'_> {
    type NodeWeight = ();
    type EdgeWeight = ();
}

impl GraphProp for GraphView<'_> {
    type EdgeType = Directed;
}

impl NodeIndexable for GraphView<'_> {
    fn node_bound(&self) -> usize {
        self.graph.id_bounds().0 as usize
    }
    fn to_index(&self, a: NodeId) -> usize {
        a.0 as usize
    }
    fn from_index(&self, i: usize) -> NodeId {
        NodeId(i as u64)
    }
}

impl NodeCount for GraphView<'_> {
    fn node_count(&self) -> usize {
        match &self.members {
            None => self.graph.node_count(),
            Some(m) => m.len(),
        }
    }
}

impl EdgeCount for GraphView<'_> {
    /// Counted from the statistics for a view of whole types; a view narrowed by label
    /// counts its relationships one by one.
    fn edge_count(&self) -> usize {
        match (&self.members, &self.types) {
            (None, None) => self.graph.relationship_count(),
            (None, Some(ts)) => ts.iter().map(|&t| self.graph.type_count(t)).sum(),
            (Some(_), _) => self.edge_references().count(),
        }
    }
}

impl Visitable for GraphView<'_> {
    type Map = VisitedNodes;
    fn visit_map(&self) -> VisitedNodes {
        VisitedNodes::with_bound(self.node_bound())
    }
    fn reset_map(&self, map: &mut VisitedNodes) {
        map.0.clear();
        map.0.resize(self.node_bound().div_ceil(64), 0);
    }
}

impl<'b> IntoNodeIdentifiers for &'b GraphView<'_> {
    type NodeIdentifiers = Box<dyn Iterator<Item = NodeId> + 'b>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        match &self.members {
            None => Box::new(self.graph.nodes()),
            Some(m) => Box::new(m.iter().copied()),
        }
    }
}

impl<'b> IntoEdgeReferences for &'b GraphView<'_> {
    type EdgeRef = ViewEdge;
    type EdgeReferences = ViewEdges<'b>;
    /// Each node's outgoing relationships, node by node: read from the adjacency, which is
    /// several times faster than looking every relationship up by id, a node's at a time.
    fn edge_references(self) -> ViewEdges<'b> {
        ViewEdges {
            view: self,
            nodes: self.node_identifiers(),
            source: NodeId(0),
            buf: Vec::new(),
            at: 0,
        }
    }
}

/// The relationships of a [`GraphView`], by start node: each node's read in one call.
pub struct ViewEdges<'b> {
    view: &'b GraphView<'b>,
    nodes: Box<dyn Iterator<Item = NodeId> + 'b>,
    source: NodeId,
    buf: Vec<(RelId, NodeId)>,
    at: usize,
}

impl Iterator for ViewEdges<'_> {
    type Item = ViewEdge;

    #[inline]
    fn next(&mut self) -> Option<ViewEdge> {
        loop {
            if let Some(&(id, target)) = self.buf.get(self.at) {
                self.at += 1;
                return Some(ViewEdge {
                    id,
                    source: self.source,
                    target,
                });
            }
            self.source = self.nodes.next()?;
            self.buf.clear();
            self.at = 0;
            self.view.incident_into(self.source, Dir::Outgoing, &mut self.buf);
        }
    }
}

impl<'b> IntoNeighbors for &'b GraphView<'_> {
    type Neighbors = Box<dyn Iterator<Item = NodeId> + 'b>;
    /// The ends of `a`'s outgoing relationships (once per relationship).
    fn neighbors(self, a: NodeId) -> Self::Neighbors {
        Box::new(self.incident(a, Dir::Outgoing).map(|(_, other)| other))
    }
}

impl<'b> IntoNeighborsDirected for &'b GraphView<'_> {
    type NeighborsDirected = Box<dyn Iterator<Item = NodeId> + 'b>;
    fn neighbors_directed(self, a: NodeId, d: Direction) -> Self::NeighborsDirected {
        Box::new(self.incident(a, dir_of(d)).map(|(_, other)| other))
    }
}

impl<'b> IntoEdges for &'b GraphView<'_> {
    type Edges = Box<dyn Iterator<Item = ViewEdge> + 'b>;
    /// `a`'s outgoing relationships.
    fn edges(self, a: NodeId) -> Self::Edges {
        self.edges_directed(a, Direction::Outgoing)
    }
}

impl<'b> IntoEdgesDirected for &'b GraphView<'_> {
    type EdgesDirected = Box<dyn Iterator<Item = ViewEdge> + 'b>;
    /// `a`'s outgoing (`a` is the source) or incoming (`a` is the target) relationships.
    fn edges_directed(self, a: NodeId, d: Direction) -> Self::EdgesDirected {
        Box::new(self.incident(a, dir_of(d)).map(move |(id, other)| {
            let (source, target) = match d {
                Direction::Outgoing => (a, other),
                Direction::Incoming => (other, a),
            };
            ViewEdge { id, source, target }
        }))
    }
}

fn dir_of(d: Direction) -> Dir {
    match d {
        Direction::Outgoing => Dir::Outgoing,
        Direction::Incoming => Dir::Incoming,
    }
}
