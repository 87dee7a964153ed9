//! Neo4j's HTTP Query API over the [`Engine`], on `axum`:
//!
//! | request | what it does |
//! |---|---|
//! | `GET /` | discovery: the Bolt and query addresses, the version (a browser, asking for HTML, gets the page) |
//! | `GET /browser/...` | the browser page's files ([`crate::page`]), built into the binary |
//! | `POST /db/{name}/query/v2` | one statement in a transaction of its own |
//! | `POST /db/{name}/query/v2/tx` | opens an explicit transaction (optionally running a statement) |
//! | `POST /db/{name}/query/v2/tx/{id}` | runs a statement in it (or, with no statement, keeps it alive) |
//! | `POST /db/{name}/query/v2/tx/{id}/commit` | commits it (optionally after a statement) |
//! | `DELETE /db/{name}/query/v2/tx/{id}` | rolls it back |
//!
//! A request body is `{"statement", "parameters", "includeCounters",
//! "accessMode", "bookmarks"}`; an answer is `202 Accepted` with
//! `{"data": {"fields", "values"}, "counters", "bookmarks"}` (and
//! `"transaction": {"id", "expires"}` from the transaction endpoints). With
//! `Accept: application/vnd.neo4j.query` values are typed JSON, and with
//! that `Content-Type` parameters are too (see [`crate::json`]). Errors are
//! `{"errors": [{"code", "message"}]}`: 400 for a client error, 401 for
//! missing or wrong credentials (the connection is then closed), 404 for an
//! unknown database or transaction, 503 for a transient error (a lock wait
//! that timed out), 500 otherwise. A failed statement inside an explicit
//! transaction rolls it back.
//!
//! Limits: the request body, the bytes of one result (the API answers in
//! one body, so a result must fit; Bolt streams), connections, open
//! transactions, and their idle time (then they are rolled back).

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value as Json};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::backend::{
    classification, codes, neo4j_code, AccessMode, BackendError, ResultStream, Session, Summary, TxContext, TxOptions,
};
use crate::engine::{Engine, EngineSession};
use crate::json;

/// The HTTP server's limits.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// The largest request body.
    pub max_body: usize,
    /// The largest result (its JSON text): larger ones fail with a message
    /// that says to page the query (or to use Bolt, which streams).
    pub max_result_bytes: usize,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// Explicit transactions open at once.
    pub max_transactions: usize,
    /// An explicit transaction without a request for this long is rolled back.
    pub tx_idle_timeout: Duration,
    /// The Bolt address the discovery document gives, if any.
    pub bolt_address: Option<String>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body: 16 << 20,
            max_result_bytes: 64 << 20,
            max_connections: 256,
            max_transactions: 1000,
            tx_idle_timeout: Duration::from_secs(30),
            bolt_address: None,
        }
    }
}

/// An explicit transaction of the HTTP API.
struct HttpTx {
    session: Mutex<EngineSession>,
    user: String,
    last_used: Mutex<Instant>,
}

struct AppState {
    engine: Engine,
    config: HttpConfig,
    txs: Mutex<HashMap<String, Arc<HttpTx>>>,
    next_tx: AtomicU64,
    seed: std::collections::hash_map::RandomState,
    addr: SocketAddr,
}

type Shared = Arc<AppState>;

/// A failure, as the API answers it.
struct ApiError {
    status: StatusCode,
    code: String,
    message: String,
    /// quiver's own account of a failed statement (kind, TCK code, phase,
    /// position, hint), beside Neo4j's code and message.
    detail: Option<Json>,
    /// The client handles 401 itself (`X-Ajax-Browser-Auth: true`, as the
    /// browser page sends): no `WWW-Authenticate`, so that the browser does
    /// not open its own credentials dialog.
    quiet_auth: bool,
}

impl ApiError {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
            detail: None,
            quiet_auth: false,
        }
    }

    fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "The client is unauthorized due to authentication failure.",
        )
    }
}

