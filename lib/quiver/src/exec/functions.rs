//! The cases of the graph functions (`id`, `labels`, `type`, `keys`,
//! `properties`, `startNode`, `endNode`, `nodes`, `relationships`, `length`)
//! that read the graph; their other cases are scalar (`functions::scalar`).

use crate::value::Value;

use super::eval::Eval;
use super::{ExecError, XResult};

/// Runs a graph function; `None` when the argument is not one the graph
/// answers for (null, a map, a path...: the scalar implementation does).
pub fn call_graph_function(ev: &Eval, name: &str, args: &[Value]) -> Option<XResult<Value>> {
    let g = ev.graph;
    let catalog = g.catalog();
    let arg = args.first().unwrap_or(&Value::Null);
    let result = match (name, arg) {
        ("id", Value::Node(n)) => Ok(Value::Int(n.0 as i64)),
        ("id", Value::Relationship(r)) => Ok(Value::Int(r.0 as i64)),
        ("elementid", Value::Node(n)) => Ok(Value::from(format!("n{}", n.0))),
        ("elementid", Value::Relationship(r)) => Ok(Value::from(format!("r{}", r.0))),
        ("labels", Value::Node(n)) => match g.node_labels(*n) {
            Some(labels) => Ok(Value::list(
                labels.iter().map(|l| Value::String(catalog.labels.name(*l))).collect(),
            )),
            None => Err(ExecError::deleted_entity("node", n.0)),
        },
        // A deleted relationship keeps its type for the rest of the statement.
        ("type", Value::Relationship(r)) => {
            match g.relationship(*r).or_else(|| g.deleted_relationship(*r).map(|d| d.0)) {
                Some(rel) => Ok(Value::String(catalog.types.name(rel.rel_type))),
                None => Err(ExecError::deleted_entity("relationship", r.0)),
            }
        }
        ("keys", Value::Node(_) | Value::Relationship(_)) => ev
            .all_properties(arg)
            .map(|m| Value::list(m.keys().map(|k| Value::String(k.clone())).collect())),
        ("properties", Value::Node(_) | Value::Relationship(_)) => ev.all_properties(arg).map(Value::Map),
        ("startnode" | "endnode", Value::Relationship(r)) => match g.relationship(*r) {
            Some(rel) => Ok(Value::Node(if name == "startnode" { rel.start } else { rel.end })),
            None => Err(ExecError::deleted_entity("relationship", r.0)),
        },
        // Null in, null out: the scalar side answers. Anything else is the wrong type.
        (_, Value::Null) => return None,
        ("id" | "elementid", other) => Err(wrong(name, "a node or a relationship", other)),
        ("labels", other) => Err(wrong(name, "a node", other)),
        ("type" | "startnode" | "endnode", other) => Err(wrong(name, "a relationship", other)),
        ("nodes" | "relationships", other) if !matches!(other, Value::Path(_)) => Err(wrong(name, "a path", other)),
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
