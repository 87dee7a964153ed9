use super::*;

fn props(g: &mut Graph, kv: &[(&str, Value)]) -> Props {
    kv.iter().map(|(k, v)| (g.keys.intern(k), v.clone())).collect()
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
    let t = g.types.intern("T");
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
    let t = g.types.intern("T");
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
    let l = g.labels.intern("L");
    let t = g.types.intern("T");
    let p = props(&mut g, &[("name", Value::from("a"))]);
    let a = g.create_node(&[l], p);
    let b = g.create_node(&[], vec![]);
    let r = g.create_relationship(a, b, t, vec![]).unwrap();
    g.commit();
    let mark = g.mark();
    let k = g.keys.intern("name");
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
    assert_eq!(g.node(n).unwrap().props.len(), 1);
}
