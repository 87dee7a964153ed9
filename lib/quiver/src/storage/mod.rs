//! Durable single-file databases: a main file holding a snapshot of the
//! graph, and beside it a write-ahead log `FILE-wal` of the transactions
//! committed since that snapshot (the layout SQLite uses in WAL mode).
//!
//! - open: lock the log, load the snapshot, replay the log up to its last
//!   intact record, cut a torn tail;
//! - commit: append one checksummed record per transaction and fsync before
//!   returning;
//! - checkpoint (when the log outgrows the snapshot, on close, on request):
//!   write the graph to `FILE-tmp`, fsync, rename over `FILE`, fsync the
//!   directory, then empty the log.
//!
//! The executor never sees any of this: it changes the in-memory graph; the
//! store derives each transaction's net changes from its undo journal
//! ([`crate::store::Changes`]); this module writes them. See `format.rs`,
//! `wal.rs` for the bytes, `codec.rs` for the one place that serializes.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

pub mod check;
pub mod codec;
pub mod dump;
pub mod file;
pub mod format;
pub mod lock;
pub mod records;
pub mod snapshot;
pub mod wal;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Phase};
use crate::store::{Changes, Graph, IndexDef};
use codec::TxRecord;
use file::{FileHandle, Fs, RealFs};
use format::Header;
use wal::Wal;

/// How to open a database file.
#[derive(Clone)]
pub struct OpenOptions {
    /// Open without writing: no log replay cut, no checkpoint, writes refused.
    pub read_only: bool,
    /// Create the file when it does not exist (not with `read_only`).
    pub create: bool,
    /// The file system (tests inject faults here).
    pub fs: Arc<dyn Fs>,
    /// Checkpoint once the log holds more than this many bytes and more than
    /// the snapshot.
    pub checkpoint_min_bytes: u64,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            read_only: false,
            create: true,
            fs: Arc::new(RealFs),
            checkpoint_min_bytes: 1 << 20,
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("read_only", &self.read_only)
            .field("create", &self.create)
            .field("checkpoint_min_bytes", &self.checkpoint_min_bytes)
            .finish()
    }
}

/// An open database file.
pub struct Storage {
    fs: Arc<dyn Fs>,
    path: PathBuf,
    dir: PathBuf,
    wal_path: PathBuf,
    /// `None` when read-only (a read-only opener keeps only its lock).
    wal: Option<Wal>,
    _lock: Option<Box<dyn FileHandle>>,
    read_only: bool,
    generation: u64,
    last_txid: u64,
    snapshot_bytes: u64,
    checkpoint_min_bytes: u64,
    /// Set after a failure that leaves the files in an unknown state: no
    /// more writes from this process.
    poisoned: Option<String>,
    /// The indexes as last committed (index changes are not journalled, so
    /// commits compare against this).
    index_defs: Vec<IndexDef>,
    /// Things worth telling the user (a torn tail cut, a failed automatic
    /// checkpoint); drained by [`Storage::take_warnings`].
    warnings: Vec<String>,
}

pub fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-tmp");
    PathBuf::from(s)
}

fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An I/O failure on `file` (at `offset`) while doing `op`.
pub(crate) fn io_error(file: &Path, offset: Option<u64>, op: &str, e: &std::io::Error) -> Error {
    let at = offset.map(|o| format!(" at offset {o}")).unwrap_or_default();
    Error::new(
        ErrorKind::IoError,
        "IoError",
        Phase::Runtime,
        format!("{op} {}{at} failed: {e}", file.display()),
    )
    .with_source(std::io::Error::new(e.kind(), e.to_string()))
}

/// Damage found in a file.
pub(crate) fn corrupt(file: &Path, offset: u64, what: &str) -> Error {
    Error::new(
        ErrorKind::IoError,
        "CorruptFile",
        Phase::Runtime,
        format!("{} is damaged at offset {offset}: {what}", file.display()),
    )
}

/// A file quiver does not read.
pub(crate) fn unsupported(file: &Path, what: &str) -> Error {
    Error::new(
        ErrorKind::IoError,
        "UnsupportedFile",
        Phase::Runtime,
        format!("cannot open {}: {what}", file.display()),
    )
}

fn refused(code: &'static str, message: String) -> Error {
    Error::new(ErrorKind::IoError, code, Phase::Runtime, message)
}

