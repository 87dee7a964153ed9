//! Files and transactions: opening a database file, explicit transactions,
//! checkpoints and dumps. The executor knows nothing of this: a statement
//! changes a transaction's layer; at commit the store's net changes go to
//! the storage layer, which makes them durable before the commit returns.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use super::{lock, Database, Shared};
use crate::error::{Error, ErrorKind, Phase, Result};
use crate::result::QueryResult;
use crate::storage::{OpenOptions, Storage};
use crate::store::{Catalog, Snapshot};

use super::Params;

fn tx_error(code: &'static str, message: &str) -> Error {
    Error::new(ErrorKind::ArgumentError, code, Phase::Runtime, message)
}

impl Database {
    /// Opens the database file at `path`, creating it if it does not exist.
    /// Only one process can have a file open for writing at a time: another
    /// gets a `DatabaseLocked` error at once (or waits, with
    /// [`OpenOptions::busy_timeout`]); any number may open it read-only
    /// beside it ([`Database::open_read_only`]).
    ///
    /// ```
    /// use quiver::{Database, Params};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("my.qv");
    /// {
    ///     let db = Database::open(&path)?;
    ///     db.execute("CREATE (:Person {name: 'Ada'})", &Params::new())?; // durable when it returns
    /// }
    /// let db = Database::open(&path)?;
    /// let r = db.execute("MATCH (p:Person) RETURN p.name AS name", &Params::new())?;
    /// assert_eq!(r.rows.len(), 1);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with(path, &OpenOptions::default())
    }

    /// Opens a database file for reading, beside a writer in another process
    /// or none. Each statement sees the transactions committed before it
    /// started (a snapshot: never part of one); writes are refused.
    ///
    /// ```
    /// use quiver::{Database, Params};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("my.qv");
    /// let writer = Database::open(&path)?;
    /// let reader = Database::open_read_only(&path)?;
    /// writer.execute("CREATE (:Person {name: 'Ada'})", &Params::new())?;
    /// let r = reader.execute("MATCH (p:Person) RETURN p.name AS name", &Params::new())?;
    /// assert_eq!(r.rows.len(), 1);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with(
            path,
            &OpenOptions {
                read_only: true,
                ..OpenOptions::default()
            },
        )
    }

    /// Opens a database file with options (read-only, no create, a busy
    /// timeout, a file system).
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Database> {
        let catalog = Arc::new(Catalog::default());
        let (storage, snapshot) = Storage::open(path.as_ref(), options, &catalog)?;
        let path = storage.path().to_path_buf();
        Ok(Database::over(Shared::new(
            snapshot,
            Some(storage),
            options.read_only,
            Some(path),
        )))
    }

    /// The database file, if the graph lives in one.
    pub fn path(&self) -> Option<&Path> {
        self.shared.path.as_deref()
    }

    /// Whether the database was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.shared.read_only
    }

    /// Messages worth showing the user (a torn log tail cut on open, a
    /// failed automatic checkpoint); each is returned once.
    pub fn take_warnings(&self) -> Vec<String> {
        lock(&self.shared.writer)
            .storage
            .as_mut()
            .map(|s| s.take_warnings())
            .unwrap_or_default()
    }

    /// Starts an explicit transaction on this handle: statements until
    /// [`Database::commit`] or [`Database::rollback`] take effect together or
    /// not at all. A failing statement inside it is undone alone; the
    /// transaction stays open. Its reads see the committed state as each
    /// statement starts, and its own writes; its first write waits for the
    /// write transaction of any other handle to end.
    pub fn begin(&self) -> Result<()> {
        let mut session = lock(&self.session);
        if session.explicit {
            return Err(tx_error(
                "TransactionAlreadyOpen",
                "a transaction is already open: commit or roll it back first",
            ));
        }
        session.explicit = true;
        Ok(())
    }

    /// Commits the open transaction; with a file, it is durable when this
    /// returns. If it cannot be written, it is rolled back and the error says why.
    pub fn commit(&self) -> Result<()> {
        let mut session = lock(&self.session);
        if !session.explicit {
            return Err(tx_error("NoOpenTransaction", "there is no open transaction to commit"));
        }
        session.explicit = false;
        self.commit_session(&mut session)
    }

    /// Rolls the open transaction back: the graph is exactly as before it, ids included.
    pub fn rollback(&self) -> Result<()> {
        let mut session = lock(&self.session);
        if !session.explicit {
            return Err(tx_error(
                "NoOpenTransaction",
                "there is no open transaction to roll back",
            ));
        }
        session.explicit = false;
        self.end_write(&mut session);
        Ok(())
    }

    /// Whether an explicit transaction is open on this handle.
    pub fn in_transaction(&self) -> bool {
        lock(&self.session).explicit
    }

    /// Starts a transaction that rolls back when dropped uncommitted.
    ///
    /// ```
    /// use quiver::{Database, Params};
    /// let db = Database::in_memory();
    /// {
    ///     let mut tx = db.transaction()?;
    ///     tx.execute("CREATE (:A)", &Params::new())?;
    ///     // dropped without commit: rolled back
    /// }
    /// assert_eq!(db.counts(), (0, 0));
    /// let mut tx = db.transaction()?;
    /// tx.execute("CREATE (:A)", &Params::new())?;
    /// tx.commit()?;
    /// assert_eq!(db.counts(), (1, 0));
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn transaction(&self) -> Result<Transaction<'_>> {
        self.begin()?;
        Ok(Transaction { db: self, done: false })
    }

    /// Folds the log into a new base now (no-op in memory or read-only).
    pub fn checkpoint(&self) -> Result<()> {
        if self.in_transaction() {
            return Err(tx_error(
                "TransactionOpen",
                "cannot checkpoint inside a transaction: commit or roll it back first",
            ));
        }
        if self.shared.read_only {
            return Ok(());
        }
        let mut session = lock(&self.session);
        self.begin_write(&mut session)?;
        let outcome = self.shared.checkpoint_now();
        self.end_write(&mut session);
        outcome
    }

    /// Closes this handle: rolls back its open transaction; the last handle
    /// on a file also checkpoints and releases the file lock. Dropping the
    /// database does the same but cannot report an error.
    pub fn close(self) -> Result<()> {
        self.end_session();
        match Arc::try_unwrap(self.take_shared()) {
            Ok(shared) => shared.shut(),
            Err(_) => Ok(()),
        }
    }

    /// [`Database::close`] for a process about to exit: the graph's memory
    /// goes back to the system with the process, not freed piece by piece.
    #[doc(hidden)]
    pub fn close_for_exit(self) -> Result<()> {
        self.end_session();
        let shared = self.take_shared();
        let r = shared.shut();
        std::mem::forget(shared);
        r
    }

    /// Lets go of the file as a killed process would: no rollback on disk to
    /// do, no checkpoint, the lock released (for tests of recovery).
    #[doc(hidden)]
    pub fn abandon(self) {
        let storage = lock(&self.shared.writer).storage.take();
        drop(storage);
    }

    /// Writes the whole graph as a Cypher script that rebuilds it (see
    /// [`crate::storage::dump`]).
    pub fn dump(&self, out: &mut dyn Write) -> std::io::Result<()> {
        self.with_view(|g| crate::storage::dump::write(g, out))
    }

    /// Writes the whole graph as the CSV files `neo4j-admin database import
    /// full` loads, with its command in `import.sh`, into the directory `dir`
    /// (see [`crate::storage::dump_admin`]).
    pub fn dump_neo4j_admin(
        &self,
        dir: &std::path::Path,
    ) -> std::result::Result<crate::storage::dump_admin::AdminDump, crate::storage::dump_admin::AdminDumpError> {
        self.with_view(|g| crate::storage::dump_admin::write(g, dir))
    }

    /// Ends this handle's transaction, if one is open.
    fn end_session(&self) {
        let mut session = lock(&self.session);
        session.explicit = false;
        self.end_write(&mut session);
    }

    /// The shared state, leaving this handle an empty one to drop.
    fn take_shared(mut self) -> Arc<Shared> {
        let empty = Arc::new(Shared::new(
            Snapshot::empty(Arc::new(Catalog::default())),
            None,
            false,
            None,
        ));
        std::mem::replace(&mut self.shared, empty)
    }
}

