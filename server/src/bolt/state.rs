//! The Bolt server state machine (Bolt "Server State", and the appendix
//! tables of transitions for 4.x and 5.1+): which request each state
//! accepts, what it answers and where it goes.
//!
//! | state | accepts | on failure |
//! |---|---|---|
//! | NEGOTIATION | HELLO | DEFUNCT |
//! | AUTHENTICATION (5.1+) | LOGON | DEFUNCT |
//! | READY | RUN, BEGIN, ROUTE, TELEMETRY (5.4+), LOGOFF (5.1+) | FAILED |
//! | STREAMING | PULL, DISCARD | FAILED |
//! | TX_READY | RUN, COMMIT, ROLLBACK | FAILED |
//! | TX_STREAMING | RUN, PULL, DISCARD | FAILED |
//! | FAILED, INTERRUPTED | (all IGNORED) | |
//!
//! `RESET` returns every state from READY on to READY (before READY it is
//! a protocol error), `GOODBYE` closes from any state. A request a state
//! does not accept is a protocol error: `FAILURE` (`Neo.ClientError.Request.Invalid`)
//! and DEFUNCT. The `<INTERRUPT>` signal ([`Machine::interrupt`], raised when
//! a `RESET` is already waiting behind other requests) moves READY and the
//! states after it to INTERRUPTED, where everything is IGNORED until that
//! `RESET` comes up. Entering FAILED or INTERRUPTED rolls an open
//! transaction back and drops open results.

use std::io::{self, Write};
use std::time::Instant;

use quiver::Value;

use super::chunk::Output;
use super::connection::BoltConfig;
use super::message::{self, Hello, Request, TxExtra};
use super::Version;
use crate::backend::{codes, Backend, BackendError, ResultStream, Session, Summary, TxContext, TxOptions};
use crate::packstream::{Dict, PackValue};
use crate::values::{params_from_dict, Encoding};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    Negotiation,
    Authentication,
    Ready,
    Streaming,
    TxReady,
    TxStreaming,
    Failed,
    Interrupted,
    Defunct,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Negotiation => "NEGOTIATION",
            State::Authentication => "AUTHENTICATION",
            State::Ready => "READY",
            State::Streaming => "STREAMING",
            State::TxReady => "TX_READY",
            State::TxStreaming => "TX_STREAMING",
            State::Failed => "FAILED",
            State::Interrupted => "INTERRUPTED",
            State::Defunct => "DEFUNCT",
        }
    }
}

/// One open result: a `RUN` not yet pulled to its end.
struct Open<S> {
    qid: i64,
    stream: S,
    /// The row read ahead to know whether there are more.
    peeked: Option<Vec<Value>>,
    started: Instant,
}

/// The open explicit transaction.
struct Tx<S> {
    db: String,
    streams: Vec<Open<S>>,
    next_qid: i64,
    last_qid: i64,
}

/// One connection's protocol state over a backend.
pub struct Machine<'a, B: Backend> {
    backend: &'a B,
    config: &'a BoltConfig,
    version: Version,
    enc: Encoding,
    /// Whether the handshake went through the manifest (5.7+ `protocol_version`).
    manifest: bool,
    state: State,
    connection_id: String,
    /// The address the client says it connected to (`HELLO`'s `routing`).
    routing_address: Option<String>,
    session: Option<B::Session>,
    /// The auto-commit result of STREAMING, and the database it runs in.
    auto: Option<(Open<<B::Session as Session>::Stream>, String)>,
    tx: Option<Tx<<B::Session as Session>::Stream>>,
    scratch: Vec<u8>,
}

