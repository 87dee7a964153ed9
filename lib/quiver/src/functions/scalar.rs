//! Scalar functions that need nothing but their arguments.
//!
//! [`call`] evaluates one call. Nulls propagate: a null argument gives a
//! null result, except where a function gives nulls a meaning (`coalesce`,
//! `exists`, `nullIf`). A wrong argument type is a `TypeError`
//! (`InvalidArgumentType`; `InvalidArgumentValue` for the conversion
//! functions), a number out of range an `ArgumentError (NumberOutOfRange)`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

use super::{arity, FunctionError};
use crate::error::ErrorKind;
use crate::value::{format_float, order, Value};

type R = Result<Value, FunctionError>;

const NULL: &Value = &Value::Null;

/// The longest list `range()` builds; longer ranges are refused with an
/// `ArgumentError (NumberOutOfRange)` rather than exhausting memory.
pub const RANGE_LIMIT: i128 = 10_000_000;

/// Evaluates the scalar function `name` (case-insensitive) on `args`.
///
/// `None` when this module does not evaluate the call: `name` is not a
/// scalar function handled here (aggregates, temporal functions, unknown
/// names), or the function reads the graph and was given an entity
/// (`id(n)`, `labels(n)`, `type(r)`, `keys(n)`, `properties(r)`,
/// `startNode(r)`, `endNode(r)`, `elementId(n)`). The map, null and
/// wrong-type cases of those functions are answered here, as are
/// `length`, `nodes` and `relationships` of a path (which carries its ids).
///
/// A call with the wrong number of arguments gives a `SyntaxError
/// (InvalidNumberOfArguments)` (normally caught at compile time).
pub fn call(name: &str, args: &[Value]) -> Option<R> {
    let lower;
    let name = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = name.to_ascii_lowercase();
        lower.as_str()
    } else {
        name
    };
    if !handles(name) {
        return None;
    }
    if let Some((min, max)) = arity(name) {
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            let expected = match max {
                Some(m) if m == min => format!("{min}"),
                Some(m) => format!("{min} to {m}"),
                None => format!("at least {min}"),
            };
            return Some(Err(FunctionError::new(
                ErrorKind::SyntaxError,
                "InvalidNumberOfArguments",
                format!("{name}() takes {expected} argument(s), got {}", args.len()),
            )));
        }
    }
    call_known(name, args)
}

