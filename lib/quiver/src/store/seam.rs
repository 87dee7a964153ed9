//! [`GraphRead`] and [`GraphWrite`] for the in-memory [`Graph`].

use std::borrow::Cow;

use super::read::{GraphRead, GraphWrite, IndexInfo, Neighbours, NodeIter, PropRef, Props, RelInfo, Savepoint, Seek};
use super::{Catalog, Dir, Graph, KeyId, LabelId, StoreError, TypeId};
use crate::value::{NodeId, RelId, Value};

static NULL: Value = Value::Null;

impl GraphRead for Graph {
    fn catalog(&self) -> &Catalog {
        self.names()
    }

    fn node_count(&self) -> usize {
        Graph::node_count(self)
    }

    fn relationship_count(&self) -> usize {
        Graph::relationship_count(self)
    }

    fn label_count(&self, label: LabelId) -> usize {
        Graph::label_count(self, label)
    }

    fn type_count(&self, t: TypeId) -> usize {
        Graph::type_count(self, t)
    }

    fn property_key_counts(&self) -> Vec<(KeyId, usize)> {
        Graph::property_key_counts(self)
    }

    fn id_bounds(&self) -> (u64, u64) {
        self.counters()
    }

    fn contains_node(&self, id: NodeId) -> bool {
        Graph::contains_node(self, id)
    }

    fn node_labels(&self, id: NodeId) -> Option<Vec<LabelId>> {
        self.node(id).map(|n| n.labels.clone())
    }

    #[inline]
    fn has_label(&self, id: NodeId, label: LabelId) -> bool {
        Graph::has_label(self, id, label)
    }

    #[inline]
    fn node_property(&self, id: NodeId, key: KeyId) -> Option<PropRef<'_>> {
        Graph::node_property(self, id, key).map(Cow::Borrowed)
    }

    fn node_properties(&self, id: NodeId) -> Vec<(KeyId, PropRef<'_>)> {
        self.node_props(id).map(|(k, v)| (k, Cow::Borrowed(v))).collect()
    }

    fn relationship(&self, id: RelId) -> Option<RelInfo> {
        let rec = Graph::relationship(self, id)?;
        let (start, end) = self.endpoints(id)?;
        Some(RelInfo {
            id,
            rel_type: rec.rel_type,
            start,
            end,
        })
    }

    #[inline]
    fn relationship_property(&self, id: RelId, key: KeyId) -> Option<PropRef<'_>> {
        Graph::relationship_property(self, id, key).map(Cow::Borrowed)
    }

    fn relationship_properties(&self, id: RelId) -> Vec<(KeyId, PropRef<'_>)> {
        self.relationship_props(id)
            .map(|(k, v)| (k, Cow::Borrowed(v)))
            .collect()
    }

    fn nodes(&self) -> NodeIter<'_> {
        Box::new(self.nodes.ids())
    }

    fn nodes_with_label(&self, label: LabelId) -> NodeIter<'_> {
        Box::new(Graph::nodes_with_label(self, label))
    }

    fn relationships(&self) -> Box<dyn Iterator<Item = RelId> + Send + '_> {
        Box::new(self.rels.ids())
    }

    fn neighbours<'a>(&'a self, id: NodeId, dir: Dir, types: &'a [TypeId]) -> Neighbours<'a> {
        Box::new(self.neighbours_iter(id, dir, types))
    }

    fn scan_label_values(&self, label: LabelId, keys: &[KeyId], f: &mut dyn FnMut(NodeId, &[&Value]) -> bool) {
        let columns: Vec<_> = keys.iter().map(|k| self.node_props.column(*k)).collect();
        let mut values: Vec<&Value> = vec![&NULL; keys.len()];
        for id in Graph::nodes_with_label(self, label) {
            for (v, c) in values.iter_mut().zip(&columns) {
                *v = c.map_or(&NULL, |c| c.value(id.0));
            }
            if !f(id, &values) {
                return;
            }
        }
    }

    fn indexes(&self) -> Vec<IndexInfo> {
        Graph::indexes(self)
            .iter()
            .map(|i| IndexInfo {
                name: i.name.clone(),
                label: i.label,
                key: i.key,
                entries: i.len(),
                distinct: i.distinct_values(),
            })
            .collect()
    }

    fn index_seek(&self, label: LabelId, key: KeyId, seek: Seek<'_>) -> Option<Vec<NodeId>> {
        let index = self.index_for(label, key)?;
        Some(match seek {
            Seek::Equal(v) => index.equal(v),
            Seek::Range { lower, upper } => index.range(lower, upper),
        })
    }

    fn deleted_node(&self, id: NodeId) -> Option<(Vec<LabelId>, Props)> {
        Graph::deleted_node(self, id).map(|(rec, props)| (rec.labels.clone(), props.clone()))
    }

    fn deleted_relationship(&self, id: RelId) -> Option<(RelInfo, Props)> {
        Graph::deleted_relationship(self, id).map(|(rec, props, start, end)| {
            (
                RelInfo {
                    id,
                    rel_type: rec.rel_type,
                    start,
                    end,
                },
                props.clone(),
            )
        })
    }
}

impl GraphWrite for Graph {
    fn create_node(&mut self, labels: &[LabelId], props: Props) -> NodeId {
        Graph::create_node(self, labels, props)
    }

    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        t: TypeId,
        props: Props,
    ) -> Result<RelId, StoreError> {
        Graph::create_relationship(self, start, end, t, props)
    }

    fn delete_relationship(&mut self, id: RelId) -> Result<(), StoreError> {
        Graph::delete_relationship(self, id)
    }

    fn delete_node(&mut self, id: NodeId, detach: bool) -> Result<usize, StoreError> {
        Graph::delete_node(self, id, detach)
    }

    fn set_node_property(&mut self, id: NodeId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        Graph::set_node_property(self, id, key, value)
    }

    fn set_relationship_property(&mut self, id: RelId, key: KeyId, value: Value) -> Result<Option<Value>, StoreError> {
        Graph::set_relationship_property(self, id, key, value)
    }

    fn add_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        Graph::add_label(self, id, label)
    }

    fn remove_label(&mut self, id: NodeId, label: LabelId) -> Result<bool, StoreError> {
        Graph::remove_label(self, id, label)
    }

    fn create_index(&mut self, name: &str, label: LabelId, key: KeyId) -> bool {
        Graph::create_index(self, name, label, key)
    }

    fn drop_index(&mut self, name: &str) -> bool {
        Graph::drop_index(self, name)
    }

    fn savepoint(&self) -> Savepoint {
        self.mark()
    }

    fn rollback_to(&mut self, sp: Savepoint) {
        self.rollback(sp)
    }
}
