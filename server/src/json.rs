//! quiver values as the HTTP Query API's JSON, and parameters back.
//!
//! Two formats, as Neo4j's Query API has them:
//!
//! - plain JSON (`application/json`): values map to the closest JSON type;
//!   temporal values become ISO-8601 strings; nodes are
//!   `{"elementId", "labels", "properties"}`, relationships
//!   `{"elementId", "startNodeElementId", "endNodeElementId", "type", "properties"}`,
//!   paths a list of nodes and relationships, alternating;
//! - typed JSON (`application/vnd.neo4j.query`): every value is
//!   `{"$type": T, "_value": V}` (`Null`, `Boolean`, `Integer` and `Float`
//!   as strings, `String`, `List`, `Map`, `Date`, `Time`, `LocalTime`,
//!   `OffsetDateTime`, `ZonedDateTime`, `LocalDateTime`, `Duration`,
//!   `Node`, `Relationship`, `Path`).
//!
//! Parameters come in either format; decoding is bounded in depth (the JSON
//! parser's own limit) and refuses what quiver has no type for (byte
//! arrays, points) with a clear error.

use std::sync::Arc;

use quiver::{Database, Value};
use serde_json::{json, Map as JsonMap, Value as Json};

use crate::backend::{codes, BackendError, EntityLookup, Params};
use crate::values::{node_element_id, rel_element_id};

fn format_float(x: f64) -> Json {
    if x.is_finite() {
        json!(x)
    } else if x.is_nan() {
        json!("NaN")
    } else if x > 0.0 {
        json!("Infinity")
    } else {
        json!("-Infinity")
    }
}

fn float_text(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x.is_infinite() {
        if x > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        // Rust prints the shortest text that reads back as the same float.
        format!("{x:?}")
    }
}

fn node_plain(id: quiver::NodeId, lookup: &dyn EntityLookup) -> Json {
    let (labels, props) = match lookup.node(id) {
        Some(n) => (
            n.labels.clone(),
            n.properties
                .iter()
                .map(|(k, v)| (k.to_string(), plain(v, lookup)))
                .collect(),
        ),
        None => (Vec::new(), JsonMap::new()),
    };
    json!({"elementId": node_element_id(id), "labels": labels, "properties": props})
}

fn rel_plain(id: quiver::RelId, lookup: &dyn EntityLookup) -> Json {
    match lookup.relationship(id) {
        Some(r) => {
            let props: JsonMap<String, Json> = r
                .properties
                .iter()
                .map(|(k, v)| (k.to_string(), plain(v, lookup)))
                .collect();
            json!({
                "elementId": rel_element_id(id),
                "startNodeElementId": node_element_id(r.start),
                "endNodeElementId": node_element_id(r.end),
                "type": r.rel_type,
                "properties": props,
            })
        }
        None => json!({"elementId": rel_element_id(id), "properties": {}}),
    }
}

/// A value as plain JSON.
pub fn plain(v: &Value, lookup: &dyn EntityLookup) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(x) => format_float(*x),
        Value::String(s) => json!(&**s),
        Value::List(items) => Json::Array(items.iter().map(|i| plain(i, lookup)).collect()),
        Value::Map(m) => Json::Object(m.iter().map(|(k, v)| (k.to_string(), plain(v, lookup))).collect()),
        Value::Node(id) => node_plain(*id, lookup),
        Value::Relationship(id) => rel_plain(*id, lookup),
        Value::Path(p) => {
            let mut out = Vec::with_capacity(p.nodes.len() + p.rels.len());
            for (i, n) in p.nodes.iter().enumerate() {
                out.push(node_plain(*n, lookup));
                if let Some(r) = p.rels.get(i) {
                    out.push(rel_plain(*r, lookup));
                }
            }
            Json::Array(out)
        }
        Value::Date(d) => json!(d.to_string()),
        Value::LocalTime(t) => json!(t.to_string()),
        Value::Time(t) => json!(t.to_string()),
        Value::LocalDateTime(t) => json!(t.to_string()),
        Value::DateTime(t) => json!(t.to_string()),
        Value::Duration(d) => json!(d.to_string()),
    }
}

fn typed_value(t: &str, v: Json) -> Json {
    json!({"$type": t, "_value": v})
}

