//! Bulk import of rows held in memory — a program's data frames (pandas,
//! pyarrow, polars through the Python package) — straight into the store, as
//! files are imported, without writing them out first.
//!
//! A node frame's rows become nodes with its labels; its id column (if any)
//! gives each node an external id, unique in the frame's id group, and is
//! stored as a property too unless told not to. A relationship frame's start
//! and end columns name those ids: looked up in the given id group, or, when
//! none is given, in every group (an id found in two is an error). Nulls set
//! no property. The whole import is one change: on any bad row nothing is
//! imported, and the error names the frame, the row and the column.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::error::{Error, ErrorKind, Phase, Result};
use crate::store::{LabelId, Props};
use crate::value::{NodeId, Value};

use super::{ImportSummary, Sink};

/// Columns of equal length: `(name, values)`.
pub type Columns = Vec<(String, Vec<Value>)>;

/// Rows that become nodes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NodeFrame {
    /// Names the frame in errors (e.g. its labels).
    pub name: String,
    pub labels: Vec<String>,
    /// The column of external ids (integers or strings), if the nodes have them.
    pub id_column: Option<String>,
    /// Whether the id is also stored as a property of that name.
    pub keep_id: bool,
    /// The id group the ids are unique in (`""` unless given).
    pub id_group: String,
    pub columns: Columns,
}

/// Rows that become relationships.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RelFrame {
    pub name: String,
    pub rel_type: String,
    pub start_column: String,
    pub end_column: String,
    /// The id groups the start and end ids are looked up in (`None`: every group).
    pub start_group: Option<String>,
    pub end_group: Option<String>,
    pub columns: Columns,
}

/// What to import.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrameImport {
    pub nodes: Vec<NodeFrame>,
    pub relationships: Vec<RelFrame>,
}

impl FrameImport {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.relationships.is_empty()
    }
}

#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Key {
    Int(i64),
    Str(String),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Int(i) => write!(f, "{i}"),
            Key::Str(s) => write!(f, "'{s}'"),
        }
    }
}

fn bad(frame: &str, row: Option<usize>, message: impl std::fmt::Display) -> Error {
    let at = match row {
        Some(r) => format!("frame {frame}, row {r} (counting from 0)"),
        None => format!("frame {frame}"),
    };
    Error::new(
        ErrorKind::DataError,
        "InvalidImportData",
        Phase::Runtime,
        format!("{at}: {message}"),
    )
}

fn key_of(v: &Value) -> std::result::Result<Key, String> {
    match v {
        Value::Int(i) => Ok(Key::Int(*i)),
        Value::String(s) => Ok(Key::Str(s.to_string())),
        // A frame column of integers with a gap is often floats.
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Key::Int(*f as i64)),
        Value::Null => Err("the id is missing (null)".into()),
        other => Err(format!("an id is an integer or a string, not a {}", other.type_name())),
    }
}

/// Checks the columns are of one length, and returns it.
fn rows_of(frame: &str, columns: &Columns) -> Result<usize> {
    let n = columns.first().map_or(0, |(_, v)| v.len());
    for (name, values) in columns {
        if values.len() != n {
            return Err(bad(
                frame,
                None,
                format!(
                    "column '{name}' has {} values, but the first column has {n}",
                    values.len()
                ),
            ));
        }
    }
    Ok(n)
}

fn column<'a>(frame: &str, columns: &'a Columns, name: &str, what: &str) -> Result<(usize, &'a [Value])> {
    columns
        .iter()
        .enumerate()
        .find(|(_, (n, _))| n == name)
        .map(|(i, (_, v))| (i, v.as_slice()))
        .ok_or_else(|| {
            let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
            bad(
                frame,
                None,
                format!("no column '{name}' for the {what} (the columns: {})", names.join(", ")),
            )
        })
}

