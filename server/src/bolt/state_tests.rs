//! The state machine, state by state and message by message (Bolt appendix
//! "Bolt message state transitions"), over the in-memory test backend.

use std::time::Duration;

use super::*;
use crate::backend::AuthToken;
use crate::bolt::chunk::{Input, Output};
use crate::bolt::message::{Hello, Request, Response, TxExtra};
use crate::memory_backend::MemoryBackend;
use crate::packstream::Structure;

pub(crate) fn responses(bytes: &[u8]) -> Vec<Response> {
    let mut input = Input::new(bytes, usize::MAX);
    let mut out = Vec::new();
    loop {
        match input.next_message().unwrap() {
            Some(m) => out.push(Response::decode(&m).unwrap()),
            None if input.fill().unwrap() == 0 => return out,
            None => {}
        }
    }
}

fn basic(password: &str) -> AuthToken {
    AuthToken {
        scheme: "basic".into(),
        principal: Some("neo4j".into()),
        credentials: Some(password.into()),
        ..AuthToken::default()
    }
}

fn hello_with(password: &str) -> Request {
    Request::Hello(Hello {
        user_agent: Some("test/1".into()),
        auth: basic(password),
        routing: None,
        patch_bolt: vec![],
    })
}

fn run(q: &str) -> Request {
    Request::Run {
        query: q.into(),
        params: Dict::new(),
        extra: TxExtra::default(),
    }
}

fn run_with(q: &str, params: Dict, extra: TxExtra) -> Request {
    Request::Run {
        query: q.into(),
        params,
        extra,
    }
}

fn pull(n: i64, qid: i64) -> Request {
    Request::Pull { n, qid }
}

fn backend() -> MemoryBackend {
    MemoryBackend::new("neo4j", "secret", Duration::from_millis(50))
}

fn send(m: &mut Machine<'_, MemoryBackend>, req: Request) -> Vec<Response> {
    let mut out = Output::new(Vec::new());
    m.handle(req, &mut out).unwrap();
    out.flush().unwrap();
    responses(&out.into_inner())
}

/// Sends and expects one SUCCESS (or, for PULL, records and a SUCCESS).
fn ok(m: &mut Machine<'_, MemoryBackend>, req: Request) -> Vec<Response> {
    let name = req.name();
    let r = send(m, req);
    assert!(
        matches!(r.last(), Some(Response::Success(_))),
        "{name} in {:?}: {r:?}",
        m.state()
    );
    r
}

fn into_state(m: &mut Machine<'_, MemoryBackend>, target: State) {
    use State::*;
    let ready = |m: &mut Machine<'_, MemoryBackend>| {
        ok(m, hello_with("secret"));
        if m.version().has_logon() {
            ok(m, Request::Logon(basic("secret")));
        }
    };
    match target {
        Negotiation => {}
        Authentication => {
            ok(m, hello_with("secret"));
        }
        Ready => ready(m),
        Streaming => {
            ready(m);
            ok(m, run("UNWIND [1, 2, 3] AS x RETURN x"));
        }
        TxReady => {
            ready(m);
            ok(m, Request::Begin(TxExtra::default()));
        }
        TxStreaming => {
            ready(m);
            ok(m, Request::Begin(TxExtra::default()));
            ok(m, run("UNWIND [1, 2, 3] AS x RETURN x"));
        }
        Failed => {
            ready(m);
            let r = send(m, run("RETURN $missing"));
            assert_eq!(r[0].code(), Some(codes::PARAMETER_MISSING));
        }
        Interrupted => {
            ready(m);
            m.interrupt();
        }
        Defunct => unreachable!(),
    }
    assert_eq!(m.state(), target);
}

