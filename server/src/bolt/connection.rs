//! One connection's loop (Bolt "Handshake", then "Message exchange"):
//! handshake, then read a message, let the [`Machine`] answer it, until
//! `GOODBYE`, a fatal error, a timeout or the peer closing.
//!
//! Responses are flushed when no further complete request is waiting, so
//! a pipelined batch is answered in one write. Timeouts: a handshake or a
//! message once begun must complete within `read_timeout`; between messages
//! the connection may wait `idle_timeout` (none: forever). They take effect
//! on streams whose reads time out (the TCP listener sets the socket's read
//! timeout to [`BoltConfig::poll_interval`]); on other streams a read blocks
//! as long as the stream lets it.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use super::chunk::{FrameError, Input, Output};
use super::handshake::{self, Choice};
use super::message::Request;
use super::state::{Machine, State};
use super::Version;
use crate::backend::{codes, Backend};
use crate::packstream::Limits;

/// How the server behaves; the defaults suit the official drivers.
#[derive(Clone, Debug)]
pub struct BoltConfig {
    /// `HELLO`'s `server`: the drivers require it to start with `Neo4j/`.
    pub server_agent: String,
    /// The versions to negotiate, most preferred first.
    pub versions: Vec<Version>,
    /// Whether to answer the handshake manifest v1 (Bolt 5.7+ clients).
    pub handshake_manifest: bool,
    /// Whether Bolt 4.4 clients may have the `utc` patch.
    pub utc_patch: bool,
    /// The address `ROUTE` gives; by default the one the client connected
    /// to (from `HELLO`), else `localhost:7687`.
    pub advertised_address: Option<String>,
    /// `hints: {"telemetry.enabled": true}` (5.4+): drivers then send `TELEMETRY`.
    pub telemetry_hint: bool,
    /// The largest request, all its chunks together.
    pub max_message_size: usize,
    /// Bounds on a decoded request.
    pub limits: Limits,
    /// Results one explicit transaction may have open at once.
    pub max_open_results: usize,
    /// A handshake or message, once begun, must arrive within this.
    pub read_timeout: Option<Duration>,
    /// How long to wait for the next request (`None`: forever).
    pub idle_timeout: Option<Duration>,
    /// How long a write may block (TCP).
    pub write_timeout: Option<Duration>,
    /// How often a waiting read wakes up to check the timeouts (TCP).
    pub poll_interval: Duration,
    /// Connections the TCP listener serves at once; more are closed at once.
    pub max_connections: usize,
}

impl Default for BoltConfig {
    fn default() -> Self {
        BoltConfig {
            server_agent: format!("Neo4j/5.26.0 compatible (quiver {})", env!("CARGO_PKG_VERSION")),
            versions: Version::SUPPORTED.to_vec(),
            handshake_manifest: true,
            utc_patch: true,
            advertised_address: None,
            telemetry_hint: false,
            max_message_size: 16 << 20,
            limits: Limits::default(),
            max_open_results: 1000,
            read_timeout: Some(Duration::from_secs(30)),
            idle_timeout: None,
            write_timeout: Some(Duration::from_secs(60)),
            poll_interval: Duration::from_secs(1),
            max_connections: 256,
        }
    }
}

/// Why a connection ended.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionEnd {
    #[error("the client said GOODBYE or closed the connection")]
    Closed,
    #[error("no common protocol version")]
    NoVersion,
    #[error("not a Bolt client (bad magic)")]
    BadMagic,
    #[error("protocol error: {0}")]
    Protocol(String),
    #[error("timed out waiting for the client")]
    Timeout,
    #[error(transparent)]
    Io(#[from] io::Error),
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut)
}

