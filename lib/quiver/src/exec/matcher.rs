//! Pattern matching: binds the nodes and relationships of a `MatchPlan` in
//! every way the graph allows, extending one input row into many.
//!
//! The search is depth-first over *levels* — a part's start node, each of its
//! expansion steps (or its shortest-path search), its path variable — with an
//! explicit stack of frames instead of recursion, so that it can stop after
//! any match and resume on the next call ([`Matcher::next_match`]): a LIMIT,
//! an EXISTS or a pattern predicate upstream stops the work as soon as it has
//! its answer. One working row is bound and unbound in place as the search goes.

use std::collections::{HashMap, VecDeque};

use crate::ast::Direction;
use crate::plan::{ExpandStep, IndexSeek, MatchPlan, NodeStep, PartPlan, SeekKind, ShortestKind};
use crate::store::{Dir, LabelId, NodeIter, Seek, TypeId};
use crate::value::order::equals;
use crate::value::{NodeId, RelId, Value};

use super::eval::{get, Eval};
use super::{ExecError, Row, XResult};

/// How often (in search steps) the matcher looks for a cancel request.
const CHECK_EVERY: u32 = 1024;

pub(super) fn dir(d: Direction) -> Dir {
    match d {
        Direction::Outgoing => Dir::Outgoing,
        Direction::Incoming => Dir::Incoming,
        Direction::Both => Dir::Both,
    }
}

/// A node step's labels as catalog ids; `None`: one of them is a name the
/// catalog lacks, so no node matches.
type Labels = Option<Vec<LabelId>>;

/// A step's relationship types as catalog ids.
#[derive(Clone, Debug)]
struct Types {
    ids: Vec<TypeId>,
    /// Types were written but none exists: nothing matches.
    none: bool,
}

/// The names of one part, resolved when the matcher is made.
struct PartNames {
    start: Labels,
    steps: Vec<(Types, Labels)>,
}

fn resolve_labels(ev: &Eval, step: &NodeStep) -> Labels {
    let catalog = ev.graph.catalog();
    step.labels.iter().map(|l| l.resolve(catalog)).collect()
}

fn resolve_types(ev: &Eval, step: &ExpandStep) -> Types {
    let catalog = ev.graph.catalog();
    let ids: Vec<TypeId> = step.types.iter().filter_map(|t| t.resolve(catalog)).collect();
    Types {
        none: !step.types.is_empty() && ids.is_empty(),
        ids,
    }
}

/// What one level of the search binds.
#[derive(Clone, Copy, Debug)]
enum Level {
    /// A part under a path selector, matched on its own.
    Selected(usize),
    Start(usize),
    Step(usize, usize),
    Shortest(usize),
    Path(usize),
}

/// Start candidates.
enum Candidates<'g> {
    Scan(NodeIter<'g>),
    List(std::vec::IntoIter<NodeId>),
}

impl Iterator for Candidates<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        match self {
            Candidates::Scan(i) => i.next(),
            Candidates::List(i) => i.next(),
        }
    }
}

/// A variable-length expansion in progress: the route so far and, per hop,
/// the relationships still to try.
#[derive(Default)]
struct VarWalk {
    /// Per depth: the neighbours of the node there and how far through them.
    stack: Vec<(Vec<(RelId, NodeId)>, usize)>,
    rels: Vec<RelId>,
    /// The nodes along the route, from the step's start.
    nodes: Vec<NodeId>,
    /// Whether the route's end has been offered as a match.
    offered: bool,
}

enum FrameState<'g> {
    Start {
        candidates: Candidates<'g>,
        /// A single label to scan with nothing else to check.
        plain: bool,
        /// The entry of the step's properties the index already matched.
        covered: Option<usize>,
    },
    Expand {
        neighbours: Vec<(RelId, NodeId)>,
        at: usize,
    },
    Var(Box<VarWalk>),
    Routes {
        routes: std::vec::IntoIter<(Value, NodeId)>,
    },
    /// A quantified path pattern's walks: the relationships, the end node, the group lists.
    Group {
        walks: std::vec::IntoIter<(Value, NodeId, Vec<Value>)>,
    },
    /// A selected part's matches: the values of its slots.
    Selected {
        rows: std::vec::IntoIter<Vec<Value>>,
    },
    Path {
        done: bool,
    },
    /// Nothing to try (a null start, an unknown type).
    Empty,
}

struct Frame<'g> {
    state: FrameState<'g>,
    /// Whether the level has bound its slots (they are cleared when it is left).
    bound: bool,
}

