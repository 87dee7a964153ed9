//! `quiver serve` (Bolt and the HTTP Query API) and `quiver mcp` (the
//! Model Context Protocol on standard input and output).

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, ToSocketAddrs};
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
    if args.open && http_addrs.is_none() {
        return usage("--open needs the HTTP server, which serves the browser page: drop --http off");
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
    if let Some(a) = http_addr {
        let url = page_url(a);
        eprintln!("quiver: the browser page is at {url}");
        if args.open {
            if let Err(m) = open_browser(&url) {
                eprintln!("quiver: --open: {m}; open {url} yourself");
            }
        }
    }
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

/// The page's address: a wildcard listen address is reached on loopback.
fn page_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// The commands that may open a URL, best first: each entry of $BROWSER
/// (separated by `:`, `%s` standing for the URL as in the convention
/// xdg-utils follows), then the desktop's openers.
fn browser_commands(browser_env: Option<&str>, url: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for entry in browser_env
        .unwrap_or("")
        .split(':')
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let mut words: Vec<String> = entry.split_whitespace().map(str::to_string).collect();
        if words.iter().any(|w| w.contains("%s")) {
            for w in &mut words {
                *w = w.replace("%s", url);
            }
        } else {
            words.push(url.to_string());
        }
        out.push(words);
    }
    let openers: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["explorer"]
    } else {
        &["xdg-open", "sensible-browser", "x-www-browser", "www-browser"]
    };
    for o in openers {
        out.push(vec![o.to_string(), url.to_string()]);
    }
    out
}

/// Starts the first browser command that can be started (it runs on its
/// own; quiver does not wait for it).
fn open_browser(url: &str) -> Result<(), String> {
    let env = std::env::var("BROWSER").ok();
    for words in browser_commands(env.as_deref(), url) {
        let started = std::process::Command::new(&words[0])
            .args(&words[1..])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut child) = started {
            // Reap it in the background so it leaves no zombie.
            std::thread::spawn(move || {
                let _ = child.wait();
            });
            return Ok(());
        }
    }
    Err("no web browser found (set BROWSER to the command that starts one)".to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_of_a_wildcard_address_is_on_loopback() {
        assert_eq!(page_url("0.0.0.0:7474".parse().unwrap()), "http://127.0.0.1:7474/");
        assert_eq!(page_url("[::]:80".parse().unwrap()), "http://[::1]:80/");
        assert_eq!(
            page_url("192.168.1.2:7474".parse().unwrap()),
            "http://192.168.1.2:7474/"
        );
    }

    #[test]
    fn browser_entries_come_first_with_the_url_in_place_of_percent_s() {
        let u = "http://127.0.0.1:7474/";
        let c = browser_commands(Some("firefox --new-tab:  :chromium %s --incognito"), u);
        assert_eq!(c[0], ["firefox", "--new-tab", u]);
        assert_eq!(c[1], ["chromium", u, "--incognito"]);
        assert!(c.len() > 2, "the desktop openers follow");
        assert!(c[2..].iter().all(|w| w.len() == 2 && w[1] == u));
        assert_eq!(browser_commands(None, u).len(), c.len() - 2);
    }
}
