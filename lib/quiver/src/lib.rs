//! quiver: an embedded property-graph database implementing a subset of the
//! openCypher query language, tested against the openCypher TCK.
//!
//! The pipeline, one module per stage: query text -> [`parser`] -> [`ast`] ->
//! `semantic` check -> `plan` -> `exec` -> `store`.

pub(crate) use quiver_syntax::stack;
pub use quiver_syntax::{ast, parser};

pub mod db;
pub mod error;
pub mod exec;
pub mod functions;
pub mod import;
pub mod plan;
pub mod procedure;
mod procedures;
pub mod result;
pub mod script;
pub mod semantic;
pub mod storage;
pub mod store;
pub mod value;

pub use db::{Database, Interrupt, Params, QueryStream, Schema, Transaction};
pub use error::{Error, ErrorKind, Phase, Position};
pub use procedure::{Procedure, ValueType};
pub use result::{NodeSnapshot, QueryResult, RelSnapshot, Stats};
pub use storage::OpenOptions;
pub use value::{NodeId, Path, RelId, Value};
