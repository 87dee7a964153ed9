//! Values both ways: Python objects -> quiver values (parameters, imported
//! frames) and quiver values -> Python objects (results).
//!
//! The temporal types go through the `datetime` module's classes (the
//! limited API has no fast path for them): `date` <-> Date, naive `time` <->
//! LocalTime, aware `time` <-> Time, naive `datetime` <-> LocalDateTime,
//! aware `datetime` <-> DateTime (a `zoneinfo.ZoneInfo` zone keeps its name),
//! `timedelta` -> Duration. Python's datetime holds microseconds: a result's
//! nanoseconds beyond them are dropped (quiver.Duration keeps them).

use std::collections::BTreeMap;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple, PyType};

use quiver::value::{Date, DateTime, Duration as QDuration, LocalDateTime, LocalTime, Time};
use quiver::{ErrorKind, Phase, QueryResult, Value};

use crate::entities::{Duration, Node, Path, Relationship};

static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEZONE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static ZONEINFO: PyOnceLock<Option<Py<PyType>>> = PyOnceLock::new();

pub fn date_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATE.import(py, "datetime", "date")
}
pub fn time_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIME.import(py, "datetime", "time")
}
pub fn datetime_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    DATETIME.import(py, "datetime", "datetime")
}
pub fn timedelta_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIMEDELTA.import(py, "datetime", "timedelta")
}
fn timezone_type(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    TIMEZONE.import(py, "datetime", "timezone")
}
/// `zoneinfo.ZoneInfo`, when the standard library has it (3.9+ always does).
fn zoneinfo_type(py: Python<'_>) -> Option<&Bound<'_, PyType>> {
    ZONEINFO
        .get_or_init(py, || {
            py.import("zoneinfo")
                .and_then(|m| m.getattr("ZoneInfo"))
                .and_then(|t| t.cast_into::<PyType>().map_err(Into::into))
                .map(|t| t.unbind())
                .ok()
        })
        .as_ref()
        .map(|t| t.bind(py))
}

/// Why a Python value could not become a quiver value.
pub struct ConvError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl ConvError {
    fn type_error(message: String) -> ConvError {
        ConvError {
            kind: ErrorKind::TypeError,
            code: "InvalidParameterType",
            message,
        }
    }
    fn value_error(message: String) -> ConvError {
        ConvError {
            kind: ErrorKind::ArgumentError,
            code: "InvalidParameterValue",
            message,
        }
    }
    fn python(e: PyErr, py: Python<'_>, what: &str) -> ConvError {
        ConvError::value_error(format!("{what}: {}", e.value(py)))
    }

    pub fn into_error(self) -> quiver::Error {
        quiver::Error::new(self.kind, self.code, Phase::Compile, self.message)
    }
}

type CResult<T> = Result<T, ConvError>;

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .qualname()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

const TAKES: &str = "quiver takes None, bool, int, float, str, list, tuple, dict, datetime.date, datetime.time, \
                     datetime.datetime, datetime.timedelta and quiver.Duration";

/// A Python object as a quiver value; `what` names it in errors (`parameter $x`, `$x.key[2]`).
pub fn from_py(obj: &Bound<'_, PyAny>, what: &mut String) -> CResult<Value> {
    let py = obj.py();
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if obj.is_instance_of::<PyInt>() {
        return int_value(obj, what);
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Value::Float(f.value()));
    }
    if obj.is_instance_of::<PyString>() {
        let s: String = obj.extract().map_err(|e| ConvError::python(e, py, what))?;
        return Ok(Value::from(s));
    }
    if let Ok(list) = obj.cast::<PyList>() {
        return sequence(list.iter(), what);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return sequence(t.iter(), what);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = BTreeMap::new();
        for (k, v) in d.iter() {
            let key: String = match k.cast::<PyString>() {
                Ok(s) => s.to_string(),
                Err(_) => {
                    return Err(ConvError::type_error(format!(
                        "{what}: a map key must be a str, not {} ({})",
                        type_name(&k),
                        k.repr().map(|r| r.to_string()).unwrap_or_default()
                    )))
                }
            };
            let len = what.len();
            what.push('.');
            what.push_str(&key);
            let value = from_py(&v, what)?;
            what.truncate(len);
            map.insert(Arc::<str>::from(key), value);
        }
        return Ok(Value::map(map));
    }
    if let Ok(d) = obj.cast::<Duration>() {
        return Ok(Value::Duration(Arc::new(d.get().0)));
    }
    if obj.is_instance_of::<Node>() || obj.is_instance_of::<Relationship>() || obj.is_instance_of::<Path>() {
        return Err(ConvError::type_error(format!(
            "{what}: a {} cannot be a parameter (pass its id, and match it with WHERE id(n) = $id)",
            type_name(obj)
        )));
    }
    let err = |e: PyErr| ConvError::python(e, py, what);
    if obj.is_instance(datetime_type(py).map_err(err)?).map_err(err)? {
        return datetime_value(obj, what);
    }
    if obj.is_instance(date_type(py).map_err(err)?).map_err(err)? {
        let (y, m, d) = ymd(obj).map_err(err)?;
        return Date::from_ymd(y, m, d)
            .map(Value::Date)
            .map_err(|e| ConvError::value_error(format!("{what}: {e}")));
    }
    if obj.is_instance(time_type(py).map_err(err)?).map_err(err)? {
        return time_value(obj, what);
    }
    if obj.is_instance(timedelta_type(py).map_err(err)?).map_err(err)? {
        return timedelta_value(obj, what).map(|d| Value::Duration(Arc::new(d)));
    }
    // numpy.bool_ and numpy.floating
    let tn = type_name(obj);
    if tn == "bool_" || tn == "bool" {
        if let Ok(b) = obj.is_truthy() {
            return Ok(Value::Bool(b));
        }
    }
    // numpy and other integer types that say they are integers.
    if obj.hasattr("__index__").unwrap_or(false) && !obj.is_instance_of::<PyType>() {
        if let Ok(i) = py.import("operator").and_then(|op| op.call_method1("index", (obj,))) {
            return int_value(&i, what);
        }
    }
    if tn.starts_with("float") {
        if let Ok(f) = obj.extract::<f64>() {
            return Ok(Value::Float(f));
        }
    }
    if obj.cast::<PyMapping>().is_ok() && obj.hasattr("items").unwrap_or(false) {
        if let Ok(d) = obj
            .call_method0("items")
            .and_then(|items| PyDict::from_sequence(&items))
        {
            return from_py(d.as_any(), what);
        }
    }
    Err(ConvError::type_error(format!(
        "{what}: a Python {tn} has no quiver value ({TAKES})"
    )))
}

