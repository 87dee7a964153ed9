//! The progress bar of a bulk import, on standard error: it appears only
//! when a load takes longer than a moment, and never when standard error is
//! not a terminal.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use quiver::import::Progress;

/// How long a load runs before its bar appears.
const DELAY: Duration = Duration::from_millis(300);

pub struct Bar {
    enabled: bool,
    started: Instant,
    total: u64,
    bar: Option<ProgressBar>,
}

impl Bar {
    /// A bar that shows only if standard error is a terminal.
    pub fn on_stderr() -> Bar {
        Bar {
            enabled: std::io::stderr().is_terminal(),
            started: Instant::now(),
            total: 0,
            bar: None,
        }
    }
}

impl Progress for Bar {
    fn begin(&mut self, total_bytes: u64) {
        self.total = total_bytes;
        self.started = Instant::now();
    }

    fn advance(&mut self, bytes_done: u64) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= DELAY {
            let bar = ProgressBar::with_draw_target(Some(self.total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "importing [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            self.bar = Some(bar);
        }
        if let Some(b) = &self.bar {
            b.set_position(bytes_done);
        }
    }

    fn end(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
