//! The embedding API: open a database, run statements, read results — whole
//! ([`Database::execute`]) or as a stream of rows ([`Database::query`]).
//!
//! A [`Database`] is a handle on a graph that any number of threads share
//! (`Send + Sync`; clone it with [`Database::session`] for a handle with a
//! transaction of its own). Each read statement runs on the committed state
//! as it was when the statement started (a snapshot), beside any number of
//! other readers and the one write transaction at a time; a write statement
//! waits for the write transaction of another handle to end (up to the lock
//! timeout), then runs and, outside an explicit transaction, commits.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use crate::ast::Mode;
use crate::error::{Error, ErrorKind, Phase, Result};
use crate::exec::{self, BoxCursor, Eval, ProfileStats, StatementContext};
use crate::plan::{self, QueryPlan};
use crate::procedure::{Procedure, Procedures};
use crate::result::{NodeSnapshot, QueryResult, RelSnapshot, Stats};
use crate::storage::Storage;
use crate::store::{Catalog, GraphRead, GraphWrite, Snapshot, Tx};
use crate::value::{NodeId, RelId, Value};

mod persist;
pub use persist::Transaction;

pub use crate::value::Params;

/// A property graph and the means to query it.
///
/// ```
/// use quiver::{Database, Params, Value};
///
/// let db = Database::in_memory();
/// db.execute("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})", &Params::new())?;
/// let mut params = Params::new();
/// params.insert("name".into(), Value::from("Ada"));
/// let r = db.execute("MATCH (a:Person {name: $name})-[:KNOWS]->(b) RETURN b.name AS friend", &params)?;
/// assert_eq!(r.columns, vec!["friend"]);
/// assert_eq!(r.rows, vec![vec![Value::from("Alan")]]);
/// assert_eq!(r.stats.nodes_created, 0);
/// # Ok::<(), quiver::Error>(())
/// ```
pub struct Database {
    shared: Arc<Shared>,
    id: u64,
    session: Mutex<Session>,
}

/// One handle's transaction state.
#[derive(Default)]
struct Session {
    /// An explicit transaction is open.
    explicit: bool,
    /// The transaction's changes, once it has written (the handle then holds
    /// the write lock until it commits or rolls back).
    tx: Option<Tx>,
    plan_options: plan::PlanOptions,
    /// Statements whose plan writes are refused ([`Database::deny_writes`]).
    deny_writes: bool,
}

/// What every handle on one graph shares.
pub(crate) struct Shared {
    catalog: Arc<Catalog>,
    procedures: RwLock<Arc<Procedures>>,
    /// The latest committed state (`None` only while a commit replaces it).
    current: RwLock<Option<Snapshot>>,
    /// The file, and which handle holds the write lock.
    writer: Mutex<WriteSlot>,
    released: Condvar,
    read_only: bool,
    path: Option<PathBuf>,
    /// How long a write statement waits for another handle's write transaction, in ms.
    lock_timeout_ms: AtomicU64,
    next_session: AtomicU64,
}

pub(crate) struct WriteSlot {
    holder: Option<u64>,
    storage: Option<Storage>,
}

/// Past this many changed entities (and a quarter of the graph), a commit
/// writes a new base instead of a log record and a layer of changes.
const BULK_MIN: usize = 50_000;
/// In memory, the committed layer is folded into a new base once it holds
/// this many entities (and a quarter of the graph).
const COMPACT_MIN: usize = 50_000;

impl Default for Database {
    fn default() -> Self {
        Database::in_memory()
    }
}

/// A cancel flag: set it (from any thread) and the statement it was given
/// to fails with `Interrupted`, changing nothing.
pub type Interrupt = Arc<AtomicBool>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    fn new(snapshot: Snapshot, storage: Option<Storage>, read_only: bool, path: Option<PathBuf>) -> Shared {
        Shared {
            catalog: snapshot.catalog.clone(),
            procedures: RwLock::new(Arc::new(Procedures::with_builtins())),
            current: RwLock::new(Some(snapshot)),
            writer: Mutex::new(WriteSlot { holder: None, storage }),
            released: Condvar::new(),
            read_only,
            path,
            lock_timeout_ms: AtomicU64::new(10_000),
            next_session: AtomicU64::new(1),
        }
    }

    fn current(&self) -> Snapshot {
        let cur = self.current.read().unwrap_or_else(|e| e.into_inner());
        cur.clone().expect("a committed state")
    }

    fn publish(&self, s: Snapshot) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(s);
    }

    fn procedures(&self) -> Arc<Procedures> {
        self.procedures.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        let _ = self.shut();
    }
}

