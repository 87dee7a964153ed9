//! Query text -> AST, with nom.
//!
//! Where things are parsed:
//! - [`lexical`]: whitespace and comments, keywords, names, number and string
//!   literals, parameters; the parser state ([`Ctx`]) with its depth limit
//!   and the "furthest failure" bookkeeping used for error messages.
//! - [`expression`]: every expression form, by precedence level.
//! - [`pattern`]: node and relationship patterns, pattern parts, ranges.
//! - [`clause`]: statements, UNION, and one function per clause
//!   (`match_clause`, `with_clause`, `merge_clause`, `call_subquery`,
//!   `foreach_clause`, ...).
//! - [`schema`]: indexes, constraints and the SHOW commands.
//! - [`types`]: value types (type predicates, property type constraints).
//!
//! Every token parser skips the whitespace (and comments) *before* its token,
//! so a node's span starts at its first token and ends right after its last.
//!
//! Depth: brackets may nest [`MAX_DEPTH`] deep and expression trees (with
//! operator chains) [`MAX_TREE_DEPTH`] deep; beyond, an `UnexpectedSyntax`
//! error. The parser runs on a thread of its own with a large stack, so the
//! caller's stack size does not matter.

mod clause;
mod expression;
mod lexical;

/// Words that must be quoted (`` `match` ``) to be used as a variable.
pub use lexical::RESERVED;
mod pattern;
mod schema;
mod types;

#[cfg(test)]
mod tck_roundtrip;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_modern;

use crate::ast;

pub(crate) use lexical::Ctx;

/// A syntax error at byte `offset` of the query text.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// The TCK code: `UnexpectedSyntax`, `InvalidNumberLiteral`, `IntegerOverflow`, ...
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
    pub hint: Option<String>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}: {}", self.code, self.offset, self.message)
    }
}

impl std::error::Error for ParseError {}

/// The deepest nesting of brackets, parentheses and braces the parser
/// accepts; deeper input is an `UnexpectedSyntax` error, not a stack overflow.
pub const MAX_DEPTH: usize = 200;

/// The deepest expression tree the parser builds (nesting plus chains of
/// operators such as `a + b + c` or `NOT NOT x`), so that the stages that
/// walk the tree recursively cannot overflow either.
pub const MAX_TREE_DEPTH: usize = 1000;

/// Parses one statement (a trailing `;` is allowed).
pub fn parse_statement(text: &str) -> Result<ast::Statement, ParseError> {
    let ctx = Ctx::new(text);
    ctx.finish(clause::statement(&ctx, text))
}

/// Parses one value type (`INTEGER`, `LIST<STRING NOT NULL>`, `INTEGER | FLOAT`):
/// how a property type constraint kept in a file is read back.
pub fn parse_value_type(text: &str) -> Result<ast::ValueType, ParseError> {
    let ctx = Ctx::new(text);
    let r = (|| {
        let (rest, _) = ctx.ws(text)?;
        let (rest, t) = types::value_type(&ctx, rest)?;
        let (rest, _) = ctx.end_of_input(rest)?;
        Ok((rest, t))
    })();
    ctx.finish(r)
}

/// Parses one expression (used for `--param NAME=LIT` and `:param`).
/// Relationship patterns are accepted here as they are in WHERE.
pub fn parse_expression(text: &str) -> Result<ast::Expr, ParseError> {
    let ctx = Ctx::new(text);
    ctx.patterns_allowed.set(true);
    let r = (|| {
        let (rest, e) = expression::expr(&ctx, text)?;
        let (rest, _) = ctx.end_of_input(rest)?;
        Ok((rest, e))
    })();
    ctx.finish(r)
}
