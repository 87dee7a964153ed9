//! Planning patterns: MATCH (where to start, which way to expand), CREATE and
//! MERGE (what to create), and named paths.

use std::sync::Arc;

use crate::ast::{self, Direction, PathKind};

use super::expr::Expr;
use super::planner::{ExprCtx, PResult, PlanError, Planner};
use super::scope::{Scope, VarKind};
use super::seek;
use super::types::Ty;
use super::{
    CreateNode, CreatePart, CreateRel, ExpandStep, GroupPlan, IndexSeek, MatchPlan, MergePlan, NodeStep, PartPlan,
    PathBuild, SeekKind, ShortestKind,
};
use crate::store::NameRef;

/// The slots of one pattern part, in pattern order.
struct PartSlots {
    /// `(slot, bound before this part)`
    nodes: Vec<(usize, bool)>,
    /// Per step of the chain; a quantified path pattern's is the list of its relationships.
    rels: Vec<(usize, bool)>,
    path: Option<usize>,
    /// Per step of the chain: the plan of a quantified path pattern.
    groups: Vec<Option<GroupPlan>>,
    /// The slots the part's resolution made, `[from, to)`.
    range: (usize, usize),
}

/// The `(min, max)` hops of a variable-length or quantified relationship.
pub(super) fn rel_range(r: &ast::RelPattern) -> Option<(u64, Option<u64>)> {
    match (&r.length, &r.quantifier) {
        (Some(l), _) => Some((l.min.unwrap_or(1), l.max)),
        (None, Some(q)) => Some((q.min, q.max)),
        (None, None) => None,
    }
}

/// The predicates written inside the patterns (`(n WHERE ...)`, `-[r WHERE ...]->`),
/// as one expression over the whole match: a quantified relationship's holds
/// for each of its relationships.
fn inline_predicates(pattern: &ast::Pattern) -> Vec<ast::Expr> {
    let mut out = Vec::new();
    for part in pattern.parts.iter().filter(|p| selector_of(p).is_none()) {
        out.extend(part_predicates(part));
    }
    out
}

/// A part's selector, unless it is `ALL` (every path, as without one).
fn selector_of(part: &ast::PatternPart) -> Option<&ast::PathSelector> {
    part.selector.as_ref().filter(|s| s.kind != ast::SelectorKind::All)
}

/// A selector the shortest-path search answers (breadth first, never
/// enumerating longer paths): one shortest path, or all of the shortest
/// length, over a single relationship step with no predicate inside the part.
fn selector_as_shortest(part: &ast::PatternPart) -> Option<ShortestKind> {
    let sel = selector_of(part)?;
    let literal_one = |e: &ast::Expr| matches!(e.kind, ast::ExprKind::Literal(ast::Literal::Int(1)));
    let kind = match &sel.kind {
        ast::SelectorKind::AnyShortest => ShortestKind::One,
        ast::SelectorKind::Shortest(k) if literal_one(k) => ShortestKind::One,
        ast::SelectorKind::AllShortest => ShortestKind::All,
        ast::SelectorKind::ShortestGroups(None) => ShortestKind::All,
        ast::SelectorKind::ShortestGroups(Some(k)) if literal_one(k) => ShortestKind::All,
        _ => return None,
    };
    let [(ast::PathStep::Rel(_), _)] = part.element.chain.as_slice() else {
        return None;
    };
    part_predicates(part).is_empty().then_some(kind)
}

/// The predicates inside one part's node and relationship patterns.
fn part_predicates(part: &ast::PatternPart) -> Vec<ast::Expr> {
    let mut out = Vec::new();
    {
        for n in part.element.nodes() {
            if let Some(w) = &n.where_ {
                out.push((**w).clone());
            }
        }
        for r in part.element.rels() {
            let Some(w) = &r.where_ else { continue };
            match (&r.variable, rel_range(r)) {
                (Some(v), Some(_)) => out.push(ast::Expr::new(
                    ast::ExprKind::Quantified {
                        quantifier: ast::Quantifier::All,
                        variable: v.clone(),
                        list: Box::new(ast::Expr::new(ast::ExprKind::Variable(v.name.clone()), v.span)),
                        predicate: Some(w.clone()),
                    },
                    w.span,
                )),
                _ => out.push((**w).clone()),
            }
        }
    }
    out
}

