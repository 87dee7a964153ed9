//! The graph store: an immutable base read in place (`base/`), the layers of
//! changes above it (`layer.rs`), read together as one view (`stack.rs`);
//! committed states that any number of threads read while one write
//! transaction works on the next (`tx.rs`).
//!
//! Everything above the store reads through [`GraphRead`] and writes through
//! [`GraphWrite`] (`read.rs`), by user-visible ids: those come from counters
//! that only grow and never name a position in any array.

pub mod base;
pub mod catalog;
mod chains;
mod changes;
pub mod constraint;
mod index;
mod layer;
pub mod read;
mod stack;
mod tx;
pub mod view;

pub use catalog::{Catalog, KeyId, LabelId, NameRef, NameTable, Namespace, TypeId};
pub use changes::{ApplyError, Changes, ConstraintDef, Image, ImageNode, ImageRel, IndexDef, NodeState, RelState};
pub use constraint::{Constraint, PropertyType, Requirement, Target};
pub use index::PropertyIndex;
pub use read::{GraphRead, GraphWrite, IndexInfo, Neighbours, NodeIter, PropRef, Props, RelInfo, Savepoint, Seek};
pub use stack::Stack;
pub use tx::{normalise, Snapshot, Tx};

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

#[cfg(test)]
mod tests;