fn message(name: &str) -> Request {
    match name {
        "HELLO" => hello_with("secret"),
        "LOGON" => Request::Logon(basic("secret")),
        "LOGOFF" => Request::Logoff,
        "TELEMETRY" => Request::Telemetry(0),
        "GOODBYE" => Request::Goodbye,
        "RESET" => Request::Reset,
        "RUN" => run("RETURN 1 AS x"),
        "BEGIN" => Request::Begin(TxExtra::default()),
        "COMMIT" => Request::Commit,
        "ROLLBACK" => Request::Rollback,
        "PULL" => pull(-1, -1),
        "DISCARD" => Request::Discard { n: -1, qid: -1 },
        "ROUTE" => Request::Route {
            routing: Dict::new(),
            bookmarks: vec![],
            db: None,
            imp_user: None,
        },
        other => panic!("{other}"),
    }
}

fn state(abbrev: &str) -> State {
    use State::*;
    match abbrev {
        "NEG" => Negotiation,
        "AUTH" => Authentication,
        "READY" => Ready,
        "STREAM" => Streaming,
        "TXREADY" => TxReady,
        "TXSTREAM" => TxStreaming,
        "FAILED" => Failed,
        "INTR" => Interrupted,
        "DEF" => Defunct,
        other => panic!("{other}"),
    }
}

/// Each cell: the summary the server answers (S SUCCESS, F FAILURE,
/// I IGNORED, - nothing) and the state it is in afterwards.
const TABLE_5_4: &str = "
state     HELLO   LOGON    LOGOFF  TELEMETRY GOODBYE RESET    RUN        BEGIN      COMMIT   ROLLBACK PULL      DISCARD   ROUTE
NEG       S:AUTH  F:DEF    F:DEF   F:DEF     -:DEF   F:DEF    F:DEF      F:DEF      F:DEF    F:DEF    F:DEF     F:DEF     F:DEF
AUTH      F:DEF   S:READY  F:DEF   F:DEF     -:DEF   F:DEF    F:DEF      F:DEF      F:DEF    F:DEF    F:DEF     F:DEF     F:DEF
READY     F:DEF   F:DEF    S:AUTH  S:READY   -:DEF   S:READY  S:STREAM   S:TXREADY  F:DEF    F:DEF    F:DEF     F:DEF     S:READY
STREAM    F:DEF   F:DEF    F:DEF   F:FAILED  -:DEF   S:READY  F:DEF      F:DEF      F:DEF    F:DEF    S:READY   S:READY   F:DEF
TXREADY   F:DEF   F:DEF    F:DEF   F:FAILED  -:DEF   S:READY  S:TXSTREAM F:DEF      S:READY  S:READY  F:DEF     F:DEF     F:DEF
TXSTREAM  F:DEF   F:DEF    F:DEF   F:FAILED  -:DEF   S:READY  S:TXSTREAM F:DEF      F:DEF    F:DEF    S:TXREADY S:TXREADY F:DEF
FAILED    I:FAILED I:FAILED I:FAILED I:FAILED -:DEF  S:READY  I:FAILED   I:FAILED   I:FAILED I:FAILED I:FAILED  I:FAILED  I:FAILED
INTR      I:INTR  I:INTR   I:INTR  I:INTR    -:DEF   S:READY  I:INTR     I:INTR     I:INTR   I:INTR   I:INTR    I:INTR    I:INTR
";

/// Bolt 4.4: HELLO authenticates; there is no LOGON, LOGOFF or TELEMETRY.
const TABLE_4_4: &str = "
state     HELLO   LOGON   LOGOFF  TELEMETRY GOODBYE RESET    RUN        BEGIN      COMMIT   ROLLBACK PULL      DISCARD   ROUTE
NEG       S:READY F:DEF   F:DEF   F:DEF     -:DEF   F:DEF    F:DEF      F:DEF      F:DEF    F:DEF    F:DEF     F:DEF     F:DEF
READY     F:DEF   F:DEF   F:DEF   F:DEF     -:DEF   S:READY  S:STREAM   S:TXREADY  F:DEF    F:DEF    F:DEF     F:DEF     S:READY
STREAM    F:DEF   F:DEF   F:DEF   F:DEF     -:DEF   S:READY  F:DEF      F:DEF      F:DEF    F:DEF    S:READY   S:READY   F:DEF
TXREADY   F:DEF   F:DEF   F:DEF   F:DEF     -:DEF   S:READY  S:TXSTREAM F:DEF      S:READY  S:READY  F:DEF     F:DEF     F:DEF
TXSTREAM  F:DEF   F:DEF   F:DEF   F:DEF     -:DEF   S:READY  S:TXSTREAM F:DEF      F:DEF    F:DEF    S:TXREADY S:TXREADY F:DEF
FAILED    I:FAILED F:DEF   F:DEF   F:DEF     -:DEF   S:READY  I:FAILED   I:FAILED   I:FAILED I:FAILED I:FAILED  I:FAILED  I:FAILED
INTR      I:INTR  F:DEF   F:DEF   F:DEF     -:DEF   S:READY  I:INTR     I:INTR     I:INTR   I:INTR   I:INTR    I:INTR    I:INTR
";

