//! What the Bolt server needs from a database: the traits the engine
//! implements, and the mapping of its errors to Neo4j status codes.
//!
//! One [`Backend`] serves every connection (it is shared between the
//! listener's threads); each authenticated connection opens one [`Session`],
//! which runs statements, auto-commit or inside an explicit transaction it
//! began, and hands back each result as a [`ResultStream`] the connection
//! pulls rows from in the batches the client asks for (`PULL n`), so no more
//! than one batch of a result is ever held by the protocol layer.
//!
//! The call sequence on one connection:
//!
//! ```text
//! authenticate(token) -> open_session(user)
//!   auto-commit:  run(q, params, TxContext::AutoCommit(opts)) -> stream
//!                 stream.next_row()* -> stream.finish()   (commits; bookmark)
//!   explicit:     begin(opts) -> run(q, params, TxContext::Explicit)* -> commit() | rollback()
//!   RESET / a failure inside a transaction: rollback(), then reset()
//! ```
//!
//! Streams are owned values: several may be open at once in one explicit
//! transaction (each `RUN` is one; `PULL {qid}` picks one), and a stream is
//! dropped without `finish` when the client discards the connection or RESETs.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use quiver::{ErrorKind, NodeId, NodeSnapshot, RelId, RelSnapshot, Stats, Value};

/// Query parameters and transaction metadata, by name.
pub type Params = BTreeMap<String, Value>;

/// The authentication token of `HELLO` (Bolt < 5.1) or `LOGON` (5.1+).
#[derive(Clone, Default, PartialEq)]
pub struct AuthToken {
    /// `none`, `basic`, `bearer`, `kerberos`, or a custom scheme.
    pub scheme: String,
    pub principal: Option<String>,
    pub credentials: Option<String>,
    /// `realm`, `parameters` and any other entries, stringified (rarely used).
    pub other: BTreeMap<String, String>,
}

impl fmt::Debug for AuthToken {
    /// Never prints the credentials.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthToken")
            .field("scheme", &self.scheme)
            .field("principal", &self.principal)
            .field("credentials", &self.credentials.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// Authentication refused: the client gets `Neo.ClientError.Security.Unauthorized`
/// and the connection is closed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AuthError(pub String);

/// The `mode` of `BEGIN` and auto-commit `RUN`: `"r"` is read, anything else write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum AccessMode {
    Read,
    #[default]
    Write,
}

/// What `BEGIN`, or an auto-commit `RUN`, asks of its transaction.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TxOptions {
    /// The database, resolved by [`Backend::resolve_database`].
    pub db: String,
    pub mode: AccessMode,
    /// Bookmarks the transaction must see the effects of.
    pub bookmarks: Vec<String>,
    pub tx_timeout: Option<Duration>,
    pub tx_metadata: Params,
    /// The user to run as (`imp_user`), if the client asks to impersonate one.
    pub imp_user: Option<String>,
}

/// Where a statement runs.
#[derive(Clone, Copy, Debug)]
pub enum TxContext<'a> {
    /// In a transaction of its own, committed when its stream is finished.
    AutoCommit(&'a TxOptions),
    /// In the session's open explicit transaction ([`Session::begin`]).
    Explicit,
}

/// The routing table `ROUTE` answers with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoutingTable {
    pub ttl_seconds: i64,
    pub db: String,
    pub routers: Vec<String>,
    pub readers: Vec<String>,
    pub writers: Vec<String>,
}

impl RoutingTable {
    /// One server playing every role (ttl 300 s).
    pub fn single(db: String, address: &str) -> RoutingTable {
        RoutingTable {
            ttl_seconds: 300,
            db,
            routers: vec![address.to_string()],
            readers: vec![address.to_string()],
            writers: vec![address.to_string()],
        }
    }
}

/// The database behind the server.
pub trait Backend {
    type Session: Session;

    /// Checks a client's credentials; the `Ok` value names the user.
    fn authenticate(&self, token: &AuthToken) -> Result<String, AuthError>;

    /// A session for an authenticated user, for the rest of the connection
    /// (or until `LOGOFF`).
    fn open_session(&self, user: &str) -> Result<Self::Session, BackendError>;

    /// The name of the database `requested` (`None` or `""`: the default one),
    /// or [`BackendError::DatabaseNotFound`].
    fn resolve_database(&self, requested: Option<&str>) -> Result<String, BackendError>;

