//! Binding WITH and RETURN: the new scope they make, grouping and
//! aggregation, ORDER BY's two scopes, SKIP and LIMIT.

use crate::ast::{self, ExprKind, Span};

use super::super::scope::{Scope, VarKind};
use super::super::types::{self, Ty};
use super::{
    check_count, constant, contains_aggregate, err, is_aggregate_expr, undefined, visit, walk, BResult, Binder, Ctx,
};

/// A grouping key that may be reused inside an aggregating expression.
fn simple_key(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Variable(_) => true,
        ExprKind::Property(b, _) => matches!(b.kind, ExprKind::Variable(_)),
        _ => false,
    }
}

fn alias_var(a: &ast::Ident) -> ast::Expr {
    ast::Expr::new(ExprKind::Variable(a.name.clone()), a.span)
}

/// The items of a projection, `*` written out: the variables in scope (hidden ones
/// aside) in name order, then the items written.
pub(crate) fn projection_items(proj: &ast::Projection, scope: &Scope, span: Span) -> Vec<ast::ProjectionItem> {
    let mut items = Vec::new();
    if proj.star {
        let mut names = scope.names();
        names.retain(|n| !n.starts_with(' '));
        names.sort();
        items.extend(names.into_iter().map(|n| ast::ProjectionItem {
            expr: ast::Expr::new(ExprKind::Variable(n.clone()), span),
            alias: None,
            text: n,
        }));
    }
    items.extend(proj.items.iter().cloned());
    items
}

