//! `--format json`: one JSON object per statement, one per line.
//!
//! Values map to JSON as follows: null, booleans, integers and strings as
//! themselves; floats always with a '.' or an exponent, non-finite ones as
//! `{"$float":"NaN"}`; lists as arrays; maps as objects; temporal values as
//! `{"$date":"..."}` and so on; entities as `{"$node":{...}}`,
//! `{"$relationship":{...}}` and `{"$path":[node, rel, node, ...]}`.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

use quiver::value::{NodeId, RelId};
use quiver::{QueryResult, Stats, Value};

use crate::runner::Failure;

/// `{"columns":[...],"rows":[[...]],"stats":{...}}` (plus `"plan"` after an EXPLAIN).
pub fn result_line(r: &QueryResult) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        columns: &'a [String],
        rows: Rows<'a>,
        stats: StatsJson,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan: Option<&'a str>,
    }
    let line = Line {
        columns: &r.columns,
        rows: Rows(r),
        stats: StatsJson(r.stats),
        plan: r.plan.as_deref(),
    };
    serde_json::to_string(&line).expect("results serialize")
}

/// The start of a result line whose rows are still coming: `{"columns":[...],"rows":[`.
pub fn open_rows(columns: &[String]) -> String {
    format!(
        "{{\"columns\":{},\"rows\":[",
        serde_json::to_string(columns).expect("names serialize")
    )
}

/// `r`'s rows as the next part of the `"rows"` array (`more`: rows came before).
pub fn rows_part(r: &QueryResult, more: bool) -> String {
    let all = serde_json::to_string(&Rows(r)).expect("rows serialize");
    let inner = &all[1..all.len() - 1];
    match (more, inner.is_empty()) {
        (_, true) => String::new(),
        (true, false) => format!(",{inner}"),
        (false, false) => inner.to_string(),
    }
}

/// The end of a streamed result line: `],"stats":{...}}` (plus `"plan"` after a PROFILE).
pub fn close_rows(r: &QueryResult) -> String {
    let mut s = format!(
        "],\"stats\":{}",
        serde_json::to_string(&StatsJson(r.stats)).expect("stats serialize")
    );
    if let Some(p) = &r.plan {
        s.push_str(&format!(
            ",\"plan\":{}",
            serde_json::to_string(p).expect("text serializes")
        ));
    }
    s.push('}');
    s
}

/// The end of a streamed result line cut short by `f`: `],"error":{...}}`.
pub fn close_failed(f: &Failure) -> String {
    let line = error_line(f);
    // `{"error":{...}}` -> `,"error":{...}}`
    format!("],{}", &line[1..])
}

/// What a bulk import loaded, as one line:
/// `{"import":{"nodes":3,"relationships":2,"properties":7,"files":2,"bytes":120,"ms":4}}`.
pub fn import_line(s: &quiver::import::ImportSummary) -> String {
    serde_json::json!({
        "import": {
            "nodes": s.nodes,
            "relationships": s.relationships,
            "properties": s.properties,
            "files": s.files,
            "bytes": s.bytes,
            "ms": s.elapsed.as_millis() as u64,
        }
    })
    .to_string()
}

/// `{"error":{"kind":...,"code":...,"phase":...,"message":...,"line":...,"column":...}}`
pub fn error_line(f: &Failure) -> String {
    #[derive(Serialize)]
    struct Line<'a> {
        error: Inner<'a>,
    }
    #[derive(Serialize)]
    struct Inner<'a> {
        kind: &'a str,
        code: &'a str,
        phase: &'a str,
        message: &'a str,
        line: Option<usize>,
        column: Option<usize>,
    }
    let (kind, code, phase, message, pos) = match f {
        Failure::Query(e) => (
            e.kind.as_str(),
            e.code,
            e.phase.as_str(),
            e.message.as_str(),
            e.position.map(|p| (p.line, p.column)),
        ),
        Failure::Internal(msg) => ("InternalError", "InternalError", "runtime", msg.as_str(), None),
    };
    let line = Line {
        error: Inner {
            kind,
            code,
            phase,
            message,
            line: pos.map(|p| p.0),
            column: pos.map(|p| p.1),
        },
    };
    serde_json::to_string(&line).expect("errors serialize")
}

/// One value as JSON text (entities resolved through `r`).
#[cfg(test)]
pub fn value_text(r: &QueryResult, v: &Value) -> String {
    serde_json::to_string(&Json { r, v }).expect("values serialize")
}

struct Rows<'a>(&'a QueryResult);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.0;
        let mut seq = s.serialize_seq(Some(r.rows.len()))?;
        for row in &r.rows {
            let cells: Vec<Json> = row.iter().map(|v| Json { r, v }).collect();
            seq.serialize_element(&cells)?;
        }
        seq.end()
    }
}