/// A pattern's matches over one input row at a time.
pub struct Matcher<'g, 'p> {
    ev: Eval<'g>,
    plan: &'p MatchPlan,
    names: Vec<PartNames>,
    levels: Vec<Level>,
    /// Per level, the slots it binds that were not bound before the pattern.
    level_slots: Vec<Vec<usize>>,
    row: Row,
    frames: Vec<Frame<'g>>,
    started: bool,
    /// Spare neighbour buffers (variable-length walks take and return them).
    spare: Vec<Vec<(RelId, NodeId)>>,
    steps: u32,
}

impl<'g, 'p> Matcher<'g, 'p> {
    /// A matcher of `plan` over `row` (call [`Matcher::next_match`] for each match).
    pub fn new(ev: Eval<'g>, plan: &'p MatchPlan, row: &Row) -> Matcher<'g, 'p> {
        let mut m = Matcher::for_plan(ev, plan);
        m.start(row);
        m
    }

    /// A matcher of `plan` with no row yet ([`Matcher::start`] gives one).
    pub fn for_plan(ev: Eval<'g>, plan: &'p MatchPlan) -> Matcher<'g, 'p> {
        let names = plan
            .parts
            .iter()
            .map(|p| PartNames {
                start: resolve_labels(&ev, &p.start),
                steps: p
                    .steps
                    .iter()
                    .map(|s| (resolve_types(&ev, s), resolve_labels(&ev, &s.to)))
                    .collect(),
            })
            .collect();
        let mut levels = Vec::new();
        for (i, p) in plan.parts.iter().enumerate() {
            if p.selector.is_some() {
                levels.push(Level::Selected(i));
                continue;
            }
            levels.push(Level::Start(i));
            if p.shortest.is_some() {
                levels.push(Level::Shortest(i));
            } else {
                levels.extend((0..p.steps.len()).map(|s| Level::Step(i, s)));
            }
            if p.path.is_some() {
                levels.push(Level::Path(i));
            }
        }
        // A slot belongs to the first level that binds it (a later one that
        // names the same variable only checks it).
        let mut claimed: Vec<usize> = Vec::new();
        let level_slots = levels
            .iter()
            .map(|level| {
                let slots: Vec<usize> = match *level {
                    Level::Selected(p) => plan.parts[p].selector.as_ref().map_or(Vec::new(), |s| s.slots.clone()),
                    Level::Start(p) => vec![plan.parts[p].start.slot],
                    Level::Step(p, s) => {
                        let step = &plan.parts[p].steps[s];
                        let mut v = vec![step.rel_slot, step.to.slot];
                        if let Some(g) = &step.group {
                            v.extend(g.vars.iter().map(|(_, outer)| *outer));
                        }
                        v
                    }
                    Level::Shortest(p) => {
                        let step = &plan.parts[p].steps[0];
                        vec![step.rel_slot, step.to.slot]
                    }
                    Level::Path(p) => plan.parts[p].path.iter().map(|pb| pb.slot).collect(),
                };
                let mine: Vec<usize> = slots
                    .into_iter()
                    .filter(|s| plan.new_slots.contains(s) && !claimed.contains(s))
                    .collect();
                claimed.extend(&mine);
                mine
            })
            .collect();
        Matcher {
            ev,
            plan,
            names,
            levels,
            level_slots,
            row: Vec::new(),
            frames: Vec::new(),
            started: false,
            spare: Vec::new(),
            steps: 0,
        }
    }

    /// Starts over on a new input row.
    pub fn start(&mut self, row: &Row) {
        self.row.clone_from(row);
        if let Some(m) = self.plan.new_slots.iter().max() {
            if self.row.len() <= *m {
                self.row.resize(m + 1, Value::Null);
            }
        }
        self.frames.clear();
        self.started = false;
    }

    /// The next match (the working row with every variable bound), or `None`
    /// when there are no more.
    pub fn next_match(&mut self) -> XResult<Option<&Row>> {
        if !self.started {
            self.started = true;
            if self.levels.is_empty() {
                return Ok(None);
            }
            self.push(0)?;
        }
        while let Some(depth) = self.frames.len().checked_sub(1) {
            self.steps += 1;
            if self.steps >= CHECK_EVERY {
                self.steps = 0;
                self.ev.check_interrupt()?;
            }
            if !self.advance(depth)? {
                self.pop();
                continue;
            }
            if depth + 1 < self.levels.len() {
                self.push(depth + 1)?;
                continue;
            }
            if let Some(p) = &self.plan.predicate {
                if !self.ev.truthy(p, &self.row)? {
                    continue;
                }
            }
            return Ok(Some(&self.row));
        }
        Ok(None)
    }

