//! The graph store: nodes and relationships in a petgraph `StableGraph`, with
//! interned names, a label index and an undo journal.
//!
//! User-visible ids come from counters that only grow: a petgraph index is
//! reused after a delete, so it never leaves this module. Every change is
//! journalled so that a failed statement (or a rolled-back transaction) can be
//! undone exactly, ids included.

mod adjacency;
pub mod catalog;
mod columns;
mod idmap;
mod image;
mod index;
mod journal;
mod labelset;
pub mod read;
mod seam;
pub mod view;

use std::collections::{BTreeSet, HashMap};

use adjacency::Adjacency;
pub use columns::Column;
use columns::Columns;
use labelset::LabelSet;
pub use labelset::Members;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::Direction as PgDirection;

pub use catalog::{Catalog, KeyId, LabelId, NameRef, NameTable, Namespace, TypeId};
use idmap::IdMap;
pub use image::{ApplyError, Changes, Image, ImageRef, IndexDef, NodeState, RelState};
pub use image::{GraphBuilder, ImageNode, ImageRel};
pub use index::PropertyIndex;
pub use journal::Mark;
use journal::Undo;
pub use read::{GraphRead, GraphWrite, IndexInfo, Neighbours, NodeIter, PropRef, Props, RelInfo, Savepoint, Seek};

use std::sync::Arc;

use crate::value::{Map, NodeId, RelId, Value};

#[derive(Clone, Debug)]
pub struct NodeRecord {
    pub id: NodeId,
    pub labels: Vec<LabelId>,
}

#[derive(Clone, Debug)]
pub struct RelRecord {
    pub id: RelId,
    pub rel_type: TypeId,
}

/// Which relationships of a node to follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Outgoing,
    Incoming,
    Both,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StoreError {
    #[error("node {0} does not exist (it may have been deleted)")]
    NoSuchNode(u64),
    #[error("relationship {0} does not exist (it may have been deleted)")]
    NoSuchRelationship(u64),
    #[error("cannot delete node {0}: it still has relationships")]
    NodeHasRelationships(u64),
}

