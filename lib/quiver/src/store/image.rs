//! What persistence needs of the store: the committed changes of a
//! transaction (derived from the undo journal), a way to apply them again, and
//! a whole-graph image for snapshots.
//!
//! Everything here names entities by user-visible id and names labels, types
//! and keys by name (or, in an image, by an index into the image's own name
//! tables), never by petgraph index: those are not stable across processes.
//! The storage layer turns these plain types into its own record types
//! (`storage/records.rs`); the store knows nothing of files.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use super::journal::Undo;
use petgraph::stable_graph::NodeIndex;

use super::journal::Mark;
use super::{normalise_props, Graph, LabelId, NodeRecord, Props, RelRecord, StoreError, TypeId};
use crate::value::{NodeId, RelId, Value};

/// The final state of a node a transaction created or changed.
#[derive(Clone, Debug)]
pub struct NodeState {
    pub id: u64,
    pub labels: Vec<Arc<str>>,
    pub props: Vec<(Arc<str>, Value)>,
}

/// The final state of a relationship a transaction created or changed.
#[derive(Clone, Debug)]
pub struct RelState {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: Arc<str>,
    pub props: Vec<(Arc<str>, Value)>,
}

/// A property index, by names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub label: String,
    pub key: String,
}

/// The net effect of a committed transaction: applied in field order
/// (relationship deletes, node deletes, node upserts, relationship upserts),
/// it turns the graph before the transaction into the graph after it.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// The id counters after the transaction (ids are never reused, even the
    /// ids of entities created and deleted within the transaction).
    pub next_node: u64,
    pub next_rel: u64,
    pub deleted_rels: Vec<u64>,
    pub deleted_nodes: Vec<u64>,
    pub nodes: Vec<NodeState>,
    pub rels: Vec<RelState>,
    /// Every index after the transaction, when it created or dropped one.
    pub indexes: Option<Vec<IndexDef>>,
}

impl Changes {
    /// No entity changed (the counters may still have moved).
    pub fn is_empty(&self) -> bool {
        self.deleted_rels.is_empty()
            && self.deleted_nodes.is_empty()
            && self.nodes.is_empty()
            && self.rels.is_empty()
            && self.indexes.is_none()
    }
}

/// A change that cannot be applied: the log does not fit the graph it is
/// replayed on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyError(pub String);

/// A node in a graph image; labels and keys index the image's name tables.
#[derive(Clone, Debug)]
pub struct ImageNode {
    pub id: u64,
    pub labels: Vec<u32>,
    pub props: Props,
}

#[derive(Clone, Debug)]
pub struct ImageRel {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: u32,
    pub props: Props,
}

/// A whole graph: the payload of a snapshot.
#[derive(Clone, Debug, Default)]
pub struct Image {
    pub next_node: u64,
    pub next_rel: u64,
    pub labels: Vec<Arc<str>>,
    pub types: Vec<Arc<str>>,
    pub keys: Vec<Arc<str>>,
    pub nodes: Vec<ImageNode>,
    pub rels: Vec<ImageRel>,
    pub indexes: Vec<IndexDef>,
}

/// Borrowed twin of [`ImageNode`].
pub struct ImageNodeRef<'a> {
    pub id: u64,
    pub labels: &'a [u32],
    pub props: Props,
}

/// Borrowed twin of [`ImageRel`].
pub struct ImageRelRef {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: u32,
    pub props: Props,
}

/// Borrowed twin of [`Image`], so a snapshot does not copy the graph.
pub struct ImageRef<'a> {
    pub next_node: u64,
    pub next_rel: u64,
    pub labels: Vec<Arc<str>>,
    pub types: Vec<Arc<str>>,
    pub keys: Vec<Arc<str>>,
    pub nodes: Vec<ImageNodeRef<'a>>,
    pub rels: Vec<ImageRelRef>,
    pub indexes: Vec<IndexDef>,
}

impl Graph {
    /// The id counters `(next_node, next_rel)`.
    pub fn counters(&self) -> (u64, u64) {
        (self.next_node, self.next_rel)
    }

    /// Whether anything changed since `mark` (an entity or an id counter).
    pub fn changed_since(&self, mark: super::Mark) -> bool {
        self.journal.len() > mark.journal_len || self.next_node != mark.next_node || self.next_rel != mark.next_rel
    }

    /// The property indexes, by names, in creation order.
    pub fn index_defs(&self) -> Vec<IndexDef> {
        self.indexes
            .iter()
            .map(|i| IndexDef {
                name: i.name.clone(),
                label: self.catalog.labels.name(i.label).to_string(),
                key: self.catalog.keys.name(i.key).to_string(),
            })
            .collect()
    }