fn int_value(obj: &Bound<'_, PyAny>, what: &str) -> CResult<Value> {
    match obj.extract::<i64>() {
        Ok(i) => Ok(Value::Int(i)),
        Err(_) => Err(ConvError::value_error(format!(
            "{what}: {} does not fit in a 64-bit integer (quiver's integers run from -2**63 to 2**63 - 1)",
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))),
    }
}

fn sequence<'py>(items: impl Iterator<Item = Bound<'py, PyAny>>, what: &mut String) -> CResult<Value> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        let len = what.len();
        what.push_str(&format!("[{i}]"));
        out.push(from_py(&item, what)?);
        what.truncate(len);
    }
    Ok(Value::list(out))
}

fn get_i64(obj: &Bound<'_, PyAny>, attr: &str) -> PyResult<i64> {
    obj.getattr(attr)?.extract()
}

fn ymd(obj: &Bound<'_, PyAny>) -> PyResult<(i64, i64, i64)> {
    Ok((get_i64(obj, "year")?, get_i64(obj, "month")?, get_i64(obj, "day")?))
}

fn clock(obj: &Bound<'_, PyAny>) -> PyResult<(i64, i64, i64, i64)> {
    Ok((
        get_i64(obj, "hour")?,
        get_i64(obj, "minute")?,
        get_i64(obj, "second")?,
        get_i64(obj, "microsecond")?,
    ))
}

/// A `timedelta` offset in whole seconds.
fn offset_seconds(td: &Bound<'_, PyAny>, what: &str) -> CResult<i32> {
    let py = td.py();
    let err = |e: PyErr| ConvError::python(e, py, what);
    let days = get_i64(td, "days").map_err(err)?;
    let secs = get_i64(td, "seconds").map_err(err)?;
    let micros = get_i64(td, "microseconds").map_err(err)?;
    if micros != 0 {
        return Err(ConvError::value_error(format!(
            "{what}: a UTC offset with microseconds has no quiver value (offsets are whole seconds)"
        )));
    }
    Ok((days * 86_400 + secs) as i32)
}

