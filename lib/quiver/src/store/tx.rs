//! Committed states and write transactions.
//!
//! A [`Snapshot`] is one committed state: a base and the layer of changes
//! since it, both shared (`Arc`), so that any number of readers on any
//! number of threads read it while a writer works on the next. A [`Tx`] is a
//! write transaction: its own layer above a snapshot, with an undo journal
//! for savepoints (a failed statement inside a transaction is undone alone).
//! Committing folds the transaction's layer into the committed one.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::base::{Base, BaseBuilder};
use super::catalog::{Catalog, KeyId, LabelId, TypeId};
use super::changes::{Changes, IndexDef, NodeState, RelState};
use super::constraint::Constraint;
use super::layer::{IndexEntries, IndexSpec, Layer, NodeData, RelData, Slot};
use super::read::{GraphRead, GraphWrite, IndexInfo, Neighbours, NodeIter, PropRef, Props, RelInfo, Savepoint, Seek};
use super::stack::Stack;
use super::{Dir, StoreError};
use crate::value::{NodeId, RelId, Value};

/// One committed state of the graph.
#[derive(Clone)]
pub struct Snapshot {
    pub base: Arc<Base>,
    pub delta: Arc<Layer>,
    pub catalog: Arc<Catalog>,
}

impl Snapshot {
    /// An empty graph.
    pub fn empty(catalog: Arc<Catalog>) -> Snapshot {
        Snapshot::over(Arc::new(Base::empty()), catalog)
    }

    /// `base` with nothing changed since.
    pub fn over(base: Arc<Base>, catalog: Arc<Catalog>) -> Snapshot {
        let delta = Layer::above(&Stack::new(&base, &catalog));
        Snapshot {
            base,
            delta: Arc::new(delta),
            catalog,
        }
    }

    pub fn stack(&self) -> Stack<'_> {
        Stack::new(&self.base, &self.catalog).with(&self.delta)
    }

    /// The view below the committed layer: the base alone.
    pub fn base_stack(&self) -> Stack<'_> {
        Stack::new(&self.base, &self.catalog)
    }

    /// Applies committed changes (from a log record) to the committed layer.
    pub fn apply(&mut self, changes: &Changes) -> Result<(), String> {
        let base = self.base.clone();
        let catalog = self.catalog.clone();
        let lower = Stack::new(&base, &catalog);
        let delta = Arc::make_mut(&mut self.delta);
        apply_changes(delta, &lower, &catalog, changes)
    }

    /// The same graph as one base with nothing above it, laid out in memory
    /// (the base keeps this one's generation and last transaction).
    pub fn compacted(&self) -> Result<Snapshot, String> {
        let h = *self.base.header();
        let built = BaseBuilder::from_view(self)?.finish(&self.catalog, h.generation, h.last_txid)?;
        let base = Base::in_memory(built, &self.catalog).map_err(|(_, e)| e)?;
        Ok(Snapshot::over(Arc::new(base), self.catalog.clone()))
    }

    /// How many entities the committed layer holds changes for.
    pub fn delta_len(&self) -> usize {
        self.delta.len()
    }

    /// Folds a transaction's layer into the committed one.
    pub fn absorb(&mut self, overlay: &Layer) {
        let base = self.base.clone();
        let catalog = self.catalog.clone();
        let lower = Stack::new(&base, &catalog);
        Arc::make_mut(&mut self.delta).absorb(&lower, overlay);
    }
}