/// [`call`] of a function the caller has looked up already: `name` in
/// lower case, its arity checked.
pub fn call_known(name: &str, args: &[Value]) -> Option<R> {
    let a = |i: usize| args.get(i).unwrap_or(NULL);
    let r = match name {
        // Graph functions: the executor evaluates them on entities.
        "id" | "elementid" | "labels" | "type" | "keys" | "properties" | "startnode" | "endnode" => {
            return graph_function(name, a(0));
        }
        "length" => length(a(0)),
        "nodes" => path_part("nodes", a(0), true),
        "relationships" => path_part("relationships", a(0), false),
        "exists" => Ok(Value::Bool(!a(0).is_null())),

        // General and list.
        "coalesce" => Ok(args.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null)),
        "size" => size(a(0)),
        "head" => list_end("head", a(0), true),
        "last" => list_end("last", a(0), false),
        "tail" => tail(a(0)),
        "range" => range(args),
        "reverse" => reverse(a(0)),
        "isempty" => is_empty(a(0)),
        "valuetype" => Ok(Value::string(super::types::value_type_name(a(0)))),
        "normalize" => normalize(a(0), a(1)),
        "nullif" => Ok(match order::equals(a(0), a(1)) {
            Some(true) => Value::Null,
            _ => a(0).clone(),
        }),

        // Conversion.
        "tostring" => convert("toString", a(0), to_string_value),
        "tointeger" => convert("toInteger", a(0), to_integer_value),
        "tofloat" => convert("toFloat", a(0), to_float_value),
        "toboolean" => convert("toBoolean", a(0), to_boolean_value),
        "tostringornull" => Ok(or_null(a(0), to_string_value)),
        "tointegerornull" => Ok(or_null(a(0), to_integer_value)),
        "tofloatornull" => Ok(or_null(a(0), to_float_value)),
        "tobooleanornull" => Ok(or_null(a(0), to_boolean_value)),
        "tostringlist" => convert_list("toStringList", a(0), to_string_value),
        "tointegerlist" => convert_list("toIntegerList", a(0), to_integer_value),
        "tofloatlist" => convert_list("toFloatList", a(0), to_float_value),
        "tobooleanlist" => convert_list("toBooleanList", a(0), to_boolean_value),

        // String.
        "toupper" | "upper" => string_map(name, a(0), |s| s.to_uppercase()),
        "tolower" | "lower" => string_map(name, a(0), |s| s.to_lowercase()),
        "char_length" | "character_length" => match a(0) {
            Value::Null => Ok(Value::Null),
            Value::String(s) => Ok(Value::Int(count_chars(s))),
            v => Err(FunctionError::invalid_argument_type(name, "a String", v)),
        },
        "trim" | "btrim" => trim(name, args, true, true),
        "ltrim" => trim(name, args, true, false),
        "rtrim" => trim(name, args, false, true),
        "replace" => replace(args),
        "substring" => substring(args),
        "split" => split(a(0), a(1)),
        "left" => left_right("left", a(0), a(1), true),
        "right" => left_right("right", a(0), a(1), false),

        // Mathematical.
        "abs" => abs(a(0)),
        "ceil" => float_fn("ceil", a(0), f64::ceil),
        "floor" => float_fn("floor", a(0), f64::floor),
        "round" => round(args),
        "sign" => sign(a(0)),
        "sqrt" => float_fn("sqrt", a(0), f64::sqrt),
        "exp" => float_fn("exp", a(0), f64::exp),
        "log" => float_fn("log", a(0), f64::ln),
        "log10" => float_fn("log10", a(0), f64::log10),
        "sin" => float_fn("sin", a(0), f64::sin),
        "cos" => float_fn("cos", a(0), f64::cos),
        "tan" => float_fn("tan", a(0), f64::tan),
        "cot" => float_fn("cot", a(0), |x| 1.0 / x.tan()),
        "cosh" => float_fn("cosh", a(0), f64::cosh),
        "sinh" => float_fn("sinh", a(0), f64::sinh),
        "tanh" => float_fn("tanh", a(0), f64::tanh),
        "coth" => float_fn("coth", a(0), |x| x.cosh() / x.sinh()),
        "asin" => float_fn("asin", a(0), f64::asin),
        "acos" => float_fn("acos", a(0), f64::acos),
        "atan" => float_fn("atan", a(0), f64::atan),
        "atan2" => atan2(a(0), a(1)),
        "degrees" => float_fn("degrees", a(0), f64::to_degrees),
        "radians" => float_fn("radians", a(0), f64::to_radians),
        "haversin" => float_fn("haversin", a(0), |x| (1.0 - x.cos()) / 2.0),
        "isnan" => match a(0) {
            Value::Null => Ok(Value::Null),
            Value::Float(f) => Ok(Value::Bool(f.is_nan())),
            Value::Int(_) => Ok(Value::Bool(false)),
            v => Err(FunctionError::invalid_argument_type("isNaN", "a number", v)),
        },
        "e" => Ok(Value::Float(std::f64::consts::E)),
        "pi" => Ok(Value::Float(std::f64::consts::PI)),
        "rand" => Ok(Value::Float(rand_f64())),
        "randomuuid" => Ok(Value::string(random_uuid())),
        "timestamp" => Ok(Value::Int(timestamp_millis())),
        _ => return None,
    };
    Some(r)
}

