//! Running statements and writing their results or errors: what batch runs
//! and the interactive shell share.

use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quiver::import::{ImportSpec, ImportSummary, Progress};
use quiver::script::Statement;
use quiver::value::{NodeId, RelId};
use quiver::{Database, Error, ErrorKind, NodeSnapshot, Params, Phase, QueryResult, RelSnapshot, Schema, Stats, Value};

use crate::args::Format;
use crate::format::{self, json};
use crate::lines::{self, Item, Lines};

/// A statement's rows as they come, with what is needed to show them.
pub trait ResultRows: Iterator<Item = Result<Vec<Value>, Error>> {
    fn columns(&self) -> &[String];
    fn stats(&self) -> Stats;
    /// The plan (EXPLAIN; PROFILE once every row is read).
    fn plan(&self) -> Option<String>;
    fn node(&self, id: NodeId) -> Option<NodeSnapshot>;
    fn relationship(&self, id: RelId) -> Option<RelSnapshot>;
}

impl ResultRows for quiver::QueryStream {
    fn columns(&self) -> &[String] {
        quiver::QueryStream::columns(self)
    }
    fn stats(&self) -> Stats {
        *quiver::QueryStream::stats(self)
    }
    fn plan(&self) -> Option<String> {
        quiver::QueryStream::plan(self).map(str::to_string)
    }
    fn node(&self, id: NodeId) -> Option<NodeSnapshot> {
        quiver::QueryStream::node(self, id)
    }
    fn relationship(&self, id: RelId) -> Option<RelSnapshot> {
        quiver::QueryStream::relationship(self, id)
    }
}

/// A whole result handed out a row at a time.
pub struct Made {
    result: QueryResult,
    rows: std::vec::IntoIter<Vec<Value>>,
}

impl Made {
    pub fn new(mut result: QueryResult) -> Made {
        let rows = std::mem::take(&mut result.rows).into_iter();
        Made { result, rows }
    }
}

impl Iterator for Made {
    type Item = Result<Vec<Value>, Error>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next().map(Ok)
    }
}

impl ResultRows for Made {
    fn columns(&self) -> &[String] {
        &self.result.columns
    }
    fn stats(&self) -> Stats {
        self.result.stats
    }
    fn plan(&self) -> Option<String> {
        self.result.plan.clone()
    }
    fn node(&self, id: NodeId) -> Option<NodeSnapshot> {
        self.result.node(id).cloned()
    }
    fn relationship(&self, id: RelId) -> Option<RelSnapshot> {
        self.result.relationship(id).cloned()
    }
}

/// What the front end needs of a database (a trait so tests can use a fake).
pub trait Engine {
    fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult, Error>;
    /// The statement's rows as they come; `interrupt` cancels it.
    fn query(
        &mut self,
        query: &str,
        params: &Params,
        interrupt: Arc<AtomicBool>,
    ) -> Result<Box<dyn ResultRows + '_>, Error> {
        let _ = interrupt;
        Ok(Box::new(Made::new(self.execute(query, params)?)))
    }
    fn eval_literal(&mut self, text: &str) -> Result<Value, Error>;
    fn schema(&self) -> Schema;
    /// Bulk-loads files (see `quiver::import`); `interrupt` cancels it.
    fn import(
        &mut self,
        spec: &ImportSpec,
        progress: &mut dyn Progress,
        interrupt: &AtomicBool,
    ) -> Result<ImportSummary, Error> {
        let _ = (spec, progress, interrupt);
        Err(Error::new(
            ErrorKind::ArgumentError,
            "NotSupported",
            Phase::Compile,
            "this engine cannot import files",
        ))
    }
    /// Explicit transactions and files (a fake engine may leave them out).
    fn begin(&mut self) -> Result<(), Error> {
        Err(Error::io("transactions are not supported here"))
    }
    fn commit(&mut self) -> Result<(), Error> {
        Err(Error::io("transactions are not supported here"))
    }
    fn rollback(&mut self) -> Result<(), Error> {
        Err(Error::io("transactions are not supported here"))
    }
    fn in_transaction(&self) -> bool {
        false
    }
    fn checkpoint(&mut self) -> Result<(), Error> {
        Ok(())
    }
    fn dump(&self, _out: &mut dyn Write) -> io::Result<()> {
        Err(io::Error::other("dump is not supported here"))
    }
    fn take_warnings(&mut self) -> Vec<String> {
        Vec::new()
    }
}

