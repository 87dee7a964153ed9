//! The executor: runs a plan against a view of the graph.
//!
//! Reading operators are cursors (`cursor.rs`, `matcher.rs`) that pull rows
//! from the ones before them only as their consumer asks, so a LIMIT, an
//! EXISTS or a client that stops reading stops the work upstream. Writing
//! operators (`write.rs`) keep Cypher's clause-at-a-time semantics: each
//! takes every row of the reading operators before it, changes the graph for
//! all of them, and only then do the reading operators after it start (the
//! `Eager` of EXPLAIN). The executor reads the store through `GraphRead` and
//! changes it through `GraphWrite`; it knows nothing of how the store is laid
//! out or persisted.

mod ahead;
mod arith;
mod batches;
mod best;
pub(crate) mod constraints;
mod cursor;
mod eval;
mod functions;
mod load_csv;
mod matcher;
mod project;
mod scan_aggregate;
mod scan_top;
mod stream_write;
mod write;

use std::sync::{Arc, Mutex};

use rustc_hash::FxHashSet;

use crate::error::{Error, ErrorKind, Phase};
use crate::plan::{Op, OpProfile, Pipeline, QueryPlan, SchemaOp};
use crate::result::Stats;
use crate::store::{GraphRead, GraphWrite};
use crate::value::order::GroupKey;
use crate::value::temporal::TemporalError;
use crate::value::Value;

pub use cursor::{BoxCursor, Cursor};
pub use eval::{Eval, StatementContext};
use write::Writer;

pub use batches::{Batches, DEFAULT_BATCH_ROWS};

pub type Row = Vec<Value>;

/// A runtime error, before it is given a place in the query text.
#[derive(Clone, Debug)]
pub struct ExecError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
    /// How to fix it, where there is more to say than the message.
    pub hint: Option<String>,
    /// What below the executor failed (a function, the store, a file).
    source: Option<crate::error::Source>,
}

impl PartialEq for ExecError {
    fn eq(&self, other: &Self) -> bool {
        (self.kind, self.code, &self.message) == (other.kind, other.code, &other.message)
    }
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.kind, self.code, self.message)
    }
}

impl std::error::Error for ExecError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

pub type XResult<T> = Result<T, ExecError>;