fn check_table(version: Version, table: &str) {
    let mut lines = table.lines().filter(|l| !l.trim().is_empty());
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().skip(1).collect();
    let mut cells = 0;
    for line in lines {
        let mut words = line.split_whitespace();
        let from = state(words.next().unwrap());
        for (msg, cell) in header.iter().zip(words) {
            let (kind, to) = cell.split_once(':').unwrap();
            let b = backend();
            let config = BoltConfig::default();
            let mut m = Machine::new(&b, &config, version, false, "bolt-test".into());
            into_state(&mut m, from);
            let r = send(&mut m, message(msg));
            let got = r.last().map_or("-", |r| &r.kind()[..1]);
            assert_eq!(
                (got, m.state()),
                (kind, state(to)),
                "Bolt {version}: {msg} in {}: {r:?}",
                from.name()
            );
            // A protocol error says why, with Request.Invalid.
            if kind == "F" && to == "DEF" {
                assert_eq!(
                    r.last().unwrap().code(),
                    Some(codes::REQUEST_INVALID),
                    "{msg} in {from:?}"
                );
            }
            cells += 1;
        }
    }
    assert_eq!(
        cells,
        header.len() * table.lines().filter(|l| !l.trim().is_empty()).count().saturating_sub(1)
    );
}

#[test]
fn every_state_and_message_in_bolt_5_4() {
    check_table(Version::V5_4, TABLE_5_4);
}

#[test]
fn every_state_and_message_in_bolt_4_4() {
    check_table(Version::V4_4, TABLE_4_4);
}

#[test]
fn the_interrupt_signal_reaches_every_state_from_ready_on() {
    use State::*;
    for (from, to) in [
        (Negotiation, Negotiation),
        (Authentication, Authentication),
        (Ready, Interrupted),
        (Streaming, Interrupted),
        (TxReady, Interrupted),
        (TxStreaming, Interrupted),
        (Failed, Interrupted),
        (Interrupted, Interrupted),
    ] {
        let b = backend();
        let config = BoltConfig::default();
        let mut m = Machine::new(&b, &config, Version::V5_4, false, "c".into());
        into_state(&mut m, from);
        m.interrupt();
        assert_eq!(m.state(), to, "{from:?}");
    }
}

fn ready_machine<'a>(b: &'a MemoryBackend, config: &'a BoltConfig, v: Version) -> Machine<'a, MemoryBackend> {
    let mut m = Machine::new(b, config, v, false, "bolt-1".into());
    into_state(&mut m, State::Ready);
    m
}