/// Applies `changes` (entities by id, names by name) to `layer` above `lower`.
pub fn apply_changes(layer: &mut Layer, lower: &Stack, catalog: &Catalog, changes: &Changes) -> Result<(), String> {
    if let Some(defs) = &changes.constraints {
        let cs = defs
            .iter()
            .map(|d| Constraint::from_def(d, catalog))
            .collect::<Result<Vec<_>, _>>()?;
        layer.set_constraints(Arc::new(cs));
    }
    if let Some(defs) = &changes.indexes {
        let specs = defs
            .iter()
            .map(|d| IndexSpec {
                name: d.name.clone(),
                label: catalog.labels.intern(&d.label),
                key: catalog.keys.intern(&d.key),
            })
            .collect();
        layer.set_indexes(lower, specs);
    }
    for &id in &changes.deleted_rels {
        if lower.with(layer).relationship(RelId(id)).is_none() {
            return Err(format!("deletes relationship {id}, which does not exist"));
        }
        let slot = if lower.rel_data(id).is_some() {
            Slot::Deleted
        } else {
            Slot::Below
        };
        layer.set_rel(lower, id, slot);
    }
    for &id in &changes.deleted_nodes {
        let view = lower.with(layer);
        if !view.contains_node(NodeId(id)) {
            return Err(format!("deletes node {id}, which does not exist"));
        }
        if view.neighbours(NodeId(id), Dir::Both, &[]).next().is_some() {
            return Err(format!("deletes node {id}, which still has relationships"));
        }
        let slot = if lower.node_data(NodeId(id)).is_some() {
            Slot::Deleted
        } else {
            Slot::Below
        };
        layer.set_node(lower, id, slot);
    }
    for n in &changes.nodes {
        let mut labels: Vec<LabelId> = n.labels.iter().map(|l| catalog.labels.intern(l)).collect();
        labels.sort_unstable();
        labels.dedup();
        let props = normalise(
            n.props
                .iter()
                .map(|(k, v)| (catalog.keys.intern(k), v.clone()))
                .collect(),
        );
        layer.set_node(lower, n.id, Slot::Live(Arc::new(NodeData { labels, props })));
    }
    for r in &changes.rels {
        let view = lower.with(layer);
        for end in [r.start, r.end] {
            if !view.contains_node(NodeId(end)) {
                return Err(format!(
                    "puts relationship {} at node {end}, which does not exist",
                    r.id
                ));
            }
        }
        if let Some(old) = view.relationship(RelId(r.id)) {
            if (old.start.0, old.end.0) != (r.start, r.end) {
                return Err(format!("moves relationship {} to other nodes", r.id));
            }
        }
        let props = normalise(
            r.props
                .iter()
                .map(|(k, v)| (catalog.keys.intern(k), v.clone()))
                .collect(),
        );
        let data = RelData {
            rel_type: catalog.types.intern(&r.rel_type),
            start: r.start,
            end: r.end,
            props,
        };
        layer.set_rel(lower, r.id, Slot::Live(Arc::new(data)));
    }
    layer.set_counters(changes.next_node, changes.next_rel);
    Ok(())
}

/// Sorted by key, nulls dropped, the last of a repeated key kept.
pub fn normalise(mut props: Props) -> Props {
    props.retain(|(_, v)| !v.is_null());
    props.sort_by_key(|(k, _)| *k);
    let mut out: Props = Vec::with_capacity(props.len());
    for (k, v) in props {
        match out.last_mut() {
            Some((lk, lv)) if *lk == k => *lv = v,
            _ => out.push((k, v)),
        }
    }
    out
}

/// What a savepoint undoes, newest first.
enum Undo {
    Node(u64, Slot<NodeData>),
    Rel(u64, Slot<RelData>),
    Indexes(Vec<IndexSpec>, FxHashMap<String, IndexEntries>, bool),
    Constraints(Arc<Vec<Constraint>>, bool),
    DeletedNode(u64),
    DeletedRel(u64),
}

/// A write transaction: changes above a committed state.
pub struct Tx {
    pub snapshot: Snapshot,
    pub overlay: Layer,
    /// `None` when no savepoint is ever taken (a statement on its own, which
    /// fails as a whole): nothing is recorded.
    journal: Option<Vec<Undo>>,
    /// What this transaction deleted, as it last was (results may still show it).
    deleted_nodes: FxHashMap<u64, Arc<NodeData>>,
    deleted_rels: FxHashMap<u64, (RelInfo, Arc<RelData>)>,
}

impl Tx {
    /// A transaction above `snapshot`; with `journal`, savepoints can be
    /// rolled back to.
    pub fn new(snapshot: Snapshot, journal: bool) -> Tx {
        let overlay = Layer::above(&snapshot.stack());
        Tx {
            snapshot,
            overlay,
            journal: journal.then(Vec::new),
            deleted_nodes: FxHashMap::default(),
            deleted_rels: FxHashMap::default(),
        }
    }