impl Engine for Database {
    fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult, Error> {
        Database::execute(self, query, params)
    }
    fn query(
        &mut self,
        query: &str,
        params: &Params,
        interrupt: Arc<AtomicBool>,
    ) -> Result<Box<dyn ResultRows + '_>, Error> {
        Ok(Box::new(Database::query_with(self, query, params, interrupt)?))
    }
    fn eval_literal(&mut self, text: &str) -> Result<Value, Error> {
        Database::eval_literal(self, text)
    }
    fn schema(&self) -> Schema {
        Database::schema(self)
    }
    fn import(
        &mut self,
        spec: &ImportSpec,
        progress: &mut dyn Progress,
        interrupt: &AtomicBool,
    ) -> Result<ImportSummary, Error> {
        Database::import_with_progress(self, spec, progress, interrupt)
    }
    fn begin(&mut self) -> Result<(), Error> {
        Database::begin(self)
    }
    fn commit(&mut self) -> Result<(), Error> {
        Database::commit(self)
    }
    fn rollback(&mut self) -> Result<(), Error> {
        Database::rollback(self)
    }
    fn in_transaction(&self) -> bool {
        Database::in_transaction(self)
    }
    fn checkpoint(&mut self) -> Result<(), Error> {
        Database::checkpoint(self)
    }
    fn dump(&self, out: &mut dyn Write) -> io::Result<()> {
        Database::dump(self, out)
    }
    fn take_warnings(&mut self) -> Vec<String> {
        Database::take_warnings(self)
    }
}

/// Why a statement did not run.
#[derive(Clone, Debug)]
pub enum Failure {
    Query(Error),
    /// The engine panicked: a bug, reported like an error.
    Internal(String),
}

impl Failure {
    fn display(&self) -> String {
        match self {
            Failure::Query(e) => e.to_string(),
            Failure::Internal(m) => format!("InternalError: {m} (this is a bug in quiver)"),
        }
    }
}

/// Where a statement came from, for error messages.
#[derive(Clone, Copy, Debug)]
pub enum Origin<'a> {
    /// `-c` or the prompt: positions are the statement's own.
    Command,
    /// A script file (or `<stdin>`): errors say `FILE:LINE:`.
    File(&'a str),
}

/// The first error stopped the run (no `--keep-going`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stop;

pub struct Runner<E> {
    pub db: E,
    pub params: Params,
    pub format: Format,
    /// Show the elapsed time in table footers.
    pub timing: bool,
    pub keep_going: bool,
    /// Some statement failed.
    pub failed: bool,
    /// Wrap tables to the terminal's width.
    pub fit_tables: bool,
    /// Set while a statement runs (Ctrl-C then cancels it).
    pub running: Arc<AtomicBool>,
    /// The running statement's cancel flag (cleared before each statement).
    pub interrupt: Arc<AtomicBool>,
    out: Box<dyn Write>,
    err: Box<dyn Write>,
}

impl<E: Engine> Runner<E> {
    pub fn new(db: E, out: Box<dyn Write>, err: Box<dyn Write>) -> Runner<E> {
        Runner {
            db,
            params: Params::new(),
            format: Format::Table,
            timing: true,
            keep_going: false,
            failed: false,
            fit_tables: false,
            running: Arc::new(AtomicBool::new(false)),
            interrupt: Arc::new(AtomicBool::new(false)),
            out,
            err,
        }
    }

    /// Writes to standard output (or what stands for it) and flushes.
    pub fn out(&mut self, text: &str) {
        let r = self.out.write_all(text.as_bytes()).and_then(|_| self.out.flush());
        self.check(r);
    }

    /// Writes to standard error (or what stands for it) and flushes.
    pub fn err(&mut self, text: &str) {
        let r = self.err.write_all(text.as_bytes()).and_then(|_| self.err.flush());
        self.check(r);
    }

