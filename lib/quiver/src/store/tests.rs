//! The store against a plain model: random changes through write
//! transactions (with savepoints rolled back, commits folded into the
//! committed layer, and the whole folded into a new base), checking after
//! every step that each view reads exactly what the model holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::value::{NodeId, RelId, Value};

#[derive(Clone, Debug, Default, PartialEq)]
struct Model {
    nodes: BTreeMap<u64, (BTreeSet<LabelId>, BTreeMap<KeyId, Value>)>,
    rels: BTreeMap<u64, (TypeId, u64, u64, BTreeMap<KeyId, Value>)>,
    next: (u64, u64),
    /// name -> (label, key)
    indexes: BTreeMap<String, (LabelId, KeyId)>,
}

#[derive(Clone, Debug)]
enum Op {
    CreateNode(Vec<u8>, Vec<(u8, i64)>),
    CreateRel(u8, usize, usize, Vec<(u8, i64)>),
    DeleteRel(usize),
    DeleteNode(usize, bool),
    SetNode(usize, u8, Option<i64>),
    SetRel(usize, u8, Option<i64>),
    AddLabel(usize, u8),
    RemoveLabel(usize, u8),
    CreateIndex(u8, u8),
    DropIndex(u8, u8),
    Savepoint,
    Rollback,
    Commit,
    Compact,
}

fn op() -> impl Strategy<Value = Op> {
    let props = prop::collection::vec((0u8..3, -3i64..3), 0..3);
    prop_oneof![
        4 => (prop::collection::vec(0u8..3, 0..3), props.clone()).prop_map(|(l, p)| Op::CreateNode(l, p)),
        4 => (0u8..2, any::<usize>(), any::<usize>(), props).prop_map(|(t, a, b, p)| Op::CreateRel(t, a, b, p)),
        1 => any::<usize>().prop_map(Op::DeleteRel),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(n, d)| Op::DeleteNode(n, d)),
        2 => (any::<usize>(), 0u8..3, prop::option::of(-3i64..3)).prop_map(|(n, k, v)| Op::SetNode(n, k, v)),
        1 => (any::<usize>(), 0u8..3, prop::option::of(-3i64..3)).prop_map(|(n, k, v)| Op::SetRel(n, k, v)),
        1 => (any::<usize>(), 0u8..3).prop_map(|(n, l)| Op::AddLabel(n, l)),
        1 => (any::<usize>(), 0u8..3).prop_map(|(n, l)| Op::RemoveLabel(n, l)),
        1 => (0u8..3, 0u8..3).prop_map(|(l, k)| Op::CreateIndex(l, k)),
        1 => (0u8..3, 0u8..3).prop_map(|(l, k)| Op::DropIndex(l, k)),
        1 => Just(Op::Savepoint),
        1 => Just(Op::Rollback),
        2 => Just(Op::Commit),
        1 => Just(Op::Compact),
    ]
}

fn pick<T: Copy>(items: &[T], i: usize) -> Option<T> {
    (!items.is_empty()).then(|| items[i % items.len()])
}

