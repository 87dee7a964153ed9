//! Any bytes from a Bolt client: one connection over an in-memory stream
//! answers, fails or closes, and never panics, hangs or allocates without
//! bound. Inputs whose first byte is even get a valid handshake, HELLO and
//! LOGON in front, so the fuzzer spends its time past authentication.
//!
//! The backend runs no Cypher: each RUN returns its parameters as one row
//! (so every value that decodes is encoded back) and a second row of
//! entities and temporals (from a fixed graph), so what is fuzzed is the
//! protocol layer, not the engine.
#![no_main]

use std::io::{self, Cursor, Read, Write};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use quiver::{NodeId, NodeSnapshot, QueryResult, RelId, RelSnapshot, Value};
use quiver_server::bolt::chunk::frame;
use quiver_server::bolt::message::{encode_request, sig};
use quiver_server::packstream::{Dict, PackValue};
use quiver_server::{
    AuthError, AuthToken, Backend, BackendError, BoltConfig, EntityLookup, Params, ResultStream, Session, Summary,
    TxContext, TxOptions,
};

/// A graph and a row mentioning its entities, made once.
fn sample() -> &'static QueryResult {
    static SAMPLE: OnceLock<QueryResult> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut db = quiver::Database::in_memory();
        db.execute(
            "CREATE p = (a:A {x: 1, t: datetime('2025-11-04T10:00[Europe/Paris]')})-[r:R {d: duration('P1D')}]->(b:B)<-[:S]-(a) \
             RETURN a, r, p, [date('2025-11-04'), time('10:00+01:00'), localtime('10:00'), localdatetime('2025-11-04T10:00'), \
             datetime('2025-11-04T10:00-03:30')] AS temporals, {k: [1, 2.5, 'x', null, true]} AS m",
            &quiver::Params::new(),
        )
        .expect("the sample runs")
    })
}

struct Echo;

struct EchoSession;

struct EchoStream {
    fields: Vec<String>,
    rows: std::vec::IntoIter<Vec<Value>>,
}

impl Backend for Echo {
    type Session = EchoSession;
    fn authenticate(&self, token: &AuthToken) -> Result<String, AuthError> {
        match (token.principal.as_deref(), token.credentials.as_deref()) {
            (Some("neo4j"), Some("pw")) => Ok("neo4j".into()),
            _ => Err(AuthError("no".into())),
        }
    }
    fn open_session(&self, _user: &str) -> Result<EchoSession, BackendError> {
        Ok(EchoSession)
    }
    fn resolve_database(&self, requested: Option<&str>) -> Result<String, BackendError> {
        match requested {
            None | Some("db") => Ok("db".into()),
            Some(other) => Err(BackendError::DatabaseNotFound(other.into())),
        }
    }
}

impl Session for EchoSession {
    type Stream = EchoStream;
    fn run(&mut self, query: &str, params: Params, _tx: TxContext<'_>) -> Result<EchoStream, BackendError> {
        if query.starts_with("fail") {
            return Err(BackendError::LockTimeout(query.into()));
        }
        let (fields, row): (Vec<String>, Vec<Value>) = params.into_iter().unzip();
        let mut entities = sample().rows[0].clone();
        entities.resize(row.len().max(1), Value::Null);
        Ok(EchoStream {
            fields,
            rows: vec![row, entities].into_iter(),
        })
    }
    fn begin(&mut self, _options: &TxOptions) -> Result<(), BackendError> {
        Ok(())
    }
    fn commit(&mut self) -> Result<Option<String>, BackendError> {
        Ok(Some("bm".into()))
    }
    fn rollback(&mut self) -> Result<(), BackendError> {
        Ok(())
    }
}

impl EntityLookup for EchoStream {
    fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        sample().nodes.get(&id)
    }
    fn relationship(&self, id: RelId) -> Option<&RelSnapshot> {
        sample().relationships.get(&id)
    }
}

impl ResultStream for EchoStream {
    fn fields(&self) -> &[String] {
        &self.fields
    }
    fn next_row(&mut self) -> Result<Option<Vec<Value>>, BackendError> {
        Ok(self.rows.next())
    }
    fn finish(&mut self) -> Result<Summary, BackendError> {
        Ok(Summary::default())
    }
}

/// The client's bytes in, the server's bytes counted and dropped.
struct Duplex {
    input: Cursor<Vec<u8>>,
    written: usize,
}

impl Read for Duplex {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.input.read(buf)
    }
}

impl Write for Duplex {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.written += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn preamble() -> Vec<u8> {
    // 5.8 down to 5.0, then 4.4.
    let mut out = vec![0x60, 0x60, 0xB0, 0x17, 0, 8, 8, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0];
    frame(&mut out, &encode_request(sig::HELLO, vec![Dict::new().with("user_agent", "fuzz/1").into()]));
    let auth = Dict::new()
        .with("scheme", "basic")
        .with("principal", "neo4j")
        .with("credentials", "pw");
    frame(&mut out, &encode_request(sig::LOGON, vec![PackValue::Dict(auth)]));
    out
}

fuzz_target!(|data: &[u8]| {
    let input = match data.first() {
        Some(b) if b % 2 == 0 => {
            let mut input = preamble();
            input.extend_from_slice(&data[1..]);
            input
        }
        _ => data.to_vec(),
    };
    let config = BoltConfig {
        max_message_size: 1 << 20,
        ..BoltConfig::default()
    };
    let mut stream = Duplex {
        input: Cursor::new(input),
        written: 0,
    };
    let _ = quiver_server::serve_connection(&Echo, &mut stream, &config);
    // Every response is bounded by what came in: no runaway output.
    assert!(stream.written < 64 * 1024 * 1024);
});
