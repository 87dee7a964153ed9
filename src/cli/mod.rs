//! The command-line front end (binary only): argument parsing, batch runs,
//! the interactive shell, and output formats.

pub mod args;
pub mod batch;
pub mod format;
pub mod lines;
pub mod repl;
pub mod runner;
#[cfg(test)]
mod tests;

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::CommandFactory;
use quiver::Database;

use args::{split_param, Args};
use runner::Runner;

/// Runs quiver as the command line asks; returns the exit status
/// (0 fine, 1 a statement failed, 2 a usage error).
pub fn main() -> i32 {
    let (args, actions) = Args::parse_with_actions();
    if let Some(tool) = &args.tool {
        return run_tool(tool);
    }
    let db = match &args.database {
        Some(path) => {
            let mut options = quiver::OpenOptions {
                read_only: args.read_only,
                ..quiver::OpenOptions::default()
            };
            if let Some(bytes) = args.checkpoint_after {
                options.checkpoint_min_bytes = bytes;
            }
            match Database::open_with(path, &options) {
                Ok(db) => db,
                Err(e) => {
                    eprintln!("quiver: {e}");
                    return 1;
                }
            }
        }
        None => Database::in_memory(),
    };
    let interrupt = db.interrupt_flag();
    let mut runner = Runner::new(db, Box::new(io::stdout()), Box::new(io::stderr()));
    runner.format = args.format.unwrap_or_default();
    runner.keep_going = args.keep_going;
    for p in &args.param {
        let Some((name, lit)) = split_param(p) else {
            usage_error(&format!(
                "invalid value '{p}' for '--param <NAME=LIT>': expected NAME=LIT, e.g. --param name=\"'Ada'\""
            ));
        };
        match runner.eval_literal(&lit) {
            Ok(v) => {
                runner.params.insert(name, v);
            }
            Err(runner::Failure::Query(e)) => usage_error(&format!("invalid value for '--param {name}': {e}")),
            Err(runner::Failure::Internal(m)) => usage_error(&format!("invalid value for '--param {name}': {m}")),
        }
    }
    let interactive = actions.is_empty() && io::stdin().is_terminal();
    if !interactive {
        // The shell installs its own once the line editor is set up (which
        // replaces any SIGINT handler).
        install_interrupt_handler(interrupt, runner.running.clone(), false);
    }

    let mut stopped = false;
    for f in &args.load {
        if batch::run_load(&mut runner, &f.to_string_lossy()).is_err() {
            stopped = true;
            break;
        }
    }
    if interactive {
        runner.fit_tables = io::stdout().is_terminal();
        return repl::run(runner);
    }
    runner.warnings();
    if !stopped {
        let _ = if actions.is_empty() {
            batch::run_stdin(&mut runner)
        } else {
            batch::run_actions(&mut runner, &actions)
        };
    }
    if runner::Engine::in_transaction(&runner.db) {
        let _ = runner.db.rollback();
        runner.err("quiver: a transaction was still open at the end: it was rolled back (:commit makes it stick)\n");
        runner.failed = true;
    }
    let Runner { db, failed, .. } = runner;
    if let Err(e) = db.close() {
        eprintln!("quiver: closing the database: {e}");
        return 1;
    }
    if failed {
        1
    } else {
        0
    }
}

/// `quiver check FILE` and `quiver dump FILE`.
fn run_tool(tool: &args::Tool) -> i32 {
    match tool {
        args::Tool::Check { file } => match quiver::storage::check::check(&quiver::storage::file::RealFs, file) {
            Ok(report) => {
                print!("{report}");
                0
            }
            Err(e) => {
                eprintln!("quiver: {e}");
                1
            }
        },
        args::Tool::Dump { file, output } => {
            let options = quiver::OpenOptions {
                read_only: true,
                ..quiver::OpenOptions::default()
            };
            let db = match Database::open_with(file, &options) {
                Ok(db) => db,
                Err(e) => {
                    eprintln!("quiver: {e}");
                    return 1;
                }
            };
            let written = match output {
                Some(out) => std::fs::File::create(out).and_then(|mut f| {
                    db.dump(&mut f)?;
                    f.sync_all()
                }),
                None => db.dump(&mut io::stdout().lock()),
            };
            match written {
                Ok(()) => 0,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    eprintln!("quiver: cannot write the dump: {e}");
                    1
                }
            }
        }
    }
}

/// Reports a usage error the way clap does and exits with status 2.
fn usage_error(msg: &str) -> ! {
    Args::command()
        .error(clap::error::ErrorKind::ValueValidation, msg)
        .exit()
}

/// Ctrl-C cancels the running statement (a second one quits); with nothing
/// running it quits, except in the shell, where the line editor handles it.
pub fn install_interrupt_handler(flag: Arc<AtomicBool>, running: Arc<AtomicBool>, interactive: bool) {
    let _ = ctrlc::set_handler(move || {
        if running.load(Ordering::SeqCst) {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            if interactive {
                // End the line the terminal echoed "^C" on.
                eprintln!();
            }
        } else if !interactive {
            std::process::exit(130);
        }
    });
}
