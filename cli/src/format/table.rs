//! `--format table`: a table of Cypher literals (entities with their labels
//! and properties), then a footer line.

use comfy_table::{presets, ContentArrangement, Table};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

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

/// A table whose rows keep coming: the first rows as [`render`] draws them
/// (without the closing border), and what is needed to draw the rest to
/// the same column widths.
pub fn start(r: &QueryResult, fit: bool) -> (String, Continuation) {
    let text = render(r, fit);
    let mut lines: Vec<&str> = text.lines().collect();
    let bottom = lines.pop().unwrap_or_default().to_string();
    let widths = lines
        .first()
        .map(|top| {
            top.trim_start_matches('┌')
                .trim_end_matches('┐')
                .split('┬')
                .map(|seg| seg.chars().count().saturating_sub(2))
                .collect()
        })
        .unwrap_or_default();
    let mut head = lines.join("\n");
    head.push('\n');
    (head, Continuation { widths, bottom })
}

/// The column widths of a table started by [`start`].
pub struct Continuation {
    widths: Vec<usize>,
    bottom: String,
}

impl Continuation {
    /// `r`'s rows drawn to the table's widths (a longer value is cut, with `…`).
    pub fn rows(&self, r: &QueryResult) -> String {
        let mut out = String::new();
        for row in &r.rows {
            let cells: Vec<Vec<String>> = row
                .iter()
                .zip(&self.widths)
                .map(|(v, w)| r.render(v).lines().map(|l| fit_cell(l, *w)).collect())
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            for line in 0..height {
                out.push('│');
                for (i, (cell, w)) in cells.iter().zip(&self.widths).enumerate() {
                    if i > 0 {
                        out.push('┆');
                    }
                    let text = cell.get(line).map_or("", String::as_str);
                    out.push(' ');
                    out.push_str(text);
                    out.push_str(&" ".repeat(w.saturating_sub(text.width())));
                    out.push(' ');
                }
                out.push_str("│\n");
            }
        }
        out
    }

    /// The table's closing border.
    pub fn bottom(&self) -> &str {
        &self.bottom
    }
}

/// `text` cut to `width` columns of the terminal (with `…` when cut).
fn fit_cell(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
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

    #[test]
    fn a_continued_table_keeps_its_widths() {
        let batch = |values: Vec<Value>| QueryResult {
            columns: vec!["x".into(), "name".into()],
            rows: values.chunks(2).map(|c| c.to_vec()).collect(),
            ..QueryResult::default()
        };
        let first = batch(vec![Value::Int(1), Value::from("Ada")]);
        let (head, cont) = start(&first, false);
        let whole = render(&first, false);
        assert!(whole.starts_with(&head), "{head}\n{whole}");
        assert_eq!(cont.bottom(), whole.lines().last().unwrap());
        let more = cont.rows(&batch(vec![Value::Int(22), Value::from("Alan Turing")]));
        let row_line = whole.lines().nth(3).unwrap();
        assert_eq!(more.trim_end().chars().count(), row_line.chars().count(), "{more}");
        assert!(more.contains('…'), "{more}");
    }
}
