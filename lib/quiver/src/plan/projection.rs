//! Planning WITH and RETURN: projection, grouping and aggregation, DISTINCT,
//! ORDER BY, SKIP and LIMIT.

use crate::ast::{self, ExprKind, Span};

use super::expr::Expr;
use super::planner::{contains_aggregate, ExprCtx, PResult, Planner};
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
        let items = crate::semantic::bind::projection_items(proj, scope, span);
        let names: Vec<String> = items.iter().map(|i| i.name().to_string()).collect();
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
                let e = self.plan_sort_key(&s.expr, &subst, &sort_scope, aggregating || proj.distinct)?;
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
        subst: &[(ast::Expr, usize)],
        sort_scope: &Scope,
        restricted: bool,
    ) -> PResult<Expr> {
        if let Some((_, slot)) = subst.iter().find(|(x, _)| x == e) {
            return Ok(Expr::Slot(*slot));
        }
        if restricted && contains_aggregate(e) {
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

    /// SKIP and LIMIT: a count known before the query runs (the binder checked).
    pub(super) fn constant_count(&mut self, e: &ast::Expr, clause: &'static str) -> PResult<Expr> {
        self.compile(
            e,
            &Scope::new(),
            &mut ExprCtx {
                place: clause,
                ..Default::default()
            },
        )
    }
}