    fn check(&self, r: io::Result<()>) {
        if let Err(e) = r {
            if e.kind() == io::ErrorKind::BrokenPipe {
                // Whoever read our output has gone: nothing more to say.
                std::process::exit(if self.failed { 1 } else { 0 });
            }
        }
    }

    /// Evaluates a parameter's literal.
    pub fn eval_literal(&mut self, text: &str) -> Result<Value, Failure> {
        let db = &mut self.db;
        guarded(|| db.eval_literal(text))
    }

    /// Runs one statement and writes its result as its rows come (nothing
    /// when `quiet`, unless it fails).
    pub fn run_statement(&mut self, st: &Statement, origin: Origin, quiet: bool) -> Result<(), Stop> {
        let started = Instant::now();
        self.interrupt.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
        let outcome = self.stream_statement(st, quiet, started);
        self.running.store(false, Ordering::SeqCst);
        self.warnings();
        match outcome {
            Ok(()) => Ok(()),
            // The JSON line of the rows already carries the failure.
            Err((_, true)) => {
                self.failed = true;
                if self.keep_going {
                    Ok(())
                } else {
                    Err(Stop)
                }
            }
            Err((f, false)) => self.fail(f, origin, Some(st)),
        }
    }

    /// Runs a statement and writes its rows; on failure, whether it was
    /// written already (inside the JSON line of a result cut short).
    fn stream_statement(&mut self, st: &Statement, quiet: bool, started: Instant) -> Result<(), (Failure, bool)> {
        let Runner {
            db,
            params,
            interrupt,
            out,
            format,
            timing,
            fit_tables,
            ..
        } = self;
        let mut rows = guarded(|| db.query(&st.text, params, interrupt.clone())).map_err(|f| (f, false))?;
        let mut printer = Printer {
            out: out.as_mut(),
            format: *format,
            fit: *fit_tables,
            timing: *timing,
            quiet,
            started,
            shown: 0,
            table: None,
            opened: false,
        };
        let r = printer.print(rows.as_mut());
        printer.flush_out();
        r.map_err(|f| {
            let shown = printer.format == Format::Json && printer.opened;
            (f, shown)
        })
    }
    /// Writes the database's warnings to standard error.
    pub fn warnings(&mut self) {
        for w in self.db.take_warnings() {
            self.err(&format!("quiver: warning: {w}\n"));
        }
    }

    /// Runs a script's `:command` (`:begin`, `:commit`, `:rollback`,
    /// `:checkpoint`); says what it did unless `quiet`.
    pub fn run_command(&mut self, command: &str, origin: Origin, line: usize, quiet: bool) -> Result<(), Stop> {
        let name = command.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        let st = Statement {
            text: command.to_string(),
            offset: 0,
            line,
            column: 1,
        };
        if name == ":import" {
            // `:import` is ASCII, so the first word is 7 bytes long.
            let rest = &command.trim_start()[name.len()..];
            return match crate::args::parse_import_command(rest) {
                Ok(spec) => self.run_import_at(&spec, quiet, origin, Some(&st)),
                Err(m) => {
                    let e = Error::new(
                        ErrorKind::ArgumentError,
                        "InvalidImportCommand",
                        Phase::Compile,
                        m.trim_end(),
                    );
                    self.fail(Failure::Query(e), origin, Some(&st))
                }
            };
        }
        let db = &mut self.db;
        let outcome = match name.as_str() {
            ":begin" => guarded(|| db.begin()).map(|_| "transaction open"),
            ":commit" => guarded(|| db.commit()).map(|_| "transaction committed"),
            ":rollback" => guarded(|| db.rollback()).map(|_| "transaction rolled back"),
            ":checkpoint" => guarded(|| db.checkpoint()).map(|_| "checkpoint done"),
            _ => Err(Failure::Query(Error::new(
                quiver::ErrorKind::SyntaxError,
                "UnknownCommand",
                quiver::Phase::Compile,
                format!(
                    "unknown command '{name}' (a script may use :begin, :commit, :rollback, :checkpoint and :import)"
                ),
            ))),
        };
        self.warnings();
        match outcome {
            Ok(done) => {
                if !quiet {
                    self.out(&format!("{done}\n"));
                }
                Ok(())
            }
            Err(f) => self.fail(f, origin, Some(&st)),
        }
    }