impl ExecError {
    pub fn new(kind: ErrorKind, code: &'static str, message: String) -> ExecError {
        ExecError {
            kind,
            code,
            message,
            hint: None,
            source: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> ExecError {
        self.hint = Some(hint.into());
        self
    }

    /// Records what below the executor failed.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> ExecError {
        self.source = Some(Arc::new(source));
        self
    }

    pub fn type_error(message: String) -> ExecError {
        ExecError::new(ErrorKind::TypeError, "InvalidArgumentType", message)
    }

    pub fn overflow(message: String) -> ExecError {
        ExecError::new(ErrorKind::ArgumentError, "IntegerOverflow", message)
    }

    pub fn deleted_entity(what: &str, id: u64) -> ExecError {
        ExecError::new(
            ErrorKind::EntityNotFound,
            "DeletedEntityAccess",
            format!("{what} {id} has been deleted; its properties and labels can no longer be read"),
        )
    }

    pub fn missing_parameter(name: &str) -> ExecError {
        ExecError::new(
            ErrorKind::ParameterMissing,
            "MissingParameter",
            format!("parameter ${name} was not given a value"),
        )
    }

    pub fn interrupted() -> ExecError {
        let e = Error::interrupted();
        ExecError::new(e.kind, e.code, e.message)
    }

    pub fn temporal(e: TemporalError) -> ExecError {
        let out = match &e {
            TemporalError::InvalidArgumentValue(m) => {
                ExecError::new(ErrorKind::ArgumentError, "InvalidArgumentValue", m.clone())
            }
            TemporalError::InvalidArgumentType(m) => {
                ExecError::new(ErrorKind::TypeError, "InvalidArgumentType", m.clone())
            }
        };
        out.with_source(e)
    }

    pub fn from_function(e: crate::functions::FunctionError) -> ExecError {
        ExecError::new(e.kind, e.code, e.message.clone()).with_source(e)
    }

    pub fn into_error(self) -> Error {
        // A missing parameter is a mistake in the request, not in the data:
        // reported as found before running (the statement changed nothing).
        let phase = if self.kind == ErrorKind::ParameterMissing {
            Phase::Compile
        } else {
            Phase::Runtime
        };
        let mut e = Error::new(self.kind, self.code, phase, self.message.clone());
        e.hint = self.hint.clone();
        e.with_source(self)
    }
}

/// Where PROFILE collects what each operator of each branch did.
pub type ProfileStats = Arc<Mutex<Vec<Vec<OpProfile>>>>;

/// A fresh collector for `plan`: one entry per operator per branch.
pub fn profile_stats(plan: &QueryPlan) -> ProfileStats {
    Arc::new(Mutex::new(
        plan.branches
            .iter()
            .map(|b| vec![OpProfile::default(); b.ops.len()])
            .collect(),
    ))
}

/// The figures of a finished PROFILE run, each operator's time without the
/// operators feeding it.
pub fn profile_figures(plan: &QueryPlan, stats: &ProfileStats) -> Vec<Vec<OpProfile>> {
    let mut figures = stats.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for (branch, ops) in plan.branches.iter().zip(figures.iter_mut()) {
        let inclusive: Vec<_> = ops.iter().map(|o| o.time).collect();
        for i in 1..ops.len() {
            // A reading operator's time includes the one before it, unless a
            // writing operator stands between them (its input was made already).
            if !branch.ops[i].writes() && !branch.ops[i - 1].writes() {
                ops[i].time = inclusive[i].saturating_sub(inclusive[i - 1]);
            }
        }
    }
    figures
}

/// The cursor of reading operators `ops` over the rows of `input`.
/// `profile`: where to count what each does (branch, index of `ops[0]`).
fn build<'g>(
    ev: Eval<'g>,
    ops: &'g [Op],
    input: BoxCursor<'g>,
    profile: Option<(&ProfileStats, usize, usize)>,
) -> XResult<BoxCursor<'g>> {
    let mut cur = input;
    for (i, op) in ops.iter().enumerate() {
        cur = match op {
            Op::Match(m) => Box::new(cursor::MatchCursor::new(ev, cur, m, false)),
            Op::Optional { plan } => Box::new(cursor::MatchCursor::new(ev, cur, plan, true)),
            Op::Filter(e) => Box::new(cursor::Filter {
                ev,
                input: cur,
                predicate: e,
            }),
            Op::Unwind { expr, slot } => Box::new(cursor::Unwind::new(ev, cur, expr, *slot)),
            Op::Project { exprs, keep } => Box::new(cursor::Project {
                ev,
                input: cur,
                exprs,
                keep: *keep,
                buf: Vec::new(),
            }),
            Op::Aggregate { keys, aggregates } => Box::new(cursor::aggregate(ev, cur, keys, aggregates)),
            Op::ScanAggregate(p) => Box::new(cursor::scan_aggregate(ev, cur, p)),
            Op::ScanTop(p) => Box::new(cursor::Eager::new(cur, move |mut input| {
                let mut row = Vec::new();
                let mut out = Vec::new();
                while input.next(&mut row)? {
                    out.extend(scan_top::run(&ev, p, &row)?);
                }
                Ok(out)
            })),
            Op::Distinct { width } => Box::new(cursor::Distinct {
                input: cur,
                width: *width,
                seen: FxHashSet::default(),
            }),
            Op::Sort(keys) => Box::new(cursor::sort(ev, cur, keys)),
            Op::Top { keys, limit, skip } => Box::new(cursor::top(ev, cur, keys, limit, skip.as_ref())),
            Op::Skip(e) => Box::new(cursor::Skip {
                ev,
                input: cur,
                count: e,
                skipped: false,
            }),
            Op::Limit(e) => Box::new(cursor::Limit {
                ev,
                input: cur,
                count: e,
                left: None,
            }),
            Op::Truncate(w) => Box::new(cursor::Truncate { input: cur, width: *w }),
            Op::Call(c) => Box::new(cursor::Call::new(ev, cur, c)),
            Op::LoadCsv(p) => Box::new(cursor::LoadCsv::new(ev, cur, p)),
            Op::Produce(_) => cur,
            Op::Schema(SchemaOp::ShowIndexes) => Box::new(cursor::listed(cur, move || show_indexes(ev.graph))),
            Op::Schema(SchemaOp::ShowIndexesFull(filter)) => {
                let filter = *filter;
                Box::new(cursor::listed(cur, move || show_indexes_full(ev.graph, filter)))
            }
            Op::Schema(SchemaOp::ShowConstraints(filter)) => {
                let filter = *filter;
                Box::new(cursor::listed(cur, move || constraints::show(ev.graph, filter)))
            }
            Op::ShowRoutines { procedures, filter } => {
                let (procedures, filter) = (*procedures, *filter);
                Box::new(cursor::listed(cur, move || show_routines(ev, procedures, filter)))
            }
            Op::Subquery(sq) if !op.writes() => Box::new(PerRow {
                input: cur,
                buf: Vec::new().into_iter(),
                f: move |row: &Row| {
                    let inner = subquery_rows(ev, &sq.body, row, None)?;
                    Ok(combine_subquery(sq, row, inner))
                },
            }),
            Op::Union(u) if !op.writes() => Box::new(PerRow {
                input: cur,
                buf: Vec::new().into_iter(),
                f: move |row: &Row| {
                    let mut out = Vec::new();
                    for b in &u.branches {
                        out.extend(subquery_rows(ev, b, row, None)?);
                    }
                    Ok(union_rows(u, out))
                },
            }),
            Op::Create(_)
            | Op::Merge(_)
            | Op::Set(_)
            | Op::Remove(_)
            | Op::Delete { .. }
            | Op::Schema(_)
            | Op::Subquery(_)
            | Op::Union(_)
            | Op::Foreach(_) => {
                return Err(ExecError::new(
                    ErrorKind::SyntaxError,
                    "InvalidClauseComposition",
                    "a writing clause cannot run inside a read-only subquery".into(),
                ))
            }
        };
        if let Some((stats, branch, first)) = profile {
            cur = Box::new(cursor::Profiled {
                inner: cur,
                stats: stats.clone(),
                branch,
                index: first + i,
            });
        }
    }
    Ok(cur)
}

