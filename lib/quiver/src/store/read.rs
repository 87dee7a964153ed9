//! The seams between the store and everything above it: [`GraphRead`], what
//! queries, algorithms and front ends may read, and [`GraphWrite`], the
//! changes a write transaction makes. Nothing above the store sees how a graph
//! is laid out in memory or on disk; both traits speak of user-visible ids
//! and catalog ids only.

use std::borrow::Cow;

use super::catalog::{Catalog, KeyId, LabelId, TypeId};
use super::constraint::Constraint;
use super::{Dir, StoreError};
use crate::value::{NodeId, RelId, Value};

/// A property value: borrowed where the store holds it as a value, made
/// where it does not.
pub type PropRef<'a> = Cow<'a, Value>;

/// Properties of one entity by key.
pub type Props = Vec<(KeyId, Value)>;

/// Node ids, ascending.
pub type NodeIter<'a> = Box<dyn Iterator<Item = NodeId> + Send + 'a>;

/// `(relationship, other end)` pairs at a node, by relationship id.
pub type Neighbours<'a> = Box<dyn Iterator<Item = (RelId, NodeId)> + Send + 'a>;

/// A relationship's type and end nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RelInfo {
    pub id: RelId,
    pub rel_type: TypeId,
    pub start: NodeId,
    pub end: NodeId,
}

/// A property index as the planner and `SHOW INDEXES` see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexInfo {
    pub name: String,
    pub label: LabelId,
    pub key: KeyId,
    /// Nodes indexed.
    pub entries: usize,
    /// Distinct values indexed.
    pub distinct: usize,
}

