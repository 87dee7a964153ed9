//! `quiver serve` and `quiver mcp` as a user runs them: the built binary,
//! the addresses on its first stdout lines, Neo4j's HTTP Query API over
//! plain HTTP, SIGTERM, and the official clients (the Neo4j Python and
//! JavaScript drivers, the MCP Python SDK) when they are installed
//! (`QUIVER_TEST_PYTHON`: a Python with `neo4j` and `mcp`, see
//! server/tests/drivers/requirements.txt; `node` with
//! server/tests/drivers/node_modules). Without them those tests say so and pass.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_quiver")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn drivers_dir() -> PathBuf {
    root().join("server/tests/drivers")
}

fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A running `quiver serve`; killed when dropped (if still running).
struct Server {
    child: Child,
    bolt: String,
    http: String,
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(bin())
            .arg("serve")
            .args(["--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("quiver starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = |what: &str| {
            let mut l = String::new();
            stdout.read_line(&mut l).unwrap();
            let l = l.trim().to_string();
            assert!(l.starts_with(what), "expected a {what} address first, got {l:?}");
            l[what.len()..].to_string()
        };
        let bolt = line("bolt://");
        let http = line("http://");
        Server {
            child,
            bolt,
            http,
            _stdout: stdout,
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the exit status (and standard error).
    fn terminate(mut self) -> (i32, String) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -TERM");
        let deadline = Instant::now() + Duration::from_secs(30);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "quiver serve did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut err = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status.code().unwrap_or(-1), err)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request; the status, headers (lower-cased) and body.
fn http(addr: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, rest) = text.split_once("\r\n\r\n").expect("a response");
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let head = head.to_ascii_lowercase();
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    (status, head, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, rest) = s.split_once("\r\n").unwrap();
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
}

const JSON: (&str, &str) = ("Content-Type", "application/json");
const AUTH: (&str, &str) = ("Authorization", "Basic bmVvNGo6c2VjcmV0"); // neo4j:secret

fn post(addr: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let (status, _, text) = http(addr, "POST", path, &[JSON, AUTH], &body.to_string());
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

fn values(j: &serde_json::Value) -> &serde_json::Value {
    &j["data"]["values"]
}

#[test]
fn http_query_api() {
    let fixture = root().join("fixtures/gaza_isf.cypher");
    let s = Server::start(&["--auth", "neo4j:secret", "--load", fixture.to_str().unwrap()]);
    let a = s.http.as_str();

    // One statement, with parameters, plain JSON.
    let (status, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({
            "statement": "MATCH (p:Person {name: $name})-[:PARTICIPATED_IN]->(e:Event) RETURN e.name AS event, e.date AS date, p ORDER BY date LIMIT 1",
            "parameters": {"name": "Mike Waltz"},
        }),
    );
    assert_eq!(status, 202, "{j}");
    assert_eq!(j["data"]["fields"], serde_json::json!(["event", "date", "p"]));
    let row = &values(&j)[0];
    assert_eq!(row[0], "Waltz TV interview at the White House");
    assert_eq!(row[1], "2025-05-01");
    assert_eq!(row[2]["labels"], serde_json::json!(["Person"]));
    assert_eq!(row[2]["properties"]["name"], "Mike Waltz");
    assert!(row[2]["elementId"].as_str().unwrap().starts_with('n'));
    assert_eq!(j["counters"]["containsUpdates"], false);
    assert_eq!(j["bookmarks"].as_array().unwrap().len(), 1);

    // Typed JSON both ways.
    let (status, _, text) = http(
        a,
        "POST",
        "/db/neo4j/query/v2",
        &[
            ("Content-Type", "application/vnd.neo4j.query"),
            ("Accept", "application/vnd.neo4j.query"),
            AUTH,
        ],
        r#"{"statement": "RETURN $d + duration('P1D') AS d, $i * 2 AS i, $l AS l",
            "parameters": {"d": {"$type": "Date", "_value": "2025-11-04"},
                           "i": {"$type": "Integer", "_value": "21"},
                           "l": {"$type": "List", "_value": [{"$type": "Float", "_value": "1.5"}, {"$type": "Null", "_value": null}]}}}"#,
    );
    assert_eq!(status, 202, "{text}");
    let j: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        values(&j)[0],
        serde_json::json!([
            {"$type": "Date", "_value": "2025-11-05"},
            {"$type": "Integer", "_value": "42"},
            {"$type": "List", "_value": [{"$type": "Float", "_value": "1.5"}, {"$type": "Null", "_value": null}]},
        ])
    );

    // A write's counters; the file stem is no name here (in memory), `neo4j` is.
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "CREATE (:Note {t: 'a'})"}),
    );
    assert_eq!(j["counters"]["nodesCreated"], 1, "{j}");
    assert_eq!(j["counters"]["containsUpdates"], true);

    // Errors: codes and statuses.
    let (status, j) = post(a, "/db/neo4j/query/v2", serde_json::json!({"statement": "RETURN 1 +"}));
    assert_eq!(status, 400);
    assert_eq!(j["errors"][0]["code"], "Neo.ClientError.Statement.SyntaxError");
    assert!(j["errors"][0]["message"].as_str().unwrap().contains("line 1"));
    let (status, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "RETURN $nope"}),
    );
    assert_eq!(
        (status, j["errors"][0]["code"].as_str()),
        (400, Some("Neo.ClientError.Statement.ParameterMissing"))
    );
    let (status, j) = post(a, "/db/other/query/v2", serde_json::json!({"statement": "RETURN 1"}));
    assert_eq!(
        (status, j["errors"][0]["code"].as_str()),
        (404, Some("Neo.ClientError.Database.DatabaseNotFound"))
    );
    let (status, _, text) = http(a, "POST", "/db/neo4j/query/v2", &[JSON, AUTH], "{not json");
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("Neo.ClientError.Request.InvalidFormat"), "{text}");
    let (status, _, text) = http(a, "POST", "/db/neo4j/query/v2", &[JSON, AUTH], "{}");
    assert_eq!(status, 400);
    assert!(text.contains("statement"), "{text}");

    // Credentials.
    let (status, head, text) = http(a, "POST", "/db/neo4j/query/v2", &[JSON], r#"{"statement": "RETURN 1"}"#);
    assert_eq!(status, 401);
    assert!(text.contains("Neo.ClientError.Security.Unauthorized"), "{text}");
    assert!(head.contains("connection: close"), "{head}");
    let wrong = ("Authorization", "Basic bmVvNGo6d3Jvbmc="); // neo4j:wrong
    let (status, _, _) = http(
        a,
        "POST",
        "/db/neo4j/query/v2",
        &[JSON, wrong],
        r#"{"statement": "RETURN 1"}"#,
    );
    assert_eq!(status, 401);

    // An explicit transaction: begin (with a statement), run, commit.
    let (status, j) = post(
        a,
        "/db/neo4j/query/v2/tx",
        serde_json::json!({"statement": "CREATE (:Tx {v: 1})"}),
    );
    assert_eq!(status, 202, "{j}");
    let id = j["transaction"]["id"].as_str().unwrap().to_string();
    assert!(j["transaction"]["expires"].as_str().unwrap().ends_with("GMT"));
    let (_, j) = post(
        a,
        &format!("/db/neo4j/query/v2/tx/{id}"),
        serde_json::json!({"statement": "MATCH (t:Tx) RETURN count(t) AS c"}),
    );
    assert_eq!(values(&j), &serde_json::json!([[1]]), "{j}");
    // Not visible outside it yet.
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "MATCH (t:Tx) RETURN count(t) AS c"}),
    );
    assert_eq!(values(&j), &serde_json::json!([[0]]));
    let (status, j) = post(a, &format!("/db/neo4j/query/v2/tx/{id}/commit"), serde_json::json!({}));
    assert_eq!(status, 202, "{j}");
    assert_eq!(j["bookmarks"].as_array().unwrap().len(), 1);
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "MATCH (t:Tx) RETURN count(t) AS c"}),
    );
    assert_eq!(values(&j), &serde_json::json!([[1]]));
    let (status, j) = post(
        a,
        &format!("/db/neo4j/query/v2/tx/{id}"),
        serde_json::json!({"statement": "RETURN 1"}),
    );
    assert_eq!(
        (status, j["errors"][0]["code"].as_str()),
        (404, Some("Neo.ClientError.Transaction.TransactionNotFound"))
    );

    // Rolled back with DELETE; and by a failing statement.
    let (_, j) = post(a, "/db/neo4j/query/v2/tx", serde_json::json!({}));
    let id = j["transaction"]["id"].as_str().unwrap().to_string();
    post(
        a,
        &format!("/db/neo4j/query/v2/tx/{id}"),
        serde_json::json!({"statement": "CREATE (:Tx {v: 2})"}),
    );
    let (status, _, _) = http(a, "DELETE", &format!("/db/neo4j/query/v2/tx/{id}"), &[AUTH], "");
    assert_eq!(status, 202);
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2/tx",
        serde_json::json!({"statement": "CREATE (:Tx {v: 3})"}),
    );
    let id = j["transaction"]["id"].as_str().unwrap().to_string();
    let (status, _) = post(
        a,
        &format!("/db/neo4j/query/v2/tx/{id}"),
        serde_json::json!({"statement": "RETURN 1 +"}),
    );
    assert_eq!(status, 400);
    let (status, _) = post(a, &format!("/db/neo4j/query/v2/tx/{id}/commit"), serde_json::json!({}));
    assert_eq!(status, 404);
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "MATCH (t:Tx) RETURN collect(t.v) AS v"}),
    );
    assert_eq!(values(&j), &serde_json::json!([[[1]]]));

    // Discovery.
    let (status, _, text) = http(a, "GET", "/", &[], "");
    assert_eq!(status, 200);
    assert!(text.contains(&format!("bolt://{}", s.bolt)), "{text}");
    let (code, err) = s.terminate();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn sigterm_rolls_back_open_transactions_checkpoints_and_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("events.qv");
    let s = Server::start(&[file.to_str().unwrap()]);
    let a = s.http.as_str();
    // The file's stem names the database too.
    let (status, j) = post(
        a,
        "/db/events/query/v2",
        serde_json::json!({"statement": "CREATE (:Kept)"}),
    );
    assert_eq!(status, 202, "{j}");
    let (_, j) = post(
        a,
        "/db/neo4j/query/v2/tx",
        serde_json::json!({"statement": "CREATE (:Open)"}),
    );
    assert!(j["transaction"]["id"].is_string(), "{j}");
    let (code, err) = s.terminate();
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("rolled back 1 open transaction"), "{err}");
    let out = Command::new(bin())
        .arg(&file)
        .args(["--format", "csv", "-c", "MATCH (n) RETURN labels(n)[0] AS l"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "l\nKept\n");
}