    /// The answer to `ROUTE` for database `db` (already resolved):
    /// by default this server, at `advertised_address`, for every role.
    fn routing_table(&self, db: &str, advertised_address: &str) -> Result<RoutingTable, BackendError> {
        Ok(RoutingTable::single(db.to_string(), advertised_address))
    }
}

/// One connection's access to the database.
pub trait Session {
    type Stream: ResultStream;

    /// Starts a statement and returns its result stream (rows may be
    /// computed lazily, as they are pulled).
    fn run(&mut self, query: &str, params: Params, tx: TxContext<'_>) -> Result<Self::Stream, BackendError>;

    /// Opens an explicit transaction.
    fn begin(&mut self, options: &TxOptions) -> Result<(), BackendError>;

    /// Commits the explicit transaction; the bookmark names the commit.
    fn commit(&mut self) -> Result<Option<String>, BackendError>;

    /// Rolls the explicit transaction back.
    fn rollback(&mut self) -> Result<(), BackendError>;

    /// After `RESET`: drop whatever state the session holds (the connection
    /// has already rolled back an open transaction and dropped its streams).
    fn reset(&mut self) {}
}

/// Labels, types and properties of the entities a result mentions.
pub trait EntityLookup {
    fn node(&self, id: NodeId) -> Option<&NodeSnapshot>;
    fn relationship(&self, id: RelId) -> Option<&RelSnapshot>;
}

impl EntityLookup for quiver::QueryResult {
    fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        self.nodes.get(&id)
    }
    fn relationship(&self, id: RelId) -> Option<&RelSnapshot> {
        self.relationships.get(&id)
    }
}

/// One statement's result, read row by row.
pub trait ResultStream: EntityLookup {
    /// The column names (`RUN`'s `fields`).
    fn fields(&self) -> &[String];

    /// The next row (as wide as `fields`), or `None` at the end. The
    /// entities it mentions must be found through [`EntityLookup`] until
    /// the next call.
    fn next_row(&mut self) -> Result<Option<Vec<Value>>, BackendError>;

    /// Called once, after the last row or when the client discards the
    /// rest: completes the statement (an auto-commit one commits here) and
    /// says what it did. A stream dropped without `finish` (RESET, a
    /// failure, the connection closing) must undo its auto-commit work.
    fn finish(&mut self) -> Result<Summary, BackendError>;
}

/// What a finished statement reports (the last `PULL`/`DISCARD`'s `SUCCESS`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub stats: Stats,
    pub query_type: QueryType,
    /// For an auto-commit statement: the bookmark of its commit.
    pub bookmark: Option<String>,
    /// The plan, for `EXPLAIN`.
    pub plan: Option<String>,
    /// The plan with counts, for `PROFILE`.
    pub profile: Option<String>,
}

/// The summary's `type`: `"r"`, `"w"`, `"rw"` or `"s"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum QueryType {
    #[default]
    Read,
    Write,
    ReadWrite,
    Schema,
}

impl QueryType {
    pub fn as_str(self) -> &'static str {
        match self {
            QueryType::Read => "r",
            QueryType::Write => "w",
            QueryType::ReadWrite => "rw",
            QueryType::Schema => "s",
        }
    }

    /// A guess from what a statement did: it changed something (and
    /// returned columns: `rw`) or it did not (`r`).
    pub fn from_effects(stats: &Stats, has_columns: bool) -> QueryType {
        match (stats.is_empty(), has_columns) {
            (true, _) => QueryType::Read,
            (false, true) => QueryType::ReadWrite,
            (false, false) => QueryType::Write,
        }
    }
}

