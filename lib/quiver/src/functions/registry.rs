//! Every built-in function in one table: its name as written, how many
//! arguments it takes, its signature and description (what `SHOW FUNCTIONS`
//! lists), and which implementation evaluates it.
//!
//! The planner resolves a call to its [`FunctionDef`] once; the executor then
//! dispatches on [`FunctionKind`] without looking the name up again.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Which implementation evaluates a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionKind {
    /// Needs nothing but its arguments ([`super::scalar`]).
    Scalar,
    /// Reads the graph for entity arguments (`labels(n)`, `type(r)`, ...);
    /// its other cases are scalar.
    Graph,
    /// Dates, times and durations ([`crate::value::temporal`]); may read the statement's clock.
    Temporal,
    /// Aggregates rows ([`super::aggregate`]).
    Aggregate,
    /// `linenumber()` and `file()`: the record `LOAD CSV` is on.
    LoadCsv,
}

/// One built-in function.
#[derive(Debug)]
pub struct FunctionDef {
    /// The name as the manual writes it (`toUpper`, `date.truncate`).
    pub name: &'static str,
    pub kind: FunctionKind,
    /// The group `SHOW FUNCTIONS` puts it in (`String`, `Numeric`, ...).
    pub category: &'static str,
    pub min_args: usize,
    /// `None`: any number from `min_args` (`coalesce`).
    pub max_args: Option<usize>,
    pub signature: &'static str,
    pub description: &'static str,
    /// Whether two calls with the same arguments give the same result within a statement.
    pub deterministic: bool,
}

impl FunctionDef {
    /// The lower-cased name the implementations match on.
    pub fn key(&self) -> String {
        self.name.to_ascii_lowercase()
    }

    /// [`FunctionDef::key`] without allocating (for the executor, per call):
    /// the lower-case name, made once for every function.
    pub fn key_str(&self) -> &'static str {
        // By the definition's address: every one lives in `FUNCTIONS`.
        static KEYS: OnceLock<rustc_hash::FxHashMap<usize, &'static str>> = OnceLock::new();
        KEYS.get_or_init(|| {
            FUNCTIONS
                .iter()
                .map(|f| (f as *const FunctionDef as usize, &*Box::leak(f.key().into_boxed_str())))
                .collect()
        })
        .get(&(self as *const FunctionDef as usize))
        .copied()
        .unwrap_or("")
    }

    pub fn is_aggregate(&self) -> bool {
        self.kind == FunctionKind::Aggregate
    }

    /// Whether `n` arguments are accepted.
    pub fn accepts(&self, n: usize) -> bool {
        n >= self.min_args && self.max_args.is_none_or(|m| n <= m)
    }

    /// "1", "1 to 3", "at least 1": for error messages.
    pub fn arity_text(&self) -> String {
        match self.max_args {
            Some(m) if m == self.min_args => format!("{m}"),
            Some(m) => format!("{} to {m}", self.min_args),
            None => format!("at least {}", self.min_args),
        }
    }
}

use FunctionKind::*;

macro_rules! f {
    ($name:literal, $kind:expr, $cat:literal, $min:literal, $max:expr, $sig:literal, $desc:literal) => {
        FunctionDef {
            name: $name,
            kind: $kind,
            category: $cat,
            min_args: $min,
            max_args: $max,
            signature: $sig,
            description: $desc,
            deterministic: true,
        }
    };
    ($name:literal, $kind:expr, $cat:literal, $min:literal, $max:expr, $sig:literal, $desc:literal, volatile) => {
        FunctionDef {
            name: $name,
            kind: $kind,
            category: $cat,
            min_args: $min,
            max_args: $max,
            signature: $sig,
            description: $desc,
            deterministic: false,
        }
    };
}

const ONE: Option<usize> = Some(1);
const TWO: Option<usize> = Some(2);
const THREE: Option<usize> = Some(3);
const NONE: Option<usize> = Some(0);

