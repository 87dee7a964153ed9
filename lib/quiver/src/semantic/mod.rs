//! The semantic stage, between the parser and the planner: the rules of
//! path patterns and parameters that need no scope (this file), then the
//! binder ([`bind`]), which resolves every variable with its scopes
//! ([`scope`]) and static types ([`types`]). Together they report what the
//! TCK calls compile-time errors, over the whole statement (subquery bodies,
//! FOREACH bodies and subquery expressions included), before anything is
//! planned: the planner takes only a [`bind::Bound`] statement.

pub mod bind;
pub mod scope;
pub mod types;

use crate::ast::{self, Clause, ExprKind, Span};
use crate::error::{Error, ErrorKind, Phase};

/// A function's name as the registry keys it: lower-cased, namespace included.
pub fn function_name(parts: &[ast::Ident]) -> String {
    parts
        .iter()
        .map(|p| p.name.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(".")
}

#[derive(Clone, Debug, PartialEq)]
pub struct SemanticError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

impl SemanticError {
    /// A syntax error (the TCK's kind for compile-time errors).
    pub fn new(code: &'static str, message: impl Into<String>, span: Span) -> SemanticError {
        SemanticError {
            kind: ErrorKind::SyntaxError,
            code,
            message: message.into(),
            span,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> SemanticError {
        self.hint = Some(hint.into());
        self
    }

    pub fn of_kind(mut self, kind: ErrorKind) -> SemanticError {
        self.kind = kind;
        self
    }

    pub fn into_error(self, text: &str) -> Error {
        let mut e = Error::new(self.kind, self.code, Phase::Compile, self.message.clone()).at(text, self.span.start);
        e.hint = self.hint.clone();
        e.with_source(self)
    }
}

impl std::fmt::Display for SemanticError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) at byte {}: {}",
            self.kind, self.code, self.span.start, self.message
        )
    }
}

impl std::error::Error for SemanticError {}

/// Checks and binds a statement before it is planned (procedure outputs
/// are variables of the query, so the registry takes part).
pub fn check<'a>(
    statement: &'a ast::Statement,
    procedures: &crate::procedure::Procedures,
) -> Result<bind::Bound<'a>, SemanticError> {
    check_and_bind(&statement.query, procedures)
}

/// [`check`] of a query made by the caller rather than parsed as a statement.
pub fn check_and_bind<'a>(
    query: &'a ast::Query,
    procedures: &crate::procedure::Procedures,
) -> Result<bind::Bound<'a>, SemanticError> {
    crate::stack::guarded(|| check_query(query))?;
    bind::bind(query, procedures)
}

fn check_query(q: &ast::Query) -> Result<(), SemanticError> {
    check_single(&q.first)?;
    for u in &q.unions {
        check_single(&u.query)?;
    }
    Ok(())
}

fn syntax(code: &'static str, message: impl Into<String>, span: Span) -> SemanticError {
    SemanticError::new(code, message, span)
}

fn check_single(q: &ast::SingleQuery) -> Result<(), SemanticError> {
    for clause in &q.clauses {
        check_clause(clause)?;
    }
    Ok(())
}

fn check_clause(clause: &Clause) -> Result<(), SemanticError> {
    match clause {
        Clause::Match(m) => {
            let repeatable = m.mode == Some(ast::MatchMode::RepeatableElements);
            for part in &m.pattern.parts {
                check_pattern_parameters(&part.element)?;
                check_path_pattern(part, repeatable)?;
            }
            if let Some(w) = &m.where_ {
                check_expr(w)?;
            }
        }
        Clause::Merge(m) => {
            check_pattern_parameters(&m.part.element)?;
            check_path_pattern(&m.part, false)?;
        }
        Clause::Create(c) => {
            for part in &c.pattern.parts {
                check_path_pattern(part, false)?;
            }
        }
        Clause::With(w) => {
            check_projection(&w.projection)?;
            if let Some(e) = &w.where_ {
                check_expr(e)?;
            }
        }
        Clause::Return(r) => check_projection(&r.projection)?,
        Clause::Unwind(u) => check_expr(&u.expr)?,
        Clause::CallSubquery(c) => check_query(&c.body)?,
        Clause::Foreach(f) => {
            check_expr(&f.list)?;
            for c in &f.clauses {
                if !c.is_updating() {
                    return Err(syntax(
                        "InvalidClauseComposition",
                        format!(
                            "{} is not allowed inside FOREACH; only clauses that write are",
                            c.name()
                        ),
                        c.span(),
                    ));
                }
                check_clause(c)?;
            }
        }
        Clause::Set(s) => {
            for item in &s.items {
                match item {
                    ast::SetItem::Property { value, .. }
                    | ast::SetItem::Replace { value, .. }
                    | ast::SetItem::Merge { value, .. }
                    | ast::SetItem::DynamicProperty { value, .. } => check_expr(value)?,
                    ast::SetItem::Labels { .. } => {}
                }
            }
        }
        Clause::Delete(d) => {
            for e in &d.exprs {
                check_expr(e)?;
            }
        }
        Clause::Let(l) => {
            for (_, e) in &l.items {
                check_expr(e)?;
            }
        }
        Clause::Filter(x) => check_expr(&x.predicate)?,
        Clause::Remove(_) | Clause::Call(_) | Clause::LoadCsv(_) | Clause::Schema(_) | Clause::Finish(_) => {}
    }
    Ok(())
}

