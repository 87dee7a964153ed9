//! Built-in functions: the table of every one of them with its signature
//! ([`registry`]), scalar functions ([`scalar`]) and aggregating functions
//! ([`aggregate`]).
//!
//! Temporal functions (`date`, `duration.between`, ...) live in
//! `crate::value::temporal`; functions that read the graph (`labels(n)`,
//! `type(r)`, `properties(n)`, ...) are evaluated by the executor — for those,
//! [`scalar::call`] answers `None` when it is given an entity.
//!
//! All names taken by this module are case-insensitive.

pub mod aggregate;
pub mod registry;
pub mod scalar;
pub mod types;

pub use registry::{lookup, FunctionDef, FunctionKind, FUNCTIONS};

use std::fmt;

use crate::error::{Error, ErrorKind, Phase};
use crate::value::Value;

/// A runtime failure of a function call, with the TCK's kind and code.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionError {
    pub kind: ErrorKind,
    pub code: &'static str,
    pub message: String,
}

impl FunctionError {
    pub fn new(kind: ErrorKind, code: &'static str, message: impl Into<String>) -> FunctionError {
        FunctionError {
            kind,
            code,
            message: message.into(),
        }
    }

    /// `TypeError (InvalidArgumentType)`: `func` got a value of the wrong type.
    pub fn invalid_argument_type(func: &str, expected: &str, got: &Value) -> FunctionError {
        FunctionError::new(
            ErrorKind::TypeError,
            "InvalidArgumentType",
            format!("{func}() expected {expected}, got {}: {}", got.type_name(), brief(got)),
        )
    }

    /// `TypeError (InvalidArgumentValue)`: a conversion function (`toString`,
    /// `toInteger`, ...) cannot convert a value of this type.
    pub fn invalid_argument_value(func: &str, got: &Value) -> FunctionError {
        FunctionError::new(
            ErrorKind::TypeError,
            "InvalidArgumentValue",
            format!("{func}() cannot convert a {} ({})", got.type_name(), brief(got)),
        )
    }

    /// `ArgumentError (InvalidArgumentType)`: an argument of the wrong type
    /// where the TCK expects an ArgumentError (`range()`).
    pub fn argument_type(func: &str, expected: &str, got: &Value) -> FunctionError {
        FunctionError::new(
            ErrorKind::ArgumentError,
            "InvalidArgumentType",
            format!("{func}() expected {expected}, got {}: {}", got.type_name(), brief(got)),
        )
    }

    /// `ArgumentError (NumberOutOfRange)`: a number outside the allowed range.
    pub fn number_out_of_range(func: &str, message: impl fmt::Display) -> FunctionError {
        FunctionError::new(
            ErrorKind::ArgumentError,
            "NumberOutOfRange",
            format!("{func}(): {message}"),
        )
    }

    /// An integer result that does not fit in 64 bits (reported as
    /// `ArgumentError (NumberOutOfRange)`).
    pub fn integer_overflow(func: &str) -> FunctionError {
        FunctionError::number_out_of_range(func, "integer overflow: the result does not fit in a 64-bit integer")
    }

    /// The public error, raised at runtime.
    pub fn into_error(self) -> Error {
        Error::new(self.kind, self.code, Phase::Runtime, self.message)
    }
}

impl fmt::Display for FunctionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.kind, self.code, self.message)
    }
}

impl std::error::Error for FunctionError {}

impl From<FunctionError> for Error {
    fn from(e: FunctionError) -> Error {
        e.into_error()
    }
}

/// A short rendering of a value for error messages (long values are cut).
fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        let cut: String = s.chars().take(57).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// Whether `name` (any case) is an aggregating function.
pub fn is_aggregate(name: &str) -> bool {
    registry::lookup(name).is_some_and(FunctionDef::is_aggregate)
}

/// Functions whose result may differ between two calls with the same
/// arguments in one statement (not allowed inside aggregations: `count(rand())`).
pub fn is_nondeterministic(name: &str) -> bool {
    registry::lookup(name).is_some_and(|f| !f.deterministic)
}

/// Whether `name` names any built-in function (scalar, graph, temporal or aggregating).
pub fn is_known(name: &str) -> bool {
    registry::lookup(name).is_some()
}

/// The number of arguments a built-in function takes: `(min, max)`, where
/// `max` is `None` for variadic functions (`coalesce`). `None` when `name`
/// names no built-in function (`UnknownFunction`).
pub fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    registry::lookup(name).map(|f| (f.min_args, f.max_args))
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn arity_table() {
        assert_eq!(arity("coalesce"), Some((1, None)));
        assert_eq!(arity("toUpper"), Some((1, Some(1))));
        assert_eq!(arity("RANGE"), Some((2, Some(3))));
        assert_eq!(arity("round"), Some((1, Some(3))));
        assert_eq!(arity("percentileDisc"), Some((2, Some(2))));
        assert_eq!(arity("rand"), Some((0, Some(0))));
        assert_eq!(arity("duration.between"), Some((2, Some(2))));
        assert_eq!(arity("foo"), None);
        assert!(!is_known("foo"));
        assert!(is_known("datetime.fromepochmillis"));
    }

    #[test]
    fn aggregates_and_nondeterminism() {
        for f in [
            "count",
            "Sum",
            "avg",
            "min",
            "max",
            "collect",
            "stDev",
            "stDevP",
            "percentileCont",
            "percentileDisc",
        ] {
            assert!(is_aggregate(f), "{f}");
        }
        assert!(!is_aggregate("size"));
        assert!(is_nondeterministic("rand"));
        assert!(!is_nondeterministic("abs"));
    }

    #[test]
    fn errors_convert_at_runtime() {
        let e = FunctionError::invalid_argument_type("toUpper", "String", &Value::Int(1)).into_error();
        assert_eq!(e.kind, ErrorKind::TypeError);
        assert_eq!(e.code, "InvalidArgumentType");
        assert_eq!(e.phase, Phase::Runtime);
        assert!(
            e.message.contains("toUpper() expected String, got Integer"),
            "{}",
            e.message
        );
        let e: Error = FunctionError::number_out_of_range("range", "step must not be zero").into();
        assert_eq!((e.kind, e.code), (ErrorKind::ArgumentError, "NumberOutOfRange"));
    }
}

#[cfg(test)]
mod tests;