impl Database {
    /// An empty graph held in memory.
    pub fn in_memory() -> Database {
        let catalog = Arc::new(Catalog::default());
        Database::over(Shared::new(Snapshot::empty(catalog), None, false, None))
    }

    fn over(shared: Shared) -> Database {
        let shared = Arc::new(shared);
        Database::handle(shared)
    }

    fn handle(shared: Arc<Shared>) -> Database {
        let id = shared.next_session.fetch_add(1, Ordering::Relaxed);
        Database {
            shared,
            id,
            session: Mutex::new(Session::default()),
        }
    }

    /// Another handle on the same graph, with a transaction of its own (for
    /// another thread, connection or user: each handle runs one explicit
    /// transaction at a time).
    pub fn session(&self) -> Database {
        let db = Database::handle(self.shared.clone());
        lock(&db.session).plan_options = lock(&self.session).plan_options;
        db
    }

    /// Makes this handle refuse (`true`) every statement whose plan would
    /// change the graph, with a `ReadOnly` error, before it runs or waits for
    /// the write lock; reads are unaffected. For read-only servers and tools.
    pub fn deny_writes(&self, deny: bool) {
        lock(&self.session).deny_writes = deny;
    }

    fn writes_denied(&self) -> Error {
        Error::new(
            ErrorKind::IoError,
            "ReadOnly",
            Phase::Runtime,
            "this session is read-only: the statement would change the graph, so it was not run",
        )
    }

    /// How long a write statement waits for the write transaction of
    /// another handle to end before it fails with `LockTimeout` (10 s unless set).
    pub fn set_lock_timeout(&self, timeout: Duration) {
        self.shared
            .lock_timeout_ms
            .store(timeout.as_millis().min(u128::from(u64::MAX)) as u64, Ordering::Relaxed);
    }

    /// The committed state as a statement starting now sees it: in a
    /// read-only database, with what other processes committed since.
    fn snapshot_now(&self) -> Result<Snapshot> {
        if self.shared.read_only {
            let mut slot = lock(&self.shared.writer);
            if let Some(storage) = slot.storage.as_mut() {
                // Taken out while it is brought up to date, so that no copy
                // of its layer is made unless a running statement holds it.
                let mut cur = self.shared.current.write().unwrap_or_else(|e| e.into_inner());
                let mut snapshot = cur.take().expect("a committed state");
                let refreshed = storage.refresh(&mut snapshot);
                *cur = Some(snapshot.clone());
                refreshed?;
                return Ok(snapshot);
            }
        }
        Ok(self.shared.current())
    }

