//! The values results carry that Python has no type for: nodes,
//! relationships, paths and Cypher's four-part durations.

use pyo3::exceptions::{PyKeyError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use quiver::value::Duration as QDuration;
use quiver::{NodeId, QueryResult, RelId};

fn props_dict<'py>(py: Python<'py>, props: &quiver::value::Map, r: &QueryResult) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in props {
        d.set_item(k.as_ref(), crate::convert::to_py(py, v, r)?)?;
    }
    Ok(d)
}

/// A str as Python's repr writes it (for names: quotes, and escapes).
fn py_str_repr(s: &str) -> String {
    Python::attach(|py| {
        pyo3::types::PyString::new(py, s)
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_else(|_| format!("{s:?}"))
    })
}

fn py_list_repr(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| py_str_repr(s)).collect();
    format!("[{}]", parts.join(", "))
}

fn repr_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> String {
    let _ = py;
    obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into())
}

/// A node of the graph, as the query saw it: its id, labels and properties.
///
/// `node["name"]` reads a property (KeyError when it has none), `node.get("name")`
/// too (None when it has none); `"name" in node` asks whether it has it.
/// Two nodes are equal when they have the same id.
#[pyclass(module = "quiver", frozen)]
pub struct Node {
    id: u64,
    labels: Vec<String>,
    properties: Py<PyDict>,
}

impl Node {
    pub fn from_result(py: Python<'_>, id: NodeId, r: &QueryResult) -> PyResult<Node> {
        Ok(match r.node(id) {
            Some(n) => Node {
                id: id.0,
                labels: n.labels.clone(),
                properties: props_dict(py, &n.properties, r)?.unbind(),
            },
            None => Node {
                id: id.0,
                labels: Vec::new(),
                properties: PyDict::new(py).unbind(),
            },
        })
    }
}

#[pymethods]
impl Node {
    #[new]
    #[pyo3(signature = (id, labels=None, properties=None))]
    fn new(py: Python<'_>, id: u64, labels: Option<Vec<String>>, properties: Option<&Bound<'_, PyDict>>) -> Node {
        Node {
            id,
            labels: labels.unwrap_or_default(),
            properties: properties
                .map(|p| p.copy())
                .transpose()
                .ok()
                .flatten()
                .unwrap_or_else(|| PyDict::new(py))
                .unbind(),
        }
    }

    /// The node's id (assigned by quiver, never reused), as `id(n)` returns it.
    #[getter]
    fn id(&self) -> u64 {
        self.id
    }

    /// The node's labels, in the order quiver keeps them.
    #[getter]
    fn labels(&self) -> Vec<String> {
        self.labels.clone()
    }

    /// The node's properties, as a new dict.
    #[getter]
    fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.properties.bind(py).copy()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.properties.bind(py).get_item(key)? {
            Some(v) => Ok(v),
            None => Err(PyKeyError::new_err(key.to_string())),
        }
    }

    /// A property's value, or `default` when the node has none of that name.
    #[pyo3(signature = (key, default=None))]
    fn get<'py>(&self, py: Python<'py>, key: &str, default: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.properties.bind(py).get_item(key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }

    fn __contains__(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        self.properties.bind(py).contains(key)
    }

    /// The property names.
    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(self.properties.bind(py).keys())
    }

    /// `(name, value)` pairs of the properties.
    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(self.properties.bind(py).items())
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.properties.bind(py).len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Node>().is_ok_and(|o| o.get().id == self.id)
    }

    fn __hash__(&self) -> u64 {
        self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 1
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Node(id={}, labels={}, properties={})",
            self.id,
            py_list_repr(&self.labels),
            repr_of(py, self.properties.bind(py).as_any())
        )
    }
}

/// A relationship of the graph, as the query saw it: its id, type, the ids
/// of its start and end nodes, and its properties. `rel["since"]` reads a property.
/// Two relationships are equal when they have the same id.
#[pyclass(module = "quiver", frozen)]
pub struct Relationship {
    id: u64,
    rel_type: String,
    start: u64,
    end: u64,
    properties: Py<PyDict>,
    start_node: Option<Py<Node>>,
    end_node: Option<Py<Node>>,
}

impl Relationship {
    pub fn from_result(py: Python<'_>, id: RelId, r: &QueryResult) -> PyResult<Relationship> {
        let Some(rel) = r.relationship(id) else {
            return Ok(Relationship {
                id: id.0,
                rel_type: String::new(),
                start: 0,
                end: 0,
                properties: PyDict::new(py).unbind(),
                start_node: None,
                end_node: None,
            });
        };
        let node = |n: NodeId| -> PyResult<Option<Py<Node>>> {
            match r.node(n) {
                Some(_) => Ok(Some(Py::new(py, Node::from_result(py, n, r)?)?)),
                None => Ok(None),
            }
        };
        Ok(Relationship {
            id: id.0,
            rel_type: rel.rel_type.clone(),
            start: rel.start.0,
            end: rel.end.0,
            properties: props_dict(py, &rel.properties, r)?.unbind(),
            start_node: node(rel.start)?,
            end_node: node(rel.end)?,
        })
    }
}

