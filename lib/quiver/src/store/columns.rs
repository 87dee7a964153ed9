//! Properties stored by key: one column per property key, indexed by entity
//! id. A scan that reads one property of every node sweeps one array instead
//! of visiting a heap-allocated property list per node, and an entity costs
//! no allocation of its own. A key that few entities carry is a hash map, so
//! that a rare key does not cost a slot per entity.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{KeyId, Props};
use crate::value::Value;

static NULL: Value = Value::Null;

#[derive(Clone, Debug)]
pub enum Column {
    /// `top`: above every id the map has held (so density is never overestimated).
    Sparse { map: FxHashMap<u64, Value>, top: u64 },
    /// `Null` where the entity does not have the key.
    Dense { values: Vec<Value>, count: usize },
}

impl Default for Column {
    fn default() -> Self {
        Column::Sparse {
            map: FxHashMap::default(),
            top: 0,
        }
    }
}

/// A column becomes an array once this share of the ids up to its highest
/// carries the key (a map entry costs about twice an array slot) ...
const DENSE_AT: usize = 2;
/// ... and a map again well below that.
const SPARSE_AT: usize = 8;
/// Small columns stay maps whatever their density.
const MIN_DENSE: usize = 32;

impl Column {
    #[inline]
    pub fn get(&self, id: u64) -> Option<&Value> {
        match self {
            Column::Sparse { map, .. } => map.get(&id),
            Column::Dense { values, .. } => values.get(id as usize).filter(|v| !v.is_null()),
        }
    }

    /// The value at `id` (`Null` when absent), for scans.
    #[inline]
    pub fn value(&self, id: u64) -> &Value {
        self.get(id).unwrap_or(&NULL)
    }