#[test]
fn read_only_refuses_writes() {
    let fixture = root().join("fixtures/gaza_isf.cypher");
    let s = Server::start(&["--read-only", "--load", fixture.to_str().unwrap()]);
    let (status, j) = post(
        &s.http,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "CREATE (:X)"}),
    );
    assert_eq!(status, 400);
    assert_eq!(
        j["errors"][0]["code"], "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase",
        "{j}"
    );
    let (status, j) = post(
        &s.http,
        "/db/neo4j/query/v2",
        serde_json::json!({"statement": "MATCH (n:Person) RETURN count(n) > 0 AS any"}),
    );
    assert_eq!((status, values(&j)), (202, &serde_json::json!([[true]])));
}

#[test]
fn listening_beyond_loopback_requires_auth() {
    let out = Command::new(bin())
        .args(["serve", "--bolt", "0.0.0.0:0", "--http", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("without --auth") && err.contains("--auth USER:PASSWORD"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let out = Command::new(bin())
        .args(["serve", "--auth", "nocolon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_busy_port_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let out = Command::new(bin())
        .args(["serve", "--bolt", &port, "--http", "off"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot listen on") && err.contains("port 0"), "{err}");
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
        .args(["-c", "import neo4j, mcp"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(python)
}

/// Runs a driver script against a fresh `quiver serve`.
fn run_script(label: &str, mut cmd: Command, large: bool) {
    let s = Server::start(&[
        "--auth",
        "neo4j:quiver-test",
        "--auth",
        "reader:reader-test",
        "--lock-timeout",
        "200",
    ]);
    cmd.env("QUIVER_BOLT_ADDR", &s.bolt)
        .env("QUIVER_BOLT_DB", "neo4j")
        .env("QUIVER_BOLT_LARGE", if large { "1" } else { "0" })
        .env("QUIVER_SERVER_PID", s.pid().to_string())
        .current_dir(drivers_dir());
    let out = cmd.output().unwrap_or_else(|e| panic!("{label}: cannot run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines().filter(|l| !l.starts_with("ok ")) {
        say(&format!("{label}: {line}"));
    }
    if !out.status.success() {
        say(&String::from_utf8_lossy(&out.stderr));
    }
    assert!(out.status.success(), "{label} failed");
    let (code, err) = s.terminate();
    assert_eq!(code, 0, "{err}");
}

#[test]
fn python_driver_on_quiver_serve() {
    let Some(python) = python() else {
        say("python_driver_on_quiver_serve skipped: no Python with `neo4j` and `mcp` (see server/README.md)");
        return;
    };
    let mut c = Command::new(&python);
    c.arg("test_driver.py");
    run_script("python test_driver.py", c, true);
    let mut c = Command::new(&python);
    c.arg("test_serve.py");
    run_script("python test_serve.py", c, false);
}

#[test]
fn javascript_driver_on_quiver_serve() {
    let has_node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_node || !drivers_dir().join("node_modules/neo4j-driver").is_dir() {
        say("javascript_driver_on_quiver_serve skipped: no `node` or no server/tests/drivers/node_modules");
        return;
    }
    let mut c = Command::new("node");
    c.arg("test_driver.mjs");
    run_script("node test_driver.mjs", c, false);
}

#[test]
fn mcp_python_sdk_client() {
    let Some(python) = python() else {
        say("mcp_python_sdk_client skipped: no Python with `neo4j` and `mcp` (see server/README.md)");
        return;
    };
    let out = Command::new(&python)
        .arg("test_mcp.py")
        .env("QUIVER_BIN", bin())
        .env("QUIVER_FIXTURE", root().join("fixtures/gaza_isf.cypher"))
        .current_dir(drivers_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    say(&format!("mcp: {}", stdout.lines().last().unwrap_or("(no output)")));
    if !out.status.success() {
        say(&format!("{stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    assert!(out.status.success(), "the MCP client failed");
}

/// The fenced blocks of the README's "Serving" section, as (fence, text).
fn serving_blocks() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme.find("\n## Serving").expect("a Serving section");
    let rest = &readme[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    let mut blocks = Vec::new();
    let mut lines = rest[..end].lines();
    while let Some(l) = lines.next() {
        if let Some(fence) = l.strip_prefix("```") {
            let mut text = String::new();
            for l in lines.by_ref() {
                if l == "```" {
                    break;
                }
                text.push_str(l);
                text.push('\n');
            }
            blocks.push((fence.to_string(), text));
        }
    }
    blocks
}

#[test]
fn the_readme_serving_examples_run_as_shown() {
    let blocks = serving_blocks();
    let fixture = root().join("fixtures/gaza_isf.cypher");
    let s = Server::start(&["--auth", "neo4j:secret", "--load", fixture.to_str().unwrap()]);
    // The curl example, on this server's port.
    let curl_at = blocks
        .iter()
        .position(|(f, t)| f == "sh" && t.contains("curl"))
        .expect("a curl example");
    let has_curl = Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_curl {
        let cmd = blocks[curl_at].1.replace("127.0.0.1:7474", &s.http);
        let out = Command::new("sh").args(["-c", &cmd]).output().unwrap();
        let got = String::from_utf8_lossy(&out.stdout);
        let (shown, _) = blocks[curl_at + 1].1.split_once("\"counters\"").unwrap();
        assert!(got.starts_with(shown), "README shows {shown}, curl printed {got}");
    } else {
        say("the README's curl example skipped: no curl");
    }
    // The Python application, unchanged, against this server.
    let Some(python) = python() else {
        say("the README's Python example skipped: no Python with `neo4j`");
        return;
    };
    let app = blocks
        .iter()
        .position(|(f, _)| f == "python")
        .expect("a Python example");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.py");
    std::fs::write(&path, &blocks[app].1).unwrap();
    let out = Command::new(&python)
        .arg(&path)
        .env("NEO4J_URI", format!("neo4j://{}", s.bolt))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), blocks[app + 1].1);
}

#[test]
fn open_starts_the_browser_on_the_page() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("url");
    let script = dir.path().join("browser");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", seen.display()),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = Command::new(bin())
        .args(["serve", "--bolt", "off", "--http", "127.0.0.1:0", "--open"])
        .env("BROWSER", &script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("http://")
        .expect("the HTTP address")
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&seen).map_or(true, |s| s.is_empty()) {
        assert!(Instant::now() < deadline, "the browser was not started");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), format!("http://{addr}/"));
    let (status, headers, body) = http(&addr, "GET", "/", &[("Accept", "text/html")], "");
    assert_eq!(status, 200);
    assert!(headers.contains("text/html"), "{headers}");
    assert!(body.contains("<html"), "{body}");
    let _ = child.kill();
    let _ = child.wait();

    // Without the HTTP server there is no page to open.
    let out = Command::new(bin())
        .args(["serve", "--bolt", "127.0.0.1:0", "--http", "off", "--open"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--open needs the HTTP server"));
}