#[pymethods]
impl Relationship {
    /// The relationship's id, as `id(r)` returns it.
    #[getter]
    fn id(&self) -> u64 {
        self.id
    }

    /// The relationship type.
    #[getter(r#type)]
    fn rel_type(&self) -> String {
        self.rel_type.clone()
    }

    /// The id of the start node.
    #[getter]
    fn start(&self) -> u64 {
        self.start
    }

    /// The id of the end node.
    #[getter]
    fn end(&self) -> u64 {
        self.end
    }

    /// The start node (with its labels and properties), when the result has it.
    #[getter]
    fn start_node(&self, py: Python<'_>) -> Option<Py<Node>> {
        self.start_node.as_ref().map(|n| n.clone_ref(py))
    }

    /// The end node (with its labels and properties), when the result has it.
    #[getter]
    fn end_node(&self, py: Python<'_>) -> Option<Py<Node>> {
        self.end_node.as_ref().map(|n| n.clone_ref(py))
    }

    /// The relationship's properties, as a new dict.
    #[getter]
    fn properties<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.properties.bind(py).copy()
    }

    fn __getitem__<'py>(&self, py: Python<'py>, key: &str) -> PyResult<Bound<'py, PyAny>> {
        match self.properties.bind(py).get_item(key)? {
            Some(v) => Ok(v),
            None => Err(PyKeyError::new_err(key.to_string())),
        }
    }

    /// A property's value, or `default` when the relationship has none of that name.
    #[pyo3(signature = (key, default=None))]
    fn get<'py>(&self, py: Python<'py>, key: &str, default: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match self.properties.bind(py).get_item(key)? {
            Some(v) => v,
            None => default.unwrap_or_else(|| py.None().into_bound(py)),
        })
    }

    fn __contains__(&self, py: Python<'_>, key: &str) -> PyResult<bool> {
        self.properties.bind(py).contains(key)
    }

    fn keys<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(self.properties.bind(py).keys())
    }

    fn items<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        Ok(self.properties.bind(py).items())
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.properties.bind(py).len()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Relationship>().is_ok_and(|o| o.get().id == self.id)
    }

    fn __hash__(&self) -> u64 {
        self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 2
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Relationship(id={}, type={}, start={}, end={}, properties={})",
            self.id,
            py_str_repr(&self.rel_type),
            self.start,
            self.end,
            repr_of(py, self.properties.bind(py).as_any())
        )
    }
}

/// A path: `nodes` (one more than the relationships) and `relationships`,
/// `relationships[i]` joining `nodes[i]` and `nodes[i + 1]` (either way round).
/// `len(path)` is its length in relationships.
#[pyclass(module = "quiver", frozen)]
pub struct Path {
    nodes: Vec<Py<Node>>,
    relationships: Vec<Py<Relationship>>,
}

impl Path {
    pub fn from_result(py: Python<'_>, p: &quiver::Path, r: &QueryResult) -> PyResult<Path> {
        let mut nodes = Vec::with_capacity(p.nodes.len());
        for n in &p.nodes {
            nodes.push(Py::new(py, Node::from_result(py, *n, r)?)?);
        }
        let mut relationships = Vec::with_capacity(p.rels.len());
        for rel in &p.rels {
            relationships.push(Py::new(py, Relationship::from_result(py, *rel, r)?)?);
        }
        Ok(Path { nodes, relationships })
    }
}

#[pymethods]
impl Path {
    /// The nodes, from the start of the path to its end.
    #[getter]
    fn nodes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.nodes.iter().map(|n| n.clone_ref(py)))
    }

    /// The relationships, in path order.
    #[getter]
    fn relationships<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.relationships.iter().map(|n| n.clone_ref(py)))
    }

    /// The first node.
    #[getter]
    fn start_node(&self, py: Python<'_>) -> Py<Node> {
        self.nodes[0].clone_ref(py)
    }

    /// The last node.
    #[getter]
    fn end_node(&self, py: Python<'_>) -> Py<Node> {
        self.nodes[self.nodes.len() - 1].clone_ref(py)
    }

    fn __len__(&self) -> usize {
        self.relationships.len()
    }

    /// Iterates over the relationships.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.relationships(py)?.try_iter().map(|i| i.into_any())
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> bool {
        let Ok(o) = other.cast::<Path>() else { return false };
        let o = o.get();
        let ids = |v: &[Py<Node>]| v.iter().map(|n| n.bind(py).get().id).collect::<Vec<_>>();
        let rids = |v: &[Py<Relationship>]| v.iter().map(|n| n.bind(py).get().id).collect::<Vec<_>>();
        ids(&self.nodes) == ids(&o.nodes) && rids(&self.relationships) == rids(&o.relationships)
    }

    fn __hash__(&self, py: Python<'_>) -> u64 {
        let mut h: u64 = 3;
        for n in &self.nodes {
            h = h.rotate_left(7) ^ n.bind(py).get().id;
        }
        for r in &self.relationships {
            h = h.rotate_left(7) ^ r.bind(py).get().id.wrapping_mul(31);
        }
        h
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let mut s = String::from("Path(");
        for (i, n) in self.nodes.iter().enumerate() {
            if i > 0 {
                let r = self.relationships[i - 1].bind(py).get();
                let prev = self.nodes[i - 1].bind(py).get().id;
                if r.start == prev {
                    s.push_str(&format!("-[{}:{}]->", r.id, r.rel_type));
                } else {
                    s.push_str(&format!("<-[{}:{}]-", r.id, r.rel_type));
                }
            }
            let n = n.bind(py).get();
            s.push_str(&format!("({}", n.id));
            for l in &n.labels {
                s.push(':');
                s.push_str(l);
            }
            s.push(')');
        }
        s.push(')');
        s
    }
}