    pub fn stack(&self) -> Stack<'_> {
        self.snapshot.stack().with(&self.overlay)
    }

    /// Whether anything changed (an entity, an index or an id counter).
    pub fn changed(&self) -> bool {
        !self.overlay.is_empty() || self.overlay.counters() != self.snapshot.stack().counters()
    }

    /// Whether anything changed since `sp`.
    pub fn changed_since(&self, sp: &Savepoint) -> bool {
        match &self.journal {
            Some(j) => j.len() > sp.journal_len || self.overlay.counters() != (sp.next_node, sp.next_rel),
            // Without a journal the only savepoint is the start.
            None => self.changed(),
        }
    }

    fn log(&mut self, u: impl FnOnce() -> Undo) {
        if let Some(j) = self.journal.as_mut() {
            j.push(u());
        }
    }

    fn set_node(&mut self, id: u64, slot: Slot<NodeData>) {
        let lower = self.snapshot.stack();
        if let Some(j) = self.journal.as_mut() {
            j.push(Undo::Node(id, self.overlay.node_slot(id)));
        }
        self.overlay.set_node(&lower, id, slot);
    }

    fn set_rel(&mut self, id: u64, slot: Slot<RelData>) {
        let lower = self.snapshot.stack();
        if let Some(j) = self.journal.as_mut() {
            j.push(Undo::Rel(id, self.overlay.rel_slot(id)));
        }
        self.overlay.set_rel(&lower, id, slot);
    }

    fn node_data(&self, id: NodeId) -> Result<Arc<NodeData>, StoreError> {
        self.stack().node_data(id).ok_or(StoreError::NoSuchNode(id.0))
    }

    /// The transaction's net changes, by id and name (a log record's content).
    pub fn changes(&self) -> Changes {
        let catalog = &self.snapshot.catalog;
        let lower = self.snapshot.stack();
        let (next_node, next_rel) = self.overlay.counters();
        let mut out = Changes {
            next_node,
            next_rel,
            ..Changes::default()
        };
        let mut nodes: Vec<(u64, Option<&Arc<NodeData>>)> = self.overlay.node_entries().collect();
        nodes.sort_unstable_by_key(|(id, _)| *id);
        for (id, d) in nodes {
            match d {
                Some(d) => out.nodes.push(NodeState {
                    id,
                    labels: d.labels.iter().map(|l| catalog.labels.name(*l)).collect(),
                    props: d
                        .props
                        .iter()
                        .map(|(k, v)| (catalog.keys.name(*k), v.clone()))
                        .collect(),
                }),
                None => out.deleted_nodes.push(id),
            }
        }
        let mut rels: Vec<(u64, Option<&RelData>)> = self.overlay.rel_entries().collect();
        rels.sort_unstable_by_key(|(id, _)| *id);
        for (id, d) in rels {
            match d {
                Some(d) => out.rels.push(RelState {
                    id,
                    start: d.start,
                    end: d.end,
                    rel_type: catalog.types.name(d.rel_type),
                    props: d
                        .props
                        .iter()
                        .map(|(k, v)| (catalog.keys.name(*k), v.clone()))
                        .collect(),
                }),
                None => out.deleted_rels.push(id),
            }
        }
        if let Some(cs) = self.overlay.changed_constraints() {
            if cs != &lower.constraints()[..] {
                out.constraints = Some(cs.iter().map(|c| c.def(catalog)).collect());
            }
        }
        if let Some(specs) = self.overlay.changed_specs() {
            if specs != lower.index_specs() {
                out.indexes = Some(
                    specs
                        .iter()
                        .map(|s| IndexDef {
                            name: s.name.clone(),
                            label: catalog.labels.name(s.label).to_string(),
                            key: catalog.keys.name(s.key).to_string(),
                        })
                        .collect(),
                );
            }
        }
        out
    }

    /// The committed state with this transaction folded in.
    pub fn into_snapshot(self) -> Snapshot {
        let Tx { snapshot, overlay, .. } = self;
        let mut s = snapshot;
        s.absorb(&overlay);
        s
    }
}

