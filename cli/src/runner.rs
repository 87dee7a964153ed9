//! Running statements and writing their results or errors: what batch runs
//! and the interactive shell share.

use std::io::{self, BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quiver::import::{ImportSpec, ImportSummary, Progress};
use quiver::script::Statement;
use quiver::{Database, Error, ErrorKind, Params, Phase, QueryResult, Schema, Value};

use crate::args::Format;
use crate::format::{self, json};
use crate::lines::{self, Item, Lines};

/// What the front end needs of a database (a trait so tests can use a fake).
pub trait Engine {
    fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult, Error>;
    fn eval_literal(&mut self, text: &str) -> Result<Value, Error>;
    fn schema(&self) -> Schema;
    /// Bulk-loads files (see `quiver::import`).
    fn import(&mut self, spec: &ImportSpec, progress: &mut dyn Progress) -> Result<ImportSummary, Error> {
        let _ = (spec, progress);
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
    fn eval_literal(&mut self, text: &str) -> Result<Value, Error> {
        Database::eval_literal(self, text)
    }
    fn schema(&self) -> Schema {
        Database::schema(self)
    }
    fn import(&mut self, spec: &ImportSpec, progress: &mut dyn Progress) -> Result<ImportSummary, Error> {
        Database::import_with_progress(self, spec, progress)
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

    /// Runs one statement and writes its result (nothing when `quiet`, unless it fails).
    pub fn run_statement(&mut self, st: &Statement, origin: Origin, quiet: bool) -> Result<(), Stop> {
        let started = Instant::now();
        self.running.store(true, Ordering::SeqCst);
        let db = &mut self.db;
        let params = &self.params;
        let outcome = guarded(|| db.execute(&st.text, params));
        self.running.store(false, Ordering::SeqCst);
        let elapsed = started.elapsed();
        self.warnings();
        match outcome {
            Ok(r) => {
                if !quiet {
                    self.print_result(&r, elapsed);
                }
                Ok(())
            }
            Err(f) => self.fail(f, origin, Some(st)),
        }
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

    pub fn print_result(&mut self, r: &QueryResult, elapsed: Duration) {
        let mut text = String::new();
        match self.format {
            Format::Json => {
                text.push_str(&json::result_line(r));
                text.push('\n');
            }
            Format::Csv => {
                text = String::from_utf8(format::csv::render(r)).expect("csv of UTF-8 is UTF-8");
            }
            Format::Dot => text = format::dot::render(r),
            Format::Table => {
                if let Some(plan) = &r.plan {
                    text.push_str(plan.trim_end());
                    text.push('\n');
                }
                if !r.columns.is_empty() {
                    text.push_str(&format::table::render(r, self.fit_tables));
                    text.push('\n');
                }
                let elapsed = self.timing.then_some(elapsed);
                text.push_str(&format::footer(r.rows.len(), elapsed, &r.stats));
                text.push('\n');
            }
        }
        self.out(&text);
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
        self.running.store(true, Ordering::SeqCst);
        let db = &mut self.db;
        let outcome = guarded(|| db.import(spec, &mut bar));
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
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "the engine panicked".to_string());
            Err(Failure::Internal(msg))
        }
    }
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
