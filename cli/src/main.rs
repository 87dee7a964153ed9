//! The `quiver` command (see `quiver --help`): argument parsing, batch
//! runs, the interactive shell, and output formats, on top of the engine
//! crate `quiver`.

// The library's `Error` is large by design (position, source line, hint).
#![allow(clippy::result_large_err)]

pub mod args;
pub mod batch;
pub mod format;
pub mod lines;
pub mod progress;
pub mod repl;
pub mod runner;
pub mod serve;
#[cfg(test)]
mod tests;

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use clap::CommandFactory;
use quiver::Database;

use args::{split_param, Args, ImportArgs};
use runner::Runner;

/// Runs quiver as the command line asks; returns the exit status
/// (0 fine, 1 a statement failed, 2 a usage error).
fn run() -> i32 {
    let (args, actions) = Args::parse_with_actions();
    if let Some(tool) = &args.tool {
        return run_tool(tool);
    }
    let db = match &args.database {
        Some(path) => {
            let mut options = quiver::OpenOptions {
                read_only: args.read_only,
                busy_timeout: args.busy_timeout.map(std::time::Duration::from_millis),
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
    let mut runner = Runner::new(db, Box::new(io::stdout()), Box::new(io::stderr()));
    let interrupt = runner.interrupt.clone();
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

    let load_spec = (!args.load_nodes.is_empty() || !args.load_relationships.is_empty()).then(|| {
        ImportArgs {
            nodes: args.load_nodes.clone(),
            relationships: args.load_relationships.clone(),
            delimiter: args.load_delimiter.clone(),
            array_delimiter: ";".into(),
            ..ImportArgs::default()
        }
        .spec()
        .unwrap_or_else(|m| usage_error(&m))
    });
    let mut stopped = false;
    if let Some(spec) = &load_spec {
        // Quiet, like --load: the statements that follow show what was loaded.
        stopped = runner.run_import(spec, true).is_err();
    }
    if !stopped {
        for f in &args.load {
            if batch::run_load(&mut runner, &f.to_string_lossy()).is_err() {
                stopped = true;
                break;
            }
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
    if let Err(e) = db.close_for_exit() {
        eprintln!("quiver: closing the database: {e}");
        return 1;
    }
    if failed {
        1
    } else {
        0
    }
}

/// `quiver check FILE`, `quiver dump FILE`, `quiver import ... FILE`, `quiver serve`, `quiver mcp`.
fn run_tool(tool: &args::Tool) -> i32 {
    match tool {
        args::Tool::Import(import) => import_command(import),
        args::Tool::Serve(args) => serve::serve(args),
        args::Tool::Mcp(args) => serve::mcp(args),
        args::Tool::Check { file } => match quiver::storage::check::check(&quiver::storage::file::RealFs, file) {
            Ok(report) => {
                use std::io::Write;
                // A reader that stops early (`| head`) is not an error.
                match write!(io::stdout().lock(), "{report}") {
                    Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                        eprintln!("quiver: cannot write the report: {e}");
                        1
                    }
                    _ => 0,
                }
            }
            Err(e) => {
                eprintln!("quiver: {e}");
                1
            }
        },
        args::Tool::Dump { file, output, format } => {
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
            if *format == args::DumpFormat::Neo4jAdmin {
                return dump_neo4j_admin(&db, output.as_deref());
            }
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

/// `quiver dump FILE --format neo4j-admin -o DIR`.
fn dump_neo4j_admin(db: &Database, dir: Option<&std::path::Path>) -> i32 {
    let Some(dir) = dir else {
        eprintln!("quiver: dump --format neo4j-admin writes several files: name a directory for them with -o DIR");
        return 2;
    };
    match db.dump_neo4j_admin(dir) {
        Ok(dump) => {
            eprintln!(
                "quiver: wrote {} nodes and {} relationships in {} files to {}; load them into a new Neo4j database with {}",
                dump.nodes,
                dump.relationships,
                dump.node_files.len() + dump.relationship_files.len(),
                dir.display(),
                dir.join("import.sh").display()
            );
            if dump.empty_lists_left_out > 0 {
                eprintln!(
                    "quiver: warning: {} empty-list properties left out (the import files cannot hold an empty list)",
                    dump.empty_lists_left_out
                );
            }
            0
        }
        Err(e) => {
            eprintln!("quiver: cannot dump: {e}");
            1
        }
    }
}

/// `quiver import ... FILE`: bulk-loads files into the database FILE.
fn import_command(import: &ImportArgs) -> i32 {
    let spec = import.spec().unwrap_or_else(|m| import_usage_error(&m));
    let Some(file) = &import.database else {
        import_usage_error(
            "quiver import needs the database FILE to import into; to load files into an in-memory \
             session instead, run quiver --load-nodes FILE --load-relationships FILE -c '...'",
        );
    };
    // Open (or create) FILE: another process holding it gets DatabaseLocked
    // at once. The import is one commit, written to the log only when every
    // row loaded; closing checkpoints it into the file.
    let existed = file.exists();
    let db = match Database::open(file) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("quiver: {e}");
            return 1;
        }
    };
    let mut runner = Runner::new(db, Box::new(io::stdout()), Box::new(io::stderr()));
    install_interrupt_handler(runner.interrupt.clone(), runner.running.clone(), false);
    let failed = runner.run_import(&spec, false).is_err();
    runner.warnings();
    let Runner { db, .. } = runner;
    if let Err(e) = db.close_for_exit() {
        eprintln!("quiver: closing the database: {e}");
        return 1;
    }
    if failed {
        if !existed {
            // Nothing was loaded: leave no empty database behind either.
            let _ = std::fs::remove_file(quiver::storage::wal_path(file));
            let _ = std::fs::remove_file(file);
        }
        return 1;
    }
    0
}

fn import_usage_error(msg: &str) -> ! {
    let mut cmd = Args::command();
    let sub = cmd
        .find_subcommand_mut("import")
        .expect("import is a subcommand")
        .clone();
    sub.bin_name("quiver import")
        .error(clap::error::ErrorKind::ValueValidation, msg)
        .exit()
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

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, which libmimalloc-sys does not name (mimalloc.h,
/// v2 and v3: just before `use_numa_nodes`, 16, which it does).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the system at once rather than a second later: a large
/// transient (an index build, a checkpoint's arrays) is otherwise still held when the
/// next one is made, and the two add up (the 1M/10M benchmark process: 493 MB -> 284 MB).
fn return_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's integer options; any value is valid.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) }
}

fn main() {
    return_freed_memory_at_once();
    std::process::exit(run());
}