/// What an index is asked for.
#[derive(Clone, Copy, Debug)]
pub enum Seek<'a> {
    Equal(&'a Value),
    /// Bounds with whether each is inclusive.
    Range {
        lower: Option<(&'a Value, bool)>,
        upper: Option<(&'a Value, bool)>,
    },
}

/// One key's values over a chunk of a label's nodes, as the store holds
/// them (for scans that read a label's properties in bulk).
#[derive(Clone, Copy, Debug)]
pub enum ColumnChunk<'a> {
    /// Integers, where `present` says a node has a value (it has no value of
    /// another kind).
    Ints { values: &'a [i64], present: &'a [bool] },
    /// Strings from a dictionary: `dict[codes[i]]` where present (equal
    /// strings have one code).
    Codes {
        codes: &'a [u32],
        present: &'a [bool],
        dict: &'a [Value],
    },
    /// Any values (`Null` where none).
    Values(&'a [Value]),
}

/// How many nodes a chunk holds at most.
pub const CHUNK: usize = 1024;

/// A consistent view of a graph for reading: a committed state, or a write
/// transaction's own state. Everything a statement reads goes through here.
pub trait GraphRead: Send + Sync {
    /// The names of labels, types and keys.
    fn catalog(&self) -> &Catalog;

    // ---- statistics (for planning, schema listings and algorithms)

    fn node_count(&self) -> usize;
    fn relationship_count(&self) -> usize;
    /// Nodes carrying `label`.
    fn label_count(&self, label: LabelId) -> usize;
    /// Relationships of type `t`.
    fn type_count(&self, t: TypeId) -> usize;
    /// How many nodes and relationships carry each key (keys in use only).
    fn property_key_counts(&self) -> Vec<(KeyId, usize)>;
    /// The id counters: `(next node id, next relationship id)`; every live id is below them.
    fn id_bounds(&self) -> (u64, u64);

    // ---- nodes

    fn contains_node(&self, id: NodeId) -> bool;
    /// A node's labels, ascending by id; `None` if there is no such node.
    fn node_labels(&self, id: NodeId) -> Option<Vec<LabelId>>;
    /// Whether node `id` exists and carries `label`.
    fn has_label(&self, id: NodeId, label: LabelId) -> bool;
    fn node_property(&self, id: NodeId, key: KeyId) -> Option<PropRef<'_>>;
    /// A node's properties by key (none for a node that does not exist).
    fn node_properties(&self, id: NodeId) -> Vec<(KeyId, PropRef<'_>)>;

    // ---- relationships

    fn relationship(&self, id: RelId) -> Option<RelInfo>;
    fn relationship_property(&self, id: RelId, key: KeyId) -> Option<PropRef<'_>>;
    fn relationship_properties(&self, id: RelId) -> Vec<(KeyId, PropRef<'_>)>;

    // ---- scans and expansion

    /// Every node, ascending by id.
    fn nodes(&self) -> NodeIter<'_>;
    /// Nodes carrying `label`, ascending by id.
    fn nodes_with_label(&self, label: LabelId) -> NodeIter<'_>;
    /// Every relationship id, ascending.
    fn relationships(&self) -> Box<dyn Iterator<Item = RelId> + Send + '_>;
    /// The relationships at node `id` of one of `types` (any type when
    /// empty), by relationship id. With `Dir::Both` a self-loop comes once.
    fn neighbours<'a>(&'a self, id: NodeId, dir: Dir, types: &'a [TypeId]) -> Neighbours<'a>;
    /// What `neighbours` gives, appended to `out`: one call per node rather
    /// than one per relationship, for readers of the whole graph (the
    /// algorithms' projections).
    fn neighbours_into(&self, id: NodeId, dir: Dir, types: &[TypeId], out: &mut Vec<(RelId, NodeId)>) {
        out.extend(self.neighbours(id, dir, types));
    }
    /// Calls `f` with each node of `label` (ascending) and its values of
    /// `keys` (`Null` where it has none), in place, until `f` answers `false`.
    fn scan_label_values(&self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(NodeId, &[&Value]) -> bool);
    /// Calls `f` with `label`'s nodes in chunks of at most [`CHUNK`],
    /// ascending, and per key their values in the chunk, until `f` answers
    /// `false`.
    fn scan_label_chunks(
        &self,
        label: LabelId,
        keys: &[KeyId],
        f: &mut dyn FnMut(&[NodeId], &[ColumnChunk<'_>]) -> bool,
    ) {
        super::stack::default_chunks(self, label, keys, f)
    }

    // ---- indexes

    fn indexes(&self) -> Vec<IndexInfo>;
    /// The constraints in effect.
    fn constraints(&self) -> std::sync::Arc<Vec<Constraint>>;
    /// The nodes the index of `key` on `label` gives for `seek`, ascending; `None`
    /// when there is no such index. A superset of the matches is allowed: the
    /// caller still checks the predicate.
    fn index_seek(&self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<NodeId>>;

    // ---- what a write transaction deleted (a committed view has none)

    /// The last labels and properties of a node this transaction deleted.
    fn deleted_node(&self, _id: NodeId) -> Option<(Vec<LabelId>, Props)> {
        None
    }
    /// The last state of a relationship this transaction deleted.
    fn deleted_relationship(&self, _id: RelId) -> Option<(RelInfo, Props)> {
        None
    }
}

/// A point a write transaction can roll back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Savepoint {
    pub(crate) journal_len: usize,
    pub(crate) next_node: u64,
    pub(crate) next_rel: u64,
}

/// The changes of a write transaction, on top of what it reads.
pub trait GraphWrite: GraphRead {
    /// The id of a label, type or key, adding the name to the catalog if it is new.
    fn intern_label(&mut self, name: &str) -> LabelId {
        self.catalog().labels.intern(name)
    }
    fn intern_type(&mut self, name: &str) -> TypeId {
        self.catalog().types.intern(name)
    }
    fn intern_key(&mut self, name: &str) -> KeyId {
        self.catalog().keys.intern(name)
    }

    fn create_node(&mut self, labels: &[LabelId], props: Props) -> NodeId;
    fn create_relationship(&mut self, start: NodeId, end: NodeId, t: TypeId, props: Props)
        -> Result<RelId, StoreError>;
    fn delete_relationship(&mut self, id: RelId) -> Result<(), StoreError>;
    /// Deletes a node; with `detach`, its relationships first. Returns how
    /// many relationships went with it.
    fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<usize, StoreError>;
    /// Sets a property (`Null` removes it); returns the previous value.
    fn set_node_property(&mut self, id: NodeId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError>;
    fn set_relationship_property(&mut self, id: RelId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError>;
    /// `false` when the node already had the label.
    fn add_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError>;
    /// `false` when the node did not have the label.
    fn remove_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError>;
    /// `false` if an index with that name, or on that label and key, exists.
    fn create_index(&mut self, name: &str, label: LabelId, key: KeyId) -> bool;
    /// `false` if there is no index called `name`.
    fn drop_index(&mut self, name: &str) -> bool;

    /// Makes the constraints exactly `constraints` (the caller checks that the
    /// graph meets them and keeps the indexes that back them).
    fn set_constraints(&mut self, constraints: Vec<Constraint>);
    /// The nodes and relationships created or changed since `sp`, ascending
    /// (some may since have been deleted): what a statement's constraint check looks at.
    fn touched_since(&self, sp: &Savepoint) -> (Vec<NodeId>, Vec<RelId>);

    /// A point to roll back to.
    fn savepoint(&self) -> Savepoint;
    /// Undoes every change since `sp`, ids and index definitions included.
    fn rollback_to(&mut self, sp: Savepoint);

    /// The transaction itself, for the engine that commits it in batches
    /// (`CALL { ... } IN TRANSACTIONS`); `None` for a graph that is not one.
    fn as_tx(&mut self) -> Option<&mut super::Tx> {
        None
    }
}