    /// Makes the indexes exactly `defs` (dropping others, building missing ones).
    fn set_indexes(&mut self, defs: &[IndexDef]) {
        let wanted: Vec<(String, u32, u32)> = defs
            .iter()
            .map(|d| {
                (
                    d.name.clone(),
                    self.catalog.labels.intern(&d.label),
                    self.catalog.keys.intern(&d.key),
                )
            })
            .collect();
        self.indexes.retain(|i| {
            wanted
                .iter()
                .any(|(n, l, k)| *n == i.name && *l == i.label && *k == i.key)
        });
        for (position, (name, label, key)) in wanted.into_iter().enumerate() {
            if !self.indexes.iter().any(|i| i.name == name) {
                self.build_index(position, &name, label, key);
            }
        }
    }

    /// The net changes recorded in the journal since the last commit.
    pub fn pending_changes(&self) -> Changes {
        let mut created_nodes = HashSet::new();
        let mut created_rels = HashSet::new();
        let mut nodes = BTreeSet::new();
        let mut rels = BTreeSet::new();
        for u in &self.journal {
            match u {
                Undo::CreatedNode(id) => {
                    created_nodes.insert(*id);
                    nodes.insert(*id);
                }
                Undo::CreatedRel(id) => {
                    created_rels.insert(*id);
                    rels.insert(*id);
                }
                Undo::DeletedNode(rec, _) => {
                    nodes.insert(rec.id);
                }
                Undo::DeletedRel { rec, .. } => {
                    rels.insert(rec.id);
                }
                Undo::NodeProp { id, .. } | Undo::AddedLabel { id, .. } | Undo::RemovedLabel { id, .. } => {
                    nodes.insert(*id);
                }
                Undo::RelProp { id, .. } => {
                    rels.insert(*id);
                }
                // Index definitions travel whole (`Changes::indexes`).
                Undo::CreatedIndex(_) | Undo::DroppedIndex { .. } => {}
            }
        }
        let mut out = Changes {
            next_node: self.next_node,
            next_rel: self.next_rel,
            ..Changes::default()
        };
        for id in rels {
            match self.relationship(id) {
                Some(rec) => {
                    let (start, end) = self.endpoints(id).expect("a live relationship has endpoints");
                    out.rels.push(RelState {
                        id: id.0,
                        start: start.0,
                        end: end.0,
                        rel_type: self.catalog.types.name(rec.rel_type),
                        props: self.named_props(self.relationship_props(id)),
                    });
                }
                None if created_rels.contains(&id) => {}
                None => out.deleted_rels.push(id.0),
            }
        }
        for id in nodes {
            match self.node(id) {
                Some(rec) => out.nodes.push(NodeState {
                    id: id.0,
                    labels: rec.labels.iter().map(|l| self.catalog.labels.name(*l)).collect(),
                    props: self.named_props(self.node_props(id)),
                }),
                None if created_nodes.contains(&id) => {}
                None => out.deleted_nodes.push(id.0),
            }
        }
        out
    }

