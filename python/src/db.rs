//! `Database`, `Connection` and `Transaction`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use quiver::import::{IdType, ImportSpec, InputGroup};
use quiver::{ErrorKind, Interrupt, Phase};

use crate::errors::{error_from, OrRaise};
use crate::result::QueryResult;
use crate::run::run;

type Handle = Arc<quiver::Database>;

fn closed_error(what: &str) -> PyErr {
    error_from(&quiver::Error::new(
        ErrorKind::ArgumentError,
        "Closed",
        Phase::Runtime,
        format!("the {what} is closed"),
    ))
}

/// A handle slot: the engine handle until `close()`.
struct Slot(RwLock<Option<Handle>>);

impl Slot {
    fn new(h: quiver::Database) -> Slot {
        Slot(RwLock::new(Some(Arc::new(h))))
    }

    fn get(&self, what: &str) -> PyResult<Handle> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .ok_or_else(|| closed_error(what))
    }

    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let taken = self.0.write().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = taken {
            // Still in use by another thread: it closes when that use ends.
            if let Ok(h) = Arc::try_unwrap(h) {
                py.detach(move || h.close()).or_raise()?;
            }
        }
        Ok(())
    }

    fn is_closed(&self) -> bool {
        self.0.read().unwrap_or_else(|e| e.into_inner()).is_none()
    }
}

/// Runs one statement on `h`, the GIL released, cancelled by Ctrl-C or by
/// `current` (the connection's `interrupt()`).
fn execute(
    py: Python<'_>,
    h: Handle,
    current: &Mutex<Option<Interrupt>>,
    query: &str,
    parameters: Option<&Bound<'_, PyAny>>,
) -> PyResult<QueryResult> {
    let params = crate::convert::params(parameters).or_raise()?;
    let interrupt = Interrupt::default();
    *current.lock().unwrap_or_else(|e| e.into_inner()) = Some(interrupt.clone());
    let query = query.to_string();
    let i2 = interrupt.clone();
    let outcome = run(py, &interrupt, move || h.execute_with(&query, &params, i2));
    *current.lock().unwrap_or_else(|e| e.into_inner()) = None;
    Ok(QueryResult::new(outcome?.or_raise()?))
}

/// A graph: in memory (`Database()`), or in a file (`Database("my.qv")`,
/// created when missing; `read_only=True` to read beside a writer in another
/// process). `lock_timeout` is how many seconds a write waits for another
/// connection's write transaction (10 unless set).
///
/// `db.execute(query, parameters)` runs a statement on the database's own
/// connection; `db.connect()` opens another, with a transaction of its own.
/// Use it in a `with` block, or call `close()`, to release the file.
#[pyclass(module = "quiver")]
pub struct Database {
    slot: Slot,
    current: Mutex<Option<Interrupt>>,
    path: Option<PathBuf>,
    read_only: bool,
}

impl Database {
    pub fn handle(&self) -> PyResult<Handle> {
        self.slot.get("database")
    }
}

#[pymethods]
impl Database {
    #[new]
    #[pyo3(signature = (path=None, read_only=false, *, lock_timeout=None))]
    fn new(py: Python<'_>, path: Option<PathBuf>, read_only: bool, lock_timeout: Option<f64>) -> PyResult<Database> {
        // "" and ":memory:" (as Kùzu and SQLite take them) mean in memory too.
        let path = path.filter(|p| !p.as_os_str().is_empty() && p.as_os_str() != ":memory:");
        let db = match &path {
            None if read_only => {
                return Err(error_from(&quiver::Error::new(
                    ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    Phase::Runtime,
                    "an in-memory database cannot be read-only: give the path of a database file",
                )))
            }
            None => quiver::Database::in_memory(),
            Some(p) => {
                let p = p.clone();
                let opened = py.detach(move || {
                    if read_only {
                        quiver::Database::open_read_only(&p)
                    } else {
                        quiver::Database::open(&p)
                    }
                });
                opened.or_raise()?
            }
        };
        if let Some(t) = lock_timeout {
            if !(t.is_finite() && t >= 0.0) {
                return Err(PyValueError::new_err("lock_timeout is a number of seconds, 0 or more"));
            }
            db.set_lock_timeout(std::time::Duration::from_secs_f64(t));
        }
        Ok(Database {
            slot: Slot::new(db),
            current: Mutex::new(None),
            path,
            read_only,
        })
    }

    /// A new connection: a session with a transaction of its own.
    fn connect(slf: &Bound<'_, Self>) -> PyResult<Connection> {
        Connection::new(slf)
    }