/// Why the backend could not do what the client asked; each becomes a
/// `FAILURE` with the Neo4j status code of [`neo4j_code`].
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum BackendError {
    /// The engine refused or failed the statement (boxed: it is large).
    #[error("{0}")]
    Query(Box<quiver::Error>),
    /// A write could not get the writer lock in time: transient, so the
    /// drivers' managed transactions retry it.
    #[error("{0}")]
    LockTimeout(String),
    #[error("database `{0}` does not exist")]
    DatabaseNotFound(String),
    /// A request the backend does not support (impersonation, say).
    #[error("{0}")]
    Unsupported(String),
    /// Any other outcome, with its Neo4j status code.
    #[error("{message}")]
    Status { code: &'static str, message: String },
    /// A bug or an unexpected state: `Neo.DatabaseError.General.UnknownError`.
    #[error("{0}")]
    Internal(String),
}

impl From<quiver::Error> for BackendError {
    fn from(e: quiver::Error) -> Self {
        BackendError::Query(Box::new(e))
    }
}

pub mod codes {
    //! The Neo4j status codes the server sends.
    pub const SYNTAX_ERROR: &str = "Neo.ClientError.Statement.SyntaxError";
    pub const SEMANTIC_ERROR: &str = "Neo.ClientError.Statement.SemanticError";
    pub const PARAMETER_MISSING: &str = "Neo.ClientError.Statement.ParameterMissing";
    pub const TYPE_ERROR: &str = "Neo.ClientError.Statement.TypeError";
    pub const ARGUMENT_ERROR: &str = "Neo.ClientError.Statement.ArgumentError";
    pub const ENTITY_NOT_FOUND: &str = "Neo.ClientError.Statement.EntityNotFound";
    pub const EXTERNAL_RESOURCE_FAILED: &str = "Neo.ClientError.Statement.ExternalResourceFailed";
    pub const FEATURE_NOT_SUPPORTED: &str = "Neo.ClientError.Statement.FeatureNotSupported";
    pub const CONSTRAINT_VALIDATION_FAILED: &str = "Neo.ClientError.Schema.ConstraintValidationFailed";
    pub const PROCEDURE_NOT_FOUND: &str = "Neo.ClientError.Procedure.ProcedureNotFound";
    pub const PROCEDURE_CALL_FAILED: &str = "Neo.ClientError.Procedure.ProcedureCallFailed";
    pub const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";
    pub const FORBIDDEN: &str = "Neo.ClientError.Security.Forbidden";
    pub const REQUEST_INVALID: &str = "Neo.ClientError.Request.Invalid";
    pub const REQUEST_INVALID_FORMAT: &str = "Neo.ClientError.Request.InvalidFormat";
    pub const DATABASE_NOT_FOUND: &str = "Neo.ClientError.Database.DatabaseNotFound";
    pub const READ_ONLY_DATABASE: &str = "Neo.ClientError.General.ForbiddenOnReadOnlyDatabase";
    pub const TX_TERMINATED: &str = "Neo.ClientError.Transaction.Terminated";
    pub const TX_NOT_FOUND: &str = "Neo.ClientError.Transaction.TransactionNotFound";
    pub const TX_START_FAILED: &str = "Neo.ClientError.Transaction.TransactionStartFailed";
    pub const TX_FORBIDDEN: &str = "Neo.ClientError.Transaction.ForbiddenDueToTransactionType";
    pub const LOCK_TIMEOUT: &str = "Neo.TransientError.Transaction.LockAcquisitionTimeout";
    pub const DATABASE_UNAVAILABLE: &str = "Neo.TransientError.General.DatabaseUnavailable";
    pub const UNKNOWN_ERROR: &str = "Neo.DatabaseError.General.UnknownError";
}

/// `Neo.ClientError.Schema.<code>` for the schema errors quiver raises.
fn schema_code(code: &str) -> &'static str {
    match code {
        "ConstraintValidationFailed" => codes::CONSTRAINT_VALIDATION_FAILED,
        "ConstraintCreationFailed" => "Neo.ClientError.Schema.ConstraintCreationFailed",
        "EquivalentSchemaRuleAlreadyExists" => "Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
        "ConstraintAlreadyExists" => "Neo.ClientError.Schema.ConstraintAlreadyExists",
        "ConstraintWithNameAlreadyExists" => "Neo.ClientError.Schema.ConstraintWithNameAlreadyExists",
        "ConstraintNotFound" => "Neo.ClientError.Schema.ConstraintNotFound",
        "IndexAlreadyExists" => "Neo.ClientError.Schema.IndexAlreadyExists",
        "IndexWithNameAlreadyExists" => "Neo.ClientError.Schema.IndexWithNameAlreadyExists",
        "DropIndexFailed" => "Neo.ClientError.Schema.DropIndexFailed",
        _ => "Neo.ClientError.Schema.SchemaRuleViolation",
    }
}

