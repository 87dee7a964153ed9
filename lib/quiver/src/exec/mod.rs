//! The executor: runs a plan's pipelines over batches of rows.
//!
//! Each operator takes every row of the one before (Cypher's clause-at-a-time
//! semantics, which writes rely on). Reading operators evaluate against a
//! shared `&Graph` (`eval.rs`, `matcher.rs`); writing ones change it
//! (`write.rs`). The executor knows nothing of how the store persists.

mod arith;
mod eval;
mod functions;
mod load_csv;
mod matcher;
mod project;
mod scan_aggregate;
mod write;

use std::sync::atomic::AtomicBool;

use crate::db::Params;
use crate::error::{Error, ErrorKind, Phase};
use crate::plan::{Op, Pipeline, QueryPlan};
use crate::procedure::Procedure;
use crate::result::Stats;
use crate::store::Graph;
use crate::value::order::GroupKey;
use crate::value::temporal::TemporalError;
use crate::value::Value;

pub use eval::Eval;
pub use functions::function_arity;
use write::Writer;

pub type Row = Vec<Value>;

/// A runtime error, before it is given a place in the query text.
#[derive(Clone, Debug, PartialEq)]
pub struct ExecError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

pub type XResult<T> = Result<T, ExecError>;

impl ExecError {
    pub fn new(kind: ErrorKind, code: &'static str, message: String) -> ExecError {
        ExecError { kind, code, message }
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
        match e {
            TemporalError::InvalidArgumentValue(m) => {
                ExecError::new(ErrorKind::ArgumentError, "InvalidArgumentValue", m)
            }
            TemporalError::InvalidArgumentType(m) => ExecError::new(ErrorKind::TypeError, "InvalidArgumentType", m),
        }
    }

    pub fn from_function(e: crate::functions::FunctionError) -> ExecError {
        ExecError::new(e.kind, e.code, e.message)
    }

    pub fn into_error(self) -> Error {
        // A missing parameter is a mistake in the request, not in the data:
        // reported as found before running (the statement changed nothing).
        let phase = if self.kind == ErrorKind::ParameterMissing {
            Phase::Compile
        } else {
            Phase::Runtime
        };
        Error::new(self.kind, self.code, phase, self.message)
    }
}

/// Everything a statement runs with.
pub struct Context<'g> {
    pub graph: &'g mut Graph,
    pub params: &'g Params,
    pub interrupt: &'g AtomicBool,
    pub procedures: &'g dyn Fn(&str) -> Option<Procedure>,
    pub stats: Stats,
    /// When set (PROFILE), filled per branch and per operator with the rows
    /// it produced and the time it took.
    pub profile: Option<Vec<Vec<(usize, std::time::Duration)>>>,
}

/// Runs a whole query: every UNION branch, then the union's deduplication.
pub fn run_query(plan: &QueryPlan, ctx: &mut Context) -> XResult<Vec<Row>> {
    let mut all = Vec::new();
    for branch in &plan.branches {
        let mut w = Writer {
            graph: ctx.graph,
            params: ctx.params,
            interrupt: ctx.interrupt,
            procedures: ctx.procedures,
            stats: &mut ctx.stats,
        };
        let timings = ctx.profile.as_mut().map(|p| {
            p.push(Vec::new());
            p.len() - 1
        });
        let mut record = Vec::new();
        let rows = run_pipeline(&mut w, branch, vec![Vec::new()], timings.map(|_| &mut record))?;
        if let (Some(i), Some(p)) = (timings, ctx.profile.as_mut()) {
            p[i] = record;
        }
        all.extend(rows);
    }
    let distinct_union = plan.branches.len() > 1 && !plan.union_all.first().copied().unwrap_or(true);
    if distinct_union {
        let mut seen = std::collections::HashSet::new();
        all.retain(|r| seen.insert(r.iter().cloned().map(GroupKey).collect::<Vec<_>>()));
    }
    Ok(all)
}

fn run_pipeline(
    w: &mut Writer,
    p: &Pipeline,
    mut rows: Vec<Row>,
    mut profile: Option<&mut Vec<(usize, std::time::Duration)>>,
) -> XResult<Vec<Row>> {
    let mut i = 0;
    while i < p.ops.len() {
        // Reading operators that look at one row at a time pass rows straight
        // on (and into an aggregation) instead of collecting each step's rows.
        // PROFILE runs operator by operator to time each.
        if profile.is_none() {
            let end = streaming_run(&p.ops[i..]) + i;
            if end > i + 1 || (end > i && matches!(p.ops.get(end), Some(Op::Aggregate { .. }))) {
                let ev = Eval::new(w.graph, w.params, w.interrupt, w.procedures);
                let (out, consumed) = run_streaming(&ev, &p.ops[i..end], p.ops.get(end), rows)?;
                rows = out;
                i = end + usize::from(consumed);
                continue;
            }
        }
        let op = &p.ops[i];
        let started = std::time::Instant::now();
        rows = match op {
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
            Op::Schema(s) => w.schema(s)?,
            read => {
                let ev = Eval::new(w.graph, w.params, w.interrupt, w.procedures);
                run_read_op(&ev, read, rows)?
            }
        };
        if let Some(p) = profile.as_deref_mut() {
            p.push((rows.len(), started.elapsed()));
        }
        i += 1;
    }
    Ok(rows)
}

/// How many operators at the start of `ops` handle one row at a time.
fn streaming_run(ops: &[Op]) -> usize {
    ops.iter()
        .take_while(|op| {
            matches!(
                op,
                Op::Match(_) | Op::Optional { .. } | Op::Filter(_) | Op::Unwind { .. } | Op::Project { .. }
            )
        })
        .count()
}

