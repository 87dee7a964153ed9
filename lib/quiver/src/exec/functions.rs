//! Functions that read the graph (`id`, `labels`, `type`, `keys`,
//! `properties`, `startNode`, `endNode`, `nodes`, `relationships`, `length`),
//! and the arity table the planner checks calls against.

use crate::value::Value;

use super::eval::Eval;
use super::{ExecError, XResult};

const GRAPH_FUNCTIONS: &[(&str, usize, usize)] = &[
    ("id", 1, 1),
    ("elementid", 1, 1),
    ("labels", 1, 1),
    ("type", 1, 1),
    ("keys", 1, 1),
    ("properties", 1, 1),
    ("startnode", 1, 1),
    ("endnode", 1, 1),
    ("nodes", 1, 1),
    ("relationships", 1, 1),
    ("length", 1, 1),
    ("exists", 1, 1),
];

const TEMPORAL_PREFIXES: &[&str] = &["date", "localtime", "time", "localdatetime", "datetime", "duration"];

/// `(min, max)` arguments of a function (lower-cased name), `None` if unknown.
pub fn function_arity(name: &str) -> Option<(usize, Option<usize>)> {
    if let Some((_, min, max)) = GRAPH_FUNCTIONS.iter().find(|(n, _, _)| *n == name) {
        return Some((*min, Some(*max)));
    }
    if let Some(a) = crate::functions::arity(name) {
        return Some(a);
    }
    let base = name.split('.').next().unwrap_or(name);
    if TEMPORAL_PREFIXES.contains(&base) {
        return Some((0, Some(3)));
    }
    None
}

/// Runs a graph function; `None` when `name` is not one (or, for `keys`,
/// `properties` and `length`, when the argument is not a graph value).
pub fn call_graph_function(ev: &Eval, name: &str, args: &[Value]) -> Option<XResult<Value>> {
    let arg = args.first().cloned().unwrap_or(Value::Null);
    let result = match (name, &arg) {
        (
            "id" | "labels" | "type" | "keys" | "properties" | "startnode" | "endnode" | "nodes" | "relationships"
            | "length" | "elementid",
            Value::Null,
        ) => Ok(Value::Null),
        ("id", Value::Node(n)) => Ok(Value::Int(n.0 as i64)),
        ("id", Value::Relationship(r)) => Ok(Value::Int(r.0 as i64)),
        ("elementid", Value::Node(n)) => Ok(Value::from(format!("n{}", n.0))),
        ("elementid", Value::Relationship(r)) => Ok(Value::from(format!("r{}", r.0))),
        ("id" | "elementid", other) => Err(wrong("id", "a node or a relationship", other)),
        ("labels", Value::Node(n)) => ev.node(*n).map(|rec| {
            Value::list(
                rec.labels
                    .iter()
                    .map(|l| Value::String(ev.graph.labels.name_arc(*l)))
                    .collect(),
            )
        }),
        ("labels", other) => Err(wrong("labels", "a node", other)),
        // A deleted relationship keeps its type for the rest of the statement.
        ("type", Value::Relationship(r)) => match ev
            .graph
            .relationship(*r)
            .or_else(|| ev.graph.deleted_relationship(*r).map(|d| d.0))
        {
            Some(rec) => Ok(Value::String(ev.graph.types.name_arc(rec.rel_type))),
            None => Err(ExecError::deleted_entity("relationship", r.0)),
        },
        ("type", other) => Err(wrong("type", "a relationship", other)),
        ("keys", Value::Node(_) | Value::Relationship(_)) => ev
            .all_properties(&arg)
            .map(|m| Value::list(m.keys().map(|k| Value::String(k.clone())).collect())),
        ("properties", Value::Node(_) | Value::Relationship(_)) => ev.all_properties(&arg).map(Value::Map),
        ("startnode" | "endnode", Value::Relationship(r)) => match ev.graph.endpoints(*r) {
            Some((s, e)) => Ok(Value::Node(if name == "startnode" { s } else { e })),
            None => Err(ExecError::deleted_entity("relationship", r.0)),
        },
        ("startnode" | "endnode", other) => Err(wrong(name, "a relationship", other)),
        ("nodes", Value::Path(p)) => Ok(Value::list(p.nodes.iter().map(|n| Value::Node(*n)).collect())),
        ("nodes", other) => Err(wrong("nodes", "a path", other)),
        ("relationships", Value::Path(p)) => Ok(Value::list(p.rels.iter().map(|r| Value::Relationship(*r)).collect())),
        ("relationships", other) => Err(wrong("relationships", "a path", other)),
        ("length", Value::Path(p)) => Ok(Value::Int(p.rels.len() as i64)),
        _ => return None,
    };
    Some(result)
}

fn wrong(name: &str, expected: &str, got: &Value) -> ExecError {
    ExecError::new(
        crate::ErrorKind::TypeError,
        "InvalidArgumentValue",
        format!("{name}() needs {expected}, got {}", got.type_name()),
    )
}