    fn run_item(&mut self, item: Item, origin: Origin, quiet: bool) -> Result<(), Stop> {
        match item {
            Item::Statement(st) => self.run_statement(&st, origin, quiet),
            Item::Command(c, line) => self.run_command(&c, origin, line, true),
        }
    }

    /// Reports a failure; stops unless `--keep-going`.
    pub fn fail(&mut self, f: Failure, origin: Origin, st: Option<&Statement>) -> Result<(), Stop> {
        self.failed = true;
        self.report(&f, origin, st);
        if self.keep_going {
            Ok(())
        } else {
            Err(Stop)
        }
    }

    /// Writes an error: a JSON line on standard output in json mode, else the
    /// error's text on standard error (with `FILE:LINE:` for script files).
    pub fn report(&mut self, f: &Failure, origin: Origin, st: Option<&Statement>) {
        if self.format == Format::Json {
            let line = json::error_line(f);
            self.out(&format!("{line}\n"));
            return;
        }
        let text = match (origin, f) {
            (Origin::File(name), Failure::Query(e)) => {
                let e = match st {
                    Some(st) => in_file(e, st),
                    None => e.clone(),
                };
                match e.position.map(|p| p.line).or(st.map(|s| s.line)) {
                    Some(line) => format!("{name}:{line}: {e}"),
                    None => format!("{name}: {e}"),
                }
            }
            (Origin::File(name), f) => match st {
                Some(st) => format!("{name}:{}: {}", st.line, f.display()),
                None => format!("{name}: {}", f.display()),
            },
            (Origin::Command, f) => f.display(),
        };
        self.err(&format!("{text}\n"));
    }

    /// Runs a bulk import, with a progress bar on a terminal; writes what it
    /// loaded unless `quiet` (errors are always reported).
    pub fn run_import(&mut self, spec: &ImportSpec, quiet: bool) -> Result<(), Stop> {
        self.run_import_at(spec, quiet, Origin::Command, None)
    }

    /// [`Runner::run_import`] for a `:import` at `st` of a script (errors
    /// name the script and line).
    fn run_import_at(
        &mut self,
        spec: &ImportSpec,
        quiet: bool,
        origin: Origin,
        st: Option<&Statement>,
    ) -> Result<(), Stop> {
        let mut bar = crate::progress::Bar::on_stderr();
        self.interrupt.store(false, Ordering::SeqCst);
        self.running.store(true, Ordering::SeqCst);
        let db = &mut self.db;
        let interrupt = self.interrupt.clone();
        let outcome = guarded(|| db.import(spec, &mut bar, &interrupt));
        self.running.store(false, Ordering::SeqCst);
        bar.end();
        match outcome {
            Ok(s) => {
                if !quiet {
                    let text = match self.format {
                        Format::Json => json::import_line(&s),
                        _ => s.to_string(),
                    };
                    self.out(&format!("{text}\n"));
                }
                Ok(())
            }
            Err(f) => self.fail(f, origin, st),
        }
    }

    /// Runs the statements of a whole text in order.
    pub fn run_text(&mut self, text: &str, origin: Origin, quiet: bool) -> Result<(), Stop> {
        for item in lines::split(text) {
            self.run_item(item, origin, quiet)?;
        }
        Ok(())
    }

    /// Runs the statements of a file (`-` for standard input, streamed).
    pub fn run_file(&mut self, path: &str, quiet: bool) -> Result<(), Stop> {
        if path == "-" {
            let stdin = io::stdin();
            return self.run_stream(stdin.lock(), "<stdin>", quiet);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => self.run_text(&text, Origin::File(path), quiet),
            Err(e) => {
                let f = Failure::Query(Error::io(format!("cannot read {path}: {e}")));
                self.fail(f, Origin::Command, None)
            }
        }
    }

