//! Bound AST -> plan: resolves the variables the binder checked to row slots
//! and names to interned ids, and lays out the pipeline of operators clause
//! by clause. Every compile-time error is the binder's (`semantic::bind`);
//! what reaches the planner it can plan.

use std::sync::Arc;

use crate::ast::{self, Clause, ExprKind, Span};
use crate::error::{Error, ErrorKind, Phase};
use crate::procedure::Procedures;
use crate::store::{GraphRead, NameRef, Namespace};
use crate::value::Value;

use super::expr::{Expr, MapProjectionItem};
use super::scope::{Scope, VarKind};
use super::types::{self, Ty};
use super::{CallPlan, LoadCsvPlan, Op, Pipeline, QueryPlan, RemoveOp, SetOp, FILE_VAR, LINENUMBER_VAR};

/// An error of planning: only what the binder should have refused
/// ([`PlanError::unchecked`], a bug) — the planner itself refuses nothing.
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

    pub fn into_error(self, text: &str) -> Error {
        let mut e = Error::new(self.kind, self.code, Phase::Compile, self.message.clone()).at(text, self.span.start);
        e.hint = self.hint.clone();
        e.with_source(self)
    }

    /// Something the binder should have refused reached the planner: a bug
    /// (debug builds stop here), reported in release builds rather than planned wrong.
    pub fn unchecked(what: &str, span: Span) -> PlanError {
        debug_assert!(false, "the binder let through {what} at byte {}", span.start);
        PlanError::syntax(
            "UnexpectedSyntax",
            format!("cannot plan {what}: the semantic check should have refused it"),
            span,
        )
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

/// Plans a whole query (all UNION branches) that the binder accepted.
pub fn plan_query(
    query: crate::semantic::bind::Bound<'_>,
    graph: &dyn GraphRead,
    procedures: &Procedures,
    options: PlanOptions,
) -> PResult<QueryPlan> {
    let mut planner = Planner {
        graph,
        procedures,
        options,
        writes: false,
        repeatable: false,
    };
    let query = query.query();
    let (first, columns) = planner.plan_single(&query.first, Scope::new(), Body::Top)?;
    let mut branches = vec![first];
    let mut union_all = Vec::new();
    for u in &query.unions {
        let (p, _) = planner.plan_single(&u.query, Scope::new(), Body::Top)?;
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

pub(super) use crate::semantic::bind::{contains_aggregate, is_aggregate_expr, is_load_csv_function, walk};
pub(super) use crate::semantic::function_name;

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
        for clause in &q.clauses {
            match clause {
                Clause::CallSubquery(c) => {
                    let plan = self.plan_call_subquery(c, &mut scope)?;
                    ops.push(Op::Subquery(Box::new(plan)));
                }
                Clause::Foreach(f) => {
                    self.writes = true;
                    let plan = self.plan_foreach(f, &scope)?;
                    ops.push(Op::Foreach(Box::new(plan)));
                }
                Clause::Schema(schema) => {
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
                    let slot = scope.bind(&u.variable.name, VarKind::Value(Ty::Any));
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
                Clause::Let(_) | Clause::Filter(_) => {
                    let (new_ops, new_scope) = self.plan_let_or_filter(clause, &scope)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                // Every row is made (and every write before it done), none returned.
                Clause::Finish(_) => ops.push(Op::Filter(Expr::Const(Value::Bool(false)))),
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
        if !self.options.naive {
            super::scan_aggregate::rewrite(&mut ops);
            top_of_sort(&mut ops);
            super::scan_top::rewrite(&mut ops);
        }
        let width = scope.width;
        Ok((Pipeline { ops, width }, columns))
    }

    /// `LET` as `WITH *, expr AS x`, `FILTER` as `WITH * WHERE expr`.
    fn plan_let_or_filter(&mut self, clause: &Clause, scope: &Scope) -> PResult<(Vec<Op>, Scope)> {
        let with = match clause {
            Clause::Let(l) => l.as_with(),
            Clause::Filter(x) => x.as_with(),
            _ => return Err(PlanError::unchecked("a clause as LET or FILTER", clause.span())),
        };
        let (ops, scope, _) = self.plan_projection(&with.projection, scope, false, with.where_.as_ref(), with.span)?;
        Ok((ops, scope))
    }

    fn plan_load_csv(&mut self, l: &ast::LoadCsv, scope: &mut Scope) -> PResult<LoadCsvPlan> {
        let url = self.compile(
            &l.url,
            scope,
            &mut ExprCtx {
                place: "LOAD CSV",
                ..Default::default()
            },
        )?;
        // One ASCII byte (the binder checked).
        let terminator = l.field_terminator.as_ref().map_or(b',', |t| t.as_bytes()[0]);
        let kind = VarKind::Value(if l.with_headers { Ty::Map } else { Ty::List });
        let slot = scope.bind(&l.variable.name, kind);
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
            ast::ConstraintKind::Type(t) => Requirement::Type(PropertyType::new(t.clone())),
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
        let op = match &show.what {
            ast::ShowWhat::Indexes(filter) => Op::Schema(super::SchemaOp::ShowIndexesFull(*filter)),
            ast::ShowWhat::Procedures { .. } => Op::ShowRoutines {
                procedures: true,
                filter: ast::FunctionFilter::All,
            },
            ast::ShowWhat::Functions { filter, .. } => Op::ShowRoutines {
                procedures: false,
                filter: *filter,
            },
            ast::ShowWhat::Constraints(filter) => Op::Schema(super::SchemaOp::ShowConstraints(*filter)),
        };
        let (all, _) = crate::semantic::bind::show_columns(&show.what);
        let mut scope = Scope::new();
        for c in all {
            scope.bind(c, VarKind::Value(Ty::Any));
        }
        let mut ops = vec![op];
        let projection =
            crate::semantic::bind::show_projection(show, span).map_err(|e| PlanError::unchecked(&e.message, e.span))?;
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

    pub(super) fn variable(&mut self, ident: &ast::Ident, scope: &Scope) -> PResult<Expr> {
        slot_of(&ident.name, ident.span, scope).map(Expr::Slot)
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
                ast::SetItem::DynamicProperty { target, key, value } => SetOp::DynamicProperty {
                    target: self.compile(target, scope, ctx)?,
                    key: self.compile(key, scope, ctx)?,
                    value: self.compile(value, scope, ctx)?,
                },
            });
        }
        Ok(out)
    }

    fn plan_call(&mut self, c: &ast::Call, scope: &mut Scope, standalone: bool) -> PResult<(Vec<Op>, Vec<String>)> {
        let name = c.qualified_name();
        let Some(proc) = self.procedures.get(&name) else {
            return Err(PlanError::unchecked("a procedure not registered", c.span));
        };
        let args = match &c.args {
            Some(args) => {
                let mut out = Vec::new();
                for a in args {
                    out.push(self.compile(
                        a,
                        scope,
                        &mut ExprCtx {
                            place: "CALL",
                            ..Default::default()
                        },
                    )?);
                }
                // The inputs left out take their defaults.
                out.extend(
                    (args.len()..proc.inputs.len()).filter_map(|i| proc.default_input(i).cloned().map(Expr::Const)),
                );
                out
            }
            None => proc
                .inputs
                .iter()
                .map(|(n, _)| Expr::Param(n.as_str().into()))
                .collect(),
        };
        let mut yields = Vec::new();
        let mut columns = Vec::new();
        match &c.yield_ {
            Some(y) => {
                for (field, var) in crate::semantic::bind::yield_items(c, y, proc) {
                    let Some(idx) = proc.outputs.iter().position(|(n, _)| *n == field) else {
                        return Err(PlanError::unchecked("a procedure output that does not exist", var.span));
                    };
                    let slot = scope.bind(&var.name, VarKind::Value(Ty::Any));
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
            ExprKind::Variable(_) if ctx.strict => {
                return Err(PlanError::unchecked("a variable next to an aggregation", e.span))
            }
            ExprKind::Variable(v) => Expr::Slot(slot_of(v, e.span, scope)?),
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
            ExprKind::Binary(op, a, b) => Expr::Binary(
                *op,
                Box::new(self.compile(a, scope, ctx)?),
                Box::new(self.compile(b, scope, ctx)?),
            ),
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
            ExprKind::IsNormalized(a, f, not) => Expr::IsNormalized(Box::new(self.compile(a, scope, ctx)?), *f, *not),
            ExprKind::CountSubquery(q) => {
                let p = self.plan_expression_subquery(q, scope)?;
                Expr::CountSubquery(Box::new(p))
            }
            ExprKind::CollectSubquery(q) => {
                let p = self.plan_expression_subquery(q, scope)?;
                Expr::CollectSubquery(Box::new(p))
            }
            ExprKind::CountStar | ExprKind::FunctionCall { .. } if is_aggregate_expr(e) => {
                return self.compile_aggregate(e, scope, ctx);
            }
            ExprKind::CountStar => unreachable!("count(*) is an aggregate"),
            ExprKind::FunctionCall { name, .. } if is_load_csv_function(name) => {
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
            ExprKind::FunctionCall { name, args, .. } => {
                let fname = function_name(name);
                let Some(def) = crate::functions::lookup(&fname) else {
                    return Err(PlanError::unchecked("an unknown function", e.span));
                };
                if fname == "exists" {
                    return self.compile_exists_function(args, scope, ctx, e.span);
                }
                if fname == "normalize" && args.len() == 2 {
                    // The form is written as a bare name: `normalize(s, NFD)`.
                    if let ExprKind::Variable(v) = &args[1].kind {
                        if scope.lookup(v).is_none() {
                            let Some(form) = crate::functions::scalar::normal_form(v) else {
                                return Err(PlanError::unchecked("an unknown normal form", args[1].span));
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
                    None => return Err(PlanError::unchecked("a quantifier without a predicate", e.span)),
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
                let p = self.plan_expression_subquery(q, scope)?;
                Expr::Exists(Box::new(p))
            }
            ExprKind::Exists(q) => {
                let (p, _) = self.plan_subquery(&q.first, scope.clone())?;
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
    fn plan_expression_subquery(&mut self, q: &ast::Query, scope: &Scope) -> PResult<Pipeline> {
        Ok(self.plan_nested_query(q, scope.clone(), false)?.0)
    }

    /// Compiles an expression in a boolean position: a pattern there asks
    /// whether it has a match.
    pub(super) fn compile_predicate(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
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
        let mut inner = ExprCtx {
            strict: false,
            place: ctx.place,
            ..Default::default()
        };
        self.compile(e, scope, &mut inner)
    }

    fn compile_aggregate(&mut self, e: &ast::Expr, scope: &Scope, ctx: &mut ExprCtx) -> PResult<Expr> {
        let Some((base, calls)) = ctx.aggregates.as_mut() else {
            return Err(PlanError::unchecked("an aggregation where none may be", e.span));
        };
        let base = *base;
        let (name, distinct, args) = match &e.kind {
            ExprKind::CountStar => ("count(*)".to_string(), false, Vec::new()),
            ExprKind::FunctionCall { name, distinct, args } => (function_name(name), *distinct, args.clone()),
            _ => unreachable!("checked by is_aggregate_expr"),
        };
        let mut compiled = Vec::new();
        for a in &args {
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
            _ => Err(PlanError::unchecked(
                "exists() of something else than a property or a pattern",
                span,
            )),
        }
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
        let (first, columns) = self.plan_single(&q.first, scope.clone(), body)?;
        if q.unions.is_empty() {
            return Ok((first, columns));
        }
        let mut branches = vec![first];
        for u in &q.unions {
            branches.push(self.plan_single(&u.query, scope.clone(), body)?.0);
        }
        let width = columns.len();
        Ok((
            Pipeline {
                ops: vec![Op::Union(Box::new(super::UnionPlan {
                    branches,
                    // One kind of UNION in a query (the binder checked).
                    distinct: !q.unions[0].all,
                    width,
                }))],
                width,
            },
            columns,
        ))
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
                        return Err(PlanError::unchecked("an import of an undefined variable", v.span));
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
        let unit = !crate::semantic::bind::ends_returning(&c.body);
        let mut returns = Vec::new();
        if !unit {
            for name in &columns {
                returns.push(scope.bind(name, VarKind::Value(Ty::Any)));
            }
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
        let status = t
            .report_status
            .as_ref()
            .map(|ident| scope.bind(&ident.name, VarKind::Value(Ty::Map)));
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
                    let slot = scope.bind(&u.variable.name, VarKind::Value(Ty::Any));
                    ops.push(Op::Unwind { expr, slot });
                }
                Clause::Return(r) => {
                    let (new_ops, new_scope, _) = self.plan_projection(&r.projection, &scope, true, None, r.span)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                Clause::Let(_) | Clause::Filter(_) => {
                    let (new_ops, new_scope) = self.plan_let_or_filter(clause, &scope)?;
                    ops.extend(new_ops);
                    scope = new_scope;
                }
                other => return Err(PlanError::unchecked("a clause EXISTS { } cannot hold", other.span())),
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

/// The slot of a variable the binder resolved.
pub(super) fn slot_of(name: &str, span: Span, scope: &Scope) -> PResult<usize> {
    scope
        .lookup(name)
        .ok_or_else(|| PlanError::unchecked(&format!("the undefined variable `{name}`"), span))
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