/// The built-in functions, grouped as the manual groups them.
pub static FUNCTIONS: &[FunctionDef] = &[
    // Aggregating.
    f!("avg", Aggregate, "Aggregating", 1, ONE, "avg(input :: INTEGER | FLOAT | DURATION) :: INTEGER | FLOAT | DURATION", "Returns the average of a set of numeric or duration values."),
    f!("collect", Aggregate, "Aggregating", 1, ONE, "collect(input :: ANY) :: LIST<ANY>", "Returns a list containing the values returned by an expression."),
    f!("count", Aggregate, "Aggregating", 1, ONE, "count(input :: ANY) :: INTEGER", "Returns the number of values or rows."),
    f!("max", Aggregate, "Aggregating", 1, ONE, "max(input :: ANY) :: ANY", "Returns the maximum value in a set of values."),
    f!("min", Aggregate, "Aggregating", 1, ONE, "min(input :: ANY) :: ANY", "Returns the minimum value in a set of values."),
    f!("percentileCont", Aggregate, "Aggregating", 2, TWO, "percentileCont(input :: FLOAT, percentile :: FLOAT) :: FLOAT", "Returns the percentile of a value over a group using linear interpolation."),
    f!("percentileDisc", Aggregate, "Aggregating", 2, TWO, "percentileDisc(input :: INTEGER | FLOAT, percentile :: FLOAT) :: INTEGER | FLOAT", "Returns the nearest value to the given percentile over a group using a rounding method."),
    f!("stDev", Aggregate, "Aggregating", 1, ONE, "stDev(input :: FLOAT) :: FLOAT", "Returns the standard deviation for the given value over a group for a sample of a population."),
    f!("stDevP", Aggregate, "Aggregating", 1, ONE, "stDevP(input :: FLOAT) :: FLOAT", "Returns the standard deviation for the given value over a group for an entire population."),
    f!("sum", Aggregate, "Aggregating", 1, ONE, "sum(input :: INTEGER | FLOAT | DURATION) :: INTEGER | FLOAT | DURATION", "Returns the sum of a set of numeric or duration values."),
    // Graph and path.
    f!("elementId", Graph, "Scalar", 1, ONE, "elementId(input :: NODE | RELATIONSHIP) :: STRING", "Returns a STRING representation of a node or relationship identifier, unique within the database."),
    f!("endNode", Graph, "Scalar", 1, ONE, "endNode(input :: RELATIONSHIP) :: NODE", "Returns the end node of a relationship."),
    f!("exists", Graph, "Predicate", 1, ONE, "exists(input :: ANY) :: BOOLEAN", "Returns true if a match for the pattern exists in the graph, or the property is not null."),
    f!("id", Graph, "Scalar", 1, ONE, "id(input :: NODE | RELATIONSHIP) :: INTEGER", "Returns the id of a node or relationship."),
    f!("keys", Graph, "List", 1, ONE, "keys(input :: NODE | RELATIONSHIP | MAP) :: LIST<STRING>", "Returns a list containing the property keys of a node, relationship or map."),
    f!("labels", Graph, "List", 1, ONE, "labels(input :: NODE) :: LIST<STRING>", "Returns a list containing the labels of a node."),
    f!("length", Graph, "Scalar", 1, ONE, "length(input :: PATH) :: INTEGER", "Returns the length of a path."),
    f!("nodes", Graph, "List", 1, ONE, "nodes(input :: PATH) :: LIST<NODE>", "Returns a list containing the nodes of a path."),
    f!("properties", Graph, "Scalar", 1, ONE, "properties(input :: MAP | NODE | RELATIONSHIP) :: MAP", "Returns a map containing the properties of a node, relationship or map."),
    f!("relationships", Graph, "List", 1, ONE, "relationships(input :: PATH) :: LIST<RELATIONSHIP>", "Returns a list containing the relationships of a path."),
    f!("startNode", Graph, "Scalar", 1, ONE, "startNode(input :: RELATIONSHIP) :: NODE", "Returns the start node of a relationship."),
    f!("type", Graph, "Scalar", 1, ONE, "type(input :: RELATIONSHIP) :: STRING", "Returns a STRING representation of the relationship type."),
    // LOAD CSV.
    f!("file", LoadCsv, "Scalar", 0, NONE, "file() :: STRING", "Returns the absolute path of the file that LOAD CSV is using."),
    f!("linenumber", LoadCsv, "Scalar", 0, NONE, "linenumber() :: INTEGER", "Returns the line number that LOAD CSV is currently using."),
    // Scalar and list.
    f!("coalesce", Scalar, "Scalar", 1, None, "coalesce(input :: ANY) :: ANY", "Returns the first non-null value in a list of expressions."),
    f!("head", Scalar, "Scalar", 1, ONE, "head(list :: LIST<ANY>) :: ANY", "Returns the first element in a list."),
    f!("isEmpty", Scalar, "Predicate", 1, ONE, "isEmpty(input :: LIST<ANY> | MAP | STRING) :: BOOLEAN", "Checks whether a list, map or string is empty."),
    f!("last", Scalar, "Scalar", 1, ONE, "last(list :: LIST<ANY>) :: ANY", "Returns the last element in a list."),
    f!("nullIf", Scalar, "Scalar", 2, TWO, "nullIf(v1 :: ANY, v2 :: ANY) :: ANY", "Returns null if the two given parameters are equivalent, otherwise returns the value of the first parameter."),
    f!("range", Scalar, "List", 2, THREE, "range(start :: INTEGER, end :: INTEGER, step = 1 :: INTEGER) :: LIST<INTEGER>", "Returns a list comprising all integer values within a range bounded by a start value and an end value, with an optional step."),
    f!("reverse", Scalar, "List", 1, ONE, "reverse(input :: STRING | LIST<ANY>) :: STRING | LIST<ANY>", "Returns a string or list whose elements are in reverse order."),
    f!("size", Scalar, "Scalar", 1, ONE, "size(input :: STRING | LIST<ANY>) :: INTEGER", "Returns the number of items in a list, or the number of characters in a string."),
    f!("tail", Scalar, "List", 1, ONE, "tail(input :: LIST<ANY>) :: LIST<ANY>", "Returns all but the first element in a list."),
    f!("randomUUID", Scalar, "Scalar", 0, NONE, "randomUUID() :: STRING", "Generates a random UUID.", volatile),
    f!("valueType", Scalar, "Scalar", 1, ONE, "valueType(input :: ANY) :: STRING", "Returns a STRING representation of the most precise value type that the given expression evaluates to."),
    f!("timestamp", Scalar, "Scalar", 0, NONE, "timestamp() :: INTEGER", "Returns the difference, measured in milliseconds, between the current time and midnight, January 1, 1970 UTC."),
    // Conversion.
    f!("toBoolean", Scalar, "Scalar", 1, ONE, "toBoolean(input :: STRING | INTEGER | BOOLEAN) :: BOOLEAN", "Converts a STRING, INTEGER or BOOLEAN value to a BOOLEAN value."),
    f!("toBooleanList", Scalar, "List", 1, ONE, "toBooleanList(input :: LIST<ANY>) :: LIST<BOOLEAN>", "Converts a list of values to a list of BOOLEAN values; a value that cannot be converted becomes null."),
    f!("toBooleanOrNull", Scalar, "Scalar", 1, ONE, "toBooleanOrNull(input :: ANY) :: BOOLEAN", "Converts a value to a BOOLEAN value, or null if it cannot be converted."),
    f!("toFloat", Scalar, "Scalar", 1, ONE, "toFloat(input :: STRING | INTEGER | FLOAT) :: FLOAT", "Converts a STRING, INTEGER or FLOAT value to a FLOAT value."),
    f!("toFloatList", Scalar, "List", 1, ONE, "toFloatList(input :: LIST<ANY>) :: LIST<FLOAT>", "Converts a list of values to a list of FLOAT values; a value that cannot be converted becomes null."),
    f!("toFloatOrNull", Scalar, "Scalar", 1, ONE, "toFloatOrNull(input :: ANY) :: FLOAT", "Converts a value to a FLOAT value, or null if it cannot be converted."),
    f!("toInteger", Scalar, "Scalar", 1, ONE, "toInteger(input :: STRING | INTEGER | FLOAT | BOOLEAN) :: INTEGER", "Converts a BOOLEAN, STRING, INTEGER or FLOAT value to an INTEGER value."),
    f!("toIntegerList", Scalar, "List", 1, ONE, "toIntegerList(input :: LIST<ANY>) :: LIST<INTEGER>", "Converts a list of values to a list of INTEGER values; a value that cannot be converted becomes null."),
    f!("toIntegerOrNull", Scalar, "Scalar", 1, ONE, "toIntegerOrNull(input :: ANY) :: INTEGER", "Converts a value to an INTEGER value, or null if it cannot be converted."),
    f!("toString", Scalar, "String", 1, ONE, "toString(input :: ANY) :: STRING", "Converts an INTEGER, FLOAT, BOOLEAN, STRING or temporal value to a STRING value."),
    f!("toStringList", Scalar, "List", 1, ONE, "toStringList(input :: LIST<ANY>) :: LIST<STRING>", "Converts a list of values to a list of STRING values; a value that cannot be converted becomes null."),
    f!("toStringOrNull", Scalar, "String", 1, ONE, "toStringOrNull(input :: ANY) :: STRING", "Converts a value to a STRING value, or null if it cannot be converted."),
    // String.
    f!("btrim", Scalar, "String", 1, TWO, "btrim(original :: STRING, trimCharacterString = ' ' :: STRING) :: STRING", "Returns the given STRING with leading and trailing characters of trimCharacterString removed."),
    f!("normalize", Scalar, "String", 1, TWO, "normalize(input :: STRING, normalForm = NFC :: [NFC, NFD, NFKC, NFKD]) :: STRING", "Returns the given STRING normalized according to the normalization form NFC, NFD, NFKC or NFKD."),
    f!("char_length", Scalar, "Scalar", 1, ONE, "char_length(input :: STRING) :: INTEGER", "Returns the number of Unicode characters in a STRING."),
    f!("character_length", Scalar, "Scalar", 1, ONE, "character_length(input :: STRING) :: INTEGER", "Returns the number of Unicode characters in a STRING."),
    f!("left", Scalar, "String", 2, TWO, "left(original :: STRING, length :: INTEGER) :: STRING", "Returns a STRING containing the specified number of leftmost characters of the given STRING."),
    f!("lower", Scalar, "String", 1, ONE, "lower(input :: STRING) :: STRING", "Returns the given STRING in lowercase."),
    f!("ltrim", Scalar, "String", 1, TWO, "ltrim(input :: STRING, trimCharacterString = ' ' :: STRING) :: STRING", "Returns the given STRING with leading characters of trimCharacterString removed."),
    f!("replace", Scalar, "String", 3, THREE, "replace(original :: STRING, search :: STRING, replace :: STRING) :: STRING", "Returns a STRING in which all occurrences of a specified search STRING have been replaced by another STRING."),
    f!("right", Scalar, "String", 2, TWO, "right(original :: STRING, length :: INTEGER) :: STRING", "Returns a STRING containing the specified number of rightmost characters of the given STRING."),
    f!("rtrim", Scalar, "String", 1, TWO, "rtrim(input :: STRING, trimCharacterString = ' ' :: STRING) :: STRING", "Returns the given STRING with trailing characters of trimCharacterString removed."),
    f!("split", Scalar, "String", 2, TWO, "split(original :: STRING, splitDelimiter :: STRING | LIST<STRING>) :: LIST<STRING>", "Returns a list of STRING values resulting from the splitting of the given STRING around matches of the given delimiter."),
    f!("substring", Scalar, "String", 2, THREE, "substring(original :: STRING, start :: INTEGER, length = null :: INTEGER) :: STRING", "Returns a substring of a given length from the given STRING, beginning with a 0-based index."),
    f!("toLower", Scalar, "String", 1, ONE, "toLower(input :: STRING) :: STRING", "Returns the given STRING in lowercase."),
    f!("toUpper", Scalar, "String", 1, ONE, "toUpper(input :: STRING) :: STRING", "Returns the given STRING in uppercase."),
    f!("trim", Scalar, "String", 1, TWO, "trim(input :: STRING) :: STRING", "Returns the given STRING with leading and trailing whitespace removed."),
    f!("upper", Scalar, "String", 1, ONE, "upper(input :: STRING) :: STRING", "Returns the given STRING in uppercase."),
    // Numeric and trigonometric.
    f!("abs", Scalar, "Numeric", 1, ONE, "abs(input :: INTEGER | FLOAT) :: INTEGER | FLOAT", "Returns the absolute value of an INTEGER or FLOAT value."),
    f!("acos", Scalar, "Trigonometric", 1, ONE, "acos(input :: FLOAT) :: FLOAT", "Returns the arccosine of a FLOAT in radians."),
    f!("asin", Scalar, "Trigonometric", 1, ONE, "asin(input :: FLOAT) :: FLOAT", "Returns the arcsine of a FLOAT in radians."),
    f!("atan", Scalar, "Trigonometric", 1, ONE, "atan(input :: FLOAT) :: FLOAT", "Returns the arctangent of a FLOAT in radians."),
    f!("atan2", Scalar, "Trigonometric", 2, TWO, "atan2(y :: FLOAT, x :: FLOAT) :: FLOAT", "Returns the arctangent2 of a set of coordinates in radians."),
    f!("ceil", Scalar, "Numeric", 1, ONE, "ceil(input :: FLOAT) :: FLOAT", "Returns the smallest FLOAT that is greater than or equal to a number and equal to an INTEGER."),
    f!("cos", Scalar, "Trigonometric", 1, ONE, "cos(input :: FLOAT) :: FLOAT", "Returns the cosine of a FLOAT."),
    f!("cot", Scalar, "Trigonometric", 1, ONE, "cot(input :: FLOAT) :: FLOAT", "Returns the cotangent of a FLOAT."),
    f!("cosh", Scalar, "Trigonometric", 1, ONE, "cosh(input :: FLOAT) :: FLOAT", "Returns the hyperbolic cosine of a FLOAT."),
    f!("coth", Scalar, "Trigonometric", 1, ONE, "coth(input :: FLOAT) :: FLOAT", "Returns the hyperbolic cotangent of a FLOAT."),
    f!("sinh", Scalar, "Trigonometric", 1, ONE, "sinh(input :: FLOAT) :: FLOAT", "Returns the hyperbolic sine of a FLOAT."),
    f!("tanh", Scalar, "Trigonometric", 1, ONE, "tanh(input :: FLOAT) :: FLOAT", "Returns the hyperbolic tangent of a FLOAT."),
    f!("degrees", Scalar, "Trigonometric", 1, ONE, "degrees(input :: FLOAT) :: FLOAT", "Converts radians to degrees."),
    f!("e", Scalar, "Logarithmic", 0, NONE, "e() :: FLOAT", "Returns the base of the natural logarithm, e."),
    f!("exp", Scalar, "Logarithmic", 1, ONE, "exp(input :: FLOAT) :: FLOAT", "Returns e^n, where e is the base of the natural logarithm, and n is the value of the argument expression."),
    f!("floor", Scalar, "Numeric", 1, ONE, "floor(input :: FLOAT) :: FLOAT", "Returns the largest FLOAT that is less than or equal to a number and equal to an INTEGER."),
    f!("haversin", Scalar, "Trigonometric", 1, ONE, "haversin(input :: FLOAT) :: FLOAT", "Returns half the versine of a number."),
    f!("isNaN", Scalar, "Numeric", 1, ONE, "isNaN(input :: INTEGER | FLOAT) :: BOOLEAN", "Returns true if the floating point number is NaN."),
    f!("log", Scalar, "Logarithmic", 1, ONE, "log(input :: FLOAT) :: FLOAT", "Returns the natural logarithm of a FLOAT."),
    f!("log10", Scalar, "Logarithmic", 1, ONE, "log10(input :: FLOAT) :: FLOAT", "Returns the common logarithm (base 10) of a FLOAT."),
    f!("pi", Scalar, "Trigonometric", 0, NONE, "pi() :: FLOAT", "Returns the mathematical constant pi."),
    f!("radians", Scalar, "Trigonometric", 1, ONE, "radians(input :: FLOAT) :: FLOAT", "Converts degrees to radians."),
    f!("rand", Scalar, "Numeric", 0, NONE, "rand() :: FLOAT", "Returns a random FLOAT in the range from 0 (inclusive) to 1 (exclusive).", volatile),
    f!("round", Scalar, "Numeric", 1, THREE, "round(value :: FLOAT, precision = 0 :: INTEGER | FLOAT, mode = 'HALF_UP' :: STRING) :: FLOAT", "Returns the value of a number rounded to the specified precision using the specified rounding mode."),
    f!("sign", Scalar, "Numeric", 1, ONE, "sign(input :: INTEGER | FLOAT) :: INTEGER", "Returns the signum of an INTEGER or FLOAT value: 0 if the value is 0, -1 for any negative number, and 1 for any positive number."),
    f!("sin", Scalar, "Trigonometric", 1, ONE, "sin(input :: FLOAT) :: FLOAT", "Returns the sine of a FLOAT."),
    f!("sqrt", Scalar, "Logarithmic", 1, ONE, "sqrt(input :: FLOAT) :: FLOAT", "Returns the square root of a FLOAT."),
    f!("tan", Scalar, "Trigonometric", 1, ONE, "tan(input :: FLOAT) :: FLOAT", "Returns the tangent of a FLOAT."),
    // Temporal.
    f!("date", Temporal, "Temporal", 0, ONE, "date(input = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: DATE", "Creates a DATE instant."),
    f!("date.realtime", Temporal, "Temporal", 0, ONE, "date.realtime(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: DATE", "Returns the current DATE instant using the realtime clock.", volatile),
    f!("date.statement", Temporal, "Temporal", 0, ONE, "date.statement(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: DATE", "Returns the current DATE instant using the statement clock."),
    f!("date.transaction", Temporal, "Temporal", 0, ONE, "date.transaction(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: DATE", "Returns the current DATE instant using the transaction clock."),
    f!("date.truncate", Temporal, "Temporal", 2, THREE, "date.truncate(unit :: STRING, input = DEFAULT_TEMPORAL_ARGUMENT :: ANY, fields = null :: MAP) :: DATE", "Truncates the given temporal value to a DATE instant using the specified unit."),
    f!("datetime", Temporal, "Temporal", 0, ONE, "datetime(input = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED DATETIME", "Creates a ZONED DATETIME instant."),
    f!("datetime.fromepoch", Temporal, "Temporal", 2, TWO, "datetime.fromEpoch(seconds :: INTEGER | FLOAT, nanoseconds :: INTEGER | FLOAT) :: ZONED DATETIME", "Creates a ZONED DATETIME given the seconds and nanoseconds since the start of the epoch."),
    f!("datetime.fromepochmillis", Temporal, "Temporal", 1, ONE, "datetime.fromEpochMillis(milliseconds :: INTEGER | FLOAT) :: ZONED DATETIME", "Creates a ZONED DATETIME given the milliseconds since the start of the epoch."),
    f!("datetime.realtime", Temporal, "Temporal", 0, ONE, "datetime.realtime(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED DATETIME", "Returns the current ZONED DATETIME instant using the realtime clock.", volatile),
    f!("datetime.statement", Temporal, "Temporal", 0, ONE, "datetime.statement(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED DATETIME", "Returns the current ZONED DATETIME instant using the statement clock."),
    f!("datetime.transaction", Temporal, "Temporal", 0, ONE, "datetime.transaction(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED DATETIME", "Returns the current ZONED DATETIME instant using the transaction clock."),
    f!("datetime.truncate", Temporal, "Temporal", 2, THREE, "datetime.truncate(unit :: STRING, input = DEFAULT_TEMPORAL_ARGUMENT :: ANY, fields = null :: MAP) :: ZONED DATETIME", "Truncates the given temporal value to a ZONED DATETIME instant using the specified unit."),
    f!("duration", Temporal, "Duration", 1, ONE, "duration(input :: ANY) :: DURATION", "Creates a DURATION value."),
    f!("duration.between", Temporal, "Duration", 2, TWO, "duration.between(from :: ANY, to :: ANY) :: DURATION", "Computes the DURATION between the from instant (inclusive) and the to instant (exclusive) in logical units."),
    f!("duration.inDays", Temporal, "Duration", 2, TWO, "duration.inDays(from :: ANY, to :: ANY) :: DURATION", "Computes the DURATION between the from instant (inclusive) and the to instant (exclusive) in days."),
    f!("duration.inMonths", Temporal, "Duration", 2, TWO, "duration.inMonths(from :: ANY, to :: ANY) :: DURATION", "Computes the DURATION between the from instant (inclusive) and the to instant (exclusive) in months."),
    f!("duration.inSeconds", Temporal, "Duration", 2, TWO, "duration.inSeconds(from :: ANY, to :: ANY) :: DURATION", "Computes the DURATION between the from instant (inclusive) and the to instant (exclusive) in seconds."),
    f!("localdatetime", Temporal, "Temporal", 0, ONE, "localdatetime(input = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL DATETIME", "Creates a LOCAL DATETIME instant."),
    f!("localdatetime.realtime", Temporal, "Temporal", 0, ONE, "localdatetime.realtime(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL DATETIME", "Returns the current LOCAL DATETIME instant using the realtime clock.", volatile),
    f!("localdatetime.statement", Temporal, "Temporal", 0, ONE, "localdatetime.statement(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL DATETIME", "Returns the current LOCAL DATETIME instant using the statement clock."),
    f!("localdatetime.transaction", Temporal, "Temporal", 0, ONE, "localdatetime.transaction(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL DATETIME", "Returns the current LOCAL DATETIME instant using the transaction clock."),
    f!("localdatetime.truncate", Temporal, "Temporal", 2, THREE, "localdatetime.truncate(unit :: STRING, input = DEFAULT_TEMPORAL_ARGUMENT :: ANY, fields = null :: MAP) :: LOCAL DATETIME", "Truncates the given temporal value to a LOCAL DATETIME instant using the specified unit."),
    f!("localtime", Temporal, "Temporal", 0, ONE, "localtime(input = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL TIME", "Creates a LOCAL TIME instant."),
    f!("localtime.realtime", Temporal, "Temporal", 0, ONE, "localtime.realtime(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL TIME", "Returns the current LOCAL TIME instant using the realtime clock.", volatile),
    f!("localtime.statement", Temporal, "Temporal", 0, ONE, "localtime.statement(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL TIME", "Returns the current LOCAL TIME instant using the statement clock."),
    f!("localtime.transaction", Temporal, "Temporal", 0, ONE, "localtime.transaction(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: LOCAL TIME", "Returns the current LOCAL TIME instant using the transaction clock."),
    f!("localtime.truncate", Temporal, "Temporal", 2, THREE, "localtime.truncate(unit :: STRING, input = DEFAULT_TEMPORAL_ARGUMENT :: ANY, fields = null :: MAP) :: LOCAL TIME", "Truncates the given temporal value to a LOCAL TIME instant using the specified unit."),
    f!("time", Temporal, "Temporal", 0, ONE, "time(input = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED TIME", "Creates a ZONED TIME instant."),
    f!("time.realtime", Temporal, "Temporal", 0, ONE, "time.realtime(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED TIME", "Returns the current ZONED TIME instant using the realtime clock.", volatile),
    f!("time.statement", Temporal, "Temporal", 0, ONE, "time.statement(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED TIME", "Returns the current ZONED TIME instant using the statement clock."),
    f!("time.transaction", Temporal, "Temporal", 0, ONE, "time.transaction(timezone = DEFAULT_TEMPORAL_ARGUMENT :: ANY) :: ZONED TIME", "Returns the current ZONED TIME instant using the transaction clock."),
    f!("time.truncate", Temporal, "Temporal", 2, THREE, "time.truncate(unit :: STRING, input = DEFAULT_TEMPORAL_ARGUMENT :: ANY, fields = null :: MAP) :: ZONED TIME", "Truncates the given temporal value to a ZONED TIME instant using the specified unit."),
];

