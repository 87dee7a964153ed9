//! Binding patterns: MATCH (and the patterns of expressions), quantified
//! path patterns, CREATE and MERGE.

use crate::ast::{self, Direction, PathKind};

use super::super::scope::{Scope, VarKind};
use super::super::types::Ty;
use super::{err, kind_name, label_text, rel_range, selector_of, BResult, Binder, Ctx};

fn node_ok(k: VarKind) -> bool {
    matches!(k, VarKind::Node | VarKind::Value(Ty::Any | Ty::Null | Ty::Node))
}

impl Binder<'_> {
    /// A MATCH pattern (also OPTIONAL MATCH, and the patterns of
    /// expressions and comprehensions): its new variables are bound in `scope`.
    pub(super) fn pattern_match(
        &mut self,
        pattern: &ast::Pattern,
        where_: Option<&ast::Expr>,
        scope: &mut Scope,
    ) -> BResult<()> {
        let mut seen = Vec::new();
        for part in &pattern.parts {
            self.resolve_part(part, scope, &mut seen)?;
        }
        for part in &pattern.parts {
            self.part_expressions(part, scope)?;
        }
        // What is written inside the patterns is a predicate over the whole match.
        for part in &pattern.parts {
            for n in part.element.nodes() {
                if let Some(w) = &n.where_ {
                    self.predicate(w, scope, Ctx::at("WHERE"))?;
                }
            }
            for r in part.element.rels() {
                if let Some(w) = &r.where_ {
                    let mut inner = scope.clone();
                    if let (Some(v), Some(_)) = (&r.variable, rel_range(r)) {
                        // Holds for each relationship of a quantified one.
                        inner.bind(&v.name, VarKind::Value(Ty::Any));
                    }
                    self.predicate(w, &inner, Ctx::at("WHERE"))?;
                }
            }
        }
        if let Some(w) = where_ {
            self.predicate(w, scope, Ctx::at("WHERE"))?;
        }
        Ok(())
    }

    /// The expressions inside one part: property maps, label expressions,
    /// a selector's count.
    fn part_expressions(&mut self, part: &ast::PatternPart, scope: &Scope) -> BResult<()> {
        let shortest = part.kind != PathKind::Normal;
        let has_group = part
            .element
            .chain
            .iter()
            .any(|(s, _)| matches!(s, ast::PathStep::Group(_)));
        if shortest && (part.element.chain.len() != 1 || has_group) {
            return Err(err(
                "UnexpectedSyntax",
                "shortestPath and allShortestPaths take a pattern with exactly one relationship",
                part.span,
            ));
        }
        for n in part.element.nodes() {
            self.pattern_properties(n.properties.as_deref(), scope)?;
            if let Some(l) = &n.labels {
                self.node_labels(l, scope)?;
            }
        }
        for r in part.element.rels() {
            if let (None, Some(t)) = (r.type_names(), &r.types) {
                self.label_expr(t, scope)?;
            }
            self.pattern_properties(r.properties.as_deref(), scope)?;
        }
        if let Some(sel) = selector_of(part) {
            let ctx = Ctx::at("a path selector");
            match &sel.kind {
                ast::SelectorKind::Any(Some(k))
                | ast::SelectorKind::Shortest(k)
                | ast::SelectorKind::ShortestGroups(Some(k)) => self.expr(k, scope, ctx)?,
                _ => {}
            }
        }
        Ok(())
    }

    fn node_labels(&mut self, l: &ast::LabelExpr, scope: &Scope) -> BResult<()> {
        if l.as_conjunction().is_some() {
            return Ok(());
        }
        match &l.kind {
            ast::LabelExprKind::And(items) | ast::LabelExprKind::Colon(items) => {
                for i in items {
                    if !matches!(i.kind, ast::LabelExprKind::Label(_)) {
                        self.label_expr(i, scope)?;
                    }
                }
                Ok(())
            }
            _ => self.label_expr(l, scope),
        }
    }

    fn pattern_properties(&mut self, props: Option<&ast::Expr>, scope: &Scope) -> BResult<()> {
        let ctx = Ctx::at("a pattern");
        match props.map(|p| &p.kind) {
            None => Ok(()),
            Some(ast::ExprKind::Map(items)) => {
                for (_, v) in items {
                    self.expr(v, scope, ctx)?;
                }
                Ok(())
            }
            Some(_) => self.expr(props.expect("matched"), scope, ctx),
        }
    }

    /// Binds the new nodes, relationships and path of a part, checking the
    /// ones already bound are what the pattern needs.
    fn resolve_part(&mut self, part: &ast::PatternPart, scope: &mut Scope, seen: &mut Vec<String>) -> BResult<()> {
        resolve_node(&part.element.start, scope)?;
        for (step, n) in &part.element.chain {
            match step {
                ast::PathStep::Rel(r) => resolve_rel(r, scope, seen)?,
                ast::PathStep::Group(g) => self.group(g, scope, seen)?,
            }
            resolve_node(n, scope)?;
        }
        if let Some(v) = &part.variable {
            if scope.lookup(&v.name).is_some() {
                return Err(err(
                    "VariableAlreadyBound",
                    format!("variable `{}` is already declared; a path needs a new name", v.name),
                    v.span,
                ));
            }
            scope.bind(&v.name, VarKind::Path);
        }
        Ok(())
    }

    /// A quantified path pattern: its inner pattern is a match of its own
    /// (its WHERE inside); its variables are new, and lists outside it.
    fn group(&mut self, g: &ast::PathGroup, scope: &mut Scope, seen: &mut Vec<String>) -> BResult<()> {
        let mut names: Vec<ast::Ident> = Vec::new();
        for node in g.element.nodes() {
            if let Some(v) = &node.variable {
                if !names.contains(v) {
                    names.push(v.clone());
                }
            }
        }
        for r in g.element.rels() {
            if let Some(v) = &r.variable {
                if seen.contains(&v.name) {
                    return Err(err(
                        "RelationshipUniquenessViolation",
                        format!("relationship `{}` appears twice in one pattern", v.name),
                        v.span,
                    ));
                }
                seen.push(v.name.clone());
                names.push(v.clone());
            }
        }
        for v in &names {
            if scope.lookup(&v.name).is_some() {
                return Err(err(
                    "VariableAlreadyBound",
                    format!(
                        "variable `{}` is already declared; a variable inside a quantified path pattern must be new",
                        v.name
                    ),
                    v.span,
                ));
            }
        }
        let mut inner = scope.clone();
        if let Some(v) = &g.element.start.variable {
            inner.bind(&v.name, VarKind::Node);
        }
        let part = ast::PatternPart {
            variable: None,
            kind: PathKind::Normal,
            selector: None,
            element: g.element.clone(),
            span: g.span,
        };
        self.pattern_match(&ast::Pattern { parts: vec![part] }, g.where_.as_ref(), &mut inner)?;
        for v in &names {
            scope.bind(&v.name, VarKind::Value(Ty::List));
        }
        Ok(())
    }

    pub(super) fn create(&mut self, pattern: &ast::Pattern, scope: &mut Scope) -> BResult<()> {
        check_creatable(pattern, scope, false)?;
        let mut seen = Vec::new();
        for part in &pattern.parts {
            self.resolve_part(part, scope, &mut seen)?;
            self.created_part(part, scope)?;
        }
        Ok(())
    }

    pub(super) fn merge(&mut self, m: &ast::Merge, scope: &mut Scope) -> BResult<()> {
        let pattern = ast::Pattern {
            parts: vec![m.part.clone()],
        };
        check_creatable(&pattern, scope, true)?;
        self.resolve_part(&m.part, scope, &mut Vec::new())?;
        self.part_expressions(&m.part, scope)?;
        self.created_part(&m.part, scope)?;
        for a in &m.actions {
            self.set_items(&a.items, scope)?;
        }
        Ok(())
    }

    /// What CREATE (or MERGE) writes into the nodes and relationships it makes.
    fn created_part(&mut self, part: &ast::PatternPart, scope: &Scope) -> BResult<()> {
        let ctx = Ctx::at("CREATE");
        for n in part.element.nodes() {
            if let Some(p) = &n.properties {
                self.expr(p, scope, ctx)?;
            }
            self.created_labels(n.labels.as_ref(), scope, "CREATE")?;
        }
        for r in part.element.rels() {
            if let Some(p) = &r.properties {
                self.expr(p, scope, ctx)?;
            }
            if r.type_list().is_empty() {
                if let Some(ast::LabelExprKind::Dynamic { expr, .. }) = r.types.as_ref().map(|t| &t.kind) {
                    self.expr(expr, scope, ctx)?;
                }
            }
        }
        Ok(())
    }

    /// The labels CREATE, SET, REMOVE or MERGE give a node: names and dynamic
    /// labels (`:A:$(x)`, `:A&B`); no other label expression says what to write.
    pub(super) fn created_labels(&mut self, l: Option<&ast::LabelExpr>, scope: &Scope, clause: &str) -> BResult<()> {
        let Some(l) = l else { return Ok(()) };
        let place = match clause {
            "SET" => "SET",
            "REMOVE" => "REMOVE",
            "MERGE" => "MERGE",
            _ => "CREATE",
        };
        let mut stack = vec![l];
        while let Some(x) = stack.pop() {
            match &x.kind {
                ast::LabelExprKind::Label(_) => {}
                ast::LabelExprKind::Dynamic { expr, any: false } => self.expr(expr, scope, Ctx::at(place))?,
                ast::LabelExprKind::And(items) | ast::LabelExprKind::Colon(items) => stack.extend(items.iter().rev()),
                _ => {
                    return Err(err(
                        "InvalidLabelExpression",
                        format!(
                            "{clause} takes labels joined by `:` or `&` (and `$(...)`), not `{}`",
                            label_text(x)
                        ),
                        x.span,
                    ))
                }
            }
        }
        Ok(())
    }
}

