//! A map from user-visible ids to petgraph indices. Ids come from counters
//! that only grow, so they are dense: a vector indexed by id beats hashing.

use crate::value::{NodeId, RelId};

pub trait DenseId: Copy {
    fn index(self) -> usize;
    fn from_index(i: usize) -> Self;
}

impl DenseId for NodeId {
    fn index(self) -> usize {
        self.0 as usize
    }
    fn from_index(i: usize) -> Self {
        NodeId(i as u64)
    }
}

impl DenseId for RelId {
    fn index(self) -> usize {
        self.0 as usize
    }
    fn from_index(i: usize) -> Self {
        RelId(i as u64)
    }
}

#[derive(Clone, Debug)]
pub struct IdMap<K, V> {
    slots: Vec<Option<V>>,
    len: usize,
    _key: std::marker::PhantomData<K>,
}

impl<K, V> Default for IdMap<K, V> {
    fn default() -> Self {
        IdMap {
            slots: Vec::new(),
            len: 0,
            _key: std::marker::PhantomData,
        }
    }
}

impl<K: DenseId, V: Copy> IdMap<K, V> {
    #[inline]
    pub fn get(&self, id: &K) -> Option<&V> {
        self.slots.get(id.index()).and_then(Option::as_ref)
    }

    pub fn contains_key(&self, id: &K) -> bool {
        self.get(id).is_some()
    }

    pub fn insert(&mut self, id: K, v: V) -> Option<V> {
        let i = id.index();
        if i >= self.slots.len() {
            self.slots.resize(i + 1, None);
        }
        let old = self.slots[i].replace(v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, id: &K) -> Option<V> {
        let old = self.slots.get_mut(id.index()).and_then(Option::take);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// Makes room for `additional` more ids past the current highest.
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The ids present, ascending.
    pub fn ids(&self) -> impl Iterator<Item = K> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some())
            .map(|(i, _)| K::from_index(i))
    }
}