impl Shared {
    /// Checkpoints now, the caller holding the write lock.
    fn checkpoint_now(&self) -> Result<()> {
        let mut slot = lock(&self.writer);
        let Some(storage) = slot.storage.as_mut() else {
            return Ok(());
        };
        let current = self.current();
        let base = storage.checkpoint(&current, &self.catalog)?;
        self.publish(Snapshot::over(Arc::new(base), self.catalog.clone()));
        Ok(())
    }

    /// Checkpoints (when the log holds anything, or the file is of the first
    /// format) and lets go of the file.
    pub(super) fn shut(&self) -> Result<()> {
        let mut slot = lock(&self.writer);
        let Some(mut storage) = slot.storage.take() else {
            return Ok(());
        };
        if storage.read_only() || storage.poisoned().is_some() || (storage.wal_bytes() == 0 && !storage.legacy()) {
            return Ok(());
        }
        let current = self.current();
        storage.checkpoint(&current, &self.catalog).map(|_| ())
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        self.end_session();
    }
}

/// An explicit transaction on a [`Database`]: commit it, roll it back, or
/// drop it (which rolls back).
pub struct Transaction<'a> {
    db: &'a Database,
    done: bool,
}

impl Transaction<'_> {
    /// Runs a statement inside the transaction.
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.db.execute(query, params)
    }

    pub fn commit(mut self) -> Result<()> {
        self.done = true;
        self.db.commit()
    }

    pub fn rollback(mut self) -> Result<()> {
        self.done = true;
        self.db.rollback()
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if !self.done {
            let _ = self.db.rollback();
        }
    }
}
