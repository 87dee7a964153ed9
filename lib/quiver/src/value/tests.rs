//! Property tests of the value relations: ORDER BY's order is total and
//! consistent, grouping equality agrees with its hash, `=` is symmetric.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use proptest::prelude::*;

use super::order::{compare, equals, group_eq, order, GroupKey};
use super::*;

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..5).prop_map(Value::Int),
        any::<i64>().prop_map(Value::Int),
        prop_oneof![
            Just(0.0),
            Just(-0.0),
            Just(1.5),
            Just(f64::NAN),
            Just(f64::INFINITY),
            Just(2.0)
        ]
        .prop_map(Value::Float),
        "[a-c]{0,3}".prop_map(|s| Value::from(s.as_str())),
        (0u64..4).prop_map(|i| Value::Node(NodeId(i))),
        (-3i64..3).prop_filter_map("a valid day", |d| Date::from_epoch_day(d).ok().map(Value::Date)),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::list),
            prop::collection::btree_map("[a-b]", inner, 0..3)
                .prop_map(|m| Value::map(m.into_iter().map(|(k, v)| (k.as_str().into(), v)).collect())),
        ]
    })
}

fn hash_of(v: &Value) -> u64 {
    let mut h = DefaultHasher::new();
    GroupKey(v.clone()).hash(&mut h);
    h.finish()
}

proptest! {
    #[test]
    fn order_is_antisymmetric(a in value(), b in value()) {
        prop_assert_eq!(order(&a, &b), order(&b, &a).reverse());
    }

    #[test]
    fn order_is_transitive(a in value(), b in value(), c in value()) {
        use std::cmp::Ordering::*;
        if order(&a, &b) != Greater && order(&b, &c) != Greater {
            prop_assert_ne!(order(&a, &c), Greater);
        }
    }

    #[test]
    fn group_equality_agrees_with_the_hash(a in value(), b in value()) {
        if group_eq(&a, &b) {
            prop_assert_eq!(hash_of(&a), hash_of(&b));
        }
        prop_assert!(group_eq(&a, &a));
    }

    #[test]
    fn equality_is_symmetric_and_comparison_agrees(a in value(), b in value()) {
        prop_assert_eq!(equals(&a, &b), equals(&b, &a));
        if let Some(o) = compare(&a, &b) {
            prop_assert_eq!(compare(&b, &a), Some(o.reverse()));
            if o == std::cmp::Ordering::Equal {
                prop_assert_ne!(equals(&a, &b), Some(false));
            }
        }
    }

    #[test]
    fn null_is_unknown_to_equality(a in value()) {
        prop_assert_eq!(equals(&a, &Value::Null), None);
    }
}

#[test]
fn floats_print_as_floats() {
    assert_eq!(format_float(1.0), "1.0");
    assert_eq!(format_float(1e20), "1.0e20");
    assert_eq!(format_float(-0.5), "-0.5");
    assert_eq!(format_float(f64::NAN), "NaN");
}

#[test]
fn integers_and_floats_group_together() {
    assert!(group_eq(&Value::Int(1), &Value::Float(1.0)));
    assert_eq!(hash_of(&Value::Int(1)), hash_of(&Value::Float(1.0)));
    assert!(group_eq(&Value::Null, &Value::Null));
}

/// Every property slot of a column and every cell of a row is a `Value`:
/// the large temporal variants are boxed so that it stays three words.
#[test]
fn a_value_is_three_words() {
    assert_eq!(std::mem::size_of::<Value>(), 24);
}