    /// The committed graph, as it is now (for algorithms, exports, tools).
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.snapshot_now()
    }

    /// Makes this handle the writer: waits for another handle's write
    /// transaction to end (up to the lock timeout), then opens its own.
    fn begin_write(&self, session: &mut Session) -> Result<()> {
        if session.tx.is_some() {
            return Ok(());
        }
        let timeout = Duration::from_millis(self.shared.lock_timeout_ms.load(Ordering::Relaxed));
        let started = Instant::now();
        let mut slot = lock(&self.shared.writer);
        while slot.holder.is_some_and(|h| h != self.id) {
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(Error::new(
                    ErrorKind::TransientError,
                    "LockTimeout",
                    Phase::Runtime,
                    format!(
                        "another transaction on this database has been writing for over {} ms: the statement was not run (try it again, or end the other transaction)",
                        timeout.as_millis()
                    ),
                ));
            }
            slot = self
                .shared
                .released
                .wait_timeout(slot, timeout - waited)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        slot.holder = Some(self.id);
        drop(slot);
        session.tx = Some(Tx::new(self.shared.current(), session.explicit));
        Ok(())
    }

    /// Lets another handle write.
    fn end_write(&self, session: &mut Session) {
        session.tx = None;
        let mut slot = lock(&self.shared.writer);
        if slot.holder == Some(self.id) {
            slot.holder = None;
            self.shared.released.notify_one();
        }
    }

    /// Runs one statement to the end (a trailing `;` is allowed) and returns
    /// its whole result. The statement is atomic: when it fails, the graph
    /// is exactly as it was before.
    pub fn execute(&self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, Interrupt::default())
    }

    /// [`Database::execute`], cancelled when `interrupt` is set.
    pub fn execute_with(&self, query: &str, params: &Params, interrupt: Interrupt) -> Result<QueryResult> {
        self.query_with(query, params, interrupt)?.into_result()
    }

    /// Runs one statement and returns its rows as they are made: a statement
    /// that only reads computes each row when the stream is asked for it (so
    /// taking a few rows of a large result, or dropping the stream, stops the
    /// work), on the committed state as it was when it started, whatever is
    /// committed meanwhile; one that writes runs to the end first, as writes must.
    ///
    /// ```
    /// use quiver::{Database, Params, Value};
    /// let db = Database::in_memory();
    /// let mut rows = db.query("UNWIND range(1, 1000000000) AS x RETURN x", &Params::new())?;
    /// assert_eq!(rows.columns(), ["x"]);
    /// assert_eq!(rows.next().unwrap()?, vec![Value::Int(1)]);
    /// assert_eq!(rows.next().unwrap()?, vec![Value::Int(2)]);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn query(&self, query: &str, params: &Params) -> Result<QueryStream> {
        self.query_with(query, params, Interrupt::default())
    }

    /// [`Database::query`], cancelled when `interrupt` is set (the stream's
    /// next row is then an `Interrupted` error).
    pub fn query_with(&self, query: &str, params: &Params, interrupt: Interrupt) -> Result<QueryStream> {
        let statement = crate::parser::parse_statement(query).map_err(|e| Error::from_parse(e, query))?;
        let procedures = self.shared.procedures();
        let bound = crate::semantic::check(&statement, &procedures).map_err(|e| e.into_error(query))?;
        let mut session = lock(&self.session);
        let options = session.plan_options;
        // A transaction that has written reads its own writes.
        if let Some(tx) = session.tx.as_ref() {
            let plan = plan::plan_query(bound, tx, &procedures, options).map_err(|e| e.into_error(query))?;
            if statement.mode == Mode::Explain {
                return Ok(QueryStream::done(Vec::new(), Some(plan::explain(&plan))));
            }
            if plan.writes && session.deny_writes {
                return Err(self.writes_denied());
            }
            return self.run_writing(&mut session, plan, statement.mode, params, interrupt, procedures);
        }
        let explicit = session.explicit;
        drop(session);
        let snapshot = self.snapshot_now()?;
        let plan = plan::plan_query(bound, &snapshot, &procedures, options).map_err(|e| e.into_error(query))?;
        let columns = plan.columns.clone();
        if statement.mode == Mode::Explain {
            // The plan is the answer: no columns, no rows.
            return Ok(QueryStream::done(Vec::new(), Some(plan::explain(&plan))));
        }
        if plan.writes {
            let mut session = lock(&self.session);
            if session.deny_writes {
                return Err(self.writes_denied());
            }
            if session.explicit != explicit {
                return Err(Error::new(
                    ErrorKind::ArgumentError,
                    "TransactionChanged",
                    Phase::Runtime,
                    "the handle's transaction began or ended while the statement was planned: run it again",
                ));
            }
            self.begin_write(&mut session)?;
            // Planned on the state the transaction starts from, unless a commit came between.
            let plan = {
                let tx = session.tx.as_ref().expect("just begun");
                plan::plan_query(bound, tx, &procedures, options).map_err(|e| e.into_error(query))?
            };
            return self.run_writing(&mut session, plan, statement.mode, params, interrupt, procedures);
        }
        let st = StatementContext::new(params.clone(), interrupt, procedures);
        let profile = (statement.mode == Mode::Profile).then(|| exec::profile_stats(&plan));
        let owner = StreamOwner {
            snapshot,
            plan,
            st,
            profile,
        };
        let cell = StreamCell::try_new(owner, |o| {
            exec::read_query(Eval::new(&o.snapshot, &o.st), &o.plan, o.profile.as_ref())
        })
        .map_err(|e| e.into_error())?;
        Ok(QueryStream {
            columns,
            inner: Inner::Reading(Box::new(cell)),
            stats: Stats::default(),
            plan: None,
            entities: Entities::default(),
        })
    }

    /// Runs a statement in the session's write transaction (begun already),
    /// and, outside an explicit transaction, commits it.
    fn run_writing(
        &self,
        session: &mut Session,
        plan: QueryPlan,
        mode: Mode,
        params: &Params,
        interrupt: Interrupt,
        procedures: Arc<Procedures>,
    ) -> Result<QueryStream> {
        let columns = plan.columns.clone();
        let st = StatementContext::new(params.clone(), interrupt, procedures);
        let profile = (mode == Mode::Profile).then(|| exec::profile_stats(&plan));
        let mut stats = Stats::default();
        let explicit = session.explicit;
        let tx = session.tx.as_mut().expect("a write transaction");
        let sp = tx.savepoint();
        let mut batches = TxBatches { db: self };
        let batches = (!explicit).then_some(&mut batches as &mut dyn exec::Batches);
        let outcome = exec::run_write(tx, &st, &plan, &mut stats, profile.as_ref(), batches);
        let rows = match outcome {
            Ok(rows) => rows,
            Err(e) => {
                self.undo_statement(session, sp);
                return Err(e.into_error());
            }
        };
        let tx = session.tx.as_mut().expect("a write transaction");
        if self.shared.read_only && tx.changed_since(&sp) {
            self.undo_statement(session, sp);
            return Err(self.read_only_error("the statement would change the graph, so it was undone"));
        }
        // Entities as the statement left them (deleted ones too), before a
        // commit forgets what it deleted.
        let mut entities = Entities::default();
        if !plan.columns.is_empty() {
            entities.snapshot(&*tx, &rows);
        }
        let plan_text = profile.map(|p| plan::profile(&plan, &exec::profile_figures(&plan, &p)));
        // Outside an explicit transaction the statement commits now (and, with
        // a file, is durable before this returns).
        if !session.explicit {
            self.commit_session(session)?;
        }
        let mut stream = QueryStream::done(columns, plan_text);
        stream.stats = stats;
        stream.entities = entities;
        stream.inner = Inner::Made(rows.into_iter());
        Ok(stream)
    }

    /// Undoes a failed statement: back to `sp` inside an explicit
    /// transaction, the whole transaction otherwise.
    fn undo_statement(&self, session: &mut Session, sp: crate::store::Savepoint) {
        if session.explicit {
            if let Some(tx) = session.tx.as_mut() {
                tx.rollback_to(sp);
            }
        } else {
            self.end_write(session);
        }
    }

    fn read_only_error(&self, what: &str) -> Error {
        let path = self
            .shared
            .path
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        Error::new(
            ErrorKind::IoError,
            "ReadOnly",
            Phase::Runtime,
            format!("{path} is open read-only: {what}"),
        )
    }

    /// Commits the session's write transaction (durably, with a file) and
    /// lets another handle write. When it cannot be made durable, it is
    /// rolled back and the error says why.
    fn commit_session(&self, session: &mut Session) -> Result<()> {
        let Some(tx) = session.tx.take() else {
            return Ok(());
        };
        let outcome = self.commit_tx(tx);
        self.end_write(session);
        outcome
    }

    fn commit_tx(&self, tx: Tx) -> Result<()> {
        if !tx.changed() {
            return Ok(());
        }
        if self.shared.read_only {
            return Err(self.read_only_error("the transaction would change the graph, so it was rolled back"));
        }
        let catalog = self.shared.catalog.clone();
        let mut slot = lock(&self.shared.writer);
        let changed = tx.overlay.len();
        let size = tx.snapshot.base.node_count() + tx.snapshot.base.rel_count();
        let bulk = changed >= BULK_MIN && changed * 4 >= size;
        let committed = if bulk {
            // Too large for a log record and a layer: the next base, built from it all.
            let builder = crate::store::base::BaseBuilder::from_view(&tx).map_err(Error::io)?;
            drop(tx);
            let base = match slot.storage.as_mut() {
                Some(storage) => storage.commit_base(builder, &catalog)?,
                None => in_memory_base(builder, &catalog)?,
            };
            Snapshot::over(Arc::new(base), catalog.clone())
        } else {
            if let Some(storage) = slot.storage.as_mut() {
                storage.commit(&tx.changes())?;
            }
            // Fold it into the committed layer: let go of the published
            // state's hold on that layer first, so that it is changed in
            // place unless a reader holds it.
            let mut cur = self.shared.current.write().unwrap_or_else(|e| e.into_inner());
            drop(cur.take());
            let s = tx.into_snapshot();
            *cur = Some(s.clone());
            s
        };
        self.shared.publish(committed.clone());
        // Keep the layer of changes small: a checkpoint with a file, a new
        // base in memory.
        match slot.storage.as_mut() {
            Some(storage) => {
                if storage.wants_checkpoint() {
                    match storage.checkpoint(&committed, &catalog) {
                        Ok(base) => self.shared.publish(Snapshot::over(Arc::new(base), catalog.clone())),
                        Err(e) => storage.warn(format!(
                            "automatic checkpoint failed (the log keeps every commit): {}",
                            e.message
                        )),
                    }
                }
            }
            None => {
                let size = committed.base.node_count() + committed.base.rel_count();
                if committed.delta_len() >= COMPACT_MIN && committed.delta_len() * 4 >= size {
                    if let Ok(s) = committed.compacted() {
                        self.shared.publish(s);
                    }
                }
            }
        }
        Ok(())
    }

    /// Bulk-loads node and relationship files straight into the store (see
    /// [`crate::import`]): all of them, or, when any row is bad, nothing.
    /// Outside an explicit transaction the import is one commit (with a
    /// file, durable when this returns); inside one, it is part of it.
    pub fn import(&self, spec: &crate::import::ImportSpec) -> Result<crate::import::ImportSummary> {
        self.import_with_progress(spec, &mut (), &Interrupt::default())
    }

    /// [`Database::import`], telling `progress` how many bytes have been read;
    /// `interrupt` cancels it.
    pub fn import_with_progress(
        &self,
        spec: &crate::import::ImportSpec,
        progress: &mut dyn crate::import::Progress,
        interrupt: &AtomicBool,
    ) -> Result<crate::import::ImportSummary> {
        self.import_into(&mut |sink| crate::import::run(sink, spec, progress, interrupt))
    }

    /// Bulk-loads rows held in memory (a program's data frames) as
    /// [`Database::import`] loads files: all of them, or, when any row is bad,
    /// nothing (see [`crate::import::frames`]). `interrupt` cancels it.
    pub fn import_frames(
        &self,
        frames: &crate::import::frames::FrameImport,
        interrupt: &AtomicBool,
    ) -> Result<crate::import::ImportSummary> {
        self.import_into(&mut |sink| crate::import::frames::run(sink, frames, interrupt))
    }

    /// Runs an import into this handle's transaction (when one is open), or
    /// as a bulk load into the next base, committed when it succeeds.
    fn import_into(
        &self,
        load: &mut dyn FnMut(&mut dyn crate::import::Sink) -> Result<crate::import::ImportSummary>,
    ) -> Result<crate::import::ImportSummary> {
        let mut session = lock(&self.session);
        if session.deny_writes {
            return Err(self.writes_denied());
        }
        self.begin_write(&mut session)?;
        if session.explicit {
            // Part of the transaction: its rows go through it (a rollback undoes them).
            let tx = session.tx.as_mut().expect("a write transaction");
            let sp = tx.savepoint();
            let outcome = load_checked(tx, &sp, load);
            if outcome.is_err() {
                tx.rollback_to(sp);
            } else if self.shared.read_only && tx.changed_since(&sp) {
                tx.rollback_to(sp);
                return Err(self.read_only_error("the import would change the graph, so it was undone"));
            }
            return outcome;
        }
        if !session
            .tx
            .as_ref()
            .expect("a write transaction")
            .constraints()
            .is_empty()
        {
            // Constraints are checked on the rows as a transaction holds them,
            // then the import commits as one transaction.
            let tx = session.tx.as_mut().expect("a write transaction");
            let sp = tx.savepoint();
            let outcome = load_checked(tx, &sp, load);
            if outcome.is_err() {
                self.end_write(&mut session);
                return outcome;
            }
            self.commit_session(&mut session)?;
            return outcome;
        }
        // On its own: a bulk load into the next base (the rows are in no log
        // record and no layer, only in the base being built).
        let tx = session.tx.take().expect("a write transaction");
        let outcome = (|| {
            let mut sink = crate::import::BulkSink::new(&tx.snapshot).map_err(Error::io)?;
            let summary = load(&mut sink)?;
            if !sink.created() {
                return Ok(summary);
            }
            if self.shared.read_only {
                return Err(self.read_only_error("the import would change the graph, so nothing was loaded"));
            }
            let builder = sink.into_builder();
            let catalog = self.shared.catalog.clone();
            let mut slot = lock(&self.shared.writer);
            let base = match slot.storage.as_mut() {
                Some(storage) => storage.commit_base(builder, &catalog)?,
                None => in_memory_base(builder, &catalog)?,
            };
            self.shared.publish(Snapshot::over(Arc::new(base), catalog));
            Ok(summary)
        })();
        drop(tx);
        self.end_write(&mut session);
        outcome
    }

    /// Makes `CALL <name>(...)` run `procedure`; replaces one of the same name
    /// (names are matched without regard to case).
    pub fn register_procedure(&self, procedure: Procedure) {
        let mut p = self.shared.procedures.write().unwrap_or_else(|e| e.into_inner());
        Arc::make_mut(&mut p).register(procedure);
    }

    /// The procedures `CALL` can run: the built-ins and the registered ones.
    pub fn procedures(&self) -> Arc<Procedures> {
        self.shared.procedures()
    }

    /// Evaluates a constant expression written as a Cypher literal (`[1, 'a', {k: 2.5}]`,
    /// `date('2025-11-04')`), as `--param` and `:param` take them.
    pub fn eval_literal(&self, text: &str) -> Result<Value> {
        let expr = crate::parser::parse_expression(text).map_err(|e| Error::from_parse(e, text))?;
        let span = expr.span;
        let statement = crate::ast::Query {
            first: crate::ast::SingleQuery {
                clauses: vec![crate::ast::Clause::Return(crate::ast::Return {
                    projection: crate::ast::Projection {
                        distinct: false,
                        star: false,
                        items: vec![crate::ast::ProjectionItem {
                            expr,
                            alias: Some(crate::ast::Ident::new("value", span)),
                            text: text.to_string(),
                        }],
                        order_by: Vec::new(),
                        skip: None,
                        limit: None,
                    },
                    span,
                })],
                span,
            },
            unions: Vec::new(),
        };
        let not_a_value =
            |what: String| Error::new(ErrorKind::SyntaxError, "InvalidParameterUse", Phase::Compile, what);
        let snapshot = self.shared.current();
        let procedures = self.shared.procedures();
        let options = lock(&self.session).plan_options;
        let bound = crate::semantic::check_and_bind(&statement, &procedures).map_err(|e| {
            let mut e = e.into_error(text);
            e.position = None;
            e.source_line = None;
            e
        })?;
        let plan = plan::plan_query(bound, &snapshot, &procedures, options).map_err(|e| {
            let mut e = e.into_error(text);
            e.position = None;
            e.source_line = None;
            e
        })?;
        if plan.writes {
            return Err(not_a_value("a parameter value cannot change the graph".into()));
        }
        let st = StatementContext::new(Params::new(), Interrupt::default(), procedures);
        let mut cursor = exec::read_query(Eval::new(&snapshot, &st), &plan, None).map_err(|e| e.into_error())?;
        let mut row = Vec::new();
        let found = cursor.next(&mut row).map_err(|e| e.into_error())?;
        match (found, row.into_iter().next()) {
            (true, Some(v)) if !matches!(v, Value::Node(_) | Value::Relationship(_) | Value::Path(_)) => Ok(v),
            _ => Err(not_a_value(format!("`{text}` is not a value a parameter can hold"))),
        }
    }

    /// Calls `f` with the graph as this handle sees it: its transaction's
    /// state when that has written, the committed state otherwise.
    fn with_view<R>(&self, f: impl FnOnce(&dyn GraphRead) -> R) -> R {
        let session = lock(&self.session);
        match session.tx.as_ref() {
            Some(tx) => f(tx),
            None => {
                drop(session);
                let s = self.snapshot_now().unwrap_or_else(|_| self.shared.current());
                f(&s)
            }
        }
    }

    /// Labels, relationship types and property keys with their counts.
    pub fn schema(&self) -> Schema {
        self.with_view(|g| {
            let catalog = g.catalog();
            let counted = |names: Vec<(u32, Arc<str>)>, count: &dyn Fn(u32) -> usize| {
                let mut v: Vec<(String, usize)> = names
                    .into_iter()
                    .map(|(id, n)| (n.to_string(), count(id)))
                    .filter(|(_, c)| *c > 0)
                    .collect();
                v.sort();
                v
            };
            let key_counts: HashMap<u32, usize> = g.property_key_counts().into_iter().collect();
            Schema {
                labels: counted(catalog.labels.all(), &|l| g.label_count(l)),
                relationship_types: counted(catalog.types.all(), &|t| g.type_count(t)),
                property_keys: counted(catalog.keys.all(), &|k| key_counts.get(&k).copied().unwrap_or(0)),
            }
        })
    }

    /// Number of nodes and relationships.
    pub fn counts(&self) -> (usize, usize) {
        self.with_view(|g| (g.node_count(), g.relationship_count()))
    }

    /// Plans every pattern naively (first node first, written order): for
    /// differential tests of the planner's choices.
    #[doc(hidden)]
    pub fn set_naive_planning(&self, naive: bool) {
        lock(&self.session).plan_options.naive = naive;
    }
}

