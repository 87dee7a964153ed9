//! Durable single-file databases: a main file holding a base of the graph
//! (`store/base`: arrays read in place through a memory map), and beside it
//! a write-ahead log `FILE-wal` of the transactions committed since that
//! base was written (the layout SQLite uses in WAL mode).
//!
//! - open: lock the log (a writer; readers take no lock), map the base,
//!   replay the log up to its last intact record into the committed layer
//!   above the base, cut a torn tail (a writer);
//! - commit: append one checksummed record per transaction and fsync before
//!   returning; a transaction too large for a record is written as the next
//!   base instead;
//! - checkpoint (when the log outgrows the base, on close, on request): write
//!   the graph as a new base to `FILE-tmp`, fsync, rename over `FILE`, fsync
//!   the directory, then start the log over for the new generation;
//! - readers in other processes: at each statement, look at the log's header
//!   and length; read the records added since, or, when the log names a
//!   newer generation, map the new base. A base is never changed once
//!   written, so a map of an old one stays valid while a reader uses it.
//!
//! The executor never sees any of this: it changes a transaction's layer;
//! at commit the store's net changes ([`crate::store::Changes`]) come here.
//! See `basefile.rs` and `wal.rs` for the files, `legacy.rs` for files of
//! the first format, `codec.rs` for the one place that serializes records.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

pub mod basefile;
pub mod check;
pub mod codec;
pub mod dump;
pub mod dump_admin;
pub mod file;
pub mod legacy;
pub mod lock;
pub mod records;
pub mod snapshot;
pub mod wal;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Phase};
use crate::store::base::{Base, BaseBuilder};
use crate::store::{Catalog, Changes, GraphRead, Snapshot};
use codec::TxRecord;
use file::{FileHandle, Fs, RealFs};
use wal::Wal;

/// How to open a database file.
#[derive(Clone)]
pub struct OpenOptions {
    /// Open without writing (beside a writer in another process, or none):
    /// no lock, no log replay cut, no checkpoint, writes refused.
    pub read_only: bool,
    /// Create the file when it does not exist (not with `read_only`).
    pub create: bool,
    /// The file system (tests inject faults here).
    pub fs: Arc<dyn Fs>,
    /// Checkpoint once the log holds more than this many bytes and more than
    /// the base.
    pub checkpoint_min_bytes: u64,
    /// How long a writer waits for another process's write lock before
    /// giving up with `DatabaseLocked` (`None`: not at all).
    pub busy_timeout: Option<Duration>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            read_only: false,
            create: true,
            fs: Arc::new(RealFs),
            checkpoint_min_bytes: 1 << 20,
            busy_timeout: None,
        }
    }
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("read_only", &self.read_only)
            .field("create", &self.create)
            .field("checkpoint_min_bytes", &self.checkpoint_min_bytes)
            .field("busy_timeout", &self.busy_timeout)
            .finish()
    }
}

/// What a read-only opener follows: the log, from where it last read.
struct Follow {
    wal: Option<Box<dyn FileHandle>>,
    /// Where the next record starts.
    offset: u64,
}

/// An open database file.
pub struct Storage {
    fs: Arc<dyn Fs>,
    path: PathBuf,
    dir: PathBuf,
    wal_path: PathBuf,
    /// A writer's log (it holds the write lock on it).
    wal: Option<Wal>,
    /// A reader's view of the log.
    follow: Option<Follow>,
    read_only: bool,
    /// The generation of the base in use.
    generation: u64,
    last_txid: u64,
    /// The bytes of the base's data (checkpoints are due once the log outgrows it).
    base_bytes: u64,
    checkpoint_min_bytes: u64,
    /// Set after a failure that leaves the files in an unknown state: no
    /// more writes from this process.
    poisoned: Option<String>,
    /// `Some(codec)` while the base came from a file of the first format.
    legacy: Option<u32>,
    /// Things worth telling the user (a torn tail cut, a failed automatic
    /// checkpoint); drained by [`Storage::take_warnings`].
    warnings: Vec<String>,
}

pub fn wal_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push("-wal");
    PathBuf::from(s)
}

