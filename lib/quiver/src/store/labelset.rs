//! The nodes that carry one label. A label on many nodes is a bitmap over node
//! ids (ids only grow, so they are dense): a membership test is one bit, and a
//! scan reads 64 nodes per word. A rare label stays a sorted set, so that
//! thousands of rare labels do not each cost a bitmap of the whole id range.

use std::collections::BTreeSet;

use crate::value::NodeId;

#[derive(Clone, Debug)]
pub enum LabelSet {
    Sparse(BTreeSet<NodeId>),
    Dense { bits: Vec<u64>, count: usize },
}

impl Default for LabelSet {
    fn default() -> Self {
        LabelSet::Sparse(BTreeSet::new())
    }
}

/// A bitmap pays for itself once one id in this many is in the set (a set
/// entry costs about 16 bytes, a bitmap one bit per id).
const DENSE_AT: usize = 64;
/// ... and goes back to a set well below that, so a node flipping a label
/// does not convert back and forth.
const SPARSE_AT: usize = 512;

impl LabelSet {
    pub fn len(&self) -> usize {
        match self {
            LabelSet::Sparse(s) => s.len(),
            LabelSet::Dense { count, .. } => *count,
        }
    }

    #[inline]
    pub fn contains(&self, id: NodeId) -> bool {
        match self {
            LabelSet::Sparse(s) => s.contains(&id),
            LabelSet::Dense { bits, .. } => {
                let i = id.0 as usize;
                bits.get(i / 64).is_some_and(|w| w >> (i % 64) & 1 == 1)
            }
        }
    }

    pub fn insert(&mut self, id: NodeId) {
        match self {
            LabelSet::Sparse(s) => {
                s.insert(id);
                let top = s.iter().next_back().map_or(0, |n| n.0 as usize);
                if s.len() >= 64 && s.len() * DENSE_AT > top {
                    let bits = to_bits(s);
                    *self = LabelSet::Dense { bits, count: s.len() };
                }
            }
            LabelSet::Dense { bits, count } => {
                let i = id.0 as usize;
                if bits.len() <= i / 64 {
                    bits.resize(i / 64 + 1, 0);
                }
                let mask = 1u64 << (i % 64);
                if bits[i / 64] & mask == 0 {
                    bits[i / 64] |= mask;
                    *count += 1;
                }
                if *count * SPARSE_AT < bits.len() * 64 {
                    *self = LabelSet::Sparse(self.iter().collect());
                }
            }
        }
    }

    pub fn remove(&mut self, id: NodeId) {
        match self {
            LabelSet::Sparse(s) => {
                s.remove(&id);
            }
            LabelSet::Dense { bits, count } => {
                let i = id.0 as usize;
                if let Some(w) = bits.get_mut(i / 64) {
                    let mask = 1u64 << (i % 64);
                    if *w & mask != 0 {
                        *w &= !mask;
                        *count -= 1;
                    }
                }
                if *count * SPARSE_AT < bits.len() * 64 {
                    *self = LabelSet::Sparse(self.iter().collect());
                }
            }
        }
    }

    /// The members, ascending.
    pub fn iter(&self) -> Members<'_> {
        match self {
            LabelSet::Sparse(s) => Members::Sparse(s.iter()),
            LabelSet::Dense { bits, .. } => Members::Dense(Bits {
                bits,
                word: 0,
                rest: bits.first().copied().unwrap_or(0),
            }),
        }
    }
}

fn to_bits(s: &BTreeSet<NodeId>) -> Vec<u64> {
    let top = s.iter().next_back().map_or(0, |n| n.0 as usize);
    let mut bits = vec![0u64; top / 64 + 1];
    for n in s {
        let i = n.0 as usize;
        bits[i / 64] |= 1 << (i % 64);
    }
    bits
}

/// The members of a label set (or of none), ascending.
pub enum Members<'a> {
    Empty,
    Sparse(std::collections::btree_set::Iter<'a, NodeId>),
    Dense(Bits<'a>),
}

impl Iterator for Members<'_> {
    type Item = NodeId;

    #[inline]
    fn next(&mut self) -> Option<NodeId> {
        match self {
            Members::Empty => None,
            Members::Sparse(s) => s.next().copied(),
            Members::Dense(b) => b.next(),
        }
    }
}

pub struct Bits<'a> {
    bits: &'a [u64],
    word: usize,
    rest: u64,
}

impl Iterator for Bits<'_> {
    type Item = NodeId;

    #[inline]
    fn next(&mut self) -> Option<NodeId> {
        while self.rest == 0 {
            self.word += 1;
            self.rest = *self.bits.get(self.word)?;
        }
        let bit = self.rest.trailing_zeros() as usize;
        self.rest &= self.rest - 1;
        Some(NodeId((self.word * 64 + bit) as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever its representation, the set behaves like a `BTreeSet`.
        #[test]
        fn behaves_like_a_set(ops in prop::collection::vec((any::<bool>(), 0u64..3000), 0..600)) {
            let mut set = LabelSet::default();
            let mut model = BTreeSet::new();
            for (add, id) in ops {
                if add {
                    set.insert(NodeId(id));
                    model.insert(NodeId(id));
                } else {
                    set.remove(NodeId(id));
                    model.remove(&NodeId(id));
                }
                prop_assert_eq!(set.len(), model.len());
            }
            prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.iter().copied().collect::<Vec<_>>());
            for id in 0..3100 {
                prop_assert_eq!(set.contains(NodeId(id)), model.contains(&NodeId(id)));
            }
        }
    }

    #[test]
    fn a_common_label_becomes_a_bitmap_and_a_rare_one_stays_a_set() {
        let mut common = LabelSet::default();
        for i in 0..10_000 {
            common.insert(NodeId(i));
        }
        assert!(matches!(common, LabelSet::Dense { .. }));
        let mut rare = LabelSet::default();
        for i in 0..100 {
            rare.insert(NodeId(i * 1000));
        }
        assert!(matches!(rare, LabelSet::Sparse(_)));
        for i in 0..9_990 {
            common.remove(NodeId(i));
        }
        assert!(matches!(common, LabelSet::Sparse(_)));
        assert_eq!(common.iter().count(), 10);
    }
}
