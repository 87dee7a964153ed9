//! Planning WITH and RETURN: projection, grouping and aggregation, DISTINCT,
//! ORDER BY, SKIP and LIMIT.

use crate::ast::{self, ExprKind, Span};
use crate::value::Value;

use super::expr::Expr;
use super::planner::{contains_aggregate, ExprCtx, PResult, PlanError, Planner};
use super::scope::{Scope, VarKind};
use super::types::Ty;
use super::Op;

impl<'a> Planner<'a> {
    /// Returns the operators, the scope after the projection, and the column names.
    pub(super) fn plan_projection(
        &mut self,
        proj: &ast::Projection,
        scope: &Scope,
        is_return: bool,
        where_: Option<&ast::Expr>,
        span: Span,
    ) -> PResult<(Vec<Op>, Scope, Vec<String>)> {
        let clause = if is_return { "RETURN" } else { "WITH" };
        let mut items: Vec<ast::ProjectionItem> = Vec::new();
        if proj.star {
            let mut names = scope.names();
            names.retain(|n| !n.starts_with(' '));
            if is_return && names.is_empty() && proj.items.is_empty() {
                return Err(PlanError::syntax(
                    "NoVariablesInScope",
                    format!("{clause} * has no variables to project"),
                    span,
                ));
            }
            names.sort();
            for n in names {
                items.push(ast::ProjectionItem {
                    expr: ast::Expr::new(ExprKind::Variable(n.clone()), span),
                    alias: None,
                    text: n,
                });
            }
        }
        items.extend(proj.items.iter().cloned());
        let names: Vec<String> = items.iter().map(|i| i.name().to_string()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(PlanError::syntax(
                    "ColumnNameConflict",
                    format!("the column name `{n}` is used twice in {clause}"),
                    items[i].expr.span,
                )
                .with_hint("give one of them another name with AS"));
            }
        }
        let aggregating = items.iter().any(|i| contains_aggregate(&i.expr));
        let k = items.len();
        let mut ops = Vec::new();
        let mut new_scope = Scope::new();
        // Expressions now available in a slot, for ORDER BY to refer to.
        let mut subst: Vec<(ast::Expr, usize)> = Vec::new();
        let mut keep = false;

        if aggregating {
            let keys: Vec<&ast::ProjectionItem> = items.iter().filter(|i| !contains_aggregate(&i.expr)).collect();
            let mut key_exprs = Vec::new();
            let mut key_subst: Vec<(ast::Expr, usize)> = Vec::new();
            for (j, key) in keys.iter().enumerate() {
                key_exprs.push(self.compile(
                    &key.expr,
                    scope,
                    &mut ExprCtx {
                        place: clause,
                        ..Default::default()
                    },
                )?);
                // Only simple keys may be reused inside an aggregating expression.
                let simple = match &key.expr.kind {
                    ExprKind::Variable(_) => true,
                    ExprKind::Property(b, _) => matches!(b.kind, ExprKind::Variable(_)),
                    _ => false,
                };
                if simple {
                    key_subst.push((key.expr.clone(), j));
                }
                if let Some(a) = &key.alias {
                    key_subst.push((ast::Expr::new(ExprKind::Variable(a.name.clone()), a.span), j));
                }
            }
            let nkeys = keys.len();
            let mut calls = Vec::new();
            let mut out = Vec::new();
            let mut key_index = 0;
            for it in &items {
                if contains_aggregate(&it.expr) {
                    let mut ctx = ExprCtx {
                        subst: &key_subst,
                        aggregates: Some((nkeys, &mut calls)),
                        strict: true,
                        place: clause,
                    };
                    out.push(self.compile(&it.expr, scope, &mut ctx)?);
                } else {
                    out.push(Expr::Slot(key_index));
                    key_index += 1;
                }
            }
            ops.push(Op::Aggregate {
                keys: key_exprs,
                aggregates: calls,
            });
            ops.push(Op::Project {
                exprs: out,
                keep: false,
            });
        } else {
            let mut exprs = Vec::new();
            for it in &items {
                exprs.push(self.compile(
                    &it.expr,
                    scope,
                    &mut ExprCtx {
                        place: clause,
                        ..Default::default()
                    },
                )?);
            }
            // ORDER BY and WITH's WHERE may still see the variables before the projection.
            let need_old = (!proj.order_by.is_empty() && !proj.distinct) || where_.is_some();
            ops.push(Op::Project { exprs, keep: need_old });
            if need_old {
                keep = true;
                // The old row follows the k new columns.
                for name in scope.names() {
                    if let Some((slot, kind)) = scope.get(&name) {
                        new_scope.alias(&name, k + slot, kind);
                    }
                }
                new_scope.width = k + scope.width;
            }
        }

