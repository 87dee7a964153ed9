//! Every Bolt message (Bolt "Messages"): requests decoded from PackStream
//! structures, responses encoded into them.
//!
//! A request whose structure or fields are not what the protocol says is a
//! [`RequestError`], which the connection answers with `FAILURE` and closes
//! (protocol errors are fatal). The `extra` dictionaries are read leniently:
//! entries the server does not use (`notifications_*`, `bolt_agent`, unknown
//! keys) are ignored, entries it uses must have the documented types.

use std::time::Duration;

use quiver::Value;

use super::Version;
use crate::backend::{codes, AccessMode, AuthToken, EntityLookup};
use crate::packstream::encode::{write_dict, write_list_header, write_struct_header};
use crate::packstream::{DecodeError, Decoder, Dict, Limits, PackValue, Structure};
use crate::values::{write_value, Encoding};

/// Message signatures (structure tags).
pub mod sig {
    pub const HELLO: u8 = 0x01;
    pub const GOODBYE: u8 = 0x02;
    pub const RESET: u8 = 0x0F;
    pub const RUN: u8 = 0x10;
    pub const BEGIN: u8 = 0x11;
    pub const COMMIT: u8 = 0x12;
    pub const ROLLBACK: u8 = 0x13;
    pub const DISCARD: u8 = 0x2F;
    pub const PULL: u8 = 0x3F;
    pub const TELEMETRY: u8 = 0x54;
    pub const ROUTE: u8 = 0x66;
    pub const LOGON: u8 = 0x6A;
    pub const LOGOFF: u8 = 0x6B;
    pub const SUCCESS: u8 = 0x70;
    pub const RECORD: u8 = 0x71;
    pub const IGNORED: u8 = 0x7E;
    pub const FAILURE: u8 = 0x7F;
}

/// `HELLO {extra}`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hello {
    pub user_agent: Option<String>,
    /// Authentication, carried by `HELLO` before Bolt 5.1.
    pub auth: AuthToken,
    /// `routing`: `None` when the client does not ask the server to route.
    pub routing: Option<Dict>,
    /// `patch_bolt` (4.3/4.4): `"utc"` is the only patch there is.
    pub patch_bolt: Vec<String>,
}

/// The `extra` of `BEGIN` and of an auto-commit `RUN`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TxExtra {
    pub bookmarks: Vec<String>,
    pub tx_timeout: Option<Duration>,
    pub tx_metadata: Dict,
    pub mode: AccessMode,
    pub db: Option<String>,
    pub imp_user: Option<String>,
}

/// A request from the client.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Hello(Hello),
    Logon(AuthToken),
    Logoff,
    Telemetry(i64),
    Goodbye,
    Reset,
    Run {
        query: String,
        params: Dict,
        extra: TxExtra,
    },
    Begin(TxExtra),
    Commit,
    Rollback,
    Pull {
        n: i64,
        qid: i64,
    },
    Discard {
        n: i64,
        qid: i64,
    },
    Route {
        routing: Dict,
        bookmarks: Vec<String>,
        db: Option<String>,
        imp_user: Option<String>,
    },
}

impl Request {
    pub fn name(&self) -> &'static str {
        match self {
            Request::Hello(_) => "HELLO",
            Request::Logon(_) => "LOGON",
            Request::Logoff => "LOGOFF",
            Request::Telemetry(_) => "TELEMETRY",
            Request::Goodbye => "GOODBYE",
            Request::Reset => "RESET",
            Request::Run { .. } => "RUN",
            Request::Begin(_) => "BEGIN",
            Request::Commit => "COMMIT",
            Request::Rollback => "ROLLBACK",
            Request::Pull { .. } => "PULL",
            Request::Discard { .. } => "DISCARD",
            Request::Route { .. } => "ROUTE",
        }
    }
}

