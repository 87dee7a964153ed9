//! The binder: walks a statement clause by clause with the variables in scope
//! at each point and what each holds, as the planner will, and reports every
//! error the TCK calls compile-time — unknown and re-declared variables,
//! variables used as what they are not, aggregations where none may be,
//! clauses in an order that cannot run, values of a type that can never fit
//! — before anything is planned. What it accepts, the planner only lays out.

use crate::ast::{self, Clause, ExprKind, Span};
use crate::error::ErrorKind;
use crate::procedure::Procedures;
use crate::value::Value;

use super::scope::{Scope, VarKind};
use super::types::{self, Ty};
use super::{function_name, SemanticError};

pub type BResult<T> = Result<T, SemanticError>;

/// A statement the binder accepted: the only input the planner takes.
#[derive(Clone, Copy, Debug)]
pub struct Bound<'a> {
    query: &'a ast::Query,
}

impl<'a> Bound<'a> {
    pub fn query(&self) -> &'a ast::Query {
        self.query
    }
}

/// Binds a query against the registered procedures (their outputs are
/// variables of the query).
pub fn bind<'a>(query: &'a ast::Query, procedures: &Procedures) -> BResult<Bound<'a>> {
    let mut b = Binder {
        procedures,
        writes: false,
        nested: 0,
    };
    crate::stack::guarded(|| b.top_query(query))?;
    Ok(Bound { query })
}

/// `linenumber()` and `file()`'s hidden variables, as the planner names them.
const LINENUMBER_VAR: &str = " linenumber";
const FILE_VAR: &str = " file";

fn err(code: &'static str, message: impl Into<String>, span: Span) -> SemanticError {
    SemanticError::new(code, message, span)
}

/// Where a list of clauses stands: which endings it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    /// A whole statement (or one of its UNION branches).
    Top,
    /// The body of a CALL subquery or FOREACH: ends with RETURN or a write.
    Subquery,
    /// The body of COUNT { } / COLLECT { }: may end with a reading clause.
    Expression,
}

/// How an expression is read at one place of the query.
#[derive(Clone, Copy, Default)]
struct Ctx<'s> {
    /// Sub-expressions already computed (projection items, grouping keys):
    /// what they mention needs no checking.
    subst: &'s [ast::Expr],
    /// Aggregations may appear here.
    aggregates: bool,
    /// After aggregation: a variable must come through `subst`.
    strict: bool,
    /// What to call this place in "not allowed here" messages.
    place: &'static str,
}

impl Ctx<'_> {
    fn at(place: &'static str) -> Ctx<'static> {
        Ctx {
            place,
            ..Default::default()
        }
    }
}

struct Binder<'p> {
    procedures: &'p Procedures,
    /// A clause that writes has been bound (EXISTS, COUNT and COLLECT refuse them).
    writes: bool,
    /// How deeply subqueries are nested where the binder is.
    nested: usize,
}

pub(crate) fn is_aggregate_expr(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::CountStar => true,
        ExprKind::FunctionCall { name, .. } => crate::functions::is_aggregate(&function_name(name)),
        _ => false,
    }
}

pub(crate) fn contains_aggregate(e: &ast::Expr) -> bool {
    let mut found = false;
    walk(e, &mut |x| found |= is_aggregate_expr(x));
    found
}

/// Visits `e` and its sub-expressions (not those of nested queries and patterns).
pub(crate) fn walk(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr)) {
    visit(e, &mut |x| {
        f(x);
        true
    });
}

