//! Whole connections over in-memory streams: golden bytes of a full
//! exchange, pipelining and RESET's jump-ahead, the handshake's answers and
//! hostile input.

use std::io::{self, Cursor, Read, Write};
use std::time::Duration;

use super::*;
use crate::bolt::chunk::frame;
use crate::bolt::message::{encode_request, sig, Response};
use crate::bolt::state::tests::responses;
use crate::memory_backend::MemoryBackend;
use crate::packstream::{Dict, PackValue};

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// Reads what the client sent, collects what the server writes; the end of
/// the input is the client closing.
struct Duplex {
    input: Cursor<Vec<u8>>,
    output: Vec<u8>,
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.output.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn backend() -> MemoryBackend {
    MemoryBackend::new("neo4j", "secret", Duration::from_millis(50))
}

fn config() -> BoltConfig {
    BoltConfig {
        server_agent: "Neo4j/5".into(),
        ..BoltConfig::default()
    }
}

fn serve(input: Vec<u8>, config: &BoltConfig) -> (Result<(), ConnectionEnd>, Vec<u8>) {
    let b = backend();
    let mut d = Duplex {
        input: Cursor::new(input),
        output: Vec::new(),
    };
    let r = serve_connection_with_id(&b, &mut d, config, "bolt-g".into());
    (r, d.output)
}

const HANDSHAKE_5_4: &str = "60 60 B0 17 00 00 04 05 00 00 00 00 00 00 00 00 00 00 00 00";

fn message(tag: u8, fields: Vec<PackValue>) -> Vec<u8> {
    let mut out = Vec::new();
    frame(&mut out, &encode_request(tag, fields));
    out
}

fn hello() -> Vec<u8> {
    message(sig::HELLO, vec![Dict::new().with("user_agent", "t/1").into()])
}

fn logon(password: &str) -> Vec<u8> {
    let auth = Dict::new()
        .with("scheme", "basic")
        .with("principal", "neo4j")
        .with("credentials", password);
    message(sig::LOGON, vec![auth.into()])
}

fn run(q: &str) -> Vec<u8> {
    message(sig::RUN, vec![q.into(), Dict::new().into(), Dict::new().into()])
}

fn pull(n: i64) -> Vec<u8> {
    message(sig::PULL, vec![Dict::new().with("n", n).into()])
}

fn session(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut input = hex(HANDSHAKE_5_4);
    for p in parts {
        input.extend(p);
    }
    input
}

#[test]
fn a_full_exchange_in_golden_bytes() {
    let input = session(&[
        hello(),
        logon("secret"),
        run("RETURN 1 AS x"),
        pull(-1),
        message(sig::GOODBYE, vec![]),
    ]);
    // The client's bytes, as the Bolt docs would write them.
    assert_eq!(
        hello(),
        hex("00 12 B1 01 A1 8A 75 73 65 72 5F 61 67 65 6E 74 83 74 2F 31 00 00")
    );
    assert_eq!(pull(-1), hex("00 06 B1 3F A1 81 6E FF 00 00"));
    let (r, out) = serve(input, &config());
    r.unwrap();
    // S: 00 00 04 05 (Bolt 5.4)
    assert_eq!(&out[..4], &hex("00 00 04 05")[..]);
    let mut rest = &out[4..];
    // S: SUCCESS {"server": "Neo4j/5", "connection_id": "bolt-g", "hints": {}}
    let hello_success = hex("00 2E B1 70 A3 86 73 65 72 76 65 72 87 4E 65 6F 34 6A 2F 35 \
         8D 63 6F 6E 6E 65 63 74 69 6F 6E 5F 69 64 86 62 6F 6C 74 2D 67 85 68 69 6E 74 73 A0 00 00");
    assert_eq!(&rest[..hello_success.len()], &hello_success[..]);
    rest = &rest[hello_success.len()..];
    // S: SUCCESS {} (LOGON)
    assert_eq!(&rest[..7], &hex("00 03 B1 70 A0 00 00")[..]);
    rest = &rest[7..];
    let r = responses(rest);
    assert_eq!(r.len(), 3, "{r:?}");
    let run_meta = r[0].metadata().unwrap();
    assert_eq!(run_meta.get("fields"), Some(&PackValue::from(vec!["x"])));
    assert!(matches!(run_meta.get("t_first"), Some(PackValue::Int(_))));
    assert_eq!(r[1], Response::Record(vec![PackValue::Int(1)]));
    // S: RECORD [1] is `00 04 B1 71 91 01 00 00` on the wire.
    let record = hex("00 04 B1 71 91 01 00 00");
    assert!(rest.windows(record.len()).any(|w| w == record));
    let pull_meta = r[2].metadata().unwrap();
    assert_eq!(pull_meta.get("type"), Some(&"r".into()));
    assert_eq!(pull_meta.get("db"), Some(&"quiver".into()));
    assert!(pull_meta.get("bookmark").is_some());
}

#[test]
fn a_waiting_reset_jumps_ahead() {
    let input = session(&[
        hello(),
        logon("secret"),
        run("UNWIND range(1, 3) AS x RETURN x"),
        pull(-1),
        message(sig::RESET, vec![]),
        run("RETURN 2"),
        pull(-1),
    ]);
    let (r, out) = serve(input, &config());
    r.unwrap();
    let kinds: Vec<&str> = responses(&out[4..]).iter().map(Response::kind).collect();
    assert_eq!(
        kinds,
        ["SUCCESS", "SUCCESS", "IGNORED", "IGNORED", "SUCCESS", "SUCCESS", "RECORD", "SUCCESS"]
    );
}

#[test]
fn a_failure_ignores_the_pipeline_until_reset() {
    let input = session(&[
        hello(),
        logon("secret"),
        run("RETURN $missing"),
        pull(-1),
        run("RETURN 1"),
        pull(-1),
    ]);
    let (r, out) = serve(input, &config());
    r.unwrap();
    let r = responses(&out[4..]);
    let kinds: Vec<&str> = r.iter().map(Response::kind).collect();
    assert_eq!(
        kinds,
        ["SUCCESS", "SUCCESS", "FAILURE", "IGNORED", "IGNORED", "IGNORED"]
    );
    assert_eq!(r[2].code(), Some(codes::PARAMETER_MISSING));
}

#[test]
fn bad_credentials_end_the_connection() {
    let input = session(&[hello(), logon("wrong"), run("RETURN 1"), pull(-1)]);
    let (r, out) = serve(input, &config());
    r.unwrap();
    let r = responses(&out[4..]);
    assert_eq!(r.len(), 2, "nothing after the FAILURE: {r:?}");
    assert_eq!(r[1].code(), Some(codes::UNAUTHORIZED));
}

#[test]
fn handshake_answers() {
    // No common version: 00 00 00 00 and the end.
    let (r, out) = serve(
        hex("60 60 B0 17 00 00 00 03 00 00 00 02 00 00 00 01 00 00 00 00"),
        &config(),
    );
    assert!(matches!(r, Err(ConnectionEnd::NoVersion)));
    assert_eq!(out, hex("00 00 00 00"));
    // Not Bolt at all (an HTTP request): nothing written.
    let (r, out) = serve(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(), &config());
    assert!(matches!(r, Err(ConnectionEnd::BadMagic)));
    assert!(out.is_empty());
    // What the drivers send: 5.8 through the manifest, then the choice and HELLO.
    let mut input = hex("60 60 B0 17 00 00 01 FF 00 08 08 05 00 02 04 04 00 00 00 03");
    input.extend(hex("00 00 08 05 00"));
    input.extend(hello());
    let (r, out) = serve(input, &config());
    r.unwrap();
    let offer = crate::bolt::handshake::manifest_offer(Version::SUPPORTED);
    assert_eq!(&out[..offer.len()], &offer[..]);
    let r = responses(&out[offer.len()..]);
    assert_eq!(r[0].metadata().unwrap().get("protocol_version"), Some(&"5.8".into()));
    // Without the manifest, the same proposals get 5.8 directly.
    let cfg = BoltConfig {
        handshake_manifest: false,
        ..config()
    };
    let mut input = hex("60 60 B0 17 00 00 01 FF 00 08 08 05 00 02 04 04 00 00 00 03");
    input.extend(hello());
    let (r, out) = serve(input, &cfg);
    r.unwrap();
    assert_eq!(&out[..4], &hex("00 00 08 05")[..]);
    assert!(responses(&out[4..])[0]
        .metadata()
        .unwrap()
        .get("protocol_version")
        .is_none());
    // A manifest client choosing a version that was not offered.
    let mut input = hex("60 60 B0 17 00 00 01 FF 00 00 00 00 00 00 00 00 00 00 00 00");
    input.extend(hex("00 00 05 05 00"));
    let (r, _) = serve(input, &config());
    assert!(matches!(r, Err(ConnectionEnd::NoVersion)));
}

#[test]
fn hostile_messages_fail_and_close() {
    // Too large: refused at the chunk header, before its bytes are read.
    let cfg = BoltConfig {
        max_message_size: 100,
        ..config()
    };
    let big = run(&"x".repeat(200));
    let input = session(&[hello(), logon("secret"), big, run("RETURN 1")]);
    let (r, out) = serve(input, &cfg);
    assert!(matches!(r, Err(ConnectionEnd::Protocol(_))), "{r:?}");
    let r = responses(&out[4..]);
    assert_eq!(r.len(), 3);
    assert_eq!(r[2].code(), Some(codes::REQUEST_INVALID));
    // Not PackStream (a reserved marker): InvalidFormat.
    let mut garbage = Vec::new();
    frame(&mut garbage, &hex("B1 10 C4"));
    let (r, out) = serve(session(&[hello(), garbage, hello()]), &config());
    r.unwrap();
    let r = responses(&out[4..]);
    assert_eq!(r.len(), 2);
    assert_eq!(r[1].code(), Some(codes::REQUEST_INVALID_FORMAT));
    // An unknown message, and a message in the wrong state.
    let (_, out) = serve(session(&[message(0x55, vec![])]), &config());
    assert_eq!(responses(&out[4..])[0].code(), Some(codes::REQUEST_INVALID));
    let (_, out) = serve(session(&[pull(-1), hello()]), &config());
    let r = responses(&out[4..]);
    assert_eq!((r.len(), r[0].code()), (1, Some(codes::REQUEST_INVALID)));
    // Cut off in the middle of a message: an error, not a clean close.
    let mut cut = hello();
    cut.truncate(8);
    let (r, _) = serve(session(&[cut]), &config());
    assert!(matches!(r, Err(ConnectionEnd::Closed)), "{r:?}");
}

/// Gives its bytes, then times out forever (as a socket with a read timeout does).
struct Stalling {
    data: Cursor<Vec<u8>>,
}

impl Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.data.read(buf)? {
            0 => {
                std::thread::sleep(Duration::from_millis(5));
                Err(io::ErrorKind::WouldBlock.into())
            }
            n => Ok(n),
        }
    }
}