    /// Runs one statement on the database's own connection; see `Connection.execute`.
    #[pyo3(signature = (query, parameters=None))]
    fn execute(&self, py: Python<'_>, query: &str, parameters: Option<&Bound<'_, PyAny>>) -> PyResult<QueryResult> {
        execute(py, self.handle()?, &self.current, query, parameters)
    }

    /// The database file's path, or None in memory.
    #[getter]
    fn path(&self) -> Option<String> {
        self.path.as_ref().map(|p| p.display().to_string())
    }

    #[getter]
    fn read_only(&self) -> bool {
        self.read_only
    }

    #[getter]
    fn closed(&self) -> bool {
        self.slot.is_closed()
    }

    /// Labels, relationship types and property keys, each with how many
    /// nodes or relationships have it: `{"labels": {"Person": 3}, ...}`.
    fn schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let h = self.handle()?;
        let s = py.detach(move || h.schema());
        let out = PyDict::new(py);
        for (name, part) in [
            ("labels", &s.labels),
            ("relationship_types", &s.relationship_types),
            ("property_keys", &s.property_keys),
        ] {
            let d = PyDict::new(py);
            for (k, n) in part {
                d.set_item(k, n)?;
            }
            out.set_item(name, d)?;
        }
        Ok(out)
    }

    /// Folds the write-ahead log into the file now (nothing to do in memory).
    fn checkpoint(&self, py: Python<'_>) -> PyResult<()> {
        let h = self.handle()?;
        py.detach(move || h.checkpoint()).or_raise()
    }

    /// The whole graph as a script of statements that rebuilds it.
    fn dump(&self, py: Python<'_>) -> PyResult<String> {
        let h = self.handle()?;
        let bytes = py.detach(move || {
            let mut out = Vec::new();
            h.dump(&mut out).map(|_| out)
        });
        let bytes = bytes.map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// Closes the database's own connection (rolling back its open
    /// transaction). The file is released when its connections are closed too.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.slot.close(py)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        match &self.path {
            None => "Database(in memory)".into(),
            Some(p) => format!(
                "Database({:?}{}{})",
                p.display().to_string(),
                if self.read_only { ", read_only=True" } else { "" },
                if self.slot.is_closed() { ", closed" } else { "" }
            ),
        }
    }
}

/// A connection to a `Database`: runs statements, one explicit transaction
/// at a time. `quiver.Connection(db)` is `db.connect()`. Connections may be
/// used from several threads; statements on different connections run in
/// parallel (reads always; writes one transaction at a time).
#[pyclass(module = "quiver")]
pub struct Connection {
    slot: Slot,
    current: Mutex<Option<Interrupt>>,
    database: Py<Database>,
}

impl Connection {
    fn new(db: &Bound<'_, Database>) -> PyResult<Connection> {
        let h = db.borrow().handle()?;
        Ok(Connection {
            slot: Slot::new(h.session()),
            current: Mutex::new(None),
            database: db.clone().unbind(),
        })
    }

    fn handle(&self) -> PyResult<Handle> {
        self.slot.get("connection")
    }
}

#[pymethods]
impl Connection {
    #[new]
    fn py_new(database: &Bound<'_, Database>) -> PyResult<Connection> {
        Connection::new(database)
    }

    /// Runs one statement (a trailing `;` is allowed) and returns its result.
    /// `parameters` maps names to values: `$name` in the query. The GIL is
    /// released while it runs; Ctrl-C cancels it (KeyboardInterrupt, the
    /// graph unchanged). A failing statement changes nothing and raises the
    /// `quiver.Error` subclass of its kind.
    #[pyo3(signature = (query, parameters=None))]
    fn execute(&self, py: Python<'_>, query: &str, parameters: Option<&Bound<'_, PyAny>>) -> PyResult<QueryResult> {
        execute(py, self.handle()?, &self.current, query, parameters)
    }

    /// Cancels the statement running on this connection (from another
    /// thread): it raises `quiver.Interrupted`, the graph unchanged.
    fn interrupt(&self) {
        if let Some(i) = self.current.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            i.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// Starts an explicit transaction: the statements until `commit()` take
    /// effect together, or not at all after `rollback()`.
    fn begin(&self, py: Python<'_>) -> PyResult<()> {
        let h = self.handle()?;
        py.detach(move || h.begin()).or_raise()
    }

    /// Commits the open transaction (with a file, durable when this returns).
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        let h = self.handle()?;
        py.detach(move || h.commit()).or_raise()
    }