macro_rules! delegate_read {
    ($t:ty) => {
        impl GraphRead for $t {
            fn catalog(&self) -> &Catalog {
                self.snapshot_catalog()
            }
            fn node_count(&self) -> usize {
                self.stack().node_count()
            }
            fn relationship_count(&self) -> usize {
                self.stack().relationship_count()
            }
            fn label_count(&self, label: LabelId) -> usize {
                self.stack().label_count(label)
            }
            fn type_count(&self, t: TypeId) -> usize {
                self.stack().type_count(t)
            }
            fn property_key_counts(&self) -> Vec<(KeyId, usize)> {
                self.stack().property_key_counts()
            }
            fn id_bounds(&self) -> (u64, u64) {
                self.stack().counters()
            }
            #[inline]
            fn contains_node(&self, id: NodeId) -> bool {
                self.entities().contains_node(id)
            }
            fn node_labels(&self, id: NodeId) -> Option<Vec<LabelId>> {
                self.entities().node_labels(id)
            }
            #[inline]
            fn has_label(&self, id: NodeId, label: LabelId) -> bool {
                self.entities().has_label(id, label)
            }
            #[inline]
            fn node_property(&self, id: NodeId, key: KeyId) -> Option<PropRef<'_>> {
                self.entities().node_prop(id, key)
            }
            fn node_properties(&self, id: NodeId) -> Vec<(KeyId, PropRef<'_>)> {
                self.entities().node_props(id)
            }
            fn relationship(&self, id: RelId) -> Option<RelInfo> {
                self.entities().relationship(id)
            }
            fn relationship_property(&self, id: RelId, key: KeyId) -> Option<PropRef<'_>> {
                self.entities().rel_prop(id, key)
            }
            fn relationship_properties(&self, id: RelId) -> Vec<(KeyId, PropRef<'_>)> {
                self.entities().rel_props(id)
            }
            fn nodes(&self) -> NodeIter<'_> {
                self.entities().all_nodes()
            }
            fn nodes_with_label(&self, label: LabelId) -> NodeIter<'_> {
                self.entities().label_nodes(label)
            }
            fn relationships(&self) -> Box<dyn Iterator<Item = RelId> + Send + '_> {
                self.entities().all_rels()
            }
            #[inline]
            fn neighbours<'b>(&'b self, id: NodeId, dir: Dir, types: &'b [TypeId]) -> Neighbours<'b> {
                self.entities().adjacent(id, dir, types)
            }
            fn neighbours_into(&self, id: NodeId, dir: Dir, types: &[TypeId], out: &mut Vec<(RelId, NodeId)>) {
                self.entities().adjacent_into(id, dir, types, out)
            }
            fn scan_label_values(&self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(NodeId, &[&Value]) -> bool) {
                self.entities().scan_values(label, keys, f)
            }
            fn scan_label_chunks(
                &self,
                label: LabelId,
                keys: &[KeyId],
                f: &mut dyn FnMut(&[NodeId], &[crate::store::read::ColumnChunk<'_>]) -> bool,
            ) {
                self.entities().scan_chunks(label, keys, f)
            }
            fn indexes(&self) -> Vec<IndexInfo> {
                self.stack().index_list()
            }
            fn constraints(&self) -> Arc<Vec<Constraint>> {
                self.stack().constraints()
            }
            fn index_seek(&self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<NodeId>> {
                self.stack().seek(label, key, seek)
            }
            fn deleted_node(&self, id: NodeId) -> Option<(Vec<LabelId>, Props)> {
                self.deleted_node_of(id)
            }
            fn deleted_relationship(&self, id: RelId) -> Option<(RelInfo, Props)> {
                self.deleted_relationship_of(id)
            }
        }
    };
}

impl Snapshot {
    fn snapshot_catalog(&self) -> &Catalog {
        &self.catalog
    }
    /// The view for reading entities: the base alone when no layer holds one.
    #[inline]
    fn entities(&self) -> Stack<'_> {
        if self.delta.no_entities() {
            Stack::new(&self.base, &self.catalog)
        } else {
            self.stack()
        }
    }
    fn deleted_node_of(&self, _id: NodeId) -> Option<(Vec<LabelId>, Props)> {
        None
    }
    fn deleted_relationship_of(&self, _id: RelId) -> Option<(RelInfo, Props)> {
        None
    }
}

impl Tx {
    fn snapshot_catalog(&self) -> &Catalog {
        &self.snapshot.catalog
    }
    #[inline]
    fn entities(&self) -> Stack<'_> {
        if self.overlay.no_entities() {
            self.snapshot.entities()
        } else {
            self.stack()
        }
    }
    fn deleted_node_of(&self, id: NodeId) -> Option<(Vec<LabelId>, Props)> {
        self.deleted_nodes
            .get(&id.0)
            .map(|d| (d.labels.clone(), d.props.clone()))
    }
    fn deleted_relationship_of(&self, id: RelId) -> Option<(RelInfo, Props)> {
        self.deleted_rels.get(&id.0).map(|(info, d)| (*info, d.props.clone()))
    }
}

