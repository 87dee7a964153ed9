//! What persistence needs of the store: the net changes of a transaction
//! (a log record's content) and a whole graph as plain data (what a file of
//! the first format holds).
//!
//! Everything here names entities by user-visible id and labels, types and
//! keys by name (or, in an image, by an index into the image's own name
//! tables). The storage layer turns these plain types into its own record
//! types (`storage/records.rs`); the store knows nothing of files.

use std::sync::Arc;

use super::read::Props;
use crate::value::Value;

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

/// A constraint, by names (see [`super::Constraint`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConstraintDef {
    pub name: String,
    /// On nodes with label `on` (`true`) or relationships of type `on`.
    pub node: bool,
    pub on: String,
    pub keys: Vec<String>,
    /// [`super::Requirement::code`].
    pub kind: u8,
    /// The type of a property type constraint, as it prints (else empty).
    pub type_text: String,
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
    /// Every constraint after the transaction, when it created or dropped one.
    pub constraints: Option<Vec<ConstraintDef>>,
}

impl Changes {
    /// No entity changed (the counters may still have moved).
    pub fn is_empty(&self) -> bool {
        self.deleted_rels.is_empty()
            && self.deleted_nodes.is_empty()
            && self.nodes.is_empty()
            && self.rels.is_empty()
            && self.indexes.is_none()
            && self.constraints.is_none()
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
