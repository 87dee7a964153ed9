//! What a statement returns: columns, rows, change counts, and a snapshot of
//! every node and relationship the rows mention (so values render with their
//! labels and properties even after the graph moves on).

use std::collections::HashMap;
use std::fmt;

use crate::value::{format_key, Map, NodeId, RelId, Value};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: Stats,
    /// The plan, for EXPLAIN and PROFILE.
    pub plan: Option<String>,
    pub nodes: HashMap<NodeId, NodeSnapshot>,
    pub relationships: HashMap<RelId, RelSnapshot>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodeSnapshot {
    pub id: NodeId,
    pub labels: Vec<String>,
    pub properties: Map,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelSnapshot {
    pub id: RelId,
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
    pub properties: Map,
}

/// What a statement changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
    pub properties_set: u64,
    pub properties_removed: u64,
}

impl Stats {
    /// `(name, count)` pairs in the contract's order, e.g. `("nodes_created", 2)`.
    pub fn fields(&self) -> [(&'static str, u64); 8] {
        [
            ("nodes_created", self.nodes_created),
            ("nodes_deleted", self.nodes_deleted),
            ("relationships_created", self.relationships_created),
            ("relationships_deleted", self.relationships_deleted),
            ("labels_added", self.labels_added),
            ("labels_removed", self.labels_removed),
            ("properties_set", self.properties_set),
            ("properties_removed", self.properties_removed),
        ]
    }

    pub fn is_empty(&self) -> bool {
        self.fields().iter().all(|(_, n)| *n == 0)
    }

    pub fn add(&mut self, other: &Stats) {
        self.nodes_created += other.nodes_created;
        self.nodes_deleted += other.nodes_deleted;
        self.relationships_created += other.relationships_created;
        self.relationships_deleted += other.relationships_deleted;
        self.labels_added += other.labels_added;
        self.labels_removed += other.labels_removed;
        self.properties_set += other.properties_set;
        self.properties_removed += other.properties_removed;
    }
}

impl fmt::Display for Stats {
    /// "2 nodes created, 3 properties set" (only what changed; empty when nothing did).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .fields()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| {
                let (noun, verb) = name.split_once('_').unwrap_or((name, ""));
                let noun = if *n == 1 {
                    noun.trim_end_matches('s').replace("propertie", "property")
                } else {
                    noun.to_string()
                };
                format!("{n} {noun} {verb}")
            })
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// Adds the nodes and relationships `v` mentions (in lists, maps and paths too).
pub fn mentioned(v: &Value, nodes: &mut Vec<NodeId>, rels: &mut Vec<RelId>) {
    match v {
        Value::Node(n) => nodes.push(*n),
        Value::Relationship(r) => rels.push(*r),
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|i| mentioned(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| mentioned(i, nodes, rels)),
        _ => {}
    }
}

impl QueryResult {
    pub fn node(&self, id: NodeId) -> Option<&NodeSnapshot> {
        self.nodes.get(&id)
    }

    pub fn relationship(&self, id: RelId) -> Option<&RelSnapshot> {
        self.relationships.get(&id)
    }

    /// A value written as a Cypher literal, entities with their labels and
    /// properties: `(:Person {name: 'Mike Waltz'})`, `[:MET {date: 2025-11-04}]`.
    pub fn render(&self, v: &Value) -> String {
        let mut s = String::new();
        self.render_into(v, &mut s);
        s
    }

    fn render_into(&self, v: &Value, out: &mut String) {
        match v {
            Value::Node(id) => match self.node(*id) {
                Some(n) => {
                    out.push('(');
                    for l in &n.labels {
                        out.push(':');
                        out.push_str(&format_key(l));
                    }
                    self.render_props(&n.properties, !n.labels.is_empty(), out);
                    out.push(')');
                }
                None => out.push_str(&format!("(#{})", id.0)),
            },
            Value::Relationship(id) => match self.relationship(*id) {
                Some(r) => {
                    out.push_str("[:");
                    out.push_str(&format_key(&r.rel_type));
                    self.render_props(&r.properties, true, out);
                    out.push(']');
                }
                None => out.push_str(&format!("[#{}]", id.0)),
            },
            Value::Path(p) => {
                out.push('<');
                for (i, n) in p.nodes.iter().enumerate() {
                    if i > 0 {
                        let rid = p.rels[i - 1];
                        let forward = self.relationship(rid).is_none_or(|r| r.start == p.nodes[i - 1]);
                        out.push_str(if forward { "-" } else { "<-" });
                        self.render_into(&Value::Relationship(rid), out);
                        out.push_str(if forward { "->" } else { "-" });
                    }
                    self.render_into(&Value::Node(*n), out);
                }
                out.push('>');
            }
            Value::List(items) => {
                out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.render_into(x, out);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, x)) in m.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&format_key(k));
                    out.push_str(": ");
                    self.render_into(x, out);
                }
                out.push('}');
            }
            other => out.push_str(&other.to_string()),
        }
    }

    fn render_props(&self, props: &Map, space: bool, out: &mut String) {
        if props.is_empty() {
            return;
        }
        if space {
            out.push(' ');
        }
        self.render_into(&Value::Map(std::sync::Arc::new(props.clone())), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_read_as_a_sentence() {
        let s = Stats {
            nodes_created: 2,
            properties_set: 1,
            ..Stats::default()
        };
        assert_eq!(s.to_string(), "2 nodes created, 1 property set");
        let s = Stats {
            relationships_deleted: 1,
            labels_added: 3,
            ..Stats::default()
        };
        assert_eq!(s.to_string(), "1 relationship deleted, 3 labels added");
    }
}