/// Visits `e` and, where `f` returns true, its sub-expressions.
pub(crate) fn visit(e: &ast::Expr, f: &mut dyn FnMut(&ast::Expr) -> bool) {
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
        ExprKind::Index(a, b) | ExprKind::Binary(_, a, b) => {
            go(a);
            go(b)
        }
        ExprKind::Slice(a, b, c) => {
            go(a);
            b.iter().for_each(|x| go(x));
            c.iter().for_each(|x| go(x));
        }
        ExprKind::Unary(_, a) | ExprKind::IsNull(a, _) | ExprKind::HasLabels(a, _) => go(a),
        ExprKind::IsType(a, ..) | ExprKind::IsNormalized(a, ..) => go(a),
        ExprKind::FunctionCall { args, .. } => args.iter().for_each(go),
        ExprKind::Case { operand, whens, else_ } => {
            operand.iter().for_each(|x| go(x));
            for (w, t) in whens {
                go(w);
                go(t);
            }
            else_.iter().for_each(|x| go(x));
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            go(list);
            predicate.iter().for_each(|x| go(x));
            projection.iter().for_each(|x| go(x));
        }
        ExprKind::Quantified { list, predicate, .. } => {
            go(list);
            predicate.iter().for_each(|x| go(x));
        }
        ExprKind::Reduce { init, list, expr, .. } => {
            go(init);
            go(list);
            go(expr)
        }
        ExprKind::PatternComprehension {
            predicate, projection, ..
        } => {
            predicate.iter().for_each(|x| go(x));
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

/// `linenumber()` and `file()`: they read the record LOAD CSV is on.
pub(crate) fn is_load_csv_function(parts: &[ast::Ident]) -> bool {
    parts.len() == 1
        && ["linenumber", "file"]
            .iter()
            .any(|f| parts[0].name.eq_ignore_ascii_case(f))
}

/// The error for a name nothing in `scope` declares, with the closest name as a hint.
pub(crate) fn undefined(name: &str, span: Span, scope: &Scope) -> SemanticError {
    let mut e = err("UndefinedVariable", format!("variable `{name}` is not defined"), span);
    let names: Vec<String> = scope.names().into_iter().filter(|n| !n.starts_with(' ')).collect();
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

pub(crate) fn kind_name(k: VarKind) -> &'static str {
    match k {
        VarKind::Node => "node",
        VarKind::Relationship => "relationship",
        VarKind::RelationshipList => "list of relationships",
        VarKind::Path => "path",
        VarKind::Value(Ty::Any) => "value",
        VarKind::Value(t) => t.name(),
    }
}

/// How many hops a relationship pattern may take, when it may take more than one.
fn rel_range(r: &ast::RelPattern) -> Option<(u64, Option<u64>)> {
    match (&r.length, &r.quantifier) {
        (Some(l), _) => Some((l.min.unwrap_or(1), l.max)),
        (None, Some(q)) => Some((q.min, q.max)),
        (None, None) => None,
    }
}

/// A part's selector, unless it is `ALL` (every path, as without one).
fn selector_of(part: &ast::PatternPart) -> Option<&ast::PathSelector> {
    part.selector.as_ref().filter(|s| s.kind != ast::SelectorKind::All)
}

/// Whether every branch of `q` ends with RETURN.
pub(crate) fn ends_returning(q: &ast::Query) -> bool {
    std::iter::once(&q.first)
        .chain(q.unions.iter().map(|u| &u.query))
        .all(|b| matches!(b.clauses.last(), Some(Clause::Return(_))))
}

/// The value of an expression written as a constant (literals, and lists and maps of them).
fn constant(e: &ast::Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Literal(l) => match l {
            ast::Literal::Null => Value::Null,
            ast::Literal::Bool(b) => Value::Bool(*b),
            ast::Literal::Int(i) => Value::Int(*i),
            ast::Literal::Float(f) => Value::Float(*f),
            ast::Literal::String(s) => Value::from(s.as_str()),
        },
        ExprKind::List(items) => Value::list(items.iter().map(constant).collect::<Option<Vec<_>>>()?),
        ExprKind::Map(items) => Value::map(
            items
                .iter()
                .map(|(k, v)| Some((std::sync::Arc::<str>::from(k.name.as_str()), constant(v)?)))
                .collect::<Option<_>>()?,
        ),
        _ => return None,
    })
}

/// Checks a SKIP/LIMIT value (also used at runtime for parameters).
pub fn check_count(v: &Value, clause: &str, span: Span) -> BResult<()> {
    match v {
        Value::Int(i) if *i < 0 => Err(err(
            "NegativeIntegerArgument",
            format!("{clause} cannot be negative: {i}"),
            span,
        )),
        Value::Int(_) => Ok(()),
        other => Err(err(
            "InvalidArgumentType",
            format!("{clause} needs an integer, got {}", other.type_name()),
            span,
        )),
    }
}

