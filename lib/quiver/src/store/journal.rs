//! The undo journal: the inverse of every change since the last commit.

use super::{KeyId, LabelId, NodeRecord, Props, RelRecord};
use crate::value::{NodeId, RelId, Value};

#[derive(Debug)]
pub(super) enum Undo {
    CreatedNode(NodeId),
    CreatedRel(RelId),
    DeletedNode(NodeRecord, Props),
    DeletedRel {
        rec: RelRecord,
        props: Props,
        start: NodeId,
        end: NodeId,
    },
    NodeProp {
        id: NodeId,
        key: KeyId,
        old: Option<Value>,
    },
    RelProp {
        id: RelId,
        key: KeyId,
        old: Option<Value>,
    },
    AddedLabel {
        id: NodeId,
        label: LabelId,
    },
    RemovedLabel {
        id: NodeId,
        label: LabelId,
    },
    /// An index was created (undo: drop it).
    CreatedIndex(String),
    /// An index was dropped (undo: build it again from the data, which is
    /// then as it was when it was dropped).
    DroppedIndex {
        /// Where it stood among the indexes.
        position: usize,
        name: String,
        label: LabelId,
        key: KeyId,
    },
}

/// A point in the journal (and the id counters) that `Graph::rollback` returns to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub(super) journal_len: usize,
    pub(super) next_node: u64,
    pub(super) next_rel: u64,
}
