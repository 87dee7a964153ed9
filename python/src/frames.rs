//! Data frames (pandas, pyarrow, polars, or dicts of column lists) as the
//! engine's in-memory import (`quiver::import::frames`).

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use quiver::import::frames::{Columns, FrameImport, NodeFrame, RelFrame};

use crate::convert::from_py;
use crate::errors::error_from;

/// Whether `obj` (an `import_files` argument) holds frames rather than paths.
pub fn holds_frames(obj: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    let Some(obj) = obj else { return Ok(false) };
    let values: Vec<Bound<'_, PyAny>> = if let Ok(d) = obj.cast::<PyDict>() {
        d.values().iter().collect()
    } else {
        vec![obj.clone()]
    };
    Ok(values.iter().any(is_frame))
}

fn is_frame(obj: &Bound<'_, PyAny>) -> bool {
    !obj.is_instance_of::<PyString>()
        && (obj.hasattr("column_names").unwrap_or(false) || obj.hasattr("columns").unwrap_or(false))
}

/// A frame's columns as Python lists, nulls as None (through quiver._frames).
fn columns(py: Python<'_>, frame: &Bound<'_, PyAny>, name: &str) -> PyResult<Columns> {
    let cols = py.import("quiver._frames")?.call_method1("frame_columns", (frame,))?;
    let mut out = Columns::new();
    for item in cols.try_iter()? {
        let (col, values): (String, Bound<'_, PyList>) = item?.extract()?;
        let what = format!("frame {name}, column '{col}'");
        let mut converted = Vec::with_capacity(values.len());
        for (i, v) in values.iter().enumerate() {
            let mut w = what.clone();
            match from_py(&v, &mut w) {
                Ok(x) => converted.push(x),
                Err(e) => {
                    let mut err = e.into_error();
                    err.message = err.message.replacen(&what, &format!("{what}, row {i}"), 1);
                    err.kind = quiver::ErrorKind::DataError;
                    err.code = "InvalidImportData";
                    return Err(error_from(&err));
                }
            }
        }
        out.push((col, converted));
    }
    Ok(out)
}

fn label_list(s: &str) -> Vec<String> {
    s.split(':')
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn labels_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(label_list(&s.to_string()));
    }
    obj.extract::<Vec<String>>()
        .map_err(|_| PyTypeError::new_err("node labels are a str ('Person' or 'Person:Actor') or a list of str"))
}

fn pairs<'py>(obj: Option<&Bound<'py, PyAny>>, what: &str) -> PyResult<Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)>> {
    let Some(obj) = obj else { return Ok(Vec::new()) };
    if obj.is_none() {
        return Ok(Vec::new());
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return Ok(d.iter().collect());
    }
    if obj.is_instance_of::<PyList>() {
        return obj
            .try_iter()?
            .map(|p| {
                p?.extract::<(Bound<'py, PyAny>, Bound<'py, PyAny>)>()
                    .map_err(|_| PyTypeError::new_err(format!("{what}: a list of (name, frame) pairs")))
            })
            .collect();
    }
    Err(PyTypeError::new_err(format!(
        "{what}: a dict of names to frames, or a list of (name, frame) pairs"
    )))
}

const ENDS: [(&str, &str); 4] = [
    ("from", "to"),
    (":START_ID", ":END_ID"),
    ("start", "end"),
    ("source", "target"),
];

#[allow(clippy::too_many_arguments)]
pub fn spec(
    py: Python<'_>,
    nodes: Option<&Bound<'_, PyAny>>,
    relationships: Option<&Bound<'_, PyAny>>,
    id_column: Option<&str>,
    start_column: Option<&str>,
    end_column: Option<&str>,
    keep_ids: bool,
) -> PyResult<FrameImport> {
    let mut out = FrameImport::default();
    for (k, frame) in pairs(nodes, "nodes")? {
        let labels = labels_of(&k)?;
        let name = labels.join(":");
        let columns = columns(py, &frame, &name)?;
        let id = match id_column {
            Some(c) => Some(c.to_string()),
            None => columns.iter().find(|(c, _)| c == "id").map(|(c, _)| c.clone()),
        };
        out.nodes.push(NodeFrame {
            name: name.clone(),
            labels,
            id_column: id,
            keep_id: keep_ids,
            id_group: name,
            columns,
        });
    }
    for (k, frame) in pairs(relationships, "relationships")? {
        let (rel_type, start_group, end_group) = if let Ok(t) = k.cast::<PyTuple>() {
            if t.len() != 3 {
                return Err(PyValueError::new_err(
                    "a relationship key is a type, or a (start labels, type, end labels) triple",
                ));
            }
            let group = |i: usize| -> PyResult<String> { Ok(labels_of(&t.get_item(i)?)?.join(":")) };
            (t.get_item(1)?.extract::<String>()?, Some(group(0)?), Some(group(2)?))
        } else {
            (
                k.extract::<String>()
                    .map_err(|_| PyTypeError::new_err("a relationship type is a str"))?,
                None,
                None,
            )
        };
        let columns = columns(py, &frame, &rel_type)?;
        let has = |c: &str| columns.iter().any(|(n, _)| n == c);
        let (start, end) = match (start_column, end_column) {
            (Some(s), Some(e)) => (s.to_string(), e.to_string()),
            (s, e) => {
                let (ds, de) = ENDS
                    .iter()
                    .find(|(a, b)| has(a) && has(b))
                    .map(|(a, b)| (a.to_string(), b.to_string()))
                    .or_else(|| (columns.len() >= 2).then(|| (columns[0].0.clone(), columns[1].0.clone())))
                    .ok_or_else(|| {
                        PyValueError::new_err(format!(
                            "relationship frame {rel_type}: it needs a start and an end column (from and to)"
                        ))
                    })?;
                (s.map(String::from).unwrap_or(ds), e.map(String::from).unwrap_or(de))
            }
        };
        out.relationships.push(RelFrame {
            name: rel_type.clone(),
            rel_type,
            start_column: start,
            end_column: end,
            start_group,
            end_group,
            columns,
        });
    }
    Ok(out)
}