/// The types a property type constraint may name: what a property can hold
/// (`LIST<T NOT NULL>` of a simple type, unions of them), without `NOT NULL`
/// at the top (an existence constraint says that).
fn check_property_type(t: &ast::ValueType) -> BResult<()> {
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
    Err(err(
        "InvalidPropertyType",
        format!("a property type constraint cannot require `{t}`: properties do not hold it"),
        t.span,
    )
    .with_hint(
        "use BOOLEAN, STRING, INTEGER, FLOAT, a temporal type, POINT, LIST<T NOT NULL> of one of them, or a union; IS NOT NULL is a constraint of its own",
    ))
}

fn label_text(l: &ast::LabelExpr) -> &'static str {
    match &l.kind {
        ast::LabelExprKind::Or(_) => "|",
        ast::LabelExprKind::Not(_) => "!",
        ast::LabelExprKind::Wildcard => "%",
        ast::LabelExprKind::Dynamic { .. } => "$any(...)",
        _ => "this",
    }
}

impl Binder<'_> {
    fn top_query(&mut self, q: &ast::Query) -> BResult<()> {
        let columns = self.single(&q.first, Scope::new(), Body::Top)?;
        let mut all: Option<bool> = None;
        for u in &q.unions {
            let cols = self.single(&u.query, Scope::new(), Body::Top)?;
            union_columns(&columns, &cols, u.span)?;
            if all.is_some_and(|a| a != u.all) {
                return Err(err(
                    "InvalidClauseComposition",
                    "UNION and UNION ALL cannot be mixed in one query",
                    u.span,
                ));
            }
            all = Some(u.all);
        }
        Ok(())
    }

    /// A nested query (a CALL subquery's body, COUNT { }, COLLECT { }) that
    /// starts from the enclosing scope; returns its columns.
    fn nested_query(&mut self, q: &ast::Query, scope: &Scope, call: bool) -> BResult<Vec<String>> {
        let body = if call { Body::Subquery } else { Body::Expression };
        if self.nested >= 64 {
            return Err(err(
                "UnexpectedSyntax",
                "subqueries are nested too deeply",
                q.first.span,
            ));
        }
        self.nested += 1;
        let result = (|| {
            let columns = self.single(&q.first, scope.clone(), body)?;
            let mut distinct: Option<bool> = None;
            for u in &q.unions {
                let cols = self.single(&u.query, scope.clone(), body)?;
                union_columns(&columns, &cols, u.span)?;
                if distinct.is_some_and(|d| d == u.all) {
                    return Err(err(
                        "InvalidClauseComposition",
                        "UNION and UNION ALL cannot be mixed in one query",
                        u.span,
                    ));
                }
                distinct = Some(!u.all);
            }
            Ok(columns)
        })();
        self.nested -= 1;
        result
    }

    /// One query part, clause by clause; returns the columns it returns.
    fn single(&mut self, q: &ast::SingleQuery, scope: Scope, body: Body) -> BResult<Vec<String>> {
        let mut scope = scope;
        let mut columns = Vec::new();
        let n = q.clauses.len();
        for (i, clause) in q.clauses.iter().enumerate() {
            if i + 1 != n && matches!(clause, Clause::Return(_) | Clause::Finish(_)) {
                return Err(err(
                    "InvalidClauseComposition",
                    format!("{} can only be the last clause of a query", clause.name()),
                    clause.span(),
                )
                .with_hint("use WITH to pass values on to further clauses"));
            }
            match clause {
                Clause::CallSubquery(c) => {
                    if let (Some(t), false) = (&c.in_transactions, body == Body::Top) {
                        return Err(err(
                            "InvalidClauseComposition",
                            "CALL { ... } IN TRANSACTIONS cannot be nested in a subquery",
                            t.span,
                        )
                        .with_hint("run the batches from the outermost query"));
                    }
                    self.call_subquery(c, &mut scope)?;
                }
                Clause::Foreach(f) => {
                    self.writes = true;
                    self.foreach(f, &scope)?;
                }
                Clause::Schema(schema) if body != Body::Top => {
                    return Err(err(
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
                        return Err(err(
                            "InvalidClauseComposition",
                            format!("{} must be a statement on its own", clause.name()),
                            schema.span,
                        ));
                    }
                    columns = self.schema(schema)?;
                }
                Clause::Match(m) => self.pattern_match(&m.pattern, m.where_.as_ref(), &mut scope)?,
                Clause::Unwind(u) => {
                    self.expr(&u.expr, &scope, Ctx::at("UNWIND"))?;
                    bind_new(&mut scope, &u.variable, VarKind::Value(Ty::Any))?;
                }
                Clause::With(w) => {
                    let (s, _) = self.projection(&w.projection, &scope, false, w.where_.as_ref(), w.span)?;
                    scope = s;
                }
                Clause::Return(r) => {
                    let (s, cols) = self.projection(&r.projection, &scope, true, None, r.span)?;
                    scope = s;
                    columns = cols;
                }
                Clause::Let(_) | Clause::Filter(_) => scope = self.let_or_filter(clause, &scope)?,
                Clause::Finish(_) => {}
                Clause::Create(c) => {
                    self.writes = true;
                    self.create(&c.pattern, &mut scope)?;
                }
                Clause::Merge(m) => {
                    self.writes = true;
                    self.merge(m, &mut scope)?;
                }
                Clause::Set(s) => {
                    self.writes = true;
                    self.set_items(&s.items, &scope)?;
                }
                Clause::Remove(r) => {
                    self.writes = true;
                    for item in &r.items {
                        match item {
                            ast::RemoveItem::Property { target, .. } => self.expr(target, &scope, Ctx::default())?,
                            ast::RemoveItem::Labels { variable, labels } => {
                                variable_in(variable, &scope)?;
                                self.created_labels(Some(labels), &scope, "REMOVE")?;
                            }
                            ast::RemoveItem::DynamicProperty { target, key } => {
                                self.expr(target, &scope, Ctx::default())?;
                                self.expr(key, &scope, Ctx::default())?;
                            }
                        }
                    }
                }
                Clause::Delete(d) => {
                    self.writes = true;
                    for e in &d.exprs {
                        if matches!(e.kind, ExprKind::HasLabels(..)) {
                            return Err(err(
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
                            return Err(err(
                                "InvalidArgumentType",
                                format!("DELETE takes nodes, relationships or paths, not a {}", ty.name()),
                                e.span,
                            ));
                        }
                        self.expr(e, &scope, Ctx::at("DELETE"))?;
                    }
                }
                Clause::LoadCsv(l) => self.load_csv(l, &mut scope)?,
                Clause::Call(c) => {
                    let standalone = n == 1 && body == Body::Top;
                    let cols = self.call(c, &mut scope, standalone)?;
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
                        | Clause::Finish(_)
                )
                || matches!(last, Clause::CallSubquery(c) if c.in_transactions.is_some() || !ends_returning(&c.body));
            if !ok_last {
                return Err(err(
                    "InvalidClauseComposition",
                    format!("a query cannot end with {}", last.name()),
                    last.span(),
                )
                .with_hint("end it with RETURN, or with a clause that writes"));
            }
        }
        Ok(columns)
    }

    /// `LET` (`WITH *, expr AS x`: new variables only, no aggregation) and
    /// `FILTER` (`WITH * WHERE expr`): the scope after them.
    fn let_or_filter(&mut self, clause: &Clause, scope: &Scope) -> BResult<Scope> {
        let with = match clause {
            Clause::Let(l) => {
                for (v, e) in &l.items {
                    if contains_aggregate(e) {
                        return Err(err("InvalidAggregation", "aggregations are not allowed in LET", e.span)
                            .with_hint("aggregate in a WITH, then use the result"));
                    }
                    if scope.lookup(&v.name).is_some() {
                        return Err(err(
                            "VariableAlreadyBound",
                            format!(
                                "variable `{}` is already declared; LET binds new variables only",
                                v.name
                            ),
                            v.span,
                        ));
                    }
                }
                l.as_with()
            }
            Clause::Filter(x) => x.as_with(),
            _ => unreachable!("only LET and FILTER"),
        };
        Ok(self
            .projection(&with.projection, scope, false, with.where_.as_ref(), with.span)?
            .0)
    }

    fn load_csv(&mut self, l: &ast::LoadCsv, scope: &mut Scope) -> BResult<()> {
        let ty = types::infer(&l.url, scope);
        if !matches!(ty, Ty::Any | Ty::String) {
            return Err(err(
                "InvalidArgumentType",
                format!("LOAD CSV FROM takes a string (a file URL or path), not a {}", ty.name()),
                l.url.span,
            ));
        }
        self.expr(&l.url, scope, Ctx::at("LOAD CSV"))?;
        if let Some(t) = &l.field_terminator {
            if !(t.len() == 1 && t.is_ascii() && t != "\"" && t != "\n" && t != "\r") {
                return Err(err(
                    "InvalidArgumentValue",
                    format!("FIELDTERMINATOR must be one ASCII character other than a quote or a line end, not {t:?}"),
                    l.span,
                ));
            }
        }
        let kind = VarKind::Value(if l.with_headers { Ty::Map } else { Ty::List });
        bind_new(scope, &l.variable, kind)?;
        scope.bind(LINENUMBER_VAR, VarKind::Value(Ty::Int));
        scope.bind(FILE_VAR, VarKind::Value(Ty::String));
        Ok(())
    }

    /// Schema commands and SHOW: returns the columns.
    fn schema(&mut self, schema: &ast::Schema) -> BResult<Vec<String>> {
        match &schema.command {
            ast::SchemaCommand::Show(show) => {
                let plain_indexes = show.what == ast::ShowWhat::Indexes(ast::IndexFilter::All)
                    && show.yield_.is_none()
                    && show.where_.is_none()
                    && show.return_.is_none();
                if plain_indexes {
                    return Ok(["name", "label", "property", "entries"].map(String::from).to_vec());
                }
                self.show(show, schema.span)
            }
            ast::SchemaCommand::CreateConstraint(c) => {
                if let ast::ConstraintKind::Type(t) = &c.kind {
                    check_property_type(t)?;
                }
                self.writes = true;
                Ok(Vec::new())
            }
            _ => {
                self.writes = true;
                Ok(Vec::new())
            }
        }
    }

    /// `SHOW ... [YIELD ...] [WHERE ...] [RETURN ...]`: the listing's columns
    /// are the variables YIELD, WHERE and RETURN see.
    fn show(&mut self, show: &ast::Show, span: Span) -> BResult<Vec<String>> {
        let (all, _) = show_columns(&show.what);
        if show.return_.is_some() && show.yield_.is_none() {
            return Err(err("UnexpectedSyntax", "RETURN after SHOW needs a YIELD first", span));
        }
        let mut scope = Scope::new();
        for c in all {
            scope.bind(c, VarKind::Value(Ty::Any));
        }
        let projection = show_projection(show, span)?;
        let mut where_ = show.where_.clone();
        if show.yield_.is_none() {
            // WHERE alone sees every column.
            if let Some(w) = where_.take() {
                self.predicate(&w, &scope, Ctx::at("WHERE"))?;
            }
        }
        let (scope, cols) = self.projection(&projection, &scope, show.return_.is_none(), where_.as_ref(), span)?;
        if let Some(r) = &show.return_ {
            return Ok(self.projection(&r.projection, &scope, true, None, r.span)?.1);
        }
        Ok(cols)
    }

    fn call(&mut self, c: &ast::Call, scope: &mut Scope, standalone: bool) -> BResult<Vec<String>> {
        let name = c.qualified_name();
        let Some(proc) = self.procedures.get(&name) else {
            return Err(
                err("ProcedureNotFound", format!("there is no procedure `{name}`"), c.span)
                    .of_kind(ErrorKind::ProcedureError)
                    .with_hint("CALL db.labels(), db.relationshipTypes() and db.propertyKeys() are built in"),
            );
        };
        match &c.args {
            Some(args) => {
                if args.len() < proc.required_inputs() || args.len() > proc.inputs.len() {
                    return Err(err(
                        "InvalidNumberOfArguments",
                        format!(
                            "procedure `{name}` takes {} argument(s), {} given",
                            proc.arity(),
                            args.len()
                        ),
                        c.span,
                    ));
                }
                for (a, (_, ty)) in args.iter().zip(&proc.inputs) {
                    if contains_aggregate(a) {
                        return Err(err(
                            "InvalidAggregation",
                            "aggregations are not allowed in procedure arguments",
                            a.span,
                        ));
                    }
                    self.expr(a, scope, Ctx::at("CALL"))?;
                    if let Some(v) = constant(a) {
                        let widened = matches!(ty, crate::procedure::ValueType::Float) && matches!(v, Value::Int(_));
                        if !(ty.accepts(&v) || widened) {
                            return Err(err(
                                "InvalidArgumentType",
                                format!("procedure `{name}` expects {ty}, got {}", v.type_name()),
                                a.span,
                            ));
                        }
                    }
                }
            }
            None if !standalone => {
                return Err(err(
                    "InvalidArgumentPassingMode",
                    format!("procedure `{name}` needs its arguments in parentheses inside a larger query"),
                    c.span,
                ))
            }
            None => {}
        }
        let mut columns = Vec::new();
        match &c.yield_ {
            Some(y) => {
                if y.star && !standalone {
                    return Err(err(
                        "UnexpectedSyntax",
                        "YIELD * is only allowed in a standalone CALL",
                        c.span,
                    ));
                }
                for (field, var) in yield_items(c, y, proc) {
                    if !proc.outputs.iter().any(|(n, _)| *n == field) {
                        return Err(err(
                            "UndefinedVariable",
                            format!("procedure `{name}` has no output `{field}`"),
                            var.span,
                        ));
                    }
                    bind_new(scope, &var, VarKind::Value(Ty::Any))?;
                    columns.push(var.name.clone());
                }
                if let Some(w) = &y.where_ {
                    self.predicate(w, scope, Ctx::at("WHERE"))?;
                }
            }
            None => {
                if !standalone && !proc.outputs.is_empty() {
                    return Err(err(
                        "UndefinedVariable",
                        format!("CALL `{name}` inside a query needs YIELD to name the outputs it uses"),
                        c.span,
                    ));
                }
                for (n, _) in &proc.outputs {
                    scope.bind(n, VarKind::Value(Ty::Any));
                    columns.push(n.clone());
                }
            }
        }
        Ok(columns)
    }

    /// `[OPTIONAL] CALL [(a, b) | (*)] { ... }`: the body sees the imported
    /// variables only; what it returns is bound after it.
    fn call_subquery(&mut self, c: &ast::CallSubquery, scope: &mut Scope) -> BResult<()> {
        let mut inner = Scope::new();
        match &c.import {
            Some(ast::ImportList::All) => inner = scope.clone(),
            Some(ast::ImportList::Variables(vars)) => {
                for v in vars {
                    let Some((slot, kind)) = scope.get(&v.name) else {
                        return Err(undefined(&v.name, v.span, scope));
                    };
                    inner.alias(&v.name, slot, kind);
                }
            }
            None => {
                // The older form: a leading `WITH a, b` imports (plain variables only).
                let branches = std::iter::once(&c.body.first).chain(c.body.unions.iter().map(|u| &u.query));
                for b in branches {
                    let Some(Clause::With(w)) = b.clauses.first() else {
                        continue;
                    };
                    if w.projection.star {
                        for n in scope.names() {
                            if let Some((slot, kind)) = scope.get(&n) {
                                inner.alias(&n, slot, kind);
                            }
                        }
                        continue;
                    }
                    let simple = w.projection.items.iter().all(|i| match &i.expr.kind {
                        ExprKind::Variable(v) => i.alias.as_ref().is_none_or(|a| a.name == *v),
                        _ => false,
                    });
                    if !simple {
                        continue;
                    }
                    for i in &w.projection.items {
                        if let ExprKind::Variable(v) = &i.expr.kind {
                            if let (Some((slot, kind)), None) = (scope.get(v), inner.get(v)) {
                                inner.alias(v, slot, kind);
                            }
                        }
                    }
                }
            }
        }
        let columns = self.nested_query(&c.body, &inner, true)?;
        if ends_returning(&c.body) {
            for name in &columns {
                bind_new(scope, &ast::Ident::new(name.clone(), c.span), VarKind::Value(Ty::Any))?;
            }
        } else if c.optional {
            return Err(err(
                "InvalidClauseComposition",
                "OPTIONAL CALL needs a subquery that returns something",
                c.span,
            ));
        }
        if let Some(t) = &c.in_transactions {
            self.writes = true;
            for (e, what) in [
                (&t.batch_size, "IN TRANSACTIONS OF ... ROWS"),
                (&t.concurrency, "IN ... CONCURRENT TRANSACTIONS"),
            ] {
                let Some(e) = e else { continue };
                self.constant_count(e, what)?;
                if constant(e) == Some(Value::Int(0)) {
                    let what = if what.contains("CONCURRENT") {
                        "the concurrency"
                    } else {
                        "the batch size"
                    };
                    return Err(err(
                        "InvalidArgumentValue",
                        format!("{what} of IN TRANSACTIONS must be a positive integer, not 0"),
                        t.span,
                    ));
                }
            }
            if let Some(ident) = &t.report_status {
                bind_new(scope, ident, VarKind::Value(Ty::Map))?;
            }
        }
        Ok(())
    }

    /// `FOREACH (x IN list | clauses)`: updating clauses, with `x` and the
    /// variables in scope visible; nothing made inside is visible after it.
    fn foreach(&mut self, f: &ast::Foreach, scope: &Scope) -> BResult<()> {
        let t = types::infer(&f.list, scope);
        if !matches!(t, Ty::Any | Ty::Null | Ty::List) {
            return Err(err(
                "InvalidArgumentType",
                format!("FOREACH needs a list, but this is always a {}", t.name()),
                f.list.span,
            ));
        }
        self.expr(&f.list, scope, Ctx::at("FOREACH"))?;
        let mut inner = scope.clone();
        inner.bind(&f.variable.name, VarKind::Value(types::element_type(&f.list, scope)));
        let q = ast::SingleQuery {
            clauses: f.clauses.clone(),
            span: f.span,
        };
        self.single(&q, inner, Body::Subquery)?;
        Ok(())
    }

    /// The body of a single-branch `EXISTS { }`: reading clauses only.
    fn exists_body(&mut self, q: &ast::SingleQuery, scope: &Scope) -> BResult<()> {
        let mut scope = scope.clone();
        for clause in &q.clauses {
            match clause {
                Clause::Match(m) => self.pattern_match(&m.pattern, m.where_.as_ref(), &mut scope)?,
                Clause::With(w) => {
                    scope = self
                        .projection(&w.projection, &scope, false, w.where_.as_ref(), w.span)?
                        .0;
                }
                Clause::Unwind(u) => {
                    self.expr(&u.expr, &scope, Ctx::default())?;
                    bind_new(&mut scope, &u.variable, VarKind::Value(Ty::Any))?;
                }
                Clause::Return(r) => {
                    scope = self.projection(&r.projection, &scope, true, None, r.span)?.0;
                }
                Clause::Let(_) | Clause::Filter(_) => scope = self.let_or_filter(clause, &scope)?,
                other => {
                    return Err(err(
                        "InvalidClauseComposition",
                        format!("{} is not allowed inside EXISTS {{ }}", other.name()),
                        other.span(),
                    ))
                }
            }
        }
        Ok(())
    }

    /// The body of `COUNT { }` / `COLLECT { }`: a read-only query correlated
    /// with the row (COLLECT's returns one column).
    fn expression_subquery(&mut self, q: &ast::Query, scope: &Scope, what: &str, span: Span) -> BResult<()> {
        check_no_shadowing(q, scope)?;
        let saved = self.writes;
        let cols = self.nested_query(q, scope, false)?;
        if self.writes && !saved {
            return Err(err(
                "InvalidClauseComposition",
                format!("{what} {{ }} cannot contain clauses that write"),
                span,
            ));
        }
        if what == "COLLECT" {
            let returns = q.first.clauses.last().is_some_and(|c| matches!(c, Clause::Return(_)));
            if !returns || cols.len() != 1 {
                return Err(err(
                    "InvalidClauseComposition",
                    "COLLECT { } must end with a RETURN of exactly one column",
                    span,
                ));
            }
        }
        Ok(())
    }

    fn set_items(&mut self, items: &[ast::SetItem], scope: &Scope) -> BResult<()> {
        let ctx = Ctx::at("SET");
        for item in items {
            match item {
                ast::SetItem::Property { target, value, .. } => {
                    self.expr(target, scope, ctx)?;
                    self.expr(value, scope, ctx)?;
                }
                ast::SetItem::Replace { variable, value } | ast::SetItem::Merge { variable, value } => {
                    variable_in(variable, scope)?;
                    self.expr(value, scope, ctx)?;
                }
                ast::SetItem::Labels { variable, labels } => {
                    variable_in(variable, scope)?;
                    self.created_labels(Some(labels), scope, "SET")?;
                }
                ast::SetItem::DynamicProperty { target, key, value } => {
                    let t = types::infer(key, scope);
                    if !matches!(t, Ty::Any | Ty::Null | Ty::String) {
                        return Err(err(
                            "InvalidArgumentType",
                            format!("a property key must be a string, but this is always a {}", t.name()),
                            key.span,
                        ));
                    }
                    self.expr(target, scope, ctx)?;
                    self.expr(key, scope, ctx)?;
                    self.expr(value, scope, ctx)?;
                }
            }
        }
        Ok(())
    }
}

/// What a procedure call's YIELD binds: `(output field, variable)`, every
/// output under its own name for `YIELD *`.
pub(crate) fn yield_items(
    c: &ast::Call,
    y: &ast::YieldClause,
    proc: &crate::procedure::Procedure,
) -> Vec<(String, ast::Ident)> {
    if y.star {
        return proc
            .outputs
            .iter()
            .map(|(n, _)| (n.clone(), ast::Ident::new(n.clone(), c.span)))
            .collect();
    }
    y.items
        .iter()
        .map(|(f, a)| (f.name.clone(), a.clone().unwrap_or_else(|| f.clone())))
        .collect()
}

/// Binds a variable that must be new here.
fn bind_new(scope: &mut Scope, ident: &ast::Ident, kind: VarKind) -> BResult<()> {
    if scope.lookup(&ident.name).is_some() {
        return Err(err(
            "VariableAlreadyBound",
            format!("variable `{}` is already declared", ident.name),
            ident.span,
        )
        .with_hint("choose another name, or drop the new declaration to reuse the existing one"));
    }
    scope.bind(&ident.name, kind);
    Ok(())
}

fn variable_in(ident: &ast::Ident, scope: &Scope) -> BResult<()> {
    match scope.lookup(&ident.name) {
        Some(_) => Ok(()),
        None => Err(undefined(&ident.name, ident.span, scope)),
    }
}

fn union_columns(first: &[String], cols: &[String], span: Span) -> BResult<()> {
    if cols == first {
        return Ok(());
    }
    Err(err(
        "DifferentColumnsInUnion",
        format!(
            "all parts of a UNION must return the same columns: [{}] vs [{}]",
            first.join(", "),
            cols.join(", ")
        ),
        span,
    ))
}

/// The columns of a SHOW command, and how many of them it shows without YIELD.
pub(crate) fn show_columns(what: &ast::ShowWhat) -> (&'static [&'static str], usize) {
    use crate::procedures::show::{CONSTRAINT_COLUMNS, FUNCTION_COLUMNS, INDEX_COLUMNS, PROCEDURE_COLUMNS};
    match what {
        ast::ShowWhat::Indexes(_) => INDEX_COLUMNS,
        ast::ShowWhat::Procedures { .. } => PROCEDURE_COLUMNS,
        ast::ShowWhat::Functions { .. } => FUNCTION_COLUMNS,
        ast::ShowWhat::Constraints(_) => CONSTRAINT_COLUMNS,
    }
}

/// The projection a SHOW command's YIELD (or its default columns) makes.
pub(crate) fn show_projection(show: &ast::Show, span: Span) -> BResult<ast::Projection> {
    let (all, shown) = show_columns(&show.what);
    let item = |name: &str, alias: Option<&ast::Ident>, sp: Span| ast::ProjectionItem {
        expr: ast::Expr::new(ExprKind::Variable(name.to_string()), sp),
        alias: alias.cloned(),
        text: name.to_string(),
    };
    let (items, order_by, skip, limit) = match &show.yield_ {
        Some(y) if !y.star => {
            let mut items = Vec::new();
            for (col, alias) in &y.items {
                if !all.contains(&col.name.as_str()) {
                    return Err(err(
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
    Ok(ast::Projection {
        distinct: false,
        star: false,
        items,
        order_by,
        skip,
        limit,
    })
}

/// Inside COUNT { }, COLLECT { } and EXISTS { } a variable of the outer
/// query cannot be declared again (`WITH 1 AS p` when `p` is outside).
fn check_no_shadowing(q: &ast::Query, scope: &Scope) -> BResult<()> {
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
                    return Err(err(
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

mod expr;
mod pattern;
mod projection;
pub(crate) use projection::projection_items;
#[cfg(test)]
mod tests;