/// A request that breaks the protocol: answered with `FAILURE`, then the
/// connection closes.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RequestError {
    #[error("the message is not valid PackStream: {0}")]
    InvalidFormat(#[from] DecodeError),
    #[error("{0}")]
    Invalid(String),
}

impl RequestError {
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::InvalidFormat(_) => codes::REQUEST_INVALID_FORMAT,
            RequestError::Invalid(_) => codes::REQUEST_INVALID,
        }
    }
}

fn invalid(msg: impl Into<String>) -> RequestError {
    RequestError::Invalid(msg.into())
}

fn opt_string(d: &Dict, key: &str, msg: &str) -> Result<Option<String>, RequestError> {
    match d.get_some(key) {
        None => Ok(None),
        Some(PackValue::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(invalid(format!(
            "{msg}: `{key}` must be a String, not {}",
            v.type_name()
        ))),
    }
}

fn string_list(v: &PackValue, what: &str) -> Result<Vec<String>, RequestError> {
    match v {
        PackValue::Null => Ok(Vec::new()),
        PackValue::List(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("{what} must be a list of strings")))
            })
            .collect(),
        other => Err(invalid(format!(
            "{what} must be a list of strings, not {}",
            other.type_name()
        ))),
    }
}

fn auth_token(d: &Dict) -> Result<AuthToken, RequestError> {
    let mut t = AuthToken {
        scheme: opt_string(d, "scheme", "auth")?.unwrap_or_else(|| "none".into()),
        principal: opt_string(d, "principal", "auth")?,
        credentials: opt_string(d, "credentials", "auth")?,
        ..AuthToken::default()
    };
    for (k, v) in d.iter() {
        if let ("realm", PackValue::String(s)) = (k, v) {
            t.other.insert(k.to_string(), s.clone());
        }
    }
    Ok(t)
}

impl TxExtra {
    pub fn parse(d: &Dict) -> Result<TxExtra, RequestError> {
        let what = "transaction extra";
        let tx_timeout = match d.get_some("tx_timeout") {
            None => None,
            Some(PackValue::Int(ms)) if *ms >= 0 => Some(Duration::from_millis(*ms as u64)),
            Some(v) => return Err(invalid(format!("tx_timeout must be a non-negative Integer, not {v:?}"))),
        };
        let tx_metadata = match d.get_some("tx_metadata") {
            None => Dict::new(),
            Some(PackValue::Dict(m)) => m.clone(),
            Some(v) => {
                return Err(invalid(format!(
                    "tx_metadata must be a Dictionary, not {}",
                    v.type_name()
                )))
            }
        };
        let mode = match opt_string(d, "mode", what)?.as_deref() {
            Some("r") => AccessMode::Read,
            _ => AccessMode::Write,
        };
        Ok(TxExtra {
            bookmarks: d
                .get("bookmarks")
                .map(|b| string_list(b, "bookmarks"))
                .transpose()?
                .unwrap_or_default(),
            tx_timeout,
            tx_metadata,
            mode,
            db: opt_string(d, "db", what)?.filter(|s| !s.is_empty()),
            imp_user: opt_string(d, "imp_user", what)?,
        })
    }
}

fn dict_field(v: &PackValue, what: &str) -> Result<Dict, RequestError> {
    match v {
        PackValue::Dict(d) => Ok(d.clone()),
        PackValue::Null => Ok(Dict::new()),
        other => Err(invalid(format!(
            "{what} must be a Dictionary, not {}",
            other.type_name()
        ))),
    }
}

/// The `n` and `qid` of `PULL` and `DISCARD`.
fn pull_fields(d: &Dict) -> Result<(i64, i64), RequestError> {
    let n = match d.get("n") {
        Some(PackValue::Int(n)) => *n,
        _ => return Err(invalid("PULL and DISCARD need an Integer `n`")),
    };
    let qid = match d.get_some("qid") {
        None => -1,
        Some(PackValue::Int(q)) => *q,
        Some(v) => return Err(invalid(format!("qid must be an Integer, not {}", v.type_name()))),
    };
    Ok((n, qid))
}