/// Whether [`call`] evaluates `name` (lower-case), at least for some arguments.
pub fn handles(name: &str) -> bool {
    matches!(
        name,
        "id" | "elementid"
            | "labels"
            | "type"
            | "keys"
            | "properties"
            | "startnode"
            | "endnode"
            | "length"
            | "nodes"
            | "relationships"
            | "exists"
            | "coalesce"
            | "size"
            | "head"
            | "last"
            | "tail"
            | "range"
            | "reverse"
            | "isempty"
            | "nullif"
            | "tostring"
            | "tointeger"
            | "tofloat"
            | "toboolean"
            | "tostringornull"
            | "tointegerornull"
            | "tofloatornull"
            | "tobooleanornull"
            | "tostringlist"
            | "tointegerlist"
            | "tofloatlist"
            | "tobooleanlist"
            | "toupper"
            | "upper"
            | "tolower"
            | "lower"
            | "char_length"
            | "character_length"
            | "trim"
            | "btrim"
            | "ltrim"
            | "rtrim"
            | "replace"
            | "substring"
            | "split"
            | "left"
            | "right"
            | "abs"
            | "ceil"
            | "floor"
            | "round"
            | "sign"
            | "sqrt"
            | "exp"
            | "log"
            | "log10"
            | "sin"
            | "cos"
            | "tan"
            | "cot"
            | "cosh"
            | "sinh"
            | "tanh"
            | "coth"
            | "asin"
            | "acos"
            | "atan"
            | "atan2"
            | "degrees"
            | "radians"
            | "haversin"
            | "isnan"
            | "e"
            | "pi"
            | "rand"
            | "randomuuid"
            | "timestamp"
            | "valuetype"
            | "normalize"
    )
}

fn count_chars(s: &str) -> i64 {
    i64::try_from(s.chars().count()).unwrap_or(i64::MAX)
}

fn len_int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

// ---------------------------------------------------------------------------
// Graph functions (the non-entity cases)

fn graph_function(name: &str, v: &Value) -> Option<R> {
    let (display, expected, entity) = match name {
        "id" => (
            "id",
            "a Node or a Relationship",
            matches!(v, Value::Node(_) | Value::Relationship(_)),
        ),
        "elementid" => (
            "elementId",
            "a Node or a Relationship",
            matches!(v, Value::Node(_) | Value::Relationship(_)),
        ),
        "labels" => ("labels", "a Node", matches!(v, Value::Node(_))),
        "type" => ("type", "a Relationship", matches!(v, Value::Relationship(_))),
        "startnode" => ("startNode", "a Relationship", matches!(v, Value::Relationship(_))),
        "endnode" => ("endNode", "a Relationship", matches!(v, Value::Relationship(_))),
        "keys" => {
            return match v {
                Value::Node(_) | Value::Relationship(_) => None,
                Value::Null => Some(Ok(Value::Null)),
                Value::Map(m) => Some(Ok(Value::list(m.keys().map(|k| Value::String(k.clone())).collect()))),
                v => Some(Err(FunctionError::invalid_argument_type(
                    "keys",
                    "a Map, a Node or a Relationship",
                    v,
                ))),
            }
        }
        "properties" => {
            return match v {
                Value::Node(_) | Value::Relationship(_) => None,
                Value::Null => Some(Ok(Value::Null)),
                Value::Map(_) => Some(Ok(v.clone())),
                v => Some(Err(FunctionError::invalid_argument_type(
                    "properties",
                    "a Map, a Node or a Relationship",
                    v,
                ))),
            }
        }
        _ => return None,
    };
    if entity {
        None
    } else if v.is_null() {
        Some(Ok(Value::Null))
    } else {
        Some(Err(FunctionError::invalid_argument_type(display, expected, v)))
    }
}

fn length(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Path(p) => Ok(len_int(p.rels.len())),
        Value::String(s) => Ok(Value::Int(count_chars(s))),
        Value::List(l) => Ok(len_int(l.len())),
        v => Err(FunctionError::invalid_argument_type("length", "a Path", v)),
    }
}

fn path_part(func: &str, v: &Value, nodes: bool) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Path(p) => Ok(Value::list(if nodes {
            p.nodes.iter().map(|n| Value::Node(*n)).collect()
        } else {
            p.rels.iter().map(|r| Value::Relationship(*r)).collect()
        })),
        v => Err(FunctionError::invalid_argument_type(func, "a Path", v)),
    }
}

// ---------------------------------------------------------------------------
// General and list functions

fn size(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::Int(count_chars(s))),
        Value::List(l) => Ok(len_int(l.len())),
        v => Err(FunctionError::invalid_argument_type("size", "a String or a List", v)),
    }
}

fn list_end(func: &str, v: &Value, first: bool) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::List(l) => Ok(if first { l.first() } else { l.last() }.cloned().unwrap_or(Value::Null)),
        v => Err(FunctionError::invalid_argument_type(func, "a List", v)),
    }
}

