//! quiver for Python: the native part of the `quiver` package (`quiver._quiver`).
//! The package's Python side (`python/quiver/`) re-exports these classes and
//! adds the exceptions, the frame and graph conversions and integrations.

use pyo3::prelude::*;

mod convert;
mod db;
mod entities;
mod errors;
mod frames;
mod result;
mod run;

#[pymodule]
fn _quiver(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<db::Database>()?;
    m.add_class::<db::Connection>()?;
    m.add_class::<db::Transaction>()?;
    m.add_class::<result::QueryResult>()?;
    m.add_class::<entities::Node>()?;
    m.add_class::<entities::Relationship>()?;
    m.add_class::<entities::Path>()?;
    m.add_class::<entities::Duration>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