/// The rows of `SHOW INDEXES`: name, label, property, entries.
fn show_indexes(g: &dyn GraphRead) -> Vec<Row> {
    let catalog = g.catalog();
    g.indexes()
        .into_iter()
        .map(|i| {
            vec![
                Value::from(i.name.as_str()),
                Value::String(catalog.labels.name(i.label)),
                Value::String(catalog.keys.name(i.key)),
                Value::Int(i.entries as i64),
            ]
        })
        .collect()
}

/// The rows of `SHOW [kind] INDEXES YIELD ...`: every column of the manual's
/// listing. quiver's property indexes are range indexes, always online.
fn show_indexes_full(g: &dyn GraphRead, filter: crate::ast::IndexFilter) -> Vec<Row> {
    use crate::ast::IndexFilter;
    if !matches!(filter, IndexFilter::All | IndexFilter::Range) {
        return Vec::new();
    }
    let catalog = g.catalog();
    let mut out: Vec<Row> = g
        .indexes()
        .into_iter()
        .map(|i| {
            vec![
                Value::Null,
                Value::from(i.name.as_str()),
                Value::from("ONLINE"),
                Value::Float(100.0),
                Value::from("RANGE"),
                Value::from("NODE"),
                Value::list(vec![Value::String(catalog.labels.name(i.label))]),
                Value::list(vec![Value::String(catalog.keys.name(i.key))]),
                Value::from("range-1.0"),
                constraints::owner_of_index(g, &i.name).map_or(Value::Null, |c| Value::from(c.as_str())),
                Value::Null,
                Value::Int(0),
            ]
        })
        .collect();
    for (n, r) in out.iter_mut().enumerate() {
        r[0] = Value::Int(n as i64 + 1);
    }
    out
}

/// A query that only reads, as one cursor over its UNION branches.
pub fn read_query<'g>(ev: Eval<'g>, plan: &'g QueryPlan, profile: Option<&ProfileStats>) -> XResult<BoxCursor<'g>> {
    ev.check_interrupt()?;
    let mut branches = Vec::with_capacity(plan.branches.len());
    for (b, branch) in plan.branches.iter().enumerate() {
        let start: BoxCursor<'g> = Box::new(cursor::Argument::new(Vec::new()));
        branches.push(build(ev, &branch.ops, start, profile.map(|p| (p, b, 0)))?);
    }
    let distinct = plan.branches.len() > 1 && !plan.union_all.first().copied().unwrap_or(true);
    let width = plan.columns.len();
    Ok(Box::new(Union {
        branches,
        at: 0,
        seen: distinct.then(FxHashSet::default),
        width,
    }))
}

/// The rows of several branches one after the other (UNION ALL), or each
/// distinct row once (UNION); every row cut or padded to the columns.
struct Union<'g> {
    branches: Vec<BoxCursor<'g>>,
    at: usize,
    seen: Option<FxHashSet<Vec<GroupKey>>>,
    width: usize,
}

impl Cursor for Union<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        while let Some(branch) = self.branches.get_mut(self.at) {
            if !branch.next(row)? {
                self.at += 1;
                continue;
            }
            row.resize(self.width, Value::Null);
            if let Some(seen) = &mut self.seen {
                if !seen.insert(row.iter().cloned().map(GroupKey).collect()) {
                    continue;
                }
            }
            return Ok(true);
        }
        Ok(false)
    }
}

