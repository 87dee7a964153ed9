//! The browser page of `quiver serve` in a real headless Chromium:
//! server/tests/page/test_page.mjs drives Debian's `chromium` with
//! playwright-core (from npm: `npm install` in server/tests/page; no browser
//! is downloaded). This test starts the servers it needs and runs it; where
//! node, playwright-core or chromium is missing it says so and passes
//! (`.ci/run` installs all three). `QUIVER_SCREENSHOTS=docs` refreshes the
//! README's screenshots; otherwise they go to a temporary directory.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A `quiver serve` over the event graph (HTTP only); killed when dropped.
struct Server {
    child: Child,
    http: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let fixture = root().join("fixtures/gaza_isf.cypher");
        let mut child = Command::new(env!("CARGO_BIN_EXE_quiver"))
            .args(["serve", "--bolt", "off", "--http", "127.0.0.1:0", "--load"])
            .arg(fixture)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("quiver starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let http = line
            .trim()
            .strip_prefix("http://")
            .unwrap_or_else(|| panic!("expected the HTTP address, got {line:?}"))
            .to_string();
        Server {
            child,
            http,
            _stdout: stdout,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The system's Chromium: $QUIVER_CHROMIUM, else the first of the usual
/// names on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("QUIVER_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
        .find(|p| p.is_file())
}

#[test]
fn the_page_in_headless_chromium() {
    let dir = root().join("server/tests/page");
    if Command::new("node").arg("--version").output().is_err() {
        say("SKIPPED the browser page test: node is not installed");
        return;
    }
    if !dir.join("node_modules/playwright-core").is_dir() {
        say("SKIPPED the browser page test: run `npm install` in server/tests/page (playwright-core)");
        return;
    }
    let Some(browser) = chromium() else {
        say("SKIPPED the browser page test: no chromium (apt-get install chromium, or set QUIVER_CHROMIUM)");
        return;
    };
    let plain = Server::start(&[]);
    let guarded = Server::start(&["--auth", "neo4j:secret", "--read-only"]);
    let tmp = tempfile::tempdir().unwrap();
    let shots = match std::env::var("QUIVER_SCREENSHOTS") {
        Ok(d) if Path::new(&d).is_absolute() => PathBuf::from(d),
        Ok(d) => root().join(d),
        Err(_) => tmp.path().to_path_buf(),
    };
    let out = Command::new("node")
        .arg("test_page.mjs")
        .current_dir(&dir)
        .env("QUIVER_HTTP", &plain.http)
        .env("QUIVER_HTTP_AUTH", &guarded.http)
        .env("QUIVER_CHROMIUM", &browser)
        .env("QUIVER_SCREENSHOTS", &shots)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    say(&stdout);
    assert!(
        out.status.success(),
        "the page test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
    for shot in ["browser-event-graph.png", "browser-expand.png"] {
        let len = std::fs::metadata(shots.join(shot)).map_or(0, |m| m.len());
        assert!(len > 10_000, "{shot} was written ({len} bytes)");
    }
}