fn check_projection(p: &ast::Projection) -> Result<(), SemanticError> {
    for i in &p.items {
        check_expr(&i.expr)?;
    }
    for s in &p.order_by {
        check_expr(&s.expr)?;
    }
    Ok(())
}

/// The subquery bodies and patterns inside an expression.
fn check_expr(e: &ast::Expr) -> Result<(), SemanticError> {
    let mut result = Ok(());
    visit_subqueries(e, &mut |x| {
        if result.is_err() {
            return;
        }
        result = match &x.kind {
            ExprKind::Exists(q) | ExprKind::CountSubquery(q) | ExprKind::CollectSubquery(q) => check_query(q),
            ExprKind::Pattern(el) | ExprKind::PatternComprehension { pattern: el, .. } => {
                let part = ast::PatternPart {
                    variable: None,
                    kind: ast::PathKind::Normal,
                    selector: None,
                    element: el.clone(),
                    span: el.span,
                };
                check_path_pattern(&part, false)
            }
            _ => Ok(()),
        };
    });
    result
}

/// Calls `f` on every sub-expression that holds a query or a pattern.
fn visit_subqueries(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    bind::visit(e, &mut |x| {
        if matches!(
            x.kind,
            ExprKind::Exists(_)
                | ExprKind::CountSubquery(_)
                | ExprKind::CollectSubquery(_)
                | ExprKind::Pattern(_)
                | ExprKind::PatternComprehension { .. }
        ) {
            f(x);
        }
        true
    })
}

/// The rules of path patterns: quantifiers that can match, no nesting of
/// quantified path patterns, a relationship in each, selectors not combined
/// with `shortestPath()`, bounded quantifiers under REPEATABLE ELEMENTS.
fn check_path_pattern(part: &ast::PatternPart, repeatable: bool) -> Result<(), SemanticError> {
    if let (Some(s), true) = (&part.selector, part.kind != ast::PathKind::Normal) {
        return Err(syntax(
            "UnexpectedSyntax",
            "a path selector cannot be combined with shortestPath() or allShortestPaths()",
            s.span,
        ));
    }
    for (step, _) in &part.element.chain {
        match step {
            ast::PathStep::Group(g) => {
                if let Some(q) = &g.quantifier {
                    check_quantifier(q)?;
                    if repeatable && q.max.is_none() {
                        return Err(unbounded(g.span));
                    }
                }
                if g.element.chain.is_empty() {
                    return Err(syntax(
                        "UnexpectedSyntax",
                        "a quantified path pattern needs at least one relationship",
                        g.span,
                    ));
                }
                for (inner, _) in &g.element.chain {
                    match inner {
                        ast::PathStep::Group(x) => {
                            return Err(syntax(
                                "UnexpectedSyntax",
                                "quantified path patterns cannot be nested",
                                x.span,
                            ))
                        }
                        ast::PathStep::Rel(r) if r.quantifier.is_some() || r.length.is_some() => {
                            return Err(syntax(
                                "UnexpectedSyntax",
                                "a quantified path pattern cannot hold a quantified or variable-length relationship",
                                r.span,
                            ))
                        }
                        _ => {}
                    }
                }
                if let Some(w) = &g.where_ {
                    check_expr(w)?;
                }
            }
            ast::PathStep::Rel(r) => {
                if let Some(q) = &r.quantifier {
                    check_quantifier(q)?;
                    if r.length.is_some() {
                        return Err(syntax(
                            "UnexpectedSyntax",
                            "a relationship cannot be both variable-length (`*`) and quantified (`{m,n}`)",
                            q.span,
                        ));
                    }
                }
                let max = match (&r.length, &r.quantifier) {
                    (Some(l), _) => Some(l.max),
                    (None, Some(q)) => Some(q.max),
                    _ => None,
                };
                if repeatable && max == Some(None) {
                    return Err(unbounded(r.span));
                }
            }
        }
    }
    Ok(())
}

fn unbounded(span: Span) -> SemanticError {
    syntax(
        "UnexpectedSyntax",
        "MATCH REPEATABLE ELEMENTS needs an upper bound on every quantifier, like {1,5}",
        span,
    )
}

fn check_quantifier(q: &ast::PathQuantifier) -> Result<(), SemanticError> {
    if q.max.is_some_and(|m| m < q.min) {
        return Err(syntax(
            "UnexpectedSyntax",
            format!(
                "a quantifier's lower bound ({}) cannot be above its upper bound ({})",
                q.min,
                q.max.unwrap_or_default()
            ),
            q.span,
        ));
    }
    Ok(())
}

/// A parameter cannot stand for a whole property map in MATCH (`MATCH (n $props)`):
/// the planner could not use it to find nodes.
fn check_pattern_parameters(e: &ast::PatternElement) -> Result<(), SemanticError> {
    let nodes = std::iter::once(&e.start).chain(e.chain.iter().map(|(_, n)| n));
    for n in nodes {
        if let Some(p) = &n.properties {
            if let ExprKind::Parameter(name) = &p.kind {
                return Err(syntax(
                    "InvalidParameterUse",
                    format!(
                        "a parameter (${name}) cannot stand for the whole property map of a MATCH or MERGE pattern"
                    ),
                    p.span,
                ));
            }
        }
    }
    for r in e.rels() {
        if let Some(p) = &r.properties {
            if let ExprKind::Parameter(name) = &p.kind {
                return Err(syntax(
                    "InvalidParameterUse",
                    format!(
                        "a parameter (${name}) cannot stand for the whole property map of a MATCH or MERGE pattern"
                    ),
                    p.span,
                ));
            }
        }
    }
    Ok(())
}