fn records(r: &[Response]) -> Vec<Vec<PackValue>> {
    r.iter()
        .filter_map(|r| match r {
            Response::Record(v) => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn meta(r: &[Response]) -> &Dict {
    r.last().unwrap().metadata().unwrap()
}

#[test]
fn hello_and_logon_metadata() {
    let b = backend();
    let config = BoltConfig {
        telemetry_hint: true,
        ..BoltConfig::default()
    };
    let mut m = Machine::new(&b, &config, Version::V5_4, true, "bolt-7".into());
    let r = ok(&mut m, hello_with("ignored in 5.1+"));
    let meta = meta(&r);
    let server = meta.get("server").and_then(PackValue::as_str).unwrap();
    assert!(server.starts_with("Neo4j/"), "{server}");
    assert!(server.contains("quiver"), "{server}");
    assert_eq!(meta.get("connection_id"), Some(&"bolt-7".into()));
    assert_eq!(meta.get("protocol_version"), Some(&"5.4".into()));
    let hints = meta.get("hints").and_then(PackValue::as_dict).unwrap();
    assert_eq!(hints.get("telemetry.enabled"), Some(&PackValue::Bool(true)));
    assert_eq!(m.state(), State::Authentication);
    ok(&mut m, Request::Logon(basic("secret")));
    assert_eq!(m.state(), State::Ready);
}

#[test]
fn bad_credentials_fail_and_close() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = Machine::new(&b, &config, Version::V5_4, false, "c".into());
    ok(&mut m, hello_with("x"));
    let r = send(&mut m, Request::Logon(basic("wrong")));
    assert_eq!(r[0].code(), Some(codes::UNAUTHORIZED));
    assert_eq!(m.state(), State::Defunct);
    // 4.4: in HELLO.
    let mut m = Machine::new(&b, &config, Version::V4_4, false, "c".into());
    let r = send(&mut m, hello_with("wrong"));
    assert_eq!(r[0].code(), Some(codes::UNAUTHORIZED));
    assert_eq!(m.state(), State::Defunct);
}

#[test]
fn the_utc_patch_is_granted_to_4_4_clients_that_ask() {
    let b = backend();
    for (allowed, granted) in [(true, vec!["utc"]), (false, vec![])] {
        let config = BoltConfig {
            utc_patch: allowed,
            ..BoltConfig::default()
        };
        let mut m = Machine::new(&b, &config, Version::V4_4, false, "c".into());
        let r = ok(
            &mut m,
            Request::Hello(Hello {
                auth: basic("secret"),
                patch_bolt: vec!["utc".into()],
                ..Hello::default()
            }),
        );
        assert_eq!(meta(&r).get("patch_bolt"), Some(&PackValue::from(granted)));
        assert_eq!(m.encoding().utc_datetime, allowed);
        assert!(!m.encoding().element_ids);
    }
}

#[test]
fn pull_in_batches_with_an_exact_has_more() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_4);
    let r = ok(&mut m, run("UNWIND range(1, 5) AS x RETURN x"));
    assert_eq!(meta(&r).get("fields"), Some(&PackValue::from(vec!["x"])));
    assert!(meta(&r).get("t_first").is_some());
    assert!(meta(&r).get("qid").is_none());
    let r = ok(&mut m, pull(2, -1));
    assert_eq!(records(&r), vec![vec![PackValue::Int(1)], vec![PackValue::Int(2)]]);
    assert_eq!(meta(&r).get("has_more"), Some(&PackValue::Bool(true)));
    assert_eq!(m.state(), State::Streaming);
    let r = ok(&mut m, pull(3, -1));
    assert_eq!(records(&r).len(), 3);
    // Exactly the rest: no empty extra round trip.
    assert_eq!(meta(&r).get("has_more"), None);
    assert_eq!(meta(&r).get("type"), Some(&"r".into()));
    assert_eq!(meta(&r).get("db"), Some(&"quiver".into()));
    assert!(meta(&r).get("bookmark").is_some());
    assert_eq!(m.state(), State::Ready);
    // n must be positive or -1: FAILURE, FAILED.
    ok(&mut m, run("RETURN 1"));
    let r = send(&mut m, pull(0, -1));
    assert_eq!(r[0].code(), Some(codes::REQUEST_INVALID));
    assert_eq!(m.state(), State::Failed);
}

