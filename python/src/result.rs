//! `QueryResult`: the rows of one statement, read as tuples (DB-API style),
//! dicts, Kùzu's `has_next()`/`get_next()`, or whole as data frames and graphs.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyList, PyModule, PyString, PyTuple};

use quiver::Value;

use crate::convert::to_py;

/// The rows of a statement, with its columns and what it changed.
///
/// Iterating gives each row as a tuple; `fetchone()` the next row (None when
/// there are no more), `fetchmany(n)` and `fetchall()` the next rows;
/// `to_dicts()` every row as a dict. `to_df()`, `to_polars()`, `to_arrow()`
/// and `to_networkx()` give all the rows as a pandas, polars or pyarrow
/// frame, or the nodes and relationships they mention as a networkx
/// MultiDiGraph (each needs its library installed). Kùzu's names work too:
/// `has_next()`, `get_next()`, `get_all()`, `get_n()`, `get_column_names()`, `get_as_df()`,
/// `get_as_pl()`, `get_as_arrow()`, `get_as_networkx()`, `get_num_tuples()`.
#[pyclass(module = "quiver")]
pub struct QueryResult {
    inner: Arc<quiver::QueryResult>,
    pos: usize,
}

static HELPERS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

fn helpers(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    HELPERS
        .get_or_try_init(py, || py.import("quiver._frames").map(|m| m.unbind()))
        .map(|m| m.bind(py))
}

impl QueryResult {
    pub fn new(r: quiver::QueryResult) -> QueryResult {
        QueryResult {
            inner: Arc::new(r),
            pos: 0,
        }
    }

    fn row<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyTuple>> {
        let r = &self.inner;
        let mut items = Vec::with_capacity(r.columns.len());
        for v in &r.rows[i] {
            items.push(to_py(py, v, r)?);
        }
        PyTuple::new(py, items)
    }

    fn dict_row<'py>(&self, py: Python<'py>, i: usize, keys: &[Bound<'py, PyString>]) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner;
        let d = PyDict::new(py);
        for (k, v) in keys.iter().zip(&r.rows[i]) {
            d.set_item(k, to_py(py, v, r)?)?;
        }
        Ok(d)
    }

    fn call_helper<'py>(
        slf: &Bound<'py, Self>,
        name: &str,
        args: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        helpers(slf.py())?.getattr(name)?.call((slf,), args)
    }
}

/// Column `i` as the native bytes of `each` value, or None when some value has none.
fn typed<const N: usize>(rows: &[Vec<Value>], i: usize, each: impl Fn(&Value) -> Option<[u8; N]>) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(rows.len() * N);
    for row in rows {
        bytes.extend_from_slice(&each(&row[i])?);
    }
    Some(bytes)
}

