//! The file layer: the few operations storage needs (open, read, append,
//! truncate, fsync, rename, directory fsync, lock) behind a trait, so tests
//! can swap in [`FaultyFs`], which fails the Nth write, fsync or rename,
//! writes short, reports a full disk, or cuts the power after the Nth
//! operation and leaves the files as a power cut would.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A file system.
pub trait Fs: Send + Sync {
    /// Opens a file for reading (and writing unless `read_only`); creates it
    /// when `create`.
    fn open(&self, path: &Path, read_only: bool, create: bool) -> io::Result<Box<dyn FileHandle>>;
    fn exists(&self, path: &Path) -> bool;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Makes a rename or a creation in `dir` durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// The whole file, mapped into memory for reading.
    fn map(&self, path: &Path) -> io::Result<Mapped> {
        map_file(path)
    }
}

/// A file's bytes, mapped into memory.
pub type Mapped = Box<dyn std::ops::Deref<Target = [u8]> + Send + Sync>;

/// Maps a file read-only.
fn map_file(path: &Path) -> io::Result<Mapped> {
    let f = File::open(path)?;
    // SAFETY: the map is only read, and quiver never changes a file it has
    // mapped: a main file is written whole under another name and renamed
    // into place, so a map keeps the old file (and its bytes) for as long as
    // it lives. Another program writing into the file would break this, as
    // it would break any database's files.
    let map = unsafe { memmap2::Mmap::map(&f)? };
    Ok(Box::new(map))
}

/// One open file.
pub trait FileHandle: Send {
    fn size(&mut self) -> io::Result<u64>;
    /// Reads `buf.len()` bytes at `offset`.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()>;
    /// Writes all of `buf` at `offset`.
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> io::Result<()>;
    fn set_len(&mut self, len: u64) -> io::Result<()>;
    /// fsync (data and metadata).
    fn sync(&mut self) -> io::Result<()>;
    /// Takes the OS lock without waiting: `Ok(false)` when another holds it.
    fn try_lock(&mut self, exclusive: bool) -> io::Result<bool>;
}

/// The real file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealFs;

struct RealFile(File);

impl Fs for RealFs {
    fn open(&self, path: &Path, read_only: bool, create: bool) -> io::Result<Box<dyn FileHandle>> {
        let f = OpenOptions::new()
            .read(true)
            .write(!read_only)
            .create(create && !read_only)
            .truncate(false)
            .open(path)?;
        Ok(Box::new(RealFile(f)))
    }
    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        #[cfg(unix)]
        {
            File::open(dir)?.sync_all()
        }
        #[cfg(not(unix))]
        {
            let _ = dir;
            Ok(())
        }
    }
}

impl FileHandle for RealFile {
    fn size(&mut self) -> io::Result<u64> {
        Ok(self.0.metadata()?.len())
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.0.seek(SeekFrom::Start(offset))?;
        self.0.read_exact(buf)
    }
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> io::Result<()> {
        self.0.seek(SeekFrom::Start(offset))?;
        self.0.write_all(buf)
    }
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.0.set_len(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_all()
    }
    fn try_lock(&mut self, exclusive: bool) -> io::Result<bool> {
        let r = if exclusive {
            self.0.try_lock()
        } else {
            self.0.try_lock_shared()
        };
        match r {
            Ok(()) => Ok(true),
            Err(TryLockError::WouldBlock) => Ok(false),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }
}

/// Which faults a [`FaultyFs`] injects. Writes and fsyncs are counted from 1
/// across all files.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// The Nth write fails.
    pub fail_write: Option<u64>,
    /// The failing write first writes half its bytes (a short write).
    pub short_write: bool,
    /// The failing write reports a full disk (ENOSPC) rather than EIO.
    pub disk_full: bool,
    /// Once failed, every later write fails too (a disk that stays full).
    pub sticky: bool,
    /// The Nth fsync fails.
    pub fail_sync: Option<u64>,
    /// The Nth rename fails.
    pub fail_rename: Option<u64>,
    /// Counters (read them after a run to pick the next fault).
    pub writes: u64,
    pub syncs: u64,
    pub renames: u64,
    /// A fault has fired.
    pub fired: bool,
    /// Every operation (write, truncate, fsync, rename) after the Nth fails:
    /// the machine lost power there. [`FaultyFs::power_cut`] then leaves the
    /// files as a power cut would.
    pub cut_after: Option<u64>,
    pub ops: u64,
    /// What a power cut would leave.
    pub durable: Durability,
}

/// What survives a power cut, in the strict POSIX reading: a file's bytes as
/// of its last fsync, a directory's entries as of its last fsync.
#[derive(Clone, Debug, Default)]
pub struct Durability {
    next_inode: u64,
    /// Path -> file, now.
    current: HashMap<PathBuf, u64>,
    /// Path -> file, as of the last directory fsync.
    entries: HashMap<PathBuf, u64>,
    /// File -> bytes, as of its last fsync.
    synced: HashMap<u64, Vec<u8>>,
}