impl Binder<'_> {
    /// Returns the scope after the projection and the column names.
    pub(super) fn projection(
        &mut self,
        proj: &ast::Projection,
        scope: &Scope,
        is_return: bool,
        where_: Option<&ast::Expr>,
        span: Span,
    ) -> BResult<(Scope, Vec<String>)> {
        let clause = if is_return { "RETURN" } else { "WITH" };
        let items = projection_items(proj, scope, span);
        if is_return && proj.star && items.is_empty() {
            return Err(err(
                "NoVariablesInScope",
                format!("{clause} * has no variables to project"),
                span,
            ));
        }
        let names: Vec<String> = items.iter().map(|i| i.name().to_string()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                return Err(err(
                    "ColumnNameConflict",
                    format!("the column name `{n}` is used twice in {clause}"),
                    items[i].expr.span,
                )
                .with_hint("give one of them another name with AS"));
            }
        }
        let aggregating = items.iter().any(|i| contains_aggregate(&i.expr));
        // The variables before the projection that ORDER BY and WHERE still see.
        let mut old = Scope::new();
        if aggregating {
            let mut key_subst = Vec::new();
            for key in items.iter().filter(|i| !contains_aggregate(&i.expr)) {
                self.expr(&key.expr, scope, Ctx::at(clause))?;
                if simple_key(&key.expr) {
                    key_subst.push(key.expr.clone());
                }
                if let Some(a) = &key.alias {
                    key_subst.push(alias_var(a));
                }
            }
            for it in items.iter().filter(|i| contains_aggregate(&i.expr)) {
                let ctx = Ctx {
                    subst: &key_subst,
                    aggregates: true,
                    strict: true,
                    place: clause,
                };
                self.expr(&it.expr, scope, ctx)?;
            }
        } else {
            for it in &items {
                self.expr(&it.expr, scope, Ctx::at(clause))?;
            }
            if (!proj.order_by.is_empty() && !proj.distinct) || where_.is_some() {
                old = scope.clone();
            }
        }

        // The new columns shadow old names.
        let mut named = Scope::new();
        let mut subst: Vec<ast::Expr> = Vec::new();
        for it in &items {
            let kind = match &it.expr.kind {
                ExprKind::Variable(v) => scope.get(v).map_or(VarKind::Value(Ty::Any), |(_, k)| k),
                _ => VarKind::Value(types::infer(&it.expr, scope)),
            };
            named.bind(it.name(), kind);
            subst.push(it.expr.clone());
            if let Some(a) = &it.alias {
                subst.push(alias_var(a));
            }
        }
        let mut sort_scope = old;
        for n in named.names() {
            if let Some((slot, kind)) = named.get(&n) {
                sort_scope.alias(&n, slot, kind);
            }
        }

        let early_where = where_.is_some() && !aggregating && proj.skip.is_none() && proj.limit.is_none();
        if let (true, Some(w)) = (early_where, where_) {
            let ctx = Ctx {
                subst: &subst,
                ..Ctx::at("WHERE")
            };
            self.predicate(w, &sort_scope, ctx)?;
        }
        for s in &proj.order_by {
            self.sort_key(
                &s.expr,
                &items,
                &subst,
                &sort_scope,
                &named,
                aggregating || proj.distinct,
            )?;
        }
        if let Some(s) = &proj.skip {
            self.constant_count(s, "SKIP")?;
        }
        if let Some(l) = &proj.limit {
            self.constant_count(l, "LIMIT")?;
        }
        if let (false, Some(w)) = (early_where, where_) {
            let scope_for_where = if aggregating { &named } else { &sort_scope };
            let ctx = Ctx {
                subst: &subst,
                ..Ctx::at("WHERE")
            };
            self.predicate(w, scope_for_where, ctx)?;
        }
        for it in &items {
            if !is_return && it.alias.is_none() && !matches!(it.expr.kind, ExprKind::Variable(_)) {
                return Err(err(
                    "NoExpressionAlias",
                    format!("expression `{}` in WITH needs a name", it.text),
                    it.expr.span,
                )
                .with_hint(format!("write `{} AS name`", it.text)));
            }
        }
        Ok((named, names))
    }

    /// One ORDER BY key. After DISTINCT or an aggregation only what the
    /// projection returns is visible; an aggregate may appear only as returned,
    /// and next to it only returned variables or their properties.
    fn sort_key(
        &mut self,
        e: &ast::Expr,
        items: &[ast::ProjectionItem],
        subst: &[ast::Expr],
        sort_scope: &Scope,
        named: &Scope,
        restricted: bool,
    ) -> BResult<()> {
        if subst.contains(e) {
            return Ok(());
        }
        if !(restricted && contains_aggregate(e)) {
            let ctx = Ctx {
                subst,
                ..Ctx::at("ORDER BY")
            };
            return self.expr(e, sort_scope, ctx);
        }
        let mut unknown: Option<ast::Expr> = None;
        let mut foreign_aggregate: Option<ast::Expr> = None;
        visit(e, &mut |x| {
            // What the projection returns is available whatever it mentions.
            if items.iter().any(|i| i.expr == *x) {
                return false;
            }
            if let ExprKind::Variable(v) = &x.kind {
                if named.lookup(v).is_none() && unknown.is_none() {
                    unknown = Some(x.clone());
                }
            }
            if is_aggregate_expr(x) && foreign_aggregate.is_none() {
                foreign_aggregate = Some(x.clone());
            }
            true
        });
        // A returned expression that is more than a name or a property cannot be
        // combined with an aggregation.
        let mut complex_reuse = None;
        walk(e, &mut |x| {
            let complex = !matches!(&x.kind, ExprKind::Variable(_) | ExprKind::Property(..)) && !is_aggregate_expr(x);
            if complex && x != e && complex_reuse.is_none() && items.iter().any(|i| i.expr == *x) {
                complex_reuse = Some(x.clone());
            }
        });
        if let Some(x) = complex_reuse {
            return Err(err(
                "AmbiguousAggregationExpression",
                "an expression next to an aggregation in ORDER BY may only use returned names and their properties",
                x.span,
            )
            .with_hint("return the whole expression under a name and order by that name"));
        }
        if let Some(u) = unknown {
            let ExprKind::Variable(v) = &u.kind else {
                unreachable!("only variables are kept")
            };
            return Err(undefined(v, u.span, named));
        }
        if let Some(agg) = foreign_aggregate {
            return Err(err(
                "InvalidAggregation",
                "ORDER BY can only use an aggregation that the projection returns",
                agg.span,
            )
            .with_hint("return the aggregation with a name, then order by that name"));
        }
        // Only returned names and their properties may stand next to a returned aggregate.
        let simple: Vec<ast::Expr> = subst
            .iter()
            .filter(|x| is_aggregate_expr(x) || simple_key(x))
            .cloned()
            .collect();
        let ctx = Ctx {
            subst: &simple,
            strict: true,
            ..Ctx::at("ORDER BY")
        };
        self.expr(e, sort_scope, ctx)
    }

    /// SKIP, LIMIT and the counts of IN TRANSACTIONS take a non-negative
    /// integer known before the query runs.
    pub(super) fn constant_count(&mut self, e: &ast::Expr, clause: &'static str) -> BResult<()> {
        let mut uses_vars = false;
        walk(e, &mut |x| {
            uses_vars |= matches!(x.kind, ExprKind::Variable(_) | ExprKind::Pattern(_));
        });
        if uses_vars {
            return Err(err(
                "NonConstantExpression",
                format!("{clause} needs a value known before the query runs, not one that depends on rows"),
                e.span,
            ));
        }
        self.expr(e, &Scope::new(), Ctx::at(clause))?;
        if let Some(v) = constant(e) {
            check_count(&v, clause, e.span)?;
        }
        Ok(())
    }
}
