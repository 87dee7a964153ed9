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
    CreateNode, CreatePart, CreateRel, ExpandStep, IndexSeek, MatchPlan, MergePlan, NodeStep, PartPlan, PathBuild,
    SeekKind, ShortestKind,
};
use crate::store::NameRef;

/// The slots of one pattern part, in pattern order.
struct PartSlots {
    /// `(slot, bound before this part)`
    nodes: Vec<(usize, bool)>,
    rels: Vec<(usize, bool)>,
    path: Option<usize>,
}

/// Rejects the forms of path patterns the planner does not plan yet (path
/// selectors, quantified and parenthesised paths, WHERE inside patterns,
/// label and type expressions beyond `:A:B` and `[:A|B]`).
fn check_supported_part(part: &ast::PatternPart) -> PResult<()> {
    if let Some(s) = &part.selector {
        return Err(PlanError::not_supported("path selectors", s.span));
    }
    for (step, _) in &part.element.chain {
        match step {
            ast::PathStep::Group(g) => return Err(PlanError::not_supported("quantified path patterns", g.span)),
            ast::PathStep::Rel(r) => {
                if let Some(q) = &r.quantifier {
                    return Err(PlanError::not_supported("quantified relationships", q.span));
                }
                if let Some(w) = &r.where_ {
                    return Err(PlanError::not_supported("WHERE inside a relationship pattern", w.span));
                }
                if let (None, Some(t)) = (r.type_names(), &r.types) {
                    return Err(PlanError::not_supported("type expressions", t.span));
                }
            }
        }
    }
    for n in part.element.nodes() {
        if let Some(w) = &n.where_ {
            return Err(PlanError::not_supported("WHERE inside a node pattern", w.span));
        }
        if let Some(l) = &n.labels {
            if l.as_conjunction().is_none() {
                return Err(PlanError::not_supported("label expressions", l.span));
            }
        }
    }
    Ok(())
}

fn part_nodes(e: &ast::PatternElement) -> Vec<&ast::NodePattern> {
    std::iter::once(&e.start)
        .chain(e.chain.iter().map(|(_, n)| n))
        .collect()
}

impl<'a> Planner<'a> {
    /// Gives every node, relationship and path of a part its slot, binding new
    /// names in `scope` (in pattern order, so MERGE's match and create agree).
    fn resolve_part(
        &mut self,
        part: &ast::PatternPart,
        scope: &mut Scope,
        seen_rels: &mut Vec<String>,
    ) -> PResult<PartSlots> {
        let mut slots = PartSlots {
            nodes: Vec::new(),
            rels: Vec::new(),
            path: None,
        };
        check_supported_part(part)?;
        let nodes = part_nodes(&part.element);
        let rels = part.element.rels();
        for (i, n) in nodes.iter().enumerate() {
            if i > 0 {
                let r = rels[i - 1];
                slots.rels.push(self.resolve_rel(r, scope, seen_rels)?);
            }
            slots.nodes.push(self.resolve_node(n, scope)?);
        }
        if let Some(v) = &part.variable {
            if scope.lookup(&v.name).is_some() {
                return Err(PlanError::syntax(
                    "VariableAlreadyBound",
                    format!("variable `{}` is already declared; a path needs a new name", v.name),
                    v.span,
                ));
            }
            slots.path = Some(scope.bind(&v.name, VarKind::Path));
        }
        Ok(slots)
    }

    fn resolve_node(&mut self, n: &ast::NodePattern, scope: &mut Scope) -> PResult<(usize, bool)> {
        match &n.variable {
            None => Ok((scope.fresh(), false)),
            Some(v) => match scope.get(&v.name) {
                Some((slot, kind)) => {
                    if !matches!(kind, VarKind::Node | VarKind::Value(Ty::Any | Ty::Null | Ty::Node)) {
                        return Err(PlanError::syntax(
                            "VariableTypeConflict",
                            format!("`{}` is a {} and cannot be used as a node", v.name, kind_name(kind)),
                            v.span,
                        ));
                    }
                    Ok((slot, true))
                }
                None => Ok((scope.bind(&v.name, VarKind::Node), false)),
            },
        }
    }

