//! AST -> plan: resolves variables to slots, names to interned ids, checks
//! what only the planner can see (scoping, variable kinds), and lays out the
//! pipeline of operators clause by clause.

use std::sync::Arc;

use crate::ast::{self, Clause, ExprKind, Span};
use crate::error::{Error, ErrorKind, Phase};
use crate::functions::FunctionDef;
use crate::procedure::Procedures;
use crate::store::{GraphRead, NameRef, Namespace};
use crate::value::Value;

use super::expr::{Expr, MapProjectionItem};
use super::scope::{Scope, VarKind};
use super::types::{self, Ty};
use super::{CallPlan, LoadCsvPlan, Op, Pipeline, QueryPlan, RemoveOp, SetOp, FILE_VAR, LINENUMBER_VAR};

/// A compile-time error found while planning.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub hint: Option<String>,
}

impl PlanError {
    pub fn syntax(code: &'static str, message: impl Into<String>, span: Span) -> PlanError {
        PlanError {
            kind: ErrorKind::SyntaxError,
            code,
            message: message.into(),
            span,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> PlanError {
        self.hint = Some(hint.into());
        self
    }

    pub fn into_error(self, text: &str) -> Error {
        let mut e = Error::new(self.kind, self.code, Phase::Compile, self.message.clone()).at(text, self.span.start);
        e.hint = self.hint.clone();
        e.with_source(self)
    }

    /// A construct the parser reads and the planner does not plan yet.
    pub fn not_supported(what: &str, span: Span) -> PlanError {
        PlanError::syntax("UnexpectedSyntax", format!("`{what}` is not supported yet"), span)
    }
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}) at byte {}: {}",
            self.kind, self.code, self.span.start, self.message
        )
    }
}

impl std::error::Error for PlanError {}

pub type PResult<T> = Result<T, PlanError>;

/// Plans a whole query (all UNION branches).
pub fn plan_query(
    query: &ast::Query,
    graph: &dyn GraphRead,
    procedures: &Procedures,
    options: PlanOptions,
) -> PResult<QueryPlan> {
    let mut planner = Planner {
        graph,
        procedures,
        options,
        writes: false,
        nested: 0,
        repeatable: false,
    };
    let (first, columns) = planner.plan_single(&query.first, Scope::new(), Body::Top)?;
    let mut branches = vec![first];
    let mut union_all = Vec::new();
    for u in &query.unions {
        let (p, cols) = planner.plan_single(&u.query, Scope::new(), Body::Top)?;
        if cols != columns {
            return Err(PlanError::syntax(
                "DifferentColumnsInUnion",
                format!(
                    "all parts of a UNION must return the same columns: [{}] vs [{}]",
                    columns.join(", "),
                    cols.join(", ")
                ),
                u.span,
            ));
        }
        if !union_all.is_empty() && union_all[0] != u.all {
            return Err(PlanError::syntax(
                "InvalidClauseComposition",
                "UNION and UNION ALL cannot be mixed in one query",
                u.span,
            ));
        }
        union_all.push(u.all);
        branches.push(p);
    }
    Ok(QueryPlan {
        columns,
        branches,
        union_all,
        writes: planner.writes,
    })
}

/// Plans one statement. It reads the graph only for names and statistics,
/// and changes nothing: a name the catalog does not have yet plans to an
/// operator that finds nothing (or, in a write, is added when it runs).
pub(super) struct Planner<'a> {
    pub graph: &'a dyn GraphRead,
    pub procedures: &'a Procedures,
    pub options: PlanOptions,
    pub writes: bool,
    /// How deeply subqueries are nested where the planner is.
    pub nested: usize,
    /// The MATCH being planned is `MATCH REPEATABLE ELEMENTS` (taken by `plan_match`).
    pub repeatable: bool,
}

impl Planner<'_> {
    pub(super) fn label(&self, name: &str) -> NameRef {
        NameRef::new(self.graph.catalog(), Namespace::Label, name)
    }

    pub(super) fn rel_type(&self, name: &str) -> NameRef {
        NameRef::new(self.graph.catalog(), Namespace::Type, name)
    }

    pub(super) fn key(&self, name: &str) -> NameRef {
        NameRef::new(self.graph.catalog(), Namespace::Key, name)
    }
}

/// Choices that change how a query runs but never what it returns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Match every pattern from its first node, in written order, ignoring
    /// bound variables and label counts: the reference the differential
    /// tests compare the planner's choices against.
    pub naive: bool,
}

/// Whether a function name (lower-cased, with namespace) is an aggregate.
pub fn is_aggregate_name(name: &str) -> bool {
    crate::functions::is_aggregate(name)
}

pub(super) fn contains_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| {
        if is_aggregate_expr(x) {
            found = true;
        }
    });
    found
}

pub(super) fn is_aggregate_expr(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::FunctionCall { name, .. } => is_aggregate_name(&function_name(name)),
        _ => false,
    }
}

/// `linenumber()` and `file()`: they read the record LOAD CSV is on.
fn is_load_csv_function(parts: &[ast::Ident]) -> bool {
    parts.len() == 1
        && ["linenumber", "file"]
            .iter()
            .any(|f| parts[0].name.eq_ignore_ascii_case(f))
}

pub(super) use crate::semantic::function_name;

/// Visits `e` and its sub-expressions (not descending into aggregate calls'
/// arguments' own scopes specially: callers decide).
pub(super) fn walk(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    visit(e, &mut |x| {
        f(x);
        true
    });
}

/// Visits `e` and, where `f` returns true, its sub-expressions.
pub(super) fn visit(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr) -> bool) {
    crate::stack::guarded(|| visit_inner(e, f))
}

fn visit_inner(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr) -> bool) {
    if !f(e) {
        return;
    }
    let mut go = |x: &ast::Expr| visit(x, f);
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Parameter(_) | ExprKind::Variable(_) | ExprKind::CountStar => {}
        ExprKind::List(items) => items.iter().for_each(go),
        ExprKind::Map(items) => items.iter().for_each(|(_, v)| go(v)),
        ExprKind::Property(b, _) => go(b),
        ExprKind::Index(a, b) => {
            go(a);
            go(b)
        }
        ExprKind::Slice(a, b, c) => {
            go(a);
            if let Some(b) = b {
                go(b)
            }
            if let Some(c) = c {
                go(c)
            }
        }
        ExprKind::Unary(_, a) => go(a),
        ExprKind::Binary(_, a, b) => {
            go(a);
            go(b)
        }
        ExprKind::IsNull(a, _) => go(a),
        ExprKind::IsType(a, ..) | ExprKind::IsNormalized(a, ..) => go(a),
        ExprKind::HasLabels(a, _) => go(a),
        ExprKind::FunctionCall { args, .. } => args.iter().for_each(go),
        ExprKind::Case { operand, whens, else_ } => {
            if let Some(o) = operand {
                go(o)
            }
            for (w, t) in whens {
                go(w);
                go(t);
            }
            if let Some(e) = else_ {
                go(e)
            }
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            go(list);
            if let Some(p) = predicate {
                go(p)
            }
            if let Some(p) = projection {
                go(p)
            }
        }
        ExprKind::Quantified { list, predicate, .. } => {
            go(list);
            if let Some(p) = predicate {
                go(p)
            }
        }
        ExprKind::Reduce { init, list, expr, .. } => {
            go(init);
            go(list);
            go(expr)
        }
        ExprKind::PatternComprehension {
            predicate, projection, ..
        } => {
            if let Some(p) = predicate {
                go(p)
            }
            go(projection)
        }
        ExprKind::Pattern(_) | ExprKind::Exists(_) | ExprKind::CountSubquery(_) | ExprKind::CollectSubquery(_) => {}
        ExprKind::MapProjection { items, .. } => {
            for i in items {
                if let ast::MapProjectionItem::Literal(_, v) = i {
                    go(v)
                }
            }
        }
    }
}

/// How expressions are compiled at one place of the query.
#[derive(Default)]
pub(super) struct ExprCtx<'s> {
    /// Sub-expressions already computed into a slot (projection items, grouping keys).
    pub subst: &'s [(ast::Expr, usize)],
    /// Where aggregate calls go when allowed (slot base, calls).
    pub aggregates: Option<(usize, &'s mut Vec<super::AggregateCall>)>,
    /// After aggregation: a variable must come through `subst`.
    pub strict: bool,
    /// What to call this place in "not allowed here" messages.
    pub place: &'static str,
}

