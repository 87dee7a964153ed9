//! One writer process at a time: the writer holds an exclusive OS lock
//! (`flock` on Unix, through std's `File::try_lock`) on the log file, which
//! is never renamed or deleted (the main file is replaced at each checkpoint,
//! so a lock on it would stay with the old file). `--read-only` openers hold
//! a shared lock: they exclude a writer and are excluded by one. Nobody
//! waits: a lock that is taken is an error at once.

use std::path::Path;

use super::file::FileHandle;
use super::io_error;
use crate::error::{Error, ErrorKind, Phase};

pub fn acquire(file: &mut dyn FileHandle, main: &Path, lock_path: &Path, exclusive: bool) -> Result<(), Error> {
    match file.try_lock(exclusive) {
        Ok(true) => Ok(()),
        Ok(false) => {
            let who = if exclusive {
                "another quiver process has it open"
            } else {
                "a writer has it open (--read-only opens a database only while no writer has it; close the writer or open read-only later)"
            };
            Err(Error::new(
                ErrorKind::IoError,
                "DatabaseLocked",
                Phase::Runtime,
                format!(
                    "{} is locked: {who} (lock held on {})",
                    main.display(),
                    lock_path.display()
                ),
            ))
        }
        Err(e) => Err(io_error(lock_path, None, "lock", &e)),
    }
}