fn tail(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::List(l) => Ok(Value::list(l.iter().skip(1).cloned().collect())),
        v => Err(FunctionError::invalid_argument_type("tail", "a List", v)),
    }
}

/// `range(start, end[, step])` as `(start, step, count)`; `None` when an
/// argument is null. The errors are `range()`'s.
pub fn range_bounds(args: &[Value]) -> Result<Option<(i128, i128, i128)>, FunctionError> {
    let mut ints = [0i64, 0, 1];
    let mut null = false;
    for (i, v) in args.iter().enumerate().take(3) {
        match v {
            Value::Int(n) => ints[i] = *n,
            Value::Null => null = true,
            v => return Err(FunctionError::argument_type("range", "an Integer", v)),
        }
    }
    if null {
        return Ok(None);
    }
    let [start, end, step] = ints.map(i128::from);
    if step == 0 {
        return Err(FunctionError::number_out_of_range("range", "the step must not be zero"));
    }
    let count = if (step > 0 && start > end) || (step < 0 && start < end) {
        0
    } else {
        (end - start) / step + 1
    };
    Ok(Some((start, step, count)))
}

fn range(args: &[Value]) -> R {
    let Some((start, step, count)) = range_bounds(args)? else {
        return Ok(Value::Null);
    };
    if count > RANGE_LIMIT {
        return Err(FunctionError::number_out_of_range(
            "range",
            format!("the range would have {count} elements; at most {RANGE_LIMIT} are allowed"),
        ));
    }
    let mut out = Vec::with_capacity(count as usize);
    let mut x = start;
    for _ in 0..count {
        // Every element lies between start and end, so it fits in an i64.
        out.push(Value::Int(x as i64));
        x += step;
    }
    Ok(Value::list(out))
}

fn reverse(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::string(s.chars().rev().collect::<String>())),
        Value::List(l) => Ok(Value::list(l.iter().rev().cloned().collect())),
        v => Err(FunctionError::invalid_argument_type("reverse", "a String or a List", v)),
    }
}

fn is_empty(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::Bool(s.is_empty())),
        Value::List(l) => Ok(Value::Bool(l.is_empty())),
        Value::Map(m) => Ok(Value::Bool(m.is_empty())),
        v => Err(FunctionError::invalid_argument_type(
            "isEmpty",
            "a String, a List or a Map",
            v,
        )),
    }
}

// ---------------------------------------------------------------------------
// Conversion functions
//
// Each `to_*_value` answers `None` when the type cannot be converted at all
// (an error for `toX`, null for `toXOrNull`) and `Some(Value::Null)` for a
// null or an unparsable string.

type Conversion = fn(&Value) -> Option<Value>;

fn convert(func: &str, v: &Value, f: Conversion) -> R {
    f(v).ok_or_else(|| FunctionError::invalid_argument_value(func, v))
}

fn or_null(v: &Value, f: Conversion) -> Value {
    f(v).unwrap_or(Value::Null)
}

fn convert_list(func: &str, v: &Value, f: Conversion) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::List(l) => Ok(Value::list(l.iter().map(|x| or_null(x, f)).collect())),
        v => Err(FunctionError::invalid_argument_type(func, "a List", v)),
    }
}

fn to_string_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::String(_) => v.clone(),
        Value::Int(i) => Value::string(i.to_string()),
        Value::Float(f) => Value::string(format_float(*f)),
        Value::Bool(b) => Value::string(if *b { "true" } else { "false" }),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => Value::string(v.to_string()),
        Value::List(_) | Value::Map(_) | Value::Node(_) | Value::Relationship(_) | Value::Path(_) => return None,
    })
}

/// Parses a float the way the reference implementation does: surrounding
/// whitespace allowed, decimal or scientific notation, `NaN`, `Infinity`.
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    match t {
        "NaN" => return Some(f64::NAN),
        "Infinity" | "+Infinity" => return Some(f64::INFINITY),
        "-Infinity" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    // Rust also reads "inf", "nan", "infinity" in any case: refuse words.
    if t.is_empty() || t.chars().any(|c| c.is_alphabetic() && c != 'e' && c != 'E') {
        return None;
    }
    t.parse::<f64>().ok()
}

