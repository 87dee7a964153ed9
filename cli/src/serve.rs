//! `quiver serve` (Bolt and the HTTP Query API) and `quiver mcp` (the
//! Model Context Protocol on standard input and output).

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use quiver::Database;
use quiver_server::mcp::McpServer;
use quiver_server::signal::ShutdownSignal;
use quiver_server::{BoltConfig, BoltServer, Engine, EngineConfig, HttpConfig, HttpServer};

use crate::args::{McpArgs, ServeArgs};
use crate::batch;
use crate::runner::Runner;

fn fail(msg: &str) -> i32 {
    eprintln!("quiver: {msg}");
    1
}

/// A usage error: status 2.
fn usage(msg: &str) -> i32 {
    eprintln!("quiver serve: {msg}");
    2
}

/// Opens FILE (read-only if asked) or an in-memory graph, then runs the
/// --load scripts (their output goes to standard error: standard output
/// starts with the addresses).
fn open(file: Option<&Path>, read_only: bool, load: &[std::path::PathBuf]) -> Result<Database, i32> {
    let db = match file {
        Some(path) => {
            let options = quiver::OpenOptions {
                read_only,
                ..quiver::OpenOptions::default()
            };
            Database::open_with(path, &options).map_err(|e| fail(&e.to_string()))?
        }
        None => Database::in_memory(),
    };
    if load.is_empty() {
        return Ok(db);
    }
    let mut runner = Runner::new(db, Box::new(io::stderr()), Box::new(io::stderr()));
    for f in load {
        if batch::run_load(&mut runner, &f.to_string_lossy()).is_err() {
            return Err(1);
        }
    }
    runner.warnings();
    let Runner { db, .. } = runner;
    Ok(db)
}

/// `HOST:PORT` resolved (`localhost:0` and the like); `None` for `off`.
fn resolve(flag: &str, addr: &str) -> Result<Option<Vec<SocketAddr>>, String> {
    if addr.eq_ignore_ascii_case("off") || addr.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| format!("invalid {flag} address '{addr}' ({e}): expected HOST:PORT such as 127.0.0.1:7687"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("{flag} address '{addr}' resolves to nothing"));
    }
    Ok(Some(addrs))
}

fn bind(flag: &str, addrs: &[SocketAddr]) -> Result<TcpListener, String> {
    TcpListener::bind(addrs).map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::AddrInUse {
            " (another server uses it: pick another port, or port 0 for a free one)"
        } else {
            ""
        };
        format!("cannot listen on {} for {flag}: {e}{hint}", addrs[0])
    })
}

/// Users from `--auth USER:PASSWORD`.
fn users(auth: &[String]) -> Result<Vec<(String, String)>, String> {
    auth.iter()
        .map(|a| match a.split_once(':') {
            Some((u, p)) if !u.is_empty() => Ok((u.to_string(), p.to_string())),
            _ => Err(format!(
                "invalid --auth '{}': expected USER:PASSWORD, e.g. --auth neo4j:secret",
                a.split(':').next().unwrap_or("")
            )),
        })
        .collect()
}