/// Runs one-row-at-a-time operators over `rows`, feeding what comes out into
/// `next` when it is an aggregation (returning `true`: it was consumed), else
/// collecting it.
fn run_streaming(ev: &Eval, ops: &[Op], next: Option<&Op>, rows: Vec<Row>) -> XResult<(Vec<Row>, bool)> {
    if let Some(Op::Aggregate { keys, aggregates }) = next {
        let mut agg = project::Aggregator::new(keys, aggregates);
        for row in &rows {
            stream(ev, ops, row, &mut |r| agg.push(ev, r))?;
        }
        return Ok((agg.finish()?, true));
    }
    let mut out = Vec::new();
    for row in &rows {
        stream(ev, ops, row, &mut |r| {
            out.push(r.clone());
            Ok(())
        })?;
    }
    Ok((out, false))
}

/// Passes one row through `ops`, handing each row that comes out to `sink`.
fn stream(ev: &Eval, ops: &[Op], row: &Row, sink: &mut matcher::Sink) -> XResult<()> {
    let Some((op, rest)) = ops.split_first() else {
        return sink(row);
    };
    match op {
        Op::Match(m) => matcher::match_each(ev, m, row.clone(), &mut |r| stream(ev, rest, r, sink)),
        Op::Optional { plan } => {
            let mut matched = false;
            matcher::match_each(ev, plan, row.clone(), &mut |r| {
                matched = true;
                stream(ev, rest, r, sink)
            })?;
            if matched {
                return Ok(());
            }
            let mut row = row.clone();
            for s in &plan.new_slots {
                eval::set(&mut row, *s, Value::Null);
            }
            stream(ev, rest, &row, sink)
        }
        Op::Filter(e) => {
            if ev.truthy(e, row)? {
                stream(ev, rest, row, sink)
            } else {
                Ok(())
            }
        }
        Op::Unwind { expr, slot } => match ev.eval(expr, row)? {
            Value::Null => Ok(()),
            Value::List(items) => {
                let mut r = row.clone();
                for x in items.iter() {
                    eval::set(&mut r, *slot, x.clone());
                    stream(ev, rest, &r, sink)?;
                }
                Ok(())
            }
            other => {
                let mut r = row.clone();
                eval::set(&mut r, *slot, other);
                stream(ev, rest, &r, sink)
            }
        },
        Op::Project { exprs, keep } => {
            let mut r = Vec::with_capacity(exprs.len() + if *keep { row.len() } else { 0 });
            for e in exprs {
                r.push(ev.eval(e, row)?);
            }
            if *keep {
                r.extend(row.iter().cloned());
            }
            stream(ev, rest, &r, sink)
        }
        other => {
            for r in run_read_op(ev, other, vec![row.clone()])? {
                stream(ev, rest, &r, sink)?;
            }
            Ok(())
        }
    }
}

/// Runs a pipeline of reading operators (EXISTS subqueries).
pub(crate) fn run_read_pipeline(ev: &Eval, p: &Pipeline, mut rows: Vec<Row>) -> XResult<Vec<Row>> {
    for op in &p.ops {
        rows = run_read_op(ev, op, rows)?;
    }
    Ok(rows)
}

fn run_read_op(ev: &Eval, op: &Op, rows: Vec<Row>) -> XResult<Vec<Row>> {
    ev.check_interrupt()?;
    Ok(match op {
        Op::Match(m) => {
            let mut out = Vec::new();
            for row in rows {
                matcher::match_pattern(ev, m, row, &mut out)?;
            }
            out
        }
        Op::Optional { plan } => {
            let mut out = Vec::new();
            for row in rows {
                let before = out.len();
                matcher::match_pattern(ev, plan, row.clone(), &mut out)?;
                if out.len() == before {
                    let mut row = row;
                    for s in &plan.new_slots {
                        eval::set(&mut row, *s, Value::Null);
                    }
                    out.push(row);
                }
            }
            out
        }
        Op::Filter(e) => {
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                if ev.truthy(e, &row)? {
                    out.push(row);
                }
            }
            out
        }
        Op::Unwind { expr, slot } => {
            let mut out = Vec::new();
            for row in rows {
                match ev.eval(expr, &row)? {
                    Value::Null => {}
                    Value::List(items) => {
                        for x in items.iter() {
                            let mut r = row.clone();
                            eval::set(&mut r, *slot, x.clone());
                            out.push(r);
                        }
                    }
                    other => {
                        let mut r = row;
                        eval::set(&mut r, *slot, other);
                        out.push(r);
                    }
                }
            }
            out
        }
        Op::Project { exprs, keep } => project::project(ev, exprs, *keep, rows)?,
        Op::Aggregate { keys, aggregates } => project::aggregate(ev, keys, aggregates, rows)?,
        Op::ScanAggregate(p) => scan_aggregate::run(ev, p, rows)?,
        Op::Distinct { width } => project::distinct(*width, rows),
        Op::Sort(keys) => project::sort(ev, keys, rows)?,
        Op::Skip(e) => {
            let n = project::count(ev, e, "SKIP")?;
            rows.into_iter().skip(n).collect()
        }
        Op::Limit(e) => {
            let n = project::count(ev, e, "LIMIT")?;
            rows.into_iter().take(n).collect()
        }
        Op::Truncate(w) => rows
            .into_iter()
            .map(|mut r| {
                r.resize(*w, Value::Null);
                r
            })
            .collect(),
        Op::Call(c) => project::call(ev, c, rows)?,
        Op::LoadCsv(p) => load_csv::load_csv(ev, p, rows)?,
        Op::Produce(_) => rows,
        Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Remove(_) | Op::Delete { .. } | Op::Schema(_) => {
            return Err(ExecError::new(
                ErrorKind::SyntaxError,
                "InvalidClauseComposition",
                "a writing clause cannot run inside a read-only subquery".into(),
            ))
        }
    })
}