/// A base in memory holding what `builder` collected.
fn in_memory_base(builder: crate::store::base::BaseBuilder, catalog: &Catalog) -> Result<crate::store::base::Base> {
    let built = builder.finish(catalog, 0, 0).map_err(Error::io)?;
    crate::store::base::Base::in_memory(built, catalog).map_err(|(_, e)| Error::io(e))
}

/// What a read statement's stream owns: the graph it reads, its plan and its context.
struct StreamOwner {
    snapshot: Snapshot,
    plan: QueryPlan,
    st: StatementContext,
    profile: Option<ProfileStats>,
}

type Rows<'a> = BoxCursor<'a>;

self_cell::self_cell!(
    /// A read statement's cursor, with what it borrows.
    struct StreamCell {
        owner: StreamOwner,
        #[covariant]
        dependent: Rows,
    }
);

enum Inner {
    /// A read statement, computing each row when asked.
    Reading(Box<StreamCell>),
    /// A write statement's rows, made already.
    Made(std::vec::IntoIter<Vec<Value>>),
    Finished,
}

/// The rows of one statement, in order, as [`Database::query`] gives them.
/// Each row has one value per column. A read statement's stream reads the
/// committed state as it was when the statement started, however long it
/// lives and whatever is committed meanwhile.
pub struct QueryStream {
    columns: Vec<String>,
    inner: Inner,
    stats: Stats,
    plan: Option<String>,
    /// The entities a write statement's rows mention, as it left them.
    entities: Entities,
}