/// The Neo4j status code of a backend error: the one place errors get codes.
pub fn neo4j_code(e: &BackendError) -> &'static str {
    use codes::*;
    match e {
        BackendError::Query(q) => match (q.kind, q.code) {
            (ErrorKind::SyntaxError, _) => SYNTAX_ERROR,
            (ErrorKind::SemanticError, _) => SEMANTIC_ERROR,
            (ErrorKind::ParameterMissing, _) => PARAMETER_MISSING,
            (ErrorKind::TypeError, _) => TYPE_ERROR,
            (ErrorKind::ArgumentError, "NoOpenTransaction") => TX_NOT_FOUND,
            (ErrorKind::ArgumentError, "TransactionAlreadyOpen") => TX_START_FAILED,
            (ErrorKind::ArgumentError, "TransactionOpen") => TX_FORBIDDEN,
            (ErrorKind::ArgumentError, _) => ARGUMENT_ERROR,
            (ErrorKind::EntityNotFound, _) => ENTITY_NOT_FOUND,
            (ErrorKind::ConstraintVerificationFailed, _) => CONSTRAINT_VALIDATION_FAILED,
            (ErrorKind::Schema, code) => schema_code(code),
            (ErrorKind::ProcedureError, "ProcedureNotFound") => PROCEDURE_NOT_FOUND,
            (ErrorKind::ProcedureError, _) => PROCEDURE_CALL_FAILED,
            (ErrorKind::Interrupted, _) => TX_TERMINATED,
            (ErrorKind::IoError, "ReadOnly") => READ_ONLY_DATABASE,
            (ErrorKind::IoError, "DatabaseLocked") => DATABASE_UNAVAILABLE,
            (ErrorKind::IoError, _) => UNKNOWN_ERROR,
            (ErrorKind::DataError, _) => EXTERNAL_RESOURCE_FAILED,
            (ErrorKind::TransientError, _) => LOCK_TIMEOUT,
        },
        BackendError::LockTimeout(_) => LOCK_TIMEOUT,
        BackendError::DatabaseNotFound(_) => DATABASE_NOT_FOUND,
        BackendError::Unsupported(_) => FEATURE_NOT_SUPPORTED,
        BackendError::Status { code, .. } => code,
        BackendError::Internal(_) => UNKNOWN_ERROR,
    }
}

/// The GQL status and its description for a Neo4j code (`FAILURE` in Bolt
/// 5.7+). Neo4j's own refinements where they are known, else the GQL
/// standard's class code; unknown codes get `50N42`, as the drivers do.
pub fn gql_status(neo4j_code: &str) -> (&'static str, &'static str) {
    use codes::*;
    const SYNTAX: (&str, &str) = ("42001", "error: syntax error or access rule violation - invalid syntax");
    const RULE: (&str, &str) = ("42000", "error: syntax error or access rule violation");
    const DATA: (&str, &str) = ("22000", "error: data exception");
    const PROTOCOL: (&str, &str) = ("08N06", "error: connection exception - protocol error");
    const TX_STATE: (&str, &str) = ("25000", "error: invalid transaction state");
    const ROLLBACK: (&str, &str) = ("40000", "error: transaction rollback");
    const UNEXPECTED: (&str, &str) = ("50N42", "error: general processing exception - unexpected error");
    match neo4j_code {
        SYNTAX_ERROR => SYNTAX,
        SEMANTIC_ERROR => RULE,
        PARAMETER_MISSING => (
            "42N51",
            "error: syntax error or access rule violation - invalid parameter",
        ),
        TYPE_ERROR => ("22G03", "error: data exception - invalid value type"),
        ARGUMENT_ERROR | ENTITY_NOT_FOUND | CONSTRAINT_VALIDATION_FAILED | EXTERNAL_RESOURCE_FAILED => DATA,
        UNAUTHORIZED | FORBIDDEN => (
            "42NFF",
            "error: syntax error or access rule violation - permission/access denied",
        ),
        REQUEST_INVALID | REQUEST_INVALID_FORMAT => PROTOCOL,
        TX_NOT_FOUND | TX_START_FAILED | TX_FORBIDDEN | READ_ONLY_DATABASE => TX_STATE,
        TX_TERMINATED | LOCK_TIMEOUT => ROLLBACK,
        PROCEDURE_NOT_FOUND | PROCEDURE_CALL_FAILED | FEATURE_NOT_SUPPORTED => RULE,
        _ => UNEXPECTED,
    }
}