    /// Runs each statement as soon as its `;` arrives (even before the end of
    /// its line), writing its result before reading on, so a program can
    /// drive quiver through a pipe.
    pub fn run_stream(&mut self, mut input: impl BufRead, name: &str, quiet: bool) -> Result<(), Stop> {
        let mut splitter = Lines::new();
        // Bytes of a character split between two reads.
        let mut partial: Vec<u8> = Vec::new();
        loop {
            let chunk = match input.fill_buf() {
                Ok([]) => break,
                Ok(bytes) => bytes.to_vec(),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return self.read_failure(name, &e.to_string()),
            };
            input.consume(chunk.len());
            partial.extend_from_slice(&chunk);
            let (valid, bad) = match std::str::from_utf8(&partial) {
                Ok(_) => (partial.len(), false),
                Err(e) => (e.valid_up_to(), e.error_len().is_some()),
            };
            let text = String::from_utf8(partial.drain(..valid).collect()).expect("checked UTF-8");
            for item in splitter.push(&text) {
                self.run_item(item, Origin::File(name), quiet)?;
            }
            if bad {
                return self.read_failure(name, "stream did not contain valid UTF-8");
            }
        }
        if !partial.is_empty() {
            return self.read_failure(name, "stream did not contain valid UTF-8");
        }
        for item in splitter.finish() {
            self.run_item(item, Origin::File(name), quiet)?;
        }
        Ok(())
    }

    fn read_failure(&mut self, name: &str, why: &str) -> Result<(), Stop> {
        let f = Failure::Query(Error::io(format!("cannot read {name}: {why}")));
        self.fail(f, Origin::Command, None)
    }
}

/// Runs `f`, turning a panic into a failure.
fn guarded<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(Failure::Query(e)),
        Err(payload) => Err(Failure::Internal(panic_message(payload))),
    }
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "the engine panicked".to_string())
}

/// The error with its position moved from the statement to the file.
pub fn in_file(e: &Error, st: &Statement) -> Error {
    let mut e = e.clone();
    if let Some(p) = &mut e.position {
        if p.line == 1 && st.column > 1 {
            p.column += st.column - 1;
            if let Some(line) = &mut e.source_line {
                *line = format!("{}{line}", " ".repeat(st.column - 1));
            }
        }
        p.line += st.line - 1;
        p.offset += st.offset;
    }
    e
}

/// How many rows a table shows before its column widths are fixed (later
/// rows are cut to them), and how many rows go out together.
const SAMPLE_ROWS: usize = 1000;
/// A slow statement's rows go out at least this often.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// Writes one statement's rows in the chosen format as they arrive.
struct Printer<'o> {
    out: &'o mut dyn Write,
    format: Format,
    fit: bool,
    timing: bool,
    quiet: bool,
    started: Instant,
    /// Rows written so far.
    shown: usize,
    /// Once a table has been started: its column widths and the border line closing it.
    table: Option<format::table::Continuation>,
    /// Whether a JSON line or CSV header has been started.
    opened: bool,
}