#[derive(Default)]
pub struct Graph {
    g: StableGraph<NodeRecord, RelRecord>,
    nodes: IdMap<NodeId, NodeIndex>,
    rels: IdMap<RelId, EdgeIndex>,
    next_node: u64,
    next_rel: u64,
    /// The names of labels, types and keys (shared, append-only).
    catalog: Arc<Catalog>,
    /// Indexed by label id.
    label_index: Vec<LabelSet>,
    type_counts: HashMap<TypeId, usize>,
    adj: Adjacency,
    /// During a bulk load: relationships made but not yet in `adj`, which
    /// takes them all at once at the end (`finish_bulk`).
    bulk_adj: Option<Vec<(RelId, TypeId, NodeId, NodeId)>>,
    /// Properties, by key then id (`columns.rs`).
    node_props: Columns,
    rel_props: Columns,
    indexes: Vec<PropertyIndex>,
    journal: Vec<Undo>,
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
    }

    /// The catalog of names (also [`GraphRead::catalog`]).
    pub fn names(&self) -> &Catalog {
        &self.catalog
    }

    fn label_set_mut(&mut self, label: LabelId) -> &mut LabelSet {
        let i = label as usize;
        if self.label_index.len() <= i {
            self.label_index.resize_with(i + 1, LabelSet::default);
        }
        &mut self.label_index[i]
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn relationship_count(&self) -> usize {
        self.rels.len()
    }

    // ---- reading -------------------------------------------------------

    pub fn node(&self, id: NodeId) -> Option<&NodeRecord> {
        self.nodes.get(&id).map(|&ix| &self.g[ix])
    }

    pub fn relationship(&self, id: RelId) -> Option<&RelRecord> {
        self.rels.get(&id).map(|&ix| &self.g[ix])
    }

    pub fn contains_node(&self, id: NodeId) -> bool {
        self.nodes.contains_key(&id)
    }

    pub fn contains_relationship(&self, id: RelId) -> bool {
        self.rels.contains_key(&id)
    }

    /// `(start, end)` of a relationship.
    pub fn endpoints(&self, id: RelId) -> Option<(NodeId, NodeId)> {
        let ix = *self.rels.get(&id)?;
        let (a, b) = self.g.edge_endpoints(ix)?;
        Some((self.g[a].id, self.g[b].id))
    }

    /// Every node id, ascending.
    pub fn node_ids(&self) -> Vec<NodeId> {
        self.nodes.ids().collect()
    }

    /// Every relationship id, ascending.
    pub fn relationship_ids(&self) -> Vec<RelId> {
        self.rels.ids().collect()
    }

    /// Nodes carrying `label`, ascending by id.
    pub fn nodes_with_label(&self, label: LabelId) -> Members<'_> {
        self.label_index
            .get(label as usize)
            .map_or(Members::Empty, |s| s.iter())
    }

    pub fn label_count(&self, label: LabelId) -> usize {
        self.label_index.get(label as usize).map_or(0, |s| s.len())
    }

    pub fn type_count(&self, t: TypeId) -> usize {
        self.type_counts.get(&t).copied().unwrap_or(0)
    }

    /// Whether node `id` exists and carries `label`.
    #[inline]
    pub fn has_label(&self, id: NodeId, label: LabelId) -> bool {
        self.label_index.get(label as usize).is_some_and(|s| s.contains(id))
    }

    pub fn node_property(&self, id: NodeId, key: KeyId) -> Option<&Value> {
        self.node_props.get(id.0, key)
    }

    pub fn relationship_property(&self, id: RelId, key: KeyId) -> Option<&Value> {
        self.rel_props.get(id.0, key)
    }

    /// The relationships at a node: `(relationship, other end)`, by
    /// relationship id. With `Both`, a self-loop is reported once.
    pub fn neighbours(&self, id: NodeId, dir: Dir) -> Vec<(RelId, NodeId)> {
        self.neighbours_iter(id, dir, &[]).collect()
    }

    /// The relationships at a node of one of `types` (any type when empty), collected.
    pub fn neighbours_typed(&self, id: NodeId, dir: Dir, types: &[TypeId]) -> Vec<(RelId, NodeId)> {
        self.neighbours_iter(id, dir, types).collect()
    }

    /// The relationships at a node of one of `types` (any type when empty):
    /// `(relationship, other end)`, by relationship id, without allocating.
    /// With `Both`, a self-loop is reported once.
    pub fn neighbours_iter<'a>(&'a self, id: NodeId, dir: Dir, types: &'a [TypeId]) -> adjacency::Neighbours<'a> {
        // A filter that every relationship in the graph passes is no filter.
        let filter = !types.is_empty() && self.type_counts.iter().any(|(t, c)| *c > 0 && !types.contains(t));
        self.adj.neighbours(id, dir, filter.then_some(types))
    }

    /// A node's properties, by key (none for a node that does not exist).
    pub fn node_props(&self, id: NodeId) -> impl Iterator<Item = (KeyId, &Value)> + '_ {
        self.node_props.iter(id.0)
    }

    pub fn relationship_props(&self, id: RelId) -> impl Iterator<Item = (KeyId, &Value)> + '_ {
        self.rel_props.iter(id.0)
    }

    /// How many nodes and relationships carry each property key (keys in use only).
    pub fn property_key_counts(&self) -> Vec<(KeyId, usize)> {
        self.catalog
            .keys
            .all()
            .into_iter()
            .map(|(k, _)| {
                let count = |c: &Columns| c.column(k).map_or(0, Column::len);
                (k, count(&self.node_props) + count(&self.rel_props))
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// The column of a node property key, for scans.
    pub fn node_column(&self, key: KeyId) -> Option<&Column> {
        self.node_props.column(key)
    }

    /// A node's properties as a map of names.
    pub fn node_props_map(&self, id: NodeId) -> Map {
        self.node_props(id)
            .map(|(k, v)| (self.catalog.keys.name(k).into(), v.clone()))
            .collect()
    }

    pub fn relationship_props_map(&self, id: RelId) -> Map {
        self.relationship_props(id)
            .map(|(k, v)| (self.catalog.keys.name(k).into(), v.clone()))
            .collect()
    }

    /// Properties as a map of names (for `properties(n)`, results, `n = ...`).
    pub fn props_to_map(&self, props: &Props) -> Map {
        props
            .iter()
            .map(|(k, v)| (self.catalog.keys.name(*k).into(), v.clone()))
            .collect()
    }

    pub fn label_names(&self, labels: &[LabelId]) -> Vec<String> {
        labels
            .iter()
            .map(|l| self.catalog.labels.name(*l).to_string())
            .collect()
    }

    // ---- writing -------------------------------------------------------

    pub fn create_node(&mut self, labels: &[LabelId], props: Props) -> NodeId {
        let id = NodeId(self.next_node);
        self.next_node += 1;
        let mut labels = labels.to_vec();
        labels.sort_unstable();
        labels.dedup();
        for l in &labels {
            self.label_set_mut(*l).insert(id);
        }
        self.node_props.put_all(id.0, normalise_props(props));
        let ix = self.g.add_node(NodeRecord { id, labels });
        self.nodes.insert(id, ix);
        self.index_node(id, true);
        self.journal.push(Undo::CreatedNode(id));
        id
    }

    pub fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: TypeId,
        props: Props,
    ) -> Result<RelId, StoreError> {
        for n in [start, end] {
            if !self.nodes.contains_key(&n) {
                return Err(StoreError::NoSuchNode(n.0));
            }
        }
        let id = RelId(self.next_rel);
        self.next_rel += 1;
        self.attach(RelRecord { id, rel_type }, start, end, normalise_props(props))?;
        self.journal.push(Undo::CreatedRel(id));
        Ok(id)
    }

    /// Puts a relationship record into the graph between its end nodes.
    fn attach(&mut self, rec: RelRecord, start: NodeId, end: NodeId, props: Props) -> Result<EdgeIndex, StoreError> {
        let a = *self.nodes.get(&start).ok_or(StoreError::NoSuchNode(start.0))?;
        let b = *self.nodes.get(&end).ok_or(StoreError::NoSuchNode(end.0))?;
        let (id, rel_type) = (rec.id, rec.rel_type);
        match &mut self.bulk_adj {
            Some(pending) => pending.push((id, rel_type, start, end)),
            None => self.adj.add(id, rel_type, start, end),
        }
        self.rel_props.put_all(id.0, props);
        let ix = self.g.add_edge(a, b, rec);
        self.rels.insert(id, ix);
        *self.type_counts.entry(rel_type).or_default() += 1;
        Ok(ix)
    }

    /// Takes a relationship record out of the graph (the id map is the caller's).
    fn detach(&mut self, ix: EdgeIndex) -> Option<(RelRecord, Props)> {
        let (a, b) = self.g.edge_endpoints(ix)?;
        let (start, end) = (self.g[a].id, self.g[b].id);
        let rec = self.g.remove_edge(ix)?;
        if let Some(c) = self.type_counts.get_mut(&rec.rel_type) {
            *c -= 1;
        }
        self.adj.remove(rec.id, start, end);
        let props = self.rel_props.take_all(rec.id.0);
        Some((rec, props))
    }

    pub fn delete_relationship(&mut self, id: RelId) -> Result<(), StoreError> {
        let ix = self.rels.remove(&id).ok_or(StoreError::NoSuchRelationship(id.0))?;
        let (a, b) = self.g.edge_endpoints(ix).ok_or(StoreError::NoSuchRelationship(id.0))?;
        let (start, end) = (self.g[a].id, self.g[b].id);
        let (rec, props) = self.detach(ix).ok_or(StoreError::NoSuchRelationship(id.0))?;
        self.journal.push(Undo::DeletedRel { rec, props, start, end });
        Ok(())
    }

    /// Deletes a node; with `detach`, its relationships first. Returns the
    /// number of relationships deleted.
    pub fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<usize, StoreError> {
        let ix = *self.nodes.get(&id).ok_or(StoreError::NoSuchNode(id.0))?;
        let rels: Vec<RelId> = self
            .g
            .edges_directed(ix, PgDirection::Outgoing)
            .chain(self.g.edges_directed(ix, PgDirection::Incoming))
            .map(|e| e.weight().id)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if !rels.is_empty() && !detach {
            return Err(StoreError::NodeHasRelationships(id.0));
        }
        for r in &rels {
            self.delete_relationship(*r)?;
        }
        let (rec, props) = self.take_node(id).ok_or(StoreError::NoSuchNode(id.0))?;
        self.journal.push(Undo::DeletedNode(rec, props));
        Ok(rels.len())
    }

    /// Sets a node property (`Null` removes it); returns the previous value.
    pub fn set_node_property(&mut self, id: NodeId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        if !self.nodes.contains_key(&id) {
            return Err(StoreError::NoSuchNode(id.0));
        }
        self.index_node(id, false);
        let old = self.node_props.set(id.0, key, value);
        self.index_node(id, true);
        self.journal.push(Undo::NodeProp {
            id,
            key,
            old: old.clone(),
        });
        Ok(old)
    }

    pub fn set_relationship_property(
        &mut self,
        id: RelId,
        key: KeyId,
        value: Value,
    ) -> Result<Option<Value>, StoreError> {
        if !self.rels.contains_key(&id) {
            return Err(StoreError::NoSuchRelationship(id.0));
        }
        let old = self.rel_props.set(id.0, key, value);
        self.journal.push(Undo::RelProp {
            id,
            key,
            old: old.clone(),
        });
        Ok(old)
    }

    /// Adds a label; `false` when the node already had it.
    pub fn add_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        let ix = *self.nodes.get(&id).ok_or(StoreError::NoSuchNode(id.0))?;
        let labels = &mut self.g[ix].labels;
        match labels.binary_search(&label) {
            Ok(_) => Ok(false),
            Err(i) => {
                self.index_node(id, false);
                self.g[ix].labels.insert(i, label);
                self.index_node(id, true);
                self.label_set_mut(label).insert(id);
                self.journal.push(Undo::AddedLabel { id, label });
                Ok(true)
            }
        }
    }

    /// Removes a label; `false` when the node did not have it.
    pub fn remove_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        let ix = *self.nodes.get(&id).ok_or(StoreError::NoSuchNode(id.0))?;
        let labels = &mut self.g[ix].labels;
        match labels.binary_search(&label) {
            Err(_) => Ok(false),
            Ok(i) => {
                self.index_node(id, false);
                self.g[ix].labels.remove(i);
                self.index_node(id, true);
                if let Some(s) = self.label_index.get_mut(label as usize) {
                    s.remove(id);
                }
                self.journal.push(Undo::RemovedLabel { id, label });
                Ok(true)
            }
        }
    }

    // ---- indexes -------------------------------------------------------

    /// Adds (`true`) or removes (`false`) a node's entries in the indexes of its labels.
    fn index_node(&mut self, id: NodeId, add: bool) {
        if self.indexes.is_empty() {
            return;
        }
        let Some(&ix) = self.nodes.get(&id) else { return };
        let rec = &self.g[ix];
        for index in &mut self.indexes {
            if !rec.labels.contains(&index.label) {
                continue;
            }
            if let Some(v) = self.node_props.get(id.0, index.key) {
                if add {
                    index.insert(v, id);
                } else {
                    index.remove(v, id);
                }
            }
        }
    }

    /// Creates an index of `key` on nodes labelled `label`; `false` if one with
    /// that name or on that label and key exists already.
    pub fn create_index(&mut self, name: &str, label: LabelId, key: KeyId) -> bool {
        if self
            .indexes
            .iter()
            .any(|i| i.name == name || (i.label == label && i.key == key))
        {
            return false;
        }
        self.build_index(self.indexes.len(), name, label, key);
        self.journal.push(Undo::CreatedIndex(name.to_string()));
        true
    }

    /// Builds an index from the data and puts it at `position` among the indexes.
    pub(super) fn build_index(&mut self, position: usize, name: &str, label: LabelId, key: KeyId) {
        let mut index = PropertyIndex::new(name.to_string(), label, key);
        for id in self.nodes_with_label(label).collect::<Vec<_>>() {
            if let Some(v) = self.node_property(id, key) {
                index.insert(v, id);
            }
        }
        self.indexes.insert(position.min(self.indexes.len()), index);
    }

    /// Drops the index called `name`; `false` if there is none.
    pub fn drop_index(&mut self, name: &str) -> bool {
        let Some(i) = self.indexes.iter().position(|i| i.name == name) else {
            return false;
        };
        let index = self.indexes.remove(i);
        self.journal.push(Undo::DroppedIndex {
            position: i,
            name: index.name,
            label: index.label,
            key: index.key,
        });
        true
    }

    /// Checks every index against a scan of its label: `Err` names the first
    /// difference (for tests and `quiver check`).
    pub fn verify_indexes(&self) -> Result<(), String> {
        for index in &self.indexes {
            let mut expected = PropertyIndex::new(index.name.clone(), index.label, index.key);
            for id in self.nodes_with_label(index.label) {
                if let Some(v) = self.node_property(id, index.key) {
                    expected.insert(v, id);
                }
            }
            if !expected.same_entries(index) {
                return Err(format!("index `{}` does not match the nodes it covers", index.name));
            }
        }
        Ok(())
    }

    pub fn indexes(&self) -> &[PropertyIndex] {
        &self.indexes
    }

    /// The index of `key` on `label`, if there is one.
    pub fn index_for(&self, label: LabelId, key: KeyId) -> Option<&PropertyIndex> {
        self.indexes.iter().find(|i| i.label == label && i.key == key)
    }

    // ---- undo ----------------------------------------------------------

    /// A point to roll back to.
    pub fn mark(&self) -> Mark {
        Mark {
            journal_len: self.journal.len(),
            next_node: self.next_node,
            next_rel: self.next_rel,
        }
    }

    /// Undoes every change since `mark`, ids included.
    pub fn rollback(&mut self, mark: Mark) {
        while self.journal.len() > mark.journal_len {
            let Some(undo) = self.journal.pop() else { break };
            self.undo(undo);
        }
        self.next_node = mark.next_node;
        self.next_rel = mark.next_rel;
    }

    /// Forgets the journal up to now: the changes can no longer be undone.
    pub fn commit(&mut self) {
        self.journal.clear();
    }

    /// Takes a node out of the graph, its indexes, label sets and property
    /// columns (its relationships must be gone already).
    fn take_node(&mut self, id: NodeId) -> Option<(NodeRecord, Props)> {
        self.index_node(id, false);
        let ix = self.nodes.remove(&id)?;
        let rec = self.g.remove_node(ix)?;
        for l in &rec.labels {
            if let Some(s) = self.label_index.get_mut(*l as usize) {
                s.remove(id);
            }
        }
        let props = self.node_props.take_all(id.0);
        Some((rec, props))
    }

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::CreatedNode(id) => {
                self.take_node(id);
            }
            Undo::CreatedRel(id) => {
                if let Some(ix) = self.rels.remove(&id) {
                    self.detach(ix);
                }
            }
            Undo::DeletedNode(rec, props) => {
                let id = rec.id;
                self.node_props.put_all(id.0, props);
                for l in &rec.labels {
                    self.label_set_mut(*l).insert(id);
                }
                let ix = self.g.add_node(rec);
                self.nodes.insert(id, ix);
                self.index_node(id, true);
            }
            Undo::DeletedRel { rec, props, start, end } => {
                // Undo runs newest first, so both end nodes are back already.
                let _ = self.attach(rec, start, end, props);
            }
            Undo::NodeProp { id, key, old } => {
                if self.nodes.contains_key(&id) {
                    self.index_node(id, false);
                    self.node_props.set(id.0, key, old.unwrap_or(Value::Null));
                    self.index_node(id, true);
                }
            }
            Undo::RelProp { id, key, old } => {
                if self.rels.contains_key(&id) {
                    self.rel_props.set(id.0, key, old.unwrap_or(Value::Null));
                }
            }
            Undo::AddedLabel { id, label } => {
                if let Some(&ix) = self.nodes.get(&id) {
                    self.index_node(id, false);
                    self.g[ix].labels.retain(|l| *l != label);
                    self.index_node(id, true);
                }
                if let Some(s) = self.label_index.get_mut(label as usize) {
                    s.remove(id);
                }
            }
            Undo::CreatedIndex(name) => self.indexes.retain(|i| i.name != name),
            Undo::DroppedIndex {
                position,
                name,
                label,
                key,
            } => self.build_index(position, &name, label, key),
            Undo::RemovedLabel { id, label } => {
                if let Some(&ix) = self.nodes.get(&id) {
                    self.index_node(id, false);
                    let labels = &mut self.g[ix].labels;
                    if let Err(i) = labels.binary_search(&label) {
                        labels.insert(i, label);
                    }
                    self.index_node(id, true);
                }
                self.label_set_mut(label).insert(id);
            }
        }
    }

    /// A deleted node's last state, if it was deleted since the journal began
    /// (results may still mention it).
    pub fn deleted_node(&self, id: NodeId) -> Option<(&NodeRecord, &Props)> {
        self.journal.iter().rev().find_map(|u| match u {
            Undo::DeletedNode(rec, props) if rec.id == id => Some((rec, props)),
            _ => None,
        })
    }

    /// A deleted relationship's last state and endpoints, if deleted since the journal began.
    pub fn deleted_relationship(&self, id: RelId) -> Option<(&RelRecord, &Props, NodeId, NodeId)> {
        self.journal.iter().rev().find_map(|u| match u {
            Undo::DeletedRel { rec, props, start, end } if rec.id == id => Some((rec, props, *start, *end)),
            _ => None,
        })
    }
}

fn normalise_props(mut props: Props) -> Props {
    props.retain(|(_, v)| !v.is_null());
    props.sort_by_key(|(k, _)| *k);
    // Last write wins for duplicate keys.
    let mut out: Props = Vec::with_capacity(props.len());
    for (k, v) in props {
        match out.last_mut() {
            Some((lk, lv)) if *lk == k => *lv = v,
            _ => out.push((k, v)),
        }
    }
    out
}

#[cfg(test)]
mod tests;