/// Runs a query that writes, to the end: every row is made (and every
/// change done) before the first is returned.
pub fn run_write(
    graph: &mut dyn GraphWrite,
    st: &StatementContext,
    plan: &QueryPlan,
    stats: &mut Stats,
    profile: Option<&ProfileStats>,
    mut batches: Option<&mut dyn Batches>,
) -> XResult<Vec<Row>> {
    Eval::new(&*graph, st).check_interrupt()?;
    let start = graph.savepoint();
    let mut all = Vec::new();
    for (b, branch) in plan.branches.iter().enumerate() {
        let mut w = Writer {
            graph,
            st,
            stats,
            batches: match batches {
                Some(ref mut b) => Some(&mut **b),
                None => None,
            },
        };
        let streamed = match (profile, stream_write::split(plan, branch)) {
            (None, Some(at)) => stream_write::run(&mut w, branch, at),
            _ => None,
        };
        let rows = match streamed {
            Some(done) => {
                done?;
                Vec::new()
            }
            None => run_write_pipeline(&mut w, branch, profile.map(|p| (p, b)))?,
        };
        // A query that ends with a write returns no rows.
        if plan.columns.is_empty() {
            continue;
        }
        all.extend(rows.into_iter().map(|mut r| {
            r.resize(plan.columns.len(), Value::Null);
            r
        }));
    }
    constraints::check_statement(&*graph, &start)?;
    let distinct_union = plan.branches.len() > 1 && !plan.union_all.first().copied().unwrap_or(true);
    if distinct_union {
        let mut seen = FxHashSet::default();
        all.retain(|r| seen.insert(r.iter().cloned().map(GroupKey).collect::<Vec<_>>()));
    }
    Ok(all)
}

fn run_write_pipeline(w: &mut Writer, p: &Pipeline, profile: Option<(&ProfileStats, usize)>) -> XResult<Vec<Row>> {
    run_write_from(w, p, vec![Vec::new()], profile)
}

/// Runs pipeline `p` (which may write) over `rows`.
fn run_write_from(
    w: &mut Writer,
    p: &Pipeline,
    rows: Vec<Row>,
    profile: Option<(&ProfileStats, usize)>,
) -> XResult<Vec<Row>> {
    let mut rows = rows;
    let ops = &p.ops;
    let mut i = 0;
    while i < ops.len() {
        if !ops[i].writes() {
            // A stretch of reading operators over the rows made so far.
            let end = ops[i..].iter().position(Op::writes).map_or(ops.len(), |n| i + n);
            let ev = w.eval();
            let input: BoxCursor = Box::new(cursor::Rows::new(std::mem::take(&mut rows)));
            let mut cur = build(ev, &ops[i..end], input, profile.map(|(s, b)| (s, b, i)))?;
            let mut row = Vec::new();
            while cur.next(&mut row)? {
                rows.push(std::mem::take(&mut row));
            }
            i = end;
            continue;
        }
        w.check_interrupt()?;
        let started = std::time::Instant::now();
        rows = match &ops[i] {
            Op::Create(parts) => w.create(parts, rows)?,
            Op::Merge(m) => w.merge(m, rows)?,
            Op::Set(items) => {
                w.set(items, &mut rows)?;
                rows
            }
            Op::Remove(items) => {
                w.remove(items, &rows)?;
                rows
            }
            Op::Delete { exprs, detach } => {
                w.delete(exprs, *detach, &rows)?;
                rows
            }
            Op::Schema(s) => {
                w.schema(s)?;
                Vec::new()
            }
            Op::Subquery(sq) if sq.batching.is_some() => {
                let b = sq.batching.as_ref().expect("matched");
                batches::run(w, sq, b, rows)?
            }
            Op::Subquery(sq) => {
                let mut out = Vec::new();
                for row in rows {
                    w.check_interrupt()?;
                    let inner = run_write_from(w, &sq.body, vec![row.clone()], None)?;
                    out.extend(combine_subquery(sq, &row, inner));
                }
                out
            }
            Op::Union(u) => {
                let mut out = Vec::new();
                for row in rows {
                    let mut all = Vec::new();
                    for b in &u.branches {
                        all.extend(run_write_from(w, b, vec![row.clone()], None)?);
                    }
                    out.extend(union_rows(u, all));
                }
                out
            }
            Op::Foreach(f) => {
                for row in &rows {
                    let list = w.eval().eval(&f.list, row)?;
                    let items = match list {
                        Value::Null => continue,
                        Value::List(items) => items,
                        other => {
                            return Err(ExecError::type_error(format!(
                                "FOREACH needs a list, got {}",
                                other.type_name()
                            )))
                        }
                    };
                    for item in items.iter() {
                        w.check_interrupt()?;
                        let mut r = row.clone();
                        eval::set(&mut r, f.slot, item.clone());
                        run_write_from(w, &f.body, vec![r], None)?;
                    }
                }
                rows
            }
            _ => unreachable!("a reading operator is run above"),
        };
        if let Some((stats, b)) = profile {
            let mut stats = stats.lock().unwrap_or_else(|e| e.into_inner());
            stats[b][i] = OpProfile {
                rows: rows.len(),
                time: started.elapsed(),
            };
        }
        i += 1;
    }
    Ok(rows)
}