/// Everything `g` reads, compared with `m`.
fn check(g: &dyn GraphRead, m: &Model) {
    let nodes: Vec<u64> = g.nodes().map(|n| n.0).collect();
    assert_eq!(nodes, m.nodes.keys().copied().collect::<Vec<_>>(), "nodes");
    let rels: Vec<u64> = g.relationships().map(|r| r.0).collect();
    assert_eq!(rels, m.rels.keys().copied().collect::<Vec<_>>(), "relationships");
    assert_eq!(g.node_count(), m.nodes.len());
    assert_eq!(g.relationship_count(), m.rels.len());
    assert_eq!(g.id_bounds(), m.next, "counters");
    for l in 0..3 {
        let want: Vec<u64> = m
            .nodes
            .iter()
            .filter(|(_, n)| n.0.contains(&l))
            .map(|(id, _)| *id)
            .collect();
        let got: Vec<u64> = g.nodes_with_label(l).map(|n| n.0).collect();
        assert_eq!(got, want, "label {l}");
        assert_eq!(g.label_count(l), want.len(), "label count {l}");
    }
    for t in 0..2 {
        assert_eq!(
            g.type_count(t),
            m.rels.values().filter(|r| r.0 == t).count(),
            "type count {t}"
        );
    }
    let mut keys: BTreeMap<KeyId, usize> = BTreeMap::new();
    for (id, (labels, props)) in &m.nodes {
        let n = NodeId(*id);
        assert!(g.contains_node(n));
        assert_eq!(g.node_labels(n).unwrap(), labels.iter().copied().collect::<Vec<_>>());
        let got: BTreeMap<KeyId, Value> = g
            .node_properties(n)
            .into_iter()
            .map(|(k, v)| (k, v.into_owned()))
            .collect();
        assert_eq!(&got, props, "node {id}");
        for (k, v) in props {
            assert_eq!(g.node_property(n, *k).map(|v| v.into_owned()), Some(v.clone()));
            *keys.entry(*k).or_default() += 1;
        }
        for l in 0..3 {
            assert_eq!(g.has_label(n, l), labels.contains(&l));
        }
        for (dir, want) in [
            (
                Dir::Outgoing,
                m.rels
                    .iter()
                    .filter(|r| r.1 .1 == *id)
                    .map(|(r, x)| (*r, x.2))
                    .collect::<Vec<_>>(),
            ),
            (
                Dir::Incoming,
                m.rels
                    .iter()
                    .filter(|r| r.1 .2 == *id)
                    .map(|(r, x)| (*r, x.1))
                    .collect(),
            ),
            (
                Dir::Both,
                m.rels
                    .iter()
                    .filter(|r| r.1 .1 == *id || r.1 .2 == *id)
                    .map(|(r, x)| (*r, if x.1 == *id { x.2 } else { x.1 }))
                    .collect(),
            ),
        ] {
            let got: Vec<(u64, u64)> = g.neighbours(n, dir, &[]).map(|(r, o)| (r.0, o.0)).collect();
            assert_eq!(got, want, "{dir:?} of node {id}");
            let mut into = vec![(RelId(0), NodeId(0))];
            g.neighbours_into(n, dir, &[], &mut into);
            let into: Vec<(u64, u64)> = into[1..].iter().map(|(r, o)| (r.0, o.0)).collect();
            assert_eq!(into, want, "{dir:?} of node {id}, in bulk");
            for t in 0..2u32 {
                let want_t: Vec<(u64, u64)> = want.iter().copied().filter(|(r, _)| m.rels[r].0 == t).collect();
                let got_t: Vec<(u64, u64)> = g.neighbours(n, dir, &[t]).map(|(r, o)| (r.0, o.0)).collect();
                let mut into = Vec::new();
                g.neighbours_into(n, dir, &[t], &mut into);
                assert_eq!(into.iter().map(|(r, o)| (r.0, o.0)).collect::<Vec<_>>(), got_t);
                assert_eq!(got_t, want_t, "{dir:?} of node {id}, type {t}");
            }
        }
    }
    for (id, (t, s, e, props)) in &m.rels {
        let info = g.relationship(RelId(*id)).expect("relationship");
        assert_eq!((info.rel_type, info.start.0, info.end.0), (*t, *s, *e));
        let got: BTreeMap<KeyId, Value> = g
            .relationship_properties(RelId(*id))
            .into_iter()
            .map(|(k, v)| (k, v.into_owned()))
            .collect();
        assert_eq!(&got, props, "relationship {id}");
        for k in props.keys() {
            *keys.entry(*k).or_default() += 1;
        }
    }
    assert!(!g.contains_node(NodeId(m.next.0 + 3)));
    assert!(g.relationship(RelId(m.next.1 + 3)).is_none());
    assert_eq!(
        g.property_key_counts(),
        keys.into_iter().collect::<Vec<_>>(),
        "key counts"
    );
    // Indexes: as defined, and every seek finds exactly the nodes with the value.
    let mut defined: Vec<(String, LabelId, KeyId)> =
        g.indexes().into_iter().map(|i| (i.name, i.label, i.key)).collect();
    defined.sort();
    assert_eq!(
        defined,
        m.indexes
            .iter()
            .map(|(n, (l, k))| (n.clone(), *l, *k))
            .collect::<Vec<_>>(),
        "indexes"
    );
    for (label, key) in m.indexes.values() {
        for v in -3i64..3 {
            let want: Vec<NodeId> = m
                .nodes
                .iter()
                .filter(|(_, n)| n.0.contains(label) && n.1.get(key) == Some(&Value::Int(v)))
                .map(|(id, _)| NodeId(*id))
                .collect();
            let got = g
                .index_seek(*label, *key, Seek::Equal(&Value::Int(v)))
                .expect("an index");
            assert_eq!(got, want, "seek {label}/{key} = {v}");
        }
        let want: Vec<NodeId> = m
            .nodes
            .iter()
            .filter(|(_, n)| n.0.contains(label) && matches!(n.1.get(key), Some(Value::Int(x)) if *x >= 0))
            .map(|(id, _)| NodeId(*id))
            .collect();
        let got = g
            .index_seek(
                *label,
                *key,
                Seek::Range {
                    lower: Some((&Value::Int(0), true)),
                    upper: None,
                },
            )
            .expect("an index");
        assert_eq!(got, want, "range {label}/{key} >= 0");
    }
}

