//! `CALL { ... } IN TRANSACTIONS`: the subquery runs over the incoming rows
//! a batch at a time, and each batch is committed on its own (durably, with
//! a file), so that a load of millions of rows is not one giant transaction.
//!
//! The writes of the query before the subquery are committed before the
//! first batch; a batch that fails is undone on its own and, as `ON ERROR`
//! says, fails the statement (the batches before it stay committed), is
//! skipped (`CONTINUE`) or ends the batching (`BREAK`).

use std::sync::Arc;

use crate::ast::OnError;
use crate::error::ErrorKind;
use crate::plan::{BatchPlan, SubqueryPlan};
use crate::store::GraphWrite;
use crate::value::{Map, Value};

use super::{combine_subquery, constraints, eval, run_write_from, ExecError, Row, Writer, XResult};

/// Rows per batch without `OF n ROWS`, as in Neo4j.
pub const DEFAULT_BATCH_ROWS: usize = 1000;

/// What commits the batches: the engine's handle on the statement's write transaction.
pub trait Batches {
    /// Commits everything `graph` holds, then leaves `graph` a new, empty
    /// transaction over what was committed.
    fn commit(&mut self, graph: &mut dyn GraphWrite) -> XResult<()>;
    /// Forgets what `graph` holds since its last commit.
    fn discard(&mut self, graph: &mut dyn GraphWrite);
}

/// How one batch went, for `REPORT STATUS`.
enum Status {
    Committed(String),
    Failed(String, String),
    NotStarted,
}

impl Status {
    fn value(&self) -> Value {
        let (started, committed, id, error) = match self {
            Status::Committed(id) => (true, true, Value::from(id.as_str()), Value::Null),
            Status::Failed(id, e) => (true, false, Value::from(id.as_str()), Value::from(e.as_str())),
            Status::NotStarted => (false, false, Value::Null, Value::Null),
        };
        let mut m = Map::new();
        m.insert(Arc::from("started"), Value::Bool(started));
        m.insert(Arc::from("committed"), Value::Bool(committed));
        m.insert(Arc::from("transactionId"), id);
        m.insert(Arc::from("errorMessage"), error);
        Value::Map(Arc::new(m))
    }
}

/// The positive count expression `e` gives, `default` without one.
pub(super) fn count(w: &Writer, e: Option<&crate::plan::Expr>, what: &str, default: usize) -> XResult<usize> {
    let Some(e) = e else {
        return Ok(default);
    };
    match w.eval().eval(e, &Vec::new())? {
        Value::Int(n) if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        other => Err(ExecError::new(
            ErrorKind::ArgumentError,
            "InvalidArgumentValue",
            format!("{what} of IN TRANSACTIONS must be a positive integer, got {other}"),
        )),
    }
}

/// Runs `sq` over `rows` in batches, committing each.
pub(super) fn run(w: &mut Writer, sq: &SubqueryPlan, b: &BatchPlan, rows: Vec<Row>) -> XResult<Vec<Row>> {
    let size = count(w, b.rows.as_ref(), "the batch size", DEFAULT_BATCH_ROWS)?;
    count(w, b.concurrency.as_ref(), "the concurrency", 1)?;
    if w.batches.is_none() {
        return Err(ExecError::new(
            ErrorKind::ArgumentError,
            "ExplicitTransaction",
            "CALL { ... } IN TRANSACTIONS commits batches of its own, so it cannot run inside an explicit transaction"
                .to_string(),
        )
        .with_hint("run it on its own, outside BEGIN ... COMMIT"));
    }
    // What the query wrote before the batches is committed first, so that a
    // failed batch can be undone alone.
    commit(w)?;
    let mut out = Vec::new();
    let mut broken = false;
    let mut batch_no = 0u64;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<Row> = rows.by_ref().take(size).collect();
        if broken {
            out.extend(
                batch
                    .iter()
                    .map(|r| with_status(b, not_run(sq, r), &Status::NotStarted)),
            );
            continue;
        }
        batch_no += 1;
        let id = format!("batch-{batch_no}");
        let stats = *w.stats;
        let start = w.graph.savepoint();
        let done = run_batch(w, sq, &batch, &start);
        match done {
            Ok(made) => out.extend(
                made.into_iter()
                    .map(|r| with_status(b, r, &Status::Committed(id.clone()))),
            ),
            Err(e) => {
                discard(w);
                *w.stats = stats;
                if b.on_error == OnError::Fail || e.kind == ErrorKind::Interrupted {
                    return Err(e);
                }
                let status = Status::Failed(id, e.message.clone());
                out.extend(batch.iter().map(|r| with_status(b, not_run(sq, r), &status)));
                broken = b.on_error == OnError::Break;
            }
        }
    }
    Ok(out)
}

/// The body over one batch, its constraints checked, committed.
fn run_batch(w: &mut Writer, sq: &SubqueryPlan, batch: &[Row], start: &crate::store::Savepoint) -> XResult<Vec<Row>> {
    let mut made = Vec::new();
    for row in batch {
        w.check_interrupt()?;
        let inner = run_write_from(w, &sq.body, vec![row.clone()], None)?;
        made.extend(combine_subquery(sq, row, inner));
    }
    constraints::check_statement(&*w.graph, start)?;
    commit(w)?;
    Ok(made)
}

fn commit(w: &mut Writer) -> XResult<()> {
    let batches = w.batches.as_deref_mut().expect("checked above");
    batches.commit(&mut *w.graph)
}

fn discard(w: &mut Writer) {
    if let Some(batches) = w.batches.as_deref_mut() {
        batches.discard(&mut *w.graph);
    }
}

/// The row of an incoming row whose batch did not run or failed: the
/// subquery's columns null.
fn not_run(sq: &SubqueryPlan, row: &Row) -> Row {
    let mut r = row.clone();
    for &slot in &sq.returns {
        eval::set(&mut r, slot, Value::Null);
    }
    r
}

fn with_status(b: &BatchPlan, mut row: Row, status: &Status) -> Row {
    if let Some(slot) = b.status {
        eval::set(&mut row, slot, status.value());
    }
    row
}
