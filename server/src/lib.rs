//! quiver's Bolt server: the protocol the official Neo4j drivers speak, so
//! that they can talk to quiver (an embedded property-graph database
//! implementing a subset of the openCypher query language) unchanged.
//!
//! - [`packstream`]: the PackStream value format (encode, decode, value model).
//! - [`bolt`]: handshake, chunked framing, messages, the server state
//!   machine and one connection's loop.
//! - [`values`]: quiver values to PackStream and back.
//! - [`backend`]: the traits the engine implements to execute queries.
//! - [`engine`]: the backend over quiver's concurrent `Database` handle.
//! - [`listener`]: a threaded TCP listener, one thread per connection.
//! - [`http`]: Neo4j's HTTP Query API; [`json`]: its values.
//! - [`page`]: the graph browser page the HTTP listener serves at `/`.
//! - [`mcp`]: the Model Context Protocol for AI agents.
//! - [`signal`]: waiting for SIGINT/SIGTERM.

pub mod backend;
pub mod bolt;
pub mod engine;
pub mod http;
pub mod json;
pub mod listener;
pub mod mcp;
pub mod packstream;
pub mod page;
pub mod signal;
pub mod values;

pub use backend::*;
pub use bolt::connection::{serve_connection, BoltConfig};
pub use bolt::Version;
pub use engine::{Engine, EngineConfig, EngineSession, EngineStream};
pub use http::{HttpConfig, HttpServer};
pub use listener::{serve_tcp, BoltServer};

// Lets the shared test backend (tests/support) name this crate as its users do.
#[cfg(test)]
extern crate self as quiver_server;

#[cfg(test)]
#[path = "../tests/support/memory_backend.rs"]
#[allow(dead_code)]
pub(crate) mod memory_backend;