struct StatsJson(Stats);

impl Serialize for StatsJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fields = self.0.fields();
        let mut m = s.serialize_map(Some(fields.len()))?;
        for (name, n) in fields {
            m.serialize_entry(name, &n)?;
        }
        m.end()
    }
}

struct Json<'a> {
    r: &'a QueryResult,
    v: &'a Value,
}

/// `{"$tag": inner}`
fn tagged<S: Serializer, T: Serialize + ?Sized>(s: S, tag: &str, inner: &T) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(1))?;
    m.serialize_entry(tag, inner)?;
    m.end()
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let r = self.r;
        match self.v {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::Float(f) if f.is_nan() => tagged(s, "$float", "NaN"),
            Value::Float(f) if f.is_infinite() => tagged(s, "$float", if *f > 0.0 { "Infinity" } else { "-Infinity" }),
            // serde_json writes finite floats with a '.' or an exponent (1.0, 1e+20, -0.0).
            Value::Float(f) => s.serialize_f64(*f),
            Value::String(x) => s.serialize_str(x),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items.iter() {
                    seq.serialize_element(&Json { r, v })?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map.iter() {
                    m.serialize_entry(&**k, &Json { r, v })?;
                }
                m.end()
            }
            Value::Node(id) => tagged(s, "$node", &NodeJson { r, id: *id }),
            Value::Relationship(id) => tagged(s, "$relationship", &RelJson { r, id: *id }),
            Value::Path(p) => tagged(s, "$path", &PathJson { r, p }),
            Value::Date(d) => tagged(s, "$date", &d.to_string()),
            Value::LocalTime(t) => tagged(s, "$localtime", &t.to_string()),
            Value::Time(t) => tagged(s, "$time", &t.to_string()),
            Value::LocalDateTime(t) => tagged(s, "$localdatetime", &t.to_string()),
            Value::DateTime(t) => tagged(s, "$datetime", &t.to_string()),
            Value::Duration(d) => tagged(s, "$duration", &d.to_string()),
        }
    }
}

struct Props<'a> {
    r: &'a QueryResult,
    props: Option<&'a quiver::value::Map>,
}

impl Serialize for Props<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(self.props.map(|p| p.len()))?;
        for (k, v) in self.props.into_iter().flatten() {
            m.serialize_entry(&**k, &Json { r: self.r, v })?;
        }
        m.end()
    }
}

struct NodeJson<'a> {
    r: &'a QueryResult,
    id: NodeId,
}

impl Serialize for NodeJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snap = self.r.node(self.id);
        let no_labels: Vec<String> = Vec::new();
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("id", &self.id.0)?;
        m.serialize_entry("labels", snap.map_or(&no_labels, |n| &n.labels))?;
        m.serialize_entry(
            "properties",
            &Props {
                r: self.r,
                props: snap.map(|n| &n.properties),
            },
        )?;
        m.end()
    }
}

struct RelJson<'a> {
    r: &'a QueryResult,
    id: RelId,
}

impl Serialize for RelJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let snap = self.r.relationship(self.id);
        let mut m = s.serialize_map(Some(5))?;
        m.serialize_entry("id", &self.id.0)?;
        m.serialize_entry("type", &snap.map(|x| x.rel_type.as_str()))?;
        m.serialize_entry("start", &snap.map(|x| x.start.0))?;
        m.serialize_entry("end", &snap.map(|x| x.end.0))?;
        m.serialize_entry(
            "properties",
            &Props {
                r: self.r,
                props: snap.map(|x| &x.properties),
            },
        )?;
        m.end()
    }
}

struct PathJson<'a> {
    r: &'a QueryResult,
    p: &'a quiver::Path,
}