impl From<BackendError> for ApiError {
    fn from(e: BackendError) -> ApiError {
        let code = neo4j_code(&e);
        let status = match code {
            codes::UNAUTHORIZED => StatusCode::UNAUTHORIZED,
            codes::DATABASE_NOT_FOUND | codes::TX_NOT_FOUND => StatusCode::NOT_FOUND,
            _ => match classification(code) {
                "CLIENT_ERROR" => StatusCode::BAD_REQUEST,
                "TRANSIENT_ERROR" => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::INTERNAL_SERVER_ERROR,
            },
        };
        let (message, detail) = match &e {
            BackendError::Query(q) => (q.to_string(), Some(error_detail(q))),
            other => (other.to_string(), None),
        };
        ApiError {
            detail,
            ..ApiError::new(status, code, message)
        }
    }
}

/// A query error's parts, for clients that show them (the browser page
/// puts the caret under the position).
fn error_detail(q: &quiver::Error) -> Json {
    let mut d = json!({
        "kind": q.kind.as_str(),
        "code": q.code,
        "phase": q.phase.as_str(),
        "message": q.message,
    });
    if let Some(p) = q.position {
        d["line"] = json!(p.line);
        d["column"] = json!(p.column);
    }
    if let Some(l) = &q.source_line {
        d["sourceLine"] = json!(l);
    }
    if let Some(h) = &q.hint {
        d["hint"] = json!(h);
    }
    d
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({"code": self.code, "message": self.message});
        if let Some(d) = self.detail {
            error["quiver"] = d;
        }
        let body = json!({"errors": [error]});
        let mut r = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            let h = r.headers_mut();
            if !self.quiet_auth {
                h.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"quiver\""),
                );
            }
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        r
    }
}

/// The user and password of an `Authorization: Basic ...` header value.
pub fn basic_credentials(value: &str) -> Option<(String, String)> {
    let (scheme, rest) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(rest.trim()).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

/// A request body as the API reads it: the statement (if any) and its
/// parameters, plain or typed JSON (for the fuzz target and tests).
pub fn decode_request(
    body: &[u8],
    typed_params: bool,
    db: &quiver::Database,
) -> Result<(Option<String>, crate::backend::Params), String> {
    let req = parse_body(body, false).map_err(|e| format!("{}: {}", e.code, e.message))?;
    let params = json::params(req.parameters.as_ref(), typed_params, db).map_err(|e| e.to_string())?;
    Ok((req.statement, params))
}

/// Checks the `Authorization` header; the user's name when it passes.
fn authorize(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let credentials = given.and_then(basic_credentials);
    if !state.engine.auth_required() {
        return Ok(credentials.map(|(u, _)| u).unwrap_or_else(|| "anonymous".into()));
    }
    match credentials {
        Some((u, p)) if state.engine.check_password(&u, &p) => Ok(u),
        _ => Err(ApiError {
            quiet_auth: headers
                .get("x-ajax-browser-auth")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("true")),
            ..ApiError::unauthorized()
        }),
    }
}

/// What the request's headers ask for: typed JSON out, typed JSON in.
fn formats(headers: &HeaderMap) -> (bool, bool) {
    let is_typed = |h: header::HeaderName| {
        headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains("application/vnd.neo4j.query"))
    };
    (is_typed(header::ACCEPT), is_typed(header::CONTENT_TYPE))
}

/// A request body, read.
struct QueryRequest {
    statement: Option<String>,
    parameters: Option<Json>,
    access_mode: AccessMode,
    impersonated_user: Option<String>,
}