/// Parses an integer: an integer literal, or a float literal truncated
/// towards zero (`'3.9'` is 3). `None` for anything else or out of range.
pub fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i);
    }
    float_to_int(parse_float(t)?)
}

/// Truncates a float towards zero; `None` when NaN, infinite or out of range.
fn float_to_int(f: f64) -> Option<i64> {
    // -2^63 is representable; 2^63 is not an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = f.trunc();
    if (-LIMIT..LIMIT).contains(&t) {
        Some(t as i64)
    } else {
        None
    }
}

fn to_integer_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::Int(_) => v.clone(),
        // An infinite or huge float has no integer value: null.
        Value::Float(f) => float_to_int(*f).map_or(Value::Null, Value::Int),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::String(s) => parse_integer(s).map_or(Value::Null, Value::Int),
        _ => return None,
    })
}

fn to_float_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::Float(_) => v.clone(),
        Value::Int(i) => Value::Float(*i as f64),
        Value::String(s) => parse_float(s).map_or(Value::Null, Value::Float),
        _ => return None,
    })
}

fn to_boolean_value(v: &Value) -> Option<Value> {
    Some(match v {
        Value::Null => Value::Null,
        Value::Bool(_) => v.clone(),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if t.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                Value::Null
            }
        }
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// String functions

/// The display name of a lower-cased function name, for messages.
fn display_name(name: &str) -> &str {
    match name {
        "toupper" => "toUpper",
        "tolower" => "toLower",
        "ltrim" => "lTrim",
        "rtrim" => "rTrim",
        "btrim" => "bTrim",
        other => other,
    }
}

fn string_map(name: &str, v: &Value, f: impl Fn(&str) -> String) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::string(f(s))),
        v => Err(FunctionError::invalid_argument_type(display_name(name), "a String", v)),
    }
}

/// Checks that every argument is a string or null; `Ok(None)` when one is null.
fn strings<'a>(func: &str, args: &'a [Value]) -> Result<Option<Vec<&'a str>>, FunctionError> {
    let mut out = Vec::with_capacity(args.len());
    let mut null = false;
    for v in args {
        match v {
            Value::String(s) => out.push(&**s),
            Value::Null => null = true,
            v => return Err(FunctionError::invalid_argument_type(func, "a String", v)),
        }
    }
    Ok(if null { None } else { Some(out) })
}

fn trim(name: &str, args: &[Value], start: bool, end: bool) -> R {
    let Some(s) = strings(display_name(name), args)? else {
        return Ok(Value::Null);
    };
    let text = s.first().copied().unwrap_or("");
    let out = match s.get(1) {
        None => match (start, end) {
            (true, true) => text.trim(),
            (true, false) => text.trim_start(),
            _ => text.trim_end(),
        },
        Some(chars) => {
            let set: Vec<char> = chars.chars().collect();
            let is_trimmed = |c: char| set.contains(&c);
            match (start, end) {
                (true, true) => text.trim_matches(is_trimmed),
                (true, false) => text.trim_start_matches(is_trimmed),
                _ => text.trim_end_matches(is_trimmed),
            }
        }
    };
    Ok(Value::string(out))
}

fn replace(args: &[Value]) -> R {
    let Some(s) = strings("replace", args)? else {
        return Ok(Value::Null);
    };
    match s.as_slice() {
        [orig, search, with] => Ok(Value::string(orig.replace(search, with))),
        _ => Ok(Value::Null),
    }
}

/// Checks an integer argument: `Ok(None)` for null; a negative one is out of range.
fn non_negative(func: &str, what: &str, v: &Value) -> Result<Option<usize>, FunctionError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) if *i < 0 => Err(FunctionError::number_out_of_range(
            func,
            format!("the {what} must not be negative, got {i}"),
        )),
        Value::Int(i) => Ok(Some(usize::try_from(*i).unwrap_or(usize::MAX))),
        v => Err(FunctionError::invalid_argument_type(func, "an Integer", v)),
    }
}