impl<'a> Planner<'a> {
    pub(super) fn plan_single(
        &mut self,
        q: &ast::SingleQuery,
        scope: Scope,
        body: Body,
    ) -> PResult<(Pipeline, Vec<String>)> {
        let mut scope = scope;
        let mut ops = Vec::new();
        let mut columns = Vec::new();
        let n = q.clauses.len();
        for (i, clause) in q.clauses.iter().enumerate() {
            let last = i + 1 == n;
            if !last && matches!(clause, Clause::Return(_)) {
                return Err(PlanError::syntax(
                    "InvalidClauseComposition",
                    "RETURN can only be the last clause of a query",
                    clause.span(),
                )
                .with_hint("use WITH to pass values on to further clauses"));
            }
            match clause {
                Clause::CallSubquery(c) => {
                    if let (Some(t), false) = (&c.in_transactions, body == Body::Top) {
                        return Err(PlanError::syntax(
                            "InvalidClauseComposition",
                            "CALL { ... } IN TRANSACTIONS cannot be nested in a subquery",
                            t.span,
                        )
                        .with_hint("run the batches from the outermost query"));
                    }
                    let plan = self.plan_call_subquery(c, &mut scope)?;
                    ops.push(Op::Subquery(Box::new(plan)));
                }
                Clause::Foreach(f) => {
                    self.writes = true;
                    let plan = self.plan_foreach(f, &scope)?;
                    ops.push(Op::Foreach(Box::new(plan)));
                }
                Clause::Schema(schema) if body != Body::Top => {
                    return Err(PlanError::syntax(
                        "InvalidClauseComposition",
                        format!(
                            "{} must be a statement on its own, not inside a subquery",
                            clause.name()
                        ),
                        schema.span,
                    ))
                }

                Clause::Schema(schema) => {
                    if n != 1 {
                        return Err(PlanError::syntax(
                            "InvalidClauseComposition",
                            format!("{} must be a statement on its own", clause.name()),
                            schema.span,
                        ));
                    }
                    if let ast::SchemaCommand::Show(show) = &schema.command {
                        let plain_indexes = show.what == ast::ShowWhat::Indexes(ast::IndexFilter::All)
                            && show.yield_.is_none()
                            && show.where_.is_none()
                            && show.return_.is_none();
                        if !plain_indexes {
                            let (show_ops, cols) = self.plan_show(show, schema.span)?;
                            ops.extend(show_ops);
                            columns = cols;
                            continue;
                        }
                    }
                    let (op, cols) = self.plan_schema(schema)?;
                    self.writes |= op.writes();
                    ops.push(op);
                    columns = cols;
                }
                Clause::Match(m) => {
                    self.repeatable = m.mode == Some(ast::MatchMode::RepeatableElements);
                    if m.optional {
                        let plan = self.plan_match(&m.pattern, m.where_.as_ref(), &mut scope)?;
                        ops.push(Op::Optional { plan });
                    } else {
                        let plan = self.plan_match(&m.pattern, m.where_.as_ref(), &mut scope)?;
                        ops.push(Op::Match(plan));
                    }
                }
                Clause::Unwind(u) => {
                    let expr = self.compile(
                        &u.expr,
                        &scope,
                        &mut ExprCtx {
                            place: "UNWIND",
                            ..Default::default()
                        },
                    )?;
                    let slot = self.bind_new(&mut scope, &u.variable, VarKind::Value(Ty::Any))?;
                    ops.push(Op::Unwind { expr, slot });
                }
                Clause::With(w) => {
                    let (new_ops, new_scope, _) =
                        self.plan_projection(&w.projection, &scope, false, w.where_.as_ref(), w.span)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                Clause::Return(r) => {
                    let (new_ops, new_scope, cols) = self.plan_projection(&r.projection, &scope, true, None, r.span)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                    columns = cols;
                }
                Clause::Create(c) => {
                    self.writes = true;
                    let parts = self.plan_create(&c.pattern, &mut scope)?;
                    ops.push(Op::Create(parts));
                }
                Clause::Merge(m) => {
                    self.writes = true;
                    let plan = self.plan_merge(m, &mut scope)?;
                    ops.push(Op::Merge(plan));
                }
                Clause::Set(s) => {
                    self.writes = true;
                    let items = self.plan_set_items(&s.items, &scope)?;
                    ops.push(Op::Set(items));
                }
                Clause::Remove(r) => {
                    self.writes = true;
                    let mut items = Vec::new();
                    for item in &r.items {
                        items.push(match item {
                            ast::RemoveItem::Property { target, key } => RemoveOp::Property {
                                target: self.compile(target, &scope, &mut ExprCtx::default())?,
                                key: self.key(&key.name),
                            },
                            ast::RemoveItem::Labels { variable, labels } => {
                                let target = self.variable(variable, &scope)?;
                                let (labels, dynamic) = self.create_labels(Some(labels), &scope, "REMOVE")?;
                                RemoveOp::Labels {
                                    target,
                                    labels,
                                    dynamic,
                                }
                            }
                            ast::RemoveItem::DynamicProperty { target, key } => RemoveOp::DynamicProperty {
                                target: self.compile(target, &scope, &mut ExprCtx::default())?,
                                key: self.compile(key, &scope, &mut ExprCtx::default())?,
                            },
                        });
                    }
                    ops.push(Op::Remove(items));
                }
                Clause::Delete(d) => {
                    self.writes = true;
                    let mut exprs = Vec::new();
                    for e in &d.exprs {
                        if matches!(e.kind, ExprKind::HasLabels(..)) {
                            return Err(PlanError::syntax(
                                "InvalidDelete",
                                "DELETE removes whole nodes and relationships; to take a label off, use REMOVE n:Label",
                                e.span,
                            ));
                        }
                        let ty = types::infer(e, &scope);
                        if !matches!(
                            ty,
                            Ty::Any | Ty::Null | Ty::Node | Ty::Relationship | Ty::Path | Ty::List
                        ) {
                            return Err(PlanError::syntax(
                                "InvalidArgumentType",
                                format!("DELETE takes nodes, relationships or paths, not a {}", ty.name()),
                                e.span,
                            ));
                        }
                        exprs.push(self.compile(
                            e,
                            &scope,
                            &mut ExprCtx {
                                place: "DELETE",
                                ..Default::default()
                            },
                        )?);
                    }
                    ops.push(Op::Delete {
                        exprs,
                        detach: d.detach,
                    });
                }
                Clause::LoadCsv(l) => {
                    let plan = self.plan_load_csv(l, &mut scope)?;
                    ops.push(Op::LoadCsv(plan));
                }
                Clause::Call(c) => {
                    let standalone = n == 1 && body == Body::Top;
                    let (call_ops, cols) = self.plan_call(c, &mut scope, standalone)?;
                    ops.extend(call_ops);
                    if standalone {
                        columns = cols;
                    }
                }
            }
        }
        if let Some(last) = q.clauses.last() {
            let ok_last = body == Body::Expression
                || matches!(
                    last,
                    Clause::Return(_)
                        | Clause::Create(_)
                        | Clause::Merge(_)
                        | Clause::Set(_)
                        | Clause::Remove(_)
                        | Clause::Delete(_)
                        | Clause::Call(_)
                        | Clause::Schema(_)
                        | Clause::Foreach(_)
                )
                || matches!(last, Clause::CallSubquery(c) if c.in_transactions.is_some() || ends_unit(&c.body));
            if !ok_last {
                return Err(PlanError::syntax(
                    "InvalidClauseComposition",
                    format!("a query cannot end with {}", last.name()),
                    last.span(),
                )
                .with_hint("end it with RETURN, or with a clause that writes"));
            }
        }
        if !self.options.naive {
            super::scan_aggregate::rewrite(&mut ops);
            top_of_sort(&mut ops);
            super::scan_top::rewrite(&mut ops);
        }
        let width = scope.width;
        Ok((Pipeline { ops, width }, columns))
    }

    fn plan_load_csv(&mut self, l: &ast::LoadCsv, scope: &mut Scope) -> PResult<LoadCsvPlan> {
        let ty = types::infer(&l.url, scope);
        if !matches!(ty, Ty::Any | Ty::String) {
            return Err(PlanError::syntax(
                "InvalidArgumentType",
                format!("LOAD CSV FROM takes a string (a file URL or path), not a {}", ty.name()),
                l.url.span,
            ));
        }
        let url = self.compile(
            &l.url,
            scope,
            &mut ExprCtx {
                place: "LOAD CSV",
                ..Default::default()
            },
        )?;
        let terminator = match &l.field_terminator {
            None => b',',
            Some(t) if t.len() == 1 && t.is_ascii() && t != "\"" && t != "\n" && t != "\r" => t.as_bytes()[0],
            Some(t) => {
                return Err(PlanError::syntax(
                    "InvalidArgumentValue",
                    format!("FIELDTERMINATOR must be one ASCII character other than a quote or a line end, not {t:?}"),
                    l.span,
                ))
            }
        };
        let kind = VarKind::Value(if l.with_headers { Ty::Map } else { Ty::List });
        let slot = self.bind_new(scope, &l.variable, kind)?;
        let line_slot = scope.bind(LINENUMBER_VAR, VarKind::Value(Ty::Int));
        let file_slot = scope.bind(FILE_VAR, VarKind::Value(Ty::String));
        Ok(LoadCsvPlan {
            url,
            headers: l.with_headers,
            terminator,
            slot,
            line_slot,
            file_slot,
        })
    }

    fn plan_schema(&mut self, schema: &ast::Schema) -> PResult<(Op, Vec<String>)> {
        Ok(match &schema.command {
            ast::SchemaCommand::CreateIndex {
                name,
                if_not_exists,
                label,
                key,
            } => {
                let name = name
                    .as_ref()
                    .map_or_else(|| format!("{}_{}", label.name, key.name), |n| n.name.clone());
                let op = super::SchemaOp::CreateIndex {
                    name,
                    label: self.label(&label.name),
                    key: self.key(&key.name),
                    if_not_exists: *if_not_exists,
                };
                (Op::Schema(op), Vec::new())
            }
            ast::SchemaCommand::DropIndex { name, if_exists } => (
                Op::Schema(super::SchemaOp::DropIndex {
                    name: name.name.clone(),
                    if_exists: *if_exists,
                }),
                Vec::new(),
            ),
            ast::SchemaCommand::Show(_) => (
                Op::Schema(super::SchemaOp::ShowIndexes),
                ["name", "label", "property", "entries"].map(String::from).to_vec(),
            ),
            ast::SchemaCommand::CreateConstraint(c) => {
                let plan = self.plan_constraint(c)?;
                (
                    Op::Schema(super::SchemaOp::CreateConstraint(Box::new(plan))),
                    Vec::new(),
                )
            }
            ast::SchemaCommand::DropConstraint { name, if_exists } => (
                Op::Schema(super::SchemaOp::DropConstraint {
                    name: name.name.clone(),
                    if_exists: *if_exists,
                }),
                Vec::new(),
            ),
        })
    }

    fn plan_constraint(&mut self, c: &ast::CreateConstraint) -> PResult<super::ConstraintPlan> {
        use crate::store::{PropertyType, Requirement};
        let on = match &c.entity {
            ast::ConstraintEntity::Node { label } => super::ConstraintOn::Label(self.label(&label.name)),
            ast::ConstraintEntity::Relationship { rel_type, .. } => {
                super::ConstraintOn::Type(self.rel_type(&rel_type.name))
            }
        };
        let requirement = match &c.kind {
            ast::ConstraintKind::Unique => Requirement::Unique,
            ast::ConstraintKind::Key => Requirement::Key,
            ast::ConstraintKind::NotNull => Requirement::NotNull,
            ast::ConstraintKind::Type(t) => {
                check_property_type(t)?;
                Requirement::Type(PropertyType::new(t.clone()))
            }
        };
        Ok(super::ConstraintPlan {
            name: c.name.as_ref().map(|n| n.name.clone()),
            if_not_exists: c.if_not_exists,
            on,
            keys: c.properties.iter().map(|k| self.key(&k.name)).collect(),
            requirement,
        })
    }

    /// `SHOW INDEXES | PROCEDURES | FUNCTIONS [YIELD ...] [WHERE ...] [RETURN ...]`:
    /// the listing's rows, then YIELD as a projection, WHERE as its filter and
    /// RETURN as a projection over what YIELD named.
    fn plan_show(&mut self, show: &ast::Show, span: Span) -> PResult<(Vec<Op>, Vec<String>)> {
        use crate::procedures::show::{FUNCTION_COLUMNS, PROCEDURE_COLUMNS};
        const INDEX_COLUMNS: (&[&str], usize) = (
            &[
                "id",
                "name",
                "state",
                "populationPercent",
                "type",
                "entityType",
                "labelsOrTypes",
                "properties",
                "indexProvider",
                "owningConstraint",
                "lastRead",
                "readCount",
            ],
            12,
        );
        let (op, (all, shown)) = match &show.what {
            ast::ShowWhat::Indexes(filter) => (Op::Schema(super::SchemaOp::ShowIndexesFull(*filter)), INDEX_COLUMNS),
            ast::ShowWhat::Procedures { .. } => (
                Op::ShowRoutines {
                    procedures: true,
                    filter: ast::FunctionFilter::All,
                },
                PROCEDURE_COLUMNS,
            ),
            ast::ShowWhat::Functions { filter, .. } => (
                Op::ShowRoutines {
                    procedures: false,
                    filter: *filter,
                },
                FUNCTION_COLUMNS,
            ),
            ast::ShowWhat::Constraints(filter) => (
                Op::Schema(super::SchemaOp::ShowConstraints(*filter)),
                crate::procedures::show::CONSTRAINT_COLUMNS,
            ),
        };
        if show.return_.is_some() && show.yield_.is_none() {
            return Err(PlanError::syntax(
                "UnexpectedSyntax",
                "RETURN after SHOW needs a YIELD first",
                span,
            ));
        }
        let mut scope = Scope::new();
        for c in all {
            scope.bind(c, VarKind::Value(Ty::Any));
        }
        let var = |name: &str, sp: Span| ast::Expr::new(ExprKind::Variable(name.to_string()), sp);
        let item = |name: &str, alias: Option<&ast::Ident>, sp: Span| ast::ProjectionItem {
            expr: var(name, sp),
            alias: alias.cloned(),
            text: name.to_string(),
        };
        let (items, order_by, skip, limit) = match &show.yield_ {
            Some(y) if !y.star => {
                let mut items = Vec::new();
                for (col, alias) in &y.items {
                    if !all.contains(&col.name.as_str()) {
                        return Err(PlanError::syntax(
                            "UndefinedVariable",
                            format!("`{}` is not a column of this SHOW command", col.name),
                            col.span,
                        )
                        .with_hint(format!("its columns are {}", all.join(", "))));
                    }
                    items.push(item(&col.name, alias.as_ref(), col.span));
                }
                (items, y.order_by.clone(), y.skip.clone(), y.limit.clone())
            }
            Some(y) => (
                all.iter().map(|c| item(c, None, y.span)).collect(),
                y.order_by.clone(),
                y.skip.clone(),
                y.limit.clone(),
            ),
            None => (
                all[..shown].iter().map(|c| item(c, None, span)).collect(),
                Vec::new(),
                None,
                None,
            ),
        };
        let mut ops = vec![op];
        let projection = ast::Projection {
            distinct: false,
            star: false,
            items,
            order_by,
            skip,
            limit,
        };
        let mut where_ = show.where_.clone();
        if show.yield_.is_none() {
            // WHERE alone sees every column, and the default ones are shown.
            if let Some(w) = where_.take() {
                let e = self.compile_predicate(
                    &w,
                    &scope,
                    &mut ExprCtx {
                        place: "WHERE",
                        ..Default::default()
                    },
                )?;
                ops.push(Op::Filter(e));
            }
        }
        let last = show.return_.is_none();
        let (new_ops, new_scope, cols) = self.plan_projection(&projection, &scope, last, where_.as_ref(), span)?;
        ops.extend(new_ops);
        if let Some(r) = &show.return_ {
            let (new_ops, _, cols) = self.plan_projection(&r.projection, &new_scope, true, None, r.span)?;
            ops.extend(new_ops);
            return Ok((ops, cols));
        }
        Ok((ops, cols))
    }

    /// Binds a variable that must be new here.
    pub(super) fn bind_new(&mut self, scope: &mut Scope, ident: &ast::Ident, kind: VarKind) -> PResult<usize> {
        if scope.lookup(&ident.name).is_some() {
            return Err(PlanError::syntax(
                "VariableAlreadyBound",
                format!("variable `{}` is already declared", ident.name),
                ident.span,
            )
            .with_hint("choose another name, or drop the new declaration to reuse the existing one"));
        }
        Ok(scope.bind(&ident.name, kind))
    }

    pub(super) fn variable(&mut self, ident: &ast::Ident, scope: &Scope) -> PResult<Expr> {
        match scope.lookup(&ident.name) {
            Some(s) => Ok(Expr::Slot(s)),
            None => Err(undefined(&ident.name, ident.span, scope)),
        }
    }

    pub(super) fn plan_set_items(&mut self, items: &[ast::SetItem], scope: &Scope) -> PResult<Vec<SetOp>> {
        let mut out = Vec::new();
        for item in items {
            let ctx = &mut ExprCtx {
                place: "SET",
                ..Default::default()
            };
            out.push(match item {
                ast::SetItem::Property { target, key, value } => SetOp::Property {
                    target: self.compile(target, scope, ctx)?,
                    key: self.key(&key.name),
                    value: self.compile(value, scope, ctx)?,
                },
                ast::SetItem::Replace { variable, value } => SetOp::Replace {
                    target: self.variable(variable, scope)?,
                    value: self.compile(value, scope, ctx)?,
                },
                ast::SetItem::Merge { variable, value } => SetOp::Merge {
                    target: self.variable(variable, scope)?,
                    value: self.compile(value, scope, ctx)?,
                },
                ast::SetItem::Labels { variable, labels } => {
                    let target = self.variable(variable, scope)?;
                    let (labels, dynamic) = self.create_labels(Some(labels), scope, "SET")?;
                    SetOp::Labels {
                        target,
                        labels,
                        dynamic,
                    }
                }
                ast::SetItem::DynamicProperty { target, key, value } => {
                    let t = types::infer(key, scope);
                    if !matches!(t, Ty::Any | Ty::Null | Ty::String) {
                        return Err(PlanError::syntax(
                            "InvalidArgumentType",
                            format!("a property key must be a string, but this is always a {}", t.name()),
                            key.span,
                        ));
                    }
                    SetOp::DynamicProperty {
                        target: self.compile(target, scope, ctx)?,
                        key: self.compile(key, scope, ctx)?,
                        value: self.compile(value, scope, ctx)?,
                    }
                }
            });
        }
        Ok(out)
    }

    fn plan_call(&mut self, c: &ast::Call, scope: &mut Scope, standalone: bool) -> PResult<(Vec<Op>, Vec<String>)> {
        let name = c.qualified_name();
        let Some(proc) = self.procedures.get(&name) else {
            return Err(PlanError {
                kind: ErrorKind::ProcedureError,
                code: "ProcedureNotFound",
                message: format!("there is no procedure `{name}`"),
                span: c.span,
                hint: Some("CALL db.labels(), db.relationshipTypes() and db.propertyKeys() are built in".into()),
            });
        };
        let args = match &c.args {
            Some(args) => {
                if args.len() < proc.required_inputs() || args.len() > proc.inputs.len() {
                    return Err(PlanError::syntax(
                        "InvalidNumberOfArguments",
                        format!(
                            "procedure `{name}` takes {} argument(s), {} given",
                            proc.arity(),
                            args.len()
                        ),
                        c.span,
                    ));
                }
                let mut out = Vec::new();
                for (a, (_, ty)) in args.iter().zip(&proc.inputs) {
                    if contains_aggregate(a) {
                        return Err(PlanError::syntax(
                            "InvalidAggregation",
                            "aggregations are not allowed in procedure arguments",
                            a.span,
                        ));
                    }
                    let e = self.compile(
                        a,
                        scope,
                        &mut ExprCtx {
                            place: "CALL",
                            ..Default::default()
                        },
                    )?;
                    if let Expr::Const(v) = &e {
                        if !ty.accepts(v)
                            && !(matches!(ty, crate::procedure::ValueType::Float) && matches!(v, Value::Int(_)))
                        {
                            return Err(PlanError {
                                kind: ErrorKind::SyntaxError,
                                code: "InvalidArgumentType",
                                message: format!("procedure `{name}` expects {ty}, got {}", v.type_name()),
                                span: a.span,
                                hint: None,
                            });
                        }
                    }
                    out.push(e);
                }
                // The inputs left out take their defaults.
                out.extend(
                    (args.len()..proc.inputs.len()).filter_map(|i| proc.default_input(i).cloned().map(Expr::Const)),
                );
                out
            }
            None => {
                if !standalone {
                    return Err(PlanError::syntax(
                        "InvalidArgumentPassingMode",
                        format!("procedure `{name}` needs its arguments in parentheses inside a larger query"),
                        c.span,
                    ));
                }
                proc.inputs
                    .iter()
                    .map(|(n, _)| Expr::Param(n.as_str().into()))
                    .collect()
            }
        };
        let mut yields = Vec::new();
        let mut columns = Vec::new();
        match &c.yield_ {
            Some(y) => {
                if y.star && !standalone {
                    return Err(PlanError::syntax(
                        "UnexpectedSyntax",
                        "YIELD * is only allowed in a standalone CALL",
                        c.span,
                    ));
                }
                let items: Vec<(String, ast::Ident)> = if y.star {
                    proc.outputs
                        .iter()
                        .map(|(n, _)| (n.clone(), ast::Ident::new(n.clone(), c.span)))
                        .collect()
                } else {
                    y.items
                        .iter()
                        .map(|(f, a)| (f.name.clone(), a.clone().unwrap_or_else(|| f.clone())))
                        .collect()
                };
                for (field, var) in items {
                    let Some(idx) = proc.outputs.iter().position(|(n, _)| *n == field) else {
                        return Err(PlanError::syntax(
                            "UndefinedVariable",
                            format!("procedure `{name}` has no output `{field}`"),
                            var.span,
                        ));
                    };
                    let slot = self.bind_new(scope, &var, VarKind::Value(Ty::Any))?;
                    yields.push((idx, slot));
                    columns.push(var.name.clone());
                }
                let mut ops = vec![Op::Call(CallPlan {
                    name: name.clone(),
                    args,
                    yields,
                    standalone: false,
                    optional: c.optional,
                })];
                if let Some(w) = &y.where_ {
                    let pred = self.compile_predicate(
                        w,
                        scope,
                        &mut ExprCtx {
                            place: "WHERE",
                            ..Default::default()
                        },
                    )?;
                    ops.push(Op::Filter(pred));
                }
                Ok((ops, columns))
            }
            None => {
                if !standalone && !proc.outputs.is_empty() {
                    return Err(PlanError::syntax(
                        "UndefinedVariable",
                        format!("CALL `{name}` inside a query needs YIELD to name the outputs it uses"),
                        c.span,
                    ));
                }
                for (n, _) in &proc.outputs {
                    let slot = scope.bind(n, VarKind::Value(Ty::Any));
                    yields.push((yields.len(), slot));
                    columns.push(n.clone());
                }
                Ok((
                    vec![Op::Call(CallPlan {
                        name,
                        args,
                        yields,
                        standalone,
                        optional: c.optional,
                    })],
                    columns,
                ))
            }
        }
    }

    /// Compiles an expression in `scope`.
    pub(super) fn compile(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        crate::stack::guarded(|| self.compile_inner(e, scope, ctx))
    }

    fn compile_inner(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        if let Some((_, slot)) = ctx.subst.iter().find(|(x, _)| x == e) {
            return Ok(Expr::Slot(*slot));
        }
        Ok(match &e.kind {
            ExprKind::Literal(l) => Expr::Const(match l {
                ast::Literal::Null => Value::Null,
                ast::Literal::Bool(b) => Value::Bool(*b),
                ast::Literal::Int(i) => Value::Int(*i),
                ast::Literal::Float(f) => Value::Float(*f),
                ast::Literal::String(s) => Value::from(s.as_str()),
            }),
            ExprKind::Parameter(p) => Expr::Param(p.as_str().into()),
            ExprKind::Variable(v) => {
                if ctx.strict {
                    return Err(PlanError::syntax(
                        "AmbiguousAggregationExpression",
                        format!(
                            "`{v}` is used next to an aggregation but is not a grouping key; project it on its own as well"
                        ),
                        e.span,
                    ));
                }
                match scope.lookup(v) {
                    Some(s) => Expr::Slot(s),
                    None => return Err(undefined(v, e.span, scope)),
                }
            }
            ExprKind::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(self.compile(i, scope, ctx)?);
                }
                fold_constant(Expr::List(out))
            }
            ExprKind::Map(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (k, v) in items {
                    out.push((Arc::<str>::from(k.name.as_str()), self.compile(v, scope, ctx)?));
                }
                fold_constant(Expr::Map(out))
            }
            ExprKind::Property(base, key) => {
                match types::infer(base, scope) {
                    Ty::Path => {
                        return Err(PlanError::syntax(
                            "InvalidArgumentType",
                            format!("a path has no properties (reading `.{}`)", key.name),
                            e.span,
                        ))
                    }
                    t @ (Ty::Bool | Ty::Int | Ty::Float | Ty::String | Ty::List) => {
                        return Err(PlanError {
                            kind: ErrorKind::TypeError,
                            code: "InvalidArgumentType",
                            message: format!("a {} has no properties (reading `.{}`)", t.name(), key.name),
                            span: e.span,
                            hint: None,
                        })
                    }
                    _ => {}
                }
                let b = self.compile(base, scope, ctx)?;
                Expr::Property(Box::new(b), self.key(&key.name))
            }
            ExprKind::Index(a, b) => Expr::Index(
                Box::new(self.compile(a, scope, ctx)?),
                Box::new(self.compile(b, scope, ctx)?),
            ),
            ExprKind::Slice(a, b, c) => Expr::Slice(
                Box::new(self.compile(a, scope, ctx)?),
                match b {
                    Some(b) => Some(Box::new(self.compile(b, scope, ctx)?)),
                    None => None,
                },
                match c {
                    Some(c) => Some(Box::new(self.compile(c, scope, ctx)?)),
                    None => None,
                },
            ),
            ExprKind::Unary(ast::UnaryOp::Not, a) => {
                Expr::Unary(ast::UnaryOp::Not, Box::new(self.compile_predicate(a, scope, ctx)?))
            }
            ExprKind::Unary(op, a) => Expr::Unary(*op, Box::new(self.compile(a, scope, ctx)?)),
            ExprKind::Binary(op @ (ast::BinaryOp::And | ast::BinaryOp::Or | ast::BinaryOp::Xor), a, b) => Expr::Binary(
                *op,
                Box::new(self.compile_predicate(a, scope, ctx)?),
                Box::new(self.compile_predicate(b, scope, ctx)?),
            ),
            ExprKind::Binary(op, a, b) => {
                if *op == ast::BinaryOp::In {
                    let t = types::infer(b, scope);
                    if !matches!(t, Ty::Any | Ty::Null | Ty::List) {
                        return Err(PlanError::syntax(
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
                            return Err(PlanError::syntax(
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
                Expr::Binary(
                    *op,
                    Box::new(self.compile(a, scope, ctx)?),
                    Box::new(self.compile(b, scope, ctx)?),
                )
            }
            ExprKind::IsNull(a, neg) => Expr::IsNull(Box::new(self.compile(a, scope, ctx)?), *neg),
            ExprKind::HasLabels(a, labels) => {
                let target = Box::new(self.compile(a, scope, ctx)?);
                let is_rel = matches!(types::infer(a, scope), Ty::Relationship);
                match labels.as_conjunction() {
                    Some(names) => Expr::HasLabels(
                        target,
                        names
                            .iter()
                            .map(|l| {
                                if is_rel {
                                    self.rel_type(&l.name)
                                } else {
                                    self.label(&l.name)
                                }
                            })
                            .collect(),
                    ),
                    None => {
                        let pred = self.label_pred(labels, scope, is_rel)?;
                        Expr::LabelTest(target, Box::new(pred))
                    }
                }
            }
            ExprKind::IsType(a, t, not) => Expr::IsType(Box::new(self.compile(a, scope, ctx)?), t.clone(), *not),
            ExprKind::IsNormalized(a, f, not) => {
                let t = types::infer(a, scope);
                if !matches!(t, Ty::Any | Ty::Null | Ty::String) {
                    return Err(PlanError::syntax(
                        "InvalidArgumentType",
                        format!("IS NORMALIZED needs a string, but this is always a {}", t.name()),
                        a.span,
                    ));
                }
                Expr::IsNormalized(Box::new(self.compile(a, scope, ctx)?), *f, *not)
            }
            ExprKind::CountSubquery(q) => {
                let p = self.plan_expression_subquery(q, scope, "COUNT", e.span)?;
                Expr::CountSubquery(Box::new(p))
            }
            ExprKind::CollectSubquery(q) => {
                let p = self.plan_expression_subquery(q, scope, "COLLECT", e.span)?;
                Expr::CollectSubquery(Box::new(p))
            }
            ExprKind::CountStar | ExprKind::FunctionCall { .. } if is_aggregate_expr(e) => {
                return self.compile_aggregate(e, scope, ctx);
            }
            ExprKind::CountStar => unreachable!("count(*) is an aggregate"),
            ExprKind::FunctionCall { name, distinct, args } if is_load_csv_function(name) => {
                if *distinct || !args.is_empty() {
                    return Err(PlanError::syntax(
                        "InvalidNumberOfArguments",
                        format!("function `{}` takes no arguments", function_name(name)),
                        e.span,
                    ));
                }
                let var = if function_name(name) == "linenumber" {
                    LINENUMBER_VAR
                } else {
                    FILE_VAR
                };
                // Outside LOAD CSV (or after a WITH that drops its row), null.
                match scope.lookup(var) {
                    Some(slot) if !ctx.strict => Expr::Slot(slot),
                    _ => Expr::Const(Value::Null),
                }
            }
            ExprKind::FunctionCall { name, distinct, args } => {
                let fname = function_name(name);
                if *distinct {
                    return Err(PlanError::syntax(
                        "InvalidAggregation",
                        format!("DISTINCT is only allowed in aggregate functions, not in `{fname}`"),
                        e.span,
                    ));
                }
                let def = self.check_function(&fname, args.len(), e.span)?;
                if let Some(a) = args.first() {
                    let t = types::infer(a, scope);
                    if types::function_rejects(&fname, t) {
                        return Err(PlanError::syntax(
                            "InvalidArgumentType",
                            format!("{fname}() cannot take a {}", t.name()),
                            a.span,
                        ));
                    }
                }
                if fname == "exists" {
                    return self.compile_exists_function(args, scope, ctx, e.span);
                }
                if fname == "normalize" && args.len() == 2 {
                    // The form is written as a bare name: `normalize(s, NFD)`.
                    if let ExprKind::Variable(v) = &args[1].kind {
                        if scope.lookup(v).is_none() {
                            let Some(form) = crate::functions::scalar::normal_form(v) else {
                                return Err(PlanError::syntax(
                                    "InvalidArgumentValue",
                                    format!("`{v}` is not a normal form; use NFC, NFD, NFKC or NFKD"),
                                    args[1].span,
                                ));
                            };
                            let s = self.compile(&args[0], scope, ctx)?;
                            return Ok(Expr::Function(def, vec![s, Expr::Const(Value::from(form.name()))]));
                        }
                    }
                }
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    out.push(self.compile(a, scope, ctx)?);
                }
                Expr::Function(def, out)
            }
            ExprKind::Case { operand, whens, else_ } => {
                let operand = match operand {
                    Some(o) => Some(Box::new(self.compile(o, scope, ctx)?)),
                    None => None,
                };
                let mut ws = Vec::new();
                for (w, t) in whens {
                    ws.push((self.compile(w, scope, ctx)?, self.compile(t, scope, ctx)?));
                }
                let else_ = match else_ {
                    Some(x) => Some(Box::new(self.compile(x, scope, ctx)?)),
                    None => None,
                };
                Expr::Case {
                    operand,
                    whens: ws,
                    else_,
                }
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                let elem = types::element_type(list, scope);
                let list = Box::new(self.compile(list, scope, ctx)?);
                let mut inner = scope.clone();
                let slot = inner.bind(&variable.name, VarKind::Value(elem));
                let predicate = self.compile_local_opt(predicate.as_deref(), &inner, ctx)?;
                let projection = self.compile_local_opt(projection.as_deref(), &inner, ctx)?;
                Expr::ListComprehension {
                    slot,
                    list,
                    predicate,
                    projection,
                }
            }
            ExprKind::Quantified {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let elem = types::element_type(list, scope);
                let list = Box::new(self.compile(list, scope, ctx)?);
                let mut inner = scope.clone();
                let slot = inner.bind(&variable.name, VarKind::Value(elem));
                let predicate = match predicate {
                    Some(p) => Box::new(self.compile_local(p, &inner, ctx)?),
                    None => {
                        return Err(PlanError::syntax(
                            "UnexpectedSyntax",
                            "a quantifier needs a WHERE predicate",
                            e.span,
                        ))
                    }
                };
                Expr::Quantified {
                    quantifier: *quantifier,
                    slot,
                    list,
                    predicate,
                }
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                let init = Box::new(self.compile(init, scope, ctx)?);
                let list = Box::new(self.compile(list, scope, ctx)?);
                let mut inner = scope.clone();
                let acc = inner.bind(&accumulator.name, VarKind::Value(Ty::Any));
                let slot = inner.bind(&variable.name, VarKind::Value(Ty::Any));
                let expr = Box::new(self.compile_local(expr, &inner, ctx)?);
                Expr::Reduce {
                    acc,
                    init,
                    slot,
                    list,
                    expr,
                }
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
                let plan = self.plan_match(&ast::Pattern { parts: vec![part] }, predicate.as_deref(), &mut inner)?;
                let projection = Box::new(self.compile_local(projection, &inner, ctx)?);
                Expr::PatternComprehension {
                    pattern: Box::new(plan),
                    projection,
                }
            }
            ExprKind::Pattern(element) => {
                self.check_pattern_expression_vars(element, scope)?;
                let mut inner = scope.clone();
                // A hidden path variable, so the pattern can also be used as a list of paths.
                let path_name = format!(" path{}", inner.width);
                let part = ast::PatternPart {
                    variable: Some(ast::Ident::new(path_name.clone(), element.span)),
                    kind: ast::PathKind::Normal,
                    selector: None,
                    element: element.clone(),
                    span: element.span,
                };
                let plan = self.plan_match(&ast::Pattern { parts: vec![part] }, None, &mut inner)?;
                let path_slot = inner.lookup(&path_name).unwrap_or(0);
                Expr::PatternList(Box::new(plan), path_slot)
            }
            ExprKind::Exists(q) if !q.unions.is_empty() => {
                let p = self.plan_expression_subquery(q, scope, "EXISTS", e.span)?;
                Expr::Exists(Box::new(p))
            }
            ExprKind::Exists(q) => {
                check_no_shadowing(q, scope)?;
                let saved_writes = self.writes;
                let (p, _) = self.plan_subquery(&q.first, scope.clone())?;
                if self.writes && !saved_writes {
                    return Err(PlanError::syntax(
                        "InvalidClauseComposition",
                        "EXISTS { } cannot contain clauses that write",
                        e.span,
                    ));
                }
                Expr::Exists(Box::new(p))
            }
            ExprKind::MapProjection { variable, items } => {
                let base = Box::new(self.variable(variable, scope)?);
                let mut out = Vec::new();
                for i in items {
                    out.push(match i {
                        ast::MapProjectionItem::Property(k) => MapProjectionItem::Property(self.key(&k.name)),
                        ast::MapProjectionItem::AllProperties => MapProjectionItem::AllProperties,
                        ast::MapProjectionItem::Literal(k, v) => {
                            MapProjectionItem::Entry(k.name.as_str().into(), self.compile(v, scope, ctx)?)
                        }
                        ast::MapProjectionItem::Variable(v) => {
                            MapProjectionItem::Entry(v.name.as_str().into(), self.variable(v, scope)?)
                        }
                    });
                }
                Expr::MapProjection { base, items: out }
            }
        })
    }

    /// Compiles a label expression (`rel`: a type expression of relationships).
    pub(super) fn label_pred(&mut self, l: &ast::LabelExpr, scope: &Scope, rel: bool) -> PResult<super::LabelPred> {
        use super::LabelPred;
        use ast::LabelExprKind as K;
        Ok(match &l.kind {
            K::Label(name) => LabelPred::Name(if rel {
                self.rel_type(&name.name)
            } else {
                self.label(&name.name)
            }),
            K::Dynamic { expr, any } => {
                let t = types::infer(expr, scope);
                if !matches!(t, Ty::Any | Ty::Null | Ty::String | Ty::List) {
                    return Err(PlanError::syntax(
                        "InvalidArgumentType",
                        format!(
                            "a dynamic label or type must be a string or a list of strings, not a {}",
                            t.name()
                        ),
                        expr.span,
                    ));
                }
                let e = self.compile(
                    expr,
                    scope,
                    &mut ExprCtx {
                        place: "a dynamic label",
                        ..Default::default()
                    },
                )?;
                LabelPred::Dynamic {
                    expr: Box::new(e),
                    any: *any,
                }
            }
            K::Wildcard => LabelPred::Wildcard,
            K::Not(x) => LabelPred::Not(Box::new(self.label_pred(x, scope, rel)?)),
            K::And(xs) | K::Colon(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    out.push(self.label_pred(x, scope, rel)?);
                }
                LabelPred::And(out)
            }
            K::Or(xs) => {
                let mut out = Vec::new();
                for x in xs {
                    out.push(self.label_pred(x, scope, rel)?);
                }
                LabelPred::Or(out)
            }
        })
    }

    /// The body of `COUNT { }` / `COLLECT { }`: a read-only query correlated
    /// with the row (COLLECT's returns one column).
    fn plan_expression_subquery(&mut self, q: &ast::Query, scope: &Scope, what: &str, span: Span) -> PResult<Pipeline> {
        check_no_shadowing(q, scope)?;
        let saved_writes = self.writes;
        let (p, cols) = self.plan_nested_query(q, scope.clone(), false)?;
        if self.writes && !saved_writes {
            return Err(PlanError::syntax(
                "InvalidClauseComposition",
                format!("{what} {{ }} cannot contain clauses that write"),
                span,
            ));
        }
        if what == "COLLECT" {
            let returns = q.first.clauses.last().is_some_and(|c| matches!(c, Clause::Return(_)));
            if !returns || cols.len() != 1 {
                return Err(PlanError::syntax(
                    "InvalidClauseComposition",
                    "COLLECT { } must end with a RETURN of exactly one column",
                    span,
                ));
            }
        }
        Ok(p)
    }

    /// Compiles an expression in a boolean position: a pattern there asks
    /// whether it has a match.
    pub(super) fn compile_predicate(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        let ty = types::infer(e, scope);
        if !ty.may_be_boolean() && !matches!(e.kind, ExprKind::Pattern(_)) {
            return Err(PlanError::syntax(
                "InvalidArgumentType",
                format!("expected a boolean here, but this is always a {}", ty.name()),
                e.span,
            ));
        }
        match self.compile(e, scope, ctx)? {
            Expr::PatternList(plan, _) if matches!(e.kind, ExprKind::Pattern(_)) => Ok(Expr::PatternExists(plan)),
            other => Ok(other),
        }
    }

    fn compile_local_opt(
        &mut self,
        e: Option<&ast::Expr>,
        scope: &Scope,
        ctx: &mut ExprCtx,
    ) -> PResult<Option<Box<Expr>>> {
        match e {
            Some(e) => Ok(Some(Box::new(self.compile_local(e, scope, ctx)?))),
            None => Ok(None),
        }
    }

    /// Compiles a sub-expression whose scope adds local variables (comprehensions):
    /// aggregates and grouping substitutions don't reach inside.
    fn compile_local(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        if contains_aggregate(e) {
            return Err(PlanError::syntax(
                "InvalidAggregation",
                "aggregations are not allowed inside list comprehensions, quantifiers or reduce",
                e.span,
            ));
        }
        let mut inner = ExprCtx {
            strict: false,
            place: ctx.place,
            ..Default::default()
        };
        self.compile(e, scope, &mut inner)
    }

    fn compile_aggregate(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        let Some((base, calls)) = ctx.aggregates.as_mut() else {
            return Err(PlanError::syntax(
                "InvalidAggregation",
                format!(
                    "aggregations are not allowed in {}",
                    if ctx.place.is_empty() { "this place" } else { ctx.place }
                ),
                e.span,
            )
            .with_hint("aggregate in a WITH or RETURN, then use the result"));
        };
        let base = *base;
        let (name, distinct, args) = match &e.kind {
            ExprKind::CountStar => ("count(*)".to_string(), false, Vec::new()),
            ExprKind::FunctionCall { name, distinct, args } => (function_name(name), *distinct, args.clone()),
            _ => unreachable!("checked by is_aggregate_expr"),
        };
        if name != "count(*)" {
            self.check_function(&name, args.len(), e.span)?;
        }
        let mut compiled = Vec::new();
        for a in &args {
            let mut volatile = false;
            walk(a, &mut |x| {
                if let ExprKind::FunctionCall { name, .. } = &x.kind {
                    volatile |= crate::functions::is_nondeterministic(&function_name(name));
                }
            });
            if volatile {
                return Err(PlanError::syntax(
                    "NonConstantExpression",
                    "an aggregation cannot take a value that changes on every call, like rand()",
                    a.span,
                ));
            }
            if contains_aggregate(a) {
                return Err(PlanError::syntax(
                    "NestedAggregation",
                    "an aggregation cannot contain another aggregation",
                    a.span,
                ));
            }
            let mut inner = ExprCtx {
                place: "an aggregation",
                ..Default::default()
            };
            compiled.push(self.compile(a, scope, &mut inner)?);
        }
        let call = super::AggregateCall {
            name: name.into(),
            distinct,
            args: compiled,
        };
        calls.push(call);
        Ok(Expr::Slot(base + calls.len() - 1))
    }

    /// The built-in function `name`, checked to take `nargs` arguments.
    fn check_function(&self, name: &str, nargs: usize, span: Span) -> PResult<&'static FunctionDef> {
        let Some(def) = crate::functions::lookup(name) else {
            let mut e = PlanError::syntax("UnknownFunction", format!("unknown function `{name}`"), span);
            let best = crate::functions::FUNCTIONS
                .iter()
                .min_by_key(|f| crate::error::edit_distance(&f.key(), name));
            if let Some(f) = best.filter(|f| crate::error::edit_distance(&f.key(), name) <= 2) {
                e.hint = Some(format!("did you mean `{}`?", f.name));
            }
            return Err(e);
        };
        if !def.accepts(nargs) {
            return Err(PlanError::syntax(
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

    /// `exists(n.prop)` or `exists((a)-->(b))`.
    fn compile_exists_function(
        &mut self,
        args: &[ast::Expr],
        scope: &Scope,
        ctx: &mut ExprCtx,
        span: Span,
    ) -> PResult<Expr> {
        let arg = &args[0];
        match &arg.kind {
            ExprKind::Pattern(_) => match self.compile(arg, scope, ctx)? {
                Expr::PatternList(plan, _) => Ok(Expr::PatternExists(plan)),
                other => Ok(other),
            },
            ExprKind::Property(..) => {
                let e = self.compile(arg, scope, ctx)?;
                Ok(Expr::IsNull(Box::new(e), true))
            }
            _ => Err(PlanError::syntax(
                "InvalidArgumentType",
                "exists() takes a property (`n.prop`) or a pattern",
                span,
            )),
        }
    }

    /// A pattern used as an expression may not introduce new named variables.
    fn check_pattern_expression_vars(&self, element: &ast::PatternElement, scope: &Scope) -> PResult<()> {
        let nodes = std::iter::once(&element.start).chain(element.chain.iter().map(|(_, n)| n));
        for n in nodes {
            if let Some(v) = &n.variable {
                if scope.lookup(&v.name).is_none() {
                    return Err(undefined(&v.name, v.span, scope));
                }
            }
        }
        for r in element.rels() {
            if let Some(v) = &r.variable {
                if scope.lookup(&v.name).is_none() {
                    return Err(undefined(&v.name, v.span, scope));
                }
            }
        }
        Ok(())
    }

    /// Plans a nested query (a CALL subquery's body, COUNT { }, COLLECT { })
    /// that starts from the enclosing row: one pipeline, its UNION branches
    /// in an [`Op::Union`]. Returns the columns (empty for a unit body).
    pub(super) fn plan_nested_query(
        &mut self,
        q: &ast::Query,
        scope: Scope,
        call: bool,
    ) -> PResult<(Pipeline, Vec<String>)> {
        let body = if call { Body::Subquery } else { Body::Expression };
        let saved = self.nested;
        self.nested += 1;
        if self.nested > 64 {
            return Err(PlanError::syntax(
                "UnexpectedSyntax",
                "subqueries are nested too deeply",
                q.first.span,
            ));
        }
        let result = (|| {
            let (first, columns) = self.plan_single(&q.first, scope.clone(), body)?;
            if q.unions.is_empty() {
                return Ok((first, columns));
            }
            let mut branches = vec![first];
            let mut distinct = None;
            for u in &q.unions {
                let (p, cols) = self.plan_single(&u.query, scope.clone(), body)?;
                if cols != columns {
                    return Err(PlanError::syntax(
                        "DifferentColumnsInUnion",
                        format!(
                            "all parts of a UNION must return the same columns: [{}] vs [{}]",
                            columns.join(", "),
                            cols.join(", ")
                        ),
                        u.span,
                    ));
                }
                if distinct.is_some_and(|d| d != !u.all) {
                    return Err(PlanError::syntax(
                        "InvalidClauseComposition",
                        "UNION and UNION ALL cannot be mixed in one query",
                        u.span,
                    ));
                }
                distinct = Some(!u.all);
                branches.push(p);
            }
            let width = columns.len();
            Ok((
                Pipeline {
                    ops: vec![Op::Union(Box::new(super::UnionPlan {
                        branches,
                        distinct: distinct.unwrap_or(true),
                        width,
                    }))],
                    width,
                },
                columns,
            ))
        })();
        self.nested = saved;
        result
    }

    /// `[OPTIONAL] CALL [(a, b) | (*)] { ... }`: the body sees the imported
    /// variables only; what it returns is bound after it.
    fn plan_call_subquery(&mut self, c: &ast::CallSubquery, scope: &mut Scope) -> PResult<super::SubqueryPlan> {
        let mut inner = Scope::new();
        inner.width = scope.width;
        let mut imports = Vec::new();
        match &c.import {
            Some(ast::ImportList::All) => {
                inner = scope.clone();
                imports.push("*".to_string());
            }
            Some(ast::ImportList::Variables(vars)) => {
                for v in vars {
                    let Some((slot, kind)) = scope.get(&v.name) else {
                        return Err(undefined(&v.name, v.span, scope));
                    };
                    inner.alias(&v.name, slot, kind);
                    imports.push(v.name.clone());
                }
            }
            None => {
                // The older form: a leading `WITH a, b` imports (plain variables only).
                let branches = std::iter::once(&c.body.first).chain(c.body.unions.iter().map(|u| &u.query));
                for b in branches {
                    let Some(Clause::With(w)) = b.clauses.first() else {
                        continue;
                    };
                    let simple = !w.projection.star
                        && w.projection.items.iter().all(|i| match &i.expr.kind {
                            ExprKind::Variable(v) => i.alias.as_ref().is_none_or(|a| a.name == *v),
                            _ => false,
                        });
                    if w.projection.star {
                        for n in scope.names() {
                            if let Some((slot, kind)) = scope.get(&n) {
                                inner.alias(&n, slot, kind);
                                imports.push(n.clone());
                            }
                        }
                        continue;
                    }
                    for i in &w.projection.items {
                        if let ExprKind::Variable(v) = &i.expr.kind {
                            if let Some((slot, kind)) = scope.get(v) {
                                if simple && !imports.contains(v) {
                                    inner.alias(v, slot, kind);
                                    imports.push(v.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        let (body, columns) = self.plan_nested_query(&c.body, inner, true)?;
        let unit = !ends_returning(&c.body);
        let mut returns = Vec::new();
        if !unit {
            let kinds: Vec<VarKind> = columns.iter().map(|_| VarKind::Value(Ty::Any)).collect();
            for (name, kind) in columns.iter().zip(kinds) {
                let ident = ast::Ident::new(name.clone(), c.span);
                returns.push(self.bind_new(scope, &ident, kind)?);
            }
        } else if c.optional {
            return Err(PlanError::syntax(
                "InvalidClauseComposition",
                "OPTIONAL CALL needs a subquery that returns something",
                c.span,
            ));
        }
        let batching = match &c.in_transactions {
            None => None,
            Some(t) => Some(self.plan_batching(t, scope)?),
        };
        if body.writes() || batching.is_some() {
            self.writes = true;
        }
        Ok(super::SubqueryPlan {
            body,
            returns,
            unit,
            optional: c.optional,
            imports,
            batching,
        })
    }

    /// The options of `IN TRANSACTIONS`: counts known before the query runs,
    /// the status variable bound after the returned ones.
    fn plan_batching(&mut self, t: &ast::InTransactions, scope: &mut Scope) -> PResult<super::BatchPlan> {
        let rows = match &t.batch_size {
            Some(e) => Some(self.constant_count(e, "IN TRANSACTIONS OF ... ROWS")?),
            None => None,
        };
        let concurrency = match &t.concurrency {
            Some(e) => Some(self.constant_count(e, "IN ... CONCURRENT TRANSACTIONS")?),
            None => None,
        };
        for (e, what) in [(&rows, "the batch size"), (&concurrency, "the concurrency")] {
            if let Some(Expr::Const(Value::Int(0))) = e {
                return Err(PlanError::syntax(
                    "InvalidArgumentValue",
                    format!("{what} of IN TRANSACTIONS must be a positive integer, not 0"),
                    t.span,
                ));
            }
        }
        let status = match &t.report_status {
            Some(ident) => Some(self.bind_new(scope, ident, VarKind::Value(Ty::Map))?),
            None => None,
        };
        Ok(super::BatchPlan {
            rows,
            concurrency,
            on_error: t.on_error.unwrap_or(ast::OnError::Fail),
            status,
        })
    }

    /// `FOREACH (x IN list | clauses)`: updating clauses, with `x` and the
    /// variables in scope visible; nothing made inside is visible after it.
    fn plan_foreach(&mut self, f: &ast::Foreach, scope: &Scope) -> PResult<super::ForeachPlan> {
        let t = types::infer(&f.list, scope);
        if !matches!(t, Ty::Any | Ty::Null | Ty::List) {
            return Err(PlanError::syntax(
                "InvalidArgumentType",
                format!("FOREACH needs a list, but this is always a {}", t.name()),
                f.list.span,
            ));
        }
        let list = self.compile(
            &f.list,
            scope,
            &mut ExprCtx {
                place: "FOREACH",
                ..Default::default()
            },
        )?;
        let mut inner = scope.clone();
        let elem = types::element_type(&f.list, scope);
        let slot = inner.bind(&f.variable.name, VarKind::Value(elem));
        let q = ast::SingleQuery {
            clauses: f.clauses.clone(),
            span: f.span,
        };
        let (body, _) = self.plan_single(&q, inner, Body::Subquery)?;
        Ok(super::ForeachPlan {
            list,
            slot,
            variable: f.variable.name.clone(),
            body,
        })
    }

    /// Plans a nested query (EXISTS) that starts from the enclosing row.
    fn plan_subquery(&mut self, q: &ast::SingleQuery, scope: Scope) -> PResult<(Pipeline, Vec<String>)> {
        let mut scope = scope;
        let mut ops = Vec::new();
        for clause in &q.clauses {
            match clause {
                Clause::Match(m) => {
                    let plan = self.plan_match(&m.pattern, m.where_.as_ref(), &mut scope)?;
                    ops.push(if m.optional {
                        Op::Optional { plan }
                    } else {
                        Op::Match(plan)
                    });
                }
                Clause::With(w) => {
                    let (new_ops, new_scope, _) =
                        self.plan_projection(&w.projection, &scope, false, w.where_.as_ref(), w.span)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                Clause::Unwind(u) => {
                    let expr = self.compile(&u.expr, &scope, &mut ExprCtx::default())?;
                    let slot = self.bind_new(&mut scope, &u.variable, VarKind::Value(Ty::Any))?;
                    ops.push(Op::Unwind { expr, slot });
                }
                Clause::Return(r) => {
                    let (new_ops, new_scope, _) = self.plan_projection(&r.projection, &scope, true, None, r.span)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                other => {
                    return Err(PlanError::syntax(
                        "InvalidClauseComposition",
                        format!("{} is not allowed inside EXISTS {{ }}", other.name()),
                        other.span(),
                    ))
                }
            }
        }
        Ok((
            Pipeline {
                ops,
                width: scope.width,
            },
            Vec::new(),
        ))
    }
}

/// Where a list of clauses stands: which endings it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Body {
    /// A whole statement (or one of its UNION branches).
    Top,
    /// The body of a CALL subquery or FOREACH: ends with RETURN or a write.
    Subquery,
    /// The body of COUNT { } / COLLECT { }: may end with a reading clause.
    Expression,
}

/// Inside COUNT { }, COLLECT { } and EXISTS { } a variable of the outer
/// query cannot be declared again (`WITH 1 AS p` when `p` is outside).
fn check_no_shadowing(q: &ast::Query, scope: &Scope) -> PResult<()> {
    let branches = std::iter::once(&q.first).chain(q.unions.iter().map(|u| &u.query));
    for b in branches {
        for c in &b.clauses {
            let declared: Vec<&ast::Ident> = match c {
                Clause::With(w) => w
                    .projection
                    .items
                    .iter()
                    .filter_map(|i| match (&i.alias, &i.expr.kind) {
                        (Some(a), ExprKind::Variable(v)) if *v == a.name => None,
                        (Some(a), _) => Some(a),
                        _ => None,
                    })
                    .collect(),
                Clause::Unwind(u) => vec![&u.variable],
                Clause::LoadCsv(l) => vec![&l.variable],
                _ => Vec::new(),
            };
            for v in declared {
                if scope.lookup(&v.name).is_some() {
                    return Err(PlanError::syntax(
                        "VariableAlreadyBound",
                        format!(
                            "variable `{}` is declared outside this subquery and cannot be declared again inside it",
                            v.name
                        ),
                        v.span,
                    )
                    .with_hint("choose another name inside the subquery"));
                }
            }
        }
    }
    Ok(())
}

/// Whether every branch of `q` ends with RETURN.
fn ends_returning(q: &ast::Query) -> bool {
    std::iter::once(&q.first)
        .chain(q.unions.iter().map(|u| &u.query))
        .all(|b| matches!(b.clauses.last(), Some(Clause::Return(_))))
}

/// Whether `q` is a unit subquery (no RETURN).
fn ends_unit(q: &ast::Query) -> bool {
    !ends_returning(q)
}

/// A sort whose rows are cut by a later LIMIT (with only projections
/// between, which keep every row) keeps just the rows the cut leaves: it
/// becomes a `Top` (`WITH n ORDER BY n.x RETURN n.x LIMIT 3`).
fn top_of_sort(ops: &mut [Op]) {
    for i in 0..ops.len() {
        if !matches!(ops[i], Op::Sort(_)) {
            continue;
        }
        let mut j = i + 1;
        while matches!(ops.get(j), Some(Op::Project { .. } | Op::Truncate(_) | Op::Produce(_))) {
            j += 1;
        }
        let (skip, limit) = match (ops.get(j), ops.get(j + 1)) {
            (Some(Op::Skip(s)), Some(Op::Limit(l))) => (Some(s.clone()), l.clone()),
            (Some(Op::Limit(l)), _) => (None, l.clone()),
            _ => continue,
        };
        let Op::Sort(keys) = std::mem::replace(&mut ops[i], Op::Truncate(0)) else {
            unreachable!("checked above")
        };
        ops[i] = Op::Top { keys, limit, skip };
    }
}

pub(super) fn undefined(name: &str, span: Span, scope: &Scope) -> PlanError {
    let mut e = PlanError::syntax("UndefinedVariable", format!("variable `{name}` is not defined"), span);
    let names = scope.names();
    if let Some(best) = names.iter().min_by_key(|n| crate::error::edit_distance(n, name)) {
        if crate::error::edit_distance(best, name) <= 2 {
            e.hint = Some(format!("did you mean `{best}`?"));
        }
    }
    if e.hint.is_none() && !names.is_empty() {
        e.hint = Some(format!("variables in scope here: {}", names.join(", ")));
    }
    e
}

/// Folds a list or map of constants into one constant.
fn fold_constant(e: Expr) -> Expr {
    match e {
        Expr::List(items) if items.iter().all(|i| matches!(i, Expr::Const(_))) => Expr::Const(Value::list(
            items
                .into_iter()
                .map(|i| match i {
                    Expr::Const(v) => v,
                    _ => Value::Null,
                })
                .collect(),
        )),
        Expr::Map(items) if items.iter().all(|(_, i)| matches!(i, Expr::Const(_))) => Expr::Const(Value::map(
            items
                .into_iter()
                .map(|(k, i)| match i {
                    Expr::Const(v) => (k, v),
                    _ => (k, Value::Null),
                })
                .collect(),
        )),
        other => other,
    }
}

/// The types a property type constraint may name: what a property can hold
/// (`LIST<T NOT NULL>` of a simple type, unions of them), without `NOT NULL`
/// at the top (an existence constraint says that).
fn check_property_type(t: &ast::ValueType) -> PResult<()> {
    use ast::ValueTypeKind as K;
    fn simple(k: &K) -> bool {
        matches!(
            k,
            K::Boolean
                | K::String
                | K::Integer
                | K::Float
                | K::Date
                | K::LocalTime
                | K::ZonedTime
                | K::LocalDateTime
                | K::ZonedDateTime
                | K::Duration
                | K::Point
        )
    }
    fn allowed(t: &ast::ValueType, top: bool) -> bool {
        if top && t.not_null {
            return false;
        }
        match &t.kind {
            K::List(inner) => inner.not_null && simple(&inner.kind),
            K::Union(parts) => parts.iter().all(|p| allowed(p, true)),
            k => simple(k),
        }
    }
    if allowed(t, true) {
        return Ok(());
    }
    Err(PlanError::syntax(
        "InvalidPropertyType",
        format!("a property type constraint cannot require `{t}`: properties do not hold it"),
        t.span,
    )
    .with_hint(
        "use BOOLEAN, STRING, INTEGER, FLOAT, a temporal type, POINT, LIST<T NOT NULL> of one of them, or a union; IS NOT NULL is a constraint of its own",
    ))
}
