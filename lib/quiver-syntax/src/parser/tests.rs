//! Unit tests of the parser: every clause and expression form, precedence,
//! error codes and positions, the depth limit, and print/reparse proptests.

use super::*;
use crate::ast::*;

/// The tree's debug text without spans (the derived `PartialEq` of clause
/// and pattern nodes compares spans; round trips must not).
pub(crate) fn strip_spans<T: std::fmt::Debug>(t: &T) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"span: Span \{ start: \d+, end: \d+ \}").unwrap());
    re.replace_all(&format!("{t:?}"), "").into_owned()
}

fn st(q: &str) -> Statement {
    match parse_statement(q) {
        Ok(s) => s,
        Err(e) => panic!("{q:?} failed: {e:?}"),
    }
}

fn ex(q: &str) -> Expr {
    match parse_expression(q) {
        Ok(e) => e,
        Err(e) => panic!("{q:?} failed: {e:?}"),
    }
}

/// The expression printed back (operands parenthesised: shows the structure).
fn show(q: &str) -> String {
    ex(q).to_string()
}

fn err(q: &str) -> ParseError {
    match parse_statement(q) {
        Ok(s) => panic!("{q:?} parsed: {s:?}"),
        Err(e) => e,
    }
}

fn code(q: &str) -> &'static str {
    err(q).code
}

/// The statement printed back.
fn reprint(q: &str) -> String {
    st(q).to_string()
}

fn int(e: &Expr) -> i64 {
    match e.kind {
        ExprKind::Literal(Literal::Int(i)) => i,
        _ => panic!("not an integer: {e:?}"),
    }
}

fn first_return(q: &str) -> Projection {
    match st(q).query.first.clauses.last().unwrap() {
        Clause::Return(r) => r.projection.clone(),
        c => panic!("not RETURN: {c:?}"),
    }
}

// ---- literals -------------------------------------------------------------

#[test]
fn integer_literals() {
    assert_eq!(int(&ex("42")), 42);
    assert_eq!(int(&ex("0x1F")), 31);
    assert_eq!(int(&ex("0x7FFFFFFFFFFFFFFF")), i64::MAX);
    assert_eq!(int(&ex("0o17")), 15);
    assert_eq!(int(&ex("-9223372036854775808")), i64::MIN);
    assert_eq!(int(&ex("-0x8000000000000000")), i64::MIN);
    assert_eq!(int(&ex("- 5")), -5);
    assert_eq!(int(&ex("9223372036854775807")), i64::MAX);
}

#[test]
fn number_literal_errors() {
    assert_eq!(code("RETURN 9223372036854775808 AS literal"), "IntegerOverflow");
    assert_eq!(code("RETURN -9223372036854775809 AS literal"), "IntegerOverflow");
    assert_eq!(code("RETURN 0x8000000000000000"), "IntegerOverflow");
    assert_eq!(code("RETURN -0o1000000000000000000001"), "IntegerOverflow");
    assert_eq!(code("RETURN 9223372h54775808 AS literal"), "InvalidNumberLiteral");
    assert_eq!(code("RETURN 9223372#54775808 AS literal"), "UnexpectedSyntax");
    assert_eq!(code("RETURN 0x AS literal"), "InvalidNumberLiteral");
    assert_eq!(code("RETURN 0x1A2b3j4D5E6f7"), "InvalidNumberLiteral");
    assert_eq!(code("RETURN 0o8"), "InvalidNumberLiteral");
    assert_eq!(code("RETURN 1.2.3"), "InvalidNumberLiteral");
    assert_eq!(code("RETURN 1e"), "InvalidNumberLiteral");
    let e = err("RETURN 017");
    assert_eq!(e.code, "InvalidNumberLiteral");
    assert!(e.hint.unwrap().contains("0o17"));
    assert_eq!(code("RETURN 1.34E999"), "FloatingPointOverflow");
    // Offsets point at the literal (with its sign).
    assert_eq!(err("RETURN 1 + 9223372036854775808").offset, 11);
    assert_eq!(err("RETURN -9223372036854775809").offset, 7);
}