fn substring(args: &[Value]) -> R {
    let orig = match args.first().unwrap_or(NULL) {
        Value::Null => None,
        Value::String(s) => Some(s),
        v => return Err(FunctionError::invalid_argument_type("substring", "a String", v)),
    };
    let start = non_negative("substring", "start", args.get(1).unwrap_or(NULL))?;
    let length = match args.get(2) {
        None => Some(usize::MAX),
        Some(v) => non_negative("substring", "length", v)?,
    };
    match (orig, start, length) {
        (Some(s), Some(start), Some(length)) => {
            Ok(Value::string(s.chars().skip(start).take(length).collect::<String>()))
        }
        _ => Ok(Value::Null),
    }
}

fn split(orig: &Value, delim: &Value) -> R {
    let s = match orig {
        Value::Null => return Ok(Value::Null),
        Value::String(s) => s,
        v => return Err(FunctionError::invalid_argument_type("split", "a String", v)),
    };
    let delims: Vec<&str> = match delim {
        Value::Null => return Ok(Value::Null),
        Value::String(d) => vec![&**d],
        Value::List(l) => {
            let mut out = Vec::with_capacity(l.len());
            for d in l.iter() {
                match d {
                    Value::String(d) => out.push(&**d),
                    Value::Null => return Ok(Value::Null),
                    v => {
                        return Err(FunctionError::invalid_argument_type(
                            "split",
                            "a String or a List of Strings",
                            v,
                        ))
                    }
                }
            }
            out
        }
        v => {
            return Err(FunctionError::invalid_argument_type(
                "split",
                "a String or a List of Strings",
                v,
            ))
        }
    };
    let delims: Vec<&str> = delims.into_iter().filter(|d| !d.is_empty()).collect();
    let parts: Vec<Value> = if delims.is_empty() {
        // An empty delimiter splits into characters.
        s.chars().map(|c| Value::string(c.to_string())).collect()
    } else {
        let mut parts = Vec::new();
        let mut piece_start = 0;
        let mut i = 0;
        while i < s.len() {
            if let Some(d) = delims.iter().find(|d| s[i..].starts_with(**d)) {
                parts.push(Value::string(&s[piece_start..i]));
                i += d.len();
                piece_start = i;
            } else {
                i += s[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        parts.push(Value::string(&s[piece_start..]));
        parts
    };
    Ok(Value::list(parts))
}

fn left_right(func: &str, orig: &Value, n: &Value, left: bool) -> R {
    let s = match orig {
        Value::Null => None,
        Value::String(s) => Some(s),
        v => return Err(FunctionError::invalid_argument_type(func, "a String", v)),
    };
    let n = non_negative(func, "length", n)?;
    let (Some(s), Some(n)) = (s, n) else {
        return Ok(Value::Null);
    };
    let out: String = if left {
        s.chars().take(n).collect()
    } else {
        let total = s.chars().count();
        s.chars().skip(total.saturating_sub(n)).collect()
    };
    Ok(Value::string(out))
}

// ---------------------------------------------------------------------------
// Mathematical functions

/// A numeric argument as a float; `Ok(None)` for null.
fn number(func: &str, v: &Value) -> Result<Option<f64>, FunctionError> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) => Ok(Some(*i as f64)),
        Value::Float(f) => Ok(Some(*f)),
        v => Err(FunctionError::invalid_argument_type(func, "a number", v)),
    }
}

fn float_fn(func: &str, v: &Value, f: impl Fn(f64) -> f64) -> R {
    Ok(number(func, v)?.map_or(Value::Null, |x| Value::Float(f(x))))
}

fn abs(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => i
            .checked_abs()
            .map(Value::Int)
            .ok_or_else(|| FunctionError::integer_overflow("abs")),
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => Err(FunctionError::invalid_argument_type("abs", "a number", v)),
    }
}

fn sign(v: &Value) -> R {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => Ok(Value::Int(i.signum())),
        Value::Float(f) => Ok(Value::Int(if *f > 0.0 {
            1
        } else if *f < 0.0 {
            -1
        } else {
            0
        })),
        v => Err(FunctionError::invalid_argument_type("sign", "a number", v)),
    }
}