impl Serialize for PathJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.p;
        let mut seq = s.serialize_seq(Some(p.nodes.len() + p.rels.len()))?;
        for (i, n) in p.nodes.iter().enumerate() {
            if i > 0 {
                seq.serialize_element(&Json {
                    r: self.r,
                    v: &Value::Relationship(p.rels[i - 1]),
                })?;
            }
            seq.serialize_element(&Json {
                r: self.r,
                v: &Value::Node(*n),
            })?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::value::Map;
    use quiver::{Error, ErrorKind, NodeSnapshot, Phase, RelSnapshot};
    use std::sync::Arc;

    fn map(pairs: &[(&str, Value)]) -> Map {
        pairs.iter().map(|(k, v)| (Arc::from(*k), v.clone())).collect()
    }

    #[test]
    fn results_have_the_contract_shape() {
        let r = QueryResult {
            columns: vec!["a".into(), "b".into()],
            rows: vec![vec![Value::Int(1), Value::from("x")]],
            ..QueryResult::default()
        };
        assert_eq!(
            result_line(&r),
            r#"{"columns":["a","b"],"rows":[[1,"x"]],"stats":{"nodes_created":0,"nodes_deleted":0,"relationships_created":0,"relationships_deleted":0,"labels_added":0,"labels_removed":0,"properties_set":0,"properties_removed":0}}"#
        );
    }

    #[test]
    fn errors_have_the_contract_shape() {
        let e = Error::new(
            ErrorKind::SyntaxError,
            "UndefinedVariable",
            Phase::Compile,
            "Variable `m` not defined",
        )
        .at("MATCH (n) RETURN m", 17);
        assert_eq!(
            error_line(&Failure::Query(e)),
            r#"{"error":{"kind":"SyntaxError","code":"UndefinedVariable","phase":"compile","message":"Variable `m` not defined","line":1,"column":18}}"#
        );
        let e = Error::io("cannot read x");
        assert_eq!(
            error_line(&Failure::Query(e)),
            r#"{"error":{"kind":"IoError","code":"IoError","phase":"runtime","message":"cannot read x","line":null,"column":null}}"#
        );
    }

    #[test]
    fn floats_always_look_like_floats() {
        let r = QueryResult::default();
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.5, "0.5"),
            (1e20, "1e+20"),
            (1.5e300, "1.5e+300"),
            (1e-7, "1e-7"),
            (123456789.0, "123456789.0"),
        ];
        for (f, text) in cases {
            assert_eq!(value_text(&r, &Value::Float(f)), text);
        }
        for f in [
            1.0,
            3.0e15,
            1e16,
            1e17,
            2f64.powi(60),
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
        ] {
            let t = value_text(&r, &Value::Float(f));
            assert!(t.contains('.') || t.contains('e'), "{t}");
            assert_eq!(t.parse::<f64>().unwrap(), f);
        }
        assert_eq!(value_text(&r, &Value::Float(f64::NAN)), r#"{"$float":"NaN"}"#);
        assert_eq!(value_text(&r, &Value::Float(f64::INFINITY)), r#"{"$float":"Infinity"}"#);
        assert_eq!(
            value_text(&r, &Value::Float(f64::NEG_INFINITY)),
            r#"{"$float":"-Infinity"}"#
        );
        assert_eq!(value_text(&r, &Value::Int(i64::MIN)), "-9223372036854775808");
    }

    #[test]
    fn collections_and_entities() {
        let mut r = QueryResult::default();
        r.nodes.insert(
            NodeId(3),
            NodeSnapshot {
                id: NodeId(3),
                labels: vec!["A".into()],
                properties: map(&[("name", Value::from("Ann")), ("tags", Value::from(vec![1i64, 2]))]),
            },
        );
        r.nodes.insert(
            NodeId(4),
            NodeSnapshot {
                id: NodeId(4),
                labels: vec![],
                properties: Map::new(),
            },
        );
        r.relationships.insert(
            RelId(7),
            RelSnapshot {
                id: RelId(7),
                rel_type: "T".into(),
                start: NodeId(3),
                end: NodeId(4),
                properties: map(&[("w", Value::Float(2.0))]),
            },
        );
        let v = Value::list(vec![
            Value::Null,
            Value::Bool(true),
            Value::map(map(&[("k", Value::from("v")), ("a", Value::Int(1))])),
        ]);
        assert_eq!(value_text(&r, &v), r#"[null,true,{"a":1,"k":"v"}]"#);
        assert_eq!(
            value_text(&r, &Value::Node(NodeId(3))),
            r#"{"$node":{"id":3,"labels":["A"],"properties":{"name":"Ann","tags":[1,2]}}}"#
        );
        assert_eq!(
            value_text(&r, &Value::Relationship(RelId(7))),
            r#"{"$relationship":{"id":7,"type":"T","start":3,"end":4,"properties":{"w":2.0}}}"#
        );
        let p = Value::Path(Arc::new(quiver::Path {
            nodes: vec![NodeId(3), NodeId(4)],
            rels: vec![RelId(7)],
        }));
        assert_eq!(
            value_text(&r, &p),
            r#"{"$path":[{"$node":{"id":3,"labels":["A"],"properties":{"name":"Ann","tags":[1,2]}}},{"$relationship":{"id":7,"type":"T","start":3,"end":4,"properties":{"w":2.0}}},{"$node":{"id":4,"labels":[],"properties":{}}}]}"#
        );
        assert_eq!(
            value_text(&r, &Value::from("quote\" and \\ and\nnewline")),
            r#""quote\" and \\ and\nnewline""#
        );
    }
}
