//! The best `k` of a stream of keyed items (ORDER BY ... LIMIT k): what
//! `Top` and `ScanTop` keep. Ties go to the earlier item, so the result is
//! what a stable sort followed by a cut would give.
//!
//! A small `k` (the usual `LIMIT 10`) is a sorted array, where a newcomer
//! costs a few comparisons; a large one a binary heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::value::order::order;
use crate::value::Value;

/// Up to this many items are kept in a sorted array.
const SMALL: usize = 64;

/// How keys compare: per key, whether it is descending.
#[derive(Clone, Debug)]
pub struct KeyOrder(pub Vec<bool>);

impl KeyOrder {
    #[inline]
    pub fn compare(&self, a: &[Value], b: &[Value]) -> Ordering {
        if let ([x], [y], [desc]) = (a, b, &self.0[..]) {
            let o = order(x, y);
            return if *desc { o.reverse() } else { o };
        }
        for ((x, y), desc) in a.iter().zip(b).zip(&self.0) {
            let o = order(x, y);
            let o = if *desc { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    }
}

struct Entry<T> {
    key: Vec<Value>,
    seq: u64,
    item: T,
}

/// An entry in the heap, ordered by its key (through `order`), then by arrival.
struct Ranked<'o, T> {
    entry: Entry<T>,
    order: &'o KeyOrder,
}

impl<T> Ord for Ranked<'_, T> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order
            .compare(&self.entry.key, &other.entry.key)
            .then(self.entry.seq.cmp(&other.entry.seq))
    }
}

impl<T> PartialOrd for Ranked<'_, T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Ranked<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl<T> Eq for Ranked<'_, T> {}

enum Store<'o, T> {
    /// Ascending by (key, arrival).
    Sorted(Vec<Entry<T>>),
    /// The worst on top.
    Heap(BinaryHeap<Ranked<'o, T>>),
}

/// The best `k` items offered so far.
pub struct Best<'o, T> {
    k: usize,
    order: &'o KeyOrder,
    store: Store<'o, T>,
    seq: u64,
}

impl<'o, T> Best<'o, T> {
    pub fn new(k: usize, order: &'o KeyOrder) -> Best<'o, T> {
        let store = if k <= SMALL {
            Store::Sorted(Vec::with_capacity(k + 1))
        } else {
            Store::Heap(BinaryHeap::with_capacity(k.min(1 << 16) + 1))
        };
        Best {
            k,
            order,
            store,
            seq: 0,
        }
    }

    /// Whether an item with `key` would be kept (so the caller can skip making it).
    pub fn wants(&self, key: &[Value]) -> bool {
        if self.k == 0 {
            return false;
        }
        let worst = match &self.store {
            Store::Sorted(v) if v.len() < self.k => return true,
            Store::Sorted(v) => &v[v.len() - 1].key,
            Store::Heap(h) if h.len() < self.k => return true,
            Store::Heap(h) => &h.peek().expect("the heap is full").entry.key,
        };
        // Only a strictly better key gets in: an equal one came later.
        self.order.compare(key, worst) == Ordering::Less
    }

    /// The worst key kept, once `k` items are kept (a newcomer must beat it).
    pub fn worst(&self) -> Option<&[Value]> {
        match &self.store {
            Store::Sorted(v) if v.len() == self.k && self.k > 0 => Some(&v[v.len() - 1].key),
            Store::Heap(h) if h.len() == self.k && self.k > 0 => h.peek().map(|r| &r.entry.key[..]),
            _ => None,
        }
    }

    /// Offers an item; `key` is taken (and left empty, to be reused) when it is kept.
    #[inline]
    pub fn offer(&mut self, key: &mut Vec<Value>, item: T) {
        if !self.wants(key) {
            return;
        }
        self.seq += 1;
        let entry = Entry {
            key: std::mem::take(key),
            seq: self.seq,
            item,
        };
        match &mut self.store {
            Store::Sorted(v) => {
                // Out with the worst first (it is not the newcomer, which beats it).
                if v.len() == self.k {
                    if let Some(mut evicted) = v.pop() {
                        evicted.key.clear();
                        *key = evicted.key;
                    }
                }
                // After every equal key: it arrived last.
                let at = v.partition_point(|e| self.order.compare(&e.key, &entry.key) != Ordering::Greater);
                v.insert(at, entry);
            }
            Store::Heap(h) => {
                let order = self.order;
                h.push(Ranked { entry, order });
                if h.len() > self.k {
                    if let Some(mut evicted) = h.pop() {
                        evicted.entry.key.clear();
                        *key = evicted.entry.key;
                    }
                }
            }
        }
    }

    /// The kept items, best first.
    pub fn into_sorted(self) -> Vec<T> {
        match self.store {
            Store::Sorted(v) => v.into_iter().map(|e| e.item).collect(),
            Store::Heap(h) => h.into_sorted_vec().into_iter().map(|r| r.entry.item).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Best matches a stable sort and a cut, for small and large `k`, with ties.
    #[test]
    fn keeps_what_a_stable_sort_would() {
        let mut x = 12345u64;
        let values: Vec<i64> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x % 200) as i64
            })
            .collect();
        for desc in [false, true] {
            let order = KeyOrder(vec![desc]);
            for k in [0, 1, 3, 64, 65, 500, 5000] {
                let mut best = Best::new(k, &order);
                let mut key = Vec::new();
                for (i, v) in values.iter().enumerate() {
                    key.clear();
                    key.push(Value::Int(*v));
                    best.offer(&mut key, i);
                }
                let mut expected: Vec<usize> = (0..values.len()).collect();
                expected.sort_by(|a, b| {
                    let o = values[*a].cmp(&values[*b]);
                    if desc {
                        o.reverse()
                    } else {
                        o
                    }
                });
                expected.truncate(k);
                assert_eq!(best.into_sorted(), expected, "k = {k}, desc = {desc}");
            }
        }
    }
}