fn atan2(y: &Value, x: &Value) -> R {
    let y = number("atan2", y)?;
    let x = number("atan2", x)?;
    Ok(match (y, x) {
        (Some(y), Some(x)) => Value::Float(y.atan2(x)),
        _ => Value::Null,
    })
}

/// The rounding modes of `round(x, precision, mode)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundingMode {
    /// Away from zero.
    Up,
    /// Towards zero.
    Down,
    /// Towards positive infinity.
    Ceiling,
    /// Towards negative infinity.
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
    /// No rounding: an error when the value would change.
    Unnecessary,
}

impl RoundingMode {
    pub fn parse(s: &str) -> Option<RoundingMode> {
        Some(match s.to_ascii_uppercase().as_str() {
            "UP" => RoundingMode::Up,
            "DOWN" => RoundingMode::Down,
            "CEILING" => RoundingMode::Ceiling,
            "FLOOR" => RoundingMode::Floor,
            "HALF_UP" => RoundingMode::HalfUp,
            "HALF_DOWN" => RoundingMode::HalfDown,
            "HALF_EVEN" => RoundingMode::HalfEven,
            "UNNECESSARY" => RoundingMode::Unnecessary,
            _ => return None,
        })
    }
}

fn round(args: &[Value]) -> R {
    let x = number("round", args.first().unwrap_or(NULL))?;
    let precision = match args.get(1) {
        None => Some(0),
        Some(Value::Null) => None,
        Some(Value::Int(p)) => Some(*p),
        Some(v) => return Err(FunctionError::invalid_argument_type("round", "an Integer precision", v)),
    };
    let mode = match args.get(2) {
        None => Some(None),
        Some(Value::Null) => None,
        Some(Value::String(s)) => match RoundingMode::parse(s) {
            Some(m) => Some(Some(m)),
            None => {
                return Err(FunctionError::new(
                    ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!(
                        "round(): unknown rounding mode '{s}'; expected one of UP, DOWN, CEILING, FLOOR, HALF_UP, HALF_DOWN, HALF_EVEN, UNNECESSARY"
                    ),
                ))
            }
        },
        Some(v) => return Err(FunctionError::invalid_argument_type("round", "a String rounding mode", v)),
    };
    let (Some(x), Some(precision), Some(mode)) = (x, precision, mode) else {
        return Ok(Value::Null);
    };
    Ok(Value::Float(match mode {
        // Plain round(), and round(x, 0): ties towards positive infinity (-2.5 -> -2.0).
        None if precision == 0 => round_half_up_positive(x),
        None => round_decimal(x, precision, RoundingMode::HalfUp),
        Some(RoundingMode::Unnecessary) => {
            let r = round_decimal(x, precision, RoundingMode::Down);
            if r != x && !x.is_nan() {
                return Err(FunctionError::new(
                    ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!(
                        "round(): rounding {} to {precision} decimal places is necessary (mode UNNECESSARY)",
                        format_float(x)
                    ),
                ));
            }
            x
        }
        Some(mode) => round_decimal(x, precision, mode),
    }))
}

/// Rounds to the nearest integer, halves towards positive infinity.
fn round_half_up_positive(x: f64) -> f64 {
    let f = x.floor();
    // x - floor(x) is exact for every finite float.
    if x - f >= 0.5 {
        f + 1.0
    } else {
        f
    }
}