    fn resolve_rel(
        &mut self,
        r: &ast::RelPattern,
        scope: &mut Scope,
        seen: &mut Vec<String>,
    ) -> PResult<(usize, bool)> {
        match &r.variable {
            None => Ok((scope.fresh(), false)),
            Some(v) => {
                if seen.contains(&v.name) {
                    return Err(PlanError::syntax(
                        "RelationshipUniquenessViolation",
                        format!(
                            "relationship `{}` appears twice in one pattern, which can never match",
                            v.name
                        ),
                        v.span,
                    ));
                }
                seen.push(v.name.clone());
                let want = if r.length.is_some() {
                    VarKind::RelationshipList
                } else {
                    VarKind::Relationship
                };
                match scope.get(&v.name) {
                    Some((slot, kind)) => {
                        let ok = kind == want
                            || matches!(kind, VarKind::Value(Ty::Any | Ty::Null))
                            || (want == VarKind::Relationship && kind == VarKind::Value(Ty::Relationship))
                            || (want == VarKind::RelationshipList && kind == VarKind::Value(Ty::List));
                        if !ok {
                            return Err(PlanError::syntax(
                                "VariableTypeConflict",
                                format!(
                                    "`{}` is a {} and cannot be used as a {}",
                                    v.name,
                                    kind_name(kind),
                                    kind_name(want)
                                ),
                                v.span,
                            ));
                        }
                        Ok((slot, true))
                    }
                    None => Ok((scope.bind(&v.name, want), false)),
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
        let mut seen = Vec::new();
        let mut resolved = Vec::new();
        for part in &pattern.parts {
            let slots = self.resolve_part(part, scope, &mut seen)?;
            resolved.push(slots);
        }
        let mut bound: Vec<usize> = (0..before).collect();
        let mut parts = Vec::new();
        let mut unique_rels = Vec::new();
        for (part, slots) in pattern.parts.iter().zip(&resolved) {
            unique_rels.extend(slots.rels.iter().map(|(s, _)| *s));
            parts.push(self.plan_part(part, slots, scope, &mut bound, &seeks, &outer)?);
        }
        let predicate = match where_ {
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
        let shortest = match part.kind {
            PathKind::Normal => None,
            PathKind::ShortestPath => Some(ShortestKind::One),
            PathKind::AllShortestPaths => Some(ShortestKind::All),
        };
        if shortest.is_some() && rels.len() != 1 {
            return Err(PlanError::syntax(
                "UnexpectedSyntax",
                "shortestPath and allShortestPaths take a pattern with exactly one relationship",
                part.span,
            ));
        }
        let (start, chosen) = if shortest.is_some() {
            (0, None)
        } else {
            self.choose_start(&nodes, slots, bound, seeks, outer)
        };
        let mut start_step = self.node_step(nodes[start], slots.nodes[start].0, bound, scope)?;
        if let Some((label, key, ast_seek)) = chosen {
            start_step.seek = Some(self.compile_seek(&label, &key, &ast_seek, scope)?);
        }
        let mut steps = Vec::new();
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
            steps: rels
                .iter()
                .enumerate()
                .map(|(i, r)| (slots.rels[i].0, r.length.is_some(), slots.nodes[i + 1].0))
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
        Ok(NodeStep {
            seek: None,
            slot,
            name: var_name(&n.variable),
            bound: is_bound,
            labels: n.label_names().iter().map(|l| self.label(&l.name)).collect(),
            props,
            props_param,
        })
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
        let var_length = r.length.map(|l| (l.min.unwrap_or(1), l.max));
        let (rel_props, rel_props_param) = self.property_constraints(r.properties.as_deref(), scope)?;
        let to = self.node_step(to, to_slot, bound, scope)?;
        Ok(ExpandStep {
            from,
            from_name,
            rel_slot,
            rel_name: var_name(&r.variable),
            rel_bound,
            direction,
            types: r.type_list().iter().map(|t| self.rel_type(&t.name)).collect(),
            rel_props,
            rel_props_param,
            var_length,
            reversed,
            to,
        })
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

    /// Checks what CREATE and MERGE cannot create.
    pub(super) fn check_creatable(&self, pattern: &ast::Pattern, scope: &Scope, merge: bool) -> PResult<()> {
        let clause = if merge { "MERGE" } else { "CREATE" };
        let mut local: Vec<&str> = Vec::new();
        for part in &pattern.parts {
            if part.kind != PathKind::Normal {
                return Err(PlanError::syntax(
                    "UnexpectedSyntax",
                    format!("{clause} cannot create a shortest path"),
                    part.span,
                ));
            }
            let nodes = part_nodes(&part.element);
            for n in &nodes {
                if let Some(v) = &n.variable {
                    let bound = scope.lookup(&v.name).is_some() || local.contains(&v.name.as_str());
                    if bound {
                        if let Some((_, k)) = scope.get(&v.name) {
                            if !matches!(k, VarKind::Node | VarKind::Value(Ty::Any | Ty::Null | Ty::Node)) {
                                return Err(PlanError::syntax(
                                    "VariableTypeConflict",
                                    format!("`{}` is a {} and cannot be used as a node", v.name, kind_name(k)),
                                    v.span,
                                ));
                            }
                        }
                        let decorated = n.labels.is_some() || n.properties.is_some();
                        if decorated || part.element.chain.is_empty() {
                            return Err(PlanError::syntax(
                                "VariableAlreadyBound",
                                format!(
                                    "variable `{}` is already declared; {clause} cannot add labels or properties to it",
                                    v.name
                                ),
                                v.span,
                            )
                            .with_hint(format!(
                                "use SET {}:Label or SET {}.key = value on an existing node",
                                v.name, v.name
                            )));
                        }
                    } else {
                        local.push(&v.name);
                    }
                }
            }
            for r in part.element.rels() {
                if let Some(v) = &r.variable {
                    if scope.lookup(&v.name).is_some() || local.contains(&v.name.as_str()) {
                        return Err(PlanError::syntax(
                            "VariableAlreadyBound",
                            format!(
                                "variable `{}` is already declared; {clause} needs a new relationship",
                                v.name
                            ),
                            v.span,
                        ));
                    }
                    local.push(&v.name);
                }
                if r.type_list().len() != 1 {
                    return Err(PlanError::syntax(
                        "NoSingleRelationshipType",
                        format!("{clause} needs exactly one relationship type, like -[:KNOWS]->"),
                        r.span,
                    ));
                }
                if r.direction == Direction::Both && !merge {
                    return Err(PlanError::syntax(
                        "RequiresDirectedRelationship",
                        "CREATE needs a direction for each relationship: -[:T]-> or <-[:T]-",
                        r.span,
                    ));
                }
                if r.length.is_some() {
                    return Err(PlanError::syntax(
                        "CreatingVarLength",
                        format!("{clause} cannot create a variable-length relationship"),
                        r.span,
                    ));
                }
            }
        }
        Ok(())
    }

    pub(super) fn plan_create(&mut self, pattern: &ast::Pattern, scope: &mut Scope) -> PResult<Vec<CreatePart>> {
        self.check_creatable(pattern, scope, false)?;
        let mut out = Vec::new();
        let mut seen = Vec::new();
        for part in &pattern.parts {
            let slots = self.resolve_part(part, scope, &mut seen)?;
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
            cnodes.push(CreateNode {
                slot: *slot,
                bound,
                labels: n.label_names().iter().map(|l| self.label(&l.name)).collect(),
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
            crels.push(CreateRel {
                slot: slots.rels[i].0,
                from,
                to,
                rel_type: self.rel_type(&r.type_list()[0].name),
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
        let pattern = ast::Pattern {
            parts: vec![m.part.clone()],
        };
        self.check_creatable(&pattern, scope, true)?;
        let before = scope.width;
        let mut seen = Vec::new();
        let slots = self.resolve_part(&m.part, scope, &mut seen)?;
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

fn kind_name(k: VarKind) -> &'static str {
    match k {
        VarKind::Node => "node",
        VarKind::Relationship => "relationship",
        VarKind::RelationshipList => "list of relationships",
        VarKind::Path => "path",
        VarKind::Value(Ty::Any) => "value",
        VarKind::Value(t) => t.name(),
    }
}