impl Faults {
    /// Counts an operation; `Err` once the power is cut.
    fn op(&mut self) -> io::Result<()> {
        self.ops += 1;
        match self.cut_after {
            Some(n) if self.ops > n => {
                self.fired = true;
                Err(io::Error::other("injected power cut"))
            }
            _ => Ok(()),
        }
    }
}

/// A file system that injects [`Faults`] into the real one.
#[derive(Clone, Debug, Default)]
pub struct FaultyFs {
    pub faults: Arc<Mutex<Faults>>,
}

impl FaultyFs {
    pub fn new(faults: Faults) -> FaultyFs {
        FaultyFs {
            faults: Arc::new(Mutex::new(faults)),
        }
    }

    pub fn state(&self) -> Faults {
        self.faults.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Rewrites the files this file system touched as a power cut would
    /// leave them (call it once every handle is closed).
    pub fn power_cut(&self) -> io::Result<()> {
        let f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        let d = &f.durable;
        for path in d.current.keys().chain(d.entries.keys()) {
            let _ = fs::remove_file(path);
        }
        for (path, inode) in &d.entries {
            fs::write(path, d.synced.get(inode).map(|b| &b[..]).unwrap_or(&[]))?;
        }
        Ok(())
    }
}

struct FaultyFile {
    inner: RealFile,
    faults: Arc<Mutex<Faults>>,
    inode: u64,
}

fn injected(disk_full: bool) -> io::Error {
    if disk_full {
        io::Error::from_raw_os_error(28) // ENOSPC
    } else {
        io::Error::other("injected I/O error")
    }
}

impl Fs for FaultyFs {
    fn open(&self, path: &Path, read_only: bool, create: bool) -> io::Result<Box<dyn FileHandle>> {
        let f = OpenOptions::new()
            .read(true)
            .write(!read_only)
            .create(create && !read_only)
            .truncate(false)
            .open(path)?;
        let mut faults = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        let d = &mut faults.durable;
        let inode = match d.current.get(path) {
            Some(&i) => i,
            None => {
                let i = d.next_inode;
                d.next_inode += 1;
                d.current.insert(path.to_path_buf(), i);
                i
            }
        };
        drop(faults);
        Ok(Box::new(FaultyFile {
            inner: RealFile(f),
            faults: self.faults.clone(),
            inode,
        }))
    }
    fn exists(&self, path: &Path) -> bool {
        RealFs.exists(path)
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        let mut f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        f.op()?;
        f.renames += 1;
        if f.fail_rename == Some(f.renames) {
            f.fired = true;
            return Err(io::Error::other("injected rename failure"));
        }
        RealFs.rename(from, to)?;
        if let Some(i) = f.durable.current.remove(from) {
            f.durable.current.insert(to.to_path_buf(), i);
        }
        Ok(())
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        let mut f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        RealFs.remove(path)?;
        f.durable.current.remove(path);
        Ok(())
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        f.op()?;
        f.syncs += 1;
        if f.fail_sync == Some(f.syncs) {
            f.fired = true;
            return Err(io::Error::other("injected fsync failure"));
        }
        RealFs.sync_dir(dir)?;
        // One directory in these tests: its entries are now durable.
        f.durable.entries = f.durable.current.clone();
        Ok(())
    }
}

impl FileHandle for FaultyFile {
    fn size(&mut self) -> io::Result<u64> {
        self.inner.size()
    }
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.inner.read_at(offset, buf)
    }
    fn write_at(&mut self, offset: u64, buf: &[u8]) -> io::Result<()> {
        let mut f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        f.op()?;
        f.writes += 1;
        let fail = f.fail_write == Some(f.writes) || (f.sticky && f.fired && f.fail_write.is_some());
        if fail {
            f.fired = true;
            let (short, full) = (f.short_write, f.disk_full);
            drop(f);
            if short && buf.len() > 1 {
                self.inner.write_at(offset, &buf[..buf.len() / 2])?;
            }
            return Err(injected(full));
        }
        drop(f);
        self.inner.write_at(offset, buf)
    }
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.faults.lock().map_err(|_| io::Error::other("poisoned"))?.op()?;
        self.inner.set_len(len)
    }
    fn sync(&mut self) -> io::Result<()> {
        let mut f = self.faults.lock().map_err(|_| io::Error::other("poisoned"))?;
        f.op()?;
        f.syncs += 1;
        if f.fail_sync == Some(f.syncs) {
            f.fired = true;
            return Err(io::Error::other("injected fsync failure"));
        }
        self.inner.sync()?;
        let len = self.inner.size()?;
        let mut bytes = vec![0u8; len as usize];
        self.inner.read_at(0, &mut bytes)?;
        f.durable.synced.insert(self.inode, bytes);
        Ok(())
    }
    fn try_lock(&mut self, exclusive: bool) -> io::Result<bool> {
        self.inner.try_lock(exclusive)
    }
}
