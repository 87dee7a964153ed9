//! `quiver dump`: the whole graph as a Cypher script that rebuilds it, in
//! quiver or in another Cypher database (the way out to a server database).
//!
//! ```text
//! CREATE (:`__QuiverDump`:`Person` {`__quiver_id`: 0, `name`: 'Ada'});
//! MATCH (a:`__QuiverDump` {`__quiver_id`: 0}), (b:`__QuiverDump` {`__quiver_id`: 1}) CREATE (a)-[:`KNOWS` {`since`: 1843}]->(b);
//! MATCH (n:`__QuiverDump`) REMOVE n:`__QuiverDump`, n.`__quiver_id`;
//! ```
//!
//! The graph's own indexes come first (`CREATE INDEX name FOR (n:L) ON
//! (n.k)`), its constraints last (`CREATE CONSTRAINT ...`, with the indexes
//! they bring, once the data is there to be checked); a temporary index on the dump key makes each relationship's
//! MATCH a lookup, and is dropped before the temporary label and key.
//!
//! Nodes are numbered in id order from 0 (the rebuilt graph's ids are its
//! own), labels and keys are written in name order, so a dump of a graph
//! loaded from a dump is the same text. Only portable syntax is used:
//! temporals as `date('...')` and friends, NaN and infinities as `0.0/0.0`
//! and `1.0/0.0`, the smallest integer as `-9223372036854775807 - 1`.

use std::collections::HashMap;
use std::io::{self, Write};

use crate::store::{GraphRead, PropRef};
use crate::value::{format_float, quote_string, NodeId, Value};

pub const DUMP_LABEL: &str = "__QuiverDump";
pub const DUMP_KEY: &str = "__quiver_id";
pub const DUMP_INDEX: &str = "__quiver_dump";

fn name(n: &str) -> String {
    format!("`{}`", n.replace('`', "``"))
}

/// A property value as a Cypher expression.
pub fn literal(v: &Value) -> String {
    match v {
        Value::Int(i64::MIN) => "(-9223372036854775807 - 1)".into(),
        Value::Float(f) if f.is_nan() => "(0.0 / 0.0)".into(),
        Value::Float(f) if f.is_infinite() && *f > 0.0 => "(1.0 / 0.0)".into(),
        Value::Float(f) if f.is_infinite() => "(-1.0 / 0.0)".into(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => quote_string(s),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(literal).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{}: {}", name(k), literal(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        Value::Date(d) => format!("date('{d}')"),
        Value::LocalTime(t) => format!("localtime('{t}')"),
        Value::Time(t) => format!("time('{t}')"),
        Value::LocalDateTime(t) => format!("localdatetime('{t}')"),
        Value::DateTime(t) => format!("datetime('{t}')"),
        Value::Duration(d) => format!("duration('{d}')"),
        other => other.to_string(),
    }
}

fn props_text(graph: &dyn GraphRead, props: Vec<(crate::store::KeyId, PropRef<'_>)>, first: Option<String>) -> String {
    let keys = &graph.catalog().keys;
    let mut named: Vec<(std::sync::Arc<str>, PropRef<'_>)> =
        props.into_iter().map(|(k, v)| (keys.name(k), v)).collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let mut parts: Vec<String> = first.into_iter().collect();
    parts.extend(named.into_iter().map(|(k, v)| format!("{}: {}", name(&k), literal(&v))));
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {{{}}}", parts.join(", "))
    }
}

/// Writes the script.
pub fn write(graph: &dyn GraphRead, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    let catalog = graph.catalog();
    let nodes: Vec<NodeId> = graph.nodes().collect();
    let rels: Vec<crate::value::RelId> = graph.relationships().collect();
    writeln!(
        out,
        "// quiver dump: {} nodes, {} relationships. Nodes carry a temporary label `{DUMP_LABEL}` and key `{DUMP_KEY}`, removed at the end.",
        nodes.len(),
        rels.len()
    )?;
    let constraints = graph.constraints();
    let owned = |index: &str| constraints.iter().any(|c| c.owns_index() && c.name == index);
    for index in graph.indexes().into_iter().filter(|i| !owned(&i.name)) {
        writeln!(
            out,
            "CREATE INDEX {} FOR (n:{}) ON (n.{});",
            name(&index.name),
            name(&catalog.labels.name(index.label)),
            name(&catalog.keys.name(index.key))
        )?;
    }
    // Finds the nodes a relationship joins without a scan (quiver and others).
    let temporary_index = !nodes.is_empty() && !rels.is_empty();
    if temporary_index {
        writeln!(
            out,
            "CREATE INDEX {} FOR (n:{}) ON (n.{});",
            name(DUMP_INDEX),
            name(DUMP_LABEL),
            name(DUMP_KEY)
        )?;
    }
    let mut number: HashMap<NodeId, usize> = HashMap::with_capacity(nodes.len());
    for (i, id) in nodes.iter().enumerate() {
        number.insert(*id, i);
        let Some(labels) = graph.node_labels(*id) else { continue };
        let mut labels: Vec<std::sync::Arc<str>> = labels.iter().map(|l| catalog.labels.name(*l)).collect();
        labels.sort_unstable();
        let labels: String = labels.iter().map(|l| format!(":{}", name(l))).collect();
        let props = props_text(
            graph,
            graph.node_properties(*id),
            Some(format!("{}: {i}", name(DUMP_KEY))),
        );
        writeln!(out, "CREATE (:{}{labels}{props});", name(DUMP_LABEL))?;
    }
    for id in rels {
        let Some(rel) = graph.relationship(id) else {
            continue;
        };
        let (s, e) = (number[&rel.start], number[&rel.end]);
        let props = props_text(graph, graph.relationship_properties(id), None);
        let t = name(&catalog.types.name(rel.rel_type));
        let l = name(DUMP_LABEL);
        let k = name(DUMP_KEY);
        if s == e {
            writeln!(out, "MATCH (a:{l} {{{k}: {s}}}) CREATE (a)-[:{t}{props}]->(a);")?;
        } else {
            writeln!(
                out,
                "MATCH (a:{l} {{{k}: {s}}}), (b:{l} {{{k}: {e}}}) CREATE (a)-[:{t}{props}]->(b);"
            )?;
        }
    }
    if temporary_index {
        writeln!(out, "DROP INDEX {};", name(DUMP_INDEX))?;
    }
    if !nodes.is_empty() {
        writeln!(
            out,
            "MATCH (n:{}) REMOVE n:{}, n.{};",
            name(DUMP_LABEL),
            name(DUMP_LABEL),
            name(DUMP_KEY)
        )?;
    }
    for c in constraints.iter() {
        writeln!(out, "{};", c.create_statement(catalog))?;
    }
    out.flush()
}
