//! The relationships a layer made at each node, in one direction: a chain
//! per node through one array indexed by the relationship's offset in the
//! layer, in ascending order.
//!
//! A bulk `CREATE` or `LOAD CSV` adds a relationship in a few words (a hash
//! entry per node, two slots per relationship) rather than a growing vector
//! per node; the chains are linked both ways, so that taking one off (a
//! deletion) costs the same whatever the node's degree.

use rustc_hash::FxHashMap;

/// No next offset: the end of a chain.
const END: u32 = u32::MAX;
/// Not on any chain.
const UNLINKED: u32 = u32::MAX - 1;

#[derive(Clone, Debug, Default)]
pub struct Chains {
    /// Each node's first and last offset.
    ends: FxHashMap<u64, (u32, u32)>,
    /// `links[off]`: the offsets after and before `off` on its chain
    /// (`UNLINKED` after: not on one).
    links: Vec<Link>,
}

#[derive(Clone, Copy, Debug)]
struct Link {
    next: u32,
    prev: u32,
}

const FREE: Link = Link {
    next: UNLINKED,
    prev: END,
};

impl Chains {
    /// Puts offset `off` on node `at`'s chain (nothing if it is on one).
    pub fn link(&mut self, at: u64, off: u32) {
        let i = off as usize;
        debug_assert!(off < UNLINKED);
        if i == self.links.len() {
            self.links.push(FREE);
        } else if i > self.links.len() {
            self.links.resize(i + 1, FREE);
        } else if self.links[i].next != UNLINKED {
            return;
        }
        let Some((first, last)) = self.ends.get_mut(&at) else {
            self.ends.insert(at, (off, off));
            self.links[i] = Link { next: END, prev: END };
            return;
        };
        // Between `before` and `after` (END: an end of the chain).
        let (before, after) = if off > *last {
            // The usual case: past everything on the chain.
            let l = *last;
            *last = off;
            (l, END)
        } else if off < *first {
            let f = *first;
            *first = off;
            (END, f)
        } else {
            let mut p = *first;
            while self.links[p as usize].next < off {
                p = self.links[p as usize].next;
            }
            (p, self.links[p as usize].next)
        };
        self.links[i] = Link {
            next: after,
            prev: before,
        };
        if before != END {
            self.links[before as usize].next = off;
        }
        if after != END {
            self.links[after as usize].prev = off;
        }
    }

    /// Takes offset `off` off node `at`'s chain (nothing if it is on no chain; if it is on one, it must be `at`'s).
    pub fn unlink(&mut self, at: u64, off: u32) {
        let i = off as usize;
        if self.links.get(i).is_none_or(|l| l.next == UNLINKED) {
            return;
        }
        let Some((first, last)) = self.ends.get_mut(&at) else {
            return;
        };
        let Link {
            next: after,
            prev: before,
        } = self.links[i];
        match before {
            END => *first = after,
            b => self.links[b as usize].next = after,
        }
        match after {
            END => *last = before,
            a => self.links[a as usize].prev = before,
        }
        if *first == END {
            self.ends.remove(&at);
        }
        self.links[i] = FREE;
    }

    /// Whether node `at` has a chain.
    pub fn has(&self, at: u64) -> bool {
        self.ends.contains_key(&at)
    }

    /// Node `at`'s offsets, ascending.
    pub fn iter(&self, at: u64) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.ends.get(&at).map_or(END, |(first, _)| *first);
        std::iter::from_fn(move || {
            if at == END {
                return None;
            }
            let off = at;
            at = self.links[off as usize].next;
            Some(off)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_keep_offsets_ascending_whatever_the_order_of_linking() {
        let mut c = Chains::default();
        for (at, off) in [(1, 5), (2, 3), (1, 9), (1, 2), (1, 7), (2, 1), (1, 9), (1, 2), (3, 0)] {
            c.link(at, off);
        }
        assert_eq!(c.iter(1).collect::<Vec<_>>(), vec![2, 5, 7, 9]);
        assert_eq!(c.iter(2).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(c.iter(3).collect::<Vec<_>>(), vec![0]);
        assert_eq!(c.iter(4).count(), 0);
    }

    #[test]
    fn chains_unlink_anywhere() {
        let mut c = Chains::default();
        for off in 0..6 {
            c.link(1, off);
        }
        c.unlink(1, 3);
        c.unlink(1, 0);
        c.unlink(1, 5);
        c.unlink(2, 4); // not its chain: nothing
        assert_eq!(c.iter(1).collect::<Vec<_>>(), vec![1, 2, 4]);
        c.link(1, 3);
        c.link(2, 0); // offset 0 again, now another node's
        assert_eq!(c.iter(1).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        assert_eq!(c.iter(2).collect::<Vec<_>>(), vec![0]);
        for off in [1, 2, 3, 4] {
            c.unlink(1, off);
        }
        assert!(!c.has(1));
        c.link(1, 7);
        assert_eq!(c.iter(1).collect::<Vec<_>>(), vec![7]);
    }

    #[test]
    fn chains_match_a_sorted_list_per_node() {
        // A fixed pseudo-random order of links and unlinks, against a plain model.
        let mut c = Chains::default();
        let mut model: std::collections::BTreeMap<u64, std::collections::BTreeSet<u32>> = Default::default();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..5_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let off = (x % 2_000) as u32;
            // An offset belongs to one node at a time.
            let at = (x >> 20) % 37;
            let held = model.iter().find(|(_, s)| s.contains(&off)).map(|(a, _)| *a);
            match held {
                Some(a) => {
                    c.unlink(a, off);
                    model.get_mut(&a).unwrap().remove(&off);
                }
                None => {
                    c.link(at, off);
                    model.entry(at).or_default().insert(off);
                }
            }
        }
        for (at, offs) in model {
            assert_eq!(c.iter(at).collect::<Vec<_>>(), offs.into_iter().collect::<Vec<_>>());
        }
    }
}