/// `CLIENT_ERROR`, `TRANSIENT_ERROR` or `DATABASE_ERROR`, from the code's class.
pub fn classification(neo4j_code: &str) -> &'static str {
    match neo4j_code.split('.').nth(1) {
        Some("ClientError") => "CLIENT_ERROR",
        Some("TransientError") => "TRANSIENT_ERROR",
        _ => "DATABASE_ERROR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::Phase;

    #[test]
    fn every_error_kind_maps_to_its_neo4j_code() {
        let q = |kind, code| BackendError::from(quiver::Error::new(kind, code, Phase::Runtime, "m"));
        let table: &[(BackendError, &str)] = &[
            (q(ErrorKind::SyntaxError, "UnexpectedSyntax"), codes::SYNTAX_ERROR),
            (q(ErrorKind::SyntaxError, "UndefinedVariable"), codes::SYNTAX_ERROR),
            (q(ErrorKind::SemanticError, "X"), codes::SEMANTIC_ERROR),
            (
                q(ErrorKind::ParameterMissing, "MissingParameter"),
                codes::PARAMETER_MISSING,
            ),
            (q(ErrorKind::TypeError, "InvalidArgumentType"), codes::TYPE_ERROR),
            (q(ErrorKind::ArgumentError, "NumberOutOfRange"), codes::ARGUMENT_ERROR),
            (q(ErrorKind::ArgumentError, "NoOpenTransaction"), codes::TX_NOT_FOUND),
            (
                q(ErrorKind::ArgumentError, "TransactionAlreadyOpen"),
                codes::TX_START_FAILED,
            ),
            (q(ErrorKind::ArgumentError, "TransactionOpen"), codes::TX_FORBIDDEN),
            (
                q(ErrorKind::EntityNotFound, "DeletedEntityAccess"),
                codes::ENTITY_NOT_FOUND,
            ),
            (
                q(ErrorKind::ConstraintVerificationFailed, "DeleteConnectedNode"),
                "Neo.ClientError.Schema.ConstraintValidationFailed",
            ),
            (
                q(ErrorKind::ProcedureError, "ProcedureNotFound"),
                codes::PROCEDURE_NOT_FOUND,
            ),
            (
                q(ErrorKind::ProcedureError, "ProcedureCallFailed"),
                codes::PROCEDURE_CALL_FAILED,
            ),
            (q(ErrorKind::Interrupted, "Interrupted"), codes::TX_TERMINATED),
            (q(ErrorKind::IoError, "ReadOnly"), codes::READ_ONLY_DATABASE),
            (q(ErrorKind::IoError, "DatabaseLocked"), codes::DATABASE_UNAVAILABLE),
            (
                q(ErrorKind::IoError, "IoError"),
                "Neo.DatabaseError.General.UnknownError",
            ),
            (q(ErrorKind::DataError, "InvalidCsv"), codes::EXTERNAL_RESOURCE_FAILED),
            (
                BackendError::LockTimeout("busy".into()),
                "Neo.TransientError.Transaction.LockAcquisitionTimeout",
            ),
            (
                BackendError::DatabaseNotFound("x".into()),
                "Neo.ClientError.Database.DatabaseNotFound",
            ),
            (BackendError::Unsupported("x".into()), codes::FEATURE_NOT_SUPPORTED),
            (
                BackendError::Status {
                    code: codes::UNAUTHORIZED,
                    message: "no".into(),
                },
                "Neo.ClientError.Security.Unauthorized",
            ),
            (BackendError::Internal("bug".into()), codes::UNKNOWN_ERROR),
        ];
        for (e, code) in table {
            assert_eq!(neo4j_code(e), *code, "{e:?}");
            // Every code has a GQL status of five characters and a classification.
            let (gql, desc) = gql_status(code);
            assert_eq!(gql.len(), 5, "{code}");
            assert!(desc.starts_with("error: "), "{code}");
        }
        assert_eq!(classification(codes::LOCK_TIMEOUT), "TRANSIENT_ERROR");
        assert_eq!(classification(codes::SYNTAX_ERROR), "CLIENT_ERROR");
        assert_eq!(classification(codes::UNKNOWN_ERROR), "DATABASE_ERROR");
        assert_eq!(gql_status("Neo.Whatever"), gql_status(codes::UNKNOWN_ERROR));
    }

    #[test]
    fn credentials_are_not_printed() {
        let t = AuthToken {
            scheme: "basic".into(),
            principal: Some("neo4j".into()),
            credentials: Some("secret".into()),
            other: BTreeMap::new(),
        };
        assert!(!format!("{t:?}").contains("secret"));
    }
}