fn time_value(obj: &Bound<'_, PyAny>, what: &str) -> CResult<Value> {
    let py = obj.py();
    let err = |e: PyErr| ConvError::python(e, py, what);
    let (h, m, s, us) = clock(obj).map_err(err)?;
    let local = LocalTime::from_hmsn(h, m, s, us * 1000).map_err(|e| ConvError::value_error(format!("{what}: {e}")))?;
    let tz = obj.getattr("tzinfo").map_err(err)?;
    if tz.is_none() {
        return Ok(Value::LocalTime(local));
    }
    let off = obj.call_method0("utcoffset").map_err(err)?;
    if off.is_none() {
        return Err(ConvError::value_error(format!(
            "{what}: a time whose zone has no fixed offset ({}) has no quiver value: give it a fixed offset \
             (datetime.timezone(datetime.timedelta(hours=1)))",
            tz.repr().map(|r| r.to_string()).unwrap_or_default()
        )));
    }
    Ok(Value::Time(Time::new(local, offset_seconds(&off, what)?)))
}

fn datetime_value(obj: &Bound<'_, PyAny>, what: &str) -> CResult<Value> {
    let py = obj.py();
    let err = |e: PyErr| ConvError::python(e, py, what);
    let bad = |e: quiver::value::temporal::TemporalError| ConvError::value_error(format!("{what}: {e}"));
    let (y, mo, d) = ymd(obj).map_err(err)?;
    let (h, mi, s, us) = clock(obj).map_err(err)?;
    let local = LocalDateTime::new(
        Date::from_ymd(y, mo, d).map_err(bad)?,
        LocalTime::from_hmsn(h, mi, s, us * 1000).map_err(bad)?,
    );
    let tz = obj.getattr("tzinfo").map_err(err)?;
    if tz.is_none() {
        return Ok(Value::LocalDateTime(local));
    }
    let off = obj.call_method0("utcoffset").map_err(err)?;
    if off.is_none() {
        return Ok(Value::LocalDateTime(local));
    }
    let offset = offset_seconds(&off, what)?;
    // zoneinfo.ZoneInfo has `key`; pytz zones have `zone`.
    let mut zone: Option<Arc<str>> = None;
    for attr in ["key", "zone"] {
        if let Ok(name) = tz.getattr(attr) {
            if let Ok(name) = name.extract::<String>() {
                zone = Some(name.into());
                break;
            }
        }
    }
    let dt = match zone {
        Some(name) => match DateTime::from_parts(local, offset, Some(name.clone())) {
            Ok(dt) => dt,
            Err(_) => DateTime::from_parts(local, offset, None).map_err(bad)?,
        },
        None => DateTime::from_parts(local, offset, None).map_err(bad)?,
    };
    Ok(Value::DateTime(Arc::new(dt)))
}

/// A `timedelta` as a duration of days, seconds and nanoseconds, as it holds them.
pub fn timedelta_value(obj: &Bound<'_, PyAny>, what: &str) -> CResult<QDuration> {
    let py = obj.py();
    let err = |e: PyErr| ConvError::python(e, py, what);
    let days = get_i64(obj, "days").map_err(err)?;
    let secs = get_i64(obj, "seconds").map_err(err)?;
    let micros = get_i64(obj, "microseconds").map_err(err)?;
    QDuration::new(0, days as i128, secs as i128 * 1_000_000_000 + micros as i128 * 1000)
        .map_err(|e| ConvError::value_error(format!("{what}: {e}")))
}

/// Query parameters from a dict (or any mapping) with str keys.
pub fn params(obj: Option<&Bound<'_, PyAny>>) -> Result<quiver::Params, quiver::Error> {
    let mut out = quiver::Params::new();
    let Some(obj) = obj else { return Ok(out) };
    if obj.is_none() {
        return Ok(out);
    }
    let items: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> = if let Ok(d) = obj.cast::<PyDict>() {
        d.iter().collect()
    } else if obj.cast::<PyMapping>().is_ok() {
        let items = obj.call_method0("items").map_err(|e| py_arg(obj.py(), e))?;
        let mut v = Vec::new();
        for kv in items.try_iter().map_err(|e| py_arg(obj.py(), e))? {
            let kv = kv.map_err(|e| py_arg(obj.py(), e))?;
            let (k, v2): (Bound<'_, PyAny>, Bound<'_, PyAny>) = kv.extract().map_err(|e| py_arg(obj.py(), e))?;
            v.push((k, v2));
        }
        v
    } else {
        return Err(quiver::Error::new(
            ErrorKind::TypeError,
            "InvalidParameterType",
            Phase::Compile,
            format!("parameters must be a dict of names to values, not a {}", type_name(obj)),
        ));
    };
    for (k, v) in items {
        let Ok(name) = k.extract::<String>() else {
            return Err(quiver::Error::new(
                ErrorKind::TypeError,
                "InvalidParameterType",
                Phase::Compile,
                format!(
                    "a parameter name must be a str, not {} ({})",
                    type_name(&k),
                    k.repr().map(|r| r.to_string()).unwrap_or_default()
                ),
            ));
        };
        let mut what = format!("parameter ${name}");
        let value = from_py(&v, &mut what).map_err(ConvError::into_error)?;
        out.insert(name, value);
    }
    Ok(out)
}

