//! Unit tests of the scalar and aggregating functions, many taken from the TCK.

#![allow(clippy::cloned_ref_to_slice_refs, clippy::excessive_precision)]

use std::collections::BTreeMap;
use std::sync::Arc;

use super::aggregate::{count_star, new_accumulator};
use super::scalar::{call, round_decimal, RoundingMode};
use super::FunctionError;
use crate::error::ErrorKind;
use crate::value::{NodeId, Path, RelId, Value};

// ---------------------------------------------------------------------------
// Helpers

fn s(x: &str) -> Value {
    Value::string(x)
}

fn i(x: i64) -> Value {
    Value::Int(x)
}

fn f(x: f64) -> Value {
    Value::Float(x)
}

fn l(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn m(pairs: &[(&str, Value)]) -> Value {
    let mut map = BTreeMap::new();
    for (k, v) in pairs {
        map.insert(Arc::<str>::from(*k), v.clone());
    }
    Value::map(map)
}

fn path() -> Value {
    Value::Path(Arc::new(Path {
        nodes: vec![NodeId(1), NodeId(2), NodeId(3)],
        rels: vec![RelId(10), RelId(11)],
    }))
}

const NULL: Value = Value::Null;

/// Calls a function that must be handled here and succeed.
fn ok(name: &str, args: &[Value]) -> Value {
    match call(name, args) {
        Some(Ok(v)) => v,
        Some(Err(e)) => panic!("{name}({args:?}) failed: {e}"),
        None => panic!("{name}({args:?}) not handled"),
    }
}

/// Calls a function that must be handled here and fail.
fn err(name: &str, args: &[Value]) -> FunctionError {
    match call(name, args) {
        Some(Err(e)) => e,
        Some(Ok(v)) => panic!("{name}({args:?}) gave {v:?}, expected an error"),
        None => panic!("{name}({args:?}) not handled"),
    }
}

fn assert_err(name: &str, args: &[Value], kind: ErrorKind, code: &str) {
    let e = err(name, args);
    assert_eq!((e.kind, e.code), (kind, code), "{name}({args:?}): {}", e.message);
}

fn type_err(name: &str, args: &[Value]) {
    assert_err(name, args, ErrorKind::TypeError, "InvalidArgumentType");
}

fn conversion_err(name: &str, args: &[Value]) {
    assert_err(name, args, ErrorKind::TypeError, "InvalidArgumentValue");
}

fn out_of_range(name: &str, args: &[Value]) {
    assert_err(name, args, ErrorKind::ArgumentError, "NumberOutOfRange");
}

fn float_of(v: Value) -> f64 {
    match v {
        Value::Float(x) => x,
        other => panic!("expected a float, got {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 || (a.is_nan() && b.is_nan())
}

/// Runs an aggregate over rows of (value) or (value, extra argument).
fn agg(name: &str, distinct: bool, rows: &[Value]) -> Result<Value, FunctionError> {
    let mut acc = new_accumulator(name, distinct).expect("an aggregate");
    for r in rows {
        acc.update(std::slice::from_ref(r))?;
    }
    acc.finish()
}

fn agg2(name: &str, distinct: bool, rows: &[(Value, Value)]) -> Result<Value, FunctionError> {
    let mut acc = new_accumulator(name, distinct).expect("an aggregate");
    for (a, b) in rows {
        acc.update(&[a.clone(), b.clone()])?;
    }
    acc.finish()
}

// ---------------------------------------------------------------------------
// Dispatch

#[test]
fn names_are_case_insensitive_and_unknown_names_are_not_handled() {
    assert_eq!(ok("toUpper", &[s("a")]), s("A"));
    assert_eq!(ok("TOUPPER", &[s("a")]), s("A"));
    assert!(call("foo", &[]).is_none());
    assert!(call("count", &[i(1)]).is_none());
    assert!(call("date", &[]).is_none());
    assert!(call("duration.between", &[NULL, NULL]).is_none());
}

#[test]
fn wrong_argument_counts_are_errors_not_panics() {
    assert_err("toUpper", &[], ErrorKind::SyntaxError, "InvalidNumberOfArguments");
    assert_err("abs", &[i(1), i(2)], ErrorKind::SyntaxError, "InvalidNumberOfArguments");
    assert_err("coalesce", &[], ErrorKind::SyntaxError, "InvalidNumberOfArguments");
    assert_err("range", &[i(1)], ErrorKind::SyntaxError, "InvalidNumberOfArguments");
    assert_err("pi", &[i(1)], ErrorKind::SyntaxError, "InvalidNumberOfArguments");
}

// ---------------------------------------------------------------------------
// Graph functions

#[test]
fn graph_functions_leave_entities_to_the_executor() {
    let n = Value::Node(NodeId(1));
    let r = Value::Relationship(RelId(1));
    for (name, arg) in [
        ("id", &n),
        ("id", &r),
        ("elementId", &n),
        ("labels", &n),
        ("type", &r),
        ("keys", &n),
        ("keys", &r),
        ("properties", &n),
        ("properties", &r),
        ("startNode", &r),
        ("endNode", &r),
    ] {
        assert!(call(name, std::slice::from_ref(arg)).is_none(), "{name}");
    }
}

#[test]
fn graph_functions_on_null_and_wrong_types() {
    for name in [
        "id",
        "labels",
        "type",
        "keys",
        "properties",
        "startNode",
        "endNode",
        "length",
        "nodes",
        "relationships",
    ] {
        assert_eq!(ok(name, &[NULL]), NULL, "{name}");
        type_err(name, &[i(1)]);
    }
    type_err("labels", &[Value::Relationship(RelId(1))]);
    type_err("type", &[Value::Node(NodeId(1))]);
    type_err("startNode", &[Value::Node(NodeId(1))]);
    // properties(1), properties('Cypher'), properties([true, false]) (Graph9).
    type_err("properties", &[s("Cypher")]);
    type_err("properties", &[l(vec![Value::Bool(true), Value::Bool(false)])]);
    type_err("length", &[Value::Node(NodeId(1))]);
}

#[test]
fn keys_and_properties_of_maps() {
    // Map3 [1]: keys of a literal map (order ignored in the TCK).
    let map = m(&[
        ("name", s("Alice")),
        ("age", i(38)),
        ("address", m(&[("city", s("London"))])),
    ]);
    assert_eq!(ok("keys", &[map.clone()]), l(vec![s("address"), s("age"), s("name")]));
    // Map3 [4]: keys of maps with null values are kept.
    assert_eq!(ok("keys", &[m(&[])]), l(vec![]));
    assert_eq!(ok("keys", &[m(&[("k", NULL)])]), l(vec![s("k")]));
    assert_eq!(ok("keys", &[m(&[("k", NULL), ("l", i(1))])]), l(vec![s("k"), s("l")]));
    // Graph9 [4]: properties of a map is the map.
    let popeye = m(&[("name", s("Popeye")), ("level", i(9001))]);
    assert_eq!(ok("properties", &[popeye.clone()]), popeye);
}

#[test]
fn paths_lengths_nodes_relationships() {
    assert_eq!(ok("length", &[path()]), i(2));
    assert_eq!(
        ok("nodes", &[path()]),
        l(vec![
            Value::Node(NodeId(1)),
            Value::Node(NodeId(2)),
            Value::Node(NodeId(3))
        ])
    );
    assert_eq!(
        ok("relationships", &[path()]),
        l(vec![Value::Relationship(RelId(10)), Value::Relationship(RelId(11))])
    );
    assert_eq!(ok("length", &[s("héllo")]), i(5));
    assert_eq!(ok("length", &[l(vec![i(1), i(2)])]), i(2));
    type_err("nodes", &[l(vec![])]);
}

#[test]
fn exists_tests_for_null() {
    assert_eq!(ok("exists", &[NULL]), Value::Bool(false));
    assert_eq!(ok("exists", &[i(0)]), Value::Bool(true));
}

// ---------------------------------------------------------------------------
// General and list functions

#[test]
fn coalesce_returns_the_first_non_null() {
    assert_eq!(ok("coalesce", &[NULL, i(1), i(2)]), i(1));
    assert_eq!(ok("coalesce", &[NULL, NULL]), NULL);
    assert_eq!(ok("coalesce", &[s("x")]), s("x"));
}

#[test]
fn size_of_strings_and_lists() {
    // List6.
    assert_eq!(ok("size", &[l(vec![i(1), i(2), i(3)])]), i(3));
    assert_eq!(ok("size", &[l(vec![l(vec![]), l(vec![]), l(vec![])])]), i(3));
    assert_eq!(ok("size", &[NULL]), NULL);
    assert_eq!(ok("size", &[s("")]), i(0));
    assert_eq!(ok("size", &[s("héllo")]), i(5));
    type_err("size", &[i(1)]);
    type_err("size", &[m(&[])]);
    type_err("size", &[path()]);
    assert_eq!(ok("char_length", &[s("héllo")]), i(5));
    assert_eq!(ok("character_length", &[NULL]), NULL);
    type_err("char_length", &[l(vec![])]);
}

#[test]
fn head_last_tail() {
    let list = l(vec![i(1), i(2), i(3)]);
    assert_eq!(ok("head", &[list.clone()]), i(1));
    assert_eq!(ok("last", &[list.clone()]), i(3));
    assert_eq!(ok("tail", &[list.clone()]), l(vec![i(2), i(3)]));
    assert_eq!(ok("head", &[l(vec![])]), NULL);
    assert_eq!(ok("last", &[l(vec![])]), NULL);
    assert_eq!(ok("tail", &[l(vec![])]), l(vec![]));
    // List9: tail(tail([1, 2, 3, 4, 5])).
    let five = l((1..=5).map(i).collect());
    assert_eq!(ok("tail", &[ok("tail", &[five])]), l(vec![i(3), i(4), i(5)]));
    for name in ["head", "last", "tail"] {
        assert_eq!(ok(name, &[NULL]), NULL);
        type_err(name, &[s("abc")]);
    }
}

#[test]
fn range_with_default_and_explicit_steps() {
    // List11 [1], [2].
    assert_eq!(ok("range", &[i(-1), i(0)]), l(vec![i(-1), i(0)]));
    assert_eq!(ok("range", &[i(0), i(3)]), l(vec![i(0), i(1), i(2), i(3)]));
    assert_eq!(ok("range", &[i(1), i(0)]), l(vec![]));
    assert_eq!(ok("range", &[i(0), i(10), i(3)]), l(vec![i(0), i(3), i(6), i(9)]));
    assert_eq!(ok("range", &[i(5), i(1), i(-2)]), l(vec![i(5), i(3), i(1)]));
    assert_eq!(ok("range", &[i(0), i(-1), i(1)]), l(vec![]));
    assert_eq!(ok("range", &[i(0), i(1), i(-1)]), l(vec![]));
    assert_eq!(ok("range", &[i(2), i(2), i(-5)]), l(vec![i(2)]));
    assert_eq!(ok("range", &[NULL, i(1)]), NULL);
}

#[test]
fn range_direction_and_step_direction() {
    // List11 [3]: the list is empty exactly when the directions disagree.
    for stop in [1, 2, 500, 1000, 1500] {
        for step in [-1000, -3, -2, -1, 1, 2, 3, 1000] {
            let Value::List(list) = ok("range", &[i(0), i(stop), i(step)]) else {
                panic!()
            };
            let empty = i64::signum(stop) != i64::signum(step);
            assert_eq!(list.is_empty(), empty, "range(0, {stop}, {step})");
        }
    }
}

#[test]
fn range_errors() {
    // List11 [4]: a zero step.
    for (a, b) in [(0, 0), (2, 8), (-2, 8), (2, -8)] {
        out_of_range("range", &[i(a), i(b), i(0)]);
    }
    // List11 [5]: non-integer arguments.
    let bad = [
        Value::Bool(true),
        f(-1.1),
        f(-0.0),
        f(0.0),
        f(1.1),
        s("xyz"),
        l(vec![i(0)]),
        m(&[("start", i(0))]),
    ];
    for b in bad {
        for pos in 0..3 {
            let mut args = vec![i(0), i(1), i(1)];
            args[pos] = b.clone();
            assert_err("range", &args, ErrorKind::ArgumentError, "InvalidArgumentType");
        }
    }
    // Huge ranges are refused, without overflow at the extremes.
    out_of_range("range", &[i(0), i(i64::MAX)]);
    out_of_range("range", &[i(i64::MIN), i(i64::MAX), i(1)]);
    out_of_range("range", &[i(i64::MAX), i(i64::MIN), i(-1)]);
    assert_eq!(
        ok("range", &[i(i64::MIN), i(i64::MAX), i(i64::MAX)]),
        l(vec![i(i64::MIN), i(-1), i(i64::MAX - 1)])
    );
    assert_eq!(
        ok("range", &[i(i64::MAX - 1), i(i64::MAX), i(i64::MAX)]),
        l(vec![i(i64::MAX - 1)])
    );
}

#[test]
fn reverse_strings_and_lists() {
    // String3.
    assert_eq!(ok("reverse", &[s("raksO")]), s("Oskar"));
    assert_eq!(ok("reverse", &[s("héllo")]), s("olléh"));
    assert_eq!(
        ok("reverse", &[l(vec![i(1), NULL, s("a")])]),
        l(vec![s("a"), NULL, i(1)])
    );
    assert_eq!(ok("reverse", &[NULL]), NULL);
    type_err("reverse", &[i(12)]);
}

#[test]
fn is_empty_and_null_if() {
    assert_eq!(ok("isEmpty", &[s("")]), Value::Bool(true));
    assert_eq!(ok("isEmpty", &[l(vec![i(1)])]), Value::Bool(false));
    assert_eq!(ok("isEmpty", &[m(&[])]), Value::Bool(true));
    assert_eq!(ok("isEmpty", &[NULL]), NULL);
    type_err("isEmpty", &[i(1)]);
    assert_eq!(ok("nullIf", &[i(1), f(1.0)]), NULL);
    assert_eq!(ok("nullIf", &[i(1), i(2)]), i(1));
    assert_eq!(ok("nullIf", &[i(1), NULL]), i(1));
}

// ---------------------------------------------------------------------------
// Conversion functions

fn invalid_for_conversion() -> Vec<Value> {
    vec![
        l(vec![]),
        m(&[]),
        Value::Node(NodeId(0)),
        Value::Relationship(RelId(0)),
        path(),
    ]
}

#[test]
fn to_boolean() {
    // TypeConversion1.
    assert_eq!(ok("toBoolean", &[Value::Bool(true)]), Value::Bool(true));
    assert_eq!(ok("toBoolean", &[Value::Bool(false)]), Value::Bool(false));
    assert_eq!(ok("toBoolean", &[s("true")]), Value::Bool(true));
    assert_eq!(ok("toBoolean", &[s("false")]), Value::Bool(false));
    assert_eq!(ok("toBoolean", &[s("TRUE")]), Value::Bool(true));
    for x in [NULL, s(""), s(" tru "), s("f alse")] {
        assert_eq!(ok("toBoolean", &[x]), NULL);
    }
    assert_eq!(ok("toBoolean", &[i(0)]), Value::Bool(false));
    assert_eq!(ok("toBoolean", &[i(7)]), Value::Bool(true));
    conversion_err("toBoolean", &[f(1.0)]);
    for x in invalid_for_conversion() {
        conversion_err("toBoolean", &[x.clone()]);
        assert_eq!(ok("toBooleanOrNull", &[x]), NULL);
    }
    assert_eq!(ok("toBooleanOrNull", &[s("true")]), Value::Bool(true));
    assert_eq!(ok("toBooleanOrNull", &[f(1.0)]), NULL);
}

#[test]
fn to_integer() {
    // TypeConversion2.
    assert_eq!(ok("toInteger", &[f(82.9)]), i(82));
    assert_eq!(ok("toInteger", &[f(-82.9)]), i(-82));
    assert_eq!(ok("toInteger", &[s("foo")]), NULL);
    assert_eq!(ok("toInteger", &[s("")]), NULL);
    assert_eq!(ok("toInteger", &[i(2)]), i(2));
    assert_eq!(ok("toInteger", &[f(2.9)]), i(2));
    assert_eq!(ok("toInteger", &[s("1.7")]), i(1));
    assert_eq!(ok("toInteger", &[s("2")]), i(2));
    assert_eq!(ok("toInteger", &[s("2.9")]), i(2));
    assert_eq!(ok("toInteger", &[s("3.9")]), i(3));
    assert_eq!(ok("toInteger", &[s("42")]), i(42));
    assert_eq!(ok("toInteger", &[s(" 42 ")]), i(42));
    assert_eq!(ok("toInteger", &[s("-7")]), i(-7));
    assert_eq!(ok("toInteger", &[s("1e3")]), i(1000));
    assert_eq!(ok("toInteger", &[s("9223372036854775807")]), i(i64::MAX));
    assert_eq!(ok("toInteger", &[s("9223372036854775808")]), NULL);
    assert_eq!(ok("toInteger", &[s("inf")]), NULL);
    assert_eq!(ok("toInteger", &[s("NaN")]), NULL);
    assert_eq!(ok("toInteger", &[f(f64::NAN)]), NULL);
    assert_eq!(ok("toInteger", &[f(1e20)]), NULL);
    assert_eq!(ok("toInteger", &[f(-9.223372036854775808e18)]), i(i64::MIN));
    assert_eq!(ok("toInteger", &[Value::Bool(true)]), i(1));
    assert_eq!(ok("toInteger", &[NULL]), NULL);
    for x in invalid_for_conversion() {
        conversion_err("toInteger", &[x.clone()]);
        assert_eq!(ok("toIntegerOrNull", &[x]), NULL);
    }
    assert_eq!(ok("toIntegerOrNull", &[s("12")]), i(12));
}

#[test]
fn to_float() {
    // TypeConversion3.
    assert_eq!(ok("toFloat", &[f(3.4)]), f(3.4));
    assert_eq!(ok("toFloat", &[i(3)]), f(3.0));
    assert_eq!(ok("toFloat", &[s("5")]), f(5.0));
    assert_eq!(ok("toFloat", &[s("1")]), f(1.0));
    assert_eq!(ok("toFloat", &[s("foo")]), NULL);
    assert_eq!(ok("toFloat", &[s("")]), NULL);
    assert_eq!(ok("toFloat", &[s(" 2.5 ")]), f(2.5));
    assert_eq!(ok("toFloat", &[s("1e-3")]), f(0.001));
    assert_eq!(ok("toFloat", &[s("infinity")]), NULL);
    assert!(float_of(ok("toFloat", &[s("NaN")])).is_nan());
    assert_eq!(ok("toFloat", &[s("-Infinity")]), f(f64::NEG_INFINITY));
    assert_eq!(ok("toFloat", &[NULL]), NULL);
    conversion_err("toFloat", &[Value::Bool(true)]);
    for x in invalid_for_conversion() {
        conversion_err("toFloat", &[x.clone()]);
        assert_eq!(ok("toFloatOrNull", &[x]), NULL);
    }
    assert_eq!(ok("toFloatOrNull", &[Value::Bool(true)]), NULL);
    assert_eq!(ok("toFloatOrNull", &[s("1.5")]), f(1.5));
}

#[test]
fn to_string() {
    // TypeConversion4.
    assert_eq!(ok("toString", &[i(42)]), s("42"));
    assert_eq!(ok("toString", &[Value::Bool(true)]), s("true"));
    assert_eq!(ok("toString", &[Value::Bool(false)]), s("false"));
    assert_eq!(ok("toString", &[f(2.3)]), s("2.3"));
    assert_eq!(ok("toString", &[s("apa")]), s("apa"));
    assert_eq!(ok("toString", &[f(1.0)]), s("1.0"));
    assert_eq!(ok("toString", &[f(-0.5)]), s("-0.5"));
    assert_eq!(ok("toString", &[i(-9)]), s("-9"));
    assert_eq!(ok("toString", &[NULL]), NULL);
    for x in invalid_for_conversion() {
        conversion_err("toString", &[x.clone()]);
        assert_eq!(ok("toStringOrNull", &[x]), NULL);
    }
    assert_eq!(ok("toStringOrNull", &[i(1)]), s("1"));
}

#[test]
fn conversion_of_lists() {
    let mixed = l(vec![i(1), s("2.5"), s("x"), NULL, Value::Bool(true), l(vec![])]);
    assert_eq!(
        ok("toIntegerList", &[mixed.clone()]),
        l(vec![i(1), i(2), NULL, NULL, i(1), NULL])
    );
    assert_eq!(
        ok("toFloatList", &[mixed.clone()]),
        l(vec![f(1.0), f(2.5), NULL, NULL, NULL, NULL])
    );
    assert_eq!(
        ok("toStringList", &[mixed.clone()]),
        l(vec![s("1"), s("2.5"), s("x"), NULL, s("true"), NULL])
    );
    assert_eq!(
        ok("toBooleanList", &[l(vec![s("true"), i(0), f(1.0)])]),
        l(vec![Value::Bool(true), Value::Bool(false), NULL])
    );
    assert_eq!(ok("toIntegerList", &[NULL]), NULL);
    type_err("toIntegerList", &[i(1)]);
}

// ---------------------------------------------------------------------------
// String functions

#[test]
fn upper_lower() {
    assert_eq!(ok("toUpper", &[s("hello")]), s("HELLO"));
    assert_eq!(ok("toLower", &[s("HeLLo")]), s("hello"));
    assert_eq!(ok("upper", &[s("ß")]), s("SS"));
    assert_eq!(ok("toUpper", &[NULL]), NULL);
    type_err("toUpper", &[i(1)]);
    type_err("toLower", &[l(vec![])]);
}

#[test]
fn trims() {
    assert_eq!(ok("trim", &[s("  hello \n")]), s("hello"));
    assert_eq!(ok("ltrim", &[s("  hello  ")]), s("hello  "));
    assert_eq!(ok("rtrim", &[s("  hello  ")]), s("  hello"));
    assert_eq!(ok("btrim", &[s("xxhixx"), s("x")]), s("hi"));
    assert_eq!(ok("ltrim", &[s("xyhixy"), s("xy")]), s("hixy"));
    assert_eq!(ok("rtrim", &[s("xyhixy"), s("yx")]), s("xyhi"));
    assert_eq!(ok("trim", &[NULL]), NULL);
    assert_eq!(ok("trim", &[s("a"), NULL]), NULL);
    type_err("trim", &[i(1)]);
    type_err("ltrim", &[Value::Bool(true)]);
}

#[test]
fn replace_substring_split_left_right() {
    assert_eq!(ok("replace", &[s("hello"), s("l"), s("w")]), s("hewwo"));
    assert_eq!(ok("replace", &[s("abc"), s(""), s("-")]), s("-a-b-c-"));
    assert_eq!(ok("replace", &[s("hello"), NULL, s("w")]), NULL);
    type_err("replace", &[s("hello"), i(1), s("w")]);

    // String1: substring with the default length.
    assert_eq!(ok("substring", &[s("0123456789"), i(1)]), s("123456789"));
    assert_eq!(ok("substring", &[s("0123456789"), i(1), i(3)]), s("123"));
    assert_eq!(ok("substring", &[s("0123"), i(10)]), s(""));
    assert_eq!(ok("substring", &[s("0123"), i(2), i(10)]), s("23"));
    assert_eq!(ok("substring", &[s("héllo"), i(1), i(2)]), s("él"));
    assert_eq!(ok("substring", &[NULL, i(1)]), NULL);
    out_of_range("substring", &[s("abc"), i(-1)]);
    out_of_range("substring", &[s("abc"), i(0), i(-1)]);
    type_err("substring", &[s("abc"), f(1.0)]);
    type_err("substring", &[i(1), i(1)]);

    // String4: split.
    assert_eq!(ok("split", &[s("one1two"), s("1")]), l(vec![s("one"), s("two")]));
    assert_eq!(
        ok("split", &[s("a,,b,"), s(",")]),
        l(vec![s("a"), s(""), s("b"), s("")])
    );
    assert_eq!(ok("split", &[s("abc"), s("")]), l(vec![s("a"), s("b"), s("c")]));
    assert_eq!(ok("split", &[s(""), s(",")]), l(vec![s("")]));
    assert_eq!(
        ok("split", &[s("a-b_c"), l(vec![s("-"), s("_")])]),
        l(vec![s("a"), s("b"), s("c")])
    );
    assert_eq!(ok("split", &[s("héllo"), s("l")]), l(vec![s("hé"), s(""), s("o")]));
    assert_eq!(ok("split", &[NULL, s(",")]), NULL);
    assert_eq!(ok("split", &[s("a"), NULL]), NULL);
    type_err("split", &[s("a"), i(1)]);

    assert_eq!(ok("left", &[s("hello"), i(3)]), s("hel"));
    assert_eq!(ok("left", &[s("hello"), i(30)]), s("hello"));
    assert_eq!(ok("right", &[s("hello"), i(3)]), s("llo"));
    assert_eq!(ok("right", &[s("hello"), i(30)]), s("hello"));
    assert_eq!(ok("right", &[s("hello"), i(0)]), s(""));
    assert_eq!(ok("left", &[NULL, i(3)]), NULL);
    out_of_range("left", &[s("hello"), i(-1)]);
    out_of_range("right", &[s("hello"), i(-1)]);
    type_err("left", &[i(1), i(1)]);
    type_err("right", &[s("a"), s("1")]);
}

// ---------------------------------------------------------------------------
// Mathematical functions

#[test]
fn abs_sign_ceil_floor() {
    // Mathematical11.
    assert_eq!(ok("abs", &[i(-1)]), i(1));
    assert_eq!(ok("abs", &[f(-1.5)]), f(1.5));
    assert_eq!(ok("abs", &[NULL]), NULL);
    assert_eq!(ok("abs", &[i(i64::MAX)]), i(i64::MAX));
    out_of_range("abs", &[i(i64::MIN)]);
    type_err("abs", &[s("1")]);

    assert_eq!(ok("sign", &[i(-5)]), i(-1));
    assert_eq!(ok("sign", &[i(0)]), i(0));
    assert_eq!(ok("sign", &[f(0.1)]), i(1));
    assert_eq!(ok("sign", &[f(-0.1)]), i(-1));
    assert_eq!(ok("sign", &[f(f64::NAN)]), i(0));
    assert_eq!(ok("sign", &[NULL]), NULL);
    type_err("sign", &[Value::Bool(true)]);

    assert_eq!(ok("ceil", &[f(0.1)]), f(1.0));
    assert_eq!(ok("ceil", &[i(2)]), f(2.0));
    assert_eq!(ok("floor", &[f(-0.1)]), f(-1.0));
    assert_eq!(ok("floor", &[NULL]), NULL);
    type_err("ceil", &[s("x")]);
}

#[test]
fn round_like_the_reference() {
    assert_eq!(ok("round", &[f(3.171592)]), f(3.0));
    assert_eq!(ok("round", &[f(2.5)]), f(3.0));
    assert_eq!(ok("round", &[f(-2.5)]), f(-2.0));
    assert_eq!(ok("round", &[f(-2.6)]), f(-3.0));
    assert_eq!(ok("round", &[f(0.49999999999999994)]), f(0.0));
    assert_eq!(ok("round", &[i(3)]), f(3.0));
    assert_eq!(ok("round", &[NULL]), NULL);
    assert_eq!(ok("round", &[f(1.5), NULL]), NULL);
    // With a precision: HALF_UP on the written decimal value.
    assert_eq!(ok("round", &[f(3.171592), i(3)]), f(3.172));
    assert_eq!(ok("round", &[f(2.675), i(2)]), f(2.68));
    assert_eq!(ok("round", &[f(-1.55), i(1)]), f(-1.6));
    // Precision 0 without a mode aligns with round(x): -1.5 -> -1.0.
    assert_eq!(ok("round", &[f(-1.5), i(0)]), f(-1.0));
    assert_eq!(ok("round", &[f(-1.5), i(0), s("HALF_UP")]), f(-2.0));
    assert_eq!(ok("round", &[f(2.0), i(0), s("UNNECESSARY")]), f(2.0));
    assert_eq!(ok("round", &[f(1234.5), i(-2)]), f(1200.0));
    assert_eq!(ok("round", &[f(0.001), i(1)]), f(0.0));
    assert_eq!(ok("round", &[f(0.05), i(1)]), f(0.1));
    assert_eq!(ok("round", &[f(9.99), i(1)]), f(10.0));
    assert_eq!(ok("round", &[f(1.0), i(400)]), f(1.0));
    // With a mode.
    assert_eq!(ok("round", &[f(1.249), i(1), s("UP")]), f(1.3));
    assert_eq!(ok("round", &[f(-1.249), i(1), s("UP")]), f(-1.3));
    assert_eq!(ok("round", &[f(1.29), i(1), s("DOWN")]), f(1.2));
    assert_eq!(ok("round", &[f(-1.21), i(1), s("CEILING")]), f(-1.2));
    assert_eq!(ok("round", &[f(-1.21), i(1), s("FLOOR")]), f(-1.3));
    assert_eq!(ok("round", &[f(1.25), i(1), s("HALF_DOWN")]), f(1.2));
    assert_eq!(ok("round", &[f(1.251), i(1), s("HALF_DOWN")]), f(1.3));
    assert_eq!(ok("round", &[f(1.25), i(1), s("HALF_EVEN")]), f(1.2));
    assert_eq!(ok("round", &[f(1.35), i(1), s("half_even")]), f(1.4));
    assert_eq!(ok("round", &[f(2.5), i(0), s("HALF_EVEN")]), f(2.0));
    assert_eq!(ok("round", &[f(0.004), i(2), s("UP")]), f(0.01));
    assert_eq!(ok("round", &[f(0.004), i(1), s("UP")]), f(0.1));
    assert_eq!(ok("round", &[f(0.004), i(1), s("FLOOR")]), f(0.0));
    assert_eq!(ok("round", &[f(1.25), i(2), s("UNNECESSARY")]), f(1.25));
    assert_err(
        "round",
        &[f(1.25), i(1), s("UNNECESSARY")],
        ErrorKind::ArgumentError,
        "InvalidArgumentValue",
    );
    assert_err(
        "round",
        &[f(1.0), i(1), s("SIDEWAYS")],
        ErrorKind::ArgumentError,
        "InvalidArgumentValue",
    );
    type_err("round", &[s("1")]);
    type_err("round", &[f(1.0), f(1.0)]);
    assert!(float_of(ok("round", &[f(f64::NAN), i(2)])).is_nan());
    assert_eq!(round_decimal(f64::INFINITY, 2, RoundingMode::Up), f64::INFINITY);
    assert_eq!(round_decimal(123.456, i64::MIN, RoundingMode::Down), 0.0);
    assert_eq!(round_decimal(123.456, i64::MAX, RoundingMode::Down), 123.456);
}

#[test]
fn float_functions() {
    // Mathematical13: sqrt(12.96) = 3.6.
    assert!(close(float_of(ok("sqrt", &[f(12.96)])), 3.6));
    assert!(float_of(ok("sqrt", &[i(-1)])).is_nan());
    assert!(close(float_of(ok("exp", &[i(0)])), 1.0));
    assert!(close(float_of(ok("log", &[f(std::f64::consts::E)])), 1.0));
    assert!(close(float_of(ok("log10", &[i(1000)])), 3.0));
    assert_eq!(float_of(ok("log", &[i(0)])), f64::NEG_INFINITY);
    assert!(close(float_of(ok("sin", &[i(0)])), 0.0));
    assert!(close(float_of(ok("cos", &[i(0)])), 1.0));
    assert!(close(float_of(ok("tan", &[i(0)])), 0.0));
    assert!(close(float_of(ok("cot", &[f(std::f64::consts::FRAC_PI_4)])), 1.0));
    assert!(close(float_of(ok("asin", &[i(1)])), std::f64::consts::FRAC_PI_2));
    assert!(close(float_of(ok("acos", &[i(1)])), 0.0));
    assert!(close(float_of(ok("atan", &[i(1)])), std::f64::consts::FRAC_PI_4));
    assert!(close(float_of(ok("atan2", &[i(1), i(1)])), std::f64::consts::FRAC_PI_4));
    assert_eq!(ok("atan2", &[NULL, i(1)]), NULL);
    type_err("atan2", &[i(1), s("1")]);
    assert!(close(float_of(ok("degrees", &[f(std::f64::consts::PI)])), 180.0));
    assert!(close(float_of(ok("radians", &[i(180)])), std::f64::consts::PI));
    assert!(close(float_of(ok("haversin", &[f(0.5)])), (1.0 - 0.5f64.cos()) / 2.0));
    assert!(close(float_of(ok("e", &[])), std::f64::consts::E));
    assert!(close(float_of(ok("pi", &[])), std::f64::consts::PI));
    for name in [
        "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "cot", "asin", "acos", "atan", "degrees", "radians",
        "haversin",
    ] {
        assert_eq!(ok(name, &[NULL]), NULL, "{name}");
        type_err(name, &[s("1")]);
    }
    assert_eq!(ok("isNaN", &[f(f64::NAN)]), Value::Bool(true));
    assert_eq!(ok("isNaN", &[f(1.0)]), Value::Bool(false));
    assert_eq!(ok("isNaN", &[i(1)]), Value::Bool(false));
    assert_eq!(ok("isNaN", &[NULL]), NULL);
    type_err("isNaN", &[s("NaN")]);
}

#[test]
fn rand_uuid_timestamp() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1000 {
        let x = float_of(ok("rand", &[]));
        assert!((0.0..1.0).contains(&x));
        seen.insert(x.to_bits());
    }
    assert!(seen.len() > 990);
    let Value::String(u) = ok("randomUUID", &[]) else {
        panic!()
    };
    assert_eq!(u.len(), 36);
    assert_eq!(u.as_bytes()[14], b'4');
    assert_ne!(ok("randomUUID", &[]), Value::String(u));
    let Value::Int(t) = ok("timestamp", &[]) else { panic!() };
    assert!(t > 1_600_000_000_000);
}

#[test]
fn no_panics_on_odd_inputs() {
    let odd = vec![
        NULL,
        i(i64::MIN),
        i(i64::MAX),
        i(-1),
        f(f64::NAN),
        f(f64::INFINITY),
        f(-0.0),
        s(""),
        s("é"),
        l(vec![]),
        m(&[]),
        Value::Node(NodeId(0)),
        Value::Relationship(RelId(0)),
        path(),
        Value::Bool(true),
    ];
    let names = [
        "coalesce",
        "size",
        "head",
        "last",
        "tail",
        "range",
        "reverse",
        "toString",
        "toInteger",
        "toFloat",
        "toBoolean",
        "toStringOrNull",
        "toIntegerOrNull",
        "toFloatOrNull",
        "toBooleanOrNull",
        "toUpper",
        "toLower",
        "trim",
        "ltrim",
        "rtrim",
        "replace",
        "substring",
        "split",
        "left",
        "right",
        "abs",
        "ceil",
        "floor",
        "round",
        "sign",
        "sqrt",
        "exp",
        "log",
        "log10",
        "sin",
        "cos",
        "tan",
        "cot",
        "asin",
        "acos",
        "atan",
        "atan2",
        "degrees",
        "radians",
        "haversin",
        "isNaN",
        "char_length",
        "keys",
        "properties",
        "length",
        "nodes",
        "relationships",
        "isEmpty",
        "nullIf",
        "toIntegerList",
        "exists",
        "labels",
        "id",
    ];
    for name in names {
        for a in &odd {
            let _ = call(name, std::slice::from_ref(a));
            for b in &odd {
                let _ = call(name, &[a.clone(), b.clone()]);
                for c in [NULL, i(-1), i(i64::MAX), i(i64::MIN), s("UP")] {
                    let _ = call(name, &[a.clone(), b.clone(), c]);
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Aggregates

#[test]
fn count_ignores_nulls_count_star_does_not() {
    // Aggregation1 [1].
    assert_eq!(agg("count", false, &[i(33), NULL]), Ok(i(1)));
    assert_eq!(agg("count", false, &[]), Ok(i(0)));
    let mut star = count_star();
    for _ in 0..3 {
        star.update(&[]).unwrap();
    }
    assert_eq!(star.finish(), Ok(i(3)));
    // Aggregation8: distinct on nulls and unbound values.
    assert_eq!(agg("count", true, &[NULL]), Ok(i(0)));
    assert_eq!(agg("count", true, &[i(1), f(1.0), i(2), NULL, i(2)]), Ok(i(2)));
    assert!(new_accumulator("foo", false).is_none());
    assert!(new_accumulator("COUNT", false).is_some());
}

#[test]
fn min_and_max() {
    // Aggregation2.
    let ints = [i(1), i(2), i(0), NULL, i(-1)];
    assert_eq!(agg("max", false, &ints), Ok(i(2)));
    assert_eq!(agg("min", false, &ints), Ok(i(-1)));
    let floats = [f(1.0), f(2.0), f(0.5), NULL];
    assert_eq!(agg("max", false, &floats), Ok(f(2.0)));
    assert_eq!(agg("min", false, &floats), Ok(f(0.5)));
    let mixed = [i(1), f(2.0), i(5), NULL, f(3.2), f(0.1)];
    assert_eq!(agg("max", false, &mixed), Ok(i(5)));
    assert_eq!(agg("min", false, &mixed), Ok(f(0.1)));
    let strings = [s("a"), s("b"), s("B"), NULL, s("abc"), s("abc1")];
    assert_eq!(agg("max", false, &strings), Ok(s("b")));
    assert_eq!(agg("min", false, &strings), Ok(s("B")));
    let lists = [l(vec![i(1)]), l(vec![i(2)]), l(vec![i(2), i(1)])];
    assert_eq!(agg("max", false, &lists), Ok(l(vec![i(2), i(1)])));
    assert_eq!(agg("min", false, &lists), Ok(l(vec![i(1)])));
    let any = [i(1), s("a"), NULL, l(vec![i(1), i(2)]), f(0.2), s("b")];
    assert_eq!(agg("max", false, &any), Ok(i(1)));
    assert_eq!(agg("min", false, &any), Ok(l(vec![i(1), i(2)])));
    assert_eq!(agg("max", false, &[NULL]), Ok(NULL));
    assert_eq!(agg("min", true, &[i(3), i(3), i(1)]), Ok(i(1)));
}

#[test]
fn sum() {
    // Aggregation3.
    assert_eq!(agg("sum", false, &[i(33), NULL, i(42)]), Ok(i(75)));
    let rows: Vec<Value> = (1_000_000..1_003_000).map(i).collect();
    assert_eq!(agg("sum", false, &rows), Ok(i(3_004_498_500)));
    assert_eq!(agg("sum", false, &[]), Ok(i(0)));
    assert_eq!(agg("sum", false, &[NULL]), Ok(i(0)));
    assert_eq!(agg("sum", false, &[i(1), f(0.5)]), Ok(f(1.5)));
    assert_eq!(agg("sum", false, &[f(0.5), i(1)]), Ok(f(1.5)));
    assert_eq!(agg("sum", true, &[i(1), i(1), f(1.0), i(2)]), Ok(i(3)));
    out_of_range_agg(agg("sum", false, &[i(i64::MAX), i(1)]));
    let e = agg("sum", false, &[i(1), s("a")]).unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::TypeError, "InvalidArgumentType"));
}

fn out_of_range_agg(r: Result<Value, FunctionError>) {
    let e = r.unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::ArgumentError, "NumberOutOfRange"));
}

#[test]
fn avg() {
    assert_eq!(agg("avg", false, &[i(1), i(2), NULL]), Ok(f(1.5)));
    assert_eq!(agg("avg", false, &[f(1.0), i(2), f(6.0)]), Ok(f(3.0)));
    assert_eq!(agg("avg", false, &[]), Ok(NULL));
    assert_eq!(agg("avg", false, &[NULL]), Ok(NULL));
    assert_eq!(agg("avg", true, &[i(1), i(1), i(4)]), Ok(f(2.5)));
    // No overflow for the average of large integers.
    let avg = float_of(agg("avg", false, &[i(i64::MAX), i(i64::MAX)]).unwrap());
    assert!(close(avg / i64::MAX as f64, 1.0));
    let e = agg("avg", false, &[s("1")]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TypeError);
}

#[test]
fn collect() {
    // Aggregation5, Aggregation8.
    assert_eq!(agg("collect", false, &[NULL]), Ok(l(vec![])));
    assert_eq!(
        agg("collect", false, &[i(1), NULL, i(2), i(1)]),
        Ok(l(vec![i(1), i(2), i(1)]))
    );
    assert_eq!(agg("collect", true, &[NULL, NULL]), Ok(l(vec![])));
    assert_eq!(agg("collect", true, &[NULL, i(1), NULL]), Ok(l(vec![i(1)])));
    assert_eq!(
        agg("collect", true, &[i(42), i(43), i(42), i(44), i(43)]),
        Ok(l(vec![i(42), i(43), i(44)]))
    );
    assert_eq!(
        agg(
            "collect",
            true,
            &[l(vec![i(1)]), l(vec![f(1.0)]), m(&[("a", NULL)]), m(&[("a", NULL)])]
        ),
        Ok(l(vec![l(vec![i(1)]), m(&[("a", NULL)])]))
    );
}

#[test]
fn standard_deviation() {
    let rows = [i(2), i(4), i(4), i(4), i(5), i(5), i(7), i(9), NULL];
    assert!(close(float_of(agg("stDevP", false, &rows).unwrap()), 2.0));
    assert!(close(
        float_of(agg("stDev", false, &rows).unwrap()),
        (32.0f64 / 7.0).sqrt()
    ));
    assert_eq!(agg("stDev", false, &[i(5)]), Ok(f(0.0)));
    assert_eq!(agg("stDevP", false, &[i(5)]), Ok(f(0.0)));
    assert_eq!(agg("stDev", false, &[]), Ok(f(0.0)));
    assert_eq!(agg("stDevP", false, &[NULL]), Ok(f(0.0)));
    assert!(close(float_of(agg("stDevP", true, &[i(1), i(1), i(3)]).unwrap()), 1.0));
    let e = agg("stDev", false, &[s("x")]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TypeError);
}

#[test]
fn percentiles() {
    // Aggregation6 [1], [2].
    let prices = [f(10.0), f(20.0), f(30.0)];
    for (p, disc, cont) in [(0.0, 10.0, 10.0), (0.5, 20.0, 20.0), (1.0, 30.0, 30.0)] {
        let rows: Vec<(Value, Value)> = prices.iter().map(|x| (x.clone(), f(p))).collect();
        assert_eq!(agg2("percentileDisc", false, &rows), Ok(f(disc)), "disc {p}");
        assert_eq!(agg2("percentileCont", false, &rows), Ok(f(cont)), "cont {p}");
    }
    let rows: Vec<(Value, Value)> = [i(30), i(10), NULL, i(20), i(40)]
        .into_iter()
        .map(|x| (x, f(0.5)))
        .collect();
    assert_eq!(agg2("percentileDisc", false, &rows), Ok(i(20)));
    assert_eq!(agg2("percentileCont", false, &rows), Ok(f(25.0)));
    let rows: Vec<(Value, Value)> = [i(1), i(2), i(3), i(4)].into_iter().map(|x| (x, f(0.1))).collect();
    assert_eq!(agg2("percentileDisc", false, &rows), Ok(i(1)));
    assert!(close(float_of(agg2("percentileCont", false, &rows).unwrap()), 1.3));
    let rows: Vec<(Value, Value)> = [i(1), i(1), i(5)].into_iter().map(|x| (x, f(0.5))).collect();
    assert_eq!(agg2("percentileCont", true, &rows), Ok(f(3.0)));
    assert_eq!(agg2("percentileDisc", false, &[(NULL, f(0.5))]), Ok(NULL));
    assert_eq!(agg2("percentileCont", false, &[]), Ok(NULL));
    assert_eq!(agg2("percentileDisc", false, &[(i(7), i(1))]), Ok(i(7)));
    // Aggregation6 [3], [4], [5]: a percentile out of range.
    for name in ["percentileCont", "percentileDisc"] {
        for p in [i(1000), i(-1), f(1.1), i(3)] {
            out_of_range_agg(agg2(name, false, &[(f(10.0), p)]));
        }
        out_of_range_agg(agg2(name, false, &[(NULL, f(2.0))]));
        let e = agg2(name, false, &[(s("x"), f(0.5))]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TypeError);
    }
}
