//! Bases built and read back.

use super::*;
use crate::store::catalog::Catalog;

fn catalog() -> Catalog {
    Catalog::default()
}

/// A small graph with gaps in its ids, two types, columns of every kind.
fn sample(c: &Catalog) -> Base {
    let (person, city) = (c.labels.intern("Person"), c.labels.intern("City"));
    let (knows, lives) = (c.types.intern("KNOWS"), c.types.intern("LIVES_IN"));
    let (name, age, score, ok, born, tags) = (
        c.keys.intern("name"),
        c.keys.intern("age"),
        c.keys.intern("score"),
        c.keys.intern("ok"),
        c.keys.intern("born"),
        c.keys.intern("tags"),
    );
    let db = crate::Database::in_memory();
    let date = db.eval_literal("date('1815-12-10')").unwrap();
    let mut b = BaseBuilder::new();
    for (id, label, n) in [
        (0u64, person, "Ada"),
        (2, person, "Alan"),
        (5, city, "London"),
        (9, person, "Grace"),
    ] {
        let mut props = vec![(name, Value::from(n))];
        if label == person {
            props.push((age, Value::Int(30 + id as i64)));
            props.push((score, Value::Float(id as f64 / 2.0)));
            props.push((ok, Value::Bool(id % 2 == 0)));
        }
        if id == 0 {
            props.push((born, date.clone()));
            props.push((tags, Value::from(vec!["math", "poetry"])));
        }
        b.add_node(id, &[label], props).unwrap();
    }
    b.add_rel(1, knows, 0, 2, vec![(age, Value::Int(1833))]).unwrap();
    b.add_rel(3, lives, 0, 5, vec![]).unwrap();
    b.add_rel(4, knows, 9, 9, vec![]).unwrap();
    b.add_rel(7, lives, 2, 5, vec![]).unwrap();
    b.index("ix", person, name);
    b.counters(12, 10);
    let built = b.finish(c, 3, 7).unwrap();
    Base::in_memory(built, c).unwrap()
}

#[test]
fn nodes_labels_and_properties_come_back() {
    let c = catalog();
    let base = sample(&c);
    base.verify().unwrap();
    assert_eq!(base.header().next_node, 12);
    let person = c.labels.get("Person").unwrap();
    let ids: Vec<u64> = base.label_members(person).iter().map(|i| base.node_id(*i).0).collect();
    assert_eq!(ids, [0, 2, 9]);
    let ada = base.node_index(NodeId(0)).unwrap();
    assert_eq!(base.node_index(NodeId(1)), None);
    assert!(base.has_label(ada, person));
    assert!(!base.has_label(ada, c.labels.get("City").unwrap()));
    let props: Vec<(String, Value)> = base
        .node_properties(ada)
        .into_iter()
        .map(|(k, v)| (c.keys.name(k).to_string(), v.into_owned()))
        .collect();
    assert_eq!(props.len(), 6, "{props:?}");
    assert!(props.contains(&("tags".into(), Value::from(vec!["math", "poetry"]))));
    assert!(props.contains(&("ok".into(), Value::Bool(true))));
    let grace = base.node_index(NodeId(9)).unwrap();
    assert_eq!(
        base.node_property(grace, c.keys.get("age").unwrap())
            .map(Cow::into_owned),
        Some(Value::Int(39))
    );
    assert_eq!(base.node_property(grace, c.keys.get("born").unwrap()), None);
    assert_eq!(base.label_count(person), 3);
}

#[test]
fn adjacency_by_direction_and_type() {
    let c = catalog();
    let base = sample(&c);
    let knows = c.types.get("KNOWS").unwrap();
    let ada = base.node_index(NodeId(0)).unwrap();
    let out: Vec<(u64, u64)> = base
        .adjacent(ada, Dir::Outgoing, &[])
        .map(|(r, n)| (base.rel_id(r).0, base.node_id(n).0))
        .collect();
    assert_eq!(out, [(1, 2), (3, 5)]);
    let typed: Vec<u64> = base
        .adjacent(ada, Dir::Outgoing, &[knows])
        .map(|(r, _)| base.rel_id(r).0)
        .collect();
    assert_eq!(typed, [1]);
    let london = base.node_index(NodeId(5)).unwrap();
    assert_eq!(base.adjacent(london, Dir::Incoming, &[]).count(), 2);
    assert_eq!(base.adjacent(london, Dir::Incoming, &[knows]).count(), 0);
    let rel = base.relationship(base.rel_index(RelId(4)).unwrap()).unwrap();
    assert_eq!((rel.start, rel.end, rel.rel_type), (NodeId(9), NodeId(9), knows));
    assert_eq!(base.type_count(knows), 2);
}