fn typed_props(m: &quiver::value::Map, lookup: &dyn EntityLookup) -> JsonMap<String, Json> {
    m.iter().map(|(k, v)| (k.to_string(), typed(v, lookup))).collect()
}

fn node_typed(id: quiver::NodeId, lookup: &dyn EntityLookup) -> Json {
    let (labels, props) = match lookup.node(id) {
        Some(n) => (n.labels.clone(), typed_props(&n.properties, lookup)),
        None => (Vec::new(), JsonMap::new()),
    };
    typed_value(
        "Node",
        json!({"_element_id": node_element_id(id), "_labels": labels, "_properties": props}),
    )
}

fn rel_typed(id: quiver::RelId, lookup: &dyn EntityLookup) -> Json {
    let body = match lookup.relationship(id) {
        Some(r) => json!({
            "_element_id": rel_element_id(id),
            "_start_node_element_id": node_element_id(r.start),
            "_end_node_element_id": node_element_id(r.end),
            "_type": r.rel_type,
            "_properties": typed_props(&r.properties, lookup),
        }),
        None => json!({"_element_id": rel_element_id(id), "_properties": {}}),
    };
    typed_value("Relationship", body)
}

/// A value as typed JSON.
pub fn typed(v: &Value, lookup: &dyn EntityLookup) -> Json {
    match v {
        Value::Null => typed_value("Null", Json::Null),
        Value::Bool(b) => typed_value("Boolean", json!(b)),
        Value::Int(i) => typed_value("Integer", json!(i.to_string())),
        Value::Float(x) => typed_value("Float", json!(float_text(*x))),
        Value::String(s) => typed_value("String", json!(&**s)),
        Value::List(items) => typed_value("List", Json::Array(items.iter().map(|i| typed(i, lookup)).collect())),
        Value::Map(m) => typed_value("Map", Json::Object(typed_props(m, lookup))),
        Value::Node(id) => node_typed(*id, lookup),
        Value::Relationship(id) => rel_typed(*id, lookup),
        Value::Path(p) => {
            let mut out = Vec::with_capacity(p.nodes.len() + p.rels.len());
            for (i, n) in p.nodes.iter().enumerate() {
                out.push(node_typed(*n, lookup));
                if let Some(r) = p.rels.get(i) {
                    out.push(rel_typed(*r, lookup));
                }
            }
            typed_value("Path", Json::Array(out))
        }
        Value::Date(d) => typed_value("Date", json!(d.to_string())),
        Value::LocalTime(t) => typed_value("LocalTime", json!(t.to_string())),
        Value::Time(t) => typed_value("Time", json!(t.to_string())),
        Value::LocalDateTime(t) => typed_value("LocalDateTime", json!(t.to_string())),
        Value::DateTime(t) => typed_value(
            if t.zone_name().is_some() {
                "ZonedDateTime"
            } else {
                "OffsetDateTime"
            },
            json!(t.to_string()),
        ),
        Value::Duration(d) => typed_value("Duration", json!(d.to_string())),
    }
}

fn bad_param(message: String) -> BackendError {
    BackendError::Status {
        code: codes::REQUEST_INVALID_FORMAT,
        message,
    }
}

/// A plain JSON parameter value: numbers without a fraction or exponent
/// that fit 64 bits are integers, every other number a float.
pub fn from_plain(j: &Json) -> Value {
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::list(items.iter().map(from_plain).collect()),
        Json::Object(m) => Value::Map(Arc::new(
            m.iter().map(|(k, v)| (Arc::from(k.as_str()), from_plain(v))).collect(),
        )),
    }
}

/// Parses `text` with the engine's temporal function `function`, expecting
/// a value of the kind `check` accepts.
fn temporal(
    db: &Database,
    function: &str,
    ty: &str,
    text: &str,
    check: fn(&Value) -> bool,
) -> Result<Value, BackendError> {
    let literal = format!("{function}({})", Value::from(text));
    match db.eval_literal(&literal) {
        Ok(v) if check(&v) => Ok(v),
        Ok(v) => Err(bad_param(format!("`{text}` is not a {ty} (it reads as {v})"))),
        Err(e) => Err(bad_param(format!("`{text}` is not a valid {ty}: {}", e.message))),
    }
}