    /// Rolls the open transaction back: the graph is as before it.
    fn rollback(&self, py: Python<'_>) -> PyResult<()> {
        let h = self.handle()?;
        py.detach(move || h.rollback()).or_raise()
    }

    /// Whether an explicit transaction is open.
    #[getter]
    fn in_transaction(&self) -> PyResult<bool> {
        Ok(self.handle()?.in_transaction())
    }

    /// `with conn.transaction(): ...` begins a transaction, commits it at the
    /// end of the block, and rolls it back if the block raises.
    fn transaction(slf: &Bound<'_, Self>) -> Transaction {
        Transaction {
            connection: slf.clone().unbind(),
        }
    }

    /// Bulk-loads node and relationship files (CSV with a typed header, or
    /// JSON lines) straight into the store: all of them, or on any bad row
    /// nothing. `nodes` and `relationships` each take a path, a list of paths
    /// or `(labels, path)` pairs, or a dict of labels (a relationship type) to
    /// paths; a string may be `"Person=people.csv"` as the CLI takes it.
    /// Returns the counts: `{"nodes": ..., "relationships": ..., "properties": ...}`.
    #[pyo3(signature = (nodes=None, relationships=None, *, delimiter=",", array_delimiter=";", id_type="string"))]
    fn import_files<'py>(
        &self,
        py: Python<'py>,
        nodes: Option<&Bound<'py, PyAny>>,
        relationships: Option<&Bound<'py, PyAny>>,
        delimiter: &str,
        array_delimiter: &str,
        id_type: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        if crate::frames::holds_frames(nodes)? || crate::frames::holds_frames(relationships)? {
            return self.import_frames(py, nodes, relationships, None, None, None, true);
        }
        let byte = |s: &str, what: &str| -> PyResult<u8> {
            match s.as_bytes() {
                [b] if b.is_ascii() => Ok(*b),
                _ => Err(PyValueError::new_err(format!(
                    "{what} must be one ASCII character, not {s:?}"
                ))),
            }
        };
        let spec = ImportSpec {
            nodes: groups(nodes, "nodes")?,
            relationships: groups(relationships, "relationships")?,
            delimiter: byte(delimiter, "delimiter")?,
            array_delimiter: byte(array_delimiter, "array_delimiter")?,
            id_type: match id_type {
                "string" | "str" => IdType::String,
                "integer" | "int" => IdType::Integer,
                other => {
                    return Err(PyValueError::new_err(format!(
                        "id_type is 'string' or 'integer', not {other:?}"
                    )))
                }
            },
        };
        if spec.is_empty() {
            return Err(PyValueError::new_err("import_files needs node or relationship files"));
        }
        let h = self.handle()?;
        let interrupt = Interrupt::default();
        let i2 = interrupt.clone();
        let summary = run(py, &interrupt, move || h.import_with_progress(&spec, &mut (), &i2))?.or_raise()?;
        summary_dict(py, &summary)
    }

    /// Bulk-loads pandas, pyarrow or polars frames (or dicts of column lists)
    /// straight into the store, without writing files: all of them, or on any
    /// bad row nothing. `nodes` maps labels (`"Person"`, `"Person:Actor"`) to
    /// a frame; its `id` column (or `id_column`) identifies the nodes and is
    /// kept as a property (unless `keep_ids=False`). `relationships` maps a
    /// type, or a `(start labels, type, end labels)` triple, to a frame whose
    /// `from` and `to` columns (or `start_column`, `end_column`; else
    /// `:START_ID`/`:END_ID`, `start`/`end`, `source`/`target`, else the first
    /// two columns, as in Kùzu) hold those ids; the other columns are
    /// properties, nulls (NaN, NaT, None) setting none.
    #[pyo3(signature = (nodes=None, relationships=None, *, id_column=None, start_column=None, end_column=None, keep_ids=true))]
    #[allow(clippy::too_many_arguments)]
    fn import_frames<'py>(
        &self,
        py: Python<'py>,
        nodes: Option<&Bound<'py, PyAny>>,
        relationships: Option<&Bound<'py, PyAny>>,
        id_column: Option<String>,
        start_column: Option<String>,
        end_column: Option<String>,
        keep_ids: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let spec = crate::frames::spec(
            py,
            nodes,
            relationships,
            id_column.as_deref(),
            start_column.as_deref(),
            end_column.as_deref(),
            keep_ids,
        )?;
        if spec.is_empty() {
            return Err(PyValueError::new_err("import_frames needs node or relationship frames"));
        }
        let h = self.handle()?;
        let interrupt = Interrupt::default();
        let i2 = interrupt.clone();
        let summary = run(py, &interrupt, move || h.import_frames(&spec, &i2))?.or_raise()?;
        summary_dict(py, &summary)
    }

    /// The database this connection belongs to.
    #[getter]
    fn database(&self, py: Python<'_>) -> Py<Database> {
        self.database.clone_ref(py)
    }

    #[getter]
    fn closed(&self) -> bool {
        self.slot.is_closed()
    }

    /// Closes the connection, rolling back its open transaction.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        self.slot.close(py)
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("Connection({})", if self.slot.is_closed() { "closed" } else { "open" })
    }
}

