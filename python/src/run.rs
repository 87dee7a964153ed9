//! Engine work with the GIL released, and Ctrl-C.
//!
//! Python runs signal handlers only in the main thread, and only while that
//! thread runs Python code. So on the main thread the work runs on a helper
//! thread while the main thread waits with the GIL released, waking every
//! few milliseconds to let Python handle signals: on Ctrl-C the statement's
//! cancel flag is set, the helper stops (the statement undone) and the
//! KeyboardInterrupt is raised. On any other thread the work runs right there,
//! the GIL released.

use std::sync::atomic::Ordering;
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

/// Runs `f` with the GIL released; `interrupt` is its cancel flag (set on Ctrl-C).
pub fn run<T, F>(py: Python<'_>, interrupt: &Interrupt, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> T + Send,
{
    if !on_main_thread(py)? {
        return Ok(py.detach(f));
    }
    let slot: Arc<(Mutex<Option<T>>, Condvar)> = Arc::new((Mutex::new(None), Condvar::new()));
    std::thread::scope(|scope| {
        let out = slot.clone();
        let worker = std::thread::Builder::new()
            .name("quiver-query".into())
            .stack_size(STACK)
            .spawn_scoped(scope, move || {
                let value = f();
                let (m, cv) = &*out;
                *m.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
                cv.notify_all();
            })
            .map_err(|e| PyRuntimeError::new_err(format!("cannot start a thread for the query: {e}")))?;
        let wait = |timeout: Option<Duration>| -> Option<T> {
            let (m, cv) = &*slot;
            let mut guard = m.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(v) = guard.take() {
                    return Some(v);
                }
                if worker.is_finished() {
                    return None;
                }
                match timeout {
                    Some(t) => {
                        let (g, res) = cv.wait_timeout(guard, t).unwrap_or_else(|e| e.into_inner());
                        guard = g;
                        if res.timed_out() {
                            return guard.take();
                        }
                    }
                    None => guard = cv.wait_timeout(guard, POLL).unwrap_or_else(|e| e.into_inner()).0,
                }
            }
        };
        let outcome = loop {
            if let Some(v) = py.detach(|| wait(Some(POLL))) {
                break Ok(v);
            }
            if worker.is_finished() {
                // It ended without an answer: it panicked.
                break Err(PyRuntimeError::new_err(
                    "the query failed inside quiver (a bug: please report it)",
                ));
            }
            if let Err(e) = py.check_signals() {
                interrupt.store(true, Ordering::SeqCst);
                let _ = py.detach(|| wait(None));
                break Err(e);
            }
        };
        let _ = worker.join();
        outcome
    })
}
