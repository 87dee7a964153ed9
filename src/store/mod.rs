//! The graph store: nodes and relationships in a petgraph `StableGraph`, with
//! interned names, a label index and an undo journal.
//!
//! User-visible ids come from counters that only grow: a petgraph index is
//! reused after a delete, so it never leaves this module. Every change is
//! journalled so that a failed statement (or a rolled-back transaction) can be
//! undone exactly, ids included.

mod idmap;
mod image;
mod index;
mod intern;
mod journal;
mod labelset;

use std::collections::{BTreeSet, HashMap};

use labelset::LabelSet;

use petgraph::stable_graph::{EdgeIndex, NodeIndex, StableGraph};
use petgraph::Direction as PgDirection;

use idmap::IdMap;
pub use image::{ApplyError, Changes, Image, ImageRef, IndexDef, NodeState, RelState};
pub use image::{GraphBuilder, ImageNode, ImageRel};
pub use index::PropertyIndex;
pub use intern::{Interner, KeyId, LabelId, TypeId};
pub use journal::Mark;
use journal::Undo;

use crate::value::{Map, NodeId, RelId, Value};

/// Properties of one entity, keyed by interned key, kept sorted by key id.
pub type Props = Vec<(KeyId, Value)>;

#[derive(Clone, Debug)]
pub struct NodeRecord {
    pub id: NodeId,
    pub labels: Vec<LabelId>,
    pub props: Props,
}

#[derive(Clone, Debug)]
pub struct RelRecord {
    pub id: RelId,
    pub rel_type: TypeId,
    pub props: Props,
    /// The end points' ids, kept here so that following a relationship does
    /// not have to visit the node records.
    pub start: NodeId,
    pub end: NodeId,
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
    pub labels: Interner,
    pub types: Interner,
    pub keys: Interner,
    /// Indexed by label id.
    label_index: Vec<LabelSet>,
    type_counts: HashMap<TypeId, usize>,
    indexes: Vec<PropertyIndex>,
    journal: Vec<Undo>,
}

fn get_prop(props: &Props, key: KeyId) -> Option<&Value> {
    props.binary_search_by_key(&key, |(k, _)| *k).ok().map(|i| &props[i].1)
}

/// Sets (or with `Null`, removes) a property; returns the previous value.
fn put_prop(props: &mut Props, key: KeyId, value: Value) -> Option<Value> {
    match props.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) => {
            if value.is_null() {
                Some(props.remove(i).1)
            } else {
                Some(std::mem::replace(&mut props[i].1, value))
            }
        }
        Err(i) => {
            if !value.is_null() {
                props.insert(i, (key, value));
            }
            None
        }
    }
}

impl Graph {
    pub fn new() -> Graph {
        Graph::default()
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
    pub fn nodes_with_label(&self, label: LabelId) -> impl Iterator<Item = NodeId> + '_ {
        self.label_index.get(label as usize).into_iter().flat_map(|s| s.iter())
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
        self.node(id).and_then(|n| get_prop(&n.props, key))
    }

    pub fn relationship_property(&self, id: RelId, key: KeyId) -> Option<&Value> {
        self.relationship(id).and_then(|r| get_prop(&r.props, key))
    }

    /// The relationships at a node: `(relationship, other end)`. With `Both`, a
    /// self-loop is reported once.
    pub fn neighbours(&self, id: NodeId, dir: Dir) -> Vec<(RelId, NodeId)> {
        let Some(&ix) = self.nodes.get(&id) else {
            return Vec::new();
        };
        self.neighbours_of_types(ix, dir, &[])
    }

    /// The relationships at a node of one of `types` (any type when empty):
    /// `(relationship, other end)`, by relationship id. With `Both`, a
    /// self-loop is reported once.
    pub fn neighbours_typed(&self, id: NodeId, dir: Dir, types: &[TypeId]) -> Vec<(RelId, NodeId)> {
        match self.nodes.get(&id) {
            Some(&ix) => self.neighbours_of_types(ix, dir, types),
            None => Vec::new(),
        }
    }

    fn neighbours_of_types(&self, ix: NodeIndex, dir: Dir, types: &[TypeId]) -> Vec<(RelId, NodeId)> {
        let wanted = |r: &RelRecord| types.is_empty() || types.contains(&r.rel_type);
        let mut out = Vec::new();
        if matches!(dir, Dir::Outgoing | Dir::Both) {
            for e in self.g.edges_directed(ix, PgDirection::Outgoing) {
                let r = e.weight();
                if wanted(r) {
                    out.push((r.id, r.end));
                }
            }
        }
        if matches!(dir, Dir::Incoming | Dir::Both) {
            for e in self.g.edges_directed(ix, PgDirection::Incoming) {
                let r = e.weight();
                if (dir == Dir::Both && r.start == r.end) || !wanted(r) {
                    continue;
                }
                out.push((r.id, r.start));
            }
        }
        out.sort_unstable_by_key(|(r, _)| *r);
        out
    }

    /// Properties as a map of names (for `properties(n)`, results, `n = ...`).
    pub fn props_to_map(&self, props: &Props) -> Map {
        props
            .iter()
            .map(|(k, v)| (self.keys.name(*k).into(), v.clone()))
            .collect()
    }