#[pymethods]
impl QueryResult {
    /// The column names, in order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.columns.clone()
    }

    /// What the statement changed, keyed as in the CLI's JSON output:
    /// `nodes_created`, `nodes_deleted`, `relationships_created`,
    /// `relationships_deleted`, `labels_added`, `labels_removed`,
    /// `properties_set`, `properties_removed`.
    #[getter]
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, n) in self.inner.stats.fields() {
            d.set_item(k, n)?;
        }
        Ok(d)
    }

    /// The plan, for EXPLAIN and PROFILE statements (else None).
    #[getter]
    fn plan(&self) -> Option<String> {
        self.inner.plan.clone()
    }

    /// How many rows the result has (whatever has been read).
    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        self.fetchone(py)
    }

    /// The next row as a tuple, or None when every row has been read.
    fn fetchone<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        if self.pos >= self.inner.rows.len() {
            return Ok(None);
        }
        let row = self.row(py, self.pos)?;
        self.pos += 1;
        Ok(Some(row))
    }

    /// The next `size` rows (fewer at the end), as tuples.
    #[pyo3(signature = (size=1))]
    fn fetchmany<'py>(&mut self, py: Python<'py>, size: usize) -> PyResult<Bound<'py, PyList>> {
        let end = (self.pos + size).min(self.inner.rows.len());
        let list = PyList::empty(py);
        for i in self.pos..end {
            list.append(self.row(py, i)?)?;
        }
        self.pos = end;
        Ok(list)
    }

    /// The rows not read yet, as a list of tuples.
    fn fetchall<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let n = self.inner.rows.len();
        self.fetchmany(py, n)
    }

    /// Every row as a dict of column name to value.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let keys: Vec<_> = self.inner.columns.iter().map(|c| PyString::new(py, c)).collect();
        let list = PyList::empty(py);
        for i in 0..self.inner.rows.len() {
            list.append(self.dict_row(py, i, &keys)?)?;
        }
        Ok(list)
    }

    /// Every row as a pandas DataFrame (needs pandas).
    fn to_df<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::call_helper(slf, "to_pandas", None)
    }

    /// Every row as a polars DataFrame (needs polars).
    fn to_polars<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::call_helper(slf, "to_polars", None)
    }

    /// Every row as a pyarrow Table (needs pyarrow).
    fn to_arrow<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::call_helper(slf, "to_arrow", None)
    }

    /// The nodes and relationships the rows mention (in lists, maps and
    /// paths too) as a networkx MultiDiGraph (a MultiGraph with
    /// `directed=False`): nodes keyed by id with their properties and
    /// `_labels`, edges keyed by relationship id with their properties and `_type`.
    #[pyo3(signature = (directed=true))]
    fn to_networkx<'py>(slf: &Bound<'py, Self>, directed: bool) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(slf.py());
        kwargs.set_item("directed", directed)?;
        QueryResult::call_helper(slf, "to_networkx", Some(&kwargs))
    }

    // Kùzu's names.

    /// Whether `get_next()` has a row to give (Kùzu's name).
    fn has_next(&self) -> bool {
        self.pos < self.inner.rows.len()
    }

    /// The next row as a list (Kùzu's name); an IndexError past the end.
    fn get_next<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match self.fetchone(py)? {
            Some(row) => Ok(row.to_list()),
            None => Err(pyo3::exceptions::PyIndexError::new_err("the result has no more rows")),
        }
    }

    /// The rows not read yet, each as a list (Kùzu's name).
    fn get_all<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let n = self.inner.rows.len();
        self.get_n(py, n)
    }

    /// The next `count` rows (fewer at the end), each as a list (Kùzu's name).
    fn get_n<'py>(&mut self, py: Python<'py>, count: usize) -> PyResult<Bound<'py, PyList>> {
        let end = self.pos.saturating_add(count).min(self.inner.rows.len());
        let list = PyList::empty(py);
        for i in self.pos..end {
            list.append(self.row(py, i)?.to_list())?;
        }
        self.pos = end;
        Ok(list)
    }

    /// The column names (Kùzu's name for `columns`).
    fn get_column_names(&self) -> Vec<String> {
        self.columns()
    }

    /// The number of rows (Kùzu's name for `len(result)`).
    fn get_num_tuples(&self) -> usize {
        self.inner.rows.len()
    }

    /// Starts reading the rows again from the first.
    fn reset_iterator(&mut self) {
        self.pos = 0;
    }

    /// Kùzu's name for `to_df()`.
    fn get_as_df<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::to_df(slf)
    }

    /// Kùzu's name for `to_polars()`.
    fn get_as_pl<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::to_polars(slf)
    }

    /// Kùzu's name for `to_arrow()` (`chunk_size` is accepted and ignored:
    /// the table is built whole).
    #[pyo3(signature = (chunk_size=None))]
    fn get_as_arrow<'py>(slf: &Bound<'py, Self>, chunk_size: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let _ = chunk_size;
        QueryResult::to_arrow(slf)
    }

    /// Kùzu's name for `to_networkx()`.
    #[pyo3(signature = (directed=true))]
    fn get_as_networkx<'py>(slf: &Bound<'py, Self>, directed: bool) -> PyResult<Bound<'py, PyAny>> {
        QueryResult::to_networkx(slf, directed)
    }

    /// Nothing to release (Kùzu's scripts call it).
    fn close(&self) {}

    /// Column `i` whole, for the frame builders: `("int64", bytes)`,
    /// `("float64", bytes)` or `("bool", bytes)` when every value is one of
    /// those (no nulls), else a list: `("str", list)` when every value is a
    /// string or null, `("entity", list)` when some value is a node,
    /// relationship, path, duration, list or map, `("object", list)` otherwise.
    fn _column<'py>(&self, py: Python<'py>, i: usize) -> PyResult<(&'static str, Bound<'py, PyAny>)> {
        let r = &self.inner;
        let rows = &r.rows;
        if i >= r.columns.len() {
            return Err(pyo3::exceptions::PyIndexError::new_err("no such column"));
        }
        // One pass where the first value's kind holds for the whole column (the usual case).
        match rows.first().map(|row| &row[i]) {
            Some(Value::Int(_)) => {
                if let Some(bytes) = typed(rows, i, |v| match v {
                    Value::Int(x) => Some(x.to_ne_bytes()),
                    _ => None,
                }) {
                    return Ok(("int64", PyBytes::new(py, &bytes).into_any()));
                }
            }
            Some(Value::Float(_)) => {
                if let Some(bytes) = typed(rows, i, |v| match v {
                    Value::Float(x) => Some(x.to_ne_bytes()),
                    _ => None,
                }) {
                    return Ok(("float64", PyBytes::new(py, &bytes).into_any()));
                }
            }
            Some(Value::Bool(_)) => {
                if let Some(bytes) = typed(rows, i, |v| match v {
                    Value::Bool(b) => Some([*b as u8]),
                    _ => None,
                }) {
                    return Ok(("bool", PyBytes::new(py, &bytes).into_any()));
                }
            }
            _ => {}
        }
        // "str": strings and nulls only; "entity": some value a frame keeps as a Python
        // object (nodes, relationships, paths, durations, lists, maps); "object": the rest.
        let mut kind = "str";
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            let v = &row[i];
            match v {
                Value::String(s) => {
                    items.push(PyString::new(py, s).into_any());
                    continue;
                }
                Value::Null => {}
                Value::Node(_)
                | Value::Relationship(_)
                | Value::Path(_)
                | Value::Duration(_)
                | Value::List(_)
                | Value::Map(_) => kind = "entity",
                _ => {
                    if kind == "str" {
                        kind = "object"
                    }
                }
            }
            items.push(to_py(py, v, r)?);
        }
        Ok((kind, PyList::new(py, items)?.into_any()))
    }

    fn __repr__(&self) -> String {
        format!(
            "QueryResult(columns={:?}, rows={}{})",
            self.inner.columns,
            self.inner.rows.len(),
            if self.inner.stats.is_empty() {
                String::new()
            } else {
                format!(", {}", self.inner.stats)
            }
        )
    }
}