#[test]
fn index_seeks() {
    let c = catalog();
    let base = sample(&c);
    let (person, name) = (c.labels.get("Person").unwrap(), c.keys.get("name").unwrap());
    let ids = |v: Option<Vec<u32>>| v.unwrap().into_iter().map(|i| base.node_id(i).0).collect::<Vec<_>>();
    assert_eq!(
        ids(base.index_seek(person, name, Seek::Equal(&Value::from("Alan")))),
        [2]
    );
    assert_eq!(
        ids(base.index_seek(person, name, Seek::Equal(&Value::from("London")))),
        Vec::<u64>::new()
    );
    let lo = Value::from("Alan");
    assert_eq!(
        ids(base.index_seek(
            person,
            name,
            Seek::Range {
                lower: Some((&lo, false)),
                upper: None
            }
        )),
        [9]
    );
    assert_eq!(
        ids(base.index_seek(
            person,
            name,
            Seek::Range {
                lower: None,
                upper: Some((&lo, true))
            }
        )),
        [0, 2]
    );
    assert!(base
        .index_seek(person, c.keys.get("age").unwrap(), Seek::Equal(&Value::Int(1)))
        .is_none());
}

#[test]
fn names_map_into_another_catalog() {
    let c = catalog();
    let base = sample(&c);
    // A process whose catalog numbers names differently.
    let other = Catalog::default();
    other.labels.intern("Zebra");
    other.keys.intern("zzz");
    let Backing::Owned(words) = &base.backing else { panic!() };
    let again = Base::open(Backing::Owned(words.clone()), &other).unwrap();
    let person = other.labels.get("Person").unwrap();
    assert_ne!(person, c.labels.get("Person").unwrap());
    assert_eq!(again.label_count(person), 3);
    let name = other.keys.get("name").unwrap();
    let ada = again.node_index(NodeId(0)).unwrap();
    assert_eq!(
        again.node_property(ada, name).map(Cow::into_owned),
        Some(Value::from("Ada"))
    );
}

#[test]
fn damaged_bases_are_refused_or_harmless() {
    let c = catalog();
    let base = sample(&c);
    let Backing::Owned(words) = &base.backing else { panic!() };
    let bytes: &[u8] = bytemuck::cast_slice(words);
    let len = bytes.len();
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..400 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let mut copy = words.clone();
        let b: &mut [u8] = bytemuck::cast_slice_mut(&mut copy);
        let at = (x as usize) % len;
        b[at] ^= 1 << (x % 8);
        // Either refused on open, found by verify, or (past the data) harmless; never a panic.
        if let Ok(damaged) = Base::open(Backing::Owned(copy), &catalog()) {
            let _ = damaged.verify();
            for i in 0..4u32 {
                let _ = damaged.node_properties(i);
                let _ = damaged.node_labels(i);
                let _ = damaged.adjacent(i, Dir::Outgoing, &[]).count();
                let _ = damaged.relationship(i);
            }
            for l in damaged.label_ids().collect::<Vec<_>>() {
                let _ = damaged.label_members(l).len();
            }
        }
    }
}

#[test]
fn label_checks_answer_the_same_before_and_after_the_bitmap() {
    let c = catalog();
    let (a, b, none) = (c.labels.intern("A"), c.labels.intern("B"), c.labels.intern("None"));
    let mut builder = BaseBuilder::new();
    let n = 3000u64;
    for id in 0..n {
        let labels: Vec<LabelId> = match id % 3 {
            0 => vec![a],
            1 => vec![a, b],
            _ => vec![],
        };
        builder.add_node(id * 2, &labels, vec![]).unwrap();
    }
    builder.counters(n * 2, 0);
    let base = Base::in_memory(builder.finish(&c, 3, 0).unwrap(), &c).unwrap();
    let expect = |i: u32, l: LabelId| match i % 3 {
        0 => l == a,
        1 => l == a || l == b,
        _ => false,
    };
    // The first 1,024 asks of a label read the file, the rest its bitmap.
    for round in 0..2 {
        for i in 0..n as u32 {
            for l in [a, b, none] {
                assert_eq!(base.has_label(i, l), expect(i, l), "round {round}, node {i}, label {l}");
            }
        }
    }
    assert!(base.label_bits.iter().all(|lb| lb.bits.get().is_some()));
    assert!(!base.has_label(n as u32 + 100, a), "no such node");
}

#[test]
fn integer_index_bounds_match_a_binary_search() {
    // Even, skewed, clustered and duplicated keys, against partition_point.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let shapes: Vec<Vec<i64>> = vec![
        (0..1000).collect(),
        (0..1000).map(|i| i * i * i).collect(),
        (0..1000)
            .map(|i| if i < 990 { i } else { i64::MAX - 1000 + i })
            .collect(),
        (0..1000).map(|i| i / 7).collect(),
        (0..1000).map(|i| i64::MIN + i).chain([0, i64::MAX]).collect(),
        vec![5; 100],
        (0..40).collect(),
        Vec::new(),
    ];
    for mut keys in shapes {
        keys.sort_unstable();
        let mut probes: Vec<i64> = vec![i64::MIN, i64::MAX, 0, -1, 1];
        probes.extend(keys.iter().flat_map(|k| [k.saturating_sub(1), *k, k.saturating_add(1)]));
        probes.extend((0..200).map(|_| next() as i64));
        for p in probes {
            for past in [false, true] {
                let want = keys.partition_point(|k| if past { *k <= p } else { *k < p });
                assert_eq!(
                    super::int_bound(&keys, p, past),
                    want,
                    "{p} past={past} in {:?}..",
                    keys.first()
                );
            }
        }
    }
}
