//! quiver's own procedures: the schema listings `db.labels()`, `db.relationshipTypes()`
//! and `db.propertyKeys()` (here) and the graph algorithms `algo.*` ([`algo`]).
//! [`crate::procedure::Procedures::with_builtins`] registers them all.

use std::sync::Arc;

use crate::procedure::{Procedure, ValueType};
use crate::value::Value;

mod algo;
pub mod show;

/// Every built-in procedure.
pub(crate) fn builtins() -> Vec<Procedure> {
    let mut all = schema();
    all.extend(algo::procedures());
    all
}

/// The names in one namespace that something in the graph carries, sorted.
fn names_in_use(names: Vec<(u32, Arc<str>)>, used: impl Fn(u32) -> bool) -> Vec<Vec<Value>> {
    let mut names: Vec<Arc<str>> = names.into_iter().filter(|(id, _)| used(*id)).map(|(_, n)| n).collect();
    names.sort();
    names.into_iter().map(|n| vec![Value::String(n)]).collect()
}

fn schema() -> Vec<Procedure> {
    let out = |name: &str| vec![(name.to_string(), ValueType::String)];
    vec![
        Procedure::builtin(
            "db.labels",
            Vec::new(),
            out("label"),
            "List all labels in the database.",
            |cx, _| {
                let g = cx.graph;
                Ok(names_in_use(g.catalog().labels.all(), |l| g.label_count(l) > 0))
            },
        ),
        Procedure::builtin(
            "db.relationshipTypes",
            Vec::new(),
            out("relationshipType"),
            "List all relationship types in the database.",
            |cx, _| {
                let g = cx.graph;
                Ok(names_in_use(g.catalog().types.all(), |t| g.type_count(t) > 0))
            },
        ),
        Procedure::builtin(
            "db.propertyKeys",
            Vec::new(),
            out("propertyKey"),
            "List all property keys in the database.",
            |cx, _| {
                let g = cx.graph;
                let used: std::collections::HashSet<u32> =
                    g.property_key_counts().into_iter().map(|(k, _)| k).collect();
                Ok(names_in_use(g.catalog().keys.all(), |k| used.contains(&k)))
            },
        ),
    ]
}
