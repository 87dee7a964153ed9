//! The `quiver` command's contract, tested by running the built binary.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value as Json;

const BIN: &str = env!("CARGO_BIN_EXE_quiver");

fn quiver(args: &[&str]) -> Output {
    quiver_with_stdin(args, "")
}

fn quiver_with_stdin(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("quiver runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json_lines(o: &Output) -> Vec<Json> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

const ZERO_STATS: &str = r#"{"nodes_created":0,"nodes_deleted":0,"relationships_created":0,"relationships_deleted":0,"labels_added":0,"labels_removed":0,"properties_set":0,"properties_removed":0}"#;

fn script(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::Builder::new().suffix(".cypher").tempfile().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

// ---- usage ----

#[test]
fn help_has_examples() {
    let o = quiver(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for s in [
        "--command",
        "--file",
        "--format",
        "--param",
        "--load",
        "--keep-going",
        "Examples:",
    ] {
        assert!(text.contains(s), "--help lacks {s}:\n{text}");
    }
}

#[test]
fn version() {
    let o = quiver(&["--version"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim(), format!("quiver {}", env!("CARGO_PKG_VERSION")));
}

// ---- database files ----

fn db_path() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.qv").to_str().unwrap().to_string();
    (dir, path)
}

#[test]
fn a_database_file_keeps_the_graph_between_runs() {
    let (_dir, path) = db_path();
    let o = quiver(&[&path, "-c", "CREATE (:P {name: 'Ada'})"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // FILE after the options works too, and -c runs on the file's graph.
    let o = quiver(&["--format", "json", "-c", "MATCH (p:P) RETURN p.name AS name", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(json_lines(&o)[0]["rows"], serde_json::json!([["Ada"]]));
    // Piped statements too.
    let o = quiver_with_stdin(&[&path, "--format", "csv"], "MATCH (p:P) RETURN count(p) AS n;\n");
    assert_eq!(stdout(&o), "n\n1\n");
}

#[test]
fn scripts_group_statements_with_begin_commit_rollback() {
    let (_dir, path) = db_path();
    let f = script(
        "CREATE (:A);\n:begin\nCREATE (:B);\nCREATE (:B);\n:rollback\n:begin\nCREATE (:C); CREATE (:C);\n:commit\n",
    );
    let o = quiver(&[&path, "--format", "json", "-f", f.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        json_lines(&o).len(),
        5,
        "one JSON line per statement, none for commands"
    );
    let o = quiver(&[
        &path,
        "--format",
        "csv",
        "-c",
        "MATCH (n) RETURN labels(n)[0] AS l, id(n) AS id ORDER BY id",
    ]);
    // Rolled-back ids are handed out again: the rollback restored the counter.
    assert_eq!(stdout(&o), "l,id\nA,0\nC,1\nC,2\n");
}

#[test]
fn an_unfinished_transaction_is_rolled_back_and_reported() {
    let (_dir, path) = db_path();
    let o = quiver_with_stdin(&[&path], ":begin\nCREATE (:A);\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("rolled back"), "{}", stderr(&o));
    let o = quiver(&[&path, "--format", "csv", "-c", "MATCH (n) RETURN count(n) AS n"]);
    assert_eq!(stdout(&o), "n\n0\n");
    let o = quiver(&[&path, "-c", ":commit"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no open transaction"), "{}", stderr(&o));
}

#[test]
fn dump_as_neo4j_admin_import_files_that_quiver_import_reads_back() {
    let (dir, path) = db_path();
    quiver(&[
        &path,
        "-c",
        "CREATE (:P:Q {name: 'Ada', born: date('1815-12-10'), tags: ['x', 'y']})-[:KNOWS {since: 1833}]->(:P {name: 'Alan'})",
    ]);
    let out = dir.path().join("admin");
    let o = quiver(&["dump", &path, "--format", "neo4j-admin"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("-o DIR"), "{}", stderr(&o));
    let o = quiver(&["dump", &path, "--format", "neo4j-admin", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("wrote 2 nodes and 1 relationships in 2 files"),
        "{}",
        stderr(&o)
    );
    let script = std::fs::read_to_string(out.join("import.sh")).unwrap();
    assert!(
        script.contains("neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv"),
        "{script}"
    );
    let again = dir.path().join("again.qv");
    let o = quiver(&[
        "import",
        "--nodes",
        out.join("nodes.csv").to_str().unwrap(),
        "--relationships",
        out.join("relationships.csv").to_str().unwrap(),
        again.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let q = "MATCH (a)-[k:KNOWS]->(b) RETURN a.name, labels(a), toString(a.born), a.tags, k.since, b.name";
    let o = quiver(&[again.to_str().unwrap(), "--format", "csv", "-c", q]);
    assert!(
        stdout(&o).ends_with("Ada,\"['P', 'Q']\",1815-12-10,\"['x', 'y']\",1833,Alan\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn check_and_dump_subcommands() {
    let (_dir, path) = db_path();
    quiver(&[&path, "-c", "CREATE (:P {name: 'Ada'})-[:KNOWS]->(:P {name: 'Alan'})"]);
    let o = quiver(&["check", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("ok") && text.contains("2 nodes, 1 relationships"),
        "{text}"
    );
    let o = quiver(&["dump", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let dump = stdout(&o);
    assert!(
        dump.contains("CREATE (:`__QuiverDump`:`P` {`__quiver_id`: 0, `name`: 'Ada'});"),
        "{dump}"
    );
    // The dump rebuilds the graph in memory and dumps to the same text.
    let f = script(&dump);
    let o = quiver(&[
        "--format",
        "csv",
        "-f",
        f.path().to_str().unwrap(),
        "-c",
        "MATCH (a)-[:KNOWS]->(b) RETURN a.name, b.name, labels(a)",
    ]);
    assert!(
        stdout(&o).ends_with("a.name,b.name,labels(a)\nAda,Alan,['P']\n"),
        "{}",
        stdout(&o)
    );
    // A reader that stops early (`quiver check FILE | head -0`) is no failure.
    let mut child = Command::new(BIN)
        .args(["check", &path])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // A missing file is an error, not a new database.
    let o = quiver(&["check", &format!("{path}.missing")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("does not exist"), "{}", stderr(&o));
}

#[test]
fn a_second_writer_is_refused_or_waits_and_readers_read_beside_it() {
    let (_dir, path) = db_path();
    let mut writer = Command::new(BIN)
        .args([&path, "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = writer.stdin.take().unwrap();
    let mut out = BufReader::new(writer.stdout.take().unwrap());
    stdin.write_all(b"CREATE (:A);\n").unwrap();
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("nodes_created"), "{line}");
    let started = std::time::Instant::now();
    let o = quiver(&[&path, "-c", "RETURN 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("is locked"), "{}", stderr(&o));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused at once, not after a wait"
    );
    // Readers work beside the writer and see its commits.
    let o = quiver(&[
        &path,
        "--read-only",
        "--format",
        "csv",
        "-c",
        "MATCH (n) RETURN count(n) AS n",
    ]);
    assert_eq!(stdout(&o), "n\n1\n", "{}", stderr(&o));
    // With a busy timeout, a second writer waits for the first to close.
    let waiting = Command::new(BIN)
        .args([
            &path,
            "--busy-timeout",
            "30000",
            "--format",
            "csv",
            "-c",
            "MATCH (n) RETURN count(n) AS n",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    drop(stdin);
    assert!(writer.wait().unwrap().success());
    let o = waiting.wait_with_output().unwrap();
    assert_eq!(stdout(&o), "n\n1\n", "{}", stderr(&o));
    // Read-only opens refuse writes.
    let o = quiver(&[
        &path,
        "--read-only",
        "--format",
        "csv",
        "-c",
        "MATCH (n) RETURN count(n) AS n",
    ]);
    assert_eq!(stdout(&o), "n\n1\n", "{}", stderr(&o));
    let o = quiver(&[&path, "--read-only", "-c", "CREATE (:B)"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("read-only"), "{}", stderr(&o));
}

#[test]
fn files_of_other_formats_are_refused() {
    let (_dir, path) = db_path();
    std::fs::write(&path, b"SQLite format 3\0 and then some bytes of a page").unwrap();
    let o = quiver(&[&path, "-c", "RETURN 1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not a quiver database: it is an SQLite database"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(quiver(&["--format", "xml", "-c", "RETURN 1"]).status.code(), Some(2));
    assert_eq!(quiver(&["--param", "x", "-c", "RETURN 1"]).status.code(), Some(2));
    assert_eq!(quiver(&["--bogus"]).status.code(), Some(2));
}

#[test]
fn a_bad_param_literal_is_a_usage_error() {
    let o = quiver(&["--param", "x=[1,", "-c", "RETURN $x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--param x"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn a_missing_file_is_an_io_error() {
    let o = quiver(&["--format", "json", "-f", "/nonexistent/q.cypher"]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["error"]["kind"], "IoError");
    assert_eq!(lines[0]["error"]["line"], Json::Null);
}

// ---- json ----

#[test]
fn json_results_have_the_contract_shape() {
    let o = quiver(&["--format", "json", "-c", "RETURN 1 AS a, 'x' AS b"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        format!("{{\"columns\":[\"a\",\"b\"],\"rows\":[[1,\"x\"]],\"stats\":{ZERO_STATS}}}\n")
    );
}

#[test]
fn json_errors_have_the_contract_shape() {
    let o = quiver(&["--format", "json", "-c", "MATCH (n) RETURN m"]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.starts_with(r#"{"error":{"kind":"SyntaxError","code":"UndefinedVariable","phase":"compile","message":"#),
        "{text}"
    );
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1);
    let keys: Vec<&str> = text[10..].split("\":").filter_map(|s| s.rsplit('"').next()).collect();
    assert_eq!(&keys[..4], ["kind", "code", "phase", "message"], "{text}");
    assert_eq!(lines[0]["error"]["line"], 1);
    assert_eq!(lines[0]["error"]["column"], 18);
}

#[test]
fn json_stats_count_changes() {
    let o = quiver(&["--format", "json", "-c", "CREATE (:A {x: 1})-[:T]->(:B)"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o).trim(),
        r#"{"columns":[],"rows":[],"stats":{"nodes_created":2,"nodes_deleted":0,"relationships_created":1,"relationships_deleted":0,"labels_added":2,"labels_removed":0,"properties_set":1,"properties_removed":0}}"#
    );
}

#[test]
fn json_numbers_stay_what_they_are() {
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "RETURN 1 AS i, 1.0 AS f, 1e20 AS e, -0.5 AS n, 0.0 / 0.0 AS nan, 1.0 / 0.0 AS inf, -1.0 / 0.0 AS ninf",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains(r#""rows":[[1,1.0,1e+20,-0.5,{"$float":"NaN"},{"$float":"Infinity"},{"$float":"-Infinity"}]]"#),
        "{text}"
    );
}

#[test]
fn json_collections() {
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "RETURN [1, 'a', null, true] AS l, {k: [2.5], j: {}} AS m",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(r#""rows":[[[1,"a",null,true],{"j":{},"k":[2.5]}]]"#),
        "{}",
        stdout(&o)
    );
}

#[test]
fn json_entities_and_paths() {
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "CREATE p = (a:A {name: 'x'})-[r:T {w: 1}]->(b:B) RETURN a, r, b, p",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = &json_lines(&o)[0]["rows"][0];
    let a = &v[0]["$node"];
    assert_eq!(a["labels"], serde_json::json!(["A"]));
    assert_eq!(a["properties"], serde_json::json!({"name": "x"}));
    assert!(a["id"].is_u64());
    let r = &v[1]["$relationship"];
    assert_eq!(r["type"], "T");
    assert_eq!(r["start"], a["id"]);
    assert_eq!(r["end"], v[2]["$node"]["id"]);
    assert_eq!(r["properties"], serde_json::json!({"w": 1}));
    assert_eq!(v[3]["$path"], serde_json::json!([v[0], v[1], v[2]]));
    let text = stdout(&o);
    let node = text.find("{\"$node\":{\"id\":").expect("node object");
    assert!(
        text[node..].starts_with(&format!("{{\"$node\":{{\"id\":{},\"labels\":", a["id"])),
        "{text}"
    );
}

#[test]
fn json_temporal_values_are_tagged() {
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "RETURN date('2025-11-04') AS d, duration('P1D') AS p",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains(r#""rows":[[{"$date":"2025-11-04"},{"$duration":"P1D"}]]"#),
        "{}",
        stdout(&o)
    );
}

// ---- running order, errors, one graph ----

#[test]
fn commands_and_files_share_one_graph_in_order() {
    let f = script("CREATE (:N {i: 2});\nMATCH (n:N) RETURN count(n) AS c;\n");
    let path = f.path().to_str().unwrap();
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "CREATE (:N {i: 1})",
        "-f",
        path,
        "-c",
        "MATCH (n:N) RETURN n.i AS i ORDER BY i",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[2]["rows"], serde_json::json!([[2]]));
    assert_eq!(lines[3]["rows"], serde_json::json!([[1], [2]]));
}

#[test]
fn the_first_error_stops_the_run() {
    let o = quiver(&[
        "--format",
        "json",
        "-c",
        "RETURN 1 AS a",
        "-c",
        "RETURN nope",
        "-c",
        "RETURN 3 AS c",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].get("error").is_some());
}

#[test]
fn keep_going_runs_everything_and_exits_1() {
    let o = quiver(&[
        "--format",
        "json",
        "--keep-going",
        "-c",
        "RETURN nope",
        "-c",
        "RETURN 2 AS b",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["rows"], serde_json::json!([[2]]));
}

#[test]
fn a_failed_statement_changes_nothing_and_later_ones_see_that() {
    let o = quiver(&[
        "--format",
        "json",
        "--keep-going",
        "-c",
        "CREATE (:X) WITH 1 AS one RETURN 1 / 0",
        "-c",
        "MATCH (x:X) RETURN count(x) AS c",
    ]);
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 2);
    assert!(lines[0].get("error").is_some());
    assert_eq!(lines[1]["rows"], serde_json::json!([[0]]));
}

#[test]
fn params_are_cypher_literals() {
    let o = quiver(&[
        "--format",
        "json",
        "--param",
        "n=42",
        "--param",
        "s='it\\'s'",
        "--param",
        "m={k: [1, 2.5]}",
        "-c",
        "RETURN $n AS n, $s AS s, $m AS m",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        json_lines(&o)[0]["rows"],
        serde_json::json!([[42, "it's", {"k": [1, 2.5]}]])
    );
    let o = quiver(&["--format", "csv", "--param", "name='Ada'", "-c", "RETURN $name AS name"]);
    assert_eq!(stdout(&o), "name\nAda\n");
}

#[test]
fn load_runs_first_and_prints_nothing() {
    let f = script("CREATE (:L {v: 1});\nMATCH (l:L) RETURN l;\n");
    let path = f.path().to_str().unwrap();
    for format in ["json", "table", "csv"] {
        let o = quiver(&["--format", format, "-c", "MATCH (l:L) RETURN l.v AS v", "--load", path]);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = stdout(&o);
        match format {
            "json" => assert_eq!(json_lines(&o).len(), 1, "{text}"),
            "csv" => assert_eq!(text, "v\n1\n"),
            _ => assert_eq!(text.matches(" row").count(), 1, "{text}"),
        }
    }
}

#[test]
fn a_failing_load_stops_the_run() {
    let f = script("CREATE (:L);\nRETURN nope;\n");
    let o = quiver(&["--load", f.path().to_str().unwrap(), "-c", "RETURN 1 AS a"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!("{}:2: ", f.path().display())),
        "{}",
        stderr(&o)
    );
}

// ---- table and csv ----

#[test]
fn tables_show_cypher_literals_and_a_footer() {
    let o = quiver(&[
        "-c",
        "CREATE (:Person {name: 'Mike Waltz'})-[:MET {year: 2025}]->(:Person {name: 'Ann'})",
        "-c",
        "MATCH (p:Person {name: 'Mike Waltz'})-[m:MET]->() RETURN p, m, p.name AS name, null AS nothing",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    // A statement without columns prints only its footer.
    assert!(
        lines[0].starts_with("0 rows, ")
            && lines[0].ends_with(" ms, 2 nodes created, 1 relationship created, 2 labels added, 3 properties set"),
        "{text}"
    );
    assert!(text.contains("(:Person {name: 'Mike Waltz'})"), "{text}");
    assert!(text.contains("[:MET {year: 2025}]"), "{text}");
    assert!(text.contains("'Mike Waltz'"), "{text}");
    assert!(text.contains("null"), "{text}");
    let last = lines.last().unwrap();
    assert!(last.starts_with("1 row, ") && last.ends_with(" ms"), "{text}");
}

#[test]
fn csv_is_plain() {
    let o = quiver(&[
        "--format",
        "csv",
        "-c",
        "UNWIND [['a,b', 1], [null, 2.0]] AS r RETURN r[0] AS s, r[1] AS n, [r[0]] AS l",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A cell holding the separator is quoted, whatever its type.
    assert_eq!(stdout(&o), "s,n,l\n\"a,b\",1,\"['a,b']\"\n,2.0,[null]\n");
}

#[test]
fn table_errors_go_to_stderr_with_file_and_line() {
    let f = script("RETURN 1 AS one;\n\nMATCH (n) RETURN m;\nRETURN 3 AS three;\n");
    let o = quiver(&["-f", f.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!("{}:3: SyntaxError (UndefinedVariable)", f.path().display())),
        "{err}"
    );
    assert!(err.contains('^'), "{err}");
    assert!(stdout(&o).contains("1 row"));
    assert!(!stdout(&o).contains("three"));
}

#[test]
fn explain_prints_a_plan() {
    let o = quiver(&["-c", "EXPLAIN MATCH (n) RETURN n"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).trim().is_empty());
}

// ---- standard input ----

#[test]
fn statements_on_stdin_run_in_order() {
    let o = quiver_with_stdin(
        &["--format", "json"],
        "CREATE (:S {t: 'a;b'});\n// comment; not a statement\nMATCH (s:S)\nRETURN s.t AS t;\nRETURN 2 AS two",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["rows"], serde_json::json!([["a;b"]]));
    assert_eq!(lines[2]["rows"], serde_json::json!([[2]]));
}

#[test]
fn file_dash_reads_stdin() {
    let o = quiver_with_stdin(
        &["--format", "csv", "-c", "CREATE (:D)", "-f", "-"],
        "MATCH (d:D) RETURN count(d) AS c;",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "c\n1\n");
}

#[test]
fn another_program_can_drive_quiver_through_a_pipe() {
    let mut child = Command::new(BIN)
        .args(["--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let wait = Duration::from_secs(30);

    // No newline: the ';' alone completes the statement.
    input.write_all(b"CREATE (:P {n: 1});").unwrap();
    input.flush().unwrap();
    let first: Json = serde_json::from_str(&rx.recv_timeout(wait).expect("a result before more input")).unwrap();
    assert_eq!(first["stats"]["nodes_created"], 1);

    input.write_all(b"\nMATCH (p:P)\n").unwrap();
    input.flush().unwrap();
    assert!(
        rx.recv_timeout(Duration::from_millis(300)).is_err(),
        "no result before the ';'"
    );
    input.write_all(b"RETURN p.n AS n;\n").unwrap();
    input.flush().unwrap();
    let second: Json = serde_json::from_str(&rx.recv_timeout(wait).unwrap()).unwrap();
    assert_eq!(second["rows"], serde_json::json!([[1]]));

    input.write_all(b"RETURN nope;\n").unwrap();
    input.flush().unwrap();
    let third: Json = serde_json::from_str(&rx.recv_timeout(wait).unwrap()).unwrap();
    assert!(third.get("error").is_some());
    drop(input);
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

// ---- the interactive shell, on a pseudo-terminal made by `script` ----

/// quiver running on a pseudo-terminal (through util-linux `script`), or
/// None where `script` is missing.
struct Shell {
    child: std::process::Child,
    input: std::process::ChildStdin,
    screen: std::sync::Arc<std::sync::Mutex<String>>,
    _data: tempfile::TempDir,
}

impl Shell {
    fn start() -> Option<Shell> {
        if Command::new("script").arg("--version").output().is_err() {
            eprintln!("skipped: no `script` command to make a pseudo-terminal");
            return None;
        }
        let data = tempfile::tempdir().unwrap();
        let mut child = Command::new("script")
            .args(["-qefc", &format!("'{BIN}'"), "/dev/null"])
            .env("XDG_DATA_HOME", data.path())
            .env("TERM", "dumb")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let mut out = child.stdout.take().unwrap();
        let screen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut out, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let mut shell = Shell {
            child,
            input,
            screen,
            _data: data,
        };
        shell.wait_for_prompts(1);
        Some(shell)
    }

    fn prompts(&self) -> usize {
        let s = self.screen.lock().unwrap();
        s.matches("quiver> ").count() + s.matches("   ...> ").count()
    }

    fn wait_for_prompts(&mut self, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while self.prompts() < n {
            assert!(
                std::time::Instant::now() < deadline,
                "no prompt; screen:\n{}",
                self.screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types a line and waits for the next prompt; returns what it printed.
    fn line(&mut self, text: &str) -> String {
        let n = self.prompts();
        let before = self.screen.lock().unwrap().len();
        self.input.write_all(format!("{text}\r").as_bytes()).unwrap();
        self.input.flush().unwrap();
        self.wait_for_prompts(n + 1);
        let s = self.screen.lock().unwrap();
        s[before..].replace('\r', "")
    }

    fn quit(mut self) -> (Option<i32>, String) {
        self.input.write_all(b":quit\r").unwrap();
        self.input.flush().unwrap();
        let status = self.child.wait().unwrap();
        let history = std::fs::read_to_string(self._data.path().join("quiver/history")).unwrap_or_default();
        (status.code(), history)
    }
}

#[test]
fn the_shell_takes_commands() {
    let Some(mut sh) = Shell::start() else { return };
    assert!(sh.screen.lock().unwrap().contains("quiver 0."), "banner");
    let help = sh.line(":help");
    assert!(
        help.contains(":schema") && help.contains(":param NAME => VALUE"),
        "{help}"
    );
    assert!(sh.line(":schema").contains("Labels:"));
    assert!(sh.line(":format csv").contains("format: csv"));
    assert!(sh.line(":timing").contains("timing off"));
    assert!(sh.line(":nope").contains("unknown command ':nope'"));
    let (code, history) = sh.quit();
    assert_eq!(code, Some(0));
    assert!(history.contains(":schema"), "history: {history}");
}

#[test]
fn the_shell_runs_statements() {
    let Some(mut sh) = Shell::start() else { return };
    let out = sh.line("CREATE (:Person {name: 'Ada'});");
    assert!(out.contains("1 node created"), "{out}");
    let out = sh.line("MATCH (p:Person)");
    assert!(out.ends_with("   ...> "), "continuation prompt: {out:?}");
    let out = sh.line("RETURN p;");
    assert!(
        out.contains("(:Person {name: 'Ada'})") && out.contains("1 row"),
        "{out}"
    );
    let out = sh.line("RETURN nope;");
    assert!(out.contains("SyntaxError"), "{out}");
    assert!(sh.line(":param n => 41").contains("$n => 41"));
    let out = sh.line(":format json");
    assert!(out.contains("format: json"));
    let out = sh.line("RETURN $n + 1 AS x;");
    assert!(out.contains(r#"{"columns":["x"],"rows":[[42]]"#), "{out}");
    assert!(sh.line(":schema").contains("Person"));
    let (code, _) = sh.quit();
    assert_eq!(code, Some(0));
}

#[test]
fn dot_draws_the_entities_of_a_result() {
    let o = quiver(&[
        "--format",
        "dot",
        "-c",
        "CREATE (:Person {name: 'Mike Waltz'})-[:PARTICIPATED_IN]->(:Event {name: 'Meeting'})",
        "-c",
        "MATCH (p)-[r]->(e) RETURN p, r, e",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("n0 [label=\"Mike Waltz\\n:Person\"];"), "{out}");
    assert!(out.contains("n1 [label=\"Meeting\\n:Event\"];"), "{out}");
    assert!(out.contains("n0 -> n1 [label=\"PARTICIPATED_IN\"];"), "{out}");
}

// ---- streamed results ----

/// A statement that fails part-way: the rows made before show, then the error.
const FAILS_LATE: &str = "UNWIND range(1, 3000) AS x RETURN x, CASE WHEN x = 2500 THEN 1 / 0 ELSE x END AS y";

#[test]
fn json_rows_stream_and_a_late_failure_ends_the_line() {
    let o = quiver(&["--format", "json", "-c", FAILS_LATE]);
    assert_eq!(o.status.code(), Some(1));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "{}", stdout(&o));
    let line = &lines[0];
    let rows = line["rows"].as_array().unwrap();
    assert!(rows.len() >= 1000 && rows.len() < 2500, "{} rows", rows.len());
    assert_eq!(rows[0], serde_json::json!([1, 1]));
    assert_eq!(line["error"]["kind"], "ArgumentError");
    assert!(line.get("stats").is_none());
    // A statement that fails before its first row is only the error, as before.
    let o = quiver(&["--format", "json", "-c", "UNWIND [0] AS x RETURN 1 / x"]);
    let lines = json_lines(&o);
    assert!(
        lines[0].get("rows").is_none() && lines[0].get("error").is_some(),
        "{}",
        stdout(&o)
    );
    // A long result is one line, whole.
    let o = quiver(&["--format", "json", "-c", "UNWIND range(1, 2500) AS x RETURN x"]);
    let lines = json_lines(&o);
    assert_eq!(lines[0]["rows"].as_array().unwrap().len(), 2500);
    assert_eq!(lines[0]["stats"], serde_json::from_str::<Json>(ZERO_STATS).unwrap());
}

#[test]
fn long_tables_keep_their_widths_and_show_the_rows_made_before_a_failure() {
    let o = quiver(&[
        "-c",
        "UNWIND range(1, 1500) AS x RETURN x, CASE WHEN x > 1200 THEN 'a longer text' ELSE 'a' END AS s",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    let width = lines[0].chars().count();
    // Every line of the table (borders included) is as wide as the first.
    let table: Vec<&&str> = lines.iter().take_while(|l| !l.contains("rows")).collect();
    assert!(table.iter().all(|l| l.chars().count() == width), "{text}");
    assert!(text.contains("│ 1500 ┆ 'a… │"), "{}", lines[lines.len() - 3]);
    assert!(lines.last().unwrap().starts_with("1500 rows"), "{text}");
    let o = quiver(&["-c", FAILS_LATE]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("│ 1000 ┆ 1000 │"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("rows,"), "no footer after a failure");
    assert!(stderr(&o).contains("ArgumentError"), "{}", stderr(&o));
}

#[test]
fn csv_rows_stream_too() {
    let o = quiver(&["--format", "csv", "-c", FAILS_LATE]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(text.starts_with("x,y\n1,1\n"), "{text}");
    assert!(text.lines().count() > 1000, "{}", text.lines().count());
}
