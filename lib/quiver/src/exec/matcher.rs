//! Pattern matching: binds the nodes and relationships of a `MatchPlan` in
//! every way the graph allows, extending one input row into many.

use std::collections::{HashMap, VecDeque};

use crate::ast::Direction;
use crate::plan::{ExpandStep, IndexSeek, MatchPlan, NodeStep, SeekKind, ShortestKind};
use crate::store::Dir;
use crate::value::order::equals;
use crate::value::{NodeId, RelId, Value};

use super::eval::{get, Eval};
use super::{ExecError, Row, XResult};

/// Appends to `out` every extension of `row` that matches `plan`.
pub fn match_pattern(ev: &Eval, plan: &MatchPlan, row: Row, out: &mut Vec<Row>) -> XResult<()> {
    match_each(ev, plan, row, &mut |r| {
        out.push(r.clone());
        Ok(())
    })
}

/// Where matched rows go, one at a time (borrowed: a sink that keeps one copies it).
pub type Sink<'s> = dyn FnMut(&Row) -> XResult<()> + 's;

/// Hands every extension of `row` that matches `plan` to `out`, as it is found.
/// One working row is bound and unbound in place as the search goes.
pub fn match_each(ev: &Eval, plan: &MatchPlan, row: Row, out: &mut Sink) -> XResult<()> {
    let mut row = row;
    if let Some(m) = plan.new_slots.iter().max() {
        if row.len() <= *m {
            row.resize(m + 1, Value::Null);
        }
    }
    Matcher { ev, plan }.parts(0, &mut row, out)
}

struct Matcher<'a, 'g> {
    ev: &'a Eval<'g>,
    plan: &'a MatchPlan,
}

/// Binds `slot` to `v` for as long as `f` runs, then puts back what was there.
fn bound<T>(row: &mut Row, slot: usize, v: Value, f: impl FnOnce(&mut Row) -> T) -> T {
    if row.len() <= slot {
        row.resize(slot + 1, Value::Null);
    }
    let old = std::mem::replace(&mut row[slot], v);
    let result = f(row);
    row[slot] = old;
    result
}

fn dir(d: Direction) -> Dir {
    match d {
        Direction::Outgoing => Dir::Outgoing,
        Direction::Incoming => Dir::Incoming,
        Direction::Both => Dir::Both,
    }
}