impl Request {
    /// Decodes one message payload for `version`.
    pub fn decode(payload: &[u8], version: Version, limits: Limits) -> Result<Request, RequestError> {
        let Structure { tag, fields } = match Decoder::decode_all(payload, limits)? {
            PackValue::Struct(s) => s,
            other => return Err(invalid(format!("a message is a structure, not {}", other.type_name()))),
        };
        let name = match tag {
            sig::HELLO => "HELLO",
            sig::GOODBYE => "GOODBYE",
            sig::RESET => "RESET",
            sig::RUN => "RUN",
            sig::BEGIN => "BEGIN",
            sig::COMMIT => "COMMIT",
            sig::ROLLBACK => "ROLLBACK",
            sig::DISCARD => "DISCARD",
            sig::PULL => "PULL",
            sig::ROUTE => "ROUTE",
            sig::LOGON if version.has_logon() => "LOGON",
            sig::LOGOFF if version.has_logon() => "LOGOFF",
            sig::TELEMETRY if version.has_telemetry() => "TELEMETRY",
            t => {
                return Err(invalid(format!(
                    "there is no request message 0x{t:02X} in Bolt {version}"
                )))
            }
        };
        let arity = |n: usize| -> Result<(), RequestError> {
            if fields.len() == n {
                Ok(())
            } else {
                Err(invalid(format!("{name} has {n} fields, not {}", fields.len())))
            }
        };
        let mut f = fields.iter();
        let mut next = || f.next().expect("arity checked");
        Ok(match tag {
            sig::HELLO => {
                arity(1)?;
                let extra = dict_field(next(), "HELLO extra")?;
                let routing = match extra.get("routing") {
                    None | Some(PackValue::Null) => None,
                    Some(PackValue::Dict(d)) => Some(d.clone()),
                    Some(v) => return Err(invalid(format!("routing must be a Dictionary, not {}", v.type_name()))),
                };
                Request::Hello(Hello {
                    user_agent: opt_string(&extra, "user_agent", "HELLO")?,
                    auth: auth_token(&extra)?,
                    routing,
                    patch_bolt: extra
                        .get("patch_bolt")
                        .map(|p| string_list(p, "patch_bolt"))
                        .transpose()?
                        .unwrap_or_default(),
                })
            }
            sig::LOGON => {
                arity(1)?;
                Request::Logon(auth_token(&dict_field(next(), "LOGON auth")?)?)
            }
            sig::LOGOFF => {
                arity(0)?;
                Request::Logoff
            }
            sig::TELEMETRY => {
                arity(1)?;
                match next() {
                    PackValue::Int(api) => Request::Telemetry(*api),
                    v => {
                        return Err(invalid(format!(
                            "TELEMETRY's api must be an Integer, not {}",
                            v.type_name()
                        )))
                    }
                }
            }
            sig::GOODBYE => {
                arity(0)?;
                Request::Goodbye
            }
            sig::RESET => {
                arity(0)?;
                Request::Reset
            }
            sig::RUN => {
                arity(3)?;
                let query = match next() {
                    PackValue::String(q) => q.clone(),
                    v => return Err(invalid(format!("RUN's query must be a String, not {}", v.type_name()))),
                };
                let params = dict_field(next(), "RUN parameters")?;
                let extra = TxExtra::parse(&dict_field(next(), "RUN extra")?)?;
                Request::Run { query, params, extra }
            }
            sig::BEGIN => {
                arity(1)?;
                Request::Begin(TxExtra::parse(&dict_field(next(), "BEGIN extra")?)?)
            }
            sig::COMMIT => {
                arity(0)?;
                Request::Commit
            }
            sig::ROLLBACK => {
                arity(0)?;
                Request::Rollback
            }
            sig::PULL | sig::DISCARD => {
                arity(1)?;
                let (n, qid) = pull_fields(&dict_field(next(), name)?)?;
                if tag == sig::PULL {
                    Request::Pull { n, qid }
                } else {
                    Request::Discard { n, qid }
                }
            }
            sig::ROUTE => {
                arity(3)?;
                let routing = dict_field(next(), "ROUTE routing")?;
                let bookmarks = string_list(next(), "bookmarks")?;
                // 4.4+: `extra {db, imp_user}`; 4.3: the database name itself.
                let (db, imp_user) = match next() {
                    PackValue::Dict(extra) => (
                        opt_string(extra, "db", "ROUTE")?,
                        opt_string(extra, "imp_user", "ROUTE")?,
                    ),
                    PackValue::String(db) => (Some(db.clone()), None),
                    PackValue::Null => (None, None),
                    v => {
                        return Err(invalid(format!(
                            "ROUTE's extra must be a Dictionary, not {}",
                            v.type_name()
                        )))
                    }
                };
                Request::Route {
                    routing,
                    bookmarks,
                    db: db.filter(|s| !s.is_empty()),
                    imp_user,
                }
            }
            _ => unreachable!("tags matched above"),
        })
    }
}

