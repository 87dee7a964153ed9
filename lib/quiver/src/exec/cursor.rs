//! The reading operators as cursors: each pulls rows from the one before it
//! only as its own consumer asks for them, so LIMIT, EXISTS and a client that
//! stops reading stop the work upstream. A cursor writes each row into a
//! buffer its caller owns, so rows flow without an allocation apiece.
//!
//! Aggregation, sorting and `Top` must see every row before they give one
//! (they pull everything on the first call); everything else streams.

use std::sync::Arc;

use rustc_hash::FxHashSet;

use crate::functions::FunctionKind;
use crate::plan::{AggregateCall, CallPlan, Expr, LoadCsvPlan, MatchPlan, ScanAggregatePlan};
use crate::value::order::GroupKey;
use crate::value::Value;

use super::best::{Best, KeyOrder};
use super::eval::{set, Eval};
use super::matcher::Matcher;
use super::project::{self, Aggregator};
use super::{ExecError, Row, XResult};

/// A source of rows (`Send`: a query's stream may move to another thread
/// between two reads).
pub trait Cursor: Send {
    /// Writes the next row into `row` (overwriting what it held); `false`
    /// when there are no more.
    fn next(&mut self, row: &mut Row) -> XResult<bool>;

    /// Hands every remaining row to `sink`, lent rather than copied (a
    /// consumer that takes every row — aggregation — needs no copy of its own).
    fn each(&mut self, sink: &mut dyn FnMut(&Row) -> XResult<()>) -> XResult<()> {
        let mut row = Vec::new();
        while self.next(&mut row)? {
            sink(&row)?;
        }
        Ok(())
    }
}

pub type BoxCursor<'g> = Box<dyn Cursor + 'g>;

/// One given row, once: where a pipeline starts (the empty row, or the
/// outer row of a subquery).
pub struct Argument {
    row: Option<Row>,
}

impl Argument {
    pub fn new(row: Row) -> Argument {
        Argument { row: Some(row) }
    }
}