fn run(ops: Vec<Op>) {
    let catalog = Arc::new(Catalog::default());
    for i in 0..3 {
        catalog.labels.intern(&format!("L{i}"));
        catalog.keys.intern(&format!("k{i}"));
    }
    for i in 0..2 {
        catalog.types.intern(&format!("T{i}"));
    }
    let mut committed = Snapshot::empty(catalog.clone());
    let mut committed_model = Model::default();
    let mut tx = Tx::new(committed.clone(), true);
    let mut model = committed_model.clone();
    let mut saved: Vec<(Savepoint, Model)> = Vec::new();
    for op in ops {
        let nodes: Vec<u64> = model.nodes.keys().copied().collect();
        let rels: Vec<u64> = model.rels.keys().copied().collect();
        match op {
            Op::CreateNode(labels, props) => {
                let props: Props = props.into_iter().map(|(k, v)| (u32::from(k), Value::Int(v))).collect();
                let labels: Vec<LabelId> = labels.into_iter().map(u32::from).collect();
                let id = tx.create_node(&labels, props.clone());
                assert_eq!(id.0, model.next.0);
                model.next.0 += 1;
                model
                    .nodes
                    .insert(id.0, (labels.into_iter().collect(), props.into_iter().collect()));
            }
            Op::CreateRel(t, a, b, props) => {
                let (Some(a), Some(b)) = (pick(&nodes, a), pick(&nodes, b)) else {
                    continue;
                };
                let props: Props = props.into_iter().map(|(k, v)| (u32::from(k), Value::Int(v))).collect();
                let id = tx
                    .create_relationship(NodeId(a), NodeId(b), u32::from(t), props.clone())
                    .unwrap();
                assert_eq!(id.0, model.next.1);
                model.next.1 += 1;
                model
                    .rels
                    .insert(id.0, (u32::from(t), a, b, props.into_iter().collect()));
            }
            Op::DeleteRel(r) => {
                let Some(r) = pick(&rels, r) else { continue };
                tx.delete_relationship(RelId(r)).unwrap();
                model.rels.remove(&r);
                assert!(tx.deleted_relationship(RelId(r)).is_some());
            }
            Op::DeleteNode(n, detach) => {
                let Some(n) = pick(&nodes, n) else { continue };
                let attached = model.rels.values().any(|r| r.1 == n || r.2 == n);
                match tx.delete_node(NodeId(n), detach) {
                    Ok(gone) => {
                        assert!(detach || !attached);
                        let before = model.rels.len();
                        model.rels.retain(|_, r| r.1 != n && r.2 != n);
                        assert_eq!(gone, before - model.rels.len());
                        model.nodes.remove(&n);
                    }
                    Err(e) => {
                        assert!(!detach && attached);
                        assert_eq!(e, StoreError::NodeHasRelationships(n));
                    }
                }
            }
            Op::SetNode(n, k, v) => {
                let Some(n) = pick(&nodes, n) else { continue };
                let value = v.map_or(Value::Null, Value::Int);
                let old = tx.set_node_property(NodeId(n), u32::from(k), value.clone()).unwrap();
                let props = &mut model.nodes.get_mut(&n).unwrap().1;
                let want = match v {
                    Some(_) => props.insert(u32::from(k), value),
                    None => props.remove(&u32::from(k)),
                };
                assert_eq!(old, want);
            }
            Op::SetRel(r, k, v) => {
                let Some(r) = pick(&rels, r) else { continue };
                let value = v.map_or(Value::Null, Value::Int);
                tx.set_relationship_property(RelId(r), u32::from(k), value.clone())
                    .unwrap();
                let props = &mut model.rels.get_mut(&r).unwrap().3;
                match v {
                    Some(_) => props.insert(u32::from(k), value),
                    None => props.remove(&u32::from(k)),
                };
            }
            Op::AddLabel(n, l) => {
                let Some(n) = pick(&nodes, n) else { continue };
                let added = tx.add_label(NodeId(n), u32::from(l)).unwrap();
                assert_eq!(added, model.nodes.get_mut(&n).unwrap().0.insert(u32::from(l)));
            }
            Op::RemoveLabel(n, l) => {
                let Some(n) = pick(&nodes, n) else { continue };
                let removed = tx.remove_label(NodeId(n), u32::from(l)).unwrap();
                assert_eq!(removed, model.nodes.get_mut(&n).unwrap().0.remove(&u32::from(l)));
            }
            Op::CreateIndex(l, k) => {
                let name = format!("ix{l}{k}");
                let made = tx.create_index(&name, u32::from(l), u32::from(k));
                let clash = model.indexes.contains_key(&name)
                    || model.indexes.values().any(|x| *x == (u32::from(l), u32::from(k)));
                assert_eq!(made, !clash);
                if made {
                    model.indexes.insert(name, (u32::from(l), u32::from(k)));
                }
            }
            Op::DropIndex(l, k) => {
                let name = format!("ix{l}{k}");
                assert_eq!(tx.drop_index(&name), model.indexes.remove(&name).is_some());
            }
            Op::Savepoint => saved.push((tx.savepoint(), model.clone())),
            Op::Rollback => {
                if let Some((sp, m)) = saved.pop() {
                    tx.rollback_to(sp);
                    model = m;
                }
            }
            Op::Commit => {
                // The log record of the transaction, replayed on the committed
                // state, gives the same state as folding the transaction in.
                let changes = tx.changes();
                let mut replayed = committed.clone();
                replayed.apply(&changes).unwrap();
                committed = std::mem::replace(&mut tx, Tx::new(committed.clone(), true)).into_snapshot();
                check(&committed, &model);
                check(&replayed, &model);
                committed_model = model.clone();
                tx = Tx::new(committed.clone(), true);
                saved.clear();
            }
            Op::Compact => {
                // Everything committed as one base; the open transaction starts over on it.
                committed = committed.compacted().unwrap();
                check(&committed, &committed_model);
                model = committed_model.clone();
                tx = Tx::new(committed.clone(), true);
                saved.clear();
            }
        }
        check(&tx, &model);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
    #[test]
    fn the_store_reads_as_the_model(ops in prop::collection::vec(op(), 1..60)) {
        run(ops);
    }
}

#[test]
fn ids_are_never_reused_after_deletes() {
    let catalog = Arc::new(Catalog::default());
    let mut tx = Tx::new(Snapshot::empty(catalog.clone()), false);
    let a = tx.create_node(&[], vec![]);
    let b = tx.create_node(&[], vec![]);
    tx.delete_node(a, false).unwrap();
    let committed = tx.into_snapshot();
    let mut tx = Tx::new(committed.compacted().unwrap(), false);
    let c = tx.create_node(&[], vec![]);
    assert_eq!((a.0, b.0, c.0), (0, 1, 2));
    assert!(!tx.contains_node(a));
}

#[test]
fn a_transaction_without_a_journal_rolls_back_to_its_start() {
    let catalog = Arc::new(Catalog::default());
    let mut tx = Tx::new(Snapshot::empty(catalog), false);
    let sp = tx.savepoint();
    tx.create_node(&[], vec![]);
    assert!(tx.changed_since(&sp));
    tx.rollback_to(sp);
    assert!(!tx.changed());
    assert_eq!(tx.create_node(&[], vec![]).0, 0);
}
