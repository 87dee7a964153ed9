//! Binding expressions: every variable they read, the static types of their
//! operands, aggregations and functions, and the queries and patterns inside.

use crate::ast::{self, ExprKind, Span};
use crate::error::ErrorKind;

use super::super::scope::{Scope, VarKind};
use super::super::types::{self, Ty};
use super::{
    check_no_shadowing, contains_aggregate, err, is_aggregate_expr, is_load_csv_function, undefined, variable_in, walk,
    BResult, Binder, Ctx,
};
use crate::semantic::function_name;

impl Binder<'_> {
    pub(super) fn expr(&mut self, e: &ast::Expr, scope: &Scope, ctx: Ctx) -> BResult<()> {
        crate::stack::guarded(|| self.expr_inner(e, scope, ctx))
    }

    /// An expression in a boolean position (a pattern there asks whether it has a match).
    pub(super) fn predicate(&mut self, e: &ast::Expr, scope: &Scope, ctx: Ctx) -> BResult<()> {
        let ty = types::infer(e, scope);
        if !ty.may_be_boolean() && !matches!(e.kind, ExprKind::Pattern(_)) {
            return Err(err(
                "InvalidArgumentType",
                format!("expected a boolean here, but this is always a {}", ty.name()),
                e.span,
            ));
        }
        self.expr(e, scope, ctx)
    }

    fn opt(&mut self, e: Option<&ast::Expr>, scope: &Scope, ctx: Ctx) -> BResult<()> {
        match e {
            Some(e) => self.expr(e, scope, ctx),
            None => Ok(()),
        }
    }

    fn expr_inner(&mut self, e: &ast::Expr, scope: &Scope, ctx: Ctx) -> BResult<()> {
        if ctx.subst.contains(e) {
            return Ok(());
        }
        match &e.kind {
            ExprKind::Literal(_) | ExprKind::Parameter(_) => {}
            ExprKind::Variable(v) => {
                if ctx.strict {
                    return Err(err(
                        "AmbiguousAggregationExpression",
                        format!(
                            "`{v}` is used next to an aggregation but is not a grouping key; project it on its own as well"
                        ),
                        e.span,
                    ));
                }
                if scope.lookup(v).is_none() {
                    return Err(undefined(v, e.span, scope));
                }
            }
            ExprKind::List(items) => {
                for i in items {
                    self.expr(i, scope, ctx)?;
                }
            }
            ExprKind::Map(items) => {
                for (_, v) in items {
                    self.expr(v, scope, ctx)?;
                }
            }
            ExprKind::Property(base, key) => {
                match types::infer(base, scope) {
                    Ty::Path => {
                        return Err(err(
                            "InvalidArgumentType",
                            format!("a path has no properties (reading `.{}`)", key.name),
                            e.span,
                        ))
                    }
                    t @ (Ty::Bool | Ty::Int | Ty::Float | Ty::String | Ty::List) => {
                        return Err(err(
                            "InvalidArgumentType",
                            format!("a {} has no properties (reading `.{}`)", t.name(), key.name),
                            e.span,
                        )
                        .of_kind(ErrorKind::TypeError))
                    }
                    _ => {}
                }
                self.expr(base, scope, ctx)?;
            }
            ExprKind::Index(a, b) => {
                self.expr(a, scope, ctx)?;
                self.expr(b, scope, ctx)?;
            }
            ExprKind::Slice(a, b, c) => {
                self.expr(a, scope, ctx)?;
                self.opt(b.as_deref(), scope, ctx)?;
                self.opt(c.as_deref(), scope, ctx)?;
            }
            ExprKind::Unary(ast::UnaryOp::Not, a) => self.predicate(a, scope, ctx)?,
            ExprKind::Unary(_, a) => self.expr(a, scope, ctx)?,
            ExprKind::Binary(ast::BinaryOp::And | ast::BinaryOp::Or | ast::BinaryOp::Xor, a, b) => {
                self.predicate(a, scope, ctx)?;
                self.predicate(b, scope, ctx)?;
            }
            ExprKind::Binary(op, a, b) => {
                if *op == ast::BinaryOp::In {
                    let t = types::infer(b, scope);
                    if !matches!(t, Ty::Any | Ty::Null | Ty::List) {
                        return Err(err(
                            "InvalidArgumentType",
                            format!("IN needs a list on its right, but this is always a {}", t.name()),
                            b.span,
                        ));
                    }
                }
                if matches!(
                    op,
                    ast::BinaryOp::Sub
                        | ast::BinaryOp::Mul
                        | ast::BinaryOp::Div
                        | ast::BinaryOp::Mod
                        | ast::BinaryOp::Pow
                ) {
                    for side in [a, b] {
                        let t = types::infer(side, scope);
                        if !t.may_be_number() {
                            return Err(err(
                                "InvalidArgumentType",
                                format!(
                                    "arithmetic needs numbers (or temporal values), but this is always a {}",
                                    t.name()
                                ),
                                side.span,
                            ));
                        }
                    }
                }
                self.expr(a, scope, ctx)?;
                self.expr(b, scope, ctx)?;
            }
            ExprKind::IsNull(a, _) | ExprKind::IsType(a, ..) => self.expr(a, scope, ctx)?,
            ExprKind::HasLabels(a, labels) => {
                self.expr(a, scope, ctx)?;
                if labels.as_conjunction().is_none() {
                    self.label_expr(labels, scope)?;
                }
            }
            ExprKind::IsNormalized(a, ..) => {
                let t = types::infer(a, scope);
                if !matches!(t, Ty::Any | Ty::Null | Ty::String) {
                    return Err(err(
                        "InvalidArgumentType",
                        format!("IS NORMALIZED needs a string, but this is always a {}", t.name()),
                        a.span,
                    ));
                }
                self.expr(a, scope, ctx)?;
            }
            ExprKind::CountSubquery(q) => self.expression_subquery(q, scope, "COUNT", e.span)?,
            ExprKind::CollectSubquery(q) => self.expression_subquery(q, scope, "COLLECT", e.span)?,
            ExprKind::CountStar | ExprKind::FunctionCall { .. } if is_aggregate_expr(e) => {
                self.aggregate(e, scope, ctx)?
            }
            ExprKind::CountStar => unreachable!("count(*) is an aggregate"),
            ExprKind::FunctionCall { name, distinct, args } if is_load_csv_function(name) => {
                if *distinct || !args.is_empty() {
                    return Err(err(
                        "InvalidNumberOfArguments",
                        format!("function `{}` takes no arguments", function_name(name)),
                        e.span,
                    ));
                }
            }
            ExprKind::FunctionCall { name, distinct, args } => {
                self.function(name, *distinct, args, scope, ctx, e.span)?
            }
            ExprKind::Case { operand, whens, else_ } => {
                self.opt(operand.as_deref(), scope, ctx)?;
                for (w, t) in whens {
                    self.expr(w, scope, ctx)?;
                    self.expr(t, scope, ctx)?;
                }
                self.opt(else_.as_deref(), scope, ctx)?;
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                let elem = types::element_type(list, scope);
                self.expr(list, scope, ctx)?;
                let mut inner = scope.clone();
                inner.bind(&variable.name, VarKind::Value(elem));
                if let Some(p) = predicate {
                    self.local(p, &inner, ctx)?;
                }
                if let Some(p) = projection {
                    self.local(p, &inner, ctx)?;
                }
            }
            ExprKind::Quantified {
                variable,
                list,
                predicate,
                ..
            } => {
                let elem = types::element_type(list, scope);
                self.expr(list, scope, ctx)?;
                let mut inner = scope.clone();
                inner.bind(&variable.name, VarKind::Value(elem));
                let Some(p) = predicate else {
                    return Err(err("UnexpectedSyntax", "a quantifier needs a WHERE predicate", e.span));
                };
                self.local(p, &inner, ctx)?;
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                self.expr(init, scope, ctx)?;
                self.expr(list, scope, ctx)?;
                let mut inner = scope.clone();
                inner.bind(&accumulator.name, VarKind::Value(Ty::Any));
                inner.bind(&variable.name, VarKind::Value(Ty::Any));
                self.local(expr, &inner, ctx)?;
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                let mut inner = scope.clone();
                let part = ast::PatternPart {
                    variable: variable.clone(),
                    kind: ast::PathKind::Normal,
                    selector: None,
                    element: pattern.clone(),
                    span: pattern.span,
                };
                self.pattern_match(&ast::Pattern { parts: vec![part] }, predicate.as_deref(), &mut inner)?;
                self.local(projection, &inner, ctx)?;
            }
            ExprKind::Pattern(element) => {
                // A pattern used as an expression may not introduce new named variables.
                for v in element.nodes().filter_map(|n| n.variable.as_ref()) {
                    variable_in(v, scope)?;
                }
                for v in element.rels().into_iter().filter_map(|r| r.variable.as_ref()) {
                    variable_in(v, scope)?;
                }
                let mut inner = scope.clone();
                let part = ast::PatternPart {
                    variable: None,
                    kind: ast::PathKind::Normal,
                    selector: None,
                    element: element.clone(),
                    span: element.span,
                };
                self.pattern_match(&ast::Pattern { parts: vec![part] }, None, &mut inner)?;
            }
            ExprKind::Exists(q) if !q.unions.is_empty() => self.expression_subquery(q, scope, "EXISTS", e.span)?,
            ExprKind::Exists(q) => {
                check_no_shadowing(q, scope)?;
                let saved = self.writes;
                self.exists_body(&q.first, scope)?;
                if self.writes && !saved {
                    return Err(err(
                        "InvalidClauseComposition",
                        "EXISTS { } cannot contain clauses that write",
                        e.span,
                    ));
                }
            }
            ExprKind::MapProjection { variable, items } => {
                variable_in(variable, scope)?;
                for i in items {
                    match i {
                        ast::MapProjectionItem::Literal(_, v) => self.expr(v, scope, ctx)?,
                        ast::MapProjectionItem::Variable(v) => variable_in(v, scope)?,
                        ast::MapProjectionItem::Property(_) | ast::MapProjectionItem::AllProperties => {}
                    }
                }
            }
        }
        Ok(())
    }

    /// A sub-expression whose scope adds local variables (comprehensions):
    /// aggregates and grouping substitutions don't reach inside.
    fn local(&mut self, e: &ast::Expr, scope: &Scope, ctx: Ctx) -> BResult<()> {
        if contains_aggregate(e) {
            return Err(err(
                "InvalidAggregation",
                "aggregations are not allowed inside list comprehensions, quantifiers or reduce",
                e.span,
            ));
        }
        self.expr(e, scope, Ctx::at(ctx.place))
    }

    fn aggregate(&mut self, e: &ast::Expr, scope: &Scope, ctx: Ctx) -> BResult<()> {
        if !ctx.aggregates {
            return Err(err(
                "InvalidAggregation",
                format!(
                    "aggregations are not allowed in {}",
                    if ctx.place.is_empty() { "this place" } else { ctx.place }
                ),
                e.span,
            )
            .with_hint("aggregate in a WITH or RETURN, then use the result"));
        }
        let ExprKind::FunctionCall { name, args, .. } = &e.kind else {
            return Ok(()); // count(*)
        };
        check_function(&function_name(name), args.len(), e.span)?;
        for a in args {
            let mut volatile = false;
            walk(a, &mut |x| {
                if let ExprKind::FunctionCall { name, .. } = &x.kind {
                    volatile |= crate::functions::is_nondeterministic(&function_name(name));
                }
            });
            if volatile {
                return Err(err(
                    "NonConstantExpression",
                    "an aggregation cannot take a value that changes on every call, like rand()",
                    a.span,
                ));
            }
            if contains_aggregate(a) {
                return Err(err(
                    "NestedAggregation",
                    "an aggregation cannot contain another aggregation",
                    a.span,
                ));
            }
            self.expr(a, scope, Ctx::at("an aggregation"))?;
        }
        Ok(())
    }

    fn function(
        &mut self,
        name: &[ast::Ident],
        distinct: bool,
        args: &[ast::Expr],
        scope: &Scope,
        ctx: Ctx,
        span: Span,
    ) -> BResult<()> {
        let fname = function_name(name);
        if distinct {
            return Err(err(
                "InvalidAggregation",
                format!("DISTINCT is only allowed in aggregate functions, not in `{fname}`"),
                span,
            ));
        }
        check_function(&fname, args.len(), span)?;
        if let Some(a) = args.first() {
            let t = types::infer(a, scope);
            if types::function_rejects(&fname, t) {
                return Err(err(
                    "InvalidArgumentType",
                    format!("{fname}() cannot take a {}", t.name()),
                    a.span,
                ));
            }
        }
        if fname == "exists" {
            return match &args[0].kind {
                ExprKind::Pattern(_) | ExprKind::Property(..) => self.expr(&args[0], scope, ctx),
                _ => Err(err(
                    "InvalidArgumentType",
                    "exists() takes a property (`n.prop`) or a pattern",
                    span,
                )),
            };
        }
        if fname == "normalize" && args.len() == 2 {
            // The form is written as a bare name: `normalize(s, NFD)`.
            if let ExprKind::Variable(v) = &args[1].kind {
                if scope.lookup(v).is_none() {
                    if crate::functions::scalar::normal_form(v).is_none() {
                        return Err(err(
                            "InvalidArgumentValue",
                            format!("`{v}` is not a normal form; use NFC, NFD, NFKC or NFKD"),
                            args[1].span,
                        ));
                    }
                    return self.expr(&args[0], scope, ctx);
                }
            }
        }
        for a in args {
            self.expr(a, scope, ctx)?;
        }
        Ok(())
    }

    /// A label expression used as a predicate (`:A|B`, `:!A`, `:$(x)`).
    pub(super) fn label_expr(&mut self, l: &ast::LabelExpr, scope: &Scope) -> BResult<()> {
        use ast::LabelExprKind as K;
        match &l.kind {
            K::Label(_) | K::Wildcard => Ok(()),
            K::Dynamic { expr, .. } => {
                let t = types::infer(expr, scope);
                if !matches!(t, Ty::Any | Ty::Null | Ty::String | Ty::List) {
                    return Err(err(
                        "InvalidArgumentType",
                        format!(
                            "a dynamic label or type must be a string or a list of strings, not a {}",
                            t.name()
                        ),
                        expr.span,
                    ));
                }
                self.expr(expr, scope, Ctx::at("a dynamic label"))
            }
            K::Not(x) => self.label_expr(x, scope),
            K::And(xs) | K::Colon(xs) | K::Or(xs) => {
                for x in xs {
                    self.label_expr(x, scope)?;
                }
                Ok(())
            }
        }
    }
}

/// The built-in function `name`, checked to take `nargs` arguments.
pub(crate) fn check_function(name: &str, nargs: usize, span: Span) -> BResult<&'static crate::functions::FunctionDef> {
    let Some(def) = crate::functions::lookup(name) else {
        let mut e = err("UnknownFunction", format!("unknown function `{name}`"), span);
        let best = crate::functions::FUNCTIONS
            .iter()
            .min_by_key(|f| crate::error::edit_distance(&f.key(), name));
        if let Some(f) = best.filter(|f| crate::error::edit_distance(&f.key(), name) <= 2) {
            e.hint = Some(format!("did you mean `{}`?", f.name));
        }
        return Err(e);
    };
    if !def.accepts(nargs) {
        return Err(err(
            "InvalidNumberOfArguments",
            format!(
                "function `{}` takes {} argument(s), {nargs} given",
                def.name,
                def.arity_text()
            ),
            span,
        ));
    }
    Ok(def)
}