/// Writes a snapshot of `graph` to `path` atomically: temp file, fsync,
/// rename, directory fsync. Returns the file's size.
fn write_snapshot(
    fs: &dyn Fs,
    path: &Path,
    dir: &Path,
    graph: &Graph,
    generation: u64,
    last_txid: u64,
) -> Result<u64, (Error, bool)> {
    let payload =
        codec::encode_graph(graph).map_err(|e| (Error::io(format!("cannot encode the snapshot: {e}")), false))?;
    let header = Header {
        version: format::VERSION,
        codec: codec::CODEC,
        generation,
        last_txid,
        payload_len: payload.len() as u64,
        frame: format::FRAME as u32,
        nodes: graph.node_count() as u64,
        rels: graph.relationship_count() as u64,
    };
    let size = format::file_len(payload.len());
    let tmp = tmp_path(path);
    let written = (|| {
        let mut f = fs
            .open(&tmp, false, true)
            .map_err(|e| io_error(&tmp, None, "create", &e))?;
        f.set_len(0).map_err(|e| io_error(&tmp, Some(0), "truncate", &e))?;
        f.write_at(0, &header.encode())
            .map_err(|e| io_error(&tmp, Some(0), "write", &e))?;
        let mut at = format::HEADER_LEN as u64;
        format::framed_pieces(&payload, 4 << 20, |piece| {
            f.write_at(at, piece)
                .map_err(|e| io_error(&tmp, Some(at), "write", &e))?;
            at += piece.len() as u64;
            Ok(())
        })?;
        f.sync().map_err(|e| io_error(&tmp, None, "fsync", &e))?;
        Ok(())
    })();
    drop(payload);
    if let Err(e) = written {
        let _ = fs.remove(&tmp);
        return Err((e, false));
    }
    if let Err(e) = fs.rename(&tmp, path) {
        let _ = fs.remove(&tmp);
        return Err((io_error(path, None, "rename a new snapshot onto", &e), false));
    }
    // From here on the rename may or may not survive a crash: if the
    // directory cannot be synced, the log must stay as it is.
    fs.sync_dir(dir)
        .map_err(|e| (io_error(dir, None, "fsync the directory", &e), true))?;
    Ok(size)
}

impl Storage {
    /// Opens (or creates) the database at `path`; returns it with the graph
    /// it holds.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<(Storage, Graph), Error> {
        let fs = opts.fs.clone();
        let path = path.to_path_buf();
        let dir = dir_of(&path);
        let wal_path = wal_path(&path);
        let main_exists = fs.exists(&path);
        let mut warnings = Vec::new();
        if !main_exists && (opts.read_only || !opts.create) {
            return Err(refused("NoSuchDatabase", format!("{} does not exist", path.display())));
        }
        // Lock first: nothing is read or written before we own the files.
        let mut lock_file = if opts.read_only && !fs.exists(&wal_path) {
            None
        } else {
            Some(
                fs.open(&wal_path, opts.read_only, !opts.read_only)
                    .map_err(|e| io_error(&wal_path, None, "open", &e))?,
            )
        };
        if let Some(f) = lock_file.as_mut() {
            lock::acquire(f.as_mut(), &path, &wal_path, !opts.read_only)?;
        }
        if !main_exists {
            // A log without its main file: refuse, unless it holds no record
            // (a creation that was cut short).
            let len = match lock_file.as_mut() {
                Some(f) => f.size().map_err(|e| io_error(&wal_path, None, "stat", &e))?,
                None => 0,
            };
            if len > wal::HEADER_LEN {
                return Err(refused(
                    "NoSuchDatabase",
                    format!(
                        "{} does not exist but its log {} holds transactions: restore the main file, or move the log away to start afresh",
                        path.display(),
                        wal_path.display()
                    ),
                ));
            }
        }
        let main_empty = main_exists
            && fs
                .open(&path, true, false)
                .and_then(|mut f| f.size())
                .map_err(|e| io_error(&path, None, "open", &e))?
                == 0;
        if !opts.read_only {
            let tmp = tmp_path(&path);
            if fs.exists(&tmp) {
                // A checkpoint that never finished (we hold the lock, so it is no one's).
                let _ = fs.remove(&tmp);
            }
        }
        if !main_exists || main_empty {
            if opts.read_only {
                return Err(refused("NoSuchDatabase", format!("{} is empty", path.display())));
            }
            let size = write_snapshot(fs.as_ref(), &path, &dir, &Graph::new(), 1, 0).map_err(|(e, _)| e)?;
            let mut wal = Wal {
                path: wal_path.clone(),
                file: lock_file.take().expect("a writer opened the log"),
                end: 0,
            };
            wal.reset(1)?;
            let storage = Storage {
                fs,
                path,
                dir,
                wal_path,
                _lock: None,
                wal: Some(wal),
                read_only: false,
                generation: 1,
                last_txid: 0,
                snapshot_bytes: size,
                checkpoint_min_bytes: opts.checkpoint_min_bytes,
                poisoned: None,
                index_defs: Vec::new(),
                warnings,
            };
            return Ok((storage, Graph::new()));
        }

