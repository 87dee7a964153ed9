//! The main file: a base (`store/base`), written whole beside the old one
//! and renamed over it, then read in place through a memory map — opening
//! it reads its header, metadata and directory, nothing else. A file of the
//! first format (version 1) is decoded into a base in memory instead, and
//! rewritten as a base at the next checkpoint.

use std::path::Path;

use super::file::Fs;
use super::{corrupt, io_error, legacy, tmp_path, unsupported};
use crate::error::Error;
use crate::store::base::{self, Backing, Base, Built, Layout};
use crate::store::Catalog;

/// An opened main file.
pub struct Main {
    pub base: Base,
    /// The file's size in bytes.
    pub size: u64,
    /// `Some(codec)` for a file of the first format, held in memory.
    pub legacy: Option<u32>,
}

/// What kind of main file `head` (its first bytes) starts.
fn version_of(path: &Path, head: &[u8]) -> Result<u32, Error> {
    if head.len() < 12 || &head[0..8] != base::MAGIC {
        let what = if head.starts_with(b"SQLite format 3\0") {
            "it is an SQLite database".to_string()
        } else if head.starts_with(super::wal::MAGIC) {
            "it is a quiver log (-wal) file; open the main file instead".to_string()
        } else {
            "it does not start with quiver's magic bytes".to_string()
        };
        return Err(unsupported(path, &format!("not a quiver database: {what}")));
    }
    let version = u32::from_le_bytes(head[8..12].try_into().expect("4 bytes"));
    if version > base::VERSION {
        return Err(unsupported(
            path,
            &format!(
                "written by a newer quiver (file format version {version}; this quiver reads version {} and older)",
                base::VERSION
            ),
        ));
    }
    if version == 0 {
        return Err(corrupt(path, 8, "format version 0"));
    }
    Ok(version)
}

/// Opens the main file at `path`, mapping its names into `catalog`.
pub fn open(fs: &dyn Fs, path: &Path, catalog: &Catalog) -> Result<Main, Error> {
    let mut file = fs
        .open(path, true, false)
        .map_err(|e| io_error(path, None, "open", &e))?;
    let size = file.size().map_err(|e| io_error(path, None, "stat", &e))?;
    let mut head = vec![0u8; (size as usize).min(base::HEADER_LEN)];
    file.read_at(0, &mut head)
        .map_err(|e| io_error(path, Some(0), "read", &e))?;
    drop(file);
    if version_of(path, &head)? == legacy::VERSION {
        let (header, base, size) = legacy::read_snapshot(fs, path, catalog)?;
        return Ok(Main {
            base,
            size,
            legacy: Some(header.codec),
        });
    }
    if (size as usize) < base::PAGE {
        return Err(corrupt(path, size, "the file ends inside its first page"));
    }
    let map = fs.map(path).map_err(|e| io_error(path, None, "map", &e))?;
    let base = Base::open(Backing::Mapped(map), catalog).map_err(|(at, what)| corrupt(path, at, &what))?;
    Ok(Main {
        base,
        size,
        legacy: None,
    })
}

/// Writes `built` to `path` atomically: a temporary file beside it, fsync,
/// rename, directory fsync. Returns the file's size. On failure, `true`
/// when the rename may have happened (the directory could not be synced):
/// the caller must then assume either file.
pub fn write(fs: &dyn Fs, path: &Path, dir: &Path, built: Built) -> Result<u64, (Error, bool)> {
    let layout = Layout::new(built);
    let len = layout.len as u64;
    let tmp = tmp_path(path);
    let written = (|| {
        let mut f = fs
            .open(&tmp, false, true)
            .map_err(|e| io_error(&tmp, None, "create", &e))?;
        f.set_len(0).map_err(|e| io_error(&tmp, Some(0), "truncate", &e))?;
        f.write_at(0, &layout.header)
            .map_err(|e| io_error(&tmp, Some(0), "write", &e))?;
        let at = base::PAGE as u64;
        f.write_at(at, &layout.meta)
            .map_err(|e| io_error(&tmp, Some(at), "write", &e))?;
        for (at, bytes) in &layout.sections {
            if !bytes.is_empty() {
                f.write_at(*at as u64, bytes)
                    .map_err(|e| io_error(&tmp, Some(*at as u64), "write", &e))?;
            }
        }
        f.set_len(layout.len as u64)
            .map_err(|e| io_error(&tmp, Some(layout.len as u64), "extend", &e))?;
        f.sync().map_err(|e| io_error(&tmp, None, "fsync", &e))?;
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs.remove(&tmp);
        return Err((e, false));
    }
    drop(layout);
    if let Err(e) = fs.rename(&tmp, path) {
        let _ = fs.remove(&tmp);
        return Err((io_error(path, None, "rename a new base onto", &e), false));
    }
    // From here on the rename may or may not survive a crash: if the
    // directory cannot be synced, the log must stay as it is.
    fs.sync_dir(dir)
        .map_err(|e| (io_error(dir, None, "fsync the directory", &e), true))?;
    Ok(len)
}
