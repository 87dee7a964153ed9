//! One writer process at a time: the writer holds an exclusive OS lock
//! (`flock` on Unix, through std's `File::try_lock`) on the log file, which
//! is never renamed or deleted (the main file is replaced at each checkpoint,
//! so a lock on it would stay with the old file). Readers take no lock: they
//! read beside the writer. A second writer fails at once with
//! `DatabaseLocked`, or waits up to its busy timeout for the lock.

use std::path::Path;
use std::time::{Duration, Instant};

use super::file::FileHandle;
use super::io_error;
use crate::error::{Error, ErrorKind, Phase};

pub fn acquire(file: &mut dyn FileHandle, main: &Path, lock_path: &Path, busy: Option<Duration>) -> Result<(), Error> {
    let started = Instant::now();
    let mut wait = Duration::from_millis(1);
    loop {
        match file.try_lock(true) {
            Ok(true) => return Ok(()),
            Ok(false) => {
                if let Some(limit) = busy {
                    let waited = started.elapsed();
                    if waited < limit {
                        std::thread::sleep(wait.min(limit - waited));
                        wait = (wait * 2).min(Duration::from_millis(50));
                        continue;
                    }
                }
                let waited = match busy {
                    Some(limit) => format!(" (waited {} ms)", limit.as_millis()),
                    None => String::new(),
                };
                return Err(Error::new(
                    ErrorKind::IoError,
                    "DatabaseLocked",
                    Phase::Runtime,
                    format!(
                        "{} is locked: another process has it open for writing{waited} (lock held on {}). Open it read-only to read beside that process, or wait for it with a busy timeout",
                        main.display(),
                        lock_path.display()
                    ),
                ));
            }
            Err(e) => return Err(io_error(lock_path, None, "lock", &e)),
        }
    }
}