/// A failure and whether it ends the connection.
enum Outcome {
    Failed(BackendError),
    Fatal(&'static str, String),
}

impl From<BackendError> for Outcome {
    fn from(e: BackendError) -> Self {
        Outcome::Failed(e)
    }
}

fn request_invalid(message: impl Into<String>) -> BackendError {
    BackendError::Status {
        code: codes::REQUEST_INVALID,
        message: message.into(),
    }
}

fn millis(since: Instant) -> i64 {
    since.elapsed().as_millis().min(i64::MAX as u128) as i64
}

impl<'a, B: Backend> Machine<'a, B> {
    pub fn new(
        backend: &'a B,
        config: &'a BoltConfig,
        version: Version,
        manifest: bool,
        connection_id: String,
    ) -> Machine<'a, B> {
        Machine {
            backend,
            config,
            version,
            enc: Encoding {
                element_ids: version.is_bolt5(),
                utc_datetime: version.is_bolt5(),
            },
            manifest,
            state: State::Negotiation,
            connection_id,
            routing_address: None,
            session: None,
            auto: None,
            tx: None,
            scratch: Vec::new(),
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn version(&self) -> Version {
        self.version
    }

    pub fn encoding(&self) -> Encoding {
        self.enc
    }

    /// The `<INTERRUPT>` signal: a `RESET` is waiting behind the requests
    /// before it, which are now IGNORED.
    pub fn interrupt(&mut self) {
        if matches!(
            self.state,
            State::Ready | State::Streaming | State::TxReady | State::TxStreaming | State::Failed | State::Interrupted
        ) {
            self.abandon_work();
            self.state = State::Interrupted;
        }
    }

    /// A fatal protocol error found outside the machine (framing, decoding):
    /// answer and go DEFUNCT.
    pub fn protocol_error<W: Write>(&mut self, out: &mut Output<W>, code: &str, message: &str) -> io::Result<()> {
        self.abandon_work();
        self.state = State::Defunct;
        self.write_failure(out, code, message)
    }

    /// Drops open results and rolls an open transaction back.
    fn abandon_work(&mut self) {
        self.auto = None;
        if let Some(tx) = self.tx.take() {
            drop(tx.streams);
            if let Some(s) = self.session.as_mut() {
                let _ = s.rollback();
            }
        }
    }

    fn write_success<W: Write>(&mut self, out: &mut Output<W>, meta: &Dict) -> io::Result<()> {
        message::success(&mut self.scratch, meta);
        out.write_message(&self.scratch)
    }

    fn write_failure<W: Write>(&mut self, out: &mut Output<W>, code: &str, msg: &str) -> io::Result<()> {
        message::failure(&mut self.scratch, self.version, code, msg);
        out.write_message(&self.scratch)
    }

    fn write_ignored<W: Write>(&mut self, out: &mut Output<W>) -> io::Result<()> {
        message::ignored(&mut self.scratch);
        out.write_message(&self.scratch)
    }

    /// Handles one request: writes its responses and moves to the next state.
    pub fn handle<W: Write>(&mut self, request: Request, out: &mut Output<W>) -> io::Result<()> {
        use State::*;
        if matches!(request, Request::Goodbye) {
            self.abandon_work();
            self.session = None;
            self.state = Defunct;
            return Ok(());
        }
        let outcome = match (self.state, request) {
            (Defunct, _) => return Ok(()),
            // Never past the decoder, but the machine does not rely on it.
            (state, Request::Logon(_) | Request::Logoff) if !self.version.has_logon() => Ok(Err(Outcome::Fatal(
                codes::REQUEST_INVALID,
                format!(
                    "there is no LOGON or LOGOFF in Bolt {} ({})",
                    self.version,
                    state.name()
                ),
            ))),
            (state, Request::Telemetry(_)) if !self.version.has_telemetry() => Ok(Err(Outcome::Fatal(
                codes::REQUEST_INVALID,
                format!("there is no TELEMETRY in Bolt {} ({})", self.version, state.name()),
            ))),
            (Failed | Interrupted, Request::Reset) => self.reset(out),
            (Failed | Interrupted, _) => return self.write_ignored(out),
            (Negotiation, Request::Hello(h)) => self.hello(h, out),
            (Authentication, Request::Logon(token)) => self.logon(&token, out, Ready),
            (Ready | Streaming | TxReady | TxStreaming, Request::Reset) => self.reset(out),
            (Ready, Request::Run { query, params, extra }) => self.run_auto(&query, params, &extra, out),
            (Ready, Request::Begin(extra)) => self.begin(&extra, out),
            (Ready, Request::Route { db, imp_user, .. }) => self.route(db.as_deref(), imp_user.as_deref(), out),
            (Ready, Request::Telemetry(api)) => self.telemetry(api, out),
            // "sent in the wrong state": FAILURE and FAILED, not a protocol error.
            (state @ (Streaming | TxReady | TxStreaming), Request::Telemetry(_)) => {
                Ok(Err(Outcome::Failed(request_invalid(format!(
                    "Message TELEMETRY cannot be handled by a session in the {} state",
                    state.name()
                )))))
            }
            (Ready, Request::Logoff) => {
                self.session = None;
                self.state = Authentication;
                self.write_success(out, &Dict::new()).map(|_| Ok(()))
            }
            (Streaming, Request::Pull { n, qid }) => self.pull_auto(n, qid, false, out),
            (Streaming, Request::Discard { n, qid }) => self.pull_auto(n, qid, true, out),
            (TxReady | TxStreaming, Request::Run { query, params, .. }) => self.run_in_tx(&query, params, out),
            (TxStreaming, Request::Pull { n, qid }) => self.pull_in_tx(n, qid, false, out),
            (TxStreaming, Request::Discard { n, qid }) => self.pull_in_tx(n, qid, true, out),
            (TxReady, Request::Commit) => self.commit(out),
            (TxReady, Request::Rollback) => self.rollback(out),
            (state, request) => Ok(Err(Outcome::Fatal(
                codes::REQUEST_INVALID,
                format!(
                    "Message {} cannot be handled by a session in the {} state",
                    request.name(),
                    state.name()
                ),
            ))),
        }?;
        match outcome {
            Ok(()) => Ok(()),
            Err(Outcome::Failed(e)) => {
                self.abandon_work();
                self.state = State::Failed;
                let code = crate::backend::neo4j_code(&e);
                self.write_failure(out, code, &e.to_string())
            }
            Err(Outcome::Fatal(code, msg)) => self.protocol_error(out, code, &msg),
        }
    }

    fn hello<W: Write>(&mut self, h: Hello, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        self.routing_address = h
            .routing
            .as_ref()
            .and_then(|r| r.get("address"))
            .and_then(PackValue::as_str)
            .map(str::to_string);
        let mut meta = Dict::new()
            .with("server", self.config.server_agent.as_str())
            .with("connection_id", self.connection_id.as_str());
        let mut hints = Dict::new();
        if self.version.has_telemetry() && self.config.telemetry_hint {
            hints.push("telemetry.enabled", true);
        }
        meta.push("hints", hints);
        if !self.version.is_bolt5() && !h.patch_bolt.is_empty() {
            let utc = self.config.utc_patch && h.patch_bolt.iter().any(|p| p == "utc");
            if utc {
                self.enc.utc_datetime = true;
            }
            meta.push("patch_bolt", PackValue::from(if utc { vec!["utc"] } else { vec![] }));
        }
        if self.manifest {
            meta.push("protocol_version", self.version.to_string());
        }
        if self.version.has_logon() {
            self.state = State::Authentication;
            self.write_success(out, &meta)?;
            return Ok(Ok(()));
        }
        // Before 5.1 HELLO carries the credentials.
        match self.authenticate(&h.auth) {
            Ok(()) => {
                self.state = State::Ready;
                self.write_success(out, &meta)?;
                Ok(Ok(()))
            }
            Err(o) => Ok(Err(o)),
        }
    }

    fn authenticate(&mut self, token: &crate::backend::AuthToken) -> Result<(), Outcome> {
        let user = self
            .backend
            .authenticate(token)
            .map_err(|e| Outcome::Fatal(codes::UNAUTHORIZED, e.0))?;
        let session = self.backend.open_session(&user).map_err(|e| {
            let code = crate::backend::neo4j_code(&e);
            Outcome::Fatal(code, e.to_string())
        })?;
        self.session = Some(session);
        Ok(())
    }

    fn logon<W: Write>(
        &mut self,
        token: &crate::backend::AuthToken,
        out: &mut Output<W>,
        next: State,
    ) -> io::Result<Result<(), Outcome>> {
        if let Err(o) = self.authenticate(token) {
            return Ok(Err(o));
        }
        self.state = next;
        self.write_success(out, &Dict::new())?;
        Ok(Ok(()))
    }

    fn reset<W: Write>(&mut self, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        self.abandon_work();
        if let Some(s) = self.session.as_mut() {
            s.reset();
        }
        self.state = State::Ready;
        self.write_success(out, &Dict::new())?;
        Ok(Ok(()))
    }

    fn telemetry<W: Write>(&mut self, api: i64, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        if !(0..=3).contains(&api) {
            return Ok(Err(
                request_invalid(format!("Unknown driver interface type {api}")).into()
            ));
        }
        self.write_success(out, &Dict::new())?;
        Ok(Ok(()))
    }

    fn route<W: Write>(
        &mut self,
        db: Option<&str>,
        imp_user: Option<&str>,
        out: &mut Output<W>,
    ) -> io::Result<Result<(), Outcome>> {
        // The table does not depend on the user here: say so rather than ignore it.
        if imp_user.is_some() {
            return Ok(Err(BackendError::Unsupported(
                "impersonation (imp_user) is not supported".into(),
            )
            .into()));
        }
        let address = self
            .config
            .advertised_address
            .clone()
            .or_else(|| self.routing_address.clone())
            .unwrap_or_else(|| "localhost:7687".to_string());
        let table = match self
            .backend
            .resolve_database(db)
            .and_then(|db| self.backend.routing_table(&db, &address))
        {
            Ok(t) => t,
            Err(e) => return Ok(Err(e.into())),
        };
        let role = |addresses: &[String], role: &str| {
            PackValue::from(Dict::new().with("addresses", addresses.to_vec()).with("role", role))
        };
        let rt = Dict::new()
            .with("ttl", table.ttl_seconds)
            .with("db", table.db.as_str())
            .with(
                "servers",
                PackValue::List(vec![
                    role(&table.routers, "ROUTE"),
                    role(&table.readers, "READ"),
                    role(&table.writers, "WRITE"),
                ]),
            );
        self.write_success(out, &Dict::new().with("rt", rt))?;
        Ok(Ok(()))
    }

    /// The transaction options of `BEGIN` or an auto-commit `RUN`.
    fn tx_options(&self, extra: &TxExtra) -> Result<TxOptions, BackendError> {
        Ok(TxOptions {
            db: self.backend.resolve_database(extra.db.as_deref())?,
            mode: extra.mode,
            bookmarks: extra.bookmarks.clone(),
            tx_timeout: extra.tx_timeout,
            tx_metadata: params_from_dict(extra.tx_metadata.clone(), self.enc)?,
            imp_user: extra.imp_user.clone(),
        })
    }

    fn session(&mut self) -> Result<&mut B::Session, BackendError> {
        self.session
            .as_mut()
            .ok_or_else(|| BackendError::Internal("no session is open".into()))
    }

    /// `RUN`'s `SUCCESS`: `fields`, `t_first`, and `qid` in a transaction.
    fn run_success(fields: &[String], started: Instant, qid: Option<i64>) -> Dict {
        let mut meta = Dict::new()
            .with("fields", fields.to_vec())
            .with("t_first", millis(started));
        if let Some(q) = qid {
            meta.push("qid", q);
        }
        meta
    }

    fn run_auto<W: Write>(
        &mut self,
        query: &str,
        params: Dict,
        extra: &TxExtra,
        out: &mut Output<W>,
    ) -> io::Result<Result<(), Outcome>> {
        let started = Instant::now();
        let run = (|| -> Result<_, BackendError> {
            let options = self.tx_options(extra)?;
            let params = params_from_dict(params, self.enc)?;
            let stream = self.session()?.run(query, params, TxContext::AutoCommit(&options))?;
            Ok((stream, options.db))
        })();
        let (stream, db) = match run {
            Ok(x) => x,
            Err(e) => return Ok(Err(e.into())),
        };
        let mut meta = Self::run_success(stream.fields(), started, None);
        if self.version.reports_home_db() && extra.db.is_none() {
            meta.push("db", db.as_str());
        }
        self.auto = Some((
            Open {
                qid: 0,
                stream,
                peeked: None,
                started,
            },
            db,
        ));
        self.state = State::Streaming;
        self.write_success(out, &meta)?;
        Ok(Ok(()))
    }

    fn begin<W: Write>(&mut self, extra: &TxExtra, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        let begun = (|| -> Result<_, BackendError> {
            let options = self.tx_options(extra)?;
            self.session()?.begin(&options)?;
            Ok(options.db)
        })();
        let db = match begun {
            Ok(db) => db,
            Err(e) => return Ok(Err(e.into())),
        };
        let mut meta = Dict::new();
        if self.version.reports_home_db() && extra.db.is_none() {
            meta.push("db", db.as_str());
        }
        self.tx = Some(Tx {
            db,
            streams: Vec::new(),
            next_qid: 0,
            last_qid: -1,
        });
        self.state = State::TxReady;
        self.write_success(out, &meta)?;
        Ok(Ok(()))
    }

    fn run_in_tx<W: Write>(
        &mut self,
        query: &str,
        params: Dict,
        out: &mut Output<W>,
    ) -> io::Result<Result<(), Outcome>> {
        let started = Instant::now();
        let open = self.tx.as_ref().map_or(0, |t| t.streams.len());
        if open >= self.config.max_open_results {
            let e = request_invalid(format!(
                "{open} results are open in this transaction: pull or discard them first"
            ));
            return Ok(Err(e.into()));
        }
        let run = (|| {
            let params = params_from_dict(params, self.enc)?;
            self.session()?.run(query, params, TxContext::Explicit)
        })();
        let stream = match run {
            Ok(s) => s,
            Err(e) => return Ok(Err(e.into())),
        };
        let tx = self.tx.as_mut().expect("in a transaction");
        let qid = tx.next_qid;
        tx.next_qid += 1;
        tx.last_qid = qid;
        let meta = Self::run_success(stream.fields(), started, Some(qid));
        tx.streams.push(Open {
            qid,
            stream,
            peeked: None,
            started,
        });
        self.state = State::TxStreaming;
        self.write_success(out, &meta)?;
        Ok(Ok(()))
    }

    fn commit<W: Write>(&mut self, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        let committed = self.session().and_then(|s| s.commit());
        match committed {
            Ok(bookmark) => {
                self.tx = None;
                self.state = State::Ready;
                let mut meta = Dict::new();
                if let Some(b) = bookmark {
                    meta.push("bookmark", b);
                }
                self.write_success(out, &meta)?;
                Ok(Ok(()))
            }
            // The transaction is still there: FAILED rolls it back.
            Err(e) => Ok(Err(e.into())),
        }
    }

    fn rollback<W: Write>(&mut self, out: &mut Output<W>) -> io::Result<Result<(), Outcome>> {
        let rolled = self.session().and_then(|s| s.rollback());
        self.tx = None;
        match rolled {
            Ok(()) => {
                self.state = State::Ready;
                self.write_success(out, &Dict::new())?;
                Ok(Ok(()))
            }
            Err(e) => Ok(Err(e.into())),
        }
    }

    fn pull_auto<W: Write>(
        &mut self,
        n: i64,
        qid: i64,
        discard: bool,
        out: &mut Output<W>,
    ) -> io::Result<Result<(), Outcome>> {
        if qid != -1 && qid != 0 {
            return Ok(Err(request_invalid(format!("there is no result with qid {qid}")).into()));
        }
        let (mut open, db) = self.auto.take().expect("STREAMING has a result");
        match self.stream_rows(&mut open, n, discard, out)? {
            Err(e) => Ok(Err(e.into())),
            Ok(true) => {
                self.auto = Some((open, db));
                self.write_success(out, &Dict::new().with("has_more", true))?;
                Ok(Ok(()))
            }
            Ok(false) => {
                self.state = State::Ready;
                match open.stream.finish() {
                    Ok(summary) => {
                        let meta = self.summary_metadata(&summary, &db, &open, true);
                        self.write_success(out, &meta)?;
                        Ok(Ok(()))
                    }
                    Err(e) => Ok(Err(e.into())),
                }
            }
        }
    }

    fn pull_in_tx<W: Write>(
        &mut self,
        n: i64,
        qid: i64,
        discard: bool,
        out: &mut Output<W>,
    ) -> io::Result<Result<(), Outcome>> {
        let tx = self.tx.as_mut().expect("TX_STREAMING has a transaction");
        let qid = if qid == -1 { tx.last_qid } else { qid };
        let Some(i) = tx.streams.iter().position(|o| o.qid == qid) else {
            return Ok(Err(
                request_invalid(format!("there is no open result with qid {qid}")).into()
            ));
        };
        let mut open = tx.streams.remove(i);
        let db = tx.db.clone();
        match self.stream_rows(&mut open, n, discard, out)? {
            Err(e) => Ok(Err(e.into())),
            Ok(true) => {
                let tx = self.tx.as_mut().expect("still in the transaction");
                tx.streams.insert(i, open);
                self.write_success(out, &Dict::new().with("has_more", true))?;
                Ok(Ok(()))
            }
            Ok(false) => match open.stream.finish() {
                Ok(summary) => {
                    let tx = self.tx.as_ref().expect("still in the transaction");
                    if tx.streams.is_empty() {
                        self.state = State::TxReady;
                    }
                    let meta = self.summary_metadata(&summary, &db, &open, false);
                    self.write_success(out, &meta)?;
                    Ok(Ok(()))
                }
                Err(e) => Ok(Err(e.into())),
            },
        }
    }

    /// Sends (or with `discard` skips) up to `n` rows (-1: all); `Ok(true)`
    /// when rows remain.
    fn stream_rows<W: Write>(
        &mut self,
        open: &mut Open<<B::Session as Session>::Stream>,
        n: i64,
        discard: bool,
        out: &mut Output<W>,
    ) -> io::Result<Result<bool, BackendError>> {
        let limit = match n {
            -1 => u64::MAX,
            n if n > 0 => n as u64,
            n => {
                return Ok(Err(request_invalid(format!(
                    "n must be a positive number or -1, not {n}"
                ))))
            }
        };
        let mut sent = 0u64;
        while sent < limit {
            let row = match open.peeked.take() {
                Some(r) => Some(r),
                None => match open.stream.next_row() {
                    Ok(r) => r,
                    Err(e) => return Ok(Err(e)),
                },
            };
            let Some(row) = row else { return Ok(Ok(false)) };
            if !discard {
                message::record(&mut self.scratch, &row, self.enc, &open.stream);
                out.write_message(&self.scratch)?;
            }
            sent += 1;
        }
        // Read one ahead: `has_more` is then exact.
        match open.stream.next_row() {
            Ok(Some(r)) => {
                open.peeked = Some(r);
                Ok(Ok(true))
            }
            Ok(None) => Ok(Ok(false)),
            Err(e) => Ok(Err(e)),
        }
    }

    /// The last `PULL`/`DISCARD`'s `SUCCESS`.
    fn summary_metadata(
        &self,
        s: &Summary,
        db: &str,
        open: &Open<<B::Session as Session>::Stream>,
        auto_commit: bool,
    ) -> Dict {
        let mut meta = Dict::new();
        if auto_commit {
            if let Some(b) = &s.bookmark {
                meta.push("bookmark", b.as_str());
            }
        }
        meta.push("t_last", millis(open.started));
        meta.push("type", s.query_type.as_str());
        meta.push("db", db);
        let st = &s.stats;
        if !st.is_empty() {
            let mut stats = Dict::new();
            let counters = [
                ("nodes-created", st.nodes_created),
                ("nodes-deleted", st.nodes_deleted),
                ("relationships-created", st.relationships_created),
                ("relationships-deleted", st.relationships_deleted),
                // Neo4j counts a removed property as one set (to null).
                ("properties-set", st.properties_set + st.properties_removed),
                ("labels-added", st.labels_added),
                ("labels-removed", st.labels_removed),
            ];
            for (name, n) in counters {
                if n > 0 {
                    stats.push(name, n.min(i64::MAX as u64) as i64);
                }
            }
            stats.push("contains-updates", true);
            meta.push("stats", stats);
        }
        let plan = |text: &str, profiled: bool| {
            let mut p = Dict::new()
                .with("operatorType", "quiver plan")
                .with("args", Dict::new().with("details", text))
                .with("identifiers", PackValue::List(vec![]))
                .with("children", PackValue::List(vec![]));
            if profiled {
                p.push("dbHits", 0i64);
                p.push("rows", 0i64);
            }
            p
        };
        if let Some(text) = &s.plan {
            meta.push("plan", plan(text, false));
        }
        if let Some(text) = &s.profile {
            meta.push("profile", plan(text, true));
        }
        meta
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
pub(crate) mod tests;