delegate_read!(Snapshot);
delegate_read!(Tx);

/// `props` with `key` set to `value` (`Null` removes it), and the old value.
fn with_property(props: &mut Props, key: KeyId, value: Value) -> Option<Value> {
    match props.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) if value.is_null() => Some(props.remove(i).1),
        Ok(i) => Some(std::mem::replace(&mut props[i].1, value)),
        Err(_) if value.is_null() => None,
        Err(i) => {
            props.insert(i, (key, value));
            None
        }
    }
}

impl GraphWrite for Tx {
    fn create_node(&mut self, labels: &[LabelId], props: Props) -> NodeId {
        let (next_node, next_rel) = self.overlay.counters();
        let id = next_node;
        let mut labels = labels.to_vec();
        labels.sort_unstable();
        labels.dedup();
        self.set_node(
            id,
            Slot::Live(Arc::new(NodeData {
                labels,
                props: normalise(props),
            })),
        );
        self.overlay.set_counters(next_node + 1, next_rel);
        NodeId(id)
    }

    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        t: TypeId,
        props: Props,
    ) -> Result<RelId, StoreError> {
        {
            let s = self.stack();
            for n in [start, end] {
                if !s.contains_node(n) {
                    return Err(StoreError::NoSuchNode(n.0));
                }
            }
        }
        let (next_node, next_rel) = self.overlay.counters();
        let id = next_rel;
        self.log(|| Undo::Rel(id, Slot::Below));
        self.overlay.push_rel(
            id,
            RelData {
                rel_type: t,
                start: start.0,
                end: end.0,
                props: normalise(props),
            },
        );
        self.overlay.set_counters(next_node, next_rel + 1);
        Ok(RelId(id))
    }

    fn delete_relationship(&mut self, id: RelId) -> Result<(), StoreError> {
        let (info, data) = {
            let stack = self.stack();
            let info = stack.relationship(id).ok_or(StoreError::NoSuchRelationship(id.0))?;
            let data = stack.rel_data(id.0).ok_or(StoreError::NoSuchRelationship(id.0))?;
            (info, data)
        };
        let below = id.0 < self.overlay.rel_start;
        self.set_rel(id.0, if below { Slot::Deleted } else { Slot::Below });
        self.deleted_rels.insert(id.0, (info, data));
        self.log(|| Undo::DeletedRel(id.0));
        Ok(())
    }

    fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<usize, StoreError> {
        let data = self.node_data(id)?;
        let rels: Vec<RelId> = self.stack().neighbours(id, Dir::Both, &[]).map(|(r, _)| r).collect();
        if !rels.is_empty() && !detach {
            return Err(StoreError::NodeHasRelationships(id.0));
        }
        for r in &rels {
            self.delete_relationship(*r)?;
        }
        let below = id.0 < self.overlay.node_start;
        self.set_node(id.0, if below { Slot::Deleted } else { Slot::Below });
        self.deleted_nodes.insert(id.0, data);
        self.log(|| Undo::DeletedNode(id.0));
        Ok(rels.len())
    }

    fn set_node_property(&mut self, id: NodeId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        let data = self.node_data(id)?;
        if value.is_null() && data.property(key).is_none() {
            return Ok(None);
        }
        let mut d = (*data).clone();
        let old = with_property(&mut d.props, key, value);
        self.set_node(id.0, Slot::Live(Arc::new(d)));
        Ok(old)
    }

    fn set_relationship_property(&mut self, id: RelId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        let data = self
            .stack()
            .rel_data(id.0)
            .ok_or(StoreError::NoSuchRelationship(id.0))?;
        if value.is_null() && data.property(key).is_none() {
            return Ok(None);
        }
        let mut d = (*data).clone();
        let old = with_property(&mut d.props, key, value);
        self.set_rel(id.0, Slot::Live(Arc::new(d)));
        Ok(old)
    }

    fn add_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        let data = self.node_data(id)?;
        let Err(i) = data.labels.binary_search(&label) else {
            return Ok(false);
        };
        let mut d = (*data).clone();
        d.labels.insert(i, label);
        self.set_node(id.0, Slot::Live(Arc::new(d)));
        Ok(true)
    }

    fn remove_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        let data = self.node_data(id)?;
        let Ok(i) = data.labels.binary_search(&label) else {
            return Ok(false);
        };
        let mut d = (*data).clone();
        d.labels.remove(i);
        self.set_node(id.0, Slot::Live(Arc::new(d)));
        Ok(true)
    }

    fn create_index(&mut self, name: &str, label: LabelId, key: KeyId) -> bool {
        let mut specs = self.overlay.specs().to_vec();
        if specs
            .iter()
            .any(|s| s.name == name || (s.label == label && s.key == key))
        {
            return false;
        }
        self.save_indexes();
        specs.push(IndexSpec {
            name: name.to_string(),
            label,
            key,
        });
        let lower = self.snapshot.stack();
        self.overlay.set_indexes(&lower, specs);
        true
    }

    fn drop_index(&mut self, name: &str) -> bool {
        let mut specs = self.overlay.specs().to_vec();
        let before = specs.len();
        specs.retain(|s| s.name != name);
        if specs.len() == before {
            return false;
        }
        self.save_indexes();
        let lower = self.snapshot.stack();
        self.overlay.set_indexes(&lower, specs);
        true
    }

    fn set_constraints(&mut self, constraints: Vec<Constraint>) {
        if let Some(j) = self.journal.as_mut() {
            j.push(Undo::Constraints(
                self.overlay.constraints.clone(),
                self.overlay.constraints_changed,
            ));
        }
        self.overlay.set_constraints(Arc::new(constraints));
    }

    fn touched_since(&self, sp: &Savepoint) -> (Vec<NodeId>, Vec<RelId>) {
        let (mut nodes, mut rels) = (Vec::new(), Vec::new());
        match &self.journal {
            Some(j) => {
                for u in &j[sp.journal_len.min(j.len())..] {
                    match u {
                        Undo::Node(id, _) => nodes.push(NodeId(*id)),
                        Undo::Rel(id, _) => rels.push(RelId(*id)),
                        _ => {}
                    }
                }
            }
            None => {
                nodes.extend(self.overlay.node_entries().map(|(id, _)| NodeId(id)));
                rels.extend(self.overlay.rel_entries().map(|(id, _)| RelId(id)));
            }
        }
        nodes.sort_unstable();
        nodes.dedup();
        rels.sort_unstable();
        rels.dedup();
        (nodes, rels)
    }

    fn savepoint(&self) -> Savepoint {
        let (next_node, next_rel) = self.overlay.counters();
        Savepoint {
            journal_len: self.journal.as_ref().map_or(0, Vec::len),
            next_node,
            next_rel,
        }
    }

    fn as_tx(&mut self) -> Option<&mut Tx> {
        Some(self)
    }

    fn rollback_to(&mut self, sp: Savepoint) {
        let lower = self.snapshot.stack();
        let Some(journal) = self.journal.as_mut() else {
            // Nothing recorded: only a savepoint at the very start can be gone back to.
            debug_assert!(sp.journal_len == 0);
            self.overlay = Layer::above(&lower);
            self.deleted_nodes.clear();
            self.deleted_rels.clear();
            return;
        };
        while journal.len() > sp.journal_len {
            match journal.pop() {
                Some(Undo::Node(id, slot)) => self.overlay.set_node(&lower, id, slot),
                Some(Undo::Rel(id, slot)) => self.overlay.set_rel(&lower, id, slot),
                Some(Undo::Indexes(specs, entries, changed)) => {
                    self.overlay.specs = specs;
                    self.overlay.index_entries = entries;
                    self.overlay.specs_changed = changed;
                }
                Some(Undo::Constraints(constraints, changed)) => {
                    self.overlay.constraints = constraints;
                    self.overlay.constraints_changed = changed;
                }
                Some(Undo::DeletedNode(id)) => {
                    self.deleted_nodes.remove(&id);
                }
                Some(Undo::DeletedRel(id)) => {
                    self.deleted_rels.remove(&id);
                }
                None => break,
            }
        }
        // Ids go back too: a rolled-back statement leaves no gap.
        self.overlay.reset_counters(sp.next_node, sp.next_rel);
    }
}

impl Tx {
    fn save_indexes(&mut self) {
        if let Some(j) = self.journal.as_mut() {
            j.push(Undo::Indexes(
                self.overlay.specs.clone(),
                self.overlay.index_entries.clone(),
                self.overlay.specs_changed,
            ));
        }
    }
}