fn part_nodes(e: &ast::PatternElement) -> Vec<&ast::NodePattern> {
    std::iter::once(&e.start)
        .chain(e.chain.iter().map(|(_, n)| n))
        .collect()
}

impl<'a> Planner<'a> {
    /// Gives every node, relationship and path of a part its slot, binding new
    /// names in `scope` (in pattern order, so MERGE's match and create agree).
    fn resolve_part(&mut self, part: &ast::PatternPart, scope: &mut Scope) -> PResult<PartSlots> {
        let mut slots = PartSlots {
            nodes: Vec::new(),
            rels: Vec::new(),
            path: None,
            groups: Vec::new(),
            range: (scope.width, scope.width),
        };
        slots.nodes.push(self.resolve_node(&part.element.start, scope)?);
        for (step, n) in &part.element.chain {
            match step {
                ast::PathStep::Rel(r) => {
                    slots.rels.push(self.resolve_rel(r, scope));
                    slots.groups.push(None);
                }
                ast::PathStep::Group(g) => {
                    let gp = self.plan_group(g, scope)?;
                    slots.rels.push((scope.fresh(), false));
                    slots.groups.push(Some(gp));
                }
            }
            slots.nodes.push(self.resolve_node(n, scope)?);
        }
        if part.variable.is_none() && selector_of(part).is_some() {
            // A selector measures paths: the part gets a hidden one.
            let name = format!(" selected{}", scope.width);
            slots.path = Some(scope.bind(&name, VarKind::Path));
        }
        slots.range.1 = scope.width;
        if let Some(v) = &part.variable {
            slots.path = Some(scope.bind(&v.name, VarKind::Path));
        }
        slots.range.1 = scope.width;
        Ok(slots)
    }

    fn resolve_node(&mut self, n: &ast::NodePattern, scope: &mut Scope) -> PResult<(usize, bool)> {
        match &n.variable {
            None => Ok((scope.fresh(), false)),
            Some(v) => match scope.lookup(&v.name) {
                Some(slot) => Ok((slot, true)),
                None => Ok((scope.bind(&v.name, VarKind::Node), false)),
            },
        }
    }

    fn resolve_rel(&mut self, r: &ast::RelPattern, scope: &mut Scope) -> (usize, bool) {
        match &r.variable {
            None => (scope.fresh(), false),
            Some(v) => {
                let want = if rel_range(r).is_some() {
                    VarKind::RelationshipList
                } else {
                    VarKind::Relationship
                };
                match scope.lookup(&v.name) {
                    Some(slot) => (slot, true),
                    None => (scope.bind(&v.name, want), false),
                }
            }
        }
    }