        // The new columns shadow old names.
        let mut named = Scope::new();
        for (i, it) in items.iter().enumerate() {
            let kind = match &it.expr.kind {
                ExprKind::Variable(v) => scope.get(v).map_or(VarKind::Value(Ty::Any), |(_, k)| k),
                _ => VarKind::Value(super::types::infer(&it.expr, scope)),
            };
            named.alias(it.name(), i, kind);
            subst.push((it.expr.clone(), i));
            if let Some(a) = &it.alias {
                subst.push((ast::Expr::new(ExprKind::Variable(a.name.clone()), a.span), i));
            }
        }
        named.width = k;
        let mut sort_scope = new_scope.clone();
        for n in named.names() {
            if let Some((slot, kind)) = named.get(&n) {
                sort_scope.alias(&n, slot, kind);
            }
        }
        sort_scope.width = sort_scope.width.max(k);

        // WITH ... WHERE filters before DISTINCT when it can see the old variables.
        let early_where = where_.is_some() && !aggregating && proj.skip.is_none() && proj.limit.is_none();
        if let (true, Some(w)) = (early_where, where_) {
            let e = self.compile_predicate(
                w,
                &sort_scope,
                &mut ExprCtx {
                    subst: &subst,
                    place: "WHERE",
                    ..Default::default()
                },
            )?;
            ops.push(Op::Filter(e));
        }
        if proj.distinct {
            ops.push(Op::Distinct { width: k });
        }
        let mut sort = None;
        if !proj.order_by.is_empty() {
            let mut keys = Vec::new();
            for s in &proj.order_by {
                let e = self.plan_sort_key(
                    &s.expr,
                    &items,
                    &subst,
                    &sort_scope,
                    &named,
                    aggregating || proj.distinct,
                )?;
                keys.push((e, s.descending));
            }
            sort = Some(keys);
        }
        let skip = match &proj.skip {
            Some(s) => Some(self.constant_count(s, "SKIP")?),
            None => None,
        };
        let limit = match &proj.limit {
            Some(l) => Some(self.constant_count(l, "LIMIT")?),
            None => None,
        };
        match (sort, &limit) {
            // Only the first SKIP + LIMIT rows in order are ever needed.
            (Some(keys), Some(limit)) => ops.push(Op::Top {
                keys,
                limit: limit.clone(),
                skip: skip.clone(),
            }),
            (Some(keys), None) => ops.push(Op::Sort(keys)),
            (None, _) => {}
        }
        if let Some(s) = skip {
            ops.push(Op::Skip(s));
        }
        if let Some(l) = limit {
            ops.push(Op::Limit(l));
        }
        if let (false, Some(w)) = (early_where, where_) {
            let scope_for_where = if aggregating { &named } else { &sort_scope };
            let e = self.compile_predicate(
                w,
                scope_for_where,
                &mut ExprCtx {
                    subst: &subst,
                    place: "WHERE",
                    ..Default::default()
                },
            )?;
            ops.push(Op::Filter(e));
        }
        if keep {
            ops.push(Op::Truncate(k));
        }
        for it in &items {
            if !is_return && it.alias.is_none() && !matches!(it.expr.kind, ExprKind::Variable(_)) {
                return Err(PlanError::syntax(
                    "NoExpressionAlias",
                    format!("expression `{}` in WITH needs a name", it.text),
                    it.expr.span,
                )
                .with_hint(format!("write `{} AS name`", it.text)));
            }
        }
        if is_return {
            ops.push(Op::Produce(names.clone()));
        }
        Ok((ops, named, names))
    }

    /// Compiles one ORDER BY key. After DISTINCT or an aggregation only what the
    /// projection returns is visible; an aggregate may appear only as returned,
    /// and next to it only returned variables or their properties.
    fn plan_sort_key(
        &mut self,
        e: &ast::Expr,
        items: &[ast::ProjectionItem],
        subst: &[(ast::Expr, usize)],
        sort_scope: &Scope,
        named: &Scope,
        restricted: bool,
    ) -> PResult<Expr> {
        if let Some((_, slot)) = subst.iter().find(|(x, _)| x == e) {
            return Ok(Expr::Slot(*slot));
        }
        if restricted && contains_aggregate(e) {
            let mut unknown: Option<ast::Expr> = None;
            let mut foreign_aggregate: Option<ast::Expr> = None;
            super::planner::visit(e, &mut |x| {
                // What the projection returns is available whatever it mentions.
                if items.iter().any(|i| i.expr == *x) {
                    return false;
                }
                if let ExprKind::Variable(v) = &x.kind {
                    if named.lookup(v).is_none() && unknown.is_none() {
                        unknown = Some(x.clone());
                    }
                }
                if super::planner::is_aggregate_expr(x)
                    && !items.iter().any(|i| i.expr == *x)
                    && foreign_aggregate.is_none()
                {
                    foreign_aggregate = Some(x.clone());
                }
                true
            });
            // A returned expression that is more than a name or a property cannot be
            // combined with an aggregation.
            let mut complex_reuse = None;
            super::planner::walk(e, &mut |x| {
                let complex = !matches!(&x.kind, ExprKind::Variable(_) | ExprKind::Property(..))
                    && !super::planner::is_aggregate_expr(x);
                if complex && x != e && complex_reuse.is_none() && items.iter().any(|i| i.expr == *x) {
                    complex_reuse = Some(x.clone());
                }
            });
            if let Some(x) = complex_reuse {
                return Err(PlanError::syntax(
                    "AmbiguousAggregationExpression",
                    "an expression next to an aggregation in ORDER BY may only use returned names and their properties",
                    x.span,
                )
                .with_hint("return the whole expression under a name and order by that name"));
            }
            if let Some(u) = unknown {
                return Err(super::planner::undefined(
                    match &u.kind {
                        ExprKind::Variable(v) => v,
                        _ => "",
                    },
                    u.span,
                    named,
                ));
            }
            if let Some(agg) = foreign_aggregate {
                if let Some(u) = unknown {
                    return Err(super::planner::undefined(
                        match &u.kind {
                            ExprKind::Variable(v) => v,
                            _ => "",
                        },
                        u.span,
                        named,
                    ));
                }
                return Err(PlanError::syntax(
                    "InvalidAggregation",
                    "ORDER BY can only use an aggregation that the projection returns",
                    agg.span,
                )
                .with_hint("return the aggregation with a name, then order by that name"));
            }
            // Only returned names and their properties may stand next to a returned aggregate.
            let simple: Vec<(ast::Expr, usize)> = subst
                .iter()
                .filter(|(x, _)| {
                    super::planner::is_aggregate_expr(x)
                        || match &x.kind {
                            ExprKind::Variable(_) => true,
                            ExprKind::Property(b, _) => matches!(b.kind, ExprKind::Variable(_)),
                            _ => false,
                        }
                })
                .cloned()
                .collect();
            let mut ctx = ExprCtx {
                subst: &simple,
                strict: true,
                place: "ORDER BY",
                ..Default::default()
            };
            return self.compile(e, sort_scope, &mut ctx);
        }
        self.compile(
            e,
            sort_scope,
            &mut ExprCtx {
                subst,
                place: "ORDER BY",
                ..Default::default()
            },
        )
    }

    /// SKIP and LIMIT take a non-negative integer known before the query runs.
    pub(super) fn constant_count(&mut self, e: &ast::Expr, clause: &'static str) -> PResult<Expr> {
        let mut uses_vars = false;
        super::planner::walk(e, &mut |x| {
            if matches!(x.kind, ExprKind::Variable(_) | ExprKind::Pattern(_)) {
                uses_vars = true;
            }
        });
        if uses_vars {
            return Err(PlanError::syntax(
                "NonConstantExpression",
                format!("{clause} needs a value known before the query runs, not one that depends on rows"),
                e.span,
            ));
        }
        let compiled = self.compile(
            e,
            &Scope::new(),
            &mut ExprCtx {
                place: clause,
                ..Default::default()
            },
        )?;
        if let Expr::Const(v) = &compiled {
            check_count(v, clause, e.span)?;
        }
        Ok(compiled)
    }
}

/// Checks a SKIP/LIMIT value (also used at runtime for parameters).
pub(crate) fn check_count(v: &Value, clause: &str, span: Span) -> PResult<()> {
    match v {
        Value::Int(i) if *i < 0 => Err(PlanError::syntax(
            "NegativeIntegerArgument",
            format!("{clause} cannot be negative: {i}"),
            span,
        )),
        Value::Int(_) => Ok(()),
        other => Err(PlanError::syntax(
            "InvalidArgumentType",
            format!("{clause} needs an integer, got {}", other.type_name()),
            span,
        )),
    }
}