fn resolve_node(n: &ast::NodePattern, scope: &mut Scope) -> BResult<()> {
    let Some(v) = &n.variable else { return Ok(()) };
    match scope.get(&v.name) {
        Some((_, kind)) if !node_ok(kind) => Err(err(
            "VariableTypeConflict",
            format!("`{}` is a {} and cannot be used as a node", v.name, kind_name(kind)),
            v.span,
        )),
        Some(_) => Ok(()),
        None => {
            scope.bind(&v.name, VarKind::Node);
            Ok(())
        }
    }
}

fn resolve_rel(r: &ast::RelPattern, scope: &mut Scope, seen: &mut Vec<String>) -> BResult<()> {
    let Some(v) = &r.variable else { return Ok(()) };
    if seen.contains(&v.name) {
        return Err(err(
            "RelationshipUniquenessViolation",
            format!(
                "relationship `{}` appears twice in one pattern, which can never match",
                v.name
            ),
            v.span,
        ));
    }
    seen.push(v.name.clone());
    let want = if rel_range(r).is_some() {
        VarKind::RelationshipList
    } else {
        VarKind::Relationship
    };
    match scope.get(&v.name) {
        Some((_, kind)) => {
            let ok = kind == want
                || matches!(kind, VarKind::Value(Ty::Any | Ty::Null))
                || (want == VarKind::Relationship && kind == VarKind::Value(Ty::Relationship))
                || (want == VarKind::RelationshipList && kind == VarKind::Value(Ty::List));
            if !ok {
                return Err(err(
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
            Ok(())
        }
        None => {
            scope.bind(&v.name, want);
            Ok(())
        }
    }
}

/// What CREATE and MERGE cannot create.
fn check_creatable(pattern: &ast::Pattern, scope: &Scope, merge: bool) -> BResult<()> {
    let clause = if merge { "MERGE" } else { "CREATE" };
    let mut local: Vec<&str> = Vec::new();
    for part in &pattern.parts {
        if part.kind != PathKind::Normal {
            return Err(err(
                "UnexpectedSyntax",
                format!("{clause} cannot create a shortest path"),
                part.span,
            ));
        }
        for n in part.element.nodes() {
            let Some(v) = &n.variable else { continue };
            let bound = scope.lookup(&v.name).is_some() || local.contains(&v.name.as_str());
            if !bound {
                local.push(&v.name);
                continue;
            }
            if let Some((_, k)) = scope.get(&v.name) {
                if !node_ok(k) {
                    return Err(err(
                        "VariableTypeConflict",
                        format!("`{}` is a {} and cannot be used as a node", v.name, kind_name(k)),
                        v.span,
                    ));
                }
            }
            let decorated = n.labels.is_some() || n.properties.is_some();
            if decorated || part.element.chain.is_empty() {
                return Err(err(
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
        }
        for r in part.element.rels() {
            if let Some(v) = &r.variable {
                if scope.lookup(&v.name).is_some() || local.contains(&v.name.as_str()) {
                    return Err(err(
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
            let dynamic_type =
                matches!(&r.types, Some(t) if matches!(t.kind, ast::LabelExprKind::Dynamic { any: false, .. }));
            if r.type_list().len() != 1 && !dynamic_type {
                return Err(err(
                    "NoSingleRelationshipType",
                    format!("{clause} needs exactly one relationship type, like -[:KNOWS]->"),
                    r.span,
                ));
            }
            if r.direction == Direction::Both && !merge {
                return Err(err(
                    "RequiresDirectedRelationship",
                    "CREATE needs a direction for each relationship: -[:T]-> or <-[:T]-",
                    r.span,
                ));
            }
            if rel_range(r).is_some() {
                return Err(err(
                    "CreatingVarLength",
                    format!("{clause} cannot create a variable-length relationship"),
                    r.span,
                ));
            }
        }
    }
    Ok(())
}