pub fn summary_dict<'py>(py: Python<'py>, s: &quiver::import::ImportSummary) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("nodes", s.nodes)?;
    d.set_item("relationships", s.relationships)?;
    d.set_item("properties", s.properties)?;
    d.set_item("files", s.files)?;
    d.set_item("bytes", s.bytes)?;
    d.set_item("elapsed_ms", s.elapsed.as_secs_f64() * 1000.0)?;
    Ok(d)
}

fn path_of(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    obj.extract::<PathBuf>().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected a path, got {}",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

fn paths_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.map(|p| path_of(&p?)).collect()
    } else {
        Ok(vec![path_of(obj)?])
    }
}

fn names_of(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s
            .to_string()
            .split(':')
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty())
            .collect());
    }
    if obj.is_none() {
        return Ok(Vec::new());
    }
    obj.extract::<Vec<String>>()
        .map_err(|_| PyTypeError::new_err("labels are a str ('Person' or 'Person:Actor') or a list of str"))
}

/// One item: a path, `"Labels=path"`, or `(labels, path or paths)`.
fn group_of(obj: &Bound<'_, PyAny>) -> PyResult<InputGroup> {
    if let Ok(s) = obj.cast::<PyString>() {
        return InputGroup::parse(&s.to_string()).map_err(PyValueError::new_err);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        if t.len() == 2 {
            return Ok(InputGroup {
                names: names_of(&t.get_item(0)?)?,
                files: paths_of(&t.get_item(1)?)?,
            });
        }
    }
    Ok(InputGroup {
        names: Vec::new(),
        files: vec![path_of(obj)?],
    })
}

fn groups(obj: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<Vec<InputGroup>> {
    let Some(obj) = obj else { return Ok(Vec::new()) };
    if obj.is_none() {
        return Ok(Vec::new());
    }
    let out: PyResult<Vec<InputGroup>> = if let Ok(d) = obj.cast::<PyDict>() {
        d.iter()
            .map(|(k, v)| {
                Ok(InputGroup {
                    names: names_of(&k)?,
                    files: paths_of(&v)?,
                })
            })
            .collect()
    } else if obj.is_instance_of::<PyList>() {
        obj.try_iter()?.map(|g| group_of(&g?)).collect()
    } else {
        Ok(vec![group_of(obj)?])
    };
    out.map_err(|e| Python::attach(|py| PyTypeError::new_err(format!("{what}: {}", e.value(py)))))
}

/// An explicit transaction as a context manager (`conn.transaction()`).
#[pyclass(module = "quiver")]
pub struct Transaction {
    connection: Py<Connection>,
}

#[pymethods]
impl Transaction {
    fn __enter__(slf: Py<Self>, py: Python<'_>) -> PyResult<Py<Self>> {
        slf.borrow(py).connection.borrow(py).begin(py)?;
        Ok(slf)
    }

    #[pyo3(signature = (exc_type=None, _exc=None, _tb=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _tb: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let conn = self.connection.borrow(py);
        if !conn.handle()?.in_transaction() {
            // Committed or rolled back inside the block already.
            return Ok(false);
        }
        match exc_type {
            Some(t) if !t.is_none() => conn.rollback(py)?,
            _ => conn.commit(py)?,
        }
        Ok(false)
    }

    /// Runs a statement in the transaction.
    #[pyo3(signature = (query, parameters=None))]
    fn execute(&self, py: Python<'_>, query: &str, parameters: Option<&Bound<'_, PyAny>>) -> PyResult<QueryResult> {
        self.connection.borrow(py).execute(py, query, parameters)
    }

    /// Commits now (the end of the block then does nothing).
    fn commit(&self, py: Python<'_>) -> PyResult<()> {
        self.connection.borrow(py).commit(py)
    }

    /// Rolls back now (the end of the block then does nothing).
    fn rollback(&self, py: Python<'_>) -> PyResult<()> {
        self.connection.borrow(py).rollback(py)
    }
}
