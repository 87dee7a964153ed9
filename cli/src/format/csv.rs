//! `--format csv`: a header row of column names, then one row per record.
//! Strings are written bare (CSV quoting only), null as an empty field, other
//! scalars as Cypher literals, and lists, maps and entities as Cypher literals
//! through [`QueryResult::render`].

use quiver::value::format_float;
use quiver::{QueryResult, Value};

/// One field's text.
pub fn cell(r: &QueryResult, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Bool(_)
        | Value::Int(_)
        | Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => v.to_string(),
        _ => r.render(v),
    }
}

/// The whole result as CSV text; empty for a statement without columns.
pub fn render(r: &QueryResult) -> Vec<u8> {
    render_part(r, true)
}

/// `r`'s rows as CSV text, after the header row when `header`.
pub fn render_part(r: &QueryResult, header: bool) -> Vec<u8> {
    if r.columns.is_empty() {
        return Vec::new();
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    if header {
        w.write_record(&r.columns).expect("csv to memory");
    }
    for row in &r.rows {
        w.write_record(row.iter().map(|v| cell(r, v))).expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::value::Map;
    use std::sync::Arc;

    #[test]
    fn header_then_rows() {
        let mut m = Map::new();
        m.insert(Arc::from("k"), Value::from("v"));
        let r = QueryResult {
            columns: vec!["s".into(), "n".into(), "x".into(), "l".into(), "m".into()],
            rows: vec![
                vec![
                    Value::from("plain"),
                    Value::Null,
                    Value::Float(2.0),
                    Value::from(vec![1i64, 2]),
                    Value::map(m),
                ],
                vec![
                    Value::from("a, \"quoted\"\nline"),
                    Value::Int(-3),
                    Value::Bool(false),
                    Value::from(vec!["it's"]),
                    Value::Null,
                ],
            ],
            ..QueryResult::default()
        };
        let text = String::from_utf8(render(&r)).unwrap();
        assert_eq!(
            text,
            "s,n,x,l,m\nplain,,2.0,\"[1, 2]\",{k: 'v'}\n\"a, \"\"quoted\"\"\nline\",-3,false,['it\\'s'],\n"
        );
    }

    #[test]
    fn no_columns_no_output() {
        assert!(render(&QueryResult::default()).is_empty());
    }
}