#[test]
fn write_summaries_carry_neo4j_counters() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_4);
    ok(&mut m, run("CREATE (a:A {x: 1})-[:R]->(b:B) SET a.y = 2 REMOVE a.x"));
    let r = ok(&mut m, pull(-1, -1));
    let stats = meta(&r).get("stats").and_then(PackValue::as_dict).unwrap();
    assert_eq!(stats.get("nodes-created"), Some(&PackValue::Int(2)));
    assert_eq!(stats.get("relationships-created"), Some(&PackValue::Int(1)));
    assert_eq!(stats.get("labels-added"), Some(&PackValue::Int(2)));
    assert_eq!(stats.get("properties-set"), Some(&PackValue::Int(3)));
    assert_eq!(stats.get("contains-updates"), Some(&PackValue::Bool(true)));
    assert_eq!(meta(&r).get("type"), Some(&"w".into()));
    ok(&mut m, run("CREATE (n) RETURN n"));
    let r = ok(&mut m, Request::Discard { n: -1, qid: -1 });
    assert!(records(&r).is_empty());
    assert_eq!(meta(&r).get("type"), Some(&"rw".into()));
    assert_eq!(
        b.execute("MATCH (n) RETURN count(n) AS c").rows[0][0],
        quiver::Value::Int(3)
    );
}

#[test]
fn results_in_a_transaction_are_picked_by_qid() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_4);
    ok(&mut m, Request::Begin(TxExtra::default()));
    let r = ok(&mut m, run("UNWIND [1, 2, 3] AS x RETURN x"));
    assert_eq!(meta(&r).get("qid"), Some(&PackValue::Int(0)));
    let r = ok(&mut m, run("UNWIND ['a', 'b'] AS y RETURN y"));
    assert_eq!(meta(&r).get("qid"), Some(&PackValue::Int(1)));
    let r = ok(&mut m, pull(1, 0));
    assert_eq!(records(&r), vec![vec![PackValue::Int(1)]]);
    // -1: the last RUN.
    let r = ok(&mut m, pull(-1, -1));
    assert_eq!(records(&r), vec![vec!["a".into()], vec!["b".into()]]);
    assert!(meta(&r).get("bookmark").is_none(), "no bookmark inside a transaction");
    assert_eq!(m.state(), State::TxStreaming);
    let r = send(&mut m, pull(-1, 1));
    assert_eq!(r[0].code(), Some(codes::REQUEST_INVALID), "qid 1 is finished");
    assert_eq!(m.state(), State::Failed);
}

#[test]
fn commit_and_rollback() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_4);
    ok(&mut m, Request::Begin(TxExtra::default()));
    ok(&mut m, run("CREATE (:Kept)"));
    ok(&mut m, pull(-1, -1));
    let r = ok(&mut m, Request::Commit);
    assert!(meta(&r)
        .get("bookmark")
        .and_then(PackValue::as_str)
        .unwrap()
        .starts_with("quiver:"));
    ok(&mut m, Request::Begin(TxExtra::default()));
    ok(&mut m, run("CREATE (:Dropped)"));
    ok(&mut m, pull(-1, -1));
    ok(&mut m, Request::Rollback);
    let count = b.execute("MATCH (n) RETURN labels(n) AS l").rows;
    assert_eq!(count.len(), 1);
}

#[test]
fn a_failure_in_a_transaction_rolls_it_back_and_frees_the_writer() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_4);
    ok(&mut m, Request::Begin(TxExtra::default()));
    ok(&mut m, run("CREATE (:Gone)"));
    ok(&mut m, pull(-1, -1));
    let r = send(&mut m, run("RETURN 1 +"));
    assert_eq!(r[0].code(), Some(codes::SYNTAX_ERROR));
    assert_eq!(send(&mut m, pull(-1, -1))[0], Response::Ignored);
    assert_eq!(send(&mut m, Request::Commit)[0], Response::Ignored);
    ok(&mut m, Request::Reset);
    assert!(b.execute("MATCH (n) RETURN n").rows.is_empty());
    // Another connection can write straight away.
    let mut other = ready_machine(&b, &config, Version::V5_4);
    ok(&mut other, Request::Begin(TxExtra::default()));
}