impl Cursor for Argument {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        match self.row.take() {
            Some(r) => {
                *row = r;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Rows already made (what a writing operator produced).
pub struct Rows {
    rows: std::vec::IntoIter<Row>,
}

impl Rows {
    pub fn new(rows: Vec<Row>) -> Rows {
        Rows { rows: rows.into_iter() }
    }
}

impl Cursor for Rows {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        match self.rows.next() {
            Some(r) => {
                *row = r;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// `MATCH` and `OPTIONAL MATCH`: every extension of each input row.
pub struct MatchCursor<'g> {
    input: BoxCursor<'g>,
    matcher: Matcher<'g, 'g>,
    plan: &'g MatchPlan,
    in_row: Row,
    active: bool,
    optional: bool,
    matched: bool,
}

impl<'g> MatchCursor<'g> {
    pub fn new(ev: Eval<'g>, input: BoxCursor<'g>, plan: &'g MatchPlan, optional: bool) -> MatchCursor<'g> {
        MatchCursor {
            input,
            matcher: Matcher::for_plan(ev, plan),
            plan,
            in_row: Vec::new(),
            active: false,
            optional,
            matched: false,
        }
    }
}

impl Cursor for MatchCursor<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        loop {
            if self.active {
                if let Some(r) = self.matcher.next_match()? {
                    self.matched = true;
                    row.clone_from(r);
                    return Ok(true);
                }
                self.active = false;
                if self.optional && !self.matched {
                    // No match: the row goes on with the pattern's variables null.
                    row.clone_from(&self.in_row);
                    for s in &self.plan.new_slots {
                        set(row, *s, Value::Null);
                    }
                    return Ok(true);
                }
            }
            if !self.input.next(&mut self.in_row)? {
                return Ok(false);
            }
            self.matcher.start(&self.in_row);
            self.active = true;
            self.matched = false;
        }
    }

    fn each(&mut self, sink: &mut dyn FnMut(&Row) -> XResult<()>) -> XResult<()> {
        let mut row = Vec::new();
        if self.active {
            // Rows already begun by `next`: finish them the usual way.
            while self.active {
                if !self.next(&mut row)? {
                    return Ok(());
                }
                sink(&row)?;
            }
        }
        while self.input.next(&mut self.in_row)? {
            self.matcher.start(&self.in_row);
            let mut matched = false;
            while let Some(r) = self.matcher.next_match()? {
                matched = true;
                sink(r)?;
            }
            if self.optional && !matched {
                row.clone_from(&self.in_row);
                for s in &self.plan.new_slots {
                    set(&mut row, *s, Value::Null);
                }
                sink(&row)?;
            }
        }
        Ok(())
    }
}

pub struct Filter<'g> {
    pub ev: Eval<'g>,
    pub input: BoxCursor<'g>,
    pub predicate: &'g Expr,
}

impl Cursor for Filter<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        while self.input.next(row)? {
            if self.ev.truthy(self.predicate, row)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn each(&mut self, sink: &mut dyn FnMut(&Row) -> XResult<()>) -> XResult<()> {
        let (ev, predicate) = (&self.ev, self.predicate);
        self.input
            .each(&mut |row| if ev.truthy(predicate, row)? { sink(row) } else { Ok(()) })
    }
}

/// What one input row unwinds to.
enum Items {
    List(Arc<Vec<Value>>, usize),
    /// `range(...)` counted out one at a time instead of built as a list.
    Range {
        next: i128,
        step: i128,
        left: i128,
    },
    One(Option<Value>),
}

pub struct Unwind<'g> {
    ev: Eval<'g>,
    input: BoxCursor<'g>,
    expr: &'g Expr,
    slot: usize,
    in_row: Row,
    items: Option<Items>,
    /// Items given since the last look for a cancel request.
    given: u32,
}

impl<'g> Unwind<'g> {
    pub fn new(ev: Eval<'g>, input: BoxCursor<'g>, expr: &'g Expr, slot: usize) -> Unwind<'g> {
        Unwind {
            ev,
            input,
            expr,
            slot,
            in_row: Vec::new(),
            items: None,
            given: 0,
        }
    }

    /// The items of the current input row.
    fn items(&self) -> XResult<Items> {
        if let Expr::Function(def, args) = self.expr {
            if def.kind == FunctionKind::Scalar && def.name == "range" {
                let mut values = Vec::with_capacity(args.len());
                for a in args {
                    values.push(self.ev.eval(a, &self.in_row)?);
                }
                return Ok(
                    match crate::functions::scalar::range_bounds(&values).map_err(ExecError::from_function)? {
                        Some((next, step, left)) => Items::Range { next, step, left },
                        None => Items::One(None),
                    },
                );
            }
        }
        Ok(match self.ev.eval(self.expr, &self.in_row)? {
            Value::Null => Items::One(None),
            Value::List(items) => Items::List(items, 0),
            other => Items::One(Some(other)),
        })
    }
}

impl Cursor for Unwind<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        loop {
            let item = match &mut self.items {
                None => None,
                Some(Items::List(items, i)) => {
                    let v = items.get(*i).cloned();
                    *i += 1;
                    v
                }
                Some(Items::Range { next, step, left }) => {
                    if *left > 0 {
                        *left -= 1;
                        let v = *next;
                        *next += *step;
                        // Every element lies between start and end, so it fits in an i64.
                        Some(Value::Int(v as i64))
                    } else {
                        None
                    }
                }
                Some(Items::One(v)) => v.take(),
            };
            if let Some(v) = item {
                self.given += 1;
                if self.given >= 4096 {
                    self.given = 0;
                    self.ev.check_interrupt()?;
                }
                row.clone_from(&self.in_row);
                set(row, self.slot, v);
                return Ok(true);
            }
            if !self.input.next(&mut self.in_row)? {
                return Ok(false);
            }
            self.ev.check_interrupt()?;
            self.items = Some(self.items()?);
        }
    }
}

/// Computes new rows from expressions; `keep` appends the old row after the
/// new columns (so ORDER BY can still see the old variables).
pub struct Project<'g> {
    pub ev: Eval<'g>,
    pub input: BoxCursor<'g>,
    pub exprs: &'g [Expr],
    pub keep: bool,
    pub buf: Row,
}

impl Cursor for Project<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        if !self.input.next(&mut self.buf)? {
            return Ok(false);
        }
        row.clear();
        for e in self.exprs {
            row.push(self.ev.eval(e, &self.buf)?);
        }
        if self.keep {
            row.extend(self.buf.drain(..));
        }
        Ok(true)
    }
}

/// Rows made all at once, then handed out (aggregation, sorting).
pub struct Eager<'g> {
    input: Option<BoxCursor<'g>>,
    make: Box<dyn FnMut(BoxCursor<'g>) -> XResult<Vec<Row>> + Send + 'g>,
    out: std::vec::IntoIter<Row>,
}

impl<'g> Eager<'g> {
    pub fn new(input: BoxCursor<'g>, make: impl FnMut(BoxCursor<'g>) -> XResult<Vec<Row>> + Send + 'g) -> Eager<'g> {
        Eager {
            input: Some(input),
            make: Box::new(make),
            out: Vec::new().into_iter(),
        }
    }
}

