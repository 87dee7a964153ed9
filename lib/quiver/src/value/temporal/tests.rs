//! Unit tests, plus a runner that replays the openCypher TCK's temporal
//! scenarios whose queries are plain `[WITH ...] RETURN ...` expressions,
//! through a tiny expression evaluator written just for them.

use super::*;
use crate::value::order;
use crate::value::Map;

thread_local! {
    /// The statement instant the calls below see (one per replayed scenario).
    static NOW: std::cell::Cell<i128> = std::cell::Cell::new(realtime_nanos());
}

fn call_function(name: &str, args: &[Value]) -> Option<Result<Value>> {
    super::call_function(name, args, NOW.with(|n| n.get()))
}

fn call(name: &str, args: Vec<Value>) -> Value {
    match call_function(name, &args) {
        Some(Ok(v)) => v,
        other => panic!("{name}({args:?}) gave {other:?}"),
    }
}

fn s(x: &str) -> Value {
    Value::string(x)
}

fn show(v: &Value) -> String {
    match v {
        Value::String(x) => x.to_string(),
        other => other.to_string(),
    }
}

#[test]
fn parses_and_displays_strings() {
    let cases = [
        ("date", "2015-W30-2", "2015-07-21"),
        ("date", "2015202", "2015-07-21"),
        ("date", "+999999999-12-31", "+999999999-12-31"),
        ("date", "-0044-03-15", "-0044-03-15"),
        ("localtime", "214032.142", "21:40:32.142"),
        ("time", "2140-02", "21:40-02:00"),
        ("time", "2140-00:00", "21:40Z"),
        (
            "datetime",
            "2015-07-21T21:40:32.142[Europe/London]",
            "2015-07-21T21:40:32.142+01:00[Europe/London]",
        ),
        (
            "datetime",
            "1818-07-21T21:40:32.142[Europe/Stockholm]",
            "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]",
        ),
        ("duration", "P2012-02-02T14:37:21.545", "P2012Y2M2DT14H37M21.545S"),
        ("duration", "PT-1.999S", "PT-1.999S"),
        ("duration", "P0.75M", "P22DT19H51M49.5S"),
    ];
    for (f, input, expected) in cases {
        assert_eq!(show(&call(f, vec![s(input)])), expected, "{f}('{input}')");
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let bad: Vec<(&str, Value)> = vec![
        ("date", s("2015-13-01")),
        ("date", s("nonsense")),
        ("date", s("")),
        ("time", s("25:00")),
        ("time", s("12:00+19:00")),
        ("datetime", s("2015-07-21T21:40[No/Such_Zone]")),
        ("duration", s("P1Q")),
        ("duration", s("")),
    ];
    for (f, arg) in bad {
        assert!(
            matches!(call_function(f, std::slice::from_ref(&arg)), Some(Err(_))),
            "{f}({arg:?})"
        );
    }
    let big = |k: &str, v: i64| {
        let mut m = Map::new();
        m.insert(k.into(), Value::Int(v));
        Value::map(m)
    };
    assert!(matches!(call_function("date", &[big("year", i64::MAX)]), Some(Err(_))));
    assert!(matches!(
        call_function("duration", &[big("years", i64::MAX)]),
        Some(Err(_))
    ));
    let huge = call("duration", vec![big("days", i64::MAX)]);
    assert!(matches!(arithmetic('*', &huge, &Value::Int(2)), Some(Err(_))));
    let d = call("date", vec![s("+999999999-12-31")]);
    assert!(matches!(
        arithmetic('+', &d, &call("duration", vec![s("P1D")])),
        Some(Err(_))
    ));
    assert!(call_function("tostring", &[]).is_none());
    assert!(property(&Value::Int(1), "year").is_none());
}

#[test]
fn null_propagates() {
    for f in ["date", "time.statement", "duration", "datetime.realtime"] {
        assert!(matches!(call(f, vec![Value::Null]), Value::Null));
    }
    assert!(matches!(
        call("duration.between", vec![Value::Null, Value::Null]),
        Value::Null
    ));
}

#[test]
fn current_time_functions() {
    for f in [
        "date",
        "localtime",
        "time",
        "localdatetime",
        "datetime",
        "datetime.transaction",
    ] {
        let now = call(f, vec![]);
        assert!(compare(&now, &now).is_some());
    }
    let mut m = Map::new();
    m.insert("timezone".into(), s("Europe/Stockholm"));
    let v = call("datetime", vec![Value::map(m)]);
    assert!(show(&v).ends_with("[Europe/Stockholm]"));
}

#[test]
fn durations_compare_only_for_equality() {
    let a = call("duration", vec![s("PT70S")]);
    let b = call("duration", vec![s("PT1M10S")]);
    assert_eq!(compare(&a, &b), None);
    assert_eq!(order::equals(&a, &b), Some(true));
}

#[test]
fn stored_temporals_come_back_the_same() {
    for (f, text) in [
        ("datetime", "2015-07-21T21:40:32.142+02:00[Europe/Stockholm]"),
        ("datetime", "2015-07-21T21:40:32.142-05:30"),
        ("localdatetime", "2015-07-21T21:40:32.142"),
        ("time", "21:40:32.142+02:00"),
        ("localtime", "21:40:32.142"),
        ("date", "-0044-03-15"),
        ("duration", "P1Y2M3DT4H5M6.007S"),
        ("duration", "-PT0.5S"),
    ] {
        let v = call(f, vec![s(text)]);
        let back = crate::storage::codec::round_trip_value(&v).unwrap();
        assert_eq!(back, v, "{f}('{text}')");
    }
}

/// Temporal5 and Temporal8 store values through CREATE/MATCH, which the
/// runner below skips; their checks are transcribed here.
#[test]
fn tck_accessors_and_arithmetic() {
    let ev = |src: &str| mini::eval_str(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
    let checks = [
        ("date({year: 1984, month: 10, day: 11}).week", "41"),
        ("date({year: 1984, month: 10, day: 11}).ordinalDay", "285"),
        ("date({year: 1984, month: 1, day: 1}).weekYear", "1983"),
        ("date({year: 1984, month: 1, day: 1}).weekDay", "7"),
        ("localdatetime({year: 1984, month: 11, day: 11}).dayOfQuarter", "42"),
        ("time({hour: 12, nanosecond: 645876123, timezone: '+01:00'}).offsetMinutes", "60"),
        ("time({hour: 12, timezone: '+01:00'}).timezone", "+01:00"),
        (
            "datetime({year: 1984, month: 11, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: 'Europe/Stockholm'}).epochMillis",
            "469020674645",
        ),
        (
            "datetime({year: 1984, month: 11, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 645876123, timezone: 'Europe/Stockholm'}).timezone",
            "Europe/Stockholm",
        ),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).quarters", "5"),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).milliseconds", "3661111"),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).nanoseconds", "3661111111111"),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).quartersOfYear", "1"),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).daysOfWeek", "3"),
        ("duration({years: 1, months: 4, days: 10, hours: 1, minutes: 1, seconds: 1, nanoseconds: 111111111}).microsecondsOfSecond", "111111"),
    ];
    for (src, expected) in checks {
        assert_eq!(show(&ev(src)), expected, "{src}");
    }
    let d1 = "duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70, nanoseconds: 2})";
    let d2 = "duration({months: 1, days: -14, hours: 16, minutes: -12, seconds: 70})";
    let d3 =
        "duration({years: 12.5, months: 5.5, days: 14.5, hours: 16.5, minutes: 12.5, seconds: 70.5, nanoseconds: 3})";
    let bases = [
        ("date({year: 1984, month: 10, day: 11})", ["1997-03-25", "1972-04-27", "1984-10-28", "1984-09-25", "1997-10-11", "1971-10-12"]),
        (
            "localtime({hour: 12, minute: 31, second: 14, nanosecond: 1})",
            ["04:44:24.000000003", "20:18:03.999999999", "04:20:24.000000001", "20:42:04.000000001", "22:29:27.500000004", "02:33:00.499999998"],
        ),
        (
            "time({hour: 12, minute: 31, second: 14, nanosecond: 1, timezone: '+01:00'})",
            [
                "04:44:24.000000003+01:00",
                "20:18:03.999999999+01:00",
                "04:20:24.000000001+01:00",
                "20:42:04.000000001+01:00",
                "22:29:27.500000004+01:00",
                "02:33:00.499999998+01:00",
            ],
        ),
        (
            "localdatetime({year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 1})",
            [
                "1997-03-26T04:44:24.000000003",
                "1972-04-26T20:18:03.999999999",
                "1984-10-29T04:20:24.000000001",
                "1984-09-24T20:42:04.000000001",
                "1997-10-11T22:29:27.500000004",
                "1971-10-12T02:33:00.499999998",
            ],
        ),
        (
            "datetime({year: 1984, month: 10, day: 11, hour: 12, minute: 31, second: 14, nanosecond: 1, timezone: '+01:00'})",
            [
                "1997-03-26T04:44:24.000000003+01:00",
                "1972-04-26T20:18:03.999999999+01:00",
                "1984-10-29T04:20:24.000000001+01:00",
                "1984-09-24T20:42:04.000000001+01:00",
                "1997-10-11T22:29:27.500000004+01:00",
                "1971-10-12T02:33:00.499999998+01:00",
            ],
        ),
    ];
    for (base, expected) in bases {
        for (i, d) in [d1, d2, d3].iter().enumerate() {
            assert_eq!(show(&ev(&format!("{base} + {d}"))), expected[2 * i], "{base} + {d}");
            assert_eq!(show(&ev(&format!("{base} - {d}"))), expected[2 * i + 1], "{base} - {d}");
        }
    }
    let dur_cases = [
        (d1, d1, "P24Y10M28DT32H26M20.000000004S", "PT0S"),
        (d1, d2, "P12Y6MT32H2M20.000000002S", "P12Y4M28DT24M0.000000002S"),
        (
            d2,
            d3,
            "P13Y15DT49H47M23.500000003S",
            "P-12Y-10M-43DT-18H-9M-3.500000003S",
        ),
        (d3, d3, "P25Y10M58DT67H56M27.000000006S", "PT0S"),
    ];
    for (a, b, sum, diff) in dur_cases {
        assert_eq!(show(&ev(&format!("{a} + {b}"))), sum);
        assert_eq!(show(&ev(&format!("{a} - {b}"))), diff);
    }
    let d = "duration({years: 12, months: 5, days: 14, hours: 16, minutes: 12, seconds: 70, nanoseconds: 1})";
    let products = [
        ("1", "P12Y5M14DT16H13M10.000000001S", "P12Y5M14DT16H13M10.000000001S"),
        ("2", "P24Y10M28DT32H26M20.000000002S", "P6Y2M22DT13H21M8S"),
        ("0.5", "P6Y2M22DT13H21M8S", "P24Y10M28DT32H26M20.000000002S"),
    ];
    for (n, prod, div) in products {
        assert_eq!(show(&ev(&format!("{d} * {n}"))), prod, "{d} * {n}");
        assert_eq!(show(&ev(&format!("{d} / {n}"))), div, "{d} / {n}");
    }
}

