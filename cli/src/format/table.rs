//! `--format table`: a table of Cypher literals (entities with their labels
//! and properties), then a footer line.

use comfy_table::{presets, ContentArrangement, Table};

use quiver::QueryResult;

/// The table for a result with columns (without the footer).
/// With `fit`, wraps cells to fit the terminal's width.
pub fn render(r: &QueryResult, fit: bool) -> String {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    // A terminal that reports no usable width (some pseudo-terminals say 0)
    // would wrap every character onto its own line.
    let usable = t.width().is_some_and(|w| w >= 20);
    t.set_content_arrangement(if fit && usable {
        ContentArrangement::Dynamic
    } else {
        ContentArrangement::Disabled
    });
    t.set_header(&r.columns);
    for row in &r.rows {
        t.add_row(row.iter().map(|v| r.render(v)));
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::value::Map;
    use quiver::{NodeId, NodeSnapshot, Value};
    use std::sync::Arc;

    #[test]
    fn cells_are_cypher_literals() {
        let mut r = QueryResult {
            columns: vec!["p".into(), "name".into(), "n".into()],
            rows: vec![vec![Value::Node(NodeId(0)), Value::from("Mike Waltz"), Value::Null]],
            ..QueryResult::default()
        };
        let mut props = Map::new();
        props.insert(Arc::from("name"), Value::from("Mike Waltz"));
        r.nodes.insert(
            NodeId(0),
            NodeSnapshot {
                id: NodeId(0),
                labels: vec!["Person".into()],
                properties: props,
            },
        );
        let t = render(&r, false);
        assert!(t.contains("(:Person {name: 'Mike Waltz'})"), "{t}");
        assert!(t.contains("'Mike Waltz'"), "{t}");
        assert!(t.contains("null"), "{t}");
        assert!(t.lines().next().unwrap().starts_with('┌'), "{t}");
    }
}