impl Cursor for Eager<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        if let Some(input) = self.input.take() {
            self.out = (self.make)(input)?.into_iter();
        }
        match self.out.next() {
            Some(r) => {
                *row = r;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// Groups every input row by `keys`; a row per group: the keys, then the aggregates.
pub fn aggregate<'g>(ev: Eval<'g>, input: BoxCursor<'g>, keys: &'g [Expr], calls: &'g [AggregateCall]) -> Eager<'g> {
    Eager::new(input, move |mut input| {
        let mut agg = Aggregator::new(keys, calls);
        input.each(&mut |row| agg.push(&ev, row))?;
        agg.finish()
    })
}

/// A label scan and its aggregation in one (see `scan_aggregate.rs`).
pub fn scan_aggregate<'g>(ev: Eval<'g>, input: BoxCursor<'g>, plan: &'g ScanAggregatePlan) -> Eager<'g> {
    Eager::new(input, move |mut input| {
        let mut rows = 0;
        let mut row = Vec::new();
        while input.next(&mut row)? {
            rows += 1;
        }
        super::scan_aggregate::run(&ev, plan, rows)
    })
}

/// ORDER BY: every row, in order (a stable sort: ties keep their order).
pub fn sort<'g>(ev: Eval<'g>, input: BoxCursor<'g>, keys: &'g [(Expr, bool)]) -> Eager<'g> {
    Eager::new(input, move |mut input| {
        let mut keyed = Vec::new();
        let mut row = Vec::new();
        while input.next(&mut row)? {
            ev.check_interrupt()?;
            keyed.push((project::sort_key(&ev, keys, &row)?, std::mem::take(&mut row)));
        }
        keyed.sort_by(|(a, _), (b, _)| project::compare_keys(keys, a, b));
        Ok(keyed.into_iter().map(|(_, r)| r).collect())
    })
}

/// ORDER BY ... LIMIT: the first `skip + limit` rows in order (see `best.rs`).
pub fn top<'g>(
    ev: Eval<'g>,
    input: BoxCursor<'g>,
    keys: &'g [(Expr, bool)],
    limit: &'g Expr,
    skip: Option<&'g Expr>,
) -> Eager<'g> {
    Eager::new(input, move |mut input| {
        let mut k = project::count(&ev, limit, "LIMIT")?;
        if let Some(s) = skip {
            k = k.saturating_add(project::count(&ev, s, "SKIP")?);
        }
        let order = KeyOrder(keys.iter().map(|(_, d)| *d).collect());
        let mut best: Best<Row> = Best::new(k, &order);
        let mut row = Vec::new();
        let mut key = Vec::with_capacity(keys.len());
        let mut seen = 0u64;
        while input.next(&mut row)? {
            seen += 1;
            if seen % 4096 == 0 {
                ev.check_interrupt()?;
            }
            key.clear();
            for (e, _) in keys {
                key.push(ev.eval(e, &row)?);
            }
            if best.wants(&key) {
                best.offer(&mut key, std::mem::take(&mut row));
            }
        }
        Ok(best.into_sorted())
    })
}

/// DISTINCT: the first row of each distinct value of the first `width` slots.
pub struct Distinct<'g> {
    pub input: BoxCursor<'g>,
    pub width: usize,
    pub seen: FxHashSet<Vec<GroupKey>>,
}

impl Cursor for Distinct<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        while self.input.next(row)? {
            let key: Vec<GroupKey> = row.iter().take(self.width).cloned().map(GroupKey).collect();
            if self.seen.insert(key) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// SKIP n.
pub struct Skip<'g> {
    pub ev: Eval<'g>,
    pub input: BoxCursor<'g>,
    pub count: &'g Expr,
    pub skipped: bool,
}

impl Cursor for Skip<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        if !self.skipped {
            self.skipped = true;
            let n = project::count(&self.ev, self.count, "SKIP")?;
            for _ in 0..n {
                if !self.input.next(row)? {
                    return Ok(false);
                }
            }
        }
        self.input.next(row)
    }
}

/// LIMIT n: stops asking for rows once it has n.
pub struct Limit<'g> {
    pub ev: Eval<'g>,
    pub input: BoxCursor<'g>,
    pub count: &'g Expr,
    /// Rows still to give, once known.
    pub left: Option<usize>,
}

impl Cursor for Limit<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        let left = match self.left {
            Some(n) => n,
            None => project::count(&self.ev, self.count, "LIMIT")?,
        };
        if left == 0 {
            self.left = Some(0);
            return Ok(false);
        }
        self.left = Some(left - 1);
        self.input.next(row)
    }
}