/// Replays the TCK feature files; see `mini` for what queries it can read.
#[test]
fn tck_temporal_features() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root
        .ancestors()
        .map(|a| a.join("shared/tck/features/expressions/temporal"))
        .find(|d| d.is_dir())
        .expect("shared/tck beside the repository");
    let entries = std::fs::read_dir(&dir).expect("the TCK's temporal features");
    let mut files: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    files.sort();
    let (mut pass, mut fail, mut skipped) = (0, 0, 0);
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for case in mini::cases(&text) {
            NOW.with(|n| n.set(realtime_nanos()));
            match mini::run_case(&case) {
                mini::Outcome::Pass => pass += 1,
                mini::Outcome::Skip => skipped += 1,
                mini::Outcome::Fail(msg) => {
                    fail += 1;
                    eprintln!(
                        "FAIL {}: {}\n    {msg}",
                        path.file_name().unwrap().to_string_lossy(),
                        case.name
                    );
                }
            }
        }
    }
    eprintln!("TCK temporal: {pass} passed, {fail} failed, {skipped} skipped");
    assert_eq!(fail, 0);
    assert!(pass > 700);
}

mod mini {
    //! Just enough Cypher to evaluate the TCK's temporal expressions.

    use super::super::*;
    use crate::value::{order, Map};