// ---------------------------------------------------------------------------
// Responses

/// `SUCCESS {metadata}`.
pub fn success(out: &mut Vec<u8>, metadata: &Dict) {
    out.clear();
    write_struct_header(out, sig::SUCCESS, 1);
    write_dict(out, metadata);
}

/// `IGNORED`.
pub fn ignored(out: &mut Vec<u8>) {
    out.clear();
    write_struct_header(out, sig::IGNORED, 0);
}

/// `FAILURE {metadata}`: `code` and `message` before 5.7; from 5.7 on
/// `neo4j_code`, `message`, `gql_status`, `description` and `diagnostic_record`.
pub fn failure(out: &mut Vec<u8>, version: Version, code: &str, message: &str) {
    let meta = if version.has_gql_errors() {
        let (gql, description) = crate::backend::gql_status(code);
        Dict::new()
            .with("neo4j_code", code)
            .with("message", message)
            .with("gql_status", gql)
            .with("description", format!("{description}. {message}"))
            .with(
                "diagnostic_record",
                Dict::new()
                    .with("OPERATION", "")
                    .with("OPERATION_CODE", "0")
                    .with("CURRENT_SCHEMA", "/")
                    .with("_classification", crate::backend::classification(code)),
            )
    } else {
        Dict::new().with("code", code).with("message", message)
    };
    out.clear();
    write_struct_header(out, sig::FAILURE, 1);
    write_dict(out, &meta);
}

/// `RECORD [values]`.
pub fn record(out: &mut Vec<u8>, values: &[Value], enc: Encoding, lookup: &dyn EntityLookup) {
    out.clear();
    write_struct_header(out, sig::RECORD, 1);
    write_list_header(out, values.len());
    for v in values {
        write_value(out, v, enc, lookup);
    }
}

/// A response read back (for tests and clients).
#[derive(Clone, Debug, PartialEq)]
pub enum Response {
    Success(Dict),
    Record(Vec<PackValue>),
    Ignored,
    Failure(Dict),
}

impl Response {
    pub fn decode(payload: &[u8]) -> Result<Response, RequestError> {
        let s = match Decoder::decode_all(payload, Limits::default())? {
            PackValue::Struct(s) => s,
            _ => return Err(invalid("not a structure")),
        };
        let mut fields = s.fields.into_iter();
        Ok(match (s.tag, fields.next(), fields.next()) {
            (sig::SUCCESS, Some(PackValue::Dict(d)), None) => Response::Success(d),
            (sig::FAILURE, Some(PackValue::Dict(d)), None) => Response::Failure(d),
            (sig::RECORD, Some(PackValue::List(l)), None) => Response::Record(l),
            (sig::IGNORED, None, None) => Response::Ignored,
            (t, ..) => return Err(invalid(format!("not a response: 0x{t:02X}"))),
        })
    }