fn parse_body(body: &[u8], statement_required: bool) -> Result<QueryRequest, ApiError> {
    let invalid = |m: String| ApiError::new(StatusCode::BAD_REQUEST, codes::REQUEST_INVALID_FORMAT, m);
    let trimmed = body.iter().all(u8::is_ascii_whitespace);
    let j: Json = if trimmed {
        Json::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| invalid(format!("the request body is not valid JSON: {e}")))?
    };
    let Json::Object(o) = j else {
        return Err(invalid(
            "the request body is a JSON object: {\"statement\": \"...\", \"parameters\": {...}}".into(),
        ));
    };
    let statement = match o.get("statement") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(other) => return Err(invalid(format!("\"statement\" is a string, not {other}"))),
    };
    if statement_required && statement.as_deref().is_none_or(|s| s.trim().is_empty()) {
        return Err(invalid(
            "the request has no \"statement\": send {\"statement\": \"MATCH (n) RETURN n LIMIT 1\"}".into(),
        ));
    }
    let access_mode = match o.get("accessMode").and_then(Json::as_str) {
        None => AccessMode::Write,
        Some(m) if m.eq_ignore_ascii_case("read") => AccessMode::Read,
        Some(m) if m.eq_ignore_ascii_case("write") => AccessMode::Write,
        Some(m) => return Err(invalid(format!("\"accessMode\" is READ or WRITE, not {m}"))),
    };
    Ok(QueryRequest {
        statement,
        parameters: o.get("parameters").cloned(),
        access_mode,
        impersonated_user: o.get("impersonatedUser").and_then(Json::as_str).map(str::to_string),
    })
}

/// One statement's answer, rendered.
struct Ran {
    fields: Vec<String>,
    /// The JSON text of `values` (an array of rows).
    values: String,
    summary: Summary,
}

/// Runs a statement and renders every row (within the byte limit).
fn run_statement(
    session: &mut EngineSession,
    req: &QueryRequest,
    tx: TxContext<'_>,
    typed: (bool, bool),
    limit: usize,
) -> Result<Ran, BackendError> {
    let statement = req.statement.as_deref().unwrap_or_default();
    let params = json::params(req.parameters.as_ref(), typed.1, session.database())?;
    let mut stream = session.run(statement, params, tx)?;
    let fields = stream.fields().to_vec();
    let mut values = String::from("[");
    let mut first = true;
    while let Some(row) = stream.next_row()? {
        let rendered: Vec<Json> = row
            .iter()
            .map(|v| {
                if typed.0 {
                    json::typed(v, &stream)
                } else {
                    json::plain(v, &stream)
                }
            })
            .collect();
        if !first {
            values.push(',');
        }
        first = false;
        values.push_str(&Json::Array(rendered).to_string());
        if values.len() > limit {
            return Err(BackendError::Status {
                code: codes::REQUEST_INVALID,
                message: format!(
                    "the result is larger than the HTTP API's limit of {} MiB: page it (SKIP/LIMIT), return less, \
                     or use Bolt, which streams results",
                    limit >> 20
                ),
            });
        }
    }
    values.push(']');
    let summary = stream.finish()?;
    Ok(Ran {
        fields,
        values,
        summary,
    })
}

fn counters(s: &quiver::Stats) -> Json {
    json!({
        "containsUpdates": !s.is_empty(),
        "nodesCreated": s.nodes_created,
        "nodesDeleted": s.nodes_deleted,
        "propertiesSet": s.properties_set + s.properties_removed,
        "relationshipsCreated": s.relationships_created,
        "relationshipsDeleted": s.relationships_deleted,
        "labelsAdded": s.labels_added,
        "labelsRemoved": s.labels_removed,
        "indexesAdded": 0,
        "indexesRemoved": 0,
        "constraintsAdded": 0,
        "constraintsRemoved": 0,
        "containsSystemUpdates": false,
        "systemUpdates": 0,
    })
}