        let (header, mut graph, snapshot_bytes) = format::read_snapshot(fs.as_ref(), &path)?;
        let mut last_txid = header.last_txid;
        let wal_bytes = match lock_file.as_mut() {
            Some(f) => {
                let len = f.size().map_err(|e| io_error(&wal_path, None, "stat", &e))?;
                let mut buf = vec![0u8; len as usize];
                f.read_at(0, &mut buf)
                    .map_err(|e| io_error(&wal_path, Some(0), "read", &e))?;
                buf
            }
            None => Vec::new(),
        };
        let scan = wal::scan(&wal_path, &wal_bytes)?;
        drop(wal_bytes);
        let mut reset = false;
        match scan.generation {
            None => reset = true,
            Some(g) if g < header.generation => reset = true, // already folded into the snapshot
            Some(g) if g > header.generation => {
                return Err(corrupt(
                    &wal_path,
                    16,
                    &format!(
                        "the log continues snapshot generation {g} but {} holds generation {} (was the main file replaced by an older copy?)",
                        path.display(),
                        header.generation
                    ),
                ))
            }
            Some(_) => {
                for (offset, tx) in &scan.records {
                    if tx.txid != last_txid + 1 {
                        return Err(corrupt(
                            &wal_path,
                            *offset,
                            &format!("log record for transaction {} where {} was expected", tx.txid, last_txid + 1),
                        ));
                    }
                    graph.apply_changes(&tx.changes).map_err(|e| {
                        corrupt(
                            &wal_path,
                            *offset,
                            &format!("transaction {} does not apply: it {}", tx.txid, e.0),
                        )
                    })?;
                    last_txid = tx.txid;
                }
                if let Some((offset, why)) = &scan.torn {
                    warnings.push(format!(
                        "{}: discarded {} bytes at offset {offset} ({why}): the tail of a commit that was never acknowledged",
                        wal_path.display(),
                        scan.len - offset
                    ));
                }
            }
        }
        let mut storage = Storage {
            fs,
            path,
            dir,
            wal_path: wal_path.clone(),
            wal: None,
            _lock: None,
            read_only: opts.read_only,
            generation: header.generation,
            last_txid,
            snapshot_bytes,
            checkpoint_min_bytes: opts.checkpoint_min_bytes,
            poisoned: None,
            index_defs: graph.index_defs(),
            warnings,
        };
        if opts.read_only {
            storage._lock = lock_file;
        } else {
            let mut wal = Wal {
                path: wal_path,
                file: lock_file.expect("a writer opened the log"),
                end: scan.valid_end,
            };
            if reset {
                wal.reset(header.generation)?;
            } else if scan.torn.is_some() {
                wal.truncate(scan.valid_end)?;
            }
            storage.wal = Some(wal);
        }
        Ok((storage, graph))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn wal_path(&self) -> &Path {
        &self.wal_path
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// Why this process no longer writes, if it does not.
    pub fn poisoned(&self) -> Option<&str> {
        self.poisoned.as_deref()
    }

    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Bytes of log records since the last checkpoint.
    pub fn wal_bytes(&self) -> u64 {
        self.wal.as_ref().map_or(0, |w| w.end.saturating_sub(wal::HEADER_LEN))
    }

    fn check_writable(&self) -> Result<(), Error> {
        if self.read_only {
            return Err(refused(
                "ReadOnly",
                format!("{} is open read-only: nothing was changed", self.path.display()),
            ));
        }
        if let Some(why) = &self.poisoned {
            return Err(refused(
                "WritesRefused",
                format!(
                    "{} takes no more writes in this process: {why}. Every commit acknowledged before is safe; reopen the database to go on",
                    self.path.display()
                ),
            ));
        }
        Ok(())
    }

    /// The graph's indexes when they differ from the last committed ones.
    pub fn changed_indexes(&self, graph: &Graph) -> Option<Vec<IndexDef>> {
        let defs = graph.index_defs();
        (defs != self.index_defs).then_some(defs)
    }

    /// Makes one transaction durable: returns once its log record is fsync'd.
    pub fn commit(&mut self, changes: Changes) -> Result<(), Error> {
        self.check_writable()?;
        let indexes = changes.indexes.clone();
        let tx = TxRecord {
            txid: self.last_txid + 1,
            changes,
        };
        let wal = self.wal.as_mut().expect("a writer has a log");
        match wal.append(&tx) {
            Ok(()) => {
                self.last_txid = tx.txid;
                if let Some(defs) = indexes {
                    self.index_defs = defs;
                }
                Ok(())
            }
            Err(e) => {
                let mut error = e.error;
                if e.poisoned {
                    self.poisoned = Some(format!("a write to its log failed ({})", error.message));
                    error.message.push_str(
                        "; the statement is not acknowledged (it may or may not be in the log), and this process writes no more to the database: reopen it to go on",
                    );
                } else {
                    error
                        .message
                        .push_str("; nothing was committed, and the database goes on as before");
                }
                Err(error)
            }
        }
    }

    /// Makes `graph` (the committed graph plus one transaction's changes,
    /// which are in no log record: a bulk import) durable as one transaction
    /// by writing it as the new snapshot. Before the new file is renamed into
    /// place the old snapshot and log hold the graph without the transaction;
    /// after, the new snapshot holds it and the log is stale.
    pub fn commit_snapshot(&mut self, graph: &Graph) -> Result<(), Error> {
        self.check_writable()?;
        let generation = self.generation + 1;
        let txid = self.last_txid + 1;
        match write_snapshot(self.fs.as_ref(), &self.path, &self.dir, graph, generation, txid) {
            Ok(size) => self.snapshot_bytes = size,
            Err((mut error, poison)) => {
                if poison {
                    self.poisoned = Some(format!("a new snapshot could not be made durable ({})", error.message));
                    error.message.push_str(
                        "; the import is not acknowledged (it may or may not be in the file), and this process writes no more to the database: reopen it to go on",
                    );
                } else {
                    error
                        .message
                        .push_str("; nothing was committed, and the database goes on as before");
                }
                return Err(error);
            }
        }
        self.generation = generation;
        self.last_txid = txid;
        self.index_defs = graph.index_defs();
        let wal = self.wal.as_mut().expect("a writer has a log");
        if let Err(e) = wal.reset(generation) {
            // The snapshot is durable and the log stale (the next open sees
            // so), but the log is in an unknown state: no more writes here.
            self.poisoned = Some(format!("its log could not be reset after a snapshot ({})", e.message));
            self.warnings.push(format!(
                "the import is durable, but {} could not be reset: reopen the database to write to it again ({})",
                self.wal_path.display(),
                e.message
            ));
        }
        Ok(())
    }

    /// Whether the log has outgrown the snapshot.
    pub fn wants_checkpoint(&self) -> bool {
        !self.read_only
            && self.poisoned.is_none()
            && self.wal_bytes() > self.checkpoint_min_bytes.max(self.snapshot_bytes)
    }

    /// Folds the log into a new snapshot of `graph`, which must hold exactly
    /// the committed transactions (no open transaction).
    pub fn checkpoint(&mut self, graph: &Graph) -> Result<(), Error> {
        self.check_writable()?;
        let generation = self.generation + 1;
        match write_snapshot(
            self.fs.as_ref(),
            &self.path,
            &self.dir,
            graph,
            generation,
            self.last_txid,
        ) {
            Ok(size) => self.snapshot_bytes = size,
            Err((e, poison)) => {
                if poison {
                    self.poisoned = Some(format!("a checkpoint could not be made durable ({})", e.message));
                }
                return Err(e);
            }
        }
        self.generation = generation;
        let wal = self.wal.as_mut().expect("a writer has a log");
        if let Err(e) = wal.reset(generation) {
            self.poisoned = Some(format!("its log could not be reset after a checkpoint ({})", e.message));
            return Err(e);
        }
        Ok(())
    }

    /// Records a warning for the user.
    pub fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }
}