    pub fn label_names(&self, labels: &[LabelId]) -> Vec<String> {
        labels.iter().map(|l| self.labels.name(*l).to_string()).collect()
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
        let props = normalise_props(props);
        let ix = self.g.add_node(NodeRecord { id, labels, props });
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
        let props = normalise_props(props);
        self.attach(RelRecord {
            id,
            rel_type,
            props,
            start,
            end,
        })?;
        self.journal.push(Undo::CreatedRel(id));
        Ok(id)
    }

    /// Puts a relationship record into the graph between its end nodes.
    fn attach(&mut self, rec: RelRecord) -> Result<EdgeIndex, StoreError> {
        let a = *self.nodes.get(&rec.start).ok_or(StoreError::NoSuchNode(rec.start.0))?;
        let b = *self.nodes.get(&rec.end).ok_or(StoreError::NoSuchNode(rec.end.0))?;
        let (id, rel_type) = (rec.id, rec.rel_type);
        let ix = self.g.add_edge(a, b, rec);
        self.rels.insert(id, ix);
        *self.type_counts.entry(rel_type).or_default() += 1;
        Ok(ix)
    }

    pub fn delete_relationship(&mut self, id: RelId) -> Result<(), StoreError> {
        let ix = self.rels.remove(&id).ok_or(StoreError::NoSuchRelationship(id.0))?;
        let (a, b) = self.g.edge_endpoints(ix).ok_or(StoreError::NoSuchRelationship(id.0))?;
        let (start, end) = (self.g[a].id, self.g[b].id);
        let rec = self.g.remove_edge(ix).ok_or(StoreError::NoSuchRelationship(id.0))?;
        if let Some(c) = self.type_counts.get_mut(&rec.rel_type) {
            *c -= 1;
        }
        self.journal.push(Undo::DeletedRel { rec, start, end });
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
        self.index_node(id, false);
        self.nodes.remove(&id);
        let rec = self.g.remove_node(ix).ok_or(StoreError::NoSuchNode(id.0))?;
        for l in &rec.labels {
            if let Some(s) = self.label_index.get_mut(*l as usize) {
                s.remove(id);
            }
        }
        self.journal.push(Undo::DeletedNode(rec));
        Ok(rels.len())
    }

    /// Sets a node property (`Null` removes it); returns the previous value.
    pub fn set_node_property(&mut self, id: NodeId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        let ix = *self.nodes.get(&id).ok_or(StoreError::NoSuchNode(id.0))?;
        self.index_node(id, false);
        let old = put_prop(&mut self.g[ix].props, key, value);
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
        let ix = *self.rels.get(&id).ok_or(StoreError::NoSuchRelationship(id.0))?;
        let old = put_prop(&mut self.g[ix].props, key, value);
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
            if let Some(v) = get_prop(&rec.props, index.key) {
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
        let mut index = PropertyIndex::new(name.to_string(), label, key);
        for id in self.nodes_with_label(label).collect::<Vec<_>>() {
            if let Some(v) = self.node_property(id, key) {
                index.insert(v, id);
            }
        }
        self.indexes.push(index);
        true
    }

    /// Drops the index called `name`; `false` if there is none.
    pub fn drop_index(&mut self, name: &str) -> bool {
        let before = self.indexes.len();
        self.indexes.retain(|i| i.name != name);
        self.indexes.len() != before
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

    fn undo(&mut self, undo: Undo) {
        match undo {
            Undo::CreatedNode(id) => {
                self.index_node(id, false);
                if let Some(ix) = self.nodes.remove(&id) {
                    if let Some(rec) = self.g.remove_node(ix) {
                        for l in &rec.labels {
                            if let Some(s) = self.label_index.get_mut(*l as usize) {
                                s.remove(id);
                            }
                        }
                    }
                }
            }
            Undo::CreatedRel(id) => {
                if let Some(ix) = self.rels.remove(&id) {
                    if let Some(rec) = self.g.remove_edge(ix) {
                        if let Some(c) = self.type_counts.get_mut(&rec.rel_type) {
                            *c -= 1;
                        }
                    }
                }
            }
            Undo::DeletedNode(rec) => {
                let id = rec.id;
                for l in &rec.labels {
                    self.label_set_mut(*l).insert(id);
                }
                let ix = self.g.add_node(rec);
                self.nodes.insert(id, ix);
                self.index_node(id, true);
            }
            Undo::DeletedRel { rec, .. } => {
                // Undo runs newest first, so both end nodes are back already.
                let _ = self.attach(rec);
            }
            Undo::NodeProp { id, key, old } => {
                if let Some(&ix) = self.nodes.get(&id) {
                    self.index_node(id, false);
                    put_prop(&mut self.g[ix].props, key, old.unwrap_or(Value::Null));
                    self.index_node(id, true);
                }
            }
            Undo::RelProp { id, key, old } => {
                if let Some(&ix) = self.rels.get(&id) {
                    put_prop(&mut self.g[ix].props, key, old.unwrap_or(Value::Null));
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
    pub fn deleted_node(&self, id: NodeId) -> Option<&NodeRecord> {
        self.journal.iter().rev().find_map(|u| match u {
            Undo::DeletedNode(rec) if rec.id == id => Some(rec),
            _ => None,
        })
    }

    /// A deleted relationship's last state and endpoints, if deleted since the journal began.
    pub fn deleted_relationship(&self, id: RelId) -> Option<(&RelRecord, NodeId, NodeId)> {
        self.journal.iter().rev().find_map(|u| match u {
            Undo::DeletedRel { rec, start, end } if rec.id == id => Some((rec, *start, *end)),
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
