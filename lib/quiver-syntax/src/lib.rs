//! The query language of quiver — a subset of the openCypher query language,
//! tested against the openCypher TCK — as text and as a tree:
//!
//! - [`parser`]: query text -> [`ast`], with nom (depth-limited, errors with
//!   the TCK's codes and a byte offset);
//! - [`ast`]: the statements, clauses, patterns and expressions, each of
//!   which prints back (`Display`) as text that parses to the same tree.
//!
//! The engine crate (`quiver`) checks, plans and runs the tree.

pub mod ast;
pub mod parser;
#[doc(hidden)]
pub mod stack;
pub mod text;

pub use parser::{parse_expression, parse_statement, parse_value_type, ParseError};
