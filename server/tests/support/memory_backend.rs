//! A test backend over `quiver::Database::in_memory()`: good enough to prove
//! the protocol, not the engine's concurrent handle.
//!
//! One database behind a mutex, and a writer token: a session holds it for
//! its explicit transaction (from BEGIN to COMMIT/ROLLBACK) or for one
//! auto-commit statement; another session that cannot get it within
//! `lock_timeout` fails with a transient `LockTimeout`, which the drivers'
//! managed transactions retry. Results are materialised by `execute` and
//! handed out row by row. Credentials: `basic` with a known user and password.
//!
//! Shared by the crate's unit tests, `tests/drivers.rs` and the fuzz target.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use quiver::{Database, NodeId, NodeSnapshot, QueryResult, RelId, RelSnapshot, Value};
use quiver_server::{
    AuthError, AuthToken, Backend, BackendError, EntityLookup, Params, QueryType, ResultStream, Session, Summary,
    TxContext, TxOptions,
};

/// The database's name (the default one).
pub const DB_NAME: &str = "quiver";

struct Shared {
    db: Mutex<Database>,
    /// The session holding the writer token.
    holder: Mutex<Option<u64>>,
    released: Condvar,
    lock_timeout: Duration,
    /// (user, password) pairs.
    users: Vec<(String, String)>,
    next_session: AtomicU64,
    commits: AtomicU64,
}

#[derive(Clone)]
pub struct MemoryBackend {
    shared: Arc<Shared>,
}

impl MemoryBackend {
    pub fn new(user: &str, password: &str, lock_timeout: Duration) -> MemoryBackend {
        MemoryBackend {
            shared: Arc::new(Shared {
                db: Mutex::new(Database::in_memory()),
                holder: Mutex::new(None),
                released: Condvar::new(),
                lock_timeout,
                users: vec![(user.into(), password.into())],
                next_session: AtomicU64::new(1),
                commits: AtomicU64::new(0),
            }),
        }
    }

    /// Adds a user (before the backend is shared).
    pub fn with_user(mut self, user: &str, password: &str) -> MemoryBackend {
        Arc::get_mut(&mut self.shared)
            .expect("not shared yet")
            .users
            .push((user.into(), password.into()));
        self
    }

    /// Runs a statement directly (test set-up and checks).
    pub fn execute(&self, query: &str) -> QueryResult {
        self.shared
            .db
            .lock()
            .unwrap()
            .execute(query, &quiver::Params::new())
            .expect("the set-up statement runs")
    }
}