/// Reads into `input` until `ready` says enough has arrived, within the timeouts.
fn wait_for<R: Read>(
    input: &mut Input<R>,
    config: &BoltConfig,
    mut ready: impl FnMut(&mut Input<R>) -> Result<bool, ConnectionEnd>,
) -> Result<(), ConnectionEnd> {
    let mut waiting_since = Instant::now();
    let mut partial_since: Option<Instant> = None;
    loop {
        if ready(input)? {
            return Ok(());
        }
        // Bytes of an unfinished message (or handshake) start the read timeout;
        // a NOOP chunk alone counts as activity, not as a message begun.
        if input.has_partial() {
            partial_since.get_or_insert_with(Instant::now);
        } else {
            partial_since = None;
        }
        match input.fill() {
            Ok(0) => return Err(ConnectionEnd::Closed),
            Ok(_) => waiting_since = Instant::now(),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                let late = |since: Instant, limit: Option<Duration>| limit.is_some_and(|l| since.elapsed() >= l);
                let timed_out = match partial_since {
                    Some(t) => late(t, config.read_timeout),
                    None => late(waiting_since, config.idle_timeout),
                };
                if timed_out {
                    return Err(ConnectionEnd::Timeout);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

static CONNECTIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Serves one connection to its end: the handshake, then every request.
pub fn serve_connection<B: Backend, S: Read + Write>(
    backend: &B,
    stream: S,
    config: &BoltConfig,
) -> Result<(), ConnectionEnd> {
    let id = CONNECTIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    serve_connection_with_id(backend, stream, config, format!("bolt-{id}"))
}

/// A stream split in two halves that share it.
struct Half<'a, S>(&'a std::cell::RefCell<S>);

impl<S: Read> Read for Half<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.borrow_mut().read(buf)
    }
}

impl<S: Write> Write for Half<'_, S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

pub(crate) fn serve_connection_with_id<B: Backend, S: Read + Write>(
    backend: &B,
    stream: S,
    config: &BoltConfig,
    connection_id: String,
) -> Result<(), ConnectionEnd> {
    let cell = std::cell::RefCell::new(stream);
    let mut input = Input::new(Half(&cell), config.max_message_size);
    let mut output = Output::new(Half(&cell));

    // Handshake: magic and four proposals.
    wait_for(&mut input, config, |i| Ok(i.peek_raw().len() >= 20))?;
    let head = input.take_raw(20).expect("20 bytes arrived");
    if head[..4] != handshake::MAGIC {
        return Err(ConnectionEnd::BadMagic);
    }
    let proposals: [u8; 16] = head[4..].try_into().expect("16 bytes");
    let (version, manifest) = match handshake::choose(&proposals, &config.versions, config.handshake_manifest) {
        Choice::Version(v) => {
            output.write_raw(&v.to_bytes())?;
            output.flush()?;
            (v, false)
        }
        Choice::Manifest => {
            output.write_raw(&handshake::manifest_offer(&config.versions))?;
            output.flush()?;
            // The client's choice: a version (no range) and a capability varint.
            let mut choice = None;
            wait_for(&mut input, config, |i| {
                let raw = i.peek_raw();
                if raw.len() < 5 {
                    return Ok(false);
                }
                match handshake::read_varint(&raw[4..]) {
                    Ok(None) => Ok(false),
                    Ok(Some((_capabilities, len))) => {
                        let v = i.take_raw(4 + len).expect("arrived");
                        choice = Some(Version::new(v[3], v[2]));
                        Ok(true)
                    }
                    Err(_) => Err(ConnectionEnd::Protocol("the capability mask is not a varint".into())),
                }
            })?;
            let v = choice.expect("read above");
            if !config.versions.contains(&v) {
                return Err(ConnectionEnd::NoVersion);
            }
            (v, true)
        }
        Choice::NoMatch => {
            output.write_raw(&handshake::NO_VERSION)?;
            output.flush()?;
            return Err(ConnectionEnd::NoVersion);
        }
    };

    let mut machine = Machine::new(backend, config, version, manifest, connection_id);
    loop {
        let mut message = None;
        let next = |i: &mut Input<Half<'_, S>>, message: &mut Option<Vec<u8>>| match i.next_message() {
            Ok(m) => {
                *message = m;
                Ok(message.is_some())
            }
            Err(FrameError::TooLarge(limit)) => Err(ConnectionEnd::Protocol(format!(
                "a message is larger than the limit of {limit} bytes"
            ))),
            Err(FrameError::Io(e)) => Err(e.into()),
        };
        // Answers go out once every request received so far is answered.
        let waited = match next(&mut input, &mut message) {
            Ok(true) => Ok(()),
            Ok(false) => {
                output.flush()?;
                wait_for(&mut input, config, |i| next(i, &mut message))
            }
            Err(e) => Err(e),
        };
        if let Err(end) = waited {
            if let ConnectionEnd::Protocol(msg) = &end {
                machine.protocol_error(&mut output, codes::REQUEST_INVALID, msg)?;
                output.flush()?;
            }
            return match end {
                ConnectionEnd::Closed if !input.has_partial() => Ok(()),
                end => Err(end),
            };
        }
        let payload = message.expect("a message arrived");
        // A RESET already waiting behind this request interrupts it.
        if input.reset_pending() {
            machine.interrupt();
        }
        match Request::decode(&payload, version, config.limits) {
            Ok(request) => machine.handle(request, &mut output)?,
            Err(e) => machine.protocol_error(&mut output, e.code(), &e.to_string())?,
        }
        if machine.state() == State::Defunct {
            output.flush()?;
            return Ok(());
        }
    }
}

#[cfg(test)]
#[path = "connection_tests.rs"]
mod tests;
