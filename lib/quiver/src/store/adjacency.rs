//! Each node's relationships as two arrays (outgoing, incoming) of
//! `(relationship, other end)`, ordered by relationship id. petgraph keeps the
//! same facts as linked lists threaded through the edge array: following them
//! is a cache miss per relationship, while these arrays are read in one sweep.
//! Relationship types sit in a dense array by id, so a typed walk does not
//! visit the relationship records either.

use super::{Dir, TypeId};
use crate::value::{NodeId, RelId};

type Entry = (RelId, NodeId);

#[derive(Clone, Debug, Default)]
pub struct Adjacency {
    out: Vec<Vec<Entry>>,
    inc: Vec<Vec<Entry>>,
    rel_type: Vec<TypeId>,
}

/// Puts `e` in `list`, keeping it ordered by relationship id (ids only grow,
/// so this is a push except when a rollback brings back a deleted one).
fn insert_sorted(list: &mut Vec<Entry>, e: Entry) {
    match list.last() {
        Some(last) if last.0 > e.0 => {
            let i = list.partition_point(|x| x.0 < e.0);
            list.insert(i, e);
        }
        _ => list.push(e),
    }
}

fn remove_sorted(list: &mut Vec<Entry>, rel: RelId) {
    if let Ok(i) = list.binary_search_by_key(&rel, |x| x.0) {
        list.remove(i);
    }
}

fn slot<T: Default>(v: &mut Vec<T>, i: usize) -> &mut T {
    if v.len() <= i {
        v.resize_with(i + 1, T::default);
    }
    &mut v[i]
}

impl Adjacency {
    /// Builds the arrays, each of exact size, from `rels()`: `(id, type,
    /// start, end)` in any order (read twice: to size, then to fill).
    pub fn build<I>(node_slots: usize, rels: impl Fn() -> I) -> Adjacency
    where
        I: Iterator<Item = (RelId, TypeId, NodeId, NodeId)>,
    {
        let mut out_len = vec![0u32; node_slots];
        let mut in_len = vec![0u32; node_slots];
        let mut top = 0;
        for (r, _, s, e) in rels() {
            out_len[s.0 as usize] += 1;
            in_len[e.0 as usize] += 1;
            top = top.max(r.0 as usize + 1);
        }
        let mut out: Vec<Vec<Entry>> = out_len.iter().map(|n| Vec::with_capacity(*n as usize)).collect();
        let mut inc: Vec<Vec<Entry>> = in_len.iter().map(|n| Vec::with_capacity(*n as usize)).collect();
        drop((out_len, in_len));
        let mut rel_type = vec![0; top];
        for (r, t, s, e) in rels() {
            out[s.0 as usize].push((r, e));
            inc[e.0 as usize].push((r, s));
            rel_type[r.0 as usize] = t;
        }
        for list in out.iter_mut().chain(inc.iter_mut()) {
            if list.windows(2).any(|w| w[0].0 > w[1].0) {
                list.sort_unstable_by_key(|x| x.0);
            }
        }
        Adjacency { out, inc, rel_type }
    }

    /// Adds many relationships (ids above every one present), growing each
    /// node's arrays once.
    pub fn extend(&mut self, rels: &[(RelId, TypeId, NodeId, NodeId)]) {
        let mut out_more: Vec<u32> = Vec::new();
        let mut in_more: Vec<u32> = Vec::new();
        for &(r, t, s, e) in rels {
            *slot(&mut out_more, s.0 as usize) += 1;
            *slot(&mut in_more, e.0 as usize) += 1;
            *slot(&mut self.rel_type, r.0 as usize) = t;
        }
        for (lists, more) in [(&mut self.out, &out_more), (&mut self.inc, &in_more)] {
            if lists.len() < more.len() {
                lists.resize_with(more.len(), Vec::new);
            }
            for (list, n) in lists.iter_mut().zip(more) {
                list.reserve_exact(*n as usize);
            }
        }
        for &(r, _, s, e) in rels {
            insert_sorted(&mut self.out[s.0 as usize], (r, e));
            insert_sorted(&mut self.inc[e.0 as usize], (r, s));
        }
    }

    pub fn add(&mut self, rel: RelId, t: TypeId, start: NodeId, end: NodeId) {
        insert_sorted(slot(&mut self.out, start.0 as usize), (rel, end));
        insert_sorted(slot(&mut self.inc, end.0 as usize), (rel, start));
        *slot(&mut self.rel_type, rel.0 as usize) = t;
    }

    pub fn remove(&mut self, rel: RelId, start: NodeId, end: NodeId) {
        if let Some(list) = self.out.get_mut(start.0 as usize) {
            remove_sorted(list, rel);
        }
        if let Some(list) = self.inc.get_mut(end.0 as usize) {
            remove_sorted(list, rel);
        }
    }

    /// A node's relationships in `dir` of one of `types` (any when `None`), by
    /// relationship id; with `Both`, a self-loop once.
    pub fn neighbours<'a>(&'a self, n: NodeId, dir: Dir, types: Option<&'a [TypeId]>) -> Neighbours<'a> {
        let list = |v: &'a Vec<Vec<Entry>>| v.get(n.0 as usize).map_or(&[][..], |l| &l[..]);
        let (out, inc) = match dir {
            Dir::Outgoing => (list(&self.out), &[][..]),
            Dir::Incoming => (&[][..], list(&self.inc)),
            Dir::Both => (list(&self.out), list(&self.inc)),
        };
        Neighbours {
            out,
            inc,
            node: n,
            skip_loops: dir == Dir::Both,
            types,
            rel_type: &self.rel_type,
        }
    }
}

pub struct Neighbours<'a> {
    out: &'a [Entry],
    inc: &'a [Entry],
    node: NodeId,
    skip_loops: bool,
    types: Option<&'a [TypeId]>,
    rel_type: &'a [TypeId],
}

impl Iterator for Neighbours<'_> {
    type Item = (RelId, NodeId);

    #[inline]
    fn next(&mut self) -> Option<(RelId, NodeId)> {
        loop {
            let e = match (self.out.first(), self.inc.first()) {
                (Some(o), Some(i)) if o.0 <= i.0 => {
                    self.out = &self.out[1..];
                    *o
                }
                (_, Some(i)) => {
                    self.inc = &self.inc[1..];
                    if self.skip_loops && i.1 == self.node {
                        continue;
                    }
                    *i
                }
                (Some(o), None) => {
                    self.out = &self.out[1..];
                    *o
                }
                (None, None) => return None,
            };
            match self.types {
                Some(types) if !types.contains(&self.rel_type[e.0 .0 as usize]) => continue,
                _ => return Some(e),
            }
        }
    }
}