impl QueryStream {
    fn done(columns: Vec<String>, plan: Option<String>) -> QueryStream {
        QueryStream {
            columns,
            inner: Inner::Finished,
            stats: Stats::default(),
            plan,
            entities: Entities::default(),
        }
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// What the statement changed (a statement that writes has changed it all
    /// by the time its stream is returned).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The plan, for EXPLAIN; for PROFILE, once every row has been read.
    pub fn plan(&self) -> Option<&str> {
        self.plan.as_deref()
    }

    /// The graph a read statement reads.
    fn graph(&self) -> Option<&dyn GraphRead> {
        match &self.inner {
            Inner::Reading(cell) => Some(&cell.borrow_owner().snapshot),
            _ => self.entities.graph.as_ref().map(|g| g as &dyn GraphRead),
        }
    }

    /// A node's labels and properties as the statement sees it (`None` if
    /// there is no such node).
    pub fn node(&self, id: NodeId) -> Option<NodeSnapshot> {
        match self.entities.nodes.get(&id) {
            Some(n) => Some(n.clone()),
            None => node_snapshot(self.graph()?, id),
        }
    }

    /// A relationship's type, ends and properties as the statement sees it.
    pub fn relationship(&self, id: RelId) -> Option<RelSnapshot> {
        match self.entities.rels.get(&id) {
            Some(r) => Some(r.clone()),
            None => rel_snapshot(self.graph()?, id),
        }
    }

    /// Reads every remaining row into a [`QueryResult`] (with the entities its
    /// rows mention).
    pub fn into_result(mut self) -> Result<QueryResult> {
        let mut rows = Vec::new();
        for row in self.by_ref() {
            rows.push(row?);
        }
        let mut result = QueryResult {
            columns: std::mem::take(&mut self.columns),
            rows,
            stats: self.stats,
            plan: self.plan.take(),
            nodes: HashMap::new(),
            relationships: HashMap::new(),
        };
        let mut wanted = (Vec::new(), Vec::new());
        for row in &result.rows {
            for v in row {
                crate::result::mentioned(v, &mut wanted.0, &mut wanted.1);
            }
        }
        for r in wanted.1 {
            if let std::collections::hash_map::Entry::Vacant(e) = result.relationships.entry(r) {
                if let Some(snap) = self.relationship(r) {
                    wanted.0.push(snap.start);
                    wanted.0.push(snap.end);
                    e.insert(snap);
                }
            }
        }
        for n in wanted.0 {
            if let std::collections::hash_map::Entry::Vacant(e) = result.nodes.entry(n) {
                if let Some(snap) = self.node(n) {
                    e.insert(snap);
                }
            }
        }
        Ok(result)
    }

    fn finish_profile(&mut self) {
        if let Inner::Reading(cell) = &self.inner {
            let owner = cell.borrow_owner();
            if let Some(p) = &owner.profile {
                self.plan = Some(plan::profile(&owner.plan, &exec::profile_figures(&owner.plan, p)));
            }
        }
    }
}

impl Iterator for QueryStream {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        let outcome = match &mut self.inner {
            Inner::Finished => return None,
            Inner::Made(rows) => return rows.next().map(Ok),
            Inner::Reading(cell) => cell.with_dependent_mut(|_, cursor| {
                let mut row = Vec::new();
                cursor.next(&mut row).map(|more| more.then_some(row))
            }),
        };
        match outcome {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.finish_profile();
                // Keep the graph for entity lookups, but never ask the cursor again.
                if let Inner::Reading(cell) = std::mem::replace(&mut self.inner, Inner::Finished) {
                    let owner = cell.into_owner();
                    self.inner = Inner::Made(Vec::new().into_iter());
                    self.entities.graph = Some(owner.snapshot);
                }
                None
            }
            Err(e) => {
                self.inner = Inner::Finished;
                Some(Err(e.into_error()))
            }
        }
    }
}

