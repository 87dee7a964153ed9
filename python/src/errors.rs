//! quiver errors as Python exceptions: the class for the error's kind (from
//! `quiver.errors`), with `kind`, `code`, `phase`, `message`, `line`,
//! `column`, `hint` and `source_line` set from it.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};

use quiver::ErrorKind;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python class an error is raised as.
fn class_name(e: &quiver::Error) -> &'static str {
    match (e.kind, e.code) {
        (_, "DatabaseLocked") => "DatabaseLocked",
        (ErrorKind::SyntaxError, _) => "CypherSyntaxError",
        (ErrorKind::SemanticError, _) => "CypherSemanticError",
        (ErrorKind::TypeError, _) => "CypherTypeError",
        (ErrorKind::ArgumentError, _) => "ArgumentError",
        (ErrorKind::EntityNotFound, _) => "EntityNotFound",
        (ErrorKind::ConstraintVerificationFailed | ErrorKind::Schema, _) => "ConstraintError",
        (ErrorKind::ParameterMissing, _) => "ParameterMissing",
        (ErrorKind::ProcedureError, _) => "ProcedureError",
        (ErrorKind::Interrupted, _) => "Interrupted",
        (ErrorKind::IoError, _) => "StorageError",
        (ErrorKind::DataError, _) => "DataError",
        (ErrorKind::TransientError, _) => "TransientError",
    }
}

fn build(py: Python<'_>, e: &quiver::Error) -> PyResult<PyErr> {
    let module = ERRORS.get_or_try_init(py, || py.import("quiver.errors").map(|m| m.unbind()))?;
    let class = module.bind(py).getattr(class_name(e))?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("kind", e.kind.as_str())?;
    kwargs.set_item("code", e.code)?;
    kwargs.set_item("phase", e.phase.as_str())?;
    kwargs.set_item("message", &e.message)?;
    kwargs.set_item("line", e.position.map(|p| p.line))?;
    kwargs.set_item("column", e.position.map(|p| p.column))?;
    kwargs.set_item("offset", e.position.map(|p| p.offset))?;
    kwargs.set_item("hint", e.hint.as_deref())?;
    kwargs.set_item("source_line", e.source_line.as_deref())?;
    let value = class.call((e.to_string(),), Some(&kwargs))?;
    Ok(PyErr::from_value(value))
}

/// A quiver error as the Python exception for its kind.
pub fn error_from(e: &quiver::Error) -> PyErr {
    Python::attach(|py| match build(py, e) {
        Ok(err) => err,
        Err(failed) => PyRuntimeError::new_err(format!("{e} (and quiver.errors failed: {failed})")),
    })
}

/// Converts engine results into Python results.
pub trait OrRaise<T> {
    fn or_raise(self) -> PyResult<T>;
}

impl<T> OrRaise<T> for Result<T, quiver::Error> {
    fn or_raise(self) -> PyResult<T> {
        self.map_err(|e| error_from(&e))
    }
}
