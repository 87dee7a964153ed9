//! The official drivers against the Bolt server over the in-memory test
//! backend: the Python driver (`neo4j`, pinned in drivers/requirements.txt)
//! and the JavaScript driver (`neo4j-driver`, pinned in drivers/package.json),
//! each in several configurations (negotiated versions).
//!
//! Needs a Python with the `neo4j` package (`QUIVER_TEST_PYTHON`, else
//! `python3`) and `node` with `drivers/node_modules`; without them the test
//! says how to install them and passes. `QUIVER_DRIVER_VERBOSE=1` shows the
//! scripts' whole output.

#[path = "support/memory_backend.rs"]
#[allow(dead_code)]
mod memory_backend;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use memory_backend::MemoryBackend;
use quiver_server::{BoltConfig, BoltServer, Version};

/// Straight to stderr, past the test harness's capture, so CI logs show it.
fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn drivers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/drivers")
}

/// A server configuration and the version the drivers should end up on.
struct Setup {
    name: &'static str,
    config: BoltConfig,
    expect: &'static str,
    large: bool,
}

fn setups() -> Vec<Setup> {
    let only = |versions: &[Version], manifest: bool| BoltConfig {
        versions: versions.to_vec(),
        handshake_manifest: manifest,
        telemetry_hint: true,
        ..BoltConfig::default()
    };
    vec![
        Setup {
            name: "manifest handshake, 5.8",
            config: only(Version::SUPPORTED, true),
            expect: "5.8",
            large: true,
        },
        Setup {
            name: "legacy handshake, up to 5.4",
            config: only(&Version::SUPPORTED[3..], false),
            expect: "5.4",
            large: false,
        },
        Setup {
            name: "5.6 (no GQL-shaped failures yet)",
            config: only(&[Version::V5_6], false),
            expect: "5.6",
            large: false,
        },
        Setup {
            name: "5.1 (the first with LOGON)",
            config: only(&[Version::V5_1], false),
            expect: "5.1",
            large: false,
        },
        Setup {
            name: "5.0 (authentication in HELLO)",
            config: only(&[Version::V5_0], false),
            expect: "5.0",
            large: false,
        },
        Setup {
            name: "4.4 with the utc patch",
            config: only(&[Version::V4_4], true),
            expect: "4.4",
            large: false,
        },
        Setup {
            name: "4.4 without the utc patch (legacy date-times)",
            config: BoltConfig {
                utc_patch: false,
                ..only(&[Version::V4_4], false)
            },
            expect: "4.4",
            large: false,
        },
    ]
}

fn start(config: BoltConfig) -> BoltServer {
    let backend = Arc::new(
        MemoryBackend::new("neo4j", "quiver-test", Duration::from_millis(200)).with_user("reader", "reader-test"),
    );
    BoltServer::start(backend, "127.0.0.1:0", config).expect("the listener starts")
}

/// Runs one driver script against a fresh server per setup.
fn run_driver(label: &str, command: impl Fn() -> Command) {
    let mut failures = Vec::new();
    for setup in setups() {
        let server = start(setup.config);
        let mut cmd = command();
        cmd.env("QUIVER_BOLT_ADDR", server.local_addr().to_string())
            .env("QUIVER_BOLT_EXPECT", setup.expect)
            .env("QUIVER_BOLT_LARGE", if setup.large { "1" } else { "0" })
            .current_dir(drivers_dir());
        let out = cmd.output().unwrap_or_else(|e| panic!("{label}: cannot run: {e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stdout.lines().last().unwrap_or("(no output)");
        say(&format!("{label} [{}]: {last}", setup.name));
        if !out.status.success() || std::env::var_os("QUIVER_DRIVER_VERBOSE").is_some() {
            say(&format!("{stdout}\n{stderr}"));
        }
        if !out.status.success() {
            failures.push(setup.name);
        }
    }
    assert!(failures.is_empty(), "{label} failed with: {failures:?}");
}

fn python() -> Option<String> {
    // QUIVER_TEST_PYTHON, else the venv .ci/run makes, else python3.
    let venv = drivers_dir().join(".venv/bin/python");
    let python = std::env::var("QUIVER_TEST_PYTHON").unwrap_or_else(|_| {
        if venv.is_file() {
            venv.to_string_lossy().into_owned()
        } else {
            "python3".into()
        }
    });
    let ok = Command::new(&python)
        .args(["-c", "import neo4j"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

#[test]
fn python_driver() {
    let Some(python) = python() else {
        say(
            "python_driver skipped: no Python with the `neo4j` package (run `python3 -m venv /tmp/boltvenv && \
             /tmp/boltvenv/bin/pip install -r server/tests/drivers/requirements.txt` and set \
             QUIVER_TEST_PYTHON=/tmp/boltvenv/bin/python)",
        );
        return;
    };
    run_driver("python", || {
        let mut c = Command::new(&python);
        c.arg("test_driver.py");
        c
    });
}

#[test]
fn javascript_driver() {
    let has_node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_node || !drivers_dir().join("node_modules/neo4j-driver").is_dir() {
        say(
            "javascript_driver skipped: no `node` or no server/tests/drivers/node_modules \
             (run `cd server/tests/drivers && npm install`)",
        );
        return;
    }
    run_driver("javascript", || {
        let mut c = Command::new("node");
        c.arg("test_driver.mjs");
        c
    });
}