/// Drops slots past `width`.
pub struct Truncate<'g> {
    pub input: BoxCursor<'g>,
    pub width: usize,
}

impl Cursor for Truncate<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        let more = self.input.next(row)?;
        row.resize(self.width, Value::Null);
        Ok(more)
    }
}

/// `CALL proc(...) YIELD ...`: the procedure's rows for each input row.
pub struct Call<'g> {
    ev: Eval<'g>,
    input: BoxCursor<'g>,
    plan: &'g CallPlan,
    in_row: Row,
    results: std::vec::IntoIter<Vec<Value>>,
    /// A procedure without outputs leaves each row as it was.
    void: bool,
}

impl<'g> Call<'g> {
    pub fn new(ev: Eval<'g>, input: BoxCursor<'g>, plan: &'g CallPlan) -> Call<'g> {
        let void = ev.st.procedures.get(&plan.name).is_some_and(|p| p.outputs.is_empty());
        Call {
            ev,
            input,
            plan,
            in_row: Vec::new(),
            results: Vec::new().into_iter(),
            void,
        }
    }
}

impl Cursor for Call<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        loop {
            if let Some(result) = self.results.next() {
                row.clone_from(&self.in_row);
                for (field, slot) in &self.plan.yields {
                    set(row, *slot, result.get(*field).cloned().unwrap_or(Value::Null));
                }
                return Ok(true);
            }
            if !self.input.next(&mut self.in_row)? {
                return Ok(false);
            }
            let results = project::call_procedure(&self.ev, self.plan, &self.in_row)?;
            if self.void {
                if self.plan.standalone {
                    continue;
                }
                row.clone_from(&self.in_row);
                return Ok(true);
            }
            if results.is_empty() && self.plan.optional {
                // OPTIONAL CALL: the row goes on with the yielded fields null.
                row.clone_from(&self.in_row);
                for (_, slot) in &self.plan.yields {
                    set(row, *slot, Value::Null);
                }
                return Ok(true);
            }
            self.results = results.into_iter();
        }
    }
}

/// `LOAD CSV`: the records of the file, read as they are asked for, for
/// each input row.
pub struct LoadCsv<'g> {
    ev: Eval<'g>,
    input: BoxCursor<'g>,
    plan: &'g LoadCsvPlan,
    in_row: Row,
    file: Option<super::load_csv::CsvRows>,
}

impl<'g> LoadCsv<'g> {
    pub fn new(ev: Eval<'g>, input: BoxCursor<'g>, plan: &'g LoadCsvPlan) -> LoadCsv<'g> {
        LoadCsv {
            ev,
            input,
            plan,
            in_row: Vec::new(),
            file: None,
        }
    }
}

impl Cursor for LoadCsv<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        loop {
            if let Some(file) = &mut self.file {
                if let Some((value, line)) = file.next_record(&self.ev)? {
                    row.clone_from(&self.in_row);
                    set(row, self.plan.slot, value);
                    set(row, self.plan.line_slot, Value::Int(line as i64));
                    set(row, self.plan.file_slot, file.path_value());
                    return Ok(true);
                }
                self.file = None;
            }
            if !self.input.next(&mut self.in_row)? {
                return Ok(false);
            }
            self.file = Some(super::load_csv::CsvRows::open(&self.ev, self.plan, &self.in_row)?);
        }
    }
}

/// Rows given all at once (`SHOW INDEXES`).
pub fn listed<'g>(input: BoxCursor<'g>, make: impl FnOnce() -> Vec<Row> + Send + 'g) -> Eager<'g> {
    let mut make = Some(make);
    Eager::new(input, move |mut input| {
        let mut row = Vec::new();
        let mut out = Vec::new();
        while input.next(&mut row)? {
            if let Some(m) = make.take() {
                out = m();
            }
        }
        Ok(out)
    })
}

/// PROFILE: counts the rows an operator gives and the time spent in it
/// (its inputs' time included; the printer subtracts theirs).
pub struct Profiled<'g> {
    pub inner: BoxCursor<'g>,
    pub stats: super::ProfileStats,
    pub branch: usize,
    pub index: usize,
}

impl Cursor for Profiled<'_> {
    fn next(&mut self, row: &mut Row) -> XResult<bool> {
        let started = std::time::Instant::now();
        let more = self.inner.next(row);
        let elapsed = started.elapsed();
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        let s = &mut stats[self.branch][self.index];
        s.time += elapsed;
        if matches!(more, Ok(true)) {
            s.rows += 1;
        }
        more
    }
}
