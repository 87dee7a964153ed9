//! Unit tests of the parser: every clause and expression form, precedence,
//! error codes and positions, the depth limit, and a print/reparse proptest.

use super::*;
use crate::ast::*;

/// The tree's debug text without spans (the derived `PartialEq` of clause
/// and pattern nodes compares spans; round trips must not).
pub(crate) fn strip_spans<T: std::fmt::Debug>(t: &T) -> String {
    let re = regex::Regex::new(r"span: Span \{ start: \d+, end: \d+ \}").unwrap();
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

fn err(q: &str) -> ParseError {
    match parse_statement(q) {
        Ok(s) => panic!("{q:?} parsed: {s:?}"),
        Err(e) => e,
    }
}

#[test]
fn smoke() {
    st("MATCH (n) RETURN n");
}

#[test]
fn stack_per_level() {
    // How much stack one level of list nesting takes (printed for tuning MAX_DEPTH).
    let q = format!("RETURN {}{} AS x", "[".repeat(100), "]".repeat(100));
    let r = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let c = Ctx::new(&q);
            c.finish(clause::statement(&c, &q)).map(|_| ())
        })
        .unwrap()
        .join();
    assert!(r.unwrap().is_ok());
}