    fn pop(&mut self) {
        let depth = self.frames.len().saturating_sub(1);
        if let Some(frame) = self.frames.pop() {
            if frame.bound {
                // What the level bound was null before it (slots bound before
                // the pattern are only checked, and set to what they held).
                for &slot in &self.level_slots[depth] {
                    self.row[slot] = Value::Null;
                }
            }
            if let FrameState::Var(walk) = frame.state {
                self.spare.extend(walk.stack.into_iter().map(|(mut b, _)| {
                    b.clear();
                    b
                }));
            } else if let FrameState::Expand { mut neighbours, .. } = frame.state {
                neighbours.clear();
                self.spare.push(neighbours);
            }
        }
    }

    /// Binds `slot` for the level on top of the stack.
    #[inline]
    fn bind(&mut self, slot: usize, v: Value) {
        if let Some(frame) = self.frames.last_mut() {
            frame.bound = true;
        }
        if self.row.len() <= slot {
            self.row.resize(slot + 1, Value::Null);
        }
        self.row[slot] = v;
    }

    fn buffer(&mut self) -> Vec<(RelId, NodeId)> {
        self.spare.pop().unwrap_or_default()
    }

    /// Makes the frame of level `depth`, from the row as bound so far.
    fn push(&mut self, depth: usize) -> XResult<()> {
        let state = match self.levels[depth] {
            Level::Selected(p) => FrameState::Selected {
                rows: self.selected_rows(p)?.into_iter(),
            },
            Level::Start(p) => self.start_frame(p)?,
            Level::Step(p, s) => {
                let part = &self.plan.parts[p];
                let step = &part.steps[s];
                match self.from_node(step)? {
                    None => FrameState::Empty,
                    Some(from) if step.group.is_some() => FrameState::Group {
                        walks: self.group_walks(p, s, from)?.into_iter(),
                    },
                    Some(_) if self.names[p].steps[s].0.none => FrameState::Empty,
                    Some(from) if step.var_length.is_some() => {
                        let mut walk = Box::<VarWalk>::default();
                        walk.nodes.push(from);
                        FrameState::Var(walk)
                    }
                    Some(from) => {
                        let mut neighbours = self.buffer();
                        let types = &self.names[p].steps[s].0.ids;
                        neighbours.extend(self.ev.graph.neighbours(from, dir(step.direction), types));
                        FrameState::Expand { neighbours, at: 0 }
                    }
                }
            }
            Level::Shortest(p) => {
                let routes = self.shortest_routes(p)?;
                FrameState::Routes {
                    routes: routes.into_iter(),
                }
            }
            Level::Path(_) => FrameState::Path { done: false },
        };
        self.frames.push(Frame { state, bound: false });
        Ok(())
    }

    fn from_node(&self, step: &ExpandStep) -> XResult<Option<NodeId>> {
        match get(&self.row, step.from) {
            Value::Node(n) => Ok(Some(*n)),
            Value::Null => Ok(None),
            other => Err(ExecError::type_error(format!(
                "a pattern node must be bound to a node, got {}",
                other.type_name()
            ))),
        }
    }

