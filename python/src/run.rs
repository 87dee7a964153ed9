//! Engine work with the GIL released, and Ctrl-C.
//!
//! Python runs signal handlers only in the main thread, and only while that
//! thread runs Python code. So on the main thread the work runs on a helper
//! thread while the main thread waits with the GIL released, waking every
//! few milliseconds to let Python handle signals: on Ctrl-C the statement's
//! cancel flag is set, the helper stops (the statement undone) and the
//! KeyboardInterrupt is raised. On any other thread the work runs right there,
//! the GIL released.
//!
//! The helper is one long-lived thread (started on first use, again after a
//! fork): starting a thread per statement costs far more than a short
//! statement does (hundreds of microseconds against tens). When it is busy —
//! a signal handler running a statement while the main thread waits for
//! another — the work gets a thread of its own.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use quiver::Interrupt;

static MAIN_THREAD: PyOnceLock<u64> = PyOnceLock::new();
static GET_IDENT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let main = *MAIN_THREAD.get_or_try_init(py, || -> PyResult<u64> {
        py.import("threading")?
            .call_method0("main_thread")?
            .getattr("ident")?
            .extract()
    })?;
    let get_ident = GET_IDENT.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("threading")?.getattr("get_ident")?.unbind())
    })?;
    let me: u64 = get_ident.bind(py).call0()?.extract()?;
    Ok(me == main)
}

/// How often the waiting main thread looks for signals.
const POLL: Duration = Duration::from_millis(20);

/// The engine's stack: deep expressions recurse.
const STACK: usize = 16 << 20;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The helper thread's queue, and the process it was started in (a forked
/// child has no helper thread: it starts its own).
struct Helper {
    pid: u32,
    jobs: Sender<Job>,
}

static HELPER: Mutex<Option<Helper>> = Mutex::new(None);
/// Whether a statement is on the helper (or waiting for its result).
static BUSY: AtomicBool = AtomicBool::new(false);

fn start_helper() -> std::io::Result<Helper> {
    let (jobs, queue) = channel::<Job>();
    std::thread::Builder::new()
        .name("quiver-query".into())
        .stack_size(STACK)
        .spawn(move || {
            for job in queue {
                job(); // it catches its own panics (see `run`)
            }
        })?;
    Ok(Helper {
        pid: std::process::id(),
        jobs,
    })
}

/// Hands `job` to the helper thread, marking it busy (the caller clears BUSY
/// once the result is in); gives the job back when the helper is busy — a
/// statement run by a signal handler while the main thread waits for another
/// — or cannot be started.
fn to_helper(job: Job) -> Result<(), Job> {
    if BUSY
        .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return Err(job);
    }
    let mut guard = HELPER.lock().unwrap_or_else(|e| e.into_inner());
    if guard.as_ref().is_none_or(|h| h.pid != std::process::id()) {
        match start_helper() {
            Ok(h) => *guard = Some(h),
            Err(_) => {
                BUSY.store(false, Ordering::Release);
                return Err(job);
            }
        }
    }
    let sent = guard.as_ref().expect("just set").jobs.send(job);
    sent.map_err(|e| {
        *guard = None; // the helper is gone: the next statement starts another
        BUSY.store(false, Ordering::Release);
        e.0
    })
}

/// Where a statement's result lands.
enum State<T> {
    Running,
    Done(T),
    Panicked,
}

type Slot<T> = Arc<(Mutex<State<T>>, Condvar)>;

fn finish<T>(slot: &Slot<T>, state: State<T>) {
    let (m, cv) = &**slot;
    *m.lock().unwrap_or_else(|e| e.into_inner()) = state;
    cv.notify_all();
}

/// Waits for the result, up to `timeout` (None: as long as it takes).
/// Some(Ok) is the result, Some(Err) a panic, None still running.
fn wait<T>(slot: &Slot<T>, timeout: Option<Duration>) -> Option<Result<T, ()>> {
    let (m, cv) = &**slot;
    let mut guard = m.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        match std::mem::replace(&mut *guard, State::Running) {
            State::Done(v) => return Some(Ok(v)),
            State::Panicked => return Some(Err(())),
            State::Running => {}
        }
        match timeout {
            Some(t) => {
                let (g, res) = cv.wait_timeout(guard, t).unwrap_or_else(|e| e.into_inner());
                guard = g;
                if res.timed_out() {
                    return match std::mem::replace(&mut *guard, State::Running) {
                        State::Done(v) => Some(Ok(v)),
                        State::Panicked => Some(Err(())),
                        State::Running => None,
                    };
                }
            }
            None => guard = cv.wait(guard).unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// Runs `f` with the GIL released; `interrupt` is its cancel flag (set on Ctrl-C).
pub fn run<T, F>(py: Python<'_>, interrupt: &Interrupt, f: F) -> PyResult<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if !on_main_thread(py)? {
        return Ok(py.detach(f));
    }
    let slot: Slot<T> = Arc::new((Mutex::new(State::Running), Condvar::new()));
    let out = slot.clone();
    let job: Job = Box::new(move || match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => finish(&out, State::Done(v)),
        Err(_) => finish(&out, State::Panicked),
    });
    let on_helper = match to_helper(job) {
        Ok(()) => true,
        Err(job) => {
            std::thread::Builder::new()
                .name("quiver-query".into())
                .stack_size(STACK)
                .spawn(job)
                .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread for the query: {e}")))?;
            false
        }
    };
    let outcome = loop {
        if let Some(r) = py.detach(|| wait(&slot, Some(POLL))) {
            break r.map_err(|()| PyRuntimeError::new_err("the query failed inside quiver (a bug: please report it)"));
        }
        if let Err(e) = py.check_signals() {
            interrupt.store(true, Ordering::SeqCst);
            let _ = py.detach(|| wait(&slot, None));
            break Err(e);
        }
    };
    if on_helper {
        BUSY.store(false, Ordering::Release);
    }
    outcome
}