/// Rounds `x` to `scale` decimal places (negative: to tens, hundreds, ...)
/// in `mode`, working on its shortest decimal representation (so that
/// `round(2.675, 2)` is 2.68, as written, not as stored).
pub fn round_decimal(x: f64, scale: i64, mode: RoundingMode) -> f64 {
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    let negative = x < 0.0;
    // "d.ddddde±N": the shortest digits that read back as x.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i128 = exp.parse().unwrap_or(0);
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).map(|b| b - b'0').collect();
    // digits[0] stands for 10^exp; keep the digits down to 10^-scale.
    let keep = exp + 1 + i128::from(scale);
    if keep >= digits.len() as i128 {
        return x;
    }
    let (kept, first_dropped, rest_nonzero) = if keep < 0 {
        (&digits[..0], 0u8, true)
    } else {
        let k = keep as usize;
        let rest = digits.get(k + 1..).unwrap_or(&[]);
        (
            &digits[..k],
            digits.get(k).copied().unwrap_or(0),
            rest.iter().any(|d| *d != 0),
        )
    };
    let dropped_nonzero = first_dropped != 0 || rest_nonzero;
    let last_odd = kept.last().is_some_and(|d| d % 2 == 1);
    let up = match mode {
        RoundingMode::Up => dropped_nonzero,
        RoundingMode::Down | RoundingMode::Unnecessary => false,
        RoundingMode::Ceiling => dropped_nonzero && !negative,
        RoundingMode::Floor => dropped_nonzero && negative,
        RoundingMode::HalfUp => first_dropped >= 5,
        RoundingMode::HalfDown => first_dropped > 5 || (first_dropped == 5 && rest_nonzero),
        RoundingMode::HalfEven => first_dropped > 5 || (first_dropped == 5 && (rest_nonzero || last_odd)),
    };
    // At most 17 digits: fits in a u128 with room for the carry.
    let mut n: u128 = kept.iter().fold(0, |acc, d| acc * 10 + u128::from(*d));
    if up {
        n += 1;
    }
    let magnitude = format!("{n}e{}", -i128::from(scale)).parse::<f64>().unwrap_or(0.0);
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

// ---------------------------------------------------------------------------
// Randomness and time

static RAND_COUNTER: AtomicU64 = AtomicU64::new(0);

/// 64 random bits: a randomly keyed SipHash of a counter.
fn random_u64() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(RAND_COUNTER.fetch_add(1, AtomicOrdering::Relaxed));
    h.finish()
}

/// A uniformly distributed float in [0, 1).
pub fn rand_f64() -> f64 {
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

fn random_uuid() -> Arc<str> {
    let hi = (random_u64() & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (random_u64() & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
    .into()
}

/// Milliseconds since the Unix epoch.
pub fn timestamp_millis() -> i64 {
    match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// A Unicode normal form by name (`NFC`, `NFD`, `NFKC`, `NFKD`, any case).
pub fn normal_form(name: &str) -> Option<crate::ast::NormalForm> {
    use crate::ast::NormalForm;
    match name.to_ascii_uppercase().as_str() {
        "NFC" => Some(NormalForm::Nfc),
        "NFD" => Some(NormalForm::Nfd),
        "NFKC" => Some(NormalForm::Nfkc),
        "NFKD" => Some(NormalForm::Nfkd),
        _ => None,
    }
}

/// `s` in normal form `f`.
pub fn normalized(s: &str, f: crate::ast::NormalForm) -> String {
    use crate::ast::NormalForm;
    use unicode_normalization::UnicodeNormalization;
    match f {
        NormalForm::Nfc => s.nfc().collect(),
        NormalForm::Nfd => s.nfd().collect(),
        NormalForm::Nfkc => s.nfkc().collect(),
        NormalForm::Nfkd => s.nfkd().collect(),
    }
}

/// Whether `s` is in normal form `f`.
pub fn is_normalized(s: &str, f: crate::ast::NormalForm) -> bool {
    use crate::ast::NormalForm;
    use unicode_normalization::{is_nfc, is_nfd, is_nfkc, is_nfkd};
    match f {
        NormalForm::Nfc => is_nfc(s),
        NormalForm::Nfd => is_nfd(s),
        NormalForm::Nfkc => is_nfkc(s),
        NormalForm::Nfkd => is_nfkd(s),
    }
}

/// `normalize(s [, form])`: the form is a string (`'NFD'`); the planner turns
/// a bare `NFD` into one.
fn normalize(s: &Value, form: &Value) -> R {
    let f = match form {
        Value::Null => crate::ast::NormalForm::Nfc,
        Value::String(name) => normal_form(name).ok_or_else(|| {
            FunctionError::new(
                crate::error::ErrorKind::ArgumentError,
                "InvalidArgumentValue",
                format!("normalize(): unknown normal form `{name}`; use NFC, NFD, NFKC or NFKD"),
            )
        })?,
        v => return Err(FunctionError::invalid_argument_type("normalize", "a normal form", v)),
    };
    match s {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::string(normalized(s, f))),
        v => Err(FunctionError::invalid_argument_type("normalize", "a String", v)),
    }
}