#[test]
fn a_held_writer_lock_is_a_transient_error() {
    let b = backend();
    let config = BoltConfig::default();
    let mut a = ready_machine(&b, &config, Version::V5_4);
    let mut c = ready_machine(&b, &config, Version::V5_4);
    ok(&mut a, Request::Begin(TxExtra::default()));
    let r = send(&mut c, Request::Begin(TxExtra::default()));
    assert_eq!(
        r[0].code(),
        Some("Neo.TransientError.Transaction.LockAcquisitionTimeout")
    );
    ok(&mut c, Request::Reset);
    ok(&mut a, Request::Commit);
    ok(&mut c, Request::Begin(TxExtra::default()));
}

#[test]
fn parameters_databases_and_routing() {
    let b = backend();
    let config = BoltConfig {
        advertised_address: Some("db.example:7687".into()),
        ..BoltConfig::default()
    };
    let mut m = ready_machine(&b, &config, Version::V5_4);
    ok(
        &mut m,
        run_with("RETURN $x + 1 AS y", Dict::new().with("x", 41i64), TxExtra::default()),
    );
    assert_eq!(records(&ok(&mut m, pull(-1, -1))), vec![vec![PackValue::Int(42)]]);
    // A node as a parameter.
    let node = Structure {
        tag: crate::values::tag::NODE,
        fields: vec![
            PackValue::Int(0),
            PackValue::List(vec![]),
            Dict::new().into(),
            "n0".into(),
        ],
    };
    let r = send(
        &mut m,
        run_with("RETURN $n", Dict::new().with("n", node), TxExtra::default()),
    );
    assert_eq!(r[0].code(), Some(codes::TYPE_ERROR));
    ok(&mut m, Request::Reset);
    // An unknown database.
    let extra = TxExtra {
        db: Some("nope".into()),
        ..TxExtra::default()
    };
    let r = send(&mut m, run_with("RETURN 1", Dict::new(), extra));
    assert_eq!(r[0].code(), Some("Neo.ClientError.Database.DatabaseNotFound"));
    ok(&mut m, Request::Reset);
    // Impersonation is not supported.
    let extra = TxExtra {
        imp_user: Some("bob".into()),
        ..TxExtra::default()
    };
    let r = send(&mut m, Request::Begin(extra));
    assert_eq!(r[0].code(), Some(codes::FEATURE_NOT_SUPPORTED));
    ok(&mut m, Request::Reset);
    // ROUTE: this server in every role.
    let r = ok(&mut m, message("ROUTE"));
    let rt = meta(&r).get("rt").and_then(PackValue::as_dict).unwrap();
    assert_eq!(rt.get("ttl"), Some(&PackValue::Int(300)));
    assert_eq!(rt.get("db"), Some(&"quiver".into()));
    let servers = rt.get("servers").and_then(PackValue::as_list).unwrap();
    let roles: Vec<_> = servers
        .iter()
        .map(|s| s.as_dict().unwrap().get("role").cloned().unwrap())
        .collect();
    assert_eq!(roles, vec!["ROUTE".into(), "READ".into(), "WRITE".into()]);
    for s in servers {
        assert_eq!(
            s.as_dict().unwrap().get("addresses"),
            Some(&PackValue::from(vec!["db.example:7687"]))
        );
    }
}

#[test]
fn failures_in_the_5_7_shape() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_7);
    let r = send(&mut m, run("RETURN $missing"));
    let d = r[0].metadata().unwrap();
    assert_eq!(d.get("neo4j_code"), Some(&codes::PARAMETER_MISSING.into()));
    assert_eq!(d.get("gql_status"), Some(&"42N51".into()));
    assert!(d.get("code").is_none());
    assert!(d
        .get("message")
        .and_then(PackValue::as_str)
        .unwrap()
        .contains("missing"));
}

#[test]
fn home_database_in_5_8() {
    let b = backend();
    let config = BoltConfig::default();
    let mut m = ready_machine(&b, &config, Version::V5_8);
    let r = ok(&mut m, Request::Begin(TxExtra::default()));
    assert_eq!(meta(&r).get("db"), Some(&"quiver".into()));
    ok(&mut m, Request::Rollback);
    let r = ok(&mut m, run("RETURN 1"));
    assert_eq!(meta(&r).get("db"), Some(&"quiver".into()));
}