/// The answer's body: data, counters, bookmarks, the transaction.
fn answer(ran: Option<Ran>, bookmark: Option<String>, tx: Option<(&str, Duration)>, typed: bool) -> Response {
    let (fields, values, stats, plan) = match &ran {
        Some(r) => (
            Json::from(r.fields.clone()).to_string(),
            r.values.as_str(),
            r.summary.stats,
            r.summary.plan.clone().or(r.summary.profile.clone()),
        ),
        None => ("[]".to_string(), "[]", quiver::Stats::default(), None),
    };
    let mut body = format!("{{\"data\":{{\"fields\":{fields},\"values\":{values}}}");
    body.push_str(&format!(",\"counters\":{}", counters(&stats)));
    if let Some(p) = plan {
        let key = if ran.as_ref().is_some_and(|r| r.summary.profile.is_some()) {
            "profiledQueryPlan"
        } else {
            "queryPlan"
        };
        body.push_str(&format!(",\"{key}\":{}", Json::from(p)));
    }
    let bookmarks: Vec<String> = bookmark
        .or_else(|| ran.as_ref().and_then(|r| r.summary.bookmark.clone()))
        .into_iter()
        .collect();
    body.push_str(&format!(",\"bookmarks\":{}", Json::from(bookmarks)));
    if let Some((id, idle)) = tx {
        let expires = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::try_from(idle).unwrap_or_default())
            .unwrap_or_else(|_| jiff::Timestamp::now());
        let expires = expires.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string();
        body.push_str(&format!(",\"transaction\":{}", json!({"id": id, "expires": expires})));
    }
    body.push('}');
    let content_type = if typed {
        "application/vnd.neo4j.query"
    } else {
        "application/json"
    };
    (StatusCode::ACCEPTED, [(header::CONTENT_TYPE, content_type)], body).into_response()
}

fn tx_options(state: &AppState, db: &str, req: &QueryRequest) -> Result<TxOptions, BackendError> {
    Ok(TxOptions {
        db: state.engine.resolve(Some(db))?,
        mode: req.access_mode,
        imp_user: req.impersonated_user.clone(),
        ..TxOptions::default()
    })
}

/// Runs blocking engine work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, ApiError> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.unwrap_or_else(|e| {
        Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::UNKNOWN_ERROR,
            format!("the statement's worker failed: {e}"),
        ))
    })
}

async fn discovery(State(state): State<Shared>, headers: HeaderMap) -> Response {
    if crate::page::wants_html(&headers) {
        return crate::page::index();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .unwrap_or_else(|| state.addr.to_string());
    let mut doc = json!({
        "query": format!("http://{host}/db/{{databaseName}}/query/v2"),
        "neo4j_version": "5.26.0",
        "neo4j_edition": "community",
        "quiver_version": env!("CARGO_PKG_VERSION"),
        "default_database": state.engine.home(),
        "quiver_auth": state.engine.auth_required(),
        "quiver_read_only": state.engine.config().read_only,
    });
    if let Some(b) = &state.config.bolt_address {
        doc["bolt_direct"] = json!(format!("bolt://{b}"));
        doc["bolt_routing"] = json!(format!("neo4j://{b}"));
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        doc.to_string(),
    )
        .into_response()
}

async fn query(
    State(state): State<Shared>,
    Path(db): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    authorize(&state, &headers)?;
    let typed = formats(&headers);
    let req = parse_body(&body, true)?;
    let st = state.clone();
    let ran = blocking(move || {
        let options = tx_options(&st, &db, &req)?;
        let mut session = st.engine.session()?;
        Ok(run_statement(
            &mut session,
            &req,
            TxContext::AutoCommit(&options),
            typed,
            st.config.max_result_bytes,
        )?)
    })
    .await?;
    Ok(answer(Some(ran), None, None, typed.0))
}

impl AppState {
    fn new_tx_id(&self) -> String {
        let n = self.next_tx.fetch_add(1, Ordering::SeqCst);
        let mut a = self.seed.build_hasher();
        a.write_u64(n);
        let mut b = self.seed.build_hasher();
        b.write_u64(!n);
        format!("{:016x}{:016x}", a.finish(), b.finish())
    }

    /// Rolls back (drops) the transactions idle too long.
    fn expire(&self) {
        let now = Instant::now();
        let idle = self.config.tx_idle_timeout;
        let mut txs = self.txs.lock().unwrap_or_else(|e| e.into_inner());
        txs.retain(|_, tx| {
            let last = *tx.last_used.lock().unwrap_or_else(|e| e.into_inner());
            // One in use right now is not idle.
            now.duration_since(last) < idle || tx.session.try_lock().is_err()
        });
    }

    fn find_tx(&self, id: &str, user: &str) -> Result<Arc<HttpTx>, ApiError> {
        self.expire();
        let txs = self.txs.lock().unwrap_or_else(|e| e.into_inner());
        match txs.get(id) {
            Some(tx) if tx.user == user => {
                *tx.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
                Ok(tx.clone())
            }
            _ => Err(ApiError::new(
                StatusCode::NOT_FOUND,
                codes::TX_NOT_FOUND,
                format!(
                    "there is no open transaction {id}: it was committed, rolled back, or idle for over {} s",
                    self.config.tx_idle_timeout.as_secs()
                ),
            )),
        }
    }

    fn forget_tx(&self, id: &str) -> Option<Arc<HttpTx>> {
        self.txs.lock().unwrap_or_else(|e| e.into_inner()).remove(id)
    }
}

async fn begin(
    State(state): State<Shared>,
    Path(db): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let user = authorize(&state, &headers)?;
    let typed = formats(&headers);
    let req = parse_body(&body, false)?;
    let st = state.clone();
    let (id, ran) = blocking(move || {
        st.expire();
        let open = st.txs.lock().unwrap_or_else(|e| e.into_inner()).len();
        if open >= st.config.max_transactions {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::DATABASE_UNAVAILABLE,
                format!("{open} transactions are open, the most this server allows: commit or roll some back"),
            ));
        }
        let options = tx_options(&st, &db, &req)?;
        let mut session = st.engine.session()?;
        session.begin(&options)?;
        let ran = match req.statement.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(_) => Some(run_statement(
                &mut session,
                &req,
                TxContext::Explicit,
                typed,
                st.config.max_result_bytes,
            )?),
            None => None,
        };
        let id = st.new_tx_id();
        let tx = Arc::new(HttpTx {
            session: Mutex::new(session),
            user,
            last_used: Mutex::new(Instant::now()),
        });
        st.txs.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), tx);
        Ok((id, ran))
    })
    .await?;
    Ok(answer(ran, None, Some((&id, state.config.tx_idle_timeout)), typed.0))
}