/// Whether the subquery `p` (an EXISTS body) yields a row for `row`: it
/// stops at the first.
pub(crate) fn subquery_has_row(ev: Eval, p: &Pipeline, row: &Row) -> XResult<bool> {
    let start: BoxCursor = Box::new(cursor::Argument::new(row.clone()));
    let mut cur = build(ev, &p.ops, start, None)?;
    let mut out = Vec::new();
    cur.next(&mut out)
}

/// Every row the subquery `p` yields for `row` (COUNT, COLLECT and CALL
/// subqueries that only read), at most `limit`.
pub(crate) fn subquery_rows(ev: Eval, p: &Pipeline, row: &Row, limit: Option<usize>) -> XResult<Vec<Row>> {
    let start: BoxCursor = Box::new(cursor::Argument::new(row.clone()));
    let mut cur = build(ev, &p.ops, start, None)?;
    let mut out = Vec::new();
    let mut r = Vec::new();
    while limit.is_none_or(|l| out.len() < l) && cur.next(&mut r)? {
        out.push(std::mem::take(&mut r));
    }
    Ok(out)
}

/// The rows a CALL subquery makes of one incoming row and what its body yielded.
fn combine_subquery(sq: &crate::plan::SubqueryPlan, row: &Row, inner: Vec<Row>) -> Vec<Row> {
    if sq.unit {
        return vec![row.clone()];
    }
    if inner.is_empty() && sq.optional {
        let mut r = row.clone();
        for &slot in &sq.returns {
            eval::set(&mut r, slot, Value::Null);
        }
        return vec![r];
    }
    inner
        .into_iter()
        .map(|i| {
            let mut r = row.clone();
            for (col, &slot) in sq.returns.iter().enumerate() {
                eval::set(&mut r, slot, i.get(col).cloned().unwrap_or(Value::Null));
            }
            r
        })
        .collect()
}

/// The rows of a subquery's UNION branches: cut to the columns, each distinct row once for UNION.
fn union_rows(u: &crate::plan::UnionPlan, rows: Vec<Row>) -> Vec<Row> {
    let mut rows = rows;
    for r in &mut rows {
        r.resize(u.width, Value::Null);
    }
    if u.distinct {
        let mut seen = FxHashSet::default();
        rows.retain(|r| seen.insert(r.iter().cloned().map(GroupKey).collect::<Vec<_>>()));
    }
    rows
}

/// For each incoming row, the rows `f` makes of it.
struct PerRow<'g, F> {
    input: BoxCursor<'g>,
    buf: std::vec::IntoIter<Row>,
    f: F,
}

impl<F: FnMut(&Row) -> XResult<Vec<Row>> + Send> Cursor for PerRow<'_, F> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        loop {
            if let Some(r) = self.buf.next() {
                *row = r;
                return Ok(true);
            }
            let mut incoming = Vec::new();
            if !self.input.next(&mut incoming)? {
                return Ok(false);
            }
            self.buf = (self.f)(&incoming)?.into_iter();
        }
    }
}

/// The rows of `SHOW PROCEDURES` (name, description, mode, worksOnSystem,
/// signature, argumentDescription, returnDescription, admin, rolesExecution,
/// rolesBoostedExecution, isDeprecated, deprecatedBy, option) or `SHOW
/// FUNCTIONS` (name, category, description, signature, isBuiltIn,
/// argumentDescription, returnDescription, aggregating, rolesExecution,
/// rolesBoostedExecution, isDeprecated, deprecatedBy), sorted by name.
fn show_routines(ev: Eval, procedures: bool, filter: crate::ast::FunctionFilter) -> Vec<Row> {
    crate::procedures::show::rows(ev.st.procedures.as_ref(), procedures, filter)
}
