use super::*;

fn props(g: &mut Graph, kv: &[(&str, Value)]) -> Props {
    kv.iter().map(|(k, v)| (g.catalog.keys.intern(k), v.clone())).collect()
}

#[test]
fn ids_are_never_reused_after_deletes() {
    let mut g = Graph::new();
    let a = g.create_node(&[], vec![]);
    let b = g.create_node(&[], vec![]);
    g.delete_node(a, false).unwrap();
    let c = g.create_node(&[], vec![]);
    assert_ne!(c, a);
    assert!(g.node(a).is_none());
    assert!(g.node(b).is_some());
    assert_eq!(g.node(c).map(|n| n.id), Some(c));
}

#[test]
fn self_loops_and_parallel_relationships() {
    let mut g = Graph::new();
    let t = g.catalog.types.intern("T");
    let a = g.create_node(&[], vec![]);
    let b = g.create_node(&[], vec![]);
    g.create_relationship(a, a, t, vec![]).unwrap();
    g.create_relationship(a, b, t, vec![]).unwrap();
    g.create_relationship(a, b, t, vec![]).unwrap();
    assert_eq!(g.neighbours(a, Dir::Outgoing).len(), 3);
    assert_eq!(g.neighbours(a, Dir::Incoming).len(), 1);
    assert_eq!(
        g.neighbours(a, Dir::Both).len(),
        3,
        "a self-loop counts once undirected"
    );
    assert_eq!(g.type_count(t), 3);
}

#[test]
fn deleting_a_connected_node_needs_detach() {
    let mut g = Graph::new();
    let t = g.catalog.types.intern("T");
    let a = g.create_node(&[], vec![]);
    let b = g.create_node(&[], vec![]);
    g.create_relationship(a, b, t, vec![]).unwrap();
    assert_eq!(g.delete_node(a, false), Err(StoreError::NodeHasRelationships(a.0)));
    assert_eq!(g.delete_node(a, true), Ok(1));
    assert_eq!(g.relationship_count(), 0);
}

#[test]
fn rollback_restores_everything_ids_included() {
    let mut g = Graph::new();
    let l = g.catalog.labels.intern("L");
    let t = g.catalog.types.intern("T");
    let p = props(&mut g, &[("name", Value::from("a"))]);
    let a = g.create_node(&[l], p);
    let b = g.create_node(&[], vec![]);
    let r = g.create_relationship(a, b, t, vec![]).unwrap();
    g.commit();
    let mark = g.mark();
    let k = g.catalog.keys.intern("name");
    g.set_node_property(a, k, Value::from("changed")).unwrap();
    g.remove_label(a, l).unwrap();
    g.delete_node(a, true).unwrap();
    let c = g.create_node(&[l], vec![]);
    g.rollback(mark);
    assert!(g.node(c).is_none());
    let n = g.node(a).expect("a restored");
    assert_eq!(n.labels, vec![l]);
    assert_eq!(g.node_property(a, k), Some(&Value::from("a")));
    assert_eq!(g.endpoints(r), Some((a, b)));
    assert_eq!(g.nodes_with_label(l).collect::<Vec<_>>(), vec![a]);
    // The id counter is restored too: the next node gets the id `c` had.
    assert_eq!(g.create_node(&[], vec![]), c);
}

#[test]
fn null_properties_are_not_stored() {
    let mut g = Graph::new();
    let p = props(&mut g, &[("a", Value::Null), ("b", Value::Int(1))]);
    let n = g.create_node(&[], p);
    assert_eq!(g.node_props(n).count(), 1);
}

mod random_operations {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Create(bool, i64),
        Set(usize, Option<i64>),
        AddLabel(usize),
        RemoveLabel(usize),
        Delete(usize),
        Rollback,
        Commit,
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<bool>(), 0i64..4).prop_map(|(l, v)| Op::Create(l, v)),
            (0usize..8, prop::option::of(0i64..4)).prop_map(|(n, v)| Op::Set(n, v)),
            (0usize..8).prop_map(Op::AddLabel),
            (0usize..8).prop_map(Op::RemoveLabel),
            (0usize..8).prop_map(Op::Delete),
            Just(Op::Rollback),
            Just(Op::Commit),
        ]
    }

    proptest! {
        /// Indexes and the label index agree with the nodes after any mix of
        /// writes and rollbacks.
        #[test]
        fn indexes_follow_writes_and_rollbacks(ops in prop::collection::vec(op(), 1..40)) {
            let mut g = Graph::new();
            let l = g.catalog.labels.intern("L");
            let k = g.catalog.keys.intern("k");
            g.create_index("i", l, k);
            let mut mark = g.mark();
            for op in ops {
                let ids = g.node_ids();
                let pick = |n: usize| ids.get(n % ids.len().max(1)).copied();
                match op {
                    Op::Create(labelled, v) => {
                        let labels = if labelled { vec![l] } else { vec![] };
                        g.create_node(&labels, vec![(k, Value::Int(v))]);
                    }
                    Op::Set(n, v) => {
                        if let Some(id) = pick(n) {
                            g.set_node_property(id, k, v.map_or(Value::Null, Value::Int)).unwrap();
                        }
                    }
                    Op::AddLabel(n) => {
                        if let Some(id) = pick(n) {
                            g.add_label(id, l).unwrap();
                        }
                    }
                    Op::RemoveLabel(n) => {
                        if let Some(id) = pick(n) {
                            g.remove_label(id, l).unwrap();
                        }
                    }
                    Op::Delete(n) => {
                        if let Some(id) = pick(n) {
                            g.delete_node(id, true).unwrap();
                        }
                    }
                    Op::Rollback => g.rollback(mark),
                    Op::Commit => {
                        g.commit();
                        mark = g.mark();
                    }
                }
                prop_assert_eq!(g.verify_indexes(), Ok(()));
                let labelled: Vec<NodeId> = g.node_ids().into_iter().filter(|n| g.has_label(*n, l)).collect();
                prop_assert_eq!(g.nodes_with_label(l).collect::<Vec<_>>(), labelled);
            }
        }
    }
}
