//! Property indexes: for one label and one key, the nodes by value, in the
//! order ORDER BY uses, so equality, `IN` and range predicates find their
//! nodes without a scan.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use crate::value::order::order;
use crate::value::{NodeId, Value};

use super::{KeyId, LabelId};

/// A value ordered as ORDER BY orders it (1 and 1.0 are one key).
#[derive(Clone, Debug)]
pub struct IndexKey(pub Value);

impl PartialEq for IndexKey {
    fn eq(&self, other: &Self) -> bool {
        order(&self.0, &other.0) == Ordering::Equal
    }
}
impl Eq for IndexKey {}
impl PartialOrd for IndexKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for IndexKey {
    fn cmp(&self, other: &Self) -> Ordering {
        order(&self.0, &other.0)
    }
}

/// Which values belong together in a range: numbers with numbers, strings with strings...
pub(crate) fn class(v: &Value) -> u8 {
    match v {
        Value::Int(_) | Value::Float(_) => 0,
        Value::String(_) => 1,
        Value::Bool(_) => 2,
        Value::Date(_) => 3,
        Value::LocalTime(_) => 4,
        Value::Time(_) => 5,
        Value::LocalDateTime(_) => 6,
        Value::DateTime(_) => 7,
        Value::Duration(_) => 8,
        Value::List(_) => 9,
        _ => 10,
    }
}

/// The nodes under one value: most values (ids, names) have one node, held
/// without a set of its own.
#[derive(Clone, Debug)]
enum Nodes {
    One(NodeId),
    Many(BTreeSet<NodeId>),
}

impl Default for Nodes {
    fn default() -> Self {
        Nodes::Many(BTreeSet::new())
    }
}

impl Nodes {
    fn insert(&mut self, node: NodeId) -> bool {
        match self {
            Nodes::One(n) if *n == node => false,
            Nodes::One(n) => {
                *self = Nodes::Many(BTreeSet::from([*n, node]));
                true
            }
            Nodes::Many(s) if s.is_empty() => {
                *self = Nodes::One(node);
                true
            }
            Nodes::Many(s) => s.insert(node),
        }
    }

    fn remove(&mut self, node: NodeId) -> bool {
        match self {
            Nodes::One(n) if *n == node => {
                *self = Nodes::default();
                true
            }
            Nodes::One(_) => false,
            Nodes::Many(s) => s.remove(&node),
        }
    }

    fn is_empty(&self) -> bool {
        matches!(self, Nodes::Many(s) if s.is_empty())
    }

    /// Ascending.
    fn iter(&self) -> Box<dyn Iterator<Item = NodeId> + '_> {
        match self {
            Nodes::One(n) => Box::new(std::iter::once(*n)),
            Nodes::Many(s) => Box::new(s.iter().copied()),
        }
    }

    fn extend_into(&self, out: &mut Vec<NodeId>) {
        match self {
            Nodes::One(n) => out.push(*n),
            Nodes::Many(s) => out.extend(s.iter().copied()),
        }
    }
}

impl PartialEq for Nodes {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

#[derive(Clone, Debug)]
pub struct PropertyIndex {
    pub name: String,
    pub label: LabelId,
    pub key: KeyId,
    entries: BTreeMap<IndexKey, Nodes>,
    /// Number of (value, node) entries.
    count: usize,
}

impl PropertyIndex {
    pub fn new(name: String, label: LabelId, key: KeyId) -> PropertyIndex {
        PropertyIndex {
            name,
            label,
            key,
            entries: BTreeMap::new(),
            count: 0,
        }
    }

    /// An index holding `entries` (any order), built in bulk: sorted once,
    /// not inserted one at a time.
    pub fn build(name: String, label: LabelId, key: KeyId, mut entries: Vec<(Value, NodeId)>) -> PropertyIndex {
        entries.retain(|(v, _)| !v.is_null());
        entries.sort_by(|a, b| order(&a.0, &b.0).then(a.1.cmp(&b.1)));
        let mut count = 0;
        let mut groups: Vec<(IndexKey, Nodes)> = Vec::new();
        for (v, n) in entries {
            match groups.last_mut() {
                Some((k, set)) if order(&k.0, &v) == Ordering::Equal => {
                    if set.insert(n) {
                        count += 1;
                    }
                }
                _ => {
                    groups.push((IndexKey(v), Nodes::One(n)));
                    count += 1;
                }
            }
        }
        PropertyIndex {
            name,
            label,
            key,
            // Sorted and distinct: built without comparisons beyond a check.
            entries: groups.into_iter().collect(),
            count,
        }
    }

    pub fn insert(&mut self, value: &Value, node: NodeId) {
        if !value.is_null() && self.entries.entry(IndexKey(value.clone())).or_default().insert(node) {
            self.count += 1;
        }
    }

    pub fn remove(&mut self, value: &Value, node: NodeId) {
        let key = IndexKey(value.clone());
        if let Some(set) = self.entries.get_mut(&key) {
            if set.remove(node) {
                self.count -= 1;
            }
            if set.is_empty() {
                self.entries.remove(&key);
            }
        }
    }

