//! Files and transactions: opening a database file, explicit transactions,
//! checkpoints and dumps. The executor knows nothing of this: a statement
//! changes the in-memory graph; at commit the store's net changes go to the
//! storage layer, which makes them durable before the commit returns.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

use std::io::Write;
use std::path::Path;

use super::Database;
use crate::error::{Error, ErrorKind, Phase, Result};
use crate::result::QueryResult;
use crate::storage::{OpenOptions, Storage};
use crate::store::Mark;

use super::Params;

fn tx_error(code: &'static str, message: &str) -> Error {
    Error::new(ErrorKind::ArgumentError, code, Phase::Runtime, message)
}

impl Database {
    /// Opens the database file at `path`, creating it if it does not exist.
    /// Only one process can have a file open for writing at a time: another
    /// gets a `DatabaseLocked` error at once.
    ///
    /// ```
    /// use quiver::{Database, Params};
    /// let dir = tempfile::tempdir().unwrap();
    /// let path = dir.path().join("my.qv");
    /// {
    ///     let mut db = Database::open(&path)?;
    ///     db.execute("CREATE (:Person {name: 'Ada'})", &Params::new())?; // durable when it returns
    /// }
    /// let mut db = Database::open(&path)?;
    /// let r = db.execute("MATCH (p:Person) RETURN p.name AS name", &Params::new())?;
    /// assert_eq!(r.rows.len(), 1);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with(path, &OpenOptions::default())
    }

    /// Opens a database file with options (read-only, no create, a file system).
    pub fn open_with(path: impl AsRef<Path>, options: &OpenOptions) -> Result<Database> {
        let (storage, graph) = Storage::open(path.as_ref(), options)?;
        let mut db = Database::in_memory();
        db.graph = std::sync::Arc::new(graph);
        db.storage = Some(storage);
        Ok(db)
    }

    /// The database file, if the graph lives in one.
    pub fn path(&self) -> Option<&Path> {
        self.storage.as_ref().map(|s| s.path())
    }

    /// Whether the database was opened read-only.
    pub fn is_read_only(&self) -> bool {
        self.storage.as_ref().is_some_and(|s| s.read_only())
    }

    /// Messages worth showing the user (a torn log tail cut on open, a
    /// failed automatic checkpoint); each is returned once.
    pub fn take_warnings(&mut self) -> Vec<String> {
        self.storage.as_mut().map(|s| s.take_warnings()).unwrap_or_default()
    }

    /// After a successful statement: refuse it on a read-only database, and
    /// outside a transaction commit it (durably, with a file).
    pub(super) fn end_statement(&mut self, mark: Mark) -> Result<()> {
        // (An index created on a read-only database lasts for the session.)
        if self.is_read_only() && self.graph.changed_since(mark) {
            self.graph_mut().rollback(mark);
            let path = self.path().map(|p| p.display().to_string()).unwrap_or_default();
            return Err(Error::new(
                ErrorKind::IoError,
                "ReadOnly",
                Phase::Runtime,
                format!("{path} is open read-only: the statement would change the graph, so it was undone"),
            ));
        }
        if self.tx.is_some() {
            return Ok(());
        }
        self.commit_since(mark)
    }

    /// Commits everything since the last commit (`mark` is where to roll
    /// back to if it cannot be made durable).
    fn commit_since(&mut self, mark: Mark) -> Result<()> {
        if let Some(storage) = self.storage.as_mut() {
            let indexes = storage.changed_indexes(&self.graph);
            if self.graph.changed_since(mark) || indexes.is_some() {
                let mut changes = self.graph.pending_changes();
                changes.indexes = indexes;
                if let Err(e) = storage.commit(changes) {
                    self.graph_mut().rollback(mark);
                    return Err(e);
                }
            }
        }
        self.graph_mut().commit();
        self.auto_checkpoint();
        Ok(())
    }

    fn auto_checkpoint(&mut self) {
        if let Some(storage) = self.storage.as_mut() {
            if storage.wants_checkpoint() {
                if let Err(e) = storage.checkpoint(&self.graph) {
                    storage.warn(format!(
                        "automatic checkpoint failed (the log keeps every commit): {}",
                        e.message
                    ));
                }
            }
        }
    }

    /// Starts an explicit transaction: statements until [`Database::commit`]
    /// or [`Database::rollback`] take effect together or not at all. A
    /// failing statement inside it is undone alone; the transaction stays open.
    pub fn begin(&mut self) -> Result<()> {
        if self.tx.is_some() {
            return Err(tx_error(
                "TransactionAlreadyOpen",
                "a transaction is already open: commit or roll it back first",
            ));
        }
        self.tx = Some(self.graph.mark());
        Ok(())
    }

    /// Commits the open transaction; with a file, it is durable when this
    /// returns. If it cannot be written, it is rolled back and the error says why.
    pub fn commit(&mut self) -> Result<()> {
        let mark = self
            .tx
            .take()
            .ok_or_else(|| tx_error("NoOpenTransaction", "there is no open transaction to commit"))?;
        self.commit_since(mark)
    }

    /// Rolls the open transaction back: the graph is exactly as before it, ids included.
    pub fn rollback(&mut self) -> Result<()> {
        let mark = self
            .tx
            .take()
            .ok_or_else(|| tx_error("NoOpenTransaction", "there is no open transaction to roll back"))?;
        self.graph_mut().rollback(mark);
        self.graph_mut().commit();
        Ok(())
    }

    /// Whether an explicit transaction is open.
    pub fn in_transaction(&self) -> bool {
        self.tx.is_some()
    }

    /// Starts a transaction that rolls back when dropped uncommitted.
    ///
    /// ```
    /// use quiver::{Database, Params};
    /// let mut db = Database::in_memory();
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
    pub fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.begin()?;
        Ok(Transaction { db: self, done: false })
    }

    /// Folds the log into a new snapshot now (no-op in memory).
    pub fn checkpoint(&mut self) -> Result<()> {
        if self.tx.is_some() {
            return Err(tx_error(
                "TransactionOpen",
                "cannot checkpoint inside a transaction: commit or roll it back first",
            ));
        }
        match self.storage.as_mut() {
            Some(s) if !s.read_only() => s.checkpoint(&self.graph),
            _ => Ok(()),
        }
    }

    /// Closes the database: rolls back an open transaction, checkpoints, and
    /// releases the file lock. Dropping the database does the same but
    /// cannot report an error.
    pub fn close(mut self) -> Result<()> {
        self.shut()
    }

    /// [`Database::close`] for a process about to exit: the graph's memory
    /// goes back to the system with the process, not freed piece by piece.
    #[doc(hidden)]
    pub fn close_for_exit(mut self) -> Result<()> {
        let r = self.shut();
        std::mem::forget(self);
        r
    }

    fn shut(&mut self) -> Result<()> {
        if let Some(mark) = self.tx.take() {
            self.graph_mut().rollback(mark);
            self.graph_mut().commit();
        }
        let r = match self.storage.as_mut() {
            Some(s) if !s.read_only() && s.poisoned().is_none() && s.wal_bytes() > 0 => s.checkpoint(&self.graph),
            _ => Ok(()),
        };
        self.storage = None;
        r
    }

    /// Lets go of the file as a killed process would: no rollback on disk to
    /// do, no checkpoint, the lock released (for tests of recovery).
    #[doc(hidden)]
    pub fn abandon(mut self) {
        self.storage = None;
    }

    /// Writes the whole graph as a Cypher script that rebuilds it (see
    /// [`crate::storage::dump`]).
    pub fn dump(&self, out: &mut dyn Write) -> std::io::Result<()> {
        crate::storage::dump::write(&*self.graph, out)
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if self.storage.is_some() {
            let _ = self.shut();
        }
    }
}

/// An explicit transaction on a [`Database`]: commit it, roll it back, or
/// drop it (which rolls back).
pub struct Transaction<'a> {
    db: &'a mut Database,
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