    pub struct Case {
        pub name: String,
        pub query: String,
        pub header: Vec<String>,
        pub rows: Vec<Vec<String>>,
    }

    fn cells(line: &str) -> Vec<String> {
        let t = line.trim().trim_start_matches('|').trim_end_matches('|');
        t.split('|').map(|c| c.trim().to_string()).collect()
    }

    fn substitute(s: &str, names: &[String], values: &[String]) -> String {
        let mut out = s.to_string();
        for (n, v) in names.iter().zip(values) {
            out = out.replace(&format!("<{n}>"), v);
        }
        out
    }

    /// Expands scenarios (outlines once per example row) into cases.
    pub fn cases(text: &str) -> Vec<Case> {
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim();
            if !line.starts_with("Scenario") {
                i += 1;
                continue;
            }
            let name = line.to_string();
            let mut j = i + 1;
            let mut query = String::new();
            let mut table: Vec<Vec<String>> = Vec::new();
            let mut examples: Vec<Vec<String>> = Vec::new();
            let mut setup = false;
            let mut state = 0;
            while j < lines.len() && !lines[j].trim().starts_with("Scenario") {
                let l = lines[j].trim();
                if l.starts_with("And having executed") || l.starts_with("When executing control query") {
                    setup = true;
                }
                if l == "\"\"\"" {
                    state = if state == 1 { 2 } else { 1 };
                } else if state == 1 {
                    query.push_str(l);
                    query.push('\n');
                } else if l.starts_with("Then the result should be") {
                    state = 3;
                } else if l.starts_with("Examples:") {
                    state = 4;
                } else if l.starts_with('|') && state == 3 {
                    table.push(cells(l));
                } else if l.starts_with('|') && state == 4 {
                    examples.push(cells(l));
                } else if state == 3 && !l.is_empty() {
                    state = 2;
                }
                j += 1;
            }
            i = j;
            if setup || table.len() < 2 {
                continue;
            }
            let expand = |names: &[String], values: &[String], suffix: String| Case {
                name: format!("{name}{suffix}"),
                query: substitute(&query, names, values),
                header: table[0].iter().map(|h| substitute(h, names, values)).collect(),
                rows: table[1..]
                    .iter()
                    .map(|r| r.iter().map(|c| substitute(c, names, values)).collect())
                    .collect(),
            };
            if examples.len() > 1 {
                for (k, row) in examples[1..].iter().enumerate() {
                    out.push(expand(&examples[0], row, format!(" #{}", k + 1)));
                }
            } else {
                out.push(expand(&[], &[], String::new()));
            }
        }
        out
    }

    pub enum Outcome {
        Pass,
        Skip,
        Fail(String),
    }

    pub fn run_case(case: &Case) -> Outcome {
        if case.rows.len() != 1 {
            return Outcome::Skip;
        }
        let columns = match run_query(&case.query) {
            Ok(Some(c)) => c,
            Ok(None) => return Outcome::Skip,
            Err(e) => return Outcome::Fail(format!("{}: error {e:?}", case.query.trim())),
        };
        for (h, expected) in case.header.iter().zip(&case.rows[0]) {
            let Some((_, got)) = columns.iter().find(|(n, _)| n == h) else {
                return Outcome::Fail(format!("no column {h}"));
            };
            if !matches_expected(got, expected) {
                return Outcome::Fail(format!("{}: {h} = {got}, expected {expected}", case.query.trim()));
            }
        }
        Outcome::Pass
    }

    fn matches_expected(got: &Value, expected: &str) -> bool {
        let Ok(exp) = eval_str(expected) else {
            return false;
        };
        match (got, &exp) {
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Null, Value::Null) => true,
            (Value::String(_) | Value::Int(_) | Value::Bool(_) | Value::Float(_), _) => {
                order::equals(got, &exp) == Some(true)
            }
            (_, Value::String(b)) => got.to_string() == **b,
            _ => false,
        }
    }

    // --- tokens -------------------------------------------------------------

    #[derive(Clone, Debug, PartialEq)]
    enum Tok {
        Ident(String),
        Int(i64),
        Float(f64),
        Str(String),
        Sym(&'static str),
    }

    fn tokenize(src: &str) -> Option<Vec<(Tok, usize)>> {
        const SYMS: [&str; 16] = [
            "<=", ">=", "<>", "(", ")", "{", "}", "[", "]", ",", ":", ".", "+", "-", "*", "/",
        ];
        let b = src.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let c = b[i] as char;
            let start = i;
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_alphabetic() || c == '_' {
                while i < b.len() && ((b[i] as char).is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((Tok::Ident(src[start..i].to_string()), start));
            } else if c.is_ascii_digit() {
                while i < b.len()
                    && (b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                let t = &src[start..i];
                out.push((
                    if t.contains('.') {
                        Tok::Float(t.parse().ok()?)
                    } else {
                        Tok::Int(t.parse().ok()?)
                    },
                    start,
                ));
            } else if c == '\'' {
                i += 1;
                let mut s = String::new();
                while i < b.len() && b[i] != b'\'' {
                    s.push(b[i] as char);
                    i += 1;
                }
                i += 1;
                out.push((Tok::Str(s), start));
            } else if let Some(sym) = SYMS.iter().find(|s| src[i..].starts_with(**s)) {
                i += sym.len();
                out.push((Tok::Sym(sym), start));
            } else if c == '=' || c == '<' || c == '>' {
                i += 1;
                out.push((
                    Tok::Sym(["=", "<", ">"][(c == '<') as usize + 2 * (c == '>') as usize]),
                    start,
                ));
            } else {
                return None;
            }
        }
        Some(out)
    }

    // --- evaluation ---------------------------------------------------------

    type Env = Vec<(String, Value)>;

    struct P<'a> {
        src: &'a str,
        toks: Vec<(Tok, usize)>,
        pos: usize,
        env: Env,
    }

    type R<T> = std::result::Result<T, String>;

    impl P<'_> {
        fn peek(&self) -> Option<&Tok> {
            self.toks.get(self.pos).map(|t| &t.0)
        }
        fn at_sym(&self, s: &str) -> bool {
            matches!(self.peek(), Some(Tok::Sym(x)) if *x == s)
        }
        fn at_kw(&self, kw: &str) -> bool {
            matches!(self.peek(), Some(Tok::Ident(x)) if x.eq_ignore_ascii_case(kw))
        }
        fn expect(&mut self, s: &str) -> R<()> {
            if self.at_sym(s) {
                self.pos += 1;
                Ok(())
            } else {
                Err(format!("expected {s} at {:?}", self.peek()))
            }
        }
        fn offset(&self) -> usize {
            self.toks.get(self.pos).map_or(self.src.len(), |t| t.1)
        }

        fn expr(&mut self) -> R<Value> {
            let lhs = self.additive()?;
            for op in ["<=", ">=", "<>", "=", "<", ">"] {
                if self.at_sym(op) {
                    self.pos += 1;
                    let rhs = self.additive()?;
                    use std::cmp::Ordering::*;
                    let r = match op {
                        "=" => order::equals(&lhs, &rhs),
                        "<>" => order::equals(&lhs, &rhs).map(|b| !b),
                        _ => order::compare(&lhs, &rhs).map(|o| match op {
                            "<" => o == Less,
                            ">" => o == Greater,
                            "<=" => o != Greater,
                            _ => o != Less,
                        }),
                    };
                    return Ok(r.map_or(Value::Null, Value::Bool));
                }
            }
            Ok(lhs)
        }

        fn binary(&mut self, ops: &[&'static str], next: fn(&mut Self) -> R<Value>) -> R<Value> {
            let mut lhs = next(self)?;
            while let Some(op) = ops.iter().find(|o| self.at_sym(o)) {
                self.pos += 1;
                let rhs = next(self)?;
                let c = op.chars().next().unwrap_or('+');
                lhs = match arithmetic(c, &lhs, &rhs) {
                    Some(r) => r.map_err(|e| format!("{e:?}"))?,
                    None => return Err(format!("unsupported {lhs:?} {op} {rhs:?}")),
                };
            }
            Ok(lhs)
        }

        fn additive(&mut self) -> R<Value> {
            self.binary(&["+", "-"], Self::multiplicative)
        }

        fn multiplicative(&mut self) -> R<Value> {
            self.binary(&["*", "/"], Self::postfix)
        }

        fn postfix(&mut self) -> R<Value> {
            let mut v = self.primary()?;
            while self.at_sym(".") {
                self.pos += 1;
                let Some(Tok::Ident(key)) = self.peek().cloned() else {
                    return Err("property".into());
                };
                self.pos += 1;
                v = match property(&v, &key) {
                    Some(r) => r.map_err(|e| format!("{e:?}"))?,
                    None => return Err(format!("no property {key} on {v:?}")),
                };
            }
            Ok(v)
        }

        fn primary(&mut self) -> R<Value> {
            let tok = self.peek().cloned().ok_or("unexpected end")?;
            self.pos += 1;
            match tok {
                Tok::Int(i) => Ok(Value::Int(i)),
                Tok::Float(f) => Ok(Value::Float(f)),
                Tok::Str(s) => Ok(Value::string(s)),
                Tok::Sym("-") => match self.primary()? {
                    Value::Int(i) => Ok(Value::Int(-i)),
                    Value::Float(f) => Ok(Value::Float(-f)),
                    other => Err(format!("cannot negate {other:?}")),
                },
                Tok::Sym("(") => {
                    let v = self.expr()?;
                    self.expect(")")?;
                    Ok(v)
                }
                Tok::Sym("{") => self.map(),
                Tok::Sym("[") => {
                    let mut items = Vec::new();
                    while !self.at_sym("]") {
                        items.push(self.expr()?);
                        if self.at_sym(",") {
                            self.pos += 1;
                        }
                    }
                    self.pos += 1;
                    Ok(Value::list(items))
                }
                Tok::Ident(name) => self.ident(name),
                other => Err(format!("unexpected {other:?}")),
            }
        }

        fn map(&mut self) -> R<Value> {
            let mut m = Map::new();
            while !self.at_sym("}") {
                let Some(Tok::Ident(k)) = self.peek().cloned() else {
                    return Err("map key".into());
                };
                self.pos += 1;
                self.expect(":")?;
                let v = self.expr()?;
                m.insert(k.as_str().into(), v);
                if self.at_sym(",") {
                    self.pos += 1;
                }
            }
            self.pos += 1;
            Ok(Value::map(m))
        }

        fn ident(&mut self, name: String) -> R<Value> {
            match name.to_ascii_lowercase().as_str() {
                "null" => return Ok(Value::Null),
                "true" => return Ok(Value::Bool(true)),
                "false" => return Ok(Value::Bool(false)),
                _ => {}
            }
            let mut fname = name.clone();
            let save = self.pos;
            while self.at_sym(".") {
                match self.toks.get(self.pos + 1).map(|t| &t.0) {
                    Some(Tok::Ident(part)) => {
                        fname = format!("{fname}.{part}");
                        self.pos += 2;
                    }
                    _ => break,
                }
            }
            if self.at_sym("(") {
                self.pos += 1;
                let mut args = Vec::new();
                while !self.at_sym(")") {
                    args.push(self.expr()?);
                    if self.at_sym(",") {
                        self.pos += 1;
                    }
                }
                self.pos += 1;
                let lname = fname.to_ascii_lowercase();
                if lname == "tostring" {
                    return Ok(Value::string(args.first().map(|a| a.to_string()).unwrap_or_default()));
                }
                return match super::call_function(&lname, &args) {
                    Some(r) => r.map_err(|e| format!("{e:?}")),
                    None => Err(format!("unknown function {fname}")),
                };
            }
            self.pos = save;
            self.env
                .iter()
                .rev()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| format!("unknown variable {name}"))
        }

        /// `expr [AS name], ...` — unaliased columns are named by their text.
        fn items(&mut self) -> R<Vec<(String, Value)>> {
            let mut out = Vec::new();
            loop {
                let start = self.offset();
                let v = self.expr()?;
                let text = self.src[start..self.offset()].trim().to_string();
                let name = if self.at_kw("AS") {
                    self.pos += 1;
                    let Some(Tok::Ident(n)) = self.peek().cloned() else {
                        return Err("alias".into());
                    };
                    self.pos += 1;
                    n
                } else {
                    text
                };
                out.push((name, v));
                if !self.at_sym(",") {
                    return Ok(out);
                }
                self.pos += 1;
            }
        }
    }

    /// Evaluates `[WITH items] RETURN items`; `Ok(None)` for other queries.
    fn run_query(src: &str) -> R<Option<Vec<(String, Value)>>> {
        let Some(toks) = tokenize(src) else {
            return Ok(None);
        };
        let mut p = P {
            src,
            toks,
            pos: 0,
            env: Vec::new(),
        };
        if p.at_kw("WITH") {
            p.pos += 1;
            let bound = p.items()?;
            p.env.extend(bound);
        }
        if !p.at_kw("RETURN") {
            return Ok(None);
        }
        p.pos += 1;
        let cols = p.items()?;
        if p.pos != p.toks.len() {
            return Ok(None);
        }
        Ok(Some(cols))
    }

    pub fn eval_str(src: &str) -> R<Value> {
        let toks = tokenize(src).ok_or("tokenize")?;
        let mut p = P {
            src,
            toks,
            pos: 0,
            env: Vec::new(),
        };
        let v = p.expr()?;
        if p.pos != p.toks.len() {
            return Err(format!("trailing input in {src}"));
        }
        Ok(v)
    }
}