/// Entity details kept for a stream's rows.
#[derive(Default)]
struct Entities {
    nodes: HashMap<NodeId, NodeSnapshot>,
    rels: HashMap<RelId, RelSnapshot>,
    /// The graph a finished read stream read (so its entities can still be looked up).
    graph: Option<Snapshot>,
}

impl Entities {
    /// Records the labels and properties of every entity `rows` mention.
    fn snapshot(&mut self, g: &dyn GraphRead, rows: &[Vec<Value>]) {
        let (mut nodes, mut rels) = (Vec::new(), Vec::new());
        for row in rows {
            for v in row {
                crate::result::mentioned(v, &mut nodes, &mut rels);
            }
        }
        for r in rels {
            if !self.rels.contains_key(&r) {
                if let Some(snap) = rel_snapshot(g, r) {
                    nodes.push(snap.start);
                    nodes.push(snap.end);
                    self.rels.insert(r, snap);
                }
            }
        }
        for n in nodes {
            if !self.nodes.contains_key(&n) {
                if let Some(snap) = node_snapshot(g, n) {
                    self.nodes.insert(n, snap);
                }
            }
        }
    }
}

/// A node as `g` sees it (or as its transaction last saw it, if it deleted it).
fn node_snapshot(g: &dyn GraphRead, id: NodeId) -> Option<NodeSnapshot> {
    let catalog = g.catalog();
    let (labels, properties) = match g.node_labels(id) {
        Some(labels) => (
            labels,
            g.node_properties(id)
                .into_iter()
                .map(|(k, v)| (catalog.keys.name(k), v.into_owned()))
                .collect(),
        ),
        None => {
            let (labels, props) = g.deleted_node(id)?;
            (
                labels,
                props.into_iter().map(|(k, v)| (catalog.keys.name(k), v)).collect(),
            )
        }
    };
    Some(NodeSnapshot {
        id,
        labels: labels.iter().map(|l| catalog.labels.name(*l).to_string()).collect(),
        properties,
    })
}