    /// Nodes whose value is equal (in the ORDER BY sense) to `value`.
    pub fn equal(&self, value: &Value) -> Vec<NodeId> {
        if value.is_null() {
            return Vec::new();
        }
        self.entries
            .get(&IndexKey(value.clone()))
            .map_or_else(Vec::new, |s| s.iter().collect())
    }

    /// Nodes whose value lies between the bounds, within the bounds' type
    /// (numbers with numbers, strings with strings); `None` bounds are open.
    pub fn range(&self, lower: Option<(&Value, bool)>, upper: Option<(&Value, bool)>) -> Vec<NodeId> {
        let Some(anchor) = lower.or(upper).map(|(v, _)| v) else {
            return Vec::new();
        };
        if anchor.is_null() || lower.is_some_and(|(v, _)| v.is_null()) || upper.is_some_and(|(v, _)| v.is_null()) {
            return Vec::new();
        }
        let c = class(anchor);
        let bound = |b: Option<(&Value, bool)>| match b {
            None => Bound::Unbounded,
            Some((v, true)) => Bound::Included(IndexKey(v.clone())),
            Some((v, false)) => Bound::Excluded(IndexKey(v.clone())),
        };
        let (lo, hi) = (bound(lower), bound(upper));
        if let (Bound::Included(a) | Bound::Excluded(a), Bound::Included(b) | Bound::Excluded(b)) = (&lo, &hi) {
            if a > b || (a == b && !(matches!(lo, Bound::Included(_)) && matches!(hi, Bound::Included(_)))) {
                return Vec::new();
            }
        }
        let mut out = Vec::new();
        let iter: Box<dyn Iterator<Item = (&IndexKey, &Nodes)>> = match (&lo, &hi) {
            // An open lower end starts at the first value of the bound's type.
            (Bound::Unbounded, _) => Box::new(
                self.entries
                    .range((Bound::Unbounded, hi.clone()))
                    .skip_while(move |(k, _)| class(&k.0) != c),
            ),
            _ => Box::new(self.entries.range((lo.clone(), hi.clone()))),
        };
        for (k, nodes) in iter {
            if class(&k.0) != c {
                if matches!(lo, Bound::Unbounded) {
                    continue;
                }
                break;
            }
            nodes.extend_into(&mut out);
        }
        out
    }

    /// Whether both hold the same nodes under the same values.
    pub fn same_entries(&self, other: &PropertyIndex) -> bool {
        self.entries.len() == other.entries.len()
            && self
                .entries
                .iter()
                .zip(&other.entries)
                .all(|((k1, n1), (k2, n2))| crate::value::order::group_eq(&k1.0, &k2.0) && n1 == n2)
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Number of distinct values (for the planner's estimates).
    pub fn distinct_values(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx() -> PropertyIndex {
        let mut i = PropertyIndex::new("i".into(), 0, 0);
        for (n, v) in [
            (0, Value::Int(1)),
            (1, Value::Float(1.0)),
            (2, Value::Int(5)),
            (3, Value::from("a")),
            (4, Value::from("b")),
            (5, Value::Float(7.5)),
            (6, Value::Bool(true)),
        ] {
            i.insert(&v, NodeId(n));
        }
        i
    }

    #[test]
    fn a_bulk_built_index_equals_one_built_by_inserts() {
        let entries = vec![
            (Value::from("b"), NodeId(4)),
            (Value::Int(5), NodeId(2)),
            (Value::Null, NodeId(9)),
            (Value::Float(1.0), NodeId(1)),
            (Value::Int(1), NodeId(0)),
            (Value::Bool(true), NodeId(6)),
            (Value::from("a"), NodeId(3)),
            (Value::Float(7.5), NodeId(5)),
        ];
        let built = PropertyIndex::build("i".into(), 0, 0, entries);
        assert!(built.same_entries(&idx()));
        assert_eq!(built.len(), idx().len());
        assert_eq!(built.equal(&Value::Int(1)), vec![NodeId(0), NodeId(1)]);
    }

    #[test]
    fn equality_joins_integers_and_floats() {
        assert_eq!(idx().equal(&Value::Int(1)), vec![NodeId(0), NodeId(1)]);
        assert!(idx().equal(&Value::Null).is_empty());
    }

    #[test]
    fn ranges_stay_within_their_type() {
        let i = idx();
        assert_eq!(i.range(Some((&Value::Int(1), false)), None), vec![NodeId(2), NodeId(5)]);
        assert_eq!(
            i.range(None, Some((&Value::Int(5), true))),
            vec![NodeId(0), NodeId(1), NodeId(2)]
        );
        assert_eq!(i.range(None, Some((&Value::from("b"), false))), vec![NodeId(3)]);
        assert_eq!(
            i.range(Some((&Value::from("a"), true)), None),
            vec![NodeId(3), NodeId(4)]
        );
        assert!(i
            .range(Some((&Value::Int(9), true)), Some((&Value::Int(2), true)))
            .is_empty());
    }

    #[test]
    fn removing_the_last_node_drops_the_value() {
        let mut i = idx();
        i.remove(&Value::Int(5), NodeId(2));
        assert_eq!(i.distinct_values(), 5);
        assert!(i.equal(&Value::Int(5)).is_empty());
    }
}