impl<'g> Matcher<'_, 'g> {
    fn parts(&self, index: usize, row: &mut Row, out: &mut Sink) -> XResult<()> {
        if index == self.plan.parts.len() {
            if let Some(p) = &self.plan.predicate {
                if !self.ev.truthy(p, row)? {
                    return Ok(());
                }
            }
            return out(row);
        }
        self.ev.check_interrupt()?;
        let part = &self.plan.parts[index];
        for start in self.start_candidates(&part.start, row)? {
            bound(row, part.start.slot, Value::Node(start), |r| match part.shortest {
                Some(kind) => self.shortest(index, kind, start, r, out),
                None => self.steps(index, 0, r, out),
            })?;
        }
        Ok(())
    }

    fn start_candidates(&self, step: &NodeStep, row: &Row) -> XResult<Vec<NodeId>> {
        let g = self.ev.graph;
        if step.bound {
            return match get(row, step.slot) {
                Value::Node(n) => Ok(if self.node_ok(step, *n, row)? { vec![*n] } else { vec![] }),
                Value::Null => Ok(vec![]),
                other => Err(ExecError::type_error(format!(
                    "a pattern node must be bound to a node, got {}",
                    other.type_name()
                ))),
            };
        }
        // A scan of one label with nothing else to check needs no per-node test.
        if let ([label], true, None, None) = (&step.labels[..], step.props.is_empty(), &step.props_param, &step.seek) {
            return Ok(g.nodes_with_label(*label).collect());
        }
        let candidates: Vec<NodeId> = match (&step.seek, step.labels.first()) {
            (Some(seek), _) => self.seek(seek, row)?,
            (None, Some(l)) => g.nodes_with_label(*l).collect(),
            (None, None) => g.node_ids(),
        };
        let mut out = Vec::with_capacity(candidates.len());
        for n in candidates {
            if self.node_ok(step, n, row)? {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// The nodes an index gives for a seek (a superset of the matches: the
    /// pattern's and WHERE's own checks still apply).
    fn seek(&self, seek: &IndexSeek, row: &Row) -> XResult<Vec<NodeId>> {
        let Some(index) = self.ev.graph.index_for(seek.label, seek.key) else {
            // Dropped since planning: fall back to the label.
            return Ok(self.ev.graph.nodes_with_label(seek.label).collect());
        };
        Ok(match &seek.kind {
            SeekKind::Equal(e) => index.equal(&self.ev.eval(e, row)?),
            SeekKind::In(e) => match self.ev.eval(e, row)? {
                Value::List(items) => {
                    let mut out: Vec<NodeId> = items.iter().flat_map(|v| index.equal(v)).collect();
                    out.sort_unstable();
                    out.dedup();
                    out
                }
                // `IN null` matches nothing; other types fail in the WHERE check.
                Value::Null => Vec::new(),
                _ => self.ev.graph.nodes_with_label(seek.label).collect(),
            },
            SeekKind::Range { lower, upper } => {
                let lo = match lower {
                    Some((e, inc)) => Some((self.ev.eval(e, row)?, *inc)),
                    None => None,
                };
                let hi = match upper {
                    Some((e, inc)) => Some((self.ev.eval(e, row)?, *inc)),
                    None => None,
                };
                let comparable = match (&lo, &hi) {
                    (Some((a, _)), Some((b, _))) => crate::value::order::compare(a, b).is_some(),
                    _ => true,
                };
                if comparable {
                    index.range(lo.as_ref().map(|(v, i)| (v, *i)), hi.as_ref().map(|(v, i)| (v, *i)))
                } else {
                    Vec::new()
                }
            }
        })
    }

    fn node_ok(&self, step: &NodeStep, n: NodeId, row: &Row) -> XResult<bool> {
        let g = self.ev.graph;
        if step.bound {
            if let Value::Node(b) = get(row, step.slot) {
                if *b != n {
                    return Ok(false);
                }
            }
        }
        // Labels come from the label sets, so a node's record is read only for properties.
        let exists = match &step.labels[..] {
            [] => g.contains_node(n),
            labels => labels.iter().all(|l| g.has_label(n, *l)),
        };
        if !exists {
            return Ok(false);
        }
        if step.props.is_empty() && step.props_param.is_none() {
            return Ok(true);
        }
        self.props_match(
            &step.props,
            &step.props_param,
            &|k| g.node_property(n, k),
            &Value::Node(n),
            row,
        )
    }

    /// Whether an entity's properties satisfy a pattern's `{key: value}` map
    /// (or `$param` map).
    fn props_match(
        &self,
        wanted: &[(u32, std::sync::Arc<str>, crate::plan::Expr)],
        param: &Option<crate::plan::Expr>,
        property: &dyn Fn(u32) -> Option<&'g Value>,
        entity: &Value,
        row: &Row,
    ) -> XResult<bool> {
        for (key, _, e) in wanted {
            let want = self.ev.eval(e, row)?;
            let have = property(*key);
            if !have.is_some_and(|h| equals(h, &want) == Some(true)) {
                return Ok(false);
            }
        }
        match param {
            Some(p) => self.map_matches(p, row, entity),
            None => Ok(true),
        }
    }

    /// Whether every entry of the map `e` evaluates to equals the entity's property.
    fn map_matches(&self, e: &crate::plan::Expr, row: &Row, entity: &Value) -> XResult<bool> {
        let want = self.ev.eval(e, row)?;
        let Value::Map(m) = want else {
            return Err(ExecError::type_error(format!(
                "pattern properties must be a map, got {}",
                want.type_name()
            )));
        };
        let have = self.ev.all_properties(entity)?;
        Ok(m.iter()
            .all(|(k, v)| have.get(k).is_some_and(|h| equals(h, v) == Some(true))))
    }

    fn rel_ok(&self, step: &ExpandStep, rel: RelId, row: &Row) -> XResult<bool> {
        // Types are already filtered by the neighbour walk.
        if step.rel_props.is_empty() && step.rel_props_param.is_none() {
            return Ok(true);
        }
        let g = self.ev.graph;
        let Some(rec) = g.relationship(rel) else {
            return Ok(false);
        };
        if !step.types.is_empty() && !step.types.contains(&rec.rel_type) {
            return Ok(false);
        }
        self.props_match(
            &step.rel_props,
            &step.rel_props_param,
            &|k| g.relationship_property(rel, k),
            &Value::Relationship(rel),
            row,
        )
    }

    /// Whether `rel` is not already used by another relationship of this pattern.
    fn unique(&self, rel: RelId, own_slot: usize, row: &Row) -> bool {
        self.plan
            .unique_rels
            .iter()
            .filter(|s| **s != own_slot)
            .all(|s| match get(row, *s) {
                Value::Relationship(r) => *r != rel,
                Value::List(items) => !items.iter().any(|v| matches!(v, Value::Relationship(r) if *r == rel)),
                _ => true,
            })
    }

    fn steps(&self, part_index: usize, step_index: usize, row: &mut Row, out: &mut Sink) -> XResult<()> {
        crate::stack::guarded(|| self.steps_inner(part_index, step_index, row, out))
    }

    fn steps_inner(&self, part_index: usize, step_index: usize, row: &mut Row, out: &mut Sink) -> XResult<()> {
        let part = &self.plan.parts[part_index];
        if step_index == part.steps.len() {
            if let Some(pb) = &part.path {
                let p = self.ev.build_path(row, pb.start, &pb.steps)?;
                return bound(row, pb.slot, p, |r| self.parts(part_index + 1, r, out));
            }
            return self.parts(part_index + 1, row, out);
        }
        let step = &part.steps[step_index];
        let from = match get(row, step.from) {
            Value::Node(n) => *n,
            Value::Null => return Ok(()),
            other => {
                return Err(ExecError::type_error(format!(
                    "a pattern node must be bound to a node, got {}",
                    other.type_name()
                )))
            }
        };
        if let Some((min, max)) = step.var_length {
            let mut path = Vec::new();
            return self.var_expand(part_index, step_index, step, from, min, max, &mut path, row, out);
        }
        for (rel, other) in self.ev.graph.neighbours_iter(from, dir(step.direction), &step.types) {
            if step.rel_bound && !matches!(get(row, step.rel_slot), Value::Relationship(r) if *r == rel) {
                continue;
            }
            if !self.unique(rel, step.rel_slot, row) || !self.rel_ok(step, rel, row)? {
                continue;
            }
            if !self.node_ok(&step.to, other, row)? {
                continue;
            }
            bound(row, step.rel_slot, Value::Relationship(rel), |r| {
                bound(r, step.to.slot, Value::Node(other), |r| {
                    self.steps(part_index, step_index + 1, r, out)
                })
            })?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn var_expand(
        &self,
        part_index: usize,
        step_index: usize,
        step: &ExpandStep,
        at: NodeId,
        min: u64,
        max: Option<u64>,
        path: &mut Vec<RelId>,
        row: &mut Row,
        out: &mut Sink,
    ) -> XResult<()> {
        crate::stack::guarded(|| self.var_expand_inner(part_index, step_index, step, at, min, max, path, row, out))
    }

    #[allow(clippy::too_many_arguments)]
    fn var_expand_inner(
        &self,
        part_index: usize,
        step_index: usize,
        step: &ExpandStep,
        at: NodeId,
        min: u64,
        max: Option<u64>,
        path: &mut Vec<RelId>,
        row: &mut Row,
        out: &mut Sink,
    ) -> XResult<()> {
        self.ev.check_interrupt()?;
        let depth = path.len() as u64;
        if depth >= min && self.node_ok(&step.to, at, row)? {
            let mut rels: Vec<Value> = path.iter().map(|r| Value::Relationship(*r)).collect();
            if step.reversed {
                rels.reverse();
            }
            let list = Value::list(rels);
            let bound_ok = !step.rel_bound || crate::value::order::group_eq(get(row, step.rel_slot), &list);
            if bound_ok {
                bound(row, step.rel_slot, list, |r| {
                    bound(r, step.to.slot, Value::Node(at), |r| {
                        self.steps(part_index, step_index + 1, r, out)
                    })
                })?;
            }
        }
        if max.is_some_and(|m| depth >= m) {
            return Ok(());
        }
        for (rel, other) in self.ev.graph.neighbours_iter(at, dir(step.direction), &step.types) {
            if path.contains(&rel) || !self.unique(rel, step.rel_slot, row) || !self.rel_ok(step, rel, row)? {
                continue;
            }
            path.push(rel);
            self.var_expand(part_index, step_index, step, other, min, max, path, row, out)?;
            path.pop();
        }
        Ok(())
    }

    /// shortestPath / allShortestPaths from `start`: breadth-first, keeping
    /// every predecessor on a shortest route.
    fn shortest(
        &self,
        part_index: usize,
        kind: ShortestKind,
        start: NodeId,
        row: &mut Row,
        out: &mut Sink,
    ) -> XResult<()> {
        let part = &self.plan.parts[part_index];
        let step = &part.steps[0];
        let (min, max) = step.var_length.unwrap_or((1, Some(1)));
        let target_bound = match (step.to.bound, get(row, step.to.slot)) {
            (true, Value::Node(n)) => Some(*n),
            (true, _) => return Ok(()),
            _ => None,
        };
        // One shortest path between two known ends: search from both ends at once.
        if let (ShortestKind::One, Some(target), 1) = (kind, target_bound, min) {
            if target != start {
                if !self.node_ok(&step.to, target, row)? {
                    return Ok(());
                }
                let Some(rels) = self.meet_in_the_middle(step, start, target, max, row)? else {
                    return Ok(());
                };
                let rel_value = if step.var_length.is_some() {
                    Value::list(rels.iter().map(|x| Value::Relationship(*x)).collect())
                } else {
                    Value::Relationship(rels[0])
                };
                return bound(row, step.rel_slot, rel_value, |r| {
                    bound(r, step.to.slot, Value::Node(target), |r| {
                        self.steps(part_index, 1, r, out)
                    })
                });
            }
        }
        let mut depth: HashMap<NodeId, u64> = HashMap::new();
        let mut preds: HashMap<NodeId, Vec<(RelId, NodeId)>> = HashMap::new();
        depth.insert(start, 0);
        let mut frontier = VecDeque::from([start]);
        let mut found: Vec<NodeId> = Vec::new();
        if min == 0 && self.node_ok(&step.to, start, &row)? && target_bound.is_none_or(|t| t == start) {
            found.push(start);
        }
        let mut level = 0;
        while !frontier.is_empty() && max.is_none_or(|m| level < m) {
            if target_bound.is_some() && !found.is_empty() {
                break;
            }
            self.ev.check_interrupt()?;
            level += 1;
            let mut next = VecDeque::new();
            for node in frontier {
                for (rel, other) in self.ev.graph.neighbours_typed(node, dir(step.direction), &step.types) {
                    if !self.rel_ok(step, rel, &row)? || !self.unique(rel, step.rel_slot, &row) {
                        continue;
                    }
                    match depth.get(&other) {
                        Some(d) if *d == level => preds.entry(other).or_default().push((rel, node)),
                        Some(_) => {}
                        None => {
                            depth.insert(other, level);
                            preds.entry(other).or_default().push((rel, node));
                            next.push_back(other);
                            let is_target = target_bound.is_none_or(|t| t == other);
                            if is_target && level >= min && self.node_ok(&step.to, other, &row)? {
                                found.push(other);
                            }
                        }
                    }
                }
            }
            frontier = next;
        }
        for end in found {
            let mut routes: Vec<Vec<RelId>> = Vec::new();
            collect_routes(
                &preds,
                start,
                end,
                &mut Vec::new(),
                &mut routes,
                kind == ShortestKind::One,
            );
            for mut rels in routes {
                rels.reverse();
                let rel_value = if step.var_length.is_some() {
                    Value::list(rels.iter().map(|x| Value::Relationship(*x)).collect())
                } else {
                    match rels.first() {
                        Some(x) => Value::Relationship(*x),
                        None => continue,
                    }
                };
                bound(row, step.rel_slot, rel_value, |r| {
                    bound(r, step.to.slot, Value::Node(end), |r| self.steps(part_index, 1, r, out))
                })?;
            }
        }
        Ok(())
    }
}

impl Matcher<'_, '_> {
    /// A shortest route from `start` to `target` (relationships in order),
    /// searching breadth-first from both ends and always growing the smaller
    /// frontier; `None` if there is none within `max` hops.
    fn meet_in_the_middle(
        &self,
        step: &ExpandStep,
        start: NodeId,
        target: NodeId,
        max: Option<u64>,
        row: &Row,
    ) -> XResult<Option<Vec<RelId>>> {
        let forward = dir(step.direction);
        let backward = match forward {
            Dir::Outgoing => Dir::Incoming,
            Dir::Incoming => Dir::Outgoing,
            Dir::Both => Dir::Both,
        };
        // node -> (relationship, the node it was reached from); `None` for the roots.
        let mut from_start: HashMap<NodeId, Option<(RelId, NodeId)>> = HashMap::from([(start, None)]);
        let mut from_target: HashMap<NodeId, Option<(RelId, NodeId)>> = HashMap::from([(target, None)]);
        let mut front_s = vec![start];
        let mut front_t = vec![target];
        let mut hops = 0u64;
        while !front_s.is_empty() && !front_t.is_empty() && max.is_none_or(|m| hops < m) {
            self.ev.check_interrupt()?;
            hops += 1;
            let grow_start = front_s.len() <= front_t.len();
            let (front, seen, other, d) = if grow_start {
                (&mut front_s, &mut from_start, &from_target, forward)
            } else {
                (&mut front_t, &mut from_target, &from_start, backward)
            };
            let mut next = Vec::new();
            // Every meeting of this level is a candidate: the shortest is the one
            // closest to the other end.
            let mut meets = Vec::new();
            for &node in front.iter() {
                for (rel, nb) in self.ev.graph.neighbours_typed(node, d, &step.types) {
                    if seen.contains_key(&nb) || !self.rel_ok(step, rel, row)? || !self.unique(rel, step.rel_slot, row)
                    {
                        continue;
                    }
                    seen.insert(nb, Some((rel, node)));
                    if other.contains_key(&nb) {
                        meets.push(nb);
                    }
                    next.push(nb);
                }
            }
            let depth_in = |map: &HashMap<NodeId, Option<(RelId, NodeId)>>, mut at: NodeId| {
                let mut n = 0usize;
                while let Some(Some((_, prev))) = map.get(&at) {
                    n += 1;
                    at = *prev;
                }
                n
            };
            if let Some(m) = meets.into_iter().min_by_key(|m| depth_in(other, *m)) {
                let mut rels = Vec::new();
                let mut at = m;
                while let Some(Some((rel, prev))) = from_start.get(&at) {
                    rels.push(*rel);
                    at = *prev;
                }
                rels.reverse();
                let mut at = m;
                while let Some(Some((rel, next))) = from_target.get(&at) {
                    rels.push(*rel);
                    at = *next;
                }
                if max.is_some_and(|m| rels.len() as u64 > m) {
                    return Ok(None);
                }
                return Ok(Some(rels));
            }
            *front = next;
        }
        Ok(None)
    }
}

/// Walks predecessors back from `end` to `start`; `acc` holds relationships end-first.
fn collect_routes(
    preds: &HashMap<NodeId, Vec<(RelId, NodeId)>>,
    start: NodeId,
    end: NodeId,
    acc: &mut Vec<RelId>,
    out: &mut Vec<Vec<RelId>>,
    only_one: bool,
) {
    if only_one && !out.is_empty() {
        return;
    }
    if end == start {
        out.push(acc.clone());
        return;
    }
    if let Some(ps) = preds.get(&end) {
        for (rel, prev) in ps {
            acc.push(*rel);
            collect_routes(preds, start, *prev, acc, out, only_one);
            acc.pop();
            if only_one && !out.is_empty() {
                return;
            }
        }
    }
}
