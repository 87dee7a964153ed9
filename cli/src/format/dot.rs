//! `--format dot`: the nodes and relationships a result mentions, as a
//! Graphviz digraph (nodes labelled by `name` and labels, edges by type).
//! Export a whole graph with `MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN n, r`.

use std::collections::BTreeSet;
use std::fmt::Write;

use quiver::{NodeId, QueryResult, RelId, Value};

/// One `digraph` for the result (empty when it mentions no entities).
pub fn render(r: &QueryResult) -> String {
    let mut nodes = BTreeSet::new();
    let mut rels = BTreeSet::new();
    for row in &r.rows {
        for v in row {
            collect(v, &mut nodes, &mut rels);
        }
    }
    for rel in &rels {
        if let Some(s) = r.relationship(*rel) {
            nodes.insert(s.start);
            nodes.insert(s.end);
        }
    }
    let mut out = String::from("digraph quiver {\n");
    out.push_str("  graph [fontname=\"Helvetica\"];\n");
    out.push_str("  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");
    for id in &nodes {
        let Some(n) = r.node(*id) else { continue };
        let name = match n.properties.get("name") {
            Some(Value::String(s)) => s.to_string(),
            Some(other) => r.render(other),
            None => format!("#{}", id.0),
        };
        let labels = n.labels.join(":");
        let text = if labels.is_empty() {
            name
        } else {
            format!("{name}\n:{labels}")
        };
        let _ = writeln!(out, "  n{} [label={}];", id.0, quote(&text));
    }
    for id in &rels {
        let Some(rel) = r.relationship(*id) else { continue };
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}];",
            rel.start.0,
            rel.end.0,
            quote(&rel.rel_type)
        );
    }
    out.push_str("}\n");
    out
}

fn collect(v: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match v {
        Value::Node(n) => {
            nodes.insert(*n);
        }
        Value::Relationship(r) => {
            rels.insert(*r);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|i| collect(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| collect(i, nodes, rels)),
        _ => {}
    }
}

/// A DOT string literal; a line break becomes a centred line in the label.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::{Database, Params};

    #[test]
    fn nodes_and_edges_with_names_labels_and_types() {
        let db = Database::in_memory();
        db.execute(
            "CREATE (:Person {name: 'Mike \"the\" Waltz'})-[:MET]->(:Group {name: 'Palestinian diplomats'})",
            &Params::new(),
        )
        .unwrap();
        let r = db.execute("MATCH (a)-[r]->(b) RETURN r", &Params::new()).unwrap();
        let dot = render(&r);
        assert!(dot.starts_with("digraph quiver {"), "{dot}");
        assert!(
            dot.contains("n0 [label=\"Mike \\\"the\\\" Waltz\\n:Person\"];"),
            "{dot}"
        );
        assert!(dot.contains("n1 [label=\"Palestinian diplomats\\n:Group\"];"), "{dot}");
        assert!(dot.contains("n0 -> n1 [label=\"MET\"];"), "{dot}");
        assert!(dot.trim_end().ends_with('}'));
    }

    #[test]
    fn scalars_give_an_empty_graph() {
        let db = Database::in_memory();
        let r = db.execute("RETURN 1 AS x", &Params::new()).unwrap();
        let dot = render(&r);
        assert!(!dot.contains("->"));
        assert!(
            !dot.lines().any(|l| l.starts_with("  n") && !l.starts_with("  node")),
            "{dot}"
        );
    }
}