impl Shared {
    fn acquire(&self, session: u64) -> Result<(), BackendError> {
        let deadline = Instant::now() + self.lock_timeout;
        let mut holder = self.holder.lock().unwrap();
        loop {
            match *holder {
                None => {
                    *holder = Some(session);
                    return Ok(());
                }
                Some(h) if h == session => return Ok(()),
                Some(_) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(BackendError::LockTimeout(format!(
                            "could not get the writer lock within {} ms: another transaction holds it",
                            self.lock_timeout.as_millis()
                        )));
                    }
                    holder = self.released.wait_timeout(holder, deadline - now).unwrap().0;
                }
            }
        }
    }

    fn release(&self, session: u64) {
        let mut holder = self.holder.lock().unwrap();
        if *holder == Some(session) {
            *holder = None;
            self.released.notify_all();
        }
    }

    fn bookmark(&self) -> String {
        format!("quiver:tx:{}", self.commits.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

impl Backend for MemoryBackend {
    type Session = MemorySession;

    fn authenticate(&self, token: &AuthToken) -> Result<String, AuthError> {
        let known = self.shared.users.iter().find(|(u, p)| {
            token.principal.as_deref() == Some(u.as_str()) && token.credentials.as_deref() == Some(p.as_str())
        });
        match known {
            Some((user, _)) if token.scheme == "basic" => Ok(user.clone()),
            _ => Err(AuthError(
                "The client is unauthorized due to authentication failure.".into(),
            )),
        }
    }

    fn open_session(&self, _user: &str) -> Result<MemorySession, BackendError> {
        Ok(MemorySession {
            shared: self.shared.clone(),
            id: self.shared.next_session.fetch_add(1, Ordering::SeqCst),
            in_tx: false,
        })
    }

    fn resolve_database(&self, requested: Option<&str>) -> Result<String, BackendError> {
        match requested {
            None | Some("") | Some(DB_NAME) => Ok(DB_NAME.to_string()),
            Some(other) => Err(BackendError::DatabaseNotFound(other.to_string())),
        }
    }
}

pub struct MemorySession {
    shared: Arc<Shared>,
    id: u64,
    in_tx: bool,
}

impl MemorySession {
    fn execute(&self, query: &str, params: &Params) -> Result<QueryResult, BackendError> {
        Ok(self.shared.db.lock().unwrap().execute(query, params)?)
    }
}

fn refuse_impersonation(options: &TxOptions) -> Result<(), BackendError> {
    match &options.imp_user {
        Some(_) => Err(BackendError::Unsupported(
            "impersonation (imp_user) is not supported".into(),
        )),
        None => Ok(()),
    }
}

impl Session for MemorySession {
    type Stream = MemoryStream;

    fn run(&mut self, query: &str, params: Params, tx: TxContext<'_>) -> Result<MemoryStream, BackendError> {
        if let TxContext::AutoCommit(options) = tx {
            refuse_impersonation(options)?;
        }
        let profile = query.trim_start().to_ascii_uppercase().starts_with("PROFILE");
        let (result, bookmark) = match tx {
            TxContext::Explicit => (self.execute(query, &params)?, None),
            TxContext::AutoCommit(_) => {
                self.shared.acquire(self.id)?;
                let r = self.execute(query, &params);
                self.shared.release(self.id);
                (r?, Some(self.shared.bookmark()))
            }
        };
        Ok(MemoryStream::new(result, bookmark, profile))
    }

    fn begin(&mut self, options: &TxOptions) -> Result<(), BackendError> {
        refuse_impersonation(options)?;
        self.shared.acquire(self.id)?;
        if let Err(e) = self.shared.db.lock().unwrap().begin() {
            self.shared.release(self.id);
            return Err(e.into());
        }
        self.in_tx = true;
        Ok(())
    }

    fn commit(&mut self) -> Result<Option<String>, BackendError> {
        self.in_tx = false;
        let r = self.shared.db.lock().unwrap().commit();
        self.shared.release(self.id);
        r?;
        Ok(Some(self.shared.bookmark()))
    }

    fn rollback(&mut self) -> Result<(), BackendError> {
        if !self.in_tx {
            return Ok(());
        }
        self.in_tx = false;
        let r = self.shared.db.lock().unwrap().rollback();
        self.shared.release(self.id);
        Ok(r?)
    }
}

impl Drop for MemorySession {
    fn drop(&mut self) {
        let _ = self.rollback();
    }
}

pub struct MemoryStream {
    fields: Vec<String>,
    rows: std::vec::IntoIter<Vec<Value>>,
    result: QueryResult,
    summary: Summary,
}

impl MemoryStream {
    fn new(mut result: QueryResult, bookmark: Option<String>, profile: bool) -> MemoryStream {
        let rows = std::mem::take(&mut result.rows);
        let plan = result.plan.take();
        let summary = Summary {
            stats: result.stats,
            query_type: QueryType::from_effects(&result.stats, !result.columns.is_empty()),
            bookmark,
            plan: if profile { None } else { plan.clone() },
            profile: if profile { plan } else { None },
        };
        MemoryStream {
            fields: result.columns.clone(),
            rows: rows.into_iter(),
            result,
            summary,
        }
    }
}

impl EntityLookup for MemoryStream {
    fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        self.result.node(id)
    }
    fn relationship(&self, id: RelId) -> Option<&RelSnapshot> {
        self.result.relationship(id)
    }
}

impl ResultStream for MemoryStream {
    fn fields(&self) -> &[String] {
        &self.fields
    }

    fn next_row(&mut self) -> Result<Option<Vec<Value>>, BackendError> {
        Ok(self.rows.next())
    }

    fn finish(&mut self) -> Result<Summary, BackendError> {
        Ok(self.summary.clone())
    }
}
