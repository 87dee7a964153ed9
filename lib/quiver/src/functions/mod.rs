//! Built-in functions: scalar functions ([`scalar`]) and aggregating
//! functions ([`aggregate`]), plus the tables the semantic stage needs to
//! check calls at compile time ([`arity`], [`is_aggregate`], [`is_known`]).
//!
//! Temporal functions (`date`, `duration.between`, ...) live in
//! `crate::value::temporal`; functions that read the graph (`labels(n)`,
//! `type(r)`, `properties(n)`, ...) are evaluated by the executor — for those,
//! [`scalar::call`] answers `None` when it is given an entity.
//!
//! All names taken by this module are case-insensitive.

pub mod aggregate;
pub mod scalar;

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

/// The aggregating functions.
pub fn is_aggregate(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "count" | "sum" | "avg" | "min" | "max" | "collect" | "stdev" | "stdevp" | "percentilecont" | "percentiledisc"
    )
}

/// Functions whose result may differ between two calls with the same
/// arguments (not allowed inside aggregations: `count(rand())`).
pub fn is_nondeterministic(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "rand" | "randomuuid" | "timestamp")
}

/// Functions that read the graph when given an entity (`labels(n)`,
/// `type(r)`, ...): [`scalar::call`] answers `None` for entity arguments and
/// the executor evaluates them against the store.
pub fn is_graph_function(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "id" | "elementid" | "labels" | "type" | "keys" | "properties" | "startnode" | "endnode"
    )
}

/// Whether `name` names any built-in function (scalar, graph, temporal or aggregating).
pub fn is_known(name: &str) -> bool {
    arity(name).is_some()
}

/// The number of arguments a built-in function takes: `(min, max)`, where
/// `max` is `None` for variadic functions (`coalesce`). `None` when `name`
/// names no built-in function (`UnknownFunction`).
pub fn arity(name: &str) -> Option<(usize, Option<usize>)> {
    let exact = |n| Some((n, Some(n)));
    let between = |a, b| Some((a, Some(b)));
    match name.to_ascii_lowercase().as_str() {
        // Aggregating.
        "count" | "sum" | "avg" | "min" | "max" | "collect" | "stdev" | "stdevp" => exact(1),
        "percentilecont" | "percentiledisc" => exact(2),

        // Graph (evaluated by the executor; some cases here).
        "id" | "elementid" | "labels" | "type" | "keys" | "properties" | "startnode" | "endnode" | "nodes"
        | "relationships" | "length" | "exists" => exact(1),

        // General and list.
        "coalesce" => Some((1, None)),
        "size" | "head" | "last" | "tail" | "reverse" | "isempty" => exact(1),
        "range" => between(2, 3),
        "nullif" => exact(2),

        // Conversion.
        "tostring" | "tointeger" | "tofloat" | "toboolean" | "tostringornull" | "tointegerornull" | "tofloatornull"
        | "tobooleanornull" | "tostringlist" | "tointegerlist" | "tofloatlist" | "tobooleanlist" => exact(1),

        // String.
        "toupper" | "tolower" | "upper" | "lower" | "char_length" | "character_length" => exact(1),
        "trim" | "ltrim" | "rtrim" | "btrim" => between(1, 2),
        "replace" => exact(3),
        "substring" => between(2, 3),
        "split" | "left" | "right" => exact(2),

        // Mathematical.
        "abs" | "ceil" | "floor" | "sign" | "sqrt" | "exp" | "log" | "log10" | "sin" | "cos" | "tan" | "cot"
        | "asin" | "acos" | "atan" | "degrees" | "radians" | "haversin" | "isnan" => exact(1),
        "round" => between(1, 3),
        "atan2" => exact(2),
        "rand" | "e" | "pi" | "timestamp" | "randomuuid" => exact(0),

        // Temporal (implemented in `value::temporal`).
        "date" | "localtime" | "time" | "localdatetime" | "datetime" => between(0, 1),
        "date.transaction"
        | "date.statement"
        | "date.realtime"
        | "localtime.transaction"
        | "localtime.statement"
        | "localtime.realtime"
        | "time.transaction"
        | "time.statement"
        | "time.realtime"
        | "localdatetime.transaction"
        | "localdatetime.statement"
        | "localdatetime.realtime"
        | "datetime.transaction"
        | "datetime.statement"
        | "datetime.realtime" => between(0, 1),
        "date.truncate" | "localtime.truncate" | "time.truncate" | "localdatetime.truncate" | "datetime.truncate" => {
            between(2, 3)
        }
        "datetime.fromepoch" => exact(2),
        "datetime.fromepochmillis" => exact(1),
        "duration" => exact(1),
        "duration.between" | "duration.inmonths" | "duration.indays" | "duration.inseconds" => exact(2),

        _ => None,
    }
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
        assert!(is_graph_function("startNode"));
        assert!(!is_graph_function("length"));
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