/// A typed JSON parameter value (`{"$type": ..., "_value": ...}`).
pub fn from_typed(j: &Json, db: &Database) -> Result<Value, BackendError> {
    let Json::Object(o) = j else {
        return Err(bad_param(format!(
            "a typed JSON value is an object {{\"$type\": ..., \"_value\": ...}}, not {j}"
        )));
    };
    let ty = o.get("$type").and_then(Json::as_str).ok_or_else(|| {
        bad_param(
            "a typed JSON value needs a \"$type\" (String, Integer, Float, Boolean, Null, List, Map, Date, ...)".into(),
        )
    })?;
    let value = o.get("_value").unwrap_or(&Json::Null);
    let text = || {
        value
            .as_str()
            .ok_or_else(|| bad_param(format!("the _value of a {ty} is a string, not {value}")))
    };
    match ty {
        "Null" => Ok(Value::Null),
        "Boolean" => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| bad_param(format!("the _value of a Boolean is true or false, not {value}"))),
        "Integer" => {
            let parsed = match value {
                Json::String(s) => s.trim().parse::<i64>().ok(),
                Json::Number(n) => n.as_i64(),
                _ => None,
            };
            parsed
                .map(Value::Int)
                .ok_or_else(|| bad_param(format!("`{value}` is not a 64-bit Integer")))
        }
        "Float" => {
            let parsed = match value {
                Json::String(s) => match s.trim() {
                    "NaN" => Some(f64::NAN),
                    "Infinity" | "+Infinity" => Some(f64::INFINITY),
                    "-Infinity" => Some(f64::NEG_INFINITY),
                    t => t.parse::<f64>().ok(),
                },
                Json::Number(n) => n.as_f64(),
                _ => None,
            };
            parsed
                .map(Value::Float)
                .ok_or_else(|| bad_param(format!("`{value}` is not a Float")))
        }
        "String" => Ok(Value::from(text()?)),
        "List" => match value {
            Json::Array(items) => Ok(Value::list(
                items.iter().map(|i| from_typed(i, db)).collect::<Result<_, _>>()?,
            )),
            _ => Err(bad_param(format!("the _value of a List is an array, not {value}"))),
        },
        "Map" => match value {
            Json::Object(m) => {
                let mut out = quiver::value::Map::new();
                for (k, v) in m {
                    out.insert(Arc::from(k.as_str()), from_typed(v, db)?);
                }
                Ok(Value::Map(Arc::new(out)))
            }
            _ => Err(bad_param(format!("the _value of a Map is an object, not {value}"))),
        },
        "Date" => temporal(db, "date", ty, text()?, |v| matches!(v, Value::Date(_))),
        "Time" => temporal(db, "time", ty, text()?, |v| matches!(v, Value::Time(_))),
        "LocalTime" => temporal(db, "localtime", ty, text()?, |v| matches!(v, Value::LocalTime(_))),
        "LocalDateTime" => temporal(db, "localdatetime", ty, text()?, |v| {
            matches!(v, Value::LocalDateTime(_))
        }),
        "OffsetDateTime" | "ZonedDateTime" | "DateTime" => {
            temporal(db, "datetime", ty, text()?, |v| matches!(v, Value::DateTime(_)))
        }
        "Duration" => temporal(db, "duration", ty, text()?, |v| matches!(v, Value::Duration(_))),
        "Base64" => Err(BackendError::Status {
            code: codes::TYPE_ERROR,
            message: "quiver has no byte arrays: a Base64 parameter cannot be used".into(),
        }),
        "Point" => Err(BackendError::Status {
            code: codes::TYPE_ERROR,
            message: "quiver has no spatial values: a Point parameter cannot be used".into(),
        }),
        "Node" | "Relationship" | "Path" => Err(BackendError::Status {
            code: codes::TYPE_ERROR,
            message: format!("a {ty} cannot be a parameter: pass its elementId or properties instead"),
        }),
        other => Err(bad_param(format!(
            "unknown $type `{other}` (expected String, Integer, Float, Boolean, Null, List, Map, Date, Time, \
             LocalTime, OffsetDateTime, ZonedDateTime, LocalDateTime or Duration)"
        ))),
    }
}