#[test]
fn float_literals() {
    for (text, v) in [
        ("1.5", 1.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("1.5E-7", 1.5e-7),
        ("-.1e9", -0.1e9),
        ("1E9", 1e9),
    ] {
        assert_eq!(ex(text).kind, ExprKind::Literal(Literal::Float(v)), "{text}");
    }
    let tiny = format!(".{}1", "0".repeat(400));
    assert_eq!(ex(&tiny).kind, ExprKind::Literal(Literal::Float(0.0)));
}

#[test]
fn string_literals_and_escapes() {
    let s = |q: &str| match ex(q).kind {
        ExprKind::Literal(Literal::String(s)) => s,
        k => panic!("{k:?}"),
    };
    assert_eq!(s(r#"'a\'b\"c\\d'"#), "a'b\"c\\d");
    assert_eq!(s(r#""x\n\t\r\b\f""#), "x\n\t\r\u{8}\u{c}");
    assert_eq!(s(r"'\u00E9'"), "é");
    assert_eq!(s(r"'\U0001F600'"), "😀");
    assert_eq!(s(r"'\uD83D\uDE00'"), "😀");
    assert_eq!(s("\"it's\""), "it's");
    assert_eq!(code(r"RETURN '\uH'"), "InvalidUnicodeLiteral");
    assert_eq!(code(r"RETURN '\uD83D'"), "InvalidUnicodeLiteral");
    assert_eq!(code(r"RETURN '\q'"), "UnexpectedSyntax");
    assert_eq!(code("RETURN 'abc"), "UnexpectedSyntax");
}

#[test]
fn keyword_literals_are_case_insensitive() {
    assert_eq!(ex("TRUE").kind, ExprKind::Literal(Literal::Bool(true)));
    assert_eq!(ex("False").kind, ExprKind::Literal(Literal::Bool(false)));
    assert_eq!(ex("NuLl").kind, ExprKind::Literal(Literal::Null));
}

#[test]
fn unicode_lookalikes() {
    let e = err("RETURN 42 — 41");
    assert_eq!(e.code, "InvalidUnicodeCharacter");
    assert_eq!(e.offset, 10);
    assert!(e.hint.unwrap().contains("'-'"));
}

// ---- expressions ------------------------------------------------------------

#[test]
fn precedence() {
    assert_eq!(show("true OR true XOR true"), "true OR (true XOR true)");
    assert_eq!(show("true XOR false AND false"), "true XOR (false AND false)");
    assert_eq!(show("NOT true AND false"), "(NOT true) AND false");
    assert_eq!(show("NOT false >= false"), "NOT (false >= false)");
    assert_eq!(show("false = true IS NULL"), "false = (true IS NULL)");
    assert_eq!(show("NOT false IS NULL"), "NOT (false IS NULL)");
    assert_eq!(show("false = true IN [true, false]"), "false = (true IN [true, false])");
    assert_eq!(show("4 * 2 + 3 * 2"), "(4 * 2) + (3 * 2)");
    assert_eq!(show("4 ^ 3 * 2 ^ 3"), "(4 ^ 3) * (2 ^ 3)");
    assert_eq!(show("2 ^ 3 ^ 2"), "(2 ^ 3) ^ 2");
    assert_eq!(show("-3 ^ 2"), "(-3) ^ 2");
    assert_eq!(show("-x ^ 2"), "(-x) ^ 2");
    assert_eq!(show("[1]+2 IN [3]+4"), "([1] + 2) IN ([3] + 4)");
    assert_eq!(show("a + b[1]"), "a + b[1]");
    assert_eq!(
        show("'abc' STARTS WITH null OR true"),
        "('abc' STARTS WITH null) OR true"
    );
    assert_eq!(
        show("null IS NOT NULL = null IS NULL"),
        "(null IS NOT NULL) = (null IS NULL)"
    );
    assert_eq!(show("a - b - c"), "(a - b) - c");
    assert_eq!(show("a / b * c % d"), "((a / b) * c) % d");
    assert_eq!(show("n.name =~ 'a.*' AND x"), "(n.name =~ 'a.*') AND x");
    assert_eq!(show("x ENDS WITH 'a' CONTAINS 'b'"), "(x ENDS WITH 'a') CONTAINS 'b'");
    assert_eq!(show("NOT NOT a"), "NOT (NOT a)");
    assert_eq!(show("- - 1"), "-(-1)");
}

#[test]
fn chained_comparisons_desugar_to_and() {
    assert_eq!(show("1 < 2 <= 3"), "(1 < 2) AND (2 <= 3)");
    assert_eq!(show("a = b <> c > d"), "((a = b) AND (b <> c)) AND (c > d)");
}

#[test]
fn postfix_operators() {
    assert_eq!(show("n.a.b"), "n.a.b");
    assert_eq!(show("n['name']"), "n['name']");
    assert_eq!(show("l[1..3]"), "l[1..3]");
    assert_eq!(show("l[..3]"), "l[..3]");
    assert_eq!(show("l[1..]"), "l[1..]");
    assert_eq!(show("l[..]"), "l[..]");
    assert_eq!(show("n:A:B"), "n:A:B");
    assert_eq!(show("n.a:B"), "n.a:B");
    assert_eq!(show("(n).name"), "n.name");
    assert_eq!(show("[1, 2][0].x"), "[1, 2][0].x");
    assert_eq!(show("n.`a b`"), "n.`a b`");
    assert_eq!(show("n.count"), "n.count");
}

#[test]
fn atoms() {
    assert_eq!(ex("$name").kind, ExprKind::Parameter("name".into()));
    assert_eq!(ex("$0").kind, ExprKind::Parameter("0".into()));
    assert_eq!(ex("count( * )").kind, ExprKind::CountStar);
    assert_eq!(show("COUNT(*)"), "count(*)");
    assert_eq!(show("[]"), "[]");
    assert_eq!(show("[1, 'a', [null]]"), "[1, 'a', [null]]");
    assert_eq!(show("{}"), "{}");
    assert_eq!(show("{a: 1, `b c`: [2], MATCH: 3}"), "{a: 1, `b c`: [2], MATCH: 3}");
    assert_eq!(show("`a``b`"), "`a``b`");
    assert_eq!(show("toUpper(x)"), "toUpper(x)");
    assert_eq!(show("date.truncate('day', x)"), "date.truncate('day', x)");
    assert_eq!(show("count(DISTINCT n.x)"), "count(DISTINCT n.x)");
    assert_eq!(show("f()"), "f()");
    match ex("a.b.c(1)").kind {
        ExprKind::FunctionCall { name, args, distinct } => {
            assert_eq!(
                name.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
                ["a", "b", "c"]
            );
            assert_eq!(args.len(), 1);
            assert!(!distinct);
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn case_expressions() {
    assert_eq!(
        show("CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"),
        "CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END"
    );
    assert_eq!(show("case x when 1 then 'one' end"), "CASE x WHEN 1 THEN 'one' END");
    assert_eq!(code("RETURN CASE END"), "UnexpectedSyntax");
}

#[test]
fn comprehensions_and_quantifiers() {
    assert_eq!(show("[x IN l WHERE x > 1 | x * 2]"), "[x IN l WHERE x > 1 | x * 2]");
    assert_eq!(show("[x IN l | x]"), "[x IN l | x]");
    assert_eq!(show("[x IN l WHERE x]"), "[x IN l WHERE x]");
    assert!(matches!(ex("[x IN l]").kind, ExprKind::ListComprehension { .. }));
    assert!(matches!(ex("[x IN l, 2]").kind, ExprKind::List(_)));
    assert_eq!(show("[p = (a)-->(b) WHERE b.x | p]"), "[p = (a)-->(b) WHERE b.x | p]");
    assert_eq!(show("[(a)-[:T]->(b:B) | b.name]"), "[(a)-[:T]->(b:B) | b.name]");
    assert_eq!(show("all(x IN l WHERE x > 0)"), "all(x IN l WHERE x > 0)");
    assert_eq!(show("ANY(x IN l WHERE x)"), "any(x IN l WHERE x)");
    assert_eq!(show("none(x IN l WHERE x)"), "none(x IN l WHERE x)");
    assert_eq!(show("single(x IN l WHERE x)"), "single(x IN l WHERE x)");
    assert_eq!(
        show("reduce(acc = 0, x IN l | acc + x)"),
        "reduce(acc = 0, x IN l | acc + x)"
    );
    assert_eq!(show("n {.name, .*, k: 1, v}"), "n {.name, .*, k: 1, v}");
    assert_eq!(show("n {}"), "n {}");
}

#[test]
fn exists_forms() {
    assert!(matches!(ex("exists(n.prop)").kind, ExprKind::FunctionCall { .. }));
    st("MATCH (n) RETURN exists((n)-->())");
    let q = st("MATCH (n) WHERE EXISTS { (n)-->(m) WHERE m.x = 1 } RETURN n");
    let Clause::Match(m) = &q.query.first.clauses[0] else {
        panic!()
    };
    let ExprKind::Exists(sub) = &m.where_.as_ref().unwrap().kind else {
        panic!()
    };
    assert!(matches!(&sub.first.clauses[0], Clause::Match(m) if m.where_.is_some()));
    st("MATCH (n) WHERE exists { MATCH (n)-->(m) RETURN m } RETURN n");
    assert_eq!(
        reprint("MATCH (n) WHERE EXISTS { (n)-->() } RETURN n"),
        "MATCH (n) WHERE EXISTS { MATCH (n)-->() } RETURN n"
    );
}

#[test]
fn patterns_as_expressions_only_where_allowed() {
    let q = st("MATCH (a), (b) WHERE (a)-[:T]->(b) AND NOT (a)<--(b) RETURN a");
    let Clause::Match(m) = &q.query.first.clauses[0] else {
        panic!()
    };
    assert_eq!(
        m.where_.as_ref().unwrap().to_string(),
        "((a)-[:T]->(b)) AND (NOT ((a)<--(b)))"
    );
    // A parenthesised expression is not a pattern.
    assert_eq!(show("(a) - (b)"), "a - b");
    assert_eq!(show("(a)-[1]"), "a - [1]");
    for q in [
        "MATCH (n) RETURN (n)-[]->()",
        "MATCH (n) WITH (n)-[]->() AS x RETURN x",
        "MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo",
        "MATCH (a) RETURN size((a)-->())",
    ] {
        let e = err(q);
        assert_eq!(e.code, "UnexpectedSyntax", "{q}");
        assert!(e.hint.is_some());
    }
}

// ---- patterns ---------------------------------------------------------------

#[test]
fn node_patterns() {
    assert_eq!(
        reprint("MATCH (n:A:B {k: 1, j: 'x'}) RETURN n"),
        "MATCH (n:A:B {k: 1, j: 'x'}) RETURN n"
    );
    assert_eq!(reprint("MATCH (n $param) RETURN n"), "MATCH (n $param) RETURN n");
    assert_eq!(reprint("MATCH () RETURN 1"), "MATCH () RETURN 1");
    assert_eq!(
        reprint("MATCH (:A), ({k: 1}) RETURN 1"),
        "MATCH (:A), ({k: 1}) RETURN 1"
    );
    assert_eq!(reprint("MATCH (`a b`:`C D`) RETURN 1"), "MATCH (`a b`:`C D`) RETURN 1");
}

#[test]
fn relationship_patterns() {
    let rel = |q: &str| -> RelPattern {
        let s = st(&format!("MATCH (a){q}(b) RETURN a"));
        let Clause::Match(m) = &s.query.first.clauses[0] else {
            panic!()
        };
        m.pattern.parts[0].element.chain[0].0.rel().unwrap().clone()
    };
    assert_eq!(rel("-->").direction, Direction::Outgoing);
    assert_eq!(rel("<--").direction, Direction::Incoming);
    assert_eq!(rel("--").direction, Direction::Both);
    assert_eq!(rel("<-->").direction, Direction::Both);
    assert_eq!(rel("-[]->").direction, Direction::Outgoing);
    assert_eq!(rel("<-[]-").direction, Direction::Incoming);
    let r = rel("-[r:T|:U|V *1..3 {k: 1}]->");
    assert_eq!(r.variable.as_ref().unwrap().name, "r");
    assert_eq!(
        r.type_names()
            .unwrap()
            .iter()
            .map(|t| t.name.as_str())
            .collect::<Vec<_>>(),
        ["T", "U", "V"]
    );
    assert_eq!(
        r.length,
        Some(Range {
            min: Some(1),
            max: Some(3)
        })
    );
    assert!(r.properties.is_some());
    assert_eq!(rel("-[*]-").length, Some(Range { min: None, max: None }));
    assert_eq!(
        rel("-[*2]-").length,
        Some(Range {
            min: Some(2),
            max: Some(2)
        })
    );
    assert_eq!(
        rel("-[*..5]-").length,
        Some(Range {
            min: None,
            max: Some(5)
        })
    );
    assert_eq!(
        rel("-[*2..]-").length,
        Some(Range {
            min: Some(2),
            max: None
        })
    );
    assert_eq!(
        rel("-[r *0..1]-").length,
        Some(Range {
            min: Some(0),
            max: Some(1)
        })
    );
    assert_eq!(rel("-[:T]-").length, None);
    assert_eq!(
        rel("-[r $p]-").properties.unwrap().kind,
        ExprKind::Parameter("p".into())
    );
}

#[test]
fn relationship_pattern_errors() {
    assert_eq!(code("MATCH (a)-[:LIKES..]->(c) RETURN c"), "InvalidRelationshipPattern");
    assert_eq!(
        code("MATCH (a)-[:LIKES*-2]->(c) RETURN c"),
        "InvalidRelationshipPattern"
    );
    assert_eq!(
        code("MATCH (a)-[:LIKES*1.5]->(c) RETURN c"),
        "InvalidRelationshipPattern"
    );
}

#[test]
fn pattern_parts() {
    assert_eq!(
        reprint("MATCH p = (a)-->(b), q = shortestPath((a)-[*]-(b)), allShortestPaths((a)-[*..3]->(c)) RETURN p"),
        "MATCH p = (a)-->(b), q = shortestPath((a)-[*]-(b)), allShortestPaths((a)-[*..3]->(c)) RETURN p"
    );
    let s = st("MATCH p = shortestPath((a)-[*]-(b)) RETURN p");
    let Clause::Match(m) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert_eq!(m.pattern.parts[0].kind, PathKind::ShortestPath);
    assert_eq!(m.pattern.parts[0].variable.as_ref().unwrap().name, "p");
}

// ---- clauses ----------------------------------------------------------------

#[test]
fn match_and_optional_match() {
    let s = st("OPTIONAL MATCH (n) WHERE n.x > 1 MATCH (m) RETURN n, m");
    let Clause::Match(m) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert!(m.optional && m.where_.is_some());
    assert_eq!(s.query.first.clauses[0].name(), "OPTIONAL MATCH");
    assert_eq!(s.query.first.clauses[0].span(), Span::new(0, 32));
    assert_eq!(reprint("optional match (n) return n"), "OPTIONAL MATCH (n) RETURN n");
}

#[test]
fn unwind_with_return() {
    assert_eq!(reprint("UNWIND [1, 2] AS x RETURN x"), "UNWIND [1, 2] AS x RETURN x");
    assert_eq!(
        reprint(
            "MATCH (n) WITH DISTINCT n.x AS x, n ORDER BY x DESC, n.y ASCENDING SKIP 1 LIMIT 2 WHERE x > 0 RETURN *"
        ),
        "MATCH (n) WITH DISTINCT n.x AS x, n ORDER BY x DESC, n.y SKIP 1 LIMIT 2 WHERE x > 0 RETURN *"
    );
    let p = first_return("MATCH (n) RETURN n.name, count( * ), n.x AS y ORDER BY y DESCENDING LIMIT 3");
    assert_eq!(
        p.items.iter().map(|i| i.name()).collect::<Vec<_>>(),
        ["n.name", "count( * )", "y"]
    );
    assert!(p.order_by[0].descending);
    assert!(p.limit.is_some() && p.skip.is_none());
    let p = first_return("RETURN *, 1 AS x");
    assert!(p.star);
    assert_eq!(p.items.len(), 1);
    let p = first_return("RETURN (1 + 2) AS x, ( a ) ");
    assert_eq!(p.items[1].text, "( a )");
    let p = first_return("RETURN a /* c */ + b // end");
    assert_eq!(p.items[0].text, "a /* c */ + b");
    let p = first_return("RETURN distinct a ORDER BY a asc, b desc SKIP 2");
    assert!(p.distinct && !p.order_by[0].descending && p.order_by[1].descending && p.skip.is_some());
}

#[test]
fn create_merge_delete() {
    assert_eq!(
        reprint("CREATE (a:A {x: 1})-[:T]->(b), (c)"),
        "CREATE (a:A {x: 1})-[:T]->(b), (c)"
    );
    assert_eq!(
        reprint("MERGE (n:N {k: 1}) ON CREATE SET n.c = 1 ON MATCH SET n.m = 2, n:L"),
        "MERGE (n:N {k: 1}) ON CREATE SET n.c = 1 ON MATCH SET n.m = 2, n:L"
    );
    assert_eq!(reprint("MATCH (n) DETACH DELETE n, m"), "MATCH (n) DETACH DELETE n, m");
    assert_eq!(reprint("MATCH (n) DELETE n.x[0]"), "MATCH (n) DELETE n.x[0]");
    assert_eq!(
        st("MATCH (n) DETACH DELETE n").query.first.clauses[1].name(),
        "DETACH DELETE"
    );
}

#[test]
fn set_and_remove() {
    let s = st("MATCH (n) SET n.p = 1, n = {a: 1}, n += {b: 2}, n:A:B, (n).q = 2, n.a.b = 3");
    let Clause::Set(set) = &s.query.first.clauses[1] else {
        panic!()
    };
    assert!(matches!(&set.items[0], SetItem::Property { key, .. } if key.name == "p"));
    assert!(matches!(&set.items[1], SetItem::Replace { variable, .. } if variable.name == "n"));
    assert!(matches!(&set.items[2], SetItem::Merge { .. }));
    assert!(matches!(&set.items[3], SetItem::Labels { labels, .. } if labels.as_conjunction().unwrap().len() == 2));
    assert!(matches!(&set.items[4], SetItem::Property { target, .. } if target.kind == ExprKind::Variable("n".into())));
    assert!(matches!(&set.items[5], SetItem::Property { target, .. } if matches!(target.kind, ExprKind::Property(..))));
    assert_eq!(
        s.to_string(),
        "MATCH (n) SET n.p = 1, n = {a: 1}, n += {b: 2}, n:A:B, n.q = 2, n.a.b = 3"
    );
    let s = st("MATCH (n) REMOVE n.p, n:A:B");
    let Clause::Remove(r) = &s.query.first.clauses[1] else {
        panic!()
    };
    assert!(matches!(&r.items[0], RemoveItem::Property { .. }));
    assert!(matches!(&r.items[1], RemoveItem::Labels { labels, .. } if labels.as_conjunction().unwrap().len() == 2));
    assert_eq!(code("MATCH (n) SET 1 = 2"), "UnexpectedSyntax");
    assert_eq!(code("MATCH (n) REMOVE n"), "UnexpectedSyntax");
}

#[test]
fn call_clauses() {
    let s = st("CALL db.labels() YIELD label AS l, x WHERE l <> 'A' RETURN l");
    let Clause::Call(c) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert_eq!(c.qualified_name(), "db.labels");
    assert_eq!(c.args.as_ref().unwrap().len(), 0);
    let y = c.yield_.as_ref().unwrap();
    assert_eq!(y.items.len(), 2);
    assert_eq!(y.items[0].1.as_ref().unwrap().name, "l");
    assert!(y.where_.is_some());
    let s = st("CALL test.my.proc");
    let Clause::Call(c) = &s.query.first.clauses[0] else {
        panic!()
    };
    assert!(c.args.is_none() && c.yield_.is_none());
    assert_eq!(c.procedure.len(), 3);
    assert!(
        matches!(&st("CALL p(1, 'a') YIELD *").query.first.clauses[0], Clause::Call(c) if c.yield_.as_ref().unwrap().star)
    );
    assert_eq!(code("CALL p(1) YIELD * RETURN x"), "UnexpectedSyntax");
    assert_eq!(reprint("CALL a.b(1, $x) YIELD c AS d"), "CALL a.b(1, $x) YIELD c AS d");
}

#[test]
fn statements() {
    let s = st("EXPLAIN MATCH (n) RETURN n;");
    assert_eq!(s.mode, Mode::Explain);
    assert_eq!(st("profile RETURN 1").mode, Mode::Profile);
    assert_eq!(st("RETURN 1").mode, Mode::Run);
    let s = st("RETURN 1 AS x UNION RETURN 2 AS x UNION ALL RETURN 3 AS x");
    assert_eq!(s.query.unions.len(), 2);
    assert!(!s.query.unions[0].all && s.query.unions[1].all);
    assert_eq!(
        s.to_string(),
        "RETURN 1 AS x UNION RETURN 2 AS x UNION ALL RETURN 3 AS x"
    );
    st("// leading comment\nMATCH /* inline */ (n) // trailing\nRETURN n ; ");
    st("match (n) return n");
    assert_eq!(code("RETURN 1; RETURN 2"), "UnexpectedSyntax");
    assert_eq!(code(""), "UnexpectedSyntax");
    assert_eq!(code("RETURN 1 /* unterminated"), "UnexpectedSyntax");
}

#[test]
fn keywords_as_names() {
    // Keywords are fine as labels, types and keys; reserved words need quotes as variables.
    reprint("MATCH (n:Match)-[:RETURN]->(m {end: 1}) RETURN n.order, m.`where`");
    st("MATCH (`match`) RETURN `match`");
    assert_eq!(code("MATCH (match) RETURN 1"), "UnexpectedSyntax");
    st("WITH 1 AS count, 2 AS end RETURN count");
}

// ---- errors -----------------------------------------------------------------

#[test]
fn error_messages_and_positions() {
    let e = err("RETURN 1 +");
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, 10);
    assert!(e.message.contains("after '+'"), "{}", e.message);
    assert!(e.message.contains("expected an expression"), "{}", e.message);

    let e = err("MATC (n) RETURN n");
    assert_eq!(e.offset, 0);
    assert_eq!(e.hint.as_deref(), Some("did you mean MATCH?"));

    let e = err("MATCH (n) RETRUN n");
    assert_eq!(e.offset, 10);
    assert_eq!(e.hint.as_deref(), Some("did you mean RETURN?"));

    let e = err("MATCH (n RETURN n");
    assert_eq!(e.offset, 9);
    assert!(e.message.contains("')'"), "{}", e.message);

    let e = err("RETURN [1, 2");
    assert_eq!(e.offset, 12);
    assert!(e.message.contains("']'"), "{}", e.message);

    let e = err("MATCH (n) WHERE n.x = RETURN n");
    assert_eq!(e.offset, 22);

    assert_eq!(code("RETURN [, ] AS literal"), "UnexpectedSyntax");
    assert_eq!(code("RETURN [[[]] AS literal"), "UnexpectedSyntax");
    assert_eq!(code("RETURN {1B2c3e67:1} AS literal"), "UnexpectedSyntax");
    assert_eq!(code("RETURN {k1.k: 1} AS literal"), "UnexpectedSyntax");
    assert_eq!(code("RETURN {{}} AS literal"), "UnexpectedSyntax");

    // The offset points into the second line (the engine turns it into a line and column).
    let e = err("MATCH (n)\nRETURN n +");
    assert!(e.offset > "MATCH (n)\n".len(), "{}", e.offset);
    assert_eq!(e.code, "UnexpectedSyntax");
}

// ---- limits -----------------------------------------------------------------

fn too_deep(q: &str) {
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert!(e.message.contains("deep"), "{}", e.message);
}

#[test]
fn depth_limit() {
    let n = 1000;
    too_deep(&format!("RETURN {}1{}", "(".repeat(n), ")".repeat(n)));
    too_deep(&format!("RETURN {}{}", "[".repeat(n), "]".repeat(n)));
    too_deep(&format!("RETURN {}1{}", "{a: ".repeat(n), "}".repeat(n)));
    too_deep(&format!("RETURN {}true", "NOT ".repeat(n * 2)));
    too_deep(&format!("RETURN 1{}", " + 1".repeat(n * 5)));
    too_deep(&format!("RETURN {}1", "-".repeat(n * 2)));
    too_deep(&format!("MATCH {}(a)-->(b){} RETURN 1", "(".repeat(n), ")".repeat(n)));
    too_deep(&format!("RETURN {}1{}", "[x IN ".repeat(n), "]".repeat(n)));
    too_deep(&format!("RETURN {}", "n.a".to_string() + &".a".repeat(n * 2)));
    // Unclosed nesting is an error too, not an overflow.
    assert_eq!(code(&format!("RETURN {}", "(".repeat(100_000))), "UnexpectedSyntax");
    // Within the limits all is fine.
    st(&format!("RETURN {}1{}", "(".repeat(150), ")".repeat(150)));
    st(&format!("RETURN {}{}", "[".repeat(150), "]".repeat(150)));
    st(&format!("RETURN 1{}", " + 1".repeat(500)));
}

#[test]
fn deep_nesting_on_a_small_stack() {
    // Callers on small threads are fine: the parser runs on its own stack.
    std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(|| {
            st(&format!("RETURN {}{}", "[".repeat(150), "]".repeat(150)));
            too_deep(&format!("RETURN {}{}", "[".repeat(1000), "]".repeat(1000)));
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn big_inputs_are_linear() {
    let list = format!("RETURN [{}0]", "1, ".repeat(100_000));
    let t = std::time::Instant::now();
    st(&list);
    let one = t.elapsed();
    let creates = "CREATE (:A {x: 1})-[:T]->(:B)\n".repeat(5_000) + "RETURN 1";
    st(&creates);
    let list2 = format!("RETURN [{}0]", "1, ".repeat(200_000));
    let t = std::time::Instant::now();
    st(&list2);
    let two = t.elapsed();
    assert!(
        two < one * 5 + std::time::Duration::from_millis(200),
        "{one:?} vs {two:?}"
    );
    // Backtracking over ambiguous brackets stays cheap.
    let amb = format!("RETURN {}1{}", "({a: ".repeat(60), "})".repeat(60));
    let t = std::time::Instant::now();
    st(&amb);
    assert!(t.elapsed() < std::time::Duration::from_secs(2));
}

// ---- round trips ------------------------------------------------------------

mod roundtrip {
    use super::*;
    use proptest::prelude::*;

    fn sp() -> Span {
        Span::default()
    }

    fn id(name: &str) -> Ident {
        Ident::new(name, sp())
    }

    fn e(kind: ExprKind) -> Expr {
        Expr::new(kind, sp())
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("n".to_string()),
            Just("x".to_string()),
            Just("a b".to_string()),
            Just("MATCH".to_string()),
            Just("end".to_string()),
            Just("count".to_string()),
            Just("x`y".to_string()),
            Just("é".to_string()),
            "[a-z][a-z0-9_]{0,5}",
        ]
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            Just(Literal::Null),
            any::<bool>().prop_map(Literal::Bool),
            any::<i64>().prop_map(Literal::Int),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Literal::Float),
            (-1000.0f64..1000.0).prop_map(Literal::Float),
            any::<String>().prop_map(Literal::String),
        ]
    }

    const OPS: &[BinaryOp] = &[
        BinaryOp::Or,
        BinaryOp::Xor,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
        BinaryOp::Pow,
        BinaryOp::In,
        BinaryOp::StartsWith,
        BinaryOp::EndsWith,
        BinaryOp::Contains,
        BinaryOp::RegexMatch,
    ];

    /// Subquery expressions (their bodies are statements, generated apart).
    const SUBQUERY_EXPRS: &[&str] = &[
        "COUNT { MATCH (n)-->(m) WHERE m.x > 1 RETURN m }",
        "COUNT { (n)-[:T]->() }",
        "COLLECT { MATCH (n:A) RETURN n.x AS x UNION RETURN 1 AS x }",
        "EXISTS { MATCH (a) ((b)-[r]->(c) WHERE r.w > 1){1,3} (d) }",
        "EXISTS { CALL (n) { RETURN 1 AS one } RETURN one }",
    ];

    fn label_atom(x: BoxedStrategy<Expr>) -> impl Strategy<Value = LabelExpr> {
        prop_oneof![
            4 => name().prop_map(|n| LabelExpr::label(id(&n))),
            1 => Just(LabelExpr { kind: LabelExprKind::Wildcard, span: sp() }),
            1 => (x, any::<bool>()).prop_map(|(x, any)| LabelExpr {
                kind: LabelExprKind::Dynamic { expr: Box::new(x), any },
                span: sp(),
            }),
        ]
    }

    /// Label expressions: the older colon form, or a tree of `| & !`.
    pub(super) fn label_expr(x: BoxedStrategy<Expr>) -> impl Strategy<Value = LabelExpr> {
        let l = |kind| LabelExpr { kind, span: sp() };
        let tree = label_atom(x.clone()).prop_recursive(3, 12, 3, move |inner| {
            prop_oneof![
                inner.clone().prop_map(move |i| l(LabelExprKind::Not(Box::new(i)))),
                prop::collection::vec(inner.clone(), 2..4).prop_map(move |v| l(LabelExprKind::And(v))),
                prop::collection::vec(inner, 2..4).prop_map(move |v| l(LabelExprKind::Or(v))),
            ]
        });
        let colon = prop::collection::vec(
            prop_oneof![
                3 => name().prop_map(|n| LabelExpr::label(id(&n))),
                1 => (x, any::<bool>()).prop_map(|(x, any)| LabelExpr {
                    kind: LabelExprKind::Dynamic { expr: Box::new(x), any },
                    span: sp(),
                }),
            ],
            2..4,
        )
        .prop_map(move |v| l(LabelExprKind::Colon(v)));
        prop_oneof![3 => tree, 1 => colon]
    }

    pub(super) fn value_type() -> impl Strategy<Value = ValueType> {
        use ValueTypeKind as K;
        let leaf = prop::sample::select(vec![
            K::Any,
            K::Nothing,
            K::Null,
            K::Boolean,
            K::String,
            K::Integer,
            K::Float,
            K::Date,
            K::LocalTime,
            K::ZonedTime,
            K::LocalDateTime,
            K::ZonedDateTime,
            K::Duration,
            K::Point,
            K::Node,
            K::Relationship,
            K::Map,
            K::Path,
            K::PropertyValue,
        ]);
        (leaf, any::<bool>())
            .prop_map(|(kind, not_null)| ValueType {
                kind,
                not_null,
                span: sp(),
            })
            .prop_recursive(3, 10, 3, |inner| {
                prop_oneof![
                    (inner.clone(), any::<bool>()).prop_map(|(t, not_null)| ValueType {
                        kind: ValueTypeKind::List(Box::new(t)),
                        not_null,
                        span: sp()
                    }),
                    (prop::collection::vec(inner, 2..4), any::<bool>()).prop_map(|(v, not_null)| ValueType {
                        kind: ValueTypeKind::Union(v),
                        not_null,
                        span: sp()
                    }),
                ]
            })
    }

    pub(super) fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            literal().prop_map(|l| e(ExprKind::Literal(l))),
            name().prop_map(|n| e(ExprKind::Variable(n))),
            name().prop_map(|n| e(ExprKind::Parameter(n))),
            (0u32..20).prop_map(|n| e(ExprKind::Parameter(n.to_string()))),
            Just(e(ExprKind::CountStar)),
        ];
        leaf.prop_recursive(5, 48, 4, |inner| {
            let inner = inner.boxed();
            let fname = prop_oneof![
                Just(vec![id("f")]),
                Just(vec![id("toUpper")]),
                Just(vec![id("date"), id("truncate")]),
                Just(vec![id("exists")]),
                Just(vec![id("count")]),
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(|v| e(ExprKind::List(v))),
                prop::collection::vec((name(), inner.clone()), 0..3)
                    .prop_map(|v| e(ExprKind::Map(v.into_iter().map(|(k, x)| (id(&k), x)).collect()))),
                (inner.clone(), name()).prop_map(|(x, k)| e(ExprKind::Property(Box::new(x), id(&k)))),
                (inner.clone(), inner.clone()).prop_map(|(x, i)| e(ExprKind::Index(Box::new(x), Box::new(i)))),
                (
                    inner.clone(),
                    prop::option::of(inner.clone()),
                    prop::option::of(inner.clone())
                )
                    .prop_map(|(x, a, b)| e(ExprKind::Slice(
                        Box::new(x),
                        a.map(Box::new),
                        b.map(Box::new)
                    ))),
                (
                    prop::sample::select(vec![UnaryOp::Not, UnaryOp::Neg, UnaryOp::Pos]),
                    inner.clone()
                )
                    .prop_map(|(op, x)| e(ExprKind::Unary(op, Box::new(x)))),
                (prop::sample::select(OPS), inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(ExprKind::Binary(
                    op,
                    Box::new(l),
                    Box::new(r)
                ))),
                (inner.clone(), any::<bool>()).prop_map(|(x, not)| e(ExprKind::IsNull(Box::new(x), not))),
                (inner.clone(), label_expr(inner.clone())).prop_map(|(x, ls)| e(ExprKind::HasLabels(Box::new(x), ls))),
                (inner.clone(), value_type(), any::<bool>()).prop_map(|(x, t, not)| e(ExprKind::IsType(
                    Box::new(x),
                    t,
                    not
                ))),
                (
                    inner.clone(),
                    prop::sample::select(vec![
                        NormalForm::Nfc,
                        NormalForm::Nfd,
                        NormalForm::Nfkc,
                        NormalForm::Nfkd
                    ]),
                    any::<bool>()
                )
                    .prop_map(|(x, form, not)| e(ExprKind::IsNormalized(Box::new(x), form, not))),
                prop::sample::select(SUBQUERY_EXPRS).prop_map(|t| parse_expression(t).unwrap()),
                (fname, any::<bool>(), prop::collection::vec(inner.clone(), 0..3))
                    .prop_map(|(name, distinct, args)| e(ExprKind::FunctionCall { name, distinct, args })),
                (
                    prop::option::of(inner.clone()),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    prop::option::of(inner.clone())
                )
                    .prop_map(|(o, whens, el)| e(ExprKind::Case {
                        operand: o.map(Box::new),
                        whens,
                        else_: el.map(Box::new)
                    })),
                (
                    name(),
                    inner.clone(),
                    prop::option::of(inner.clone()),
                    prop::option::of(inner.clone())
                )
                    .prop_map(|(v, l, p, x)| e(ExprKind::ListComprehension {
                        variable: id(&v),
                        list: Box::new(l),
                        predicate: p.map(Box::new),
                        projection: x.map(Box::new)
                    })),
                (
                    prop::sample::select(vec![
                        Quantifier::All,
                        Quantifier::Any,
                        Quantifier::None,
                        Quantifier::Single
                    ]),
                    name(),
                    inner.clone(),
                    prop::option::of(inner.clone())
                )
                    .prop_map(|(q, v, l, p)| e(ExprKind::Quantified {
                        quantifier: q,
                        variable: id(&v),
                        list: Box::new(l),
                        predicate: p.map(Box::new)
                    })),
                (name(), inner.clone(), name(), inner.clone(), inner.clone()).prop_map(|(a, i, v, l, x)| e(
                    ExprKind::Reduce {
                        accumulator: id(&a),
                        init: Box::new(i),
                        variable: id(&v),
                        list: Box::new(l),
                        expr: Box::new(x)
                    }
                )),
                (
                    name(),
                    prop::collection::vec(
                        prop_oneof![
                            name().prop_map(|k| MapProjectionItem::Property(id(&k))),
                            Just(MapProjectionItem::AllProperties),
                            (name(), inner.clone()).prop_map(|(k, x)| MapProjectionItem::Literal(id(&k), x)),
                            name().prop_map(|k| MapProjectionItem::Variable(id(&k))),
                        ],
                        0..3
                    )
                )
                    .prop_map(|(v, items)| e(ExprKind::MapProjection {
                        variable: id(&v),
                        items
                    })),
            ]
        })
    }

    fn item(x: Expr, alias: Option<String>) -> ProjectionItem {
        ProjectionItem {
            text: x.to_string(),
            expr: x,
            alias: alias.map(|a| id(&a)),
        }
    }

    fn clause() -> impl Strategy<Value = Clause> {
        let small = || expr().boxed();
        let node = (
            prop::option::of(name()),
            prop::option::of(label_expr(small())),
            prop::option::weighted(0.2, small()),
        )
            .prop_map(|(v, labels, where_)| NodePattern {
                variable: v.map(|v| id(&v)),
                labels,
                properties: None,
                where_: where_.map(Box::new),
                span: sp(),
            })
            .boxed();
        let range = prop::option::of((prop::option::of(0u64..5), prop::option::of(0u64..5)))
            .prop_map(|r| r.map(|(min, max)| Range { min, max }));
        let quantifier = prop::option::weighted(0.2, (0u64..4, prop::option::of(0u64..4))).prop_map(|q| {
            q.map(|(min, extra)| PathQuantifier {
                min,
                max: extra.map(|e| min + e),
                span: sp(),
            })
        });
        let rel = (
            prop::option::of(name()),
            prop::sample::select(vec![Direction::Outgoing, Direction::Incoming, Direction::Both]),
            prop::option::of(label_expr(small())),
            range,
            prop::option::weighted(0.2, small()),
            quantifier.clone(),
        )
            .prop_map(|(v, direction, types, length, where_, quantifier)| RelPattern {
                variable: v.map(|v| id(&v)),
                direction,
                types,
                quantifier: if length.is_some() { None } else { quantifier },
                length,
                properties: None,
                where_: where_.map(Box::new),
                span: sp(),
            })
            .boxed();
        let simple = (
            node.clone(),
            prop::collection::vec((rel.clone().prop_map(PathStep::Rel), node.clone()), 0..3),
        )
            .prop_map(|(start, chain)| PatternElement {
                start,
                chain,
                span: sp(),
            })
            .boxed();
        let group = (simple.clone(), prop::option::weighted(0.3, small()), quantifier).prop_map(
            |(element, where_, quantifier)| {
                // A quantified relationship inside a quantified group would be nested quantifiers.
                PathStep::Group(Box::new(PathGroup {
                    element,
                    where_,
                    quantifier,
                    span: sp(),
                }))
            },
        );
        let step = prop_oneof![4 => rel.prop_map(PathStep::Rel), 1 => group];
        let element =
            (node.clone(), prop::collection::vec((step, node), 0..3)).prop_map(|(start, chain)| PatternElement {
                start,
                chain,
                span: sp(),
            });
        let selector = prop::option::weighted(
            0.2,
            prop_oneof![
                prop::option::of(0i64..5)
                    .prop_map(|k| SelectorKind::Any(k.map(|k| e(ExprKind::Literal(Literal::Int(k)))))),
                Just(SelectorKind::All),
                Just(SelectorKind::AnyShortest),
                Just(SelectorKind::AllShortest),
                (0i64..5).prop_map(|k| SelectorKind::Shortest(e(ExprKind::Literal(Literal::Int(k))))),
                name().prop_map(|k| SelectorKind::ShortestGroups(Some(e(ExprKind::Parameter(k))))),
                Just(SelectorKind::ShortestGroups(None)),
            ],
        )
        .prop_map(|k| k.map(|kind| PathSelector { kind, span: sp() }));
        let part = (prop::option::of(name()), selector, element)
            .prop_map(
                |(v, selector, element): (Option<String>, _, PatternElement)| PatternPart {
                    variable: v.map(|v| id(&v)),
                    kind: PathKind::Normal,
                    selector,
                    element,
                    span: sp(),
                },
            )
            .boxed();
        let projection = (
            any::<bool>(),
            prop::collection::vec((expr(), prop::option::of(name())), 1..3),
            prop::collection::vec((expr(), any::<bool>()), 0..2),
            prop::option::of(expr()),
        )
            .prop_map(|(distinct, items, order, limit)| Projection {
                distinct,
                star: false,
                items: items.into_iter().map(|(x, a)| item(x, a)).collect(),
                order_by: order
                    .into_iter()
                    .map(|(expr, descending)| SortItem { expr, descending })
                    .collect(),
                skip: None,
                limit,
            })
            .boxed();
        prop_oneof![
            (
                any::<bool>(),
                prop::collection::vec(part.clone(), 1..3),
                prop::option::of(expr())
            )
                .prop_map(|(optional, parts, where_)| Clause::Match(Match {
                    optional,
                    mode: None,
                    pattern: Pattern { parts },
                    where_,
                    span: sp()
                })),
            (expr(), name()).prop_map(|(x, v)| Clause::Unwind(Unwind {
                expr: x,
                variable: id(&v),
                span: sp()
            })),
            prop::collection::vec((name(), expr()), 1..3).prop_map(|items| Clause::Let(Let {
                items: items.into_iter().map(|(v, x)| (id(&v), x)).collect(),
                span: sp()
            })),
            expr().prop_map(|predicate| Clause::Filter(Filter { predicate, span: sp() })),
            Just(Clause::Finish(Finish { span: sp() })),
            (projection.clone(), prop::option::of(expr())).prop_map(|(projection, where_)| {
                Clause::With(With {
                    projection,
                    where_,
                    span: sp(),
                })
            }),
            projection.prop_map(|projection| Clause::Return(Return { projection, span: sp() })),
            prop::collection::vec(part.clone(), 1..3).prop_map(|parts| Clause::Create(Create {
                pattern: Pattern { parts },
                span: sp()
            })),
            (any::<bool>(), prop::collection::vec(expr(), 1..3)).prop_map(|(detach, exprs)| {
                Clause::Delete(Delete {
                    detach,
                    exprs,
                    span: sp(),
                })
            }),
            (name(), name(), expr()).prop_map(|(v, k, x)| Clause::Set(Set {
                items: vec![
                    SetItem::Property {
                        target: e(ExprKind::Variable(v.clone())),
                        key: id(&k),
                        value: x.clone()
                    },
                    SetItem::Replace {
                        variable: id(&v),
                        value: x.clone()
                    },
                    SetItem::Merge {
                        variable: id(&v),
                        value: x
                    },
                    SetItem::Labels {
                        variable: id(&v),
                        labels: LabelExpr::label(id(&k))
                    },
                    SetItem::DynamicProperty {
                        target: e(ExprKind::Variable(v.clone())),
                        key: e(ExprKind::Parameter(k.clone())),
                        value: e(ExprKind::Literal(Literal::Int(1)))
                    },
                ],
                span: sp()
            })),
            (
                any::<bool>(),
                expr(),
                name(),
                prop::option::of(prop::sample::select(vec![";", "\t", "|", "'"]))
            )
                .prop_map(|(with_headers, url, v, t)| Clause::LoadCsv(LoadCsv {
                    with_headers,
                    url,
                    variable: id(&v),
                    field_terminator: t.map(String::from),
                    span: sp()
                })),
            (name(), name()).prop_map(|(v, k)| Clause::Remove(Remove {
                items: vec![
                    RemoveItem::Property {
                        target: e(ExprKind::Variable(v.clone())),
                        key: id(&k)
                    },
                    RemoveItem::Labels {
                        variable: id(&v),
                        labels: LabelExpr::label(id(&k))
                    },
                    RemoveItem::DynamicProperty {
                        target: e(ExprKind::Variable(v.clone())),
                        key: e(ExprKind::Parameter(k.clone()))
                    },
                ],
                span: sp()
            })),
        ]
    }

    fn query_of(clauses: Vec<Clause>) -> Query {
        Query {
            first: SingleQuery { clauses, span: sp() },
            unions: Vec::new(),
        }
    }

    fn count() -> impl Strategy<Value = Expr> {
        prop_oneof![
            (0i64..100).prop_map(|n| e(ExprKind::Literal(Literal::Int(n)))),
            name().prop_map(|n| e(ExprKind::Parameter(n))),
        ]
    }

    /// CALL subqueries (bodies from `clause()`) and FOREACH (its updating clauses).
    fn nested_clause() -> impl Strategy<Value = Clause> {
        let import = prop::option::of(prop_oneof![
            Just(ImportList::All),
            prop::collection::vec(name(), 0..3).prop_map(|v| ImportList::Variables(v.iter().map(|n| id(n)).collect())),
        ]);
        let in_tx = prop::option::weighted(
            0.4,
            (
                any::<bool>(),
                prop::option::of(count()),
                prop::option::of(count()),
                prop::option::of(prop::sample::select(vec![
                    OnError::Continue,
                    OnError::Break,
                    OnError::Fail,
                ])),
                prop::option::of(name()),
            )
                .prop_map(|(concurrent, concurrency, batch_size, on_error, report)| {
                    // REPORT STATUS needs ON ERROR CONTINUE or BREAK; a count needs CONCURRENT.
                    let report_ok = matches!(on_error, Some(OnError::Continue | OnError::Break));
                    InTransactions {
                        concurrent,
                        concurrency: if concurrent { concurrency } else { None },
                        batch_size,
                        on_error,
                        report_status: if report_ok { report.map(|r| id(&r)) } else { None },
                        span: sp(),
                    }
                }),
        );
        let call = (
            any::<bool>(),
            import,
            prop::collection::vec(clause(), 1..3),
            prop::collection::vec(clause(), 0..2),
            in_tx,
        )
            .prop_map(|(optional, import, first, union, in_transactions)| {
                let mut body = query_of(first);
                if !union.is_empty() {
                    body.unions.push(Union {
                        all: optional,
                        query: SingleQuery {
                            clauses: union,
                            span: sp(),
                        },
                        span: sp(),
                    });
                }
                Clause::CallSubquery(CallSubquery {
                    optional,
                    import,
                    body: Box::new(body),
                    in_transactions,
                    span: sp(),
                })
            });
        let foreach = (name(), expr(), prop::collection::vec(clause(), 1..4)).prop_filter_map(
            "updating clauses only",
            |(v, list, clauses)| {
                let clauses: Vec<Clause> = clauses.into_iter().filter(|c| c.is_updating()).collect();
                (!clauses.is_empty()).then(|| {
                    Clause::Foreach(Foreach {
                        variable: id(&v),
                        list,
                        clauses,
                        span: sp(),
                    })
                })
            },
        );
        prop_oneof![call, foreach]
    }

    /// Constraint and SHOW commands.
    fn schema_command() -> impl Strategy<Value = Statement> {
        let kind = prop_oneof![
            Just(ConstraintKind::Unique),
            Just(ConstraintKind::Key),
            Just(ConstraintKind::NotNull),
            value_type().prop_map(ConstraintKind::Type),
        ];
        let entity = prop_oneof![
            name().prop_map(|l| ConstraintEntity::Node { label: id(&l) }),
            (
                name(),
                prop::sample::select(vec![Direction::Outgoing, Direction::Incoming, Direction::Both])
            )
                .prop_map(|(t, direction)| ConstraintEntity::Relationship {
                    rel_type: id(&t),
                    direction
                }),
        ];
        let create = (
            prop::option::of(name()),
            any::<bool>(),
            name(),
            entity,
            prop::collection::vec(name(), 1..3),
            kind,
        )
            .prop_map(|(n, if_not_exists, v, entity, props, kind)| {
                let single = matches!(kind, ConstraintKind::NotNull | ConstraintKind::Type(_));
                let properties = props.iter().take(if single { 1 } else { 2 }).map(|p| id(p)).collect();
                SchemaCommand::CreateConstraint(Box::new(CreateConstraint {
                    name: n.map(|n| id(&n)),
                    if_not_exists,
                    variable: id(&v),
                    entity,
                    properties,
                    kind,
                    options: None,
                    span: sp(),
                }))
            });
        let drop = (name(), any::<bool>()).prop_map(|(n, if_exists)| SchemaCommand::DropConstraint {
            name: id(&n),
            if_exists,
        });
        let what = prop_oneof![
            prop::sample::select(vec![IndexFilter::All, IndexFilter::Range, IndexFilter::Vector])
                .prop_map(ShowWhat::Indexes),
            prop::sample::select(vec![
                ConstraintFilter::All,
                ConstraintFilter::NodeKey,
                ConstraintFilter::RelationshipExistence,
                ConstraintFilter::PropertyType
            ])
            .prop_map(ShowWhat::Constraints),
            Just(ShowWhat::Procedures { executable: None }),
            (
                prop::sample::select(vec![
                    FunctionFilter::All,
                    FunctionFilter::BuiltIn,
                    FunctionFilter::UserDefined
                ]),
                prop::option::of(prop_oneof![
                    Just(ExecutableBy::CurrentUser),
                    name().prop_map(|u| ExecutableBy::User(id(&u)))
                ])
            )
                .prop_map(|(filter, executable)| ShowWhat::Functions { filter, executable }),
        ];
        let yield_ = prop::option::of(
            (
                any::<bool>(),
                prop::collection::vec((name(), prop::option::of(name())), 1..3),
                prop::option::of(count()),
            )
                .prop_map(|(star, items, limit)| ShowYield {
                    star,
                    items: if star {
                        Vec::new()
                    } else {
                        items.into_iter().map(|(c, a)| (id(&c), a.map(|a| id(&a)))).collect()
                    },
                    order_by: Vec::new(),
                    skip: None,
                    limit,
                    span: sp(),
                }),
        );
        let show = (what, yield_, prop::option::of(expr()), any::<bool>()).prop_map(|(what, yield_, where_, ret)| {
            let return_ = (ret && yield_.is_some()).then(|| Return {
                projection: Projection {
                    distinct: false,
                    star: true,
                    items: Vec::new(),
                    order_by: Vec::new(),
                    skip: None,
                    limit: None,
                },
                span: sp(),
            });
            SchemaCommand::Show(Box::new(Show {
                what,
                yield_,
                where_,
                return_,
            }))
        });
        prop_oneof![create, drop, show].prop_map(|command| Statement {
            mode: Mode::Run,
            query: query_of(vec![Clause::Schema(Schema { command, span: sp() })]),
        })
    }

    fn statement() -> impl Strategy<Value = Statement> {
        let clause = || prop_oneof![4 => clause(), 1 => nested_clause()];
        (
            prop::sample::select(vec![Mode::Run, Mode::Explain, Mode::Profile]),
            prop::collection::vec(clause(), 1..4),
            prop::collection::vec((any::<bool>(), prop::collection::vec(clause(), 1..3)), 0..2),
        )
            .prop_map(|(mode, clauses, unions)| Statement {
                mode,
                query: Query {
                    first: SingleQuery { clauses, span: sp() },
                    unions: unions
                        .into_iter()
                        .map(|(all, clauses)| Union {
                            all,
                            query: SingleQuery { clauses, span: sp() },
                            span: sp(),
                        })
                        .collect(),
                },
            })
    }

    /// Runs a property on a thread with a large stack: the generated trees
    /// nest deeply (statements in subqueries, expressions in patterns), and
    /// the strategies and their shrinking recurse on the caller's stack.
    fn check<S: Strategy + 'static>(strategy: fn() -> S, property: fn(S::Value) -> Result<(), TestCaseError>)
    where
        S::Value: std::fmt::Debug,
    {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(300));
                if let Err(e) = runner.run(&strategy(), property) {
                    panic!("{e}");
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }

    fn reparses(s: Statement) -> Result<(), TestCaseError> {
        let printed = s.to_string();
        let again = parse_statement(&printed);
        prop_assert!(again.is_ok(), "{printed:?} does not parse: {again:?}");
        prop_assert_eq!(strip_spans(&again.unwrap()), strip_spans(&s), "printed as {}", printed);
        Ok(())
    }

    #[test]
    fn expressions_print_and_reparse() {
        check(expr, |x| {
            let printed = x.to_string();
            let again = parse_expression(&printed);
            prop_assert!(again.is_ok(), "{printed:?} does not parse: {again:?}");
            prop_assert_eq!(strip_spans(&again.unwrap()), strip_spans(&x), "printed as {}", printed);
            Ok(())
        });
    }

    #[test]
    fn schema_commands_print_and_reparse() {
        check(schema_command, reparses);
    }

    #[test]
    fn statements_print_and_reparse() {
        check(statement, reparses);
    }
}

#[test]
fn load_csv_clauses() {
    let s = st("LOAD CSV WITH HEADERS FROM 'file:///a.csv' AS row FIELDTERMINATOR ';' CREATE (:P {name: row.name})");
    let Clause::LoadCsv(l) = &s.query.first.clauses[0] else {
        panic!("not LOAD CSV: {s:?}")
    };
    assert!(l.with_headers);
    assert_eq!(l.variable.name, "row");
    assert_eq!(l.field_terminator.as_deref(), Some(";"));
    assert_eq!(
        reprint("load csv from $url as r fieldterminator '\\t' return r"),
        "LOAD CSV FROM $url AS r FIELDTERMINATOR '\\t' RETURN r"
    );
    assert_eq!(
        reprint("MATCH (n) LOAD CSV FROM n.file AS line WITH line RETURN line[0]"),
        "MATCH (n) LOAD CSV FROM n.file AS line WITH line RETURN line[0]"
    );
    assert_eq!(
        code("LOAD CSV FROM 'a.csv' AS r FIELDTERMINATOR ';;' RETURN r"),
        "UnexpectedSyntax"
    );
    assert_eq!(code("LOAD CSV 'a.csv' AS r RETURN r"), "UnexpectedSyntax");
    assert_eq!(code("LOAD CSV FROM 'a.csv' RETURN 1"), "UnexpectedSyntax");
}

#[test]
#[ignore]
fn show_messages() {
    for q in [
        "RETURN a b",
        "MATCH (n) WHRE n.x = 1 RETURN n",
        "MATCH (n)-[r:]->(m) RETURN n",
        "RETURN 1 +",
        "MATCH (n) RETURN",
        "CREATE (n",
        "RETURN [1, 2",
        "UNWIND [1] x RETURN x",
        "RETURN foo(1,)",
        "MATCH (n) RETURN n ORDER n",
    ] {
        let e = parse_statement(q).unwrap_err();
        eprintln!("{q}\n  {} @{}: {} / {:?}", e.code, e.offset, e.message, e.hint);
    }
}