/// Runs `req`'s statement (if any) in transaction `id`, then commits it if
/// `commit`; a failure rolls the transaction back.
async fn in_tx(
    state: Shared,
    db: String,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    commit: bool,
) -> Result<Response, ApiError> {
    let user = authorize(&state, &headers)?;
    state.engine.resolve(Some(&db))?;
    let typed = formats(&headers);
    let req = parse_body(&body, false)?;
    let st = state.clone();
    let tx_id = id.clone();
    let (ran, bookmark) = blocking(move || {
        let tx = st.find_tx(&tx_id, &user)?;
        let mut session = tx.session.lock().unwrap_or_else(|e| e.into_inner());
        let outcome = (|| -> Result<_, BackendError> {
            let ran = match req.statement.as_deref().filter(|s| !s.trim().is_empty()) {
                Some(_) => Some(run_statement(
                    &mut session,
                    &req,
                    TxContext::Explicit,
                    typed,
                    st.config.max_result_bytes,
                )?),
                None => None,
            };
            let bookmark = if commit { session.commit()? } else { None };
            Ok((ran, bookmark))
        })();
        *tx.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        if outcome.is_err() || commit {
            let _ = session.rollback();
            drop(session);
            st.forget_tx(&tx_id);
        }
        Ok(outcome?)
    })
    .await?;
    let tx = (!commit).then_some((id.as_str(), state.config.tx_idle_timeout));
    Ok(answer(ran, bookmark, tx, typed.0))
}