/// A request's `parameters` object, plain or typed.
pub fn params(j: Option<&Json>, typed_input: bool, db: &Database) -> Result<Params, BackendError> {
    let mut out = Params::new();
    match j {
        None | Some(Json::Null) => {}
        Some(Json::Object(m)) => {
            for (k, v) in m {
                let value = if typed_input { from_typed(v, db)? } else { from_plain(v) };
                out.insert(k.clone(), value);
            }
        }
        Some(other) => {
            return Err(bad_param(format!(
                "\"parameters\" is an object of names to values, not {other}"
            )))
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::NoEntities;

    fn eval(db: &Database, q: &str) -> Value {
        db.eval_literal(q).unwrap()
    }

    #[test]
    fn plain_values() {
        let db = Database::in_memory();
        let v = eval(
            &db,
            "[1, 2.5, 'a', true, null, {k: [date('2025-11-04')]}, duration('P1DT2H')]",
        );
        assert_eq!(
            plain(&v, &NoEntities),
            json!([1, 2.5, "a", true, null, {"k": ["2025-11-04"]}, "P1DT2H"])
        );
        assert_eq!(plain(&Value::Float(f64::NAN), &NoEntities), json!("NaN"));
    }

    #[test]
    fn typed_values_round_trip_through_parameters() {
        let db = Database::in_memory();
        for lit in [
            "null",
            "true",
            "-9223372036854775808",
            "2.5",
            "'Größe'",
            "[1, 'a', [null]]",
            "{a: 1, b: {c: 'x'}}",
            "date('2024-02-29')",
            "time('12:34:56.789+01:30')",
            "localtime('23:59:59.999999999')",
            "localdatetime('2024-01-02T03:04:05.123456789')",
            "datetime('2024-06-30T23:59:59-03:30')",
            "datetime('2025-11-04T10:00:00[Europe/Paris]')",
            "duration('P1Y2M3DT4H5M6.000000007S')",
        ] {
            let v = eval(&db, lit);
            let j = typed(&v, &NoEntities);
            let back = from_typed(&j, &db).unwrap_or_else(|e| panic!("{lit}: {j} -> {e}"));
            assert_eq!(back, v, "{lit}: {j}");
        }
        let zoned = typed(&eval(&db, "datetime('2025-11-04T10:00:00[Europe/Paris]')"), &NoEntities);
        assert_eq!(zoned["$type"], "ZonedDateTime");
        assert_eq!(
            typed(&Value::Int(7), &NoEntities),
            json!({"$type": "Integer", "_value": "7"})
        );
    }

    #[test]
    fn bad_typed_parameters_are_refused_with_a_reason() {
        let db = Database::in_memory();
        for (j, code) in [
            (json!(1), codes::REQUEST_INVALID_FORMAT),
            (json!({"_value": 1}), codes::REQUEST_INVALID_FORMAT),
            (
                json!({"$type": "Integer", "_value": "1.5"}),
                codes::REQUEST_INVALID_FORMAT,
            ),
            (
                json!({"$type": "Integer", "_value": "99999999999999999999"}),
                codes::REQUEST_INVALID_FORMAT,
            ),
            (
                json!({"$type": "Date", "_value": "2024-02-30"}),
                codes::REQUEST_INVALID_FORMAT,
            ),
            (
                json!({"$type": "Date", "_value": "10:00"}),
                codes::REQUEST_INVALID_FORMAT,
            ),
            (
                json!({"$type": "Date", "_value": "x') RETURN 1 //"}),
                codes::REQUEST_INVALID_FORMAT,
            ),
            (json!({"$type": "Base64", "_value": "AQ=="}), codes::TYPE_ERROR),
            (json!({"$type": "Wat", "_value": 1}), codes::REQUEST_INVALID_FORMAT),
            (
                json!({"$type": "List", "_value": [{"$type": "Boolean", "_value": 3}]}),
                codes::REQUEST_INVALID_FORMAT,
            ),
        ] {
            let e = from_typed(&j, &db).unwrap_err();
            assert_eq!(crate::neo4j_code(&e), code, "{j}: {e}");
        }
    }

    #[test]
    fn plain_parameters() {
        let j = json!({"n": 1, "x": 1.0, "big": 1e300, "s": "t", "l": [1, {"a": null}]});
        let db = Database::in_memory();
        let p = params(Some(&j), false, &db).unwrap();
        assert_eq!(p["n"], Value::Int(1));
        assert_eq!(p["x"], Value::Float(1.0));
        assert_eq!(p["big"], Value::Float(1e300));
        assert!(params(Some(&json!([1])), false, &db).is_err());
    }
}