fn py_arg(py: Python<'_>, e: PyErr) -> quiver::Error {
    quiver::Error::new(
        ErrorKind::ArgumentError,
        "InvalidArgumentValue",
        Phase::Compile,
        format!("cannot read the parameters: {}", e.value(py)),
    )
}

// ---------------------------------------------------------------------------
// quiver -> Python

/// An error for a value Python's types cannot hold (a date past year 9999).
fn unrepresentable(v: &Value, why: &str) -> PyErr {
    crate::errors::error_from(&quiver::Error::new(
        ErrorKind::ArgumentError,
        "UnrepresentableValue",
        Phase::Runtime,
        format!("{v} has no Python value: {why} (return toString(...) of it to get its text)"),
    ))
}

pub fn to_py<'py>(py: Python<'py>, v: &Value, r: &QueryResult) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::IntoPyObjectExt;
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Int(i) => i.into_bound_py_any(py)?,
        Value::Float(f) => f.into_bound_py_any(py)?,
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::List(items) => {
            let list = PyList::empty(py);
            for x in items.iter() {
                list.append(to_py(py, x, r)?)?;
            }
            list.into_any()
        }
        Value::Map(m) => {
            let d = PyDict::new(py);
            for (k, x) in m.iter() {
                d.set_item(PyString::new(py, k), to_py(py, x, r)?)?;
            }
            d.into_any()
        }
        Value::Node(id) => Bound::new(py, Node::from_result(py, *id, r)?)?.into_any(),
        Value::Relationship(id) => Bound::new(py, Relationship::from_result(py, *id, r)?)?.into_any(),
        Value::Path(p) => Bound::new(py, Path::from_result(py, p, r)?)?.into_any(),
        Value::Date(d) => date_py(py, *d).map_err(|_| unrepresentable(v, "Python dates run from year 1 to 9999"))?,
        Value::LocalTime(t) => local_time_py(py, *t, None)?,
        Value::Time(t) => {
            let tz = fixed_zone(py, t.offset_seconds())?;
            local_time_py(py, t.local(), Some(tz))?
        }
        Value::LocalDateTime(t) => local_datetime_py(py, *t, None)
            .map_err(|_| unrepresentable(v, "Python datetimes run from year 1 to 9999"))?,
        Value::DateTime(t) => {
            datetime_py(py, t).map_err(|_| unrepresentable(v, "Python datetimes run from year 1 to 9999"))?
        }
        Value::Duration(d) => Bound::new(py, Duration(**d))?.into_any(),
    })
}

fn date_py(py: Python<'_>, d: Date) -> PyResult<Bound<'_, PyAny>> {
    let (y, m, day) = d.ymd();
    date_type(py)?.call1((y, m, day))
}

fn local_time_py<'py>(py: Python<'py>, t: LocalTime, tz: Option<Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let args = (t.hour(), t.minute(), t.second(), t.nanosecond() / 1000, tz);
    time_type(py)?.call1(args)
}

fn local_datetime_py<'py>(
    py: Python<'py>,
    t: LocalDateTime,
    tz: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (y, m, d) = t.date().ymd();
    let c = t.time();
    let args = (y, m, d, c.hour(), c.minute(), c.second(), c.nanosecond() / 1000, tz);
    datetime_type(py)?.call1(args)
}

pub fn fixed_zone(py: Python<'_>, offset: i32) -> PyResult<Bound<'_, PyAny>> {
    let td = timedelta_type(py)?.call1((0, offset))?;
    timezone_type(py)?.call1((td,))
}

fn datetime_py<'py>(py: Python<'py>, t: &DateTime) -> PyResult<Bound<'py, PyAny>> {
    if let (Some(name), Some(zi)) = (t.zone_name(), zoneinfo_type(py)) {
        if let Ok(tz) = zi.call1((name,)) {
            let dt = local_datetime_py(py, t.local(), Some(tz))?;
            // In an overlap the same local time has two offsets: `fold` picks the later.
            for candidate in [
                dt.clone(),
                dt.call_method("replace", (), Some(&[("fold", 1)].into_py_dict(py)?))?,
            ] {
                let off = candidate.call_method0("utcoffset")?;
                if !off.is_none() && offset_seconds(&off, "").ok() == Some(t.offset_seconds()) {
                    return Ok(candidate);
                }
            }
        }
    }
    let tz = fixed_zone(py, t.offset_seconds())?;
    local_datetime_py(py, t.local(), Some(tz))
}

use pyo3::types::IntoPyDict;
