//! What persistence needs of the store: the committed changes of a
//! transaction (derived from the undo journal), a way to apply them again, and
//! a whole-graph image for snapshots.
//!
//! Everything here names entities by user-visible id and names labels, types
//! and keys by name (or, in an image, by an index into the image's own name
//! tables), never by petgraph index: those are not stable across processes.
//! The storage layer serializes these plain types; the store knows nothing of
//! files.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::journal::Undo;
use super::{normalise_props, Graph, NodeRecord, Props, RelRecord};
use crate::value::{NodeId, RelId, Value};

/// The final state of a node a transaction created or changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeState {
    pub id: u64,
    pub labels: Vec<Arc<str>>,
    pub props: Vec<(Arc<str>, Value)>,
}

/// The final state of a relationship a transaction created or changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelState {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: Arc<str>,
    pub props: Vec<(Arc<str>, Value)>,
}

/// A property index, by names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    pub name: String,
    pub label: String,
    pub key: String,
}

/// The net effect of a committed transaction: applied in field order
/// (relationship deletes, node deletes, node upserts, relationship upserts),
/// it turns the graph before the transaction into the graph after it.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageNode {
    pub id: u64,
    pub labels: Vec<u32>,
    pub props: Props,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageRel {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: u32,
    pub props: Props,
}

/// A whole graph: the payload of a snapshot.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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

/// Borrowed twin of [`ImageNode`] (serializes identically).
#[derive(Serialize)]
pub struct ImageNodeRef<'a> {
    pub id: u64,
    pub labels: &'a [u32],
    pub props: Props,
}

/// Borrowed twin of [`ImageRel`] (serializes identically).
#[derive(Serialize)]
pub struct ImageRelRef {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: u32,
    pub props: Props,
}

/// Borrowed twin of [`Image`] (serializes identically), so a snapshot does
/// not copy the graph.
#[derive(Serialize)]
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
                label: self.labels.name(i.label).to_string(),
                key: self.keys.name(i.key).to_string(),
            })
            .collect()
    }

    /// Makes the indexes exactly `defs` (dropping others, building missing ones).
    fn set_indexes(&mut self, defs: &[IndexDef]) {
        let wanted: Vec<(String, u32, u32)> = defs
            .iter()
            .map(|d| (d.name.clone(), self.labels.intern(&d.label), self.keys.intern(&d.key)))
            .collect();
        self.indexes.retain(|i| {
            wanted
                .iter()
                .any(|(n, l, k)| *n == i.name && *l == i.label && *k == i.key)
        });
        for (name, label, key) in wanted {
            self.create_index(&name, label, key);
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
                        rel_type: self.types.name_arc(rec.rel_type),
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
                    labels: rec.labels.iter().map(|l| self.labels.name_arc(*l)).collect(),
                    props: self.named_props(self.node_props(id)),
                }),
                None if created_nodes.contains(&id) => {}
                None => out.deleted_nodes.push(id.0),
            }
        }
        out
    }

    fn named_props<'a>(&self, props: impl Iterator<Item = (super::KeyId, &'a Value)>) -> Vec<(Arc<str>, Value)> {
        props.map(|(k, v)| (self.keys.name_arc(k), v.clone())).collect()
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
            let mut labels: Vec<u32> = n.labels.iter().map(|l| self.labels.intern(l)).collect();
            labels.sort_unstable();
            labels.dedup();
            let props: Props = n.props.iter().map(|(k, v)| (self.keys.intern(k), v.clone())).collect();
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
            let props: Props = r.props.iter().map(|(k, v)| (self.keys.intern(k), v.clone())).collect();
            let props = normalise_props(props);
            match self.rels.get(&id) {
                Some(_) => {
                    self.rel_props.take_all(id.0);
                    self.rel_props.put_all(id.0, props);
                }
                None => {
                    let rel_type = self.types.intern(&r.rel_type);
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
        let names = |i: &super::Interner| i.iter().map(|(id, _)| i.name_arc(id)).collect();
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
            labels: names(&self.labels),
            types: names(&self.types),
            keys: names(&self.keys),
            nodes,
            rels,
            indexes: self.index_defs(),
        }
    }

    /// Builds a graph from an image, checking that it holds together.
    pub fn from_image(image: Image) -> Result<Graph, ApplyError> {
        let mut g = Graph::new();
        for l in &image.labels {
            g.labels.intern(l);
        }
        for t in &image.types {
            g.types.intern(t);
        }
        for k in &image.keys {
            g.keys.intern(k);
        }
        let (nl, nt, nk) = (image.labels.len(), image.types.len(), image.keys.len());
        let check_props = |what: &str, id: u64, props: &Props| {
            if props.iter().any(|(k, _)| *k as usize >= nk) || props.windows(2).any(|w| w[0].0 >= w[1].0) {
                return Err(ApplyError(format!("{what} {id} has a malformed property list")));
            }
            Ok(())
        };
        g.nodes.reserve(image.nodes.len());
        for n in image.nodes {
            check_props("node", n.id, &n.props)?;
            if n.labels.iter().any(|l| *l as usize >= nl) || n.id >= image.next_node {
                return Err(ApplyError(format!("node {} is malformed", n.id)));
            }
            let id = NodeId(n.id);
            for l in &n.labels {
                g.label_set_mut(*l).insert(id);
            }
            let ix = g.g.add_node(NodeRecord { id, labels: n.labels });
            if g.nodes.insert(id, ix).is_some() {
                return Err(ApplyError(format!("node {} appears twice", n.id)));
            }
            g.node_props.put_all(n.id, n.props);
        }
        g.rels.reserve(image.rels.len());
        for r in image.rels {
            check_props("relationship", r.id, &r.props)?;
            if r.rel_type as usize >= nt || r.id >= image.next_rel {
                return Err(ApplyError(format!("relationship {} is malformed", r.id)));
            }
            let missing = |n: u64| ApplyError(format!("relationship {} ends at node {n}, which does not exist", r.id));
            let a = *g.nodes.get(&NodeId(r.start)).ok_or_else(|| missing(r.start))?;
            let b = *g.nodes.get(&NodeId(r.end)).ok_or_else(|| missing(r.end))?;
            let id = RelId(r.id);
            *g.type_counts.entry(r.rel_type).or_default() += 1;
            let ix = g.g.add_edge(
                a,
                b,
                RelRecord {
                    id,
                    rel_type: r.rel_type,
                },
            );
            if g.rels.insert(id, ix).is_some() {
                return Err(ApplyError(format!("relationship {} appears twice", r.id)));
            }
            g.rel_props.put_all(r.id, r.props);
        }
        g.next_node = image.next_node;
        g.next_rel = image.next_rel;
        g.build_adjacency();
        g.set_indexes(&image.indexes);
        Ok(g)
    }
}