    /// Plans a MATCH pattern (also used by OPTIONAL MATCH, MERGE, pattern
    /// expressions and comprehensions). New variables are bound in `scope`.
    pub(super) fn plan_match(
        &mut self,
        pattern: &ast::Pattern,
        where_: Option<&ast::Expr>,
        scope: &mut Scope,
    ) -> PResult<MatchPlan> {
        let before = scope.width;
        let outer = scope.clone();
        let seeks = seek::from_where(where_, &outer);
        let mut resolved = Vec::new();
        for part in &pattern.parts {
            let slots = self.resolve_part(part, scope)?;
            resolved.push(slots);
        }
        let mut bound: Vec<usize> = (0..before).collect();
        let mut parts = Vec::new();
        let mut unique_rels = Vec::new();
        let repeatable = std::mem::take(&mut self.repeatable);
        for (part, slots) in pattern.parts.iter().zip(&resolved) {
            unique_rels.extend(slots.rels.iter().map(|(s, _)| *s));
            let mut plan = self.plan_part(part, slots, scope, &mut bound, &seeks, &outer)?;
            if let (Some(sel), None) = (selector_of(part), selector_as_shortest(part)) {
                plan = self.selected_part(part, sel, plan, slots, scope, repeatable)?;
            }
            parts.push(plan);
        }
        let mut combined = where_.cloned();
        for p in inline_predicates(pattern) {
            combined = Some(match combined {
                None => p,
                Some(w) => {
                    let span = w.span;
                    ast::Expr::new(
                        ast::ExprKind::Binary(ast::BinaryOp::And, Box::new(p), Box::new(w)),
                        span,
                    )
                }
            });
        }
        let predicate = match combined.as_ref() {
            Some(w) => Some(self.compile_predicate(
                w,
                scope,
                &mut ExprCtx {
                    place: "WHERE",
                    ..Default::default()
                },
            )?),
            None => None,
        };
        let new_slots = (before..scope.width).collect();
        Ok(MatchPlan {
            parts,
            predicate,
            unique_rels,
            new_slots,
            repeatable,
        })
    }

    /// A part under a selector: matched on its own (with the predicates
    /// written inside it), then only the selected matches are kept; the
    /// MATCH's WHERE filters what the selector kept.
    fn selected_part(
        &mut self,
        part: &ast::PatternPart,
        sel: &ast::PathSelector,
        plan: PartPlan,
        slots: &PartSlots,
        scope: &Scope,
        repeatable: bool,
    ) -> PResult<PartPlan> {
        let ctx = &mut ExprCtx {
            place: "a path selector",
            ..Default::default()
        };
        let one = || Expr::Const(crate::value::Value::Int(1));
        let (kind, count) = match &sel.kind {
            ast::SelectorKind::Any(k) => (
                super::SelectorKind::Any,
                match k {
                    Some(k) => self.compile(k, scope, ctx)?,
                    None => one(),
                },
            ),
            ast::SelectorKind::AnyShortest => (super::SelectorKind::Shortest, one()),
            ast::SelectorKind::AllShortest => (super::SelectorKind::ShortestGroups, one()),
            ast::SelectorKind::Shortest(k) => (super::SelectorKind::Shortest, self.compile(k, scope, ctx)?),
            ast::SelectorKind::ShortestGroups(k) => (
                super::SelectorKind::ShortestGroups,
                match k {
                    Some(k) => self.compile(k, scope, ctx)?,
                    None => one(),
                },
            ),
            ast::SelectorKind::All => unreachable!("ALL is no selector"),
        };
        let mut predicate = None;
        for p in part_predicates(part) {
            let e = self.compile_predicate(
                &p,
                scope,
                &mut ExprCtx {
                    place: "WHERE",
                    ..Default::default()
                },
            )?;
            predicate = Some(match predicate {
                None => e,
                Some(w) => Expr::Binary(ast::BinaryOp::And, Box::new(w), Box::new(e)),
            });
        }
        let range: Vec<usize> = (slots.range.0..slots.range.1).collect();
        let start = plan.start.clone();
        let sub = MatchPlan {
            parts: vec![plan],
            predicate,
            unique_rels: slots.rels.iter().map(|(s, _)| *s).collect(),
            new_slots: range.clone(),
            repeatable,
        };
        Ok(PartPlan {
            start,
            steps: Vec::new(),
            path: None,
            shortest: None,
            selector: Some(Box::new(super::SelectorPlan {
                kind,
                count,
                sub,
                path_slot: slots.path.expect("a selected part has a path"),
                start_slot: slots.nodes[0].0,
                end_slot: slots.nodes.last().expect("a part has a node").0,
                slots: range,
            })),
        })
    }

