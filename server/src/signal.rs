//! Waiting for the signal that stops a server: SIGINT (Ctrl-C) or SIGTERM.

use std::io;

/// The handlers for SIGINT and SIGTERM, installed; [`ShutdownSignal::wait`]
/// blocks until one arrives. Install them before telling anyone the server
/// is up, so that a signal sent right after is never lost.
pub struct ShutdownSignal {
    runtime: tokio::runtime::Runtime,
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl ShutdownSignal {
    pub fn install() -> io::Result<ShutdownSignal> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let signals = {
                let _guard = runtime.enter();
                (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?)
            };
            Ok(ShutdownSignal { runtime, signals })
        }
        #[cfg(not(unix))]
        Ok(ShutdownSignal { runtime })
    }

    /// Blocks until SIGINT or SIGTERM arrives; returns its name.
    pub fn wait(mut self) -> &'static str {
        #[cfg(unix)]
        {
            let (term, int) = &mut self.signals;
            self.runtime.block_on(async {
                tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                }
            })
        }
        #[cfg(not(unix))]
        {
            let _ = self.runtime.block_on(tokio::signal::ctrl_c());
            "Ctrl-C"
        }
    }
}