    fn named_props<'a>(&self, props: impl Iterator<Item = (super::KeyId, &'a Value)>) -> Vec<(Arc<str>, Value)> {
        props.map(|(k, v)| (self.catalog.keys.name(k), v.clone())).collect()
    }

    /// Applies committed changes (replaying a log). Nothing is journalled.
    pub fn apply_changes(&mut self, changes: &Changes) -> Result<(), ApplyError> {
        for &id in &changes.deleted_rels {
            let ix = self
                .rels
                .remove(&RelId(id))
                .ok_or_else(|| ApplyError(format!("deletes relationship {id}, which does not exist")))?;
            self.detach(ix);
        }
        for &id in &changes.deleted_nodes {
            let ix = *self
                .nodes
                .get(&NodeId(id))
                .ok_or_else(|| ApplyError(format!("deletes node {id}, which does not exist")))?;
            if self.g.neighbors_undirected(ix).next().is_some() {
                return Err(ApplyError(format!("deletes node {id}, which still has relationships")));
            }
            self.index_node(NodeId(id), false);
            self.nodes.remove(&NodeId(id));
            if let Some(rec) = self.g.remove_node(ix) {
                for l in &rec.labels {
                    if let Some(s) = self.label_index.get_mut(*l as usize) {
                        s.remove(rec.id);
                    }
                }
            }
        }
        for n in &changes.nodes {
            let id = NodeId(n.id);
            let mut labels: Vec<u32> = n.labels.iter().map(|l| self.catalog.labels.intern(l)).collect();
            labels.sort_unstable();
            labels.dedup();
            let props: Props = n
                .props
                .iter()
                .map(|(k, v)| (self.catalog.keys.intern(k), v.clone()))
                .collect();
            let props = normalise_props(props);
            match self.nodes.get(&id) {
                Some(&ix) => {
                    self.index_node(id, false);
                    let old = std::mem::take(&mut self.g[ix].labels);
                    for l in &old {
                        if let Some(s) = self.label_index.get_mut(*l as usize) {
                            s.remove(id);
                        }
                    }
                    self.node_props.take_all(id.0);
                    self.node_props.put_all(id.0, props);
                    self.g[ix].labels = labels.clone();
                }
                None => {
                    let ix = self.g.add_node(NodeRecord {
                        id,
                        labels: labels.clone(),
                    });
                    self.nodes.insert(id, ix);
                    self.node_props.put_all(id.0, props);
                }
            }
            for l in labels {
                self.label_set_mut(l).insert(id);
            }
            self.index_node(id, true);
        }
        for r in &changes.rels {
            let id = RelId(r.id);
            let props: Props = r
                .props
                .iter()
                .map(|(k, v)| (self.catalog.keys.intern(k), v.clone()))
                .collect();
            let props = normalise_props(props);
            match self.rels.get(&id) {
                Some(_) => {
                    self.rel_props.take_all(id.0);
                    self.rel_props.put_all(id.0, props);
                }
                None => {
                    let rel_type = self.catalog.types.intern(&r.rel_type);
                    let missing =
                        |n: u64| ApplyError(format!("relationship {} ends at node {n}, which does not exist", r.id));
                    let (start, end) = (NodeId(r.start), NodeId(r.end));
                    self.attach(RelRecord { id, rel_type }, start, end, props)
                        .map_err(|e| match e {
                            super::StoreError::NoSuchNode(n) => missing(n),
                            other => ApplyError(other.to_string()),
                        })?;
                }
            }
        }
        if let Some(defs) = &changes.indexes {
            self.set_indexes(defs);
        }
        self.next_node = self.next_node.max(changes.next_node);
        self.next_rel = self.next_rel.max(changes.next_rel);
        Ok(())
    }

    /// A borrowed image of the committed graph (call it with no open
    /// transaction: it shows the graph as it is now).
    pub fn image(&self) -> ImageRef<'_> {
        let names = |t: &super::NameTable| t.all().into_iter().map(|(_, n)| n).collect();
        let nodes = self
            .node_ids()
            .into_iter()
            .filter_map(|id| self.node(id))
            .map(|n| ImageNodeRef {
                id: n.id.0,
                labels: &n.labels,
                props: self.node_props.props(n.id.0),
            })
            .collect();
        let rels = self
            .relationship_ids()
            .into_iter()
            .filter_map(|id| {
                let rec = self.relationship(id)?;
                let (s, e) = self.endpoints(id)?;
                Some(ImageRelRef {
                    id: id.0,
                    start: s.0,
                    end: e.0,
                    rel_type: rec.rel_type,
                    props: self.rel_props.props(id.0),
                })
            })
            .collect();
        ImageRef {
            next_node: self.next_node,
            next_rel: self.next_rel,
            labels: names(&self.catalog.labels),
            types: names(&self.catalog.types),
            keys: names(&self.catalog.keys),
            nodes,
            rels,
            indexes: self.index_defs(),
        }
    }

    /// Builds a graph from an image, checking that it holds together.
    pub fn from_image(image: Image) -> Result<Graph, ApplyError> {
        let mut b = GraphBuilder::new(
            &image.labels,
            &image.types,
            &image.keys,
            image.next_node,
            image.next_rel,
            image.nodes.len(),
            image.rels.len(),
        )?;
        for n in image.nodes {
            b.add_node(n.id, n.labels, n.props)?;
        }
        b.add_indexes(&image.indexes);
        for r in image.rels {
            b.add_rel(r.id, r.start, r.end, r.rel_type, r.props)?;
        }
        b.finish()
    }

    /// [`Graph::create_node`] without an entry in the undo journal (for bulk
    /// loads, which undo with [`Graph::discard_since`]).
    pub fn create_node_unjournalled(&mut self, labels: &[LabelId], props: Props) -> NodeId {
        let id = self.create_node(labels, props);
        let undo = self.journal.pop();
        debug_assert!(matches!(undo, Some(Undo::CreatedNode(n)) if n == id));
        id
    }

    /// [`Graph::create_relationship`] without an entry in the undo journal.
    pub fn create_relationship_unjournalled(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: TypeId,
        props: Props,
    ) -> Result<RelId, StoreError> {
        self.bulk_adj.get_or_insert_with(Vec::new);
        let id = self.create_relationship(start, end, rel_type, props)?;
        let undo = self.journal.pop();
        debug_assert!(matches!(undo, Some(Undo::CreatedRel(r)) if r == id));
        Ok(id)
    }

    /// Ends a bulk load: the relationships made without the journal join the
    /// adjacency arrays, each array growing once.
    pub fn finish_bulk(&mut self) {
        if let Some(pending) = self.bulk_adj.take() {
            self.adj.extend(&pending);
        }
    }

    /// Removes every node and relationship created since `mark` (their ids
    /// are the ones past its counters) and resets the counters: undoes
    /// changes that only created entities, journalled or not. The journal is
    /// cut back to the mark.
    pub fn discard_since(&mut self, mark: Mark) {
        for id in mark.next_rel..self.next_rel {
            if let Some(ix) = self.rels.remove(&RelId(id)) {
                self.detach(ix);
            }
        }
        for id in (mark.next_node..self.next_node).map(NodeId) {
            self.take_node(id);
        }
        // What the bulk load made is gone: the adjacency arrays never had it.
        self.bulk_adj = None;
        self.journal.truncate(mark.journal_len);
        self.next_node = mark.next_node;
        self.next_rel = mark.next_rel;
    }

    /// The node records in ascending id order (what a snapshot holds).
    pub fn image_nodes(&self) -> impl Iterator<Item = &NodeRecord> + '_ {
        self.nodes.ids().filter_map(|id| self.node(id))
    }

    /// The relationship records in ascending id order, with their end points.
    pub fn image_rels(&self) -> impl Iterator<Item = (&RelRecord, NodeId, NodeId)> + '_ {
        self.rels.ids().filter_map(|id| {
            let ix = *self.rels.get(&id)?;
            let (a, b) = self.g.edge_endpoints(ix)?;
            Some((&self.g[ix], self.g[a].id, self.g[b].id))
        })
    }
}