pub(crate) fn tmp_path(path: &Path) -> PathBuf {
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

/// How often a reader retries when a checkpoint is changing the files under it.
const RETRIES: usize = 200;

fn pause() {
    std::thread::sleep(Duration::from_millis(1));
}

/// Applies log records (transactions `last_txid + 1`, ...) to `snapshot`.
fn replay(
    snapshot: &mut Snapshot,
    records: &[(u64, TxRecord)],
    last_txid: &mut u64,
    wal_path: &Path,
) -> Result<(), Error> {
    for (offset, tx) in records {
        if tx.txid != *last_txid + 1 {
            return Err(corrupt(
                wal_path,
                *offset,
                &format!(
                    "log record for transaction {} where {} was expected",
                    tx.txid,
                    *last_txid + 1
                ),
            ));
        }
        snapshot.apply(&tx.changes).map_err(|e| {
            corrupt(
                wal_path,
                *offset,
                &format!("transaction {} does not apply: it {e}", tx.txid),
            )
        })?;
        *last_txid = tx.txid;
    }
    Ok(())
}

/// A whole file's bytes.
fn read_whole(f: &mut dyn FileHandle, path: &Path) -> Result<Vec<u8>, Error> {
    let len = f.size().map_err(|e| io_error(path, None, "stat", &e))?;
    let mut buf = vec![0u8; len as usize];
    f.read_at(0, &mut buf)
        .map_err(|e| io_error(path, Some(0), "read", &e))?;
    Ok(buf)
}

impl Storage {
    /// Opens (or creates) the database at `path`; returns it with the
    /// committed state it holds, names mapped into `catalog`.
    pub fn open(path: &Path, opts: &OpenOptions, catalog: &Arc<Catalog>) -> Result<(Storage, Snapshot), Error> {
        let fs = opts.fs.clone();
        let path = path.to_path_buf();
        let main_exists = fs.exists(&path);
        if !main_exists && (opts.read_only || !opts.create) {
            return Err(refused("NoSuchDatabase", format!("{} does not exist", path.display())));
        }
        let mut storage = Storage {
            fs: fs.clone(),
            dir: dir_of(&path),
            wal_path: wal_path(&path),
            path,
            wal: None,
            follow: None,
            read_only: opts.read_only,
            generation: 0,
            last_txid: 0,
            base_bytes: 0,
            checkpoint_min_bytes: opts.checkpoint_min_bytes,
            poisoned: None,
            legacy: None,
            warnings: Vec::new(),
        };
        if opts.read_only {
            let snapshot = storage.open_reader(catalog)?;
            return Ok((storage, snapshot));
        }
        let (path, wal_path) = (storage.path.clone(), storage.wal_path.clone());
        // Lock first: nothing is read or written before we own the files.
        let mut wal_file = fs
            .open(&wal_path, false, true)
            .map_err(|e| io_error(&wal_path, None, "open", &e))?;
        lock::acquire(wal_file.as_mut(), &path, &wal_path, opts.busy_timeout)?;
        if !main_exists {
            // A log without its main file: refuse, unless it holds no record
            // (a creation that was cut short).
            let len = wal_file.size().map_err(|e| io_error(&wal_path, None, "stat", &e))?;
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
        let tmp = tmp_path(&path);
        if fs.exists(&tmp) {
            // A checkpoint that never finished (we hold the lock, so it is no one's).
            let _ = fs.remove(&tmp);
        }
        if !main_exists || main_empty {
            let built = BaseBuilder::new().finish(catalog, 1, 0).map_err(Error::io)?;
            basefile::write(fs.as_ref(), &path, &storage.dir, built).map_err(|(e, _)| e)?;
            let mut wal = Wal {
                path: wal_path.clone(),
                file: wal_file,
                end: 0,
            };
            wal.reset(1)?;
            storage.wal = Some(wal);
            storage.generation = 1;
            let main = basefile::open(fs.as_ref(), &path, catalog)?;
            storage.base_bytes = main.base.data_size() as u64;
            return Ok((storage, Snapshot::over(Arc::new(main.base), catalog.clone())));
        }
        let main = basefile::open(fs.as_ref(), &path, catalog)?;
        let header = *main.base.header();
        storage.generation = header.generation;
        storage.last_txid = header.last_txid;
        storage.base_bytes = main.base.data_size() as u64;
        storage.legacy = main.legacy;
        let mut snapshot = Snapshot::over(Arc::new(main.base), catalog.clone());
        let bytes = read_whole(wal_file.as_mut(), &wal_path)?;
        let scan = wal::scan(&wal_path, &bytes)?;
        drop(bytes);
        let mut reset = false;
        match scan.generation {
            None => reset = true,
            Some(g) if g < header.generation => reset = true, // already folded into the base
            Some(g) if g > header.generation => {
                return Err(corrupt(
                    &wal_path,
                    16,
                    &format!(
                        "the log continues generation {g} but {} holds generation {} (was the main file replaced by an older copy?)",
                        path.display(),
                        header.generation
                    ),
                ))
            }
            Some(_) => {
                replay(&mut snapshot, &scan.records, &mut storage.last_txid, &wal_path)?;
                if let Some((offset, why)) = &scan.torn {
                    storage.warnings.push(format!(
                        "{}: discarded {} bytes at offset {offset} ({why}): the tail of a commit that was never acknowledged",
                        wal_path.display(),
                        scan.len - offset
                    ));
                }
            }
        }
        let mut wal = Wal {
            path: wal_path,
            file: wal_file,
            end: scan.valid_end,
        };
        if reset {
            wal.reset(header.generation)?;
        } else if scan.torn.is_some() {
            wal.truncate(scan.valid_end)?;
        }
        storage.wal = Some(wal);
        Ok((storage, snapshot))
    }

    /// Opens for reading: the base and what the log adds to it, as one
    /// committed state, whatever a writer elsewhere is doing meanwhile.
    fn open_reader(&mut self, catalog: &Arc<Catalog>) -> Result<Snapshot, Error> {
        let fs = self.fs.clone();
        let empty = fs
            .open(&self.path, true, false)
            .and_then(|mut f| f.size())
            .map_err(|e| io_error(&self.path, None, "open", &e))?
            == 0;
        if empty {
            return Err(refused("NoSuchDatabase", format!("{} is empty", self.path.display())));
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let main = basefile::open(fs.as_ref(), &self.path, catalog)?;
            let header = *main.base.header();
            self.generation = header.generation;
            self.last_txid = header.last_txid;
            self.base_bytes = main.base.data_size() as u64;
            self.legacy = main.legacy;
            let mut snapshot = Snapshot::over(Arc::new(main.base), catalog.clone());
            let mut follow = Follow {
                wal: None,
                offset: wal::HEADER_LEN,
            };
            if fs.exists(&self.wal_path) {
                let mut f = fs
                    .open(&self.wal_path, true, false)
                    .map_err(|e| io_error(&self.wal_path, None, "open", &e))?;
                let bytes = read_whole(f.as_mut(), &self.wal_path)?;
                match wal::generation(&bytes) {
                    Some(g) if g == header.generation => {
                        let (records, end) = wal::follow(&self.wal_path, &bytes, 0)?;
                        replay(&mut snapshot, &records, &mut self.last_txid, &self.wal_path)?;
                        follow.offset = end;
                    }
                    Some(g) if g > header.generation => {
                        // A checkpoint between reading the base and the log: again.
                        if attempt < RETRIES {
                            pause();
                            continue;
                        }
                        return Err(corrupt(
                            &self.wal_path,
                            16,
                            &format!(
                                "the log continues generation {g} but {} holds generation {}",
                                self.path.display(),
                                header.generation
                            ),
                        ));
                    }
                    // Empty, being started over, or already folded into the base.
                    _ => {}
                }
                follow.wal = Some(f);
            }
            self.follow = Some(follow);
            return Ok(snapshot);
        }
    }

    /// For a reader: the committed state now, if other processes committed
    /// since `current` (which this storage gave). Statements call it as
    /// they start, so each sees the commits acknowledged before it.
    ///
    /// The snapshot is changed in place, so that a caller which holds the
    /// only reference to its layer pays for the new records alone (not for a
    /// copy of everything committed since the last checkpoint). When records
    /// fail to apply the reader stops: every later refresh fails too.
    pub fn refresh(&mut self, current: &mut Snapshot) -> Result<bool, Error> {
        if self.follow.is_none() {
            return Ok(false);
        }
        if let Some(why) = &self.poisoned {
            return Err(refused(
                "ReaderStopped",
                format!("{} can no longer be read: {why}", self.path.display()),
            ));
        }
        let catalog = current.catalog.clone();
        let fs = self.fs.clone();
        let mut updated = false;
        for _ in 0..RETRIES {
            let follow = self.follow.as_mut().expect("a reader follows the log");
            if follow.wal.is_none() {
                if !fs.exists(&self.wal_path) {
                    return Ok(updated);
                }
                follow.wal = Some(
                    fs.open(&self.wal_path, true, false)
                        .map_err(|e| io_error(&self.wal_path, None, "open", &e))?,
                );
                follow.offset = wal::HEADER_LEN;
            }
            let f = follow.wal.as_mut().expect("just opened");
            let size = f.size().map_err(|e| io_error(&self.wal_path, None, "stat", &e))?;
            let mut head = [0u8; wal::HEADER_LEN as usize];
            if size < wal::HEADER_LEN || f.read_at(0, &mut head).is_err() {
                // Being started over: the base holds everything so far.
                return Ok(updated);
            }
            let Some(generation) = wal::generation(&head) else {
                return Ok(updated);
            };
            if generation < self.generation {
                // A writer died between writing a base and starting the log over.
                return Ok(updated);
            }
            if generation > self.generation {
                // A checkpoint: the main file holds that generation (or a later one).
                let main = basefile::open(fs.as_ref(), &self.path, &catalog)?;
                let header = *main.base.header();
                if header.generation != generation {
                    pause();
                    continue;
                }
                self.generation = generation;
                self.last_txid = header.last_txid;
                self.base_bytes = main.base.data_size() as u64;
                self.legacy = main.legacy;
                let follow = self.follow.as_mut().expect("a reader follows the log");
                follow.offset = wal::HEADER_LEN;
                *current = Snapshot::over(Arc::new(main.base), catalog.clone());
                updated = true;
                continue;
            }
            if size <= follow.offset {
                return Ok(updated);
            }
            let mut bytes = vec![0u8; (size - follow.offset) as usize];
            let read = f.read_at(follow.offset, &mut bytes);
            let mut again = [0u8; wal::HEADER_LEN as usize];
            let same = f.read_at(0, &mut again).is_ok() && wal::generation(&again) == Some(generation);
            if read.is_err() || !same {
                // Started over while we read: look again.
                pause();
                continue;
            }
            let (records, end) = wal::follow(&self.wal_path, &bytes, follow.offset)?;
            if records.is_empty() {
                return Ok(updated);
            }
            if let Err(e) = replay(current, &records, &mut self.last_txid, &self.wal_path) {
                self.poisoned = Some(e.message.clone());
                return Err(e);
            }
            self.follow.as_mut().expect("a reader follows the log").offset = end;
            return Ok(true);
        }
        Ok(updated)
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

    /// Whether the base came from a file of the first format (the next
    /// checkpoint rewrites it).
    pub fn legacy(&self) -> bool {
        self.legacy.is_some()
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

    /// Makes one transaction durable: returns once its log record is fsync'd.
    pub fn commit(&mut self, changes: &Changes) -> Result<(), Error> {
        self.check_writable()?;
        let tx = TxRecord {
            txid: self.last_txid + 1,
            changes: changes.clone(),
        };
        let wal = self.wal.as_mut().expect("a writer has a log");
        match wal.append(&tx) {
            Ok(()) => {
                self.last_txid = tx.txid;
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

    /// Writes `builder` as the next base and starts the log over; returns
    /// the new base, mapped. With `txid`, the base is one transaction more
    /// than the last commit (a bulk load, in no log record).
    fn write_base(&mut self, builder: BaseBuilder, catalog: &Catalog, new_tx: bool) -> Result<Base, Error> {
        self.check_writable()?;
        let generation = self.generation + 1;
        let txid = self.last_txid + u64::from(new_tx);
        let what = if new_tx { "the load" } else { "the checkpoint" };
        let built = builder.finish(catalog, generation, txid).map_err(|e| {
            Error::io(format!(
                "cannot lay out the base: {e}; nothing was written, and the database goes on as before"
            ))
        })?;
        match basefile::write(self.fs.as_ref(), &self.path, &self.dir, built) {
            Ok(_) => {}
            Err((mut error, poison)) => {
                if poison {
                    self.poisoned = Some(format!("a new base could not be made durable ({})", error.message));
                    error.message.push_str(&format!(
                        "; {what} is not acknowledged (it may or may not be in the file), and this process writes no more to the database: reopen it to go on"
                    ));
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
        self.legacy = None;
        let wal = self.wal.as_mut().expect("a writer has a log");
        if let Err(e) = wal.reset(generation) {
            // The base is durable and the log stale (the next open sees so),
            // but the log is in an unknown state: no more writes here.
            self.poisoned = Some(format!(
                "its log could not be started over after a new base ({})",
                e.message
            ));
            self.warnings.push(format!(
                "{what} is durable, but {} could not be started over: reopen the database to write to it again ({})",
                self.wal_path.display(),
                e.message
            ));
        }
        let main = basefile::open(self.fs.as_ref(), &self.path, catalog)?;
        self.base_bytes = main.base.data_size() as u64;
        Ok(main.base)
    }

    /// Makes a transaction that is in no log record (a bulk load: `builder`
    /// holds the committed graph and the load) durable by writing it as
    /// the next base. Before the new file is renamed into place the old
    /// base and log hold the graph without it; after, the new base holds it.
    pub fn commit_base(&mut self, builder: BaseBuilder, catalog: &Catalog) -> Result<Base, Error> {
        self.write_base(builder, catalog, true)
    }

    /// Whether the log has outgrown the base (or the base is of the first format).
    pub fn wants_checkpoint(&self) -> bool {
        !self.read_only
            && self.poisoned.is_none()
            && (self.legacy.is_some() || self.wal_bytes() > self.checkpoint_min_bytes.max(self.base_bytes))
    }

    /// Folds the log into a new base holding `view`, which must be exactly
    /// the committed transactions (no open transaction).
    pub fn checkpoint(&mut self, view: &dyn GraphRead, catalog: &Catalog) -> Result<Base, Error> {
        self.check_writable()?;
        let builder = BaseBuilder::from_view(view)
            .map_err(|e| Error::io(format!("cannot read the graph for a checkpoint: {e}")))?;
        self.write_base(builder, catalog, false)
    }

    /// Records a warning for the user.
    pub fn warn(&mut self, w: String) {
        self.warnings.push(w);
    }
}