/// A Cypher duration: months, days, seconds and nanoseconds, kept apart
/// (a month is no fixed number of days, nor a day of seconds).
///
/// `Duration(months=0, days=0, seconds=0, nanoseconds=0)`; also
/// `Duration.from_timedelta(td)` and `d.to_timedelta()` (exact only when the
/// duration has no months and whole microseconds). `str(d)` is the ISO 8601
/// form Cypher prints (`P1M2DT3.5S`).
#[pyclass(module = "quiver", frozen, from_py_object)]
#[derive(Clone, Copy)]
pub struct Duration(pub QDuration);

#[pymethods]
impl Duration {
    #[new]
    #[pyo3(signature = (months=0, days=0, seconds=0, nanoseconds=0))]
    fn new(months: i64, days: i64, seconds: i64, nanoseconds: i64) -> PyResult<Duration> {
        QDuration::new(
            months as i128,
            days as i128,
            seconds as i128 * 1_000_000_000 + nanoseconds as i128,
        )
        .map(Duration)
        .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// A `datetime.timedelta` as a duration of its days, seconds and microseconds.
    #[staticmethod]
    fn from_timedelta(td: &Bound<'_, PyAny>) -> PyResult<Duration> {
        let py = td.py();
        if !td.is_instance(crate::convert::timedelta_type(py)?)? {
            return Err(PyTypeError::new_err("from_timedelta takes a datetime.timedelta"));
        }
        crate::convert::timedelta_value(td, "timedelta")
            .map(Duration)
            .map_err(|e| PyValueError::new_err(e.message))
    }

    /// The duration as a `datetime.timedelta` (a day as 24 hours); a
    /// ValueError when it has months or a part of a microsecond.
    fn to_timedelta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = self.0;
        if d.months != 0 {
            return Err(PyValueError::new_err(format!(
                "{d} has months, which no timedelta holds exactly (a month is no fixed number of days)"
            )));
        }
        if d.nanos % 1000 != 0 {
            return Err(PyValueError::new_err(format!(
                "{d} has a part of a microsecond, which no timedelta holds"
            )));
        }
        let kwargs = PyDict::new(py);
        kwargs.set_item("days", d.days)?;
        kwargs.set_item("seconds", d.seconds)?;
        kwargs.set_item("microseconds", d.nanos / 1000)?;
        crate::convert::timedelta_type(py)?.call((), Some(&kwargs))
    }

    #[getter]
    fn months(&self) -> i64 {
        self.0.months
    }

    #[getter]
    fn days(&self) -> i64 {
        self.0.days
    }

    /// Whole seconds (they carry the sign: -1.5 s is seconds=-2, nanoseconds=500000000).
    #[getter]
    fn seconds(&self) -> i64 {
        self.0.seconds
    }

    /// Nanoseconds past `seconds`, 0 to 999 999 999.
    #[getter]
    fn nanoseconds(&self) -> i32 {
        self.0.nanos
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<Duration>().is_ok_and(|o| o.get().0 == self.0)
    }

    fn __hash__(&self) -> u64 {
        let d = self.0;
        (d.months as u64)
            .wrapping_mul(31)
            .wrapping_add(d.days as u64)
            .wrapping_mul(31)
            .wrapping_add(d.seconds as u64)
            .wrapping_mul(31)
            ^ d.nanos as u64
    }

    fn __neg__(&self) -> PyResult<Duration> {
        self.0
            .negate()
            .map(Duration)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn __bool__(&self) -> bool {
        self.0 != QDuration::ZERO
    }

    fn __str__(&self) -> String {
        self.0.to_string()
    }

    fn __repr__(&self) -> String {
        format!(
            "Duration(months={}, days={}, seconds={}, nanoseconds={})",
            self.0.months, self.0.days, self.0.seconds, self.0.nanos
        )
    }

    fn __getnewargs__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        PyTuple::new(py, [self.0.months, self.0.days, self.0.seconds, self.0.nanos as i64])
    }
}
