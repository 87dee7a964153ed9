//! Query text -> AST, with nom. (Placeholder: the real parser replaces this.)

use crate::ast;
use crate::error::{Error, ErrorKind, Phase};

/// A syntax error at byte `offset` of the query text.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseError {
    /// The TCK code: `UnexpectedSyntax`, `InvalidNumberLiteral`, `IntegerOverflow`, ...
    pub code: &'static str,
    pub message: String,
    pub offset: usize,
    pub hint: Option<String>,
}

impl ParseError {
    /// The public error, positioned in `text`.
    pub fn into_error(self, text: &str) -> Error {
        let mut e = Error::new(ErrorKind::SyntaxError, self.code, Phase::Compile, self.message).at(text, self.offset);
        e.hint = self.hint;
        e
    }
}

/// Parses one statement (a trailing `;` is allowed).
pub fn parse_statement(text: &str) -> Result<ast::Statement, ParseError> {
    Err(ParseError { code: "UnexpectedSyntax", message: format!("parser not built yet: {text}"), offset: 0, hint: None })
}

/// Parses one expression (used for `--param NAME=LIT` and `:param`).
pub fn parse_expression(text: &str) -> Result<ast::Expr, ParseError> {
    Err(ParseError { code: "UnexpectedSyntax", message: format!("parser not built yet: {text}"), offset: 0, hint: None })
}
