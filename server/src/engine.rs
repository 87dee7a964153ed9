//! The real backend: quiver's concurrent [`Database`] handle behind the
//! Bolt server (and the HTTP Query API, which uses the same sessions).
//!
//! Each connection gets a handle of its own ([`Database::session`]), so it
//! has its own transaction: reads from different connections run in
//! parallel, each on the committed state as it was when it started; one
//! write transaction runs at a time, and a write that cannot get the write
//! lock within the database's lock timeout fails with a transient
//! `LockAcquisitionTimeout`, which the drivers' managed transactions retry.
//!
//! Results stream: a read statement's rows are computed as the client pulls
//! them, so a large result is never held whole by the server. An auto-commit
//! statement runs in a transaction of its own that commits when its stream
//! is finished (and rolls back when it is dropped unfinished: `RESET`, a
//! failure, the connection closing).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use quiver::{Database, NodeId, NodeSnapshot, QueryStream, RelId, RelSnapshot, Value};

use crate::backend::{
    codes, AccessMode, AuthError, AuthToken, Backend, BackendError, EntityLookup, Params, QueryType, ResultStream,
    Session, Summary, TxContext, TxOptions,
};

/// Who may connect, and what the served graph is called.
#[derive(Clone, Debug, Default)]
pub struct EngineConfig {
    /// (user, password) pairs; empty: no authentication (any credentials are accepted).
    pub users: Vec<(String, String)>,
    /// The names the graph answers to; the first is the home database
    /// (none given: `neo4j`). Compared without regard to ASCII case.
    pub names: Vec<String>,
    /// Refuse every statement whose plan writes.
    pub read_only: bool,
}

struct Inner {
    db: Database,
    config: EngineConfig,
    /// Every session handle handed out (to roll them back at shutdown).
    handles: Mutex<Vec<Weak<Database>>>,
    commits: AtomicU64,
    closing: AtomicBool,
}

/// The backend over one [`Database`]; cheap to clone (shared).
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