mod robustness {
    //! Arbitrary input must give a value or a `TemporalError`, never a panic.

    use super::*;
    use proptest::prelude::*;

    const FUNCTIONS: [&str; 6] = ["date", "localtime", "time", "localdatetime", "datetime", "duration"];

    fn map_of(pairs: &[(&str, i64)]) -> Value {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.insert((*k).into(), Value::Int(*v));
        }
        Value::map(m)
    }

    proptest! {
        #[test]
        fn strings_never_panic(text in "[-+0-9:.,TWZPYMDHS\\[\\]/a-zé]{0,24}") {
            for f in FUNCTIONS {
                let _ = call_function(f, &[Value::string(text.as_str())]);
            }
        }

        #[test]
        fn component_maps_never_panic(
            key_a in prop::sample::select(vec!["year", "month", "day", "week", "dayOfWeek", "quarter", "dayOfQuarter", "ordinalDay", "hour", "nanosecond", "epochSeconds"]),
            key_b in prop::sample::select(vec!["years", "months", "weeks", "days", "hours", "seconds", "nanoseconds"]),
            a in any::<i64>(),
            b in any::<i64>(),
            factor in any::<f64>(),
        ) {
            let date_map = map_of(&[(key_a, a), ("year", b)]);
            let dur_map = map_of(&[(key_b, a)]);
            let mut values = Vec::new();
            for f in FUNCTIONS {
                for arg in [&date_map, &dur_map] {
                    if let Some(Ok(v)) = call_function(f, std::slice::from_ref(arg)) {
                        values.push(v);
                    }
                }
            }
            let dur = call_function("duration", std::slice::from_ref(&dur_map)).and_then(Result::ok);
            for v in &values {
                let _ = v.to_string();
                for key in ["year", "week", "epochMillis", "nanoseconds", "offset"] {
                    let _ = property(v, key);
                }
                if let Some(d) = &dur {
                    let _ = arithmetic('+', v, d);
                    let _ = arithmetic('-', v, d);
                }
                let _ = arithmetic('*', v, &Value::Int(b));
                let _ = arithmetic('*', v, &Value::Float(factor));
                let _ = arithmetic('/', v, &Value::Float(factor));
                for w in &values {
                    let _ = call_function("duration.between", &[v.clone(), w.clone()]);
                    let _ = call_function("duration.inseconds", &[v.clone(), w.clone()]);
                }
                for unit in ["millennium", "weekYear", "quarter", "hour", "microsecond"] {
                    let _ = call_function("datetime.truncate", &[Value::string(unit), v.clone()]);
                }
            }
        }
    }
}