/// The function called `name` (any case), if there is one.
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    static BY_NAME: OnceLock<HashMap<String, &'static FunctionDef>> = OnceLock::new();
    BY_NAME
        .get_or_init(|| FUNCTIONS.iter().map(|f| (f.key(), f)).collect())
        .get(&name.to_ascii_lowercase())
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_found_in_any_case() {
        let mut seen = std::collections::HashSet::new();
        for f in FUNCTIONS {
            assert!(seen.insert(f.key()), "{} twice", f.name);
            assert!(std::ptr::eq(lookup(&f.name.to_ascii_uppercase()).unwrap(), f));
            assert!(
                f.signature.to_ascii_lowercase().starts_with(&f.key()),
                "{}",
                f.signature
            );
        }
        assert!(lookup("nosuchfunction").is_none());
    }

    #[test]
    fn every_scalar_function_is_evaluated_by_the_scalar_module() {
        for f in FUNCTIONS.iter().filter(|f| matches!(f.kind, Scalar | Graph)) {
            assert!(super::super::scalar::handles(&f.key()), "{} is not evaluated", f.name);
        }
        for f in FUNCTIONS.iter().filter(|f| f.kind == Aggregate) {
            assert!(
                super::super::aggregate::new_accumulator(&f.key(), false).is_some(),
                "{}",
                f.name
            );
        }
    }
}