fn property(frame: &str, row: usize, column: &str, v: &Value) -> Result<()> {
    if v.is_storable() {
        Ok(())
    } else {
        Err(bad(
            frame,
            Some(row),
            format!(
                "column '{column}': a property cannot hold {v} (a {}: properties hold scalars, temporal values and lists of them)",
                v.type_name()
            ),
        ))
    }
}

const CHECK_EVERY: usize = 4096;

/// Runs a frame import into `sink`; on an error the caller undoes what the sink took.
pub(crate) fn run(sink: &mut dyn Sink, spec: &FrameImport, interrupt: &AtomicBool) -> Result<ImportSummary> {
    let started = Instant::now();
    let mut summary = ImportSummary::default();
    let mut groups: HashMap<String, HashMap<Key, NodeId>> = HashMap::new();
    let check = |i: usize| -> Result<()> {
        if i % CHECK_EVERY == 0 && interrupt.load(Ordering::Relaxed) {
            return Err(Error::interrupted());
        }
        Ok(())
    };
    for f in &spec.nodes {
        let n = rows_of(&f.name, &f.columns)?;
        let labels: Vec<LabelId> = f.labels.iter().map(|l| sink.catalog().labels.intern(l)).collect();
        let id = match &f.id_column {
            Some(name) => Some(column(&f.name, &f.columns, name, "ids")?.0),
            None => None,
        };
        let keys: Vec<_> = f
            .columns
            .iter()
            .map(|(name, _)| sink.catalog().keys.intern(name))
            .collect();
        let ids = groups.entry(f.id_group.clone()).or_default();
        for row in 0..n {
            check(row)?;
            let mut props: Props = Vec::with_capacity(f.columns.len());
            for (c, (name, values)) in f.columns.iter().enumerate() {
                let v = &values[row];
                if v.is_null() || (Some(c) == id && !f.keep_id) {
                    continue;
                }
                property(&f.name, row, name, v)?;
                props.push((keys[c], v.clone()));
            }
            summary.properties += props.len() as u64;
            let node = sink
                .create_node(&labels, props)
                .map_err(|m| bad(&f.name, Some(row), m))?;
            summary.nodes += 1;
            if let Some(c) = id {
                let key = key_of(&f.columns[c].1[row]).map_err(|m| bad(&f.name, Some(row), m))?;
                if ids.insert(key.clone(), node).is_some() {
                    let group = if f.id_group.is_empty() {
                        String::new()
                    } else {
                        format!(" in id group '{}'", f.id_group)
                    };
                    return Err(bad(&f.name, Some(row), format!("node id {key} appears twice{group}")));
                }
            }
        }
    }
    for f in &spec.relationships {
        let n = rows_of(&f.name, &f.columns)?;
        let t = sink.catalog().types.intern(&f.rel_type);
        let (sc, starts) = column(&f.name, &f.columns, &f.start_column, "start ids")?;
        let (ec, ends) = column(&f.name, &f.columns, &f.end_column, "end ids")?;
        let keys: Vec<_> = f
            .columns
            .iter()
            .map(|(name, _)| sink.catalog().keys.intern(name))
            .collect();
        let lookup = |group: &Option<String>, v: &Value, which: &str| -> std::result::Result<NodeId, String> {
            let key = key_of(v).map_err(|m| format!("{m} (the {which} of this relationship)"))?;
            match group {
                Some(g) => groups.get(g).and_then(|m| m.get(&key)).copied().ok_or_else(|| {
                    format!("no node has id {key} in id group '{g}' (the {which} of this relationship)")
                }),
                None => {
                    let mut found = groups.iter().filter_map(|(g, m)| m.get(&key).map(|n| (g, *n)));
                    match (found.next(), found.next()) {
                        (Some((_, n)), None) => Ok(n),
                        (None, _) => Err(format!("no node has id {key} (the {which} of this relationship)")),
                        (Some((a, _)), Some((b, _))) => Err(format!(
                            "id {key} (the {which} of this relationship) is in id groups '{a}' and '{b}': say which"
                        )),
                    }
                }
            }
        };
        for row in 0..n {
            check(row)?;
            let start = lookup(&f.start_group, &starts[row], "start").map_err(|m| bad(&f.name, Some(row), m))?;
            let end = lookup(&f.end_group, &ends[row], "end").map_err(|m| bad(&f.name, Some(row), m))?;
            let mut props: Props = Vec::with_capacity(f.columns.len());
            for (c, (name, values)) in f.columns.iter().enumerate() {
                let v = &values[row];
                if v.is_null() || c == sc || c == ec {
                    continue;
                }
                property(&f.name, row, name, v)?;
                props.push((keys[c], v.clone()));
            }
            summary.properties += props.len() as u64;
            sink.create_relationship(start, end, t, props)
                .map_err(|m| bad(&f.name, Some(row), m))?;
            summary.relationships += 1;
        }
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Database, Params};

    fn col(name: &str, values: Vec<Value>) -> (String, Vec<Value>) {
        (name.to_string(), values)
    }

    fn people() -> FrameImport {
        FrameImport {
            nodes: vec![NodeFrame {
                name: "Person".into(),
                labels: vec!["Person".into()],
                id_column: Some("id".into()),
                keep_id: true,
                id_group: String::new(),
                columns: vec![
                    col("id", vec![Value::Int(1), Value::Int(2)]),
                    col("name", vec![Value::from("Ada"), Value::Null]),
                ],
            }],
            relationships: vec![RelFrame {
                name: "KNOWS".into(),
                rel_type: "KNOWS".into(),
                start_column: "from".into(),
                end_column: "to".into(),
                start_group: None,
                end_group: None,
                columns: vec![
                    col("from", vec![Value::Int(1)]),
                    col("to", vec![Value::Int(2)]),
                    col("since", vec![Value::Int(1833)]),
                ],
            }],
        }
    }

    #[test]
    fn imports_nodes_and_relationships() {
        let db = Database::in_memory();
        let s = db.import_frames(&people(), &AtomicBool::new(false)).unwrap();
        assert_eq!((s.nodes, s.relationships, s.properties), (2, 1, 4));
        let r = db
            .execute(
                "MATCH (a {id: 1})-[k:KNOWS]->(b) RETURN a.name, b.name, k.since, b.id",
                &Params::new(),
            )
            .unwrap();
        assert_eq!(
            r.rows,
            vec![vec![Value::from("Ada"), Value::Null, Value::Int(1833), Value::Int(2)]]
        );
    }

    #[test]
    fn a_bad_row_imports_nothing() {
        let db = Database::in_memory();
        let mut spec = people();
        spec.relationships[0].columns[1].1[0] = Value::Int(99);
        let e = db.import_frames(&spec, &AtomicBool::new(false)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::DataError);
        assert!(
            e.message.contains("frame KNOWS, row 0") && e.message.contains("99"),
            "{}",
            e.message
        );
        assert_eq!(db.counts(), (0, 0));
    }

    #[test]
    fn duplicate_ids_and_unstorable_values_are_errors() {
        let db = Database::in_memory();
        let mut spec = people();
        spec.nodes[0].columns[0].1[1] = Value::Int(1);
        let e = db.import_frames(&spec, &AtomicBool::new(false)).unwrap_err();
        assert!(e.message.contains("appears twice"), "{}", e.message);
        let mut spec = people();
        spec.nodes[0].columns[1].1[0] = Value::map(Default::default());
        let e = db.import_frames(&spec, &AtomicBool::new(false)).unwrap_err();
        assert!(e.message.contains("column 'name'"), "{}", e.message);
        assert_eq!(db.counts(), (0, 0));
    }

    #[test]
    fn inside_a_transaction_it_rolls_back() {
        let db = Database::in_memory();
        db.begin().unwrap();
        db.import_frames(&people(), &AtomicBool::new(false)).unwrap();
        assert_eq!(db.counts(), (2, 1));
        db.rollback().unwrap();
        assert_eq!(db.counts(), (0, 0));
    }
}