/// Compares two byte strings in time that depends only on their lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len().max(b.len());
    let mut diff = (a.len() != b.len()) as u8;
    for i in 0..n {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

fn unavailable(what: &str) -> BackendError {
    BackendError::Status {
        code: codes::DATABASE_UNAVAILABLE,
        message: what.to_string(),
    }
}

impl Engine {
    pub fn new(db: Database, mut config: EngineConfig) -> Engine {
        if config.names.is_empty() {
            config.names.push("neo4j".into());
        }
        if config.read_only {
            db.deny_writes(true);
        }
        Engine {
            inner: Arc::new(Inner {
                db,
                config,
                handles: Mutex::new(Vec::new()),
                commits: AtomicU64::new(0),
                closing: AtomicBool::new(false),
            }),
        }
    }

    /// The handle the engine was made with (for set-up, checks and shutdown).
    pub fn database(&self) -> &Database {
        &self.inner.db
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The home database's name.
    pub fn home(&self) -> &str {
        &self.inner.config.names[0]
    }

    /// Whether a user and password are known (checked in constant time;
    /// every known user is compared, so the time does not tell which exist).
    /// Without users configured, anyone is let in.
    pub fn check_password(&self, user: &str, password: &str) -> bool {
        let users = &self.inner.config.users;
        if users.is_empty() {
            return true;
        }
        let mut ok = false;
        for (u, p) in users {
            let user_ok = constant_time_eq(u.as_bytes(), user.as_bytes());
            let pass_ok = constant_time_eq(p.as_bytes(), password.as_bytes());
            ok |= user_ok & pass_ok;
        }
        ok
    }

    /// Whether authentication is required.
    pub fn auth_required(&self) -> bool {
        !self.inner.config.users.is_empty()
    }

    /// A session of the engine's own (the HTTP API's transactions use these).
    pub fn session(&self) -> Result<EngineSession, BackendError> {
        if self.inner.closing.load(Ordering::SeqCst) {
            return Err(unavailable("the server is shutting down"));
        }
        let db = Arc::new(self.inner.db.session());
        if self.inner.config.read_only {
            db.deny_writes(true);
        }
        let mut handles = self.inner.handles.lock().unwrap_or_else(|e| e.into_inner());
        handles.retain(|h| h.strong_count() > 0);
        handles.push(Arc::downgrade(&db));
        drop(handles);
        Ok(EngineSession {
            inner: self.inner.clone(),
            db,
            read_mode: false,
        })
    }

    /// Refuses new sessions and statements, and rolls back every open
    /// transaction; returns how many were rolled back. Then checkpoint the
    /// database (with [`Database::checkpoint`]) and exit.
    pub fn shutdown(&self) -> usize {
        self.inner.closing.store(true, Ordering::SeqCst);
        let handles: Vec<Arc<Database>> = {
            let handles = self.inner.handles.lock().unwrap_or_else(|e| e.into_inner());
            handles.iter().filter_map(Weak::upgrade).collect()
        };
        let mut rolled_back = 0;
        for h in handles {
            if h.in_transaction() && h.rollback().is_ok() {
                rolled_back += 1;
            }
        }
        rolled_back
    }

    /// Whether [`Engine::shutdown`] has begun.
    pub fn is_closing(&self) -> bool {
        self.inner.closing.load(Ordering::SeqCst)
    }

    /// The name `requested` resolves to, if it names the served graph.
    pub fn resolve(&self, requested: Option<&str>) -> Result<String, BackendError> {
        let names = &self.inner.config.names;
        match requested {
            None | Some("") => Ok(names[0].clone()),
            Some(r) if names.iter().any(|n| n.eq_ignore_ascii_case(r)) => Ok(names[0].clone()),
            Some(other) => Err(BackendError::DatabaseNotFound(other.to_string())),
        }
    }
}

impl Inner {
    fn bookmark(&self) -> String {
        format!("quiver:tx:{}", self.commits.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn check_open(&self) -> Result<(), BackendError> {
        if self.closing.load(Ordering::SeqCst) {
            return Err(unavailable("the server is shutting down"));
        }
        Ok(())
    }
}

impl Backend for Engine {
    type Session = EngineSession;

    fn authenticate(&self, token: &AuthToken) -> Result<String, AuthError> {
        let refused = || AuthError("The client is unauthorized due to authentication failure.".into());
        if !self.auth_required() {
            return Ok(token.principal.clone().unwrap_or_else(|| "anonymous".into()));
        }
        if token.scheme != "basic" {
            return Err(refused());
        }
        let user = token.principal.as_deref().unwrap_or("");
        let password = token.credentials.as_deref().unwrap_or("");
        if self.check_password(user, password) {
            Ok(user.to_string())
        } else {
            Err(refused())
        }
    }

    fn open_session(&self, _user: &str) -> Result<EngineSession, BackendError> {
        self.session()
    }

    fn resolve_database(&self, requested: Option<&str>) -> Result<String, BackendError> {
        self.resolve(requested)
    }
}

/// One connection's (or HTTP transaction's) handle on the graph.
pub struct EngineSession {
    inner: Arc<Inner>,
    db: Arc<Database>,
    /// The open transaction runs in read access mode.
    read_mode: bool,
}

fn refuse_impersonation(options: &TxOptions) -> Result<(), BackendError> {
    match &options.imp_user {
        Some(_) => Err(BackendError::Unsupported(
            "impersonation (imp_user) is not supported".into(),
        )),
        None => Ok(()),
    }
}

impl EngineSession {
    /// The handle (for tests and tools).
    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Enters read access mode for a transaction (writes refused).
    fn enter_mode(&mut self, mode: AccessMode) {
        self.read_mode = mode == AccessMode::Read;
        if self.read_mode && !self.inner.config.read_only {
            self.db.deny_writes(true);
        }
    }

    fn leave_mode(&mut self) {
        if self.read_mode && !self.inner.config.read_only {
            self.db.deny_writes(false);
        }
        self.read_mode = false;
    }

    /// The engine's error, with the code the client should see.
    fn error(&self, e: quiver::Error) -> BackendError {
        if e.code == "ReadOnly" && self.read_mode && !self.inner.config.read_only {
            return BackendError::Status {
                code: "Neo.ClientError.Statement.AccessMode",
                message: "Writing in read access mode not allowed: the statement would change the graph, so it was not run (run it in a write transaction)".into(),
            };
        }
        if e.code == "ReadOnly" && self.inner.config.read_only {
            return BackendError::Status {
                code: codes::READ_ONLY_DATABASE,
                message: format!("the server is read-only (--read-only): {}", e.message),
            };
        }
        e.into()
    }

    fn stream(&self, stream: QueryStream, query: &str, auto: bool) -> EngineStream {
        let fields = stream.columns().to_vec();
        EngineStream {
            stream,
            fields,
            nodes: HashMap::new(),
            rels: HashMap::new(),
            auto: auto.then(|| (self.db.clone(), self.inner.clone(), self.read_mode)),
            profile: query
                .trim_start()
                .get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case("PROFILE")),
            finished: false,
        }
    }

    /// Runs one statement in a transaction of its own, every row read (for
    /// the HTTP API and tools); the stream's finish commits it.
    pub fn run_auto(&mut self, query: &str, params: Params, options: &TxOptions) -> Result<EngineStream, BackendError> {
        self.run(query, params, TxContext::AutoCommit(options))
    }
}

impl Session for EngineSession {
    type Stream = EngineStream;

    fn run(&mut self, query: &str, params: Params, tx: TxContext<'_>) -> Result<EngineStream, BackendError> {
        self.inner.check_open()?;
        match tx {
            TxContext::Explicit => {
                let stream = self.db.query(query, &params).map_err(|e| self.error(e))?;
                Ok(self.stream(stream, query, false))
            }
            TxContext::AutoCommit(options) => {
                refuse_impersonation(options)?;
                self.db.begin()?;
                self.enter_mode(options.mode);
                match self.db.query(query, &params) {
                    Ok(stream) => {
                        let s = self.stream(stream, query, true);
                        // The stream ends the transaction (and the access mode).
                        self.read_mode = false;
                        Ok(s)
                    }
                    Err(e) => {
                        let e = self.error(e);
                        let _ = self.db.rollback();
                        self.leave_mode();
                        Err(e)
                    }
                }
            }
        }
    }

    fn begin(&mut self, options: &TxOptions) -> Result<(), BackendError> {
        self.inner.check_open()?;
        refuse_impersonation(options)?;
        self.db.begin()?;
        self.enter_mode(options.mode);
        Ok(())
    }

    fn commit(&mut self) -> Result<Option<String>, BackendError> {
        let outcome = self.db.commit();
        self.leave_mode();
        outcome?;
        Ok(Some(self.inner.bookmark()))
    }

    fn rollback(&mut self) -> Result<(), BackendError> {
        if self.db.in_transaction() {
            self.db.rollback()?;
        }
        self.leave_mode();
        Ok(())
    }
}

impl Drop for EngineSession {
    fn drop(&mut self) {
        let _ = self.rollback();
    }
}

/// One statement's rows, pulled lazily from the engine's stream.
pub struct EngineStream {
    stream: QueryStream,
    fields: Vec<String>,
    /// The entities the current row mentions.
    nodes: HashMap<NodeId, NodeSnapshot>,
    rels: HashMap<RelId, RelSnapshot>,
    /// For an auto-commit statement: the handle whose transaction it ends,
    /// and whether that transaction ran in read access mode.
    auto: Option<(Arc<Database>, Arc<Inner>, bool)>,
    profile: bool,
    finished: bool,
}

impl EngineStream {
    /// Looks up (and keeps, until the next row) what `row` mentions.
    fn remember(&mut self, row: &[Value]) {
        self.nodes.clear();
        self.rels.clear();
        let (mut nodes, mut rels) = (Vec::new(), Vec::new());
        for v in row {
            quiver::result::mentioned(v, &mut nodes, &mut rels);
        }
        for r in rels {
            if let std::collections::hash_map::Entry::Vacant(e) = self.rels.entry(r) {
                if let Some(snap) = self.stream.relationship(r) {
                    nodes.push(snap.start);
                    nodes.push(snap.end);
                    e.insert(snap);
                }
            }
        }
        for n in nodes {
            if let std::collections::hash_map::Entry::Vacant(e) = self.nodes.entry(n) {
                if let Some(snap) = self.stream.node(n) {
                    e.insert(snap);
                }
            }
        }
    }

    fn end_auto(&mut self, commit: bool) -> Result<Option<String>, BackendError> {
        let Some((db, inner, read_mode)) = self.auto.take() else {
            return Ok(None);
        };
        let outcome = if commit { db.commit() } else { db.rollback() };
        if read_mode && !inner.config.read_only {
            db.deny_writes(false);
        }
        outcome?;
        Ok(commit.then(|| inner.bookmark()))
    }
}

impl EntityLookup for EngineStream {
    fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        self.nodes.get(&id)
    }
    fn relationship(&self, id: RelId) -> Option<&RelSnapshot> {
        self.rels.get(&id)
    }
}

impl ResultStream for EngineStream {
    fn fields(&self) -> &[String] {
        &self.fields
    }

    fn next_row(&mut self) -> Result<Option<Vec<Value>>, BackendError> {
        if self.finished {
            return Ok(None);
        }
        match self.stream.next() {
            Some(Ok(row)) => {
                self.remember(&row);
                Ok(Some(row))
            }
            Some(Err(e)) => Err(e.into()),
            None => {
                self.finished = true;
                Ok(None)
            }
        }
    }

    fn finish(&mut self) -> Result<Summary, BackendError> {
        let stats = *self.stream.stats();
        let plan = self.stream.plan().map(str::to_string);
        let bookmark = self.end_auto(true)?;
        Ok(Summary {
            stats,
            query_type: QueryType::from_effects(&stats, !self.fields.is_empty()),
            bookmark,
            plan: if self.profile { None } else { plan.clone() },
            profile: if self.profile { plan } else { None },
        })
    }
}

impl Drop for EngineStream {
    fn drop(&mut self) {
        let _ = self.end_auto(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(users: &[(&str, &str)]) -> Engine {
        Engine::new(
            Database::in_memory(),
            EngineConfig {
                users: users.iter().map(|(u, p)| (u.to_string(), p.to_string())).collect(),
                names: vec!["neo4j".into(), "events".into()],
                read_only: false,
            },
        )
    }

    fn basic(user: &str, password: &str) -> AuthToken {
        AuthToken {
            scheme: "basic".into(),
            principal: Some(user.into()),
            credentials: Some(password.into()),
            ..AuthToken::default()
        }
    }

    fn rows(s: &mut EngineStream) -> Vec<Vec<Value>> {
        let mut out = Vec::new();
        while let Some(r) = s.next_row().unwrap() {
            out.push(r);
        }
        out
    }

    #[test]
    fn constant_time_comparison_is_equality() {
        for (a, b) in [("", ""), ("a", "a"), ("secret", "secret")] {
            assert!(constant_time_eq(a.as_bytes(), b.as_bytes()));
        }
        for (a, b) in [
            ("", "a"),
            ("a", ""),
            ("secret", "secreT"),
            ("secret", "secret1"),
            ("a\u{ff}", "a"),
        ] {
            assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    #[test]
    fn authentication() {
        let e = engine(&[("neo4j", "pw"), ("reader", "r")]);
        assert_eq!(e.authenticate(&basic("neo4j", "pw")).unwrap(), "neo4j");
        assert_eq!(e.authenticate(&basic("reader", "r")).unwrap(), "reader");
        assert!(e.authenticate(&basic("neo4j", "r")).is_err());
        assert!(e.authenticate(&basic("nobody", "pw")).is_err());
        assert!(e.authenticate(&AuthToken::default()).is_err());
        let open = engine(&[]);
        assert!(open.authenticate(&AuthToken::default()).is_ok());
    }

    #[test]
    fn database_names() {
        let e = engine(&[]);
        assert_eq!(e.resolve(None).unwrap(), "neo4j");
        assert_eq!(e.resolve(Some("EVENTS")).unwrap(), "neo4j");
        assert!(matches!(
            e.resolve(Some("other")),
            Err(BackendError::DatabaseNotFound(_))
        ));
    }

    #[test]
    fn auto_commit_commits_on_finish_and_rolls_back_when_dropped() {
        let e = engine(&[]);
        let mut s = e.session().unwrap();
        let opts = TxOptions::default();
        let mut st = s
            .run("CREATE (n:A) RETURN n", Params::new(), TxContext::AutoCommit(&opts))
            .unwrap();
        let r = rows(&mut st);
        assert_eq!(r.len(), 1);
        let Value::Node(id) = r[0][0] else { panic!() };
        assert_eq!(st.node(id).unwrap().labels, vec!["A".to_string()]);
        let summary = st.finish().unwrap();
        assert_eq!(summary.stats.nodes_created, 1);
        assert!(summary.bookmark.is_some());
        drop(st);
        assert_eq!(e.database().counts(), (1, 0));
        // Dropped before it is finished (RESET): rolled back.
        let st = s
            .run("CREATE (:B)", Params::new(), TxContext::AutoCommit(&opts))
            .unwrap();
        drop(st);
        assert_eq!(e.database().counts(), (1, 0));
        // And the session goes on.
        let mut st = s
            .run(
                "MATCH (n) RETURN count(n) AS c",
                Params::new(),
                TxContext::AutoCommit(&opts),
            )
            .unwrap();
        assert_eq!(rows(&mut st), vec![vec![Value::Int(1)]]);
        st.finish().unwrap();
    }

    #[test]
    fn read_access_mode_refuses_writes_and_ends_with_its_transaction() {
        let e = engine(&[]);
        let mut s = e.session().unwrap();
        let read = TxOptions {
            mode: AccessMode::Read,
            ..TxOptions::default()
        };
        let err = s
            .run("CREATE (:A)", Params::new(), TxContext::AutoCommit(&read))
            .err()
            .unwrap();
        assert_eq!(crate::neo4j_code(&err), "Neo.ClientError.Statement.AccessMode");
        s.begin(&read).unwrap();
        assert!(s.run("CREATE (:A)", Params::new(), TxContext::Explicit).is_err());
        s.commit().unwrap();
        let mut st = s
            .run(
                "CREATE (:A)",
                Params::new(),
                TxContext::AutoCommit(&TxOptions::default()),
            )
            .unwrap();
        st.finish().unwrap();
        assert_eq!(e.database().counts(), (1, 0));
    }

    #[test]
    fn shutdown_rolls_back_open_transactions_and_refuses_more() {
        let e = engine(&[]);
        let mut s = e.session().unwrap();
        s.begin(&TxOptions::default()).unwrap();
        let mut st = s.run("CREATE (:A)", Params::new(), TxContext::Explicit).unwrap();
        st.finish().unwrap();
        assert_eq!(e.shutdown(), 1);
        assert_eq!(e.database().counts(), (0, 0));
        assert!(s.commit().is_err());
        assert!(e.session().is_err());
        assert!(s.run("RETURN 1", Params::new(), TxContext::Explicit).is_err());
    }

    #[test]
    fn read_only_engine_refuses_writes() {
        let db = Database::in_memory();
        db.execute("CREATE (:A)", &quiver::Params::new()).unwrap();
        let e = Engine::new(
            db,
            EngineConfig {
                read_only: true,
                ..EngineConfig::default()
            },
        );
        let mut s = e.session().unwrap();
        let err = s
            .run(
                "CREATE (:B)",
                Params::new(),
                TxContext::AutoCommit(&TxOptions::default()),
            )
            .err()
            .unwrap();
        assert_eq!(crate::neo4j_code(&err), codes::READ_ONLY_DATABASE);
        let mut st = s
            .run(
                "MATCH (n) RETURN count(n) AS c",
                Params::new(),
                TxContext::AutoCommit(&TxOptions::default()),
            )
            .unwrap();
        assert_eq!(rows(&mut st), vec![vec![Value::Int(1)]]);
    }
}