pub fn serve(args: &ServeArgs) -> i32 {
    let users = match users(&args.auth) {
        Ok(u) => u,
        Err(m) => return usage(&m),
    };
    let (bolt_addrs, http_addrs) = match (resolve("--bolt", &args.bolt), resolve("--http", &args.http)) {
        (Ok(b), Ok(h)) => (b, h),
        (Err(m), _) | (_, Err(m)) => return usage(&m),
    };
    if bolt_addrs.is_none() && http_addrs.is_none() {
        return usage("both --bolt and --http are off: there would be nothing to serve");
    }
    if users.is_empty() {
        for (flag, addrs) in [("--bolt", &bolt_addrs), ("--http", &http_addrs)] {
            if let Some(open) = addrs.iter().flatten().find(|a| !a.ip().is_loopback()) {
                return usage(&format!(
                    "refusing to listen on {open} ({flag}) without --auth: anyone who can reach it could read \
                     and change the graph. Add --auth USER:PASSWORD, or listen on 127.0.0.1"
                ));
            }
        }
    }
    let db = match open(args.database.as_deref(), args.read_only, &args.load) {
        Ok(db) => db,
        Err(status) => return status,
    };
    db.set_lock_timeout(Duration::from_millis(args.lock_timeout));
    let mut names = vec!["neo4j".to_string()];
    if let Some(stem) = args.database.as_ref().and_then(|p| p.file_stem()) {
        let stem = stem.to_string_lossy().to_string();
        if !stem.eq_ignore_ascii_case("neo4j") {
            names.push(stem);
        }
    }
    let engine = Engine::new(
        db,
        EngineConfig {
            users,
            names: names.clone(),
            read_only: args.read_only,
        },
    );
    let bolt_listener = match bolt_addrs.as_deref().map(|a| bind("--bolt", a)).transpose() {
        Ok(l) => l,
        Err(m) => return fail(&m),
    };
    let http_listener = match http_addrs.as_deref().map(|a| bind("--http", a)).transpose() {
        Ok(l) => l,
        Err(m) => return fail(&m),
    };
    // The handlers go in before anyone learns the addresses.
    let signal = match ShutdownSignal::install() {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot install the SIGINT/SIGTERM handlers: {e}")),
    };
    let bolt_addr = bolt_listener.as_ref().and_then(|l| l.local_addr().ok());
    let http_addr = http_listener.as_ref().and_then(|l| l.local_addr().ok());
    let max_connections = args.max_connections.max(1);
    let mut bolt = match bolt_listener {
        Some(l) => {
            let config = BoltConfig {
                max_connections,
                idle_timeout: (args.idle_timeout > 0).then(|| Duration::from_secs(args.idle_timeout)),
                ..BoltConfig::default()
            };
            match BoltServer::from_listener(Arc::new(engine.clone()), l, config) {
                Ok(s) => Some(s),
                Err(e) => return fail(&format!("cannot start the Bolt server: {e}")),
            }
        }
        None => None,
    };
    let mut http = match http_listener {
        Some(l) => {
            let config = HttpConfig {
                max_connections,
                bolt_address: bolt_addr.map(|a| a.to_string()),
                ..HttpConfig::default()
            };
            match HttpServer::start(engine.clone(), l, config) {
                Ok(s) => Some(s),
                Err(e) => return fail(&format!("cannot start the HTTP server: {e}")),
            }
        }
        None => None,
    };
    {
        let mut out = io::stdout().lock();
        if let Some(a) = bolt_addr {
            let _ = writeln!(out, "bolt://{a}");
        }
        if let Some(a) = http_addr {
            let _ = writeln!(out, "http://{a}");
        }
        let _ = out.flush();
    }
    let what = match &args.database {
        Some(p) => p.display().to_string(),
        None => "an in-memory graph".to_string(),
    };
    let (nodes, rels) = engine.database().counts();
    eprintln!(
        "quiver: serving {what} ({nodes} nodes, {rels} relationships) as database {}{}{}; \
         SIGINT (Ctrl-C) or SIGTERM stops",
        names.join(" and "),
        if engine.auth_required() {
            ""
        } else {
            ", without authentication"
        },
        if args.read_only { ", read-only" } else { "" },
    );
    let got = signal.wait();
    eprintln!("quiver: {got}: shutting down");
    // No new work (statements already running finish), what is open rolled
    // back; then stop accepting and checkpoint.
    let rolled_back = engine.shutdown();
    if rolled_back > 0 {
        eprintln!("quiver: rolled back {rolled_back} open transaction(s)");
    }
    if let Some(h) = http.as_mut() {
        h.stop();
    }
    if let Some(b) = bolt.as_mut() {
        b.stop();
    }
    if let Err(e) = engine.database().checkpoint() {
        return fail(&format!(
            "checkpoint at shutdown failed (the log keeps every commit): {e}"
        ));
    }
    let _ = io::stdout().flush();
    0
}

pub fn mcp(args: &McpArgs) -> i32 {
    // Without --allow-writes a FILE is opened read-only (beside a writer),
    // unless --load has to write into it.
    let read_only_file = !args.allow_writes && args.load.is_empty();
    let db = match open(
        args.database.as_deref(),
        read_only_file && args.database.is_some(),
        &args.load,
    ) {
        Ok(db) => db,
        Err(status) => return status,
    };
    match McpServer::new(db, args.allow_writes).serve_stdio() {
        Ok(()) => 0,
        Err(e) => fail(&e.to_string()),
    }
}