async fn run_in_tx(
    State(state): State<Shared>,
    Path((db, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    in_tx(state, db, id, headers, body, false).await
}

async fn commit(
    State(state): State<Shared>,
    Path((db, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    in_tx(state, db, id, headers, body, true).await
}

async fn rollback(
    State(state): State<Shared>,
    Path((db, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let user = authorize(&state, &headers)?;
    state.engine.resolve(Some(&db))?;
    let typed = formats(&headers);
    let st = state.clone();
    blocking(move || {
        let tx = st.find_tx(&id, &user)?;
        st.forget_tx(&id);
        let mut session = tx.session.lock().unwrap_or_else(|e| e.into_inner());
        session.rollback()?;
        Ok(())
    })
    .await?;
    Ok(answer(None, None, None, typed.0))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        codes::REQUEST_INVALID,
        "no such endpoint: queries go to POST /db/{name}/query/v2 (see GET /)",
    )
}

/// The router of the API, over `engine` (for tests and embedding).
fn router(state: Shared) -> Router {
    let max_body = state.config.max_body;
    Router::new()
        .route("/", get(discovery))
        .route("/browser", get(crate::page::index_redirect))
        .route("/browser/", get(crate::page::index_page))
        .route("/browser/{*file}", get(crate::page::asset))
        .route("/favicon.ico", get(crate::page::favicon))
        .route("/db/{db}/query/v2", post(query))
        .route("/db/{db}/query/v2/tx", post(begin))
        .route("/db/{db}/query/v2/tx/{id}", post(run_in_tx).delete(rollback))
        .route("/db/{db}/query/v2/tx/{id}/commit", post(commit))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body))
        .with_state(state)
}

/// A TCP listener that serves at most `permits` connections at once.
struct Limited {
    listener: tokio::net::TcpListener,
    permits: Arc<Semaphore>,
}

/// A connection holding its permit.
struct LimitedIo {
    stream: tokio::net::TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl AsyncRead for LimitedIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for LimitedIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

impl axum::serve::Listener for Limited {
    type Io = LimitedIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (LimitedIo, SocketAddr) {
        loop {
            // Wait for a free slot first: the next client waits in the listen queue.
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                std::future::pending::<()>().await;
                unreachable!()
            };
            match self.listener.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        LimitedIo {
                            stream,
                            _permit: permit,
                        },
                        addr,
                    );
                }
                // Out of file descriptors and the like: wait a little, go on.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

/// A running HTTP server: stops when dropped.
pub struct HttpServer {
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HttpServer {
    /// Serves the API on `listener` (already bound), on a runtime of its own.
    pub fn start(engine: Engine, listener: std::net::TcpListener, config: HttpConfig) -> io::Result<HttpServer> {
        let addr = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .max_blocking_threads(config.max_connections.max(4))
            .thread_name("http")
            .enable_all()
            .build()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let state = Arc::new(AppState {
            engine,
            txs: Mutex::new(HashMap::new()),
            next_tx: AtomicU64::new(1),
            seed: std::collections::hash_map::RandomState::new(),
            addr,
            config,
        });
        let tokio_listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)?
        };
        let thread = std::thread::Builder::new()
            .name("http-listener".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let reaper_state = state.clone();
                    let reaper = tokio::spawn(async move {
                        let mut tick = tokio::time::interval(Duration::from_secs(1));
                        loop {
                            tick.tick().await;
                            let s = reaper_state.clone();
                            let _ = tokio::task::spawn_blocking(move || s.expire()).await;
                        }
                    });
                    let permits = Arc::new(Semaphore::new(state.config.max_connections.max(1)));
                    let app = router(state.clone());
                    let listener = Limited {
                        listener: tokio_listener,
                        permits,
                    };
                    let (grace_tx, grace_rx) = tokio::sync::oneshot::channel::<()>();
                    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                        let _ = rx.await;
                        let _ = grace_tx.send(());
                    });
                    // Requests in flight get a few seconds to finish; then the
                    // connections are dropped.
                    tokio::select! {
                        _ = server => {}
                        _ = async {
                            let _ = grace_rx.await;
                            tokio::time::sleep(Duration::from_secs(5)).await;
                        } => {}
                    }
                    reaper.abort();
                    // Roll back what is still open.
                    state.txs.lock().unwrap_or_else(|e| e.into_inner()).clear();
                });
                runtime.shutdown_timeout(Duration::from_secs(5));
            })?;
        Ok(HttpServer {
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting, lets requests in flight finish, rolls back open
    /// transactions.
    pub fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stop();
    }
}