fn rel_snapshot(g: &dyn GraphRead, id: RelId) -> Option<RelSnapshot> {
    let catalog = g.catalog();
    let (rel, properties) = match g.relationship(id) {
        Some(rel) => (
            rel,
            g.relationship_properties(id)
                .into_iter()
                .map(|(k, v)| (catalog.keys.name(k), v.into_owned()))
                .collect(),
        ),
        None => {
            let (rel, props) = g.deleted_relationship(id)?;
            (rel, props.into_iter().map(|(k, v)| (catalog.keys.name(k), v)).collect())
        }
    };
    Some(RelSnapshot {
        id,
        rel_type: catalog.types.name(rel.rel_type).to_string(),
        start: rel.start,
        end: rel.end,
        properties,
    })
}

/// What the graph holds, by name, with counts (for `:schema` and completion).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// label -> number of nodes carrying it
    pub labels: Vec<(String, usize)>,
    /// type -> number of relationships of it
    pub relationship_types: Vec<(String, usize)>,
    /// key -> number of nodes and relationships carrying it
    pub property_keys: Vec<(String, usize)>,
}

/// Loads import rows into `tx` and checks its constraints over what they
/// touched since `sp`.
fn load_checked(
    tx: &mut Tx,
    sp: &crate::store::Savepoint,
    load: &mut dyn FnMut(&mut dyn crate::import::Sink) -> Result<crate::import::ImportSummary>,
) -> Result<crate::import::ImportSummary> {
    let summary = load(&mut crate::import::TxSink(tx))?;
    exec::constraints::check_statement(&*tx, sp).map_err(|e| e.into_error())?;
    Ok(summary)
}

/// Commits the batches of `CALL { ... } IN TRANSACTIONS` one by one, each as
/// a transaction of its own, while the statement keeps the right to write.
struct TxBatches<'d> {
    db: &'d Database,
}

impl exec::Batches for TxBatches<'_> {
    fn commit(&mut self, graph: &mut dyn GraphWrite) -> exec::XResult<()> {
        let Some(tx) = graph.as_tx() else {
            return Ok(());
        };
        let fresh = Tx::new(tx.snapshot.clone(), false);
        let done = std::mem::replace(tx, fresh);
        let outcome = self.db.commit_tx(done);
        // Whether it committed or not, go on from what is committed now.
        *tx = Tx::new(self.db.shared.current(), false);
        outcome.map_err(|e| {
            let mut x = exec::ExecError::new(e.kind, e.code, e.message.clone());
            if let Some(h) = &e.hint {
                x = x.with_hint(h.clone());
            }
            x
        })
    }

    fn discard(&mut self, graph: &mut dyn GraphWrite) {
        if let Some(tx) = graph.as_tx() {
            *tx = Tx::new(self.db.shared.current(), false);
        }
    }
}
