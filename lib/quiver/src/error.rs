//! The public error type: what went wrong, where, and how to fix it.
//!
//! Each stage (parser, semantic check, planner, executor, store) has its own
//! error type; all of them become an `Error` with the TCK's kind and code, the
//! phase (compile time or runtime), and the position in the query text.

use std::fmt;

/// The error classes of the openCypher TCK.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    SyntaxError,
    SemanticError,
    TypeError,
    ArgumentError,
    EntityNotFound,
    ConstraintVerificationFailed,
    /// A schema rule (a constraint) is broken, or cannot be made or dropped
    /// (Neo4j's `Neo.ClientError.Schema.*`).
    Schema,
    ParameterMissing,
    ProcedureError,
    /// Cancelled by the user (Ctrl-C) or by a resource limit.
    Interrupted,
    /// Input/output failure (files given to the CLI, persistence).
    IoError,
    /// Malformed data in a file being loaded (`LOAD CSV`, bulk import).
    DataError,
    /// A conflict with another transaction that may go away: the statement
    /// did nothing and can be tried again (a lock not granted in time).
    TransientError,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::SemanticError => "SemanticError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::ArgumentError => "ArgumentError",
            ErrorKind::EntityNotFound => "EntityNotFound",
            ErrorKind::ConstraintVerificationFailed => "ConstraintVerificationFailed",
            ErrorKind::Schema => "Schema",
            ErrorKind::ParameterMissing => "ParameterMissing",
            ErrorKind::ProcedureError => "ProcedureError",
            ErrorKind::Interrupted => "Interrupted",
            ErrorKind::IoError => "IoError",
            ErrorKind::DataError => "DataError",
            ErrorKind::TransientError => "TransientError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// When an error was detected: before anything ran, or while running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    Compile,
    Runtime,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Compile => "compile",
            Phase::Runtime => "runtime",
        }
    }
}

/// A 1-based line and column (in characters) in the query text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text).
    pub fn locate(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = text[line_start..offset].chars().count() + 1;
        Position { offset, line, column }
    }
}

/// The error of the layer an [`Error`] came from, for [`std::error::Error::source`].
pub type Source = std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    /// The TCK's code, e.g. `UndefinedVariable`.
    pub code: &'static str,
    pub phase: Phase,
    pub message: String,
    pub position: Option<Position>,
    /// The line of query text the position points into, for the caret.
    pub source_line: Option<String>,
    pub hint: Option<String>,
    /// The layer's own error this one was made from (parser, planner,
    /// executor, store, file system), if any.
    source: Option<Source>,
}

/// Errors are equal when they say the same thing (where they came from aside).
impl PartialEq for Error {
    fn eq(&self, other: &Self) -> bool {
        (
            self.kind,
            self.code,
            self.phase,
            &self.message,
            self.position,
            &self.source_line,
            &self.hint,
        ) == (
            other.kind,
            other.code,
            other.phase,
            &other.message,
            other.position,
            &other.source_line,
            &other.hint,
        )
    }
}

impl Error {
    pub fn new(kind: ErrorKind, code: &'static str, phase: Phase, message: impl Into<String>) -> Error {
        Error {
            kind,
            code,
            phase,
            message: message.into(),
            position: None,
            source_line: None,
            hint: None,
            source: None,
        }
    }

    /// Records the layer's error this one was made from.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        self.source = Some(std::sync::Arc::new(source));
        self
    }

    /// Points the error at byte `offset` of `text`.
    pub fn at(mut self, text: &str, offset: usize) -> Error {
        let pos = Position::locate(text, offset);
        let line = text.lines().nth(pos.line - 1).unwrap_or("").to_string();
        self.position = Some(pos);
        self.source_line = Some(line);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Error {
        self.hint = Some(hint.into());
        self
    }

    pub fn interrupted() -> Error {
        Error::new(
            ErrorKind::Interrupted,
            "Interrupted",
            Phase::Runtime,
            "the statement was cancelled; the graph is as it was before it",
        )
    }

    /// A syntax error from the parser, positioned in `text`.
    pub fn from_parse(e: quiver_syntax::ParseError, text: &str) -> Error {
        let mut out = Error::new(ErrorKind::SyntaxError, e.code, Phase::Compile, e.message.clone()).at(text, e.offset);
        out.hint = e.hint.clone();
        out.with_source(e)
    }

    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::IoError, "IoError", Phase::Runtime, message)
    }
}

impl fmt::Display for Error {
    /// `SyntaxError (UndefinedVariable) at line 1, column 8: ...`, then the
    /// line of text with a caret under the spot, then the hint.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.kind, self.code)?;
        if let Some(p) = self.position {
            write!(f, " at line {}, column {}", p.line, p.column)?;
        }
        write!(f, ": {}", self.message)?;
        if let (Some(p), Some(line)) = (self.position, &self.source_line) {
            write!(f, "\n  {line}\n  {}^", " ".repeat(p.column - 1))?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  hint: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub(crate) use quiver_syntax::text::edit_distance;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_lines_and_columns() {
        let text = "MATCH (n)\nRETURN m";
        let p = Position::locate(text, 17);
        assert_eq!((p.line, p.column), (2, 8));
        let p = Position::locate("héllo x", 7);
        assert_eq!((p.line, p.column), (1, 7));
    }

    #[test]
    fn parse_errors_get_a_line_and_column() {
        let text = "MATCH (n)\nRETURN n +";
        let pe = quiver_syntax::parse_statement(text).unwrap_err();
        let e = Error::from_parse(pe, text);
        assert_eq!(e.position.unwrap().line, 2);
        assert_eq!((e.kind, e.code), (ErrorKind::SyntaxError, "UnexpectedSyntax"));
        let source = std::error::Error::source(&e).expect("the parser's error");
        assert!(source.downcast_ref::<quiver_syntax::ParseError>().is_some());
    }

    #[test]
    fn renders_a_caret_under_the_spot() {
        let e = Error::new(
            ErrorKind::SyntaxError,
            "UndefinedVariable",
            Phase::Compile,
            "Variable `m` not defined",
        )
        .at("MATCH (n) RETURN m", 17);
        let s = e.to_string();
        assert!(s.contains("line 1, column 18"), "{s}");
        assert!(s.ends_with("\n  MATCH (n) RETURN m\n                   ^"), "{s:?}");
    }
}