    /// `SUCCESS`, `RECORD`, `IGNORED` or `FAILURE`.
    pub fn kind(&self) -> &'static str {
        match self {
            Response::Success(_) => "SUCCESS",
            Response::Record(_) => "RECORD",
            Response::Ignored => "IGNORED",
            Response::Failure(_) => "FAILURE",
        }
    }

    /// The failure's Neo4j code, in either shape.
    pub fn code(&self) -> Option<&str> {
        match self {
            Response::Failure(d) => d.get("code").or(d.get("neo4j_code")).and_then(PackValue::as_str),
            _ => None,
        }
    }

    pub fn metadata(&self) -> Option<&Dict> {
        match self {
            Response::Success(d) | Response::Failure(d) => Some(d),
            _ => None,
        }
    }
}

/// Encodes a request (the client side: for tests and tools).
pub fn encode_request(tag: u8, fields: Vec<PackValue>) -> Vec<u8> {
    crate::packstream::encode::to_bytes(&PackValue::Struct(Structure { tag, fields }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn decode(bytes: &str, v: Version) -> Result<Request, RequestError> {
        Request::decode(&hex(bytes), v, Limits::default())
    }

    #[test]
    fn requests_from_golden_bytes() {
        // HELLO {"user_agent": "Ex/1", "scheme": "basic", "principal": "u", "credentials": "p"}
        let hello = decode(
            "B1 01 A4 8A 75 73 65 72 5F 61 67 65 6E 74 84 45 78 2F 31 86 73 63 68 65 6D 65 85 62 61 73 69 63 \
             89 70 72 69 6E 63 69 70 61 6C 81 75 8B 63 72 65 64 65 6E 74 69 61 6C 73 81 70",
            Version::V4_4,
        )
        .unwrap();
        let Request::Hello(h) = hello else { panic!() };
        assert_eq!(h.user_agent.as_deref(), Some("Ex/1"));
        assert_eq!(h.auth.scheme, "basic");
        assert_eq!(h.auth.principal.as_deref(), Some("u"));
        assert_eq!(h.auth.credentials.as_deref(), Some("p"));
        assert_eq!(h.routing, None);
        // RUN "RETURN 1" {} {}
        assert_eq!(
            decode("B3 10 88 52 45 54 55 52 4E 20 31 A0 A0", Version::V5_4).unwrap(),
            Request::Run {
                query: "RETURN 1".into(),
                params: Dict::new(),
                extra: TxExtra::default()
            }
        );
        // PULL {"n": -1}, DISCARD {"n": 1000, "qid": 7}
        assert_eq!(
            decode("B1 3F A1 81 6E FF", Version::V5_4).unwrap(),
            Request::Pull { n: -1, qid: -1 }
        );
        assert_eq!(
            decode("B1 2F A2 81 6E C9 03 E8 83 71 69 64 07", Version::V5_4).unwrap(),
            Request::Discard { n: 1000, qid: 7 }
        );
        // LOGON {"scheme": "none"}, LOGOFF, TELEMETRY 2, GOODBYE, RESET, COMMIT, ROLLBACK
        assert_eq!(
            decode("B1 6A A1 86 73 63 68 65 6D 65 84 6E 6F 6E 65", Version::V5_1).unwrap(),
            Request::Logon(AuthToken {
                scheme: "none".into(),
                ..AuthToken::default()
            })
        );
        assert_eq!(decode("B0 6B", Version::V5_1).unwrap(), Request::Logoff);
        assert_eq!(decode("B1 54 02", Version::V5_4).unwrap(), Request::Telemetry(2));
        assert_eq!(decode("B0 02", Version::V5_0).unwrap(), Request::Goodbye);
        assert_eq!(decode("B0 0F", Version::V5_0).unwrap(), Request::Reset);
        assert_eq!(decode("B0 12", Version::V5_0).unwrap(), Request::Commit);
        assert_eq!(decode("B0 13", Version::V5_0).unwrap(), Request::Rollback);
        // BEGIN {"mode": "r", "db": "x", "tx_timeout": 123, "bookmarks": ["b"]}
        let Request::Begin(extra) = decode(
            "B1 11 A4 84 6D 6F 64 65 81 72 82 64 62 81 78 8A 74 78 5F 74 69 6D 65 6F 75 74 7B \
             89 62 6F 6F 6B 6D 61 72 6B 73 91 81 62",
            Version::V5_0,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(extra.mode, AccessMode::Read);
        assert_eq!(extra.db.as_deref(), Some("x"));
        assert_eq!(extra.tx_timeout, Some(Duration::from_millis(123)));
        assert_eq!(extra.bookmarks, vec!["b".to_string()]);
        // ROUTE {"address": "h:1"} [] {"db": null}
        assert_eq!(
            decode(
                "B3 66 A1 87 61 64 64 72 65 73 73 83 68 3A 31 90 A1 82 64 62 C0",
                Version::V4_4
            )
            .unwrap(),
            Request::Route {
                routing: Dict::new().with("address", "h:1"),
                bookmarks: vec![],
                db: None,
                imp_user: None
            }
        );
    }

    #[test]
    fn protocol_violations() {
        // LOGON, LOGOFF and TELEMETRY do not exist before their versions.
        assert!(decode("B0 6B", Version::V5_0).is_err());
        assert!(decode("B1 54 02", Version::V5_3).is_err());
        // Unknown signature, wrong arity, wrong types, not a structure.
        let e = decode("B0 77", Version::V5_4).unwrap_err();
        assert_eq!(e.code(), codes::REQUEST_INVALID);
        assert!(decode("B1 0F A0", Version::V5_4).is_err());
        assert!(decode("B3 10 01 A0 A0", Version::V5_4).is_err());
        assert!(decode("B1 3F A0", Version::V5_4).is_err(), "PULL needs n");
        assert!(decode("01", Version::V5_4).is_err());
        let e = decode("B1 3F", Version::V5_4).unwrap_err();
        assert_eq!(e.code(), codes::REQUEST_INVALID_FORMAT);
    }

    #[test]
    fn responses_to_golden_bytes() {
        let mut out = Vec::new();
        success(&mut out, &Dict::new().with("fields", vec!["x"]).with("t_first", 0i64));
        // SUCCESS {"fields": ["x"], "t_first": 0}
        assert_eq!(
            out,
            hex("B1 70 A2 86 66 69 65 6C 64 73 91 81 78 87 74 5F 66 69 72 73 74 00")
        );
        ignored(&mut out);
        assert_eq!(out, hex("B0 7E"));
        record(
            &mut out,
            &[Value::Int(1), Value::from("a")],
            Encoding::BOLT5,
            &crate::values::NoEntities,
        );
        assert_eq!(out, hex("B1 71 92 01 81 61"));
        failure(&mut out, Version::V5_4, "Neo.X.Y.Z", "m");
        // FAILURE {"code": "Neo.X.Y.Z", "message": "m"}
        assert_eq!(
            out,
            hex("B1 7F A2 84 63 6F 64 65 89 4E 65 6F 2E 58 2E 59 2E 5A 87 6D 65 73 73 61 67 65 81 6D")
        );
        failure(&mut out, Version::V5_7, codes::SYNTAX_ERROR, "bad");
        let r = Response::decode(&out).unwrap();
        assert_eq!(r.code(), Some(codes::SYNTAX_ERROR));
        let meta = r.metadata().unwrap();
        assert_eq!(meta.get("gql_status"), Some(&"42001".into()));
        assert!(meta.get("code").is_none());
        let diag = meta.get("diagnostic_record").and_then(PackValue::as_dict).unwrap();
        assert_eq!(diag.get("_classification"), Some(&"CLIENT_ERROR".into()));
    }
}