/// Builds a graph from the entities of an image, read one at a time (no
/// image of the whole graph is held), checking that they hold together.
/// Capacity is reserved up front from the counts.
pub struct GraphBuilder {
    g: Graph,
    nl: usize,
    nt: usize,
    nk: usize,
    /// Relationships per type id, counted here and handed to the graph at the end.
    type_counts: Vec<usize>,
    /// Relationships checked but not yet in the graph: they go in a batch at
    /// a time, after the end nodes of the whole batch have been fetched into
    /// the cache (loading a random node is most of the cost of adding an edge).
    pending: Vec<(RelRecord, NodeId, NodeId, Props)>,
    /// Every relationship's `(id, type, start, end)`, for the adjacency
    /// arrays built at the end (reading them back from the edges would visit
    /// the end nodes all over memory again).
    adjacency: Vec<(RelId, TypeId, NodeId, NodeId)>,
    /// The pending relationships' end nodes, as found (reused).
    ends: Vec<(Option<NodeIndex>, Option<NodeIndex>)>,
}

/// Relationships added at a time.
const BATCH: usize = 32;

impl GraphBuilder {
    /// `nodes` and `rels` are the counts to come (for reserving capacity).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        labels: &[Arc<str>],
        types: &[Arc<str>],
        keys: &[Arc<str>],
        next_node: u64,
        next_rel: u64,
        nodes: usize,
        rels: usize,
    ) -> Result<GraphBuilder, ApplyError> {
        let mut g = Graph::new();
        for (what, table, interner) in [
            ("label", labels, &g.catalog.labels),
            ("relationship type", types, &g.catalog.types),
            ("property key", keys, &g.catalog.keys),
        ] {
            for name in table {
                interner.intern(name);
            }
            if interner.len() != table.len() {
                return Err(ApplyError(format!("the {what} names are not distinct")));
            }
        }
        g.g = petgraph::stable_graph::StableGraph::with_capacity(nodes, rels);
        g.nodes.reserve(nodes);
        g.rels.reserve(rels);
        g.next_node = next_node;
        g.next_rel = next_rel;
        Ok(GraphBuilder {
            g,
            nl: labels.len(),
            nt: types.len(),
            nk: keys.len(),
            type_counts: vec![0; types.len()],
            pending: Vec::with_capacity(BATCH),
            adjacency: Vec::with_capacity(rels),
            ends: Vec::with_capacity(BATCH),
        })
    }

    fn check_props(&self, what: &str, id: u64, props: &Props) -> Result<(), ApplyError> {
        if props.iter().any(|(k, _)| *k as usize >= self.nk) || props.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(ApplyError(format!("{what} {id} has a malformed property list")));
        }
        Ok(())
    }

    pub fn add_node(&mut self, id: u64, mut labels: Vec<u32>, props: Props) -> Result<(), ApplyError> {
        self.check_props("node", id, &props)?;
        if labels.iter().any(|l| *l as usize >= self.nl) || id >= self.g.next_node {
            return Err(ApplyError(format!("node {id} is malformed")));
        }
        if labels.windows(2).any(|w| w[0] >= w[1]) {
            labels.sort_unstable();
            labels.dedup();
        }
        let nid = NodeId(id);
        if self.g.nodes.contains_key(&nid) {
            return Err(ApplyError(format!("node {id} appears twice")));
        }
        for l in &labels {
            self.g.label_set_mut(*l).insert(nid);
        }
        let ix = self.g.g.add_node(NodeRecord { id: nid, labels });
        self.g.nodes.insert(nid, ix);
        self.g.node_props.put_all(id, props);
        Ok(())
    }

    pub fn add_rel(&mut self, id: u64, start: u64, end: u64, rel_type: u32, props: Props) -> Result<(), ApplyError> {
        self.check_props("relationship", id, &props)?;
        if rel_type as usize >= self.nt || id >= self.g.next_rel {
            return Err(ApplyError(format!("relationship {id} is malformed")));
        }
        self.type_counts[rel_type as usize] += 1;
        self.pending.push((
            RelRecord {
                id: RelId(id),
                rel_type,
            },
            NodeId(start),
            NodeId(end),
            props,
        ));
        self.adjacency.push((RelId(id), rel_type, NodeId(start), NodeId(end)));
        if self.pending.len() == BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ApplyError> {
        // Each step is a run of independent loads (the end nodes' slots in
        // the id map, then the end nodes): the processor fetches a whole
        // run at once, where adding the edges one by one, each waiting on
        // its own loads, would fetch them one at a time.
        let g = &self.g;
        self.ends.clear();
        self.ends.extend(
            self.pending
                .iter()
                .map(|(_, s, e, _)| (g.nodes.get(s).copied(), g.nodes.get(e).copied())),
        );
        let mut touch = 0u64;
        for ((rec, start, end, _), (a, b)) in self.pending.iter().zip(&self.ends) {
            let (Some(a), Some(b)) = (a, b) else {
                let n = if a.is_none() { start } else { end };
                return Err(ApplyError(format!(
                    "relationship {} ends at node {}, which does not exist",
                    rec.id.0, n.0
                )));
            };
            touch ^= g.g[*a].id.0 ^ g.g[*b].id.0;
        }
        std::hint::black_box(touch);
        for ((rec, _, _, props), (a, b)) in self.pending.drain(..).zip(&self.ends) {
            let (Some(a), Some(b)) = (*a, *b) else {
                unreachable!("checked above")
            };
            let id = rec.id;
            let ix = self.g.g.add_edge(a, b, rec);
            if self.g.rels.insert(id, ix).is_some() {
                return Err(ApplyError(format!("relationship {} appears twice", id.0)));
            }
            self.g.rel_props.put_all(id.0, props);
        }
        Ok(())
    }

    /// The graph.
    pub fn finish(mut self) -> Result<Graph, ApplyError> {
        self.flush()?;
        for (t, n) in self.type_counts.iter().enumerate() {
            if *n > 0 {
                self.g.type_counts.insert(t as u32, *n);
            }
        }
        let rels = std::mem::take(&mut self.adjacency);
        self.g.adj = super::Adjacency::build(self.g.next_node as usize, || rels.iter().copied());
        Ok(self.g)
    }

    /// Builds `indexes` (in bulk, from the nodes' values): call it once the
    /// nodes are in, best before the relationships (it needs only the nodes,
    /// and its passing memory then adds less to the peak).
    pub fn add_indexes(&mut self, indexes: &[IndexDef]) {
        let g = &mut self.g;
        for d in indexes {
            let (label, key) = (g.catalog.labels.intern(&d.label), g.catalog.keys.intern(&d.key));
            if g.indexes
                .iter()
                .any(|i| i.name == d.name || (i.label == label && i.key == key))
            {
                continue;
            }
            let entries: Vec<(Value, NodeId)> = g
                .nodes_with_label(label)
                .filter_map(|id| g.node_property(id, key).map(|v| (v.clone(), id)))
                .collect();
            g.indexes
                .push(super::PropertyIndex::build(d.name.clone(), label, key, entries));
        }
    }
}