    pub fn len(&self) -> usize {
        match self {
            Column::Sparse { map, .. } => map.len(),
            Column::Dense { count, .. } => *count,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets (`Null`: removes) the value at `id`; returns the previous one.
    fn set(&mut self, id: u64, value: Value) -> Option<Value> {
        let old = match self {
            Column::Sparse { map, top } => {
                if value.is_null() {
                    map.remove(&id)
                } else {
                    *top = (*top).max(id + 1);
                    map.insert(id, value)
                }
            }
            Column::Dense { values, count } => {
                let i = id as usize;
                if values.len() <= i {
                    if value.is_null() {
                        return None;
                    }
                    values.resize(i + 1, Value::Null);
                }
                let (was, now) = (!values[i].is_null(), !value.is_null());
                let old = std::mem::replace(&mut values[i], value);
                match (was, now) {
                    (false, true) => *count += 1,
                    (true, false) => *count -= 1,
                    _ => {}
                }
                was.then_some(old)
            }
        };
        self.reshape();
        old
    }

    /// Switches representation when the density has moved far enough.
    fn reshape(&mut self) {
        match self {
            Column::Sparse { map, top } => {
                if map.len() >= MIN_DENSE && map.len() * DENSE_AT >= *top as usize {
                    let mut values = vec![Value::Null; *top as usize];
                    let count = map.len();
                    for (id, v) in map.drain() {
                        values[id as usize] = v;
                    }
                    *self = Column::Dense { values, count };
                }
            }
            Column::Dense { values, count } => {
                if *count * SPARSE_AT < values.len() {
                    let top = values.len() as u64;
                    let map = std::mem::take(values)
                        .into_iter()
                        .enumerate()
                        .filter(|(_, v)| !v.is_null())
                        .map(|(i, v)| (i as u64, v))
                        .collect();
                    *self = Column::Sparse { map, top };
                }
            }
        }
    }
}

/// Every property of one kind of entity (nodes or relationships).
#[derive(Clone, Debug, Default)]
pub struct Columns {
    /// Indexed by key id.
    cols: Vec<Column>,
    /// Per key, the distinct short strings stored so far, while there are few:
    /// equal strings then share one allocation (less memory, and a scan that
    /// groups by the key reads a handful of strings instead of one per entity).
    /// `None` once a key has shown too many distinct strings.
    dicts: Vec<Option<FxHashSet<Arc<str>>>>,
}

/// Strings longer than this are not shared.
const DICT_MAX_LEN: usize = 64;
/// A key with more distinct strings than this stops sharing them.
const DICT_MAX_ENTRIES: usize = 4096;

impl Columns {
    #[inline]
    pub fn get(&self, id: u64, key: KeyId) -> Option<&Value> {
        self.cols.get(key as usize)?.get(id)
    }

    pub fn column(&self, key: KeyId) -> Option<&Column> {
        self.cols.get(key as usize)
    }

    /// Sets (`Null`: removes) one property; returns the previous value.
    pub fn set(&mut self, id: u64, key: KeyId, value: Value) -> Option<Value> {
        let k = key as usize;
        if self.cols.len() <= k {
            if value.is_null() {
                return None;
            }
            self.cols.resize_with(k + 1, Column::default);
            self.dicts.resize_with(k + 1, || Some(FxHashSet::default()));
        }
        let value = match value {
            Value::String(s) if s.len() <= DICT_MAX_LEN => Value::String(self.share(k, s)),
            other => other,
        };
        self.cols[k].set(id, value)
    }

    /// The shared copy of `s` in key `k`'s dictionary (or `s`, once it has none).
    fn share(&mut self, k: usize, s: Arc<str>) -> Arc<str> {
        let Some(dict) = &mut self.dicts[k] else { return s };
        if let Some(shared) = dict.get(&s) {
            return shared.clone();
        }
        if dict.len() >= DICT_MAX_ENTRIES {
            self.dicts[k] = None;
        } else {
            dict.insert(s.clone());
        }
        s
    }

    /// An entity's properties, by key.
    pub fn iter(&self, id: u64) -> impl Iterator<Item = (KeyId, &Value)> + '_ {
        self.cols
            .iter()
            .enumerate()
            .filter_map(move |(k, c)| c.get(id).map(|v| (k as KeyId, v)))
    }

    /// An entity's properties, by key, copied out.
    pub fn props(&self, id: u64) -> Props {
        self.iter(id).map(|(k, v)| (k, v.clone())).collect()
    }

    /// Gives an entity exactly `props` (sorted by key, no nulls).
    pub fn put_all(&mut self, id: u64, props: Props) {
        for (k, v) in props {
            self.set(id, k, v);
        }
    }

    /// Takes every property of an entity out; returns them by key.
    pub fn take_all(&mut self, id: u64) -> Props {
        let mut out = Props::new();
        for (k, c) in self.cols.iter_mut().enumerate() {
            if let Some(v) = c.set(id, Value::Null) {
                out.push((k as KeyId, v));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// Whatever the columns' shapes, they behave like a map per entity.
        #[test]
        fn behave_like_maps(ops in prop::collection::vec((0u64..200, 0u32..4, prop::option::of(0i64..5), any::<bool>()), 0..800)) {
            let mut cols = Columns::default();
            let mut model: BTreeMap<u64, BTreeMap<u32, i64>> = BTreeMap::new();
            for (id, key, value, take) in ops {
                if take {
                    let got = cols.take_all(id);
                    let want: Props = model.remove(&id).unwrap_or_default().into_iter().map(|(k, v)| (k, Value::Int(v))).collect();
                    prop_assert_eq!(got, want);
                    continue;
                }
                let old = cols.set(id, key, value.map_or(Value::Null, Value::Int));
                let entry = model.entry(id).or_default();
                let want_old = match value {
                    Some(v) => entry.insert(key, v),
                    None => entry.remove(&key),
                };
                prop_assert_eq!(old, want_old.map(Value::Int));
            }
            for id in 0..200 {
                let want: Props = model.get(&id).cloned().unwrap_or_default().into_iter().map(|(k, v)| (k, Value::Int(v))).collect();
                prop_assert_eq!(cols.props(id), want);
            }
        }
    }

    #[test]
    fn a_common_key_becomes_an_array() {
        let mut cols = Columns::default();
        for id in 0..1000 {
            cols.set(id, 0, Value::Int(id as i64));
        }
        cols.set(7, 1, Value::Int(1));
        assert!(matches!(cols.column(0), Some(Column::Dense { .. })));
        assert!(matches!(cols.column(1), Some(Column::Sparse { .. })));
        assert_eq!(cols.get(999, 0), Some(&Value::Int(999)));
        for id in 0..990 {
            cols.set(id, 0, Value::Null);
        }
        assert!(matches!(cols.column(0), Some(Column::Sparse { .. })));
        assert_eq!(cols.column(0).map(Column::len), Some(10));
    }
}