    /// Plans one quantified path pattern: its inner pattern as a match of its
    /// own (its first node bound, its WHERE inside), and its variables bound
    /// as lists in `scope`.
    fn plan_group(&mut self, g: &ast::PathGroup, scope: &mut Scope) -> PResult<GroupPlan> {
        let (min, max) = match &g.quantifier {
            Some(q) => (q.min, q.max),
            None => (1, Some(1)),
        };
        let n = scope.width;
        let mut element = g.element.clone();
        let mut names: Vec<ast::Ident> = Vec::new();
        for node in element.nodes() {
            if let Some(v) = &node.variable {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
        }
        for r in element.rels() {
            if let Some(v) = &r.variable {
                names.push(v.clone());
            }
        }
        let start_name = element
            .start
            .variable
            .get_or_insert_with(|| ast::Ident::new(format!(" qstart{n}"), g.span))
            .name
            .clone();
        let end_name = {
            let last = &mut element.chain.last_mut().expect("checked: a relationship").1;
            last.variable
                .get_or_insert_with(|| ast::Ident::new(format!(" qend{n}"), g.span))
                .name
                .clone()
        };
        let path_name = format!(" qpath{n}");
        let mut inner = scope.clone();
        let start_slot = inner.bind(&start_name, VarKind::Node);
        let part = ast::PatternPart {
            variable: Some(ast::Ident::new(path_name.clone(), g.span)),
            kind: PathKind::Normal,
            selector: None,
            element,
            span: g.span,
        };
        let saved = std::mem::take(&mut self.repeatable);
        let plan = self.plan_match(&ast::Pattern { parts: vec![part] }, g.where_.as_ref(), &mut inner);
        self.repeatable = saved;
        let inner_plan = plan?;
        let end_slot = inner.lookup(&end_name).expect("bound by the inner match");
        let path_slot = inner.lookup(&path_name).expect("bound by the inner match");
        scope.width = scope.width.max(inner.width);
        let mut vars = Vec::new();
        for v in &names {
            let inner_slot = inner.lookup(&v.name).expect("bound by the inner match");
            vars.push((inner_slot, scope.bind(&v.name, VarKind::Value(Ty::List))));
        }
        let text = match (min, max) {
            (1, None) => "+".to_string(),
            (0, None) => "*".to_string(),
            (a, Some(b)) if a == b => format!("{{{a}}}"),
            (a, None) => format!("{{{a},}}"),
            (a, Some(b)) => format!("{{{a},{b}}}"),
        };
        Ok(GroupPlan {
            min,
            max,
            inner: inner_plan,
            start_slot,
            end_slot,
            path_slot,
            vars,
            text,
        })
    }

    fn plan_part(
        &mut self,
        part: &ast::PatternPart,
        slots: &PartSlots,
        scope: &Scope,
        bound: &mut Vec<usize>,
        seeks: &seek::Candidates,
        outer: &Scope,
    ) -> PResult<PartPlan> {
        let nodes = part_nodes(&part.element);
        let rels: Vec<&ast::RelPattern> = part.element.rels();
        let has_group = slots.groups.iter().any(Option::is_some);
        let shortest = match part.kind {
            PathKind::Normal => selector_as_shortest(part),
            PathKind::ShortestPath => Some(ShortestKind::One),
            PathKind::AllShortestPaths => Some(ShortestKind::All),
        };
        let (start, chosen) = if shortest.is_some() || has_group {
            (0, None)
        } else {
            self.choose_start(&nodes, slots, bound, seeks, outer)
        };
        let mut start_step = self.node_step(nodes[start], slots.nodes[start].0, bound, scope)?;
        if let Some((label, key, ast_seek)) = chosen {
            start_step.seek = Some(self.compile_seek(&label, &key, &ast_seek, scope)?);
            start_step.seek_covers = seek::covered_property(nodes[start].properties.as_deref(), &ast_seek);
        }
        let mut steps = Vec::new();
        if has_group {
            for (i, (step, _)) in part.element.chain.iter().enumerate() {
                let from = (slots.nodes[i].0, var_name(&nodes[i].variable));
                let next = self.expand_step_of(
                    step,
                    &slots.groups[i],
                    slots.rels[i],
                    from,
                    nodes[i + 1],
                    slots.nodes[i + 1].0,
                    bound,
                    scope,
                )?;
                steps.push(next);
            }
        }
        let rels: Vec<&ast::RelPattern> = if has_group { Vec::new() } else { rels };
        for i in start..rels.len() {
            steps.push(self.expand_step(
                rels[i],
                slots.rels[i],
                (slots.nodes[i].0, var_name(&nodes[i].variable)),
                nodes[i + 1],
                slots.nodes[i + 1].0,
                false,
                bound,
                scope,
            )?);
        }
        for i in (0..start).rev() {
            steps.push(self.expand_step(
                rels[i],
                slots.rels[i],
                (slots.nodes[i + 1].0, var_name(&nodes[i + 1].variable)),
                nodes[i],
                slots.nodes[i].0,
                true,
                bound,
                scope,
            )?);
        }
        let path = slots.path.map(|slot| PathBuild {
            slot,
            start: slots.nodes[0].0,
            steps: part
                .element
                .chain
                .iter()
                .enumerate()
                .map(|(i, (step, _))| {
                    let var = match step {
                        ast::PathStep::Rel(r) => rel_range(r).is_some(),
                        ast::PathStep::Group(_) => true,
                    };
                    (slots.rels[i].0, var, slots.nodes[i + 1].0)
                })
                .collect(),
        });
        if let Some(p) = &path {
            bound.push(p.slot);
        }
        Ok(PartPlan {
            start: start_step,
            steps,
            path,
            shortest,
            selector: None,
        })
    }

    /// The cheapest node to start from: a bound one, else one an index finds,
    /// else the one with the rarest label, else the first. With an index, also
    /// the `(label, key, predicate)` it answers.
    #[allow(clippy::type_complexity)]
    fn choose_start<'e>(
        &mut self,
        nodes: &[&'e ast::NodePattern],
        slots: &PartSlots,
        bound: &[usize],
        seeks: &seek::Candidates<'e>,
        outer: &Scope,
    ) -> (usize, Option<(String, String, seek::SeekAst<'e>)>) {
        if self.options.naive {
            return (0, None);
        }
        if let Some(i) = slots.nodes.iter().position(|(s, _)| bound.contains(s)) {
            return (i, None);
        }
        let catalog = self.graph.catalog();
        let indexes = self.graph.indexes();
        let mut best = (0, None);
        let mut best_cost = usize::MAX;
        for (i, n) in nodes.iter().enumerate() {
            let mut cost = self.graph.node_count();
            let mut choice = None;
            for l in n.label_names() {
                let Some(label) = catalog.labels.get(&l.name) else {
                    // A label nothing carries: nothing can match, start here.
                    return (i, None);
                };
                let count = self.graph.label_count(label);
                if count < cost {
                    cost = count;
                    choice = None;
                }
                let mut candidates = seek::from_properties(n.properties.as_deref(), outer);
                if let Some(v) = &n.variable {
                    candidates.extend(seeks.get(&v.name).into_iter().flatten().cloned());
                }
                for (key, pred) in candidates {
                    let Some(key_id) = catalog.keys.get(&key) else {
                        continue;
                    };
                    if let Some(index) = indexes.iter().find(|x| x.label == label && x.key == key_id) {
                        let c = pred.estimate(index.entries, index.distinct);
                        if c < cost {
                            cost = c;
                            choice = Some((l.name.clone(), key, pred));
                        }
                    }
                }
            }
            if choice.is_none() && n.properties.is_some() {
                cost /= 2;
            }
            if cost < best_cost {
                best = (i, choice);
                best_cost = cost;
            }
        }
        best
    }

    fn compile_seek(&mut self, label: &str, key: &str, s: &seek::SeekAst, scope: &Scope) -> PResult<IndexSeek> {
        let ctx = &mut ExprCtx {
            place: "a pattern",
            ..Default::default()
        };
        let kind = match s {
            seek::SeekAst::Equal(e) => SeekKind::Equal(self.compile(e, scope, ctx)?),
            seek::SeekAst::In(e) => SeekKind::In(self.compile(e, scope, ctx)?),
            seek::SeekAst::Range { lower, upper } => SeekKind::Range {
                lower: match lower {
                    Some((e, inc)) => Some((self.compile(e, scope, ctx)?, *inc)),
                    None => None,
                },
                upper: match upper {
                    Some((e, inc)) => Some((self.compile(e, scope, ctx)?, *inc)),
                    None => None,
                },
            },
        };
        Ok(IndexSeek {
            label: self.label(label),
            key: self.key(key),
            kind,
        })
    }

    fn node_step(
        &mut self,
        n: &ast::NodePattern,
        slot: usize,
        bound: &mut Vec<usize>,
        scope: &Scope,
    ) -> PResult<NodeStep> {
        let is_bound = bound.contains(&slot);
        if !is_bound {
            bound.push(slot);
        }
        let (props, props_param) = self.property_constraints(n.properties.as_deref(), scope)?;
        let (labels, label_pred) = self.node_labels(n.labels.as_ref(), scope)?;
        Ok(NodeStep {
            seek: None,
            slot,
            name: var_name(&n.variable),
            bound: is_bound,
            labels,
            label_pred,
            props,
            props_param,
            seek_covers: None,
        })
    }

    /// The step of a chain with quantified path patterns, in written order.
    #[allow(clippy::too_many_arguments)]
    fn expand_step_of(
        &mut self,
        step: &ast::PathStep,
        group: &Option<GroupPlan>,
        rel: (usize, bool),
        from: (usize, Arc<str>),
        to: &ast::NodePattern,
        to_slot: usize,
        bound: &mut Vec<usize>,
        scope: &Scope,
    ) -> PResult<ExpandStep> {
        match (step, group) {
            (ast::PathStep::Rel(r), _) => self.expand_step(r, rel, from, to, to_slot, false, bound, scope),
            (ast::PathStep::Group(_), Some(g)) => {
                bound.push(rel.0);
                let to = self.node_step(to, to_slot, bound, scope)?;
                Ok(ExpandStep {
                    from: from.0,
                    from_name: from.1,
                    rel_slot: rel.0,
                    rel_name: Arc::from(""),
                    rel_bound: false,
                    direction: Direction::Outgoing,
                    types: Vec::new(),
                    type_pred: None,
                    rel_props: Vec::new(),
                    rel_props_param: None,
                    var_length: Some((g.min, g.max)),
                    reversed: false,
                    group: Some(Box::new(g.clone())),
                    to,
                })
            }
            (ast::PathStep::Group(g), None) => {
                Err(PlanError::unchecked("a quantified path pattern not planned", g.span))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expand_step(
        &mut self,
        r: &ast::RelPattern,
        (rel_slot, _): (usize, bool),
        (from, from_name): (usize, Arc<str>),
        to: &ast::NodePattern,
        to_slot: usize,
        reversed: bool,
        bound: &mut Vec<usize>,
        scope: &Scope,
    ) -> PResult<ExpandStep> {
        let rel_bound = bound.contains(&rel_slot);
        if !rel_bound {
            bound.push(rel_slot);
        }
        let direction = if reversed {
            match r.direction {
                Direction::Outgoing => Direction::Incoming,
                Direction::Incoming => Direction::Outgoing,
                Direction::Both => Direction::Both,
            }
        } else {
            r.direction
        };
        let var_length = rel_range(r);
        let (types, type_pred) = match (r.type_names(), &r.types) {
            (Some(names), _) => (names.iter().map(|t| self.rel_type(&t.name)).collect(), None),
            (None, Some(t)) => (Vec::new(), Some(self.label_pred(t, scope, true)?)),
            (None, None) => (Vec::new(), None),
        };
        let (rel_props, rel_props_param) = self.property_constraints(r.properties.as_deref(), scope)?;
        let to = self.node_step(to, to_slot, bound, scope)?;
        Ok(ExpandStep {
            from,
            from_name,
            rel_slot,
            rel_name: var_name(&r.variable),
            rel_bound,
            direction,
            types,
            type_pred,
            rel_props,
            rel_props_param,
            var_length,
            reversed,
            group: None,
            to,
        })
    }

    /// A node pattern's labels: the plain names to scan and check, and the
    /// rest of a label expression as a predicate.
    fn node_labels(
        &mut self,
        l: Option<&ast::LabelExpr>,
        scope: &Scope,
    ) -> PResult<(Vec<NameRef>, Option<super::LabelPred>)> {
        let Some(l) = l else {
            return Ok((Vec::new(), None));
        };
        if let Some(names) = l.as_conjunction() {
            return Ok((names.iter().map(|n| self.label(&n.name)).collect(), None));
        }
        match &l.kind {
            ast::LabelExprKind::And(items) | ast::LabelExprKind::Colon(items) => {
                let mut names = Vec::new();
                let mut rest = Vec::new();
                for i in items {
                    match &i.kind {
                        ast::LabelExprKind::Label(n) => names.push(self.label(&n.name)),
                        _ => rest.push(self.label_pred(i, scope, false)?),
                    }
                }
                let pred = match rest.len() {
                    0 => None,
                    1 => rest.pop(),
                    _ => Some(super::LabelPred::And(rest)),
                };
                Ok((names, pred))
            }
            _ => Ok((Vec::new(), Some(self.label_pred(l, scope, false)?))),
        }
    }

    /// The labels a CREATE or MERGE gives a node: names and dynamic labels
    /// (`:A:$(x)`, `:A&B`); no other label expression says what to create.
    pub(super) fn create_labels(
        &mut self,
        l: Option<&ast::LabelExpr>,
        scope: &Scope,
        clause: &str,
    ) -> PResult<(Vec<NameRef>, Vec<Expr>)> {
        let Some(l) = l else {
            return Ok((Vec::new(), Vec::new()));
        };
        let mut names = Vec::new();
        let mut dynamic = Vec::new();
        let mut stack = vec![l];
        while let Some(x) = stack.pop() {
            match &x.kind {
                ast::LabelExprKind::Label(n) => names.push(self.label(&n.name)),
                ast::LabelExprKind::Dynamic { expr, any: false } => dynamic.push(self.compile(
                    expr,
                    scope,
                    &mut ExprCtx {
                        place: clause_place(clause),
                        ..Default::default()
                    },
                )?),
                ast::LabelExprKind::And(items) | ast::LabelExprKind::Colon(items) => stack.extend(items.iter().rev()),
                // The binder refused the rest (`|`, `!`, `%`, `$any`).
                _ => {
                    return Err(PlanError::unchecked(
                        "a label expression CREATE, SET or REMOVE cannot write",
                        x.span,
                    ))
                }
            }
        }
        Ok((names, dynamic))
    }

    #[allow(clippy::type_complexity)]
    fn property_constraints(
        &mut self,
        props: Option<&ast::Expr>,
        scope: &Scope,
    ) -> PResult<(Vec<(NameRef, Expr)>, Option<Expr>)> {
        let ctx = &mut ExprCtx {
            place: "a pattern",
            ..Default::default()
        };
        match props {
            None => Ok((Vec::new(), None)),
            Some(e) => match &e.kind {
                ast::ExprKind::Map(items) => {
                    let mut out = Vec::new();
                    for (k, v) in items {
                        let key = self.key(&k.name);
                        out.push((key, self.compile(v, scope, ctx)?));
                    }
                    Ok((out, None))
                }
                _ => Ok((Vec::new(), Some(self.compile(e, scope, ctx)?))),
            },
        }
    }

    pub(super) fn plan_create(&mut self, pattern: &ast::Pattern, scope: &mut Scope) -> PResult<Vec<CreatePart>> {
        let mut out = Vec::new();
        for part in &pattern.parts {
            let slots = self.resolve_part(part, scope)?;
            out.push(self.create_part(part, &slots, scope)?);
        }
        Ok(out)
    }

    fn create_part(&mut self, part: &ast::PatternPart, slots: &PartSlots, scope: &Scope) -> PResult<CreatePart> {
        let nodes = part_nodes(&part.element);
        let ctx = &mut ExprCtx {
            place: "CREATE",
            ..Default::default()
        };
        let mut created: Vec<usize> = Vec::new();
        let mut cnodes = Vec::new();
        for (n, (slot, bound)) in nodes.iter().zip(&slots.nodes) {
            let bound = *bound || created.contains(slot);
            let props = match &n.properties {
                Some(p) => Some(self.compile(p, scope, ctx)?),
                None => None,
            };
            let (labels, dynamic_labels) = self.create_labels(n.labels.as_ref(), scope, "CREATE")?;
            cnodes.push(CreateNode {
                slot: *slot,
                bound,
                labels,
                dynamic_labels,
                props,
            });
            created.push(*slot);
        }
        let mut crels = Vec::new();
        for (i, r) in part.element.rels().into_iter().enumerate() {
            let (a, b) = (slots.nodes[i].0, slots.nodes[i + 1].0);
            let (from, to) = if r.direction == Direction::Incoming {
                (b, a)
            } else {
                (a, b)
            };
            let props = match &r.properties {
                Some(p) => Some(self.compile(p, scope, ctx)?),
                None => None,
            };
            let (rel_type, dynamic_type) = match r.type_list().first() {
                Some(t) => (self.rel_type(&t.name), None),
                None => match r.types.as_ref().map(|t| &t.kind) {
                    Some(ast::LabelExprKind::Dynamic { expr, .. }) => {
                        (self.rel_type(""), Some(self.compile(expr, scope, ctx)?))
                    }
                    _ => {
                        return Err(PlanError::unchecked(
                            "a relationship to create without one type",
                            r.span,
                        ))
                    }
                },
            };
            crels.push(CreateRel {
                slot: slots.rels[i].0,
                from,
                to,
                rel_type,
                dynamic_type,
                props,
            });
        }
        let path = slots.path.map(|slot| PathBuild {
            slot,
            start: slots.nodes[0].0,
            steps: (0..part.element.chain.len())
                .map(|i| (slots.rels[i].0, false, slots.nodes[i + 1].0))
                .collect(),
        });
        Ok(CreatePart {
            nodes: cnodes,
            rels: crels,
            path,
        })
    }

    pub(super) fn plan_merge(&mut self, m: &ast::Merge, scope: &mut Scope) -> PResult<MergePlan> {
        let before = scope.width;
        let slots = self.resolve_part(&m.part, scope)?;
        let mut bound: Vec<usize> = (0..before).collect();
        let outer = scope.clone();
        let part_plan = self.plan_part(&m.part, &slots, scope, &mut bound, &Default::default(), &outer)?;
        let create = self.create_part(&m.part, &slots, scope)?;
        let unique_rels = slots.rels.iter().map(|(s, _)| *s).collect();
        let pattern = MatchPlan {
            parts: vec![part_plan],
            predicate: None,
            unique_rels,
            new_slots: (before..scope.width).collect(),
            repeatable: false,
        };
        let mut on_create = Vec::new();
        let mut on_match = Vec::new();
        for a in &m.actions {
            let items = self.plan_set_items(&a.items, scope)?;
            if a.on_create {
                on_create.extend(items);
            } else {
                on_match.extend(items);
            }
        }
        Ok(MergePlan {
            pattern,
            create,
            on_create,
            on_match,
        })
    }
}

fn var_name(v: &Option<ast::Ident>) -> Arc<str> {
    v.as_ref().map_or_else(|| Arc::from(""), |i| Arc::from(i.name.as_str()))
}

fn clause_place(clause: &str) -> &'static str {
    match clause {
        "MERGE" => "MERGE",
        "SET" => "SET",
        "REMOVE" => "REMOVE",
        _ => "CREATE",
    }
}
