//! Running without a terminal: `-c`, `-f` and statements piped to stdin.

use std::io;

use crate::args::Action;
use crate::runner::{Engine, Origin, Runner, Stop};

/// Runs the `-c` and `-f` actions in command-line order.
pub fn run_actions<E: Engine>(runner: &mut Runner<E>, actions: &[Action]) -> Result<(), Stop> {
    for a in actions {
        match a {
            Action::Command(q) => runner.run_text(q, Origin::Command, false)?,
            Action::File(f) => runner.run_file(f, false)?,
        }
    }
    Ok(())
}

/// Runs the statements on standard input as they arrive.
pub fn run_stdin<E: Engine>(runner: &mut Runner<E>) -> Result<(), Stop> {
    runner.run_stream(io::stdin().lock(), "<stdin>", false)
}

/// Runs a `--load` script: prints nothing unless it fails.
pub fn run_load<E: Engine>(runner: &mut Runner<E>, path: &str) -> Result<(), Stop> {
    runner.run_file(path, true)
}