impl Printer<'_> {
    fn write(&mut self, text: &str) {
        if let Err(e) = self.out.write_all(text.as_bytes()) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                // Whoever read our output has gone: nothing more to say.
                std::process::exit(0);
            }
        }
    }

    fn flush_out(&mut self) {
        let _ = self.out.flush();
    }

    /// Reads every row and writes them; a failure after some rows have gone
    /// out is reported after them.
    fn print(&mut self, rows: &mut dyn ResultRows) -> Result<(), Failure> {
        let columns: Vec<String> = rows.columns().to_vec();
        let mut batch: Vec<Vec<Value>> = Vec::new();
        let mut last_flush = Instant::now();
        let mut failure = None;
        let keep_all = self.format == Format::Dot;
        loop {
            match next_row(rows) {
                // Quiet: the rows are read (the statement runs to the end) and dropped.
                Ok(Some(_)) if self.quiet => continue,
                Ok(Some(row)) => batch.push(row),
                Ok(None) => break,
                Err(f) => {
                    failure = Some(f);
                    break;
                }
            }
            let full = batch.len() >= SAMPLE_ROWS || last_flush.elapsed() >= FLUSH_EVERY;
            if full && !keep_all && !self.quiet {
                self.batch(rows, &columns, std::mem::take(&mut batch), false);
                last_flush = Instant::now();
            }
        }
        if let Some(f) = failure {
            if self.shown > 0 || self.opened || self.table.is_some() {
                // What was shown stays; the failure follows it.
                self.batch(rows, &columns, batch, false);
                self.close_failed(&f);
            }
            return Err(f);
        }
        if self.quiet {
            return Ok(());
        }
        self.batch(rows, &columns, batch, true);
        Ok(())
    }

    /// Writes `batch`; `last`: no rows follow (write the end of the result).
    fn batch(&mut self, rows: &dyn ResultRows, columns: &[String], batch: Vec<Vec<Value>>, last: bool) {
        let n = batch.len();
        let mut r = QueryResult {
            columns: columns.to_vec(),
            rows: batch,
            stats: rows.stats(),
            plan: if last { rows.plan() } else { None },
            ..QueryResult::default()
        };
        snapshot_entities(rows, &mut r);
        let mut text = String::new();
        match self.format {
            Format::Json => {
                if last && !self.opened {
                    text = json::result_line(&r);
                    text.push('\n');
                } else {
                    if !self.opened {
                        text.push_str(&json::open_rows(&r.columns));
                        self.opened = true;
                    }
                    text.push_str(&json::rows_part(&r, self.shown > 0));
                    if last {
                        text.push_str(&json::close_rows(&r));
                        text.push('\n');
                    }
                }
            }
            Format::Csv => {
                let header = !self.opened;
                self.opened = true;
                text = String::from_utf8(format::csv::render_part(&r, header)).expect("csv of UTF-8 is UTF-8");
            }
            Format::Dot => text = format::dot::render(&r),
            Format::Table => {
                if last && self.table.is_none() {
                    if let Some(plan) = &r.plan {
                        text.push_str(plan.trim_end());
                        text.push('\n');
                    }
                    if !r.columns.is_empty() {
                        text.push_str(&format::table::render(&r, self.fit));
                        text.push('\n');
                    }
                } else if !r.columns.is_empty() {
                    match &self.table {
                        None => {
                            let (head, cont) = format::table::start(&r, self.fit);
                            text.push_str(&head);
                            self.table = Some(cont);
                        }
                        Some(cont) => text.push_str(&cont.rows(&r)),
                    }
                    if last {
                        if let Some(cont) = &self.table {
                            text.push_str(cont.bottom());
                            text.push('\n');
                        }
                        if let Some(plan) = &r.plan {
                            text.push_str(plan.trim_end());
                            text.push('\n');
                        }
                    }
                }
                if last {
                    let elapsed = self.timing.then(|| self.started.elapsed());
                    text.push_str(&format::footer(self.shown + n, elapsed, &r.stats));
                    text.push('\n');
                }
            }
        }
        self.shown += n;
        self.write(&text);
        self.flush_out();
    }

    /// Ends a result cut short by a failure (the failure itself is reported as usual).
    fn close_failed(&mut self, f: &Failure) {
        match self.format {
            Format::Json if self.opened => {
                let mut text = json::close_failed(f);
                text.push('\n');
                self.write(&text);
            }
            Format::Table => {
                if let Some(cont) = self.table.take() {
                    let text = format!("{}\n", cont.bottom());
                    self.write(&text);
                }
            }
            _ => {}
        }
        self.flush_out();
    }
}

/// The next row, with a panic in the engine turned into a failure.
fn next_row(rows: &mut dyn ResultRows) -> Result<Option<Vec<Value>>, Failure> {
    match catch_unwind(AssertUnwindSafe(|| rows.next())) {
        Ok(Some(Ok(row))) => Ok(Some(row)),
        Ok(Some(Err(e))) => Err(Failure::Query(e)),
        Ok(None) => Ok(None),
        Err(payload) => Err(Failure::Internal(panic_message(payload))),
    }
}

/// Fills in the labels and properties of the entities `r`'s rows mention.
fn snapshot_entities(rows: &dyn ResultRows, r: &mut QueryResult) {
    let (mut nodes, mut rels) = (Vec::new(), Vec::new());
    for row in &r.rows {
        for v in row {
            quiver::result::mentioned(v, &mut nodes, &mut rels);
        }
    }
    for id in rels {
        if let Some(s) = rows.relationship(id) {
            nodes.push(s.start);
            nodes.push(s.end);
            r.relationships.insert(id, s);
        }
    }
    for id in nodes {
        if !r.nodes.contains_key(&id) {
            if let Some(s) = rows.node(id) {
                r.nodes.insert(id, s);
            }
        }
    }
}