    fn start_frame(&self, p: usize) -> XResult<FrameState<'g>> {
        let step = &self.plan.parts[p].start;
        let g = self.ev.graph;
        let labels = &self.names[p].start;
        if step.bound {
            return match get(&self.row, step.slot) {
                Value::Node(n) => Ok(FrameState::Start {
                    candidates: Candidates::List(vec![*n].into_iter()),
                    plain: false,
                    covered: None,
                }),
                Value::Null => Ok(FrameState::Empty),
                other => Err(ExecError::type_error(format!(
                    "a pattern node must be bound to a node, got {}",
                    other.type_name()
                ))),
            };
        }
        let Some(labels) = labels else {
            return Ok(FrameState::Empty);
        };
        let plain = labels.len() == 1
            && step.label_pred.is_none()
            && step.props.is_empty()
            && step.props_param.is_none()
            && step.seek.is_none();
        let mut covered = None;
        let candidates = match (&step.seek, labels.first()) {
            (Some(seek), _) => {
                let (nodes, exact) = self.seek(seek)?;
                covered = step.seek_covers.filter(|_| exact);
                Candidates::List(nodes.into_iter())
            }
            (None, Some(l)) => Candidates::Scan(g.nodes_with_label(*l)),
            (None, None) => Candidates::Scan(g.nodes()),
        };
        Ok(FrameState::Start {
            candidates,
            plain,
            covered,
        })
    }

    /// The nodes an index gives for a seek (a superset of the matches: the
    /// pattern's and WHERE's own checks still apply), and whether they are
    /// exactly the nodes whose key equals the sought value: an equality the
    /// index answered, for a value the index compares as the language does
    /// (an integer, a string or a boolean; not a float, where NaN equals
    /// nothing, nor a list or map, where a null inside makes it unknown).
    fn seek(&self, seek: &IndexSeek) -> XResult<(Vec<NodeId>, bool)> {
        let g = self.ev.graph;
        let catalog = g.catalog();
        let (Some(label), Some(key)) = (seek.label.resolve(catalog), seek.key.resolve(catalog)) else {
            return Ok((Vec::new(), false));
        };
        // Without the index (dropped since planning), the label's nodes.
        let by_label = || g.nodes_with_label(label).collect::<Vec<_>>();
        let row = &self.row;
        Ok(match &seek.kind {
            SeekKind::Equal(e) => {
                let v = self.ev.eval(e, row)?;
                let exact_type = matches!(v, Value::Int(_) | Value::String(_) | Value::Bool(_));
                match g.index_seek(label, key, Seek::Equal(&v)) {
                    Some(nodes) => (nodes, exact_type),
                    None => (by_label(), false),
                }
            }
            SeekKind::In(e) => match self.ev.eval(e, row)? {
                Value::List(items) => {
                    let mut out = Vec::new();
                    for v in items.iter() {
                        match g.index_seek(label, key, Seek::Equal(v)) {
                            Some(ids) => out.extend(ids),
                            None => return Ok((by_label(), false)),
                        }
                    }
                    out.sort_unstable();
                    out.dedup();
                    (out, false)
                }
                // `IN null` matches nothing; other types fail in the WHERE check.
                Value::Null => (Vec::new(), false),
                _ => (by_label(), false),
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
                if !comparable {
                    return Ok((Vec::new(), false));
                }
                let seek = Seek::Range {
                    lower: lo.as_ref().map(|(v, i)| (v, *i)),
                    upper: hi.as_ref().map(|(v, i)| (v, *i)),
                };
                (g.index_seek(label, key, seek).unwrap_or_else(by_label), false)
            }
        })
    }

    /// Binds the next possibility of level `depth`; `false` when there is none.
    fn advance(&mut self, depth: usize) -> XResult<bool> {
        match self.levels[depth] {
            Level::Selected(p) => {
                let sel = self.plan.parts[p].selector.as_ref().expect("a selected part");
                let Some(Frame {
                    state: FrameState::Selected { rows },
                    ..
                }) = self.frames.last_mut()
                else {
                    return Ok(false);
                };
                let Some(values) = rows.next() else {
                    return Ok(false);
                };
                for (slot, v) in sel.slots.iter().zip(values) {
                    self.bind(*slot, v);
                }
                Ok(true)
            }
            Level::Start(p) => self.advance_start(p),
            Level::Step(p, s) if self.plan.parts[p].steps[s].group.is_some() => {
                let step = &self.plan.parts[p].steps[s];
                let g = step.group.as_ref().expect("checked");
                let Some(Frame {
                    state: FrameState::Group { walks },
                    ..
                }) = self.frames.last_mut()
                else {
                    return Ok(false);
                };
                let Some((rels, end, lists)) = walks.next() else {
                    return Ok(false);
                };
                self.bind(step.rel_slot, rels);
                self.bind(step.to.slot, Value::Node(end));
                for ((_, outer), list) in g.vars.iter().zip(lists) {
                    self.bind(*outer, list);
                }
                Ok(true)
            }
            Level::Step(p, s) => {
                if self.plan.parts[p].steps[s].var_length.is_some() {
                    self.advance_var(p, s)
                } else {
                    self.advance_expand(p, s)
                }
            }
            Level::Shortest(p) => {
                let step = &self.plan.parts[p].steps[0];
                let Some(Frame {
                    state: FrameState::Routes { routes },
                    ..
                }) = self.frames.last_mut()
                else {
                    return Ok(false);
                };
                let Some((rel_value, end)) = routes.next() else {
                    return Ok(false);
                };
                self.bind(step.rel_slot, rel_value);
                self.bind(step.to.slot, Value::Node(end));
                Ok(true)
            }
            Level::Path(p) => {
                let Some(Frame {
                    state: FrameState::Path { done },
                    ..
                }) = self.frames.last_mut()
                else {
                    return Ok(false);
                };
                if *done {
                    return Ok(false);
                }
                *done = true;
                let pb = self.plan.parts[p].path.as_ref().expect("a path level has a path");
                let path = self.ev.build_path(&self.row, pb.start, &pb.steps)?;
                self.bind(pb.slot, path);
                Ok(true)
            }
        }
    }

    fn advance_start(&mut self, p: usize) -> XResult<bool> {
        let step = &self.plan.parts[p].start;
        loop {
            let Some(Frame {
                state:
                    FrameState::Start {
                        candidates,
                        plain,
                        covered,
                    },
                ..
            }) = self.frames.last_mut()
            else {
                return Ok(false);
            };
            let (plain, covered) = (*plain, *covered);
            let Some(n) = candidates.next() else {
                return Ok(false);
            };
            if plain || self.node_ok_but(step, self.names[p].start.as_deref(), n, covered)? {
                self.bind(step.slot, Value::Node(n));
                return Ok(true);
            }
        }
    }

    fn advance_expand(&mut self, p: usize, s: usize) -> XResult<bool> {
        let step = &self.plan.parts[p].steps[s];
        loop {
            let Some(Frame {
                state: FrameState::Expand { neighbours, at },
                ..
            }) = self.frames.last_mut()
            else {
                return Ok(false);
            };
            let Some(&(rel, other)) = neighbours.get(*at) else {
                return Ok(false);
            };
            *at += 1;
            if step.rel_bound && !matches!(get(&self.row, step.rel_slot), Value::Relationship(r) if *r == rel) {
                continue;
            }
            if !self.unique(rel, step.rel_slot) || !self.rel_ok(step, rel)? {
                continue;
            }
            if !self.node_ok(&step.to, self.names[p].steps[s].1.as_deref(), other)? {
                continue;
            }
            self.bind(step.rel_slot, Value::Relationship(rel));
            self.bind(step.to.slot, Value::Node(other));
            return Ok(true);
        }
    }

    /// The next route of a variable-length step, depth first (a route is
    /// offered before the longer ones through it).
    fn advance_var(&mut self, p: usize, s: usize) -> XResult<bool> {
        let step = &self.plan.parts[p].steps[s];
        let (min, max) = step.var_length.expect("a variable-length step");
        let list_read = self.reads_rel_list(p, s);
        loop {
            let Some(Frame {
                state: FrameState::Var(walk),
                ..
            }) = self.frames.last_mut()
            else {
                return Ok(false);
            };
            let depth = walk.rels.len();
            let at = *walk.nodes.last().expect("a walk starts at a node");
            if !walk.offered {
                walk.offered = true;
                if depth as u64 >= min {
                    if !list_read {
                        // Nothing reads the route's relationships: no list to make.
                        if self.node_ok(&step.to, self.names[p].steps[s].1.as_deref(), at)? {
                            self.bind(step.to.slot, Value::Node(at));
                            return Ok(true);
                        }
                        continue;
                    }
                    let mut rels: Vec<Value> = walk.rels.iter().map(|r| Value::Relationship(*r)).collect();
                    if step.reversed {
                        rels.reverse();
                    }
                    let list = Value::list(rels);
                    let bound_ok =
                        !step.rel_bound || crate::value::order::group_eq(get(&self.row, step.rel_slot), &list);
                    if bound_ok && self.node_ok(&step.to, self.names[p].steps[s].1.as_deref(), at)? {
                        self.bind(step.rel_slot, list);
                        self.bind(step.to.slot, Value::Node(at));
                        return Ok(true);
                    }
                }
                continue;
            }
            if walk.stack.len() == depth {
                // The first visit below this node: list where it leads.
                let mut next = self.spare.pop().unwrap_or_default();
                if max.is_none_or(|m| (depth as u64) < m) {
                    let types = &self.names[p].steps[s].0.ids;
                    next.extend(self.ev.graph.neighbours(at, dir(step.direction), types));
                }
                let Some(Frame {
                    state: FrameState::Var(walk),
                    ..
                }) = self.frames.last_mut()
                else {
                    return Ok(false);
                };
                walk.stack.push((next, 0));
                continue;
            }
            let mut found = None;
            {
                let (list, i) = walk.stack.last_mut().expect("listed above");
                while let Some(&(rel, other)) = list.get(*i) {
                    *i += 1;
                    if self.plan.repeatable || !walk.rels.contains(&rel) {
                        found = Some((rel, other));
                        break;
                    }
                }
            }
            match found {
                Some((rel, other)) => {
                    if !self.unique(rel, step.rel_slot) || !self.rel_ok(step, rel)? {
                        continue;
                    }
                    let Some(Frame {
                        state: FrameState::Var(walk),
                        ..
                    }) = self.frames.last_mut()
                    else {
                        return Ok(false);
                    };
                    walk.rels.push(rel);
                    walk.nodes.push(other);
                    walk.offered = false;
                }
                None => {
                    // Every route through this node is done: back up one hop.
                    let (mut list, _) = walk.stack.pop().expect("listed above");
                    list.clear();
                    let at_start = walk.rels.pop().is_none();
                    if !at_start {
                        walk.nodes.pop();
                    }
                    self.spare.push(list);
                    if at_start {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Whether anything reads the relationships a variable-length step binds:
    /// its variable (named, or bound before), the part's path, or another
    /// relationship of the match that must not repeat one of them.
    fn reads_rel_list(&self, p: usize, s: usize) -> bool {
        let part = &self.plan.parts[p];
        let step = &part.steps[s];
        !step.rel_name.is_empty()
            || step.rel_bound
            || part.path.is_some()
            || (!self.plan.repeatable && self.plan.unique_rels.iter().any(|r| *r != step.rel_slot))
    }

    fn node_ok(&self, step: &NodeStep, labels: Option<&[LabelId]>, n: NodeId) -> XResult<bool> {
        self.node_ok_but(step, labels, n, None)
    }

    /// `node_ok`, but not checking entry `skip` of the step's properties.
    fn node_ok_but(
        &self,
        step: &NodeStep,
        labels: Option<&[LabelId]>,
        n: NodeId,
        skip: Option<usize>,
    ) -> XResult<bool> {
        let g = self.ev.graph;
        if step.bound {
            if let Value::Node(b) = get(&self.row, step.slot) {
                if *b != n {
                    return Ok(false);
                }
            }
        }
        let Some(labels) = labels else {
            return Ok(false);
        };
        let exists = match labels {
            [] => g.contains_node(n),
            labels => labels.iter().all(|l| g.has_label(n, *l)),
        };
        if !exists {
            return Ok(false);
        }
        if let Some(pred) = &step.label_pred {
            if !self.ev.node_has(pred, n, &self.row)? {
                return Ok(false);
            }
        }
        if step.props.len() == usize::from(skip.is_some()) && step.props_param.is_none() {
            return Ok(true);
        }
        let catalog = g.catalog();
        for (i, (key, e)) in step.props.iter().enumerate() {
            if skip == Some(i) {
                continue;
            }
            let want = self.ev.eval(e, &self.row)?;
            let have = key.resolve(catalog).and_then(|k| g.node_property(n, k));
            if !have.is_some_and(|h| equals(&h, &want) == Some(true)) {
                return Ok(false);
            }
        }
        match &step.props_param {
            Some(p) => self.map_matches(p, &Value::Node(n)),
            None => Ok(true),
        }
    }

    fn rel_ok(&self, step: &ExpandStep, rel: RelId) -> XResult<bool> {
        // Types are already filtered by the neighbour walk; a type expression is checked here.
        if let Some(pred) = &step.type_pred {
            let Some(info) = self.ev.graph.relationship(rel) else {
                return Ok(false);
            };
            if !self.ev.rel_has(pred, info.rel_type, &self.row)? {
                return Ok(false);
            }
        }
        if step.rel_props.is_empty() && step.rel_props_param.is_none() {
            return Ok(true);
        }
        let g = self.ev.graph;
        let catalog = g.catalog();
        for (key, e) in &step.rel_props {
            let want = self.ev.eval(e, &self.row)?;
            let have = key.resolve(catalog).and_then(|k| g.relationship_property(rel, k));
            if !have.is_some_and(|h| equals(&h, &want) == Some(true)) {
                return Ok(false);
            }
        }
        match &step.rel_props_param {
            Some(p) => self.map_matches(p, &Value::Relationship(rel)),
            None => Ok(true),
        }
    }

    /// Whether every entry of the map `e` evaluates to equals the entity's property.
    fn map_matches(&self, e: &crate::plan::Expr, entity: &Value) -> XResult<bool> {
        let want = self.ev.eval(e, &self.row)?;
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

    /// Whether `rel` is not already used by another relationship of this pattern.
    fn unique(&self, rel: RelId, own_slot: usize) -> bool {
        self.plan.repeatable
            || self
                .plan
                .unique_rels
                .iter()
                .filter(|s| **s != own_slot)
                .all(|s| match get(&self.row, *s) {
                    Value::Relationship(r) => *r != rel,
                    Value::List(items) => !items.iter().any(|v| matches!(v, Value::Relationship(r) if *r == rel)),
                    _ => true,
                })
    }

    /// Every walk of the quantified path pattern of step `s` of part `p` from
    /// `from`: its relationships (a list), where it ends, and the lists of its
    /// group variables. Depth first; a relationship is used once per walk
    /// (unless REPEATABLE ELEMENTS), so an unbounded walk ends.
    fn group_walks(&self, p: usize, s: usize, from: NodeId) -> XResult<Vec<(Value, NodeId, Vec<Value>)>> {
        let step = &self.plan.parts[p].steps[s];
        let g = step.group.as_ref().expect("a group step");
        let to_labels = self.names[p].steps[s].1.as_deref();
        let mut out = Vec::new();
        // (node, iterations, relationships so far, per variable its values so far)
        type Walk = (NodeId, u64, Vec<RelId>, Vec<Vec<Value>>);
        let mut stack: Vec<Walk> = vec![(from, 0, Vec::new(), vec![Vec::new(); g.vars.len()])];
        let mut work = 0u32;
        while let Some((at, iterations, rels, lists)) = stack.pop() {
            if iterations >= g.min
                && rels.iter().all(|r| self.unique(*r, step.rel_slot))
                && self.node_ok(&step.to, to_labels, at)?
            {
                let rel_list = Value::list(rels.iter().map(|r| Value::Relationship(*r)).collect());
                let values = lists.iter().map(|l| Value::list(l.clone())).collect();
                out.push((rel_list, at, values));
            }
            if g.max.is_some_and(|m| iterations >= m) {
                continue;
            }
            let mut row = self.row.clone();
            if row.len() <= g.start_slot {
                row.resize(g.start_slot + 1, Value::Null);
            }
            row[g.start_slot] = Value::Node(at);
            let mut m = Matcher::new(self.ev, &g.inner, &row);
            while let Some(r) = m.next_match()? {
                work += 1;
                if work % CHECK_EVERY == 0 {
                    self.ev.check_interrupt()?;
                }
                let Value::Path(path) = get(r, g.path_slot) else {
                    continue;
                };
                if !self.plan.repeatable && path.rels.iter().any(|x| rels.contains(x)) {
                    continue;
                }
                let Value::Node(end) = get(r, g.end_slot) else {
                    continue;
                };
                let mut rels2 = rels.clone();
                rels2.extend(path.rels.iter().copied());
                let mut lists2 = lists.clone();
                for ((inner, _), l) in g.vars.iter().zip(lists2.iter_mut()) {
                    l.push(get(r, *inner).clone());
                }
                stack.push((*end, iterations + 1, rels2, lists2));
            }
        }
        Ok(out)
    }

    /// The rows a selected part keeps: its matches on their own, grouped by
    /// their end nodes, the selector applied in each group (shortest first).
    fn selected_rows(&self, p: usize) -> XResult<Vec<Vec<Value>>> {
        let sel = self.plan.parts[p].selector.as_ref().expect("a selected part");
        let k = match self.ev.eval(&sel.count, &self.row)? {
            Value::Int(k) if k >= 0 => k as usize,
            other => {
                return Err(ExecError::new(
                    crate::ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!("a path selector's count must be a non-negative integer, got {other}"),
                ))
            }
        };
        let mut groups: Vec<((Value, Value), Vec<(usize, Vec<Value>)>)> = Vec::new();
        let mut index: HashMap<(NodeKey, NodeKey), usize> = HashMap::new();
        let mut m = Matcher::new(self.ev, &sel.sub, &self.row);
        while let Some(r) = m.next_match()? {
            let len = match get(r, sel.path_slot) {
                Value::Path(path) => path.rels.len(),
                _ => continue,
            };
            let (a, b) = (get(r, sel.start_slot).clone(), get(r, sel.end_slot).clone());
            let key = (NodeKey::of(&a), NodeKey::of(&b));
            let values: Vec<Value> = sel.slots.iter().map(|s| get(r, *s).clone()).collect();
            let i = *index.entry(key).or_insert_with(|| {
                groups.push(((a, b), Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push((len, values));
        }
        let mut out = Vec::new();
        for (_, mut rows) in groups {
            rows.sort_by_key(|(len, _)| *len);
            match sel.kind {
                crate::plan::SelectorKind::Any | crate::plan::SelectorKind::Shortest => {
                    out.extend(rows.into_iter().take(k).map(|(_, v)| v));
                }
                crate::plan::SelectorKind::ShortestGroups => {
                    let mut lengths: Vec<usize> = rows.iter().map(|(l, _)| *l).collect();
                    lengths.dedup();
                    lengths.truncate(k);
                    out.extend(rows.into_iter().filter(|(l, _)| lengths.contains(l)).map(|(_, v)| v));
                }
            }
        }
        Ok(out)
    }

    /// shortestPath / allShortestPaths from the bound start of part `p`:
    /// each route as `(the relationship value to bind, end node)`.
    fn shortest_routes(&self, p: usize) -> XResult<Vec<(Value, NodeId)>> {
        let part: &PartPlan = &self.plan.parts[p];
        let kind = part.shortest.expect("a shortest-path part");
        let step = &part.steps[0];
        let (types, to_labels) = &self.names[p].steps[0];
        let to_labels = to_labels.as_deref();
        let Value::Node(start) = *get(&self.row, part.start.slot) else {
            return Ok(Vec::new());
        };
        if types.none {
            return Ok(Vec::new());
        }
        let rel_value = |rels: Vec<RelId>| -> Option<Value> {
            if step.var_length.is_some() {
                Some(Value::list(rels.iter().map(|x| Value::Relationship(*x)).collect()))
            } else {
                rels.first().map(|x| Value::Relationship(*x))
            }
        };
        let (min, max) = step.var_length.unwrap_or((1, Some(1)));
        let target_bound = match (step.to.bound, get(&self.row, step.to.slot)) {
            (true, Value::Node(n)) => Some(*n),
            (true, _) => return Ok(Vec::new()),
            _ => None,
        };
        // One shortest path between two known ends: search from both ends at once.
        if let (ShortestKind::One, Some(target), 1) = (kind, target_bound, min) {
            if target != start {
                if !self.node_ok(&step.to, to_labels, target)? {
                    return Ok(Vec::new());
                }
                return Ok(match self.meet_in_the_middle(step, &types.ids, start, target, max)? {
                    Some(rels) => rel_value(rels).map(|v| (v, target)).into_iter().collect(),
                    None => Vec::new(),
                });
            }
        }
        let g = self.ev.graph;
        let mut depth: HashMap<NodeId, u64> = HashMap::new();
        let mut preds: HashMap<NodeId, Vec<(RelId, NodeId)>> = HashMap::new();
        depth.insert(start, 0);
        let mut frontier = VecDeque::from([start]);
        let mut found: Vec<NodeId> = Vec::new();
        if min == 0 && self.node_ok(&step.to, to_labels, start)? && target_bound.is_none_or(|t| t == start) {
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
                for (rel, other) in g.neighbours(node, dir(step.direction), &types.ids) {
                    if !self.rel_ok(step, rel)? || !self.unique(rel, step.rel_slot) {
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
                            if is_target && level >= min && self.node_ok(&step.to, to_labels, other)? {
                                found.push(other);
                            }
                        }
                    }
                }
            }
            frontier = next;
        }
        let mut out = Vec::new();
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
                if let Some(v) = rel_value(rels) {
                    out.push((v, end));
                }
            }
        }
        Ok(out)
    }

    /// A shortest route from `start` to `target` (relationships in order),
    /// searching breadth-first from both ends and always growing the smaller
    /// frontier; `None` if there is none within `max` hops.
    fn meet_in_the_middle(
        &self,
        step: &ExpandStep,
        types: &[TypeId],
        start: NodeId,
        target: NodeId,
        max: Option<u64>,
    ) -> XResult<Option<Vec<RelId>>> {
        let g = self.ev.graph;
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
                for (rel, nb) in g.neighbours(node, d, types) {
                    if seen.contains_key(&nb) || !self.rel_ok(step, rel)? || !self.unique(rel, step.rel_slot) {
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
    crate::stack::guarded(|| {
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
    })
}

/// A node (or null) as a key for grouping matches by their end nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum NodeKey {
    Node(NodeId),
    Other,
}

impl NodeKey {
    fn of(v: &Value) -> NodeKey {
        match v {
            Value::Node(n) => NodeKey::Node(*n),
            _ => NodeKey::Other,
        }
    }
}