impl Write for Stalling {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn slow_and_idle_clients_time_out() {
    let b = backend();
    let cfg = BoltConfig {
        read_timeout: Some(Duration::from_millis(50)),
        idle_timeout: Some(Duration::from_millis(100)),
        ..config()
    };
    let end = |input: Vec<u8>| {
        let mut s = Stalling {
            data: Cursor::new(input),
        };
        serve_connection(&b, &mut s, &cfg)
    };
    // Half a handshake.
    assert!(matches!(end(hex("60 60 B0 17 00")), Err(ConnectionEnd::Timeout)));
    // Half a message.
    let mut cut = hello();
    cut.truncate(5);
    assert!(matches!(end(session(&[cut])), Err(ConnectionEnd::Timeout)));
    // Nothing after HELLO: idle.
    let started = std::time::Instant::now();
    assert!(matches!(end(session(&[hello()])), Err(ConnectionEnd::Timeout)));
    assert!(started.elapsed() >= Duration::from_millis(100));
}

/// Plays a script of reads: bytes, or a read timeout (after a short sleep).
struct Script(std::collections::VecDeque<Option<Vec<u8>>>);

impl Read for Script {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.pop_front() {
            None => Ok(0),
            Some(None) => {
                std::thread::sleep(Duration::from_millis(10));
                Err(io::ErrorKind::WouldBlock.into())
            }
            Some(Some(bytes)) => {
                buf[..bytes.len()].copy_from_slice(&bytes);
                Ok(bytes.len())
            }
        }
    }
}

impl Write for Script {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn noop_chunks_between_messages_are_not_a_message_begun() {
    let b = backend();
    let cfg = BoltConfig {
        read_timeout: Some(Duration::from_millis(30)),
        idle_timeout: None,
        ..config()
    };
    // Handshake and HELLO, then ~120 ms of NOOPs and timeouts (beyond the
    // 30 ms read timeout, which only runs once a message has begun), then GOODBYE.
    let mut steps = vec![Some(session(&[hello()]))];
    for _ in 0..6 {
        steps.push(Some(vec![0, 0]));
        steps.push(None);
        steps.push(None);
    }
    steps.push(Some(message(sig::GOODBYE, vec![])));
    let mut s = Script(steps.into());
    assert!(serve_connection(&b, &mut s, &cfg).is_ok());
    // The same pause in the middle of a message is a timeout.
    let mut cut = hello();
    let tail = cut.split_off(6);
    let mut steps = vec![Some(hex(HANDSHAKE_5_4)), Some(cut)];
    steps.extend(std::iter::repeat_n(None, 6));
    steps.push(Some(tail));
    let mut s = Script(steps.into());
    assert!(matches!(
        serve_connection(&b, &mut s, &cfg),
        Err(ConnectionEnd::Timeout)
    ));
}
