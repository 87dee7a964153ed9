//! Patterns: `p = (a:A {k: v})-[r:T|U *1..3]->(b)`, comma-separated parts,
//! `shortestPath(...)` / `allShortestPaths(...)`.

use super::expression::map_literal;
use super::lexical::{Ctx, Num, PResult};
use crate::ast::*;

/// Comma-separated pattern parts.
pub(crate) fn pattern<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Pattern> {
    let (mut i, first) = part(c, i)?;
    let mut parts = vec![first];
    while let Ok((r, _)) = c.sym(i, ",") {
        let (r, p) = part(c, r)?;
        parts.push(p);
        i = r;
    }
    Ok((i, Pattern { parts }))
}

/// `[p =] element`, `[p =] shortestPath(element)`, `[p =] allShortestPaths(element)`.
pub(crate) fn part<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, PatternPart> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let (i, variable) = match c.variable(i) {
        Ok((r, v)) if c.peek_sym(r, "=") => (c.sym(r, "=")?.0, Some(v)),
        _ => (i, None),
    };
    for (name, kind) in [
        ("shortestPath", PathKind::ShortestPath),
        ("allShortestPaths", PathKind::AllShortestPaths),
    ] {
        if c.peek_kw(i, name) {
            let (r, _) = c.kw(i, name)?;
            let (r, _) = c.sym(r, "(")?;
            let (r, element) = element(c, r)?;
            let (r, _) = c.sym(r, ")")?;
            return Ok((
                r,
                PatternPart {
                    variable,
                    kind,
                    element,
                    span: c.span(start, r),
                },
            ));
        }
    }
    let (r, element) = element(c, i)?;
    Ok((
        r,
        PatternPart {
            variable,
            kind: PathKind::Normal,
            element,
            span: c.span(start, r),
        },
    ))
}

/// A node, then any number of (relationship, node) steps.
pub(crate) fn element<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, PatternElement> {
    crate::stack::guarded(|| element_inner(c, i))
}

fn element_inner<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, PatternElement> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    if c.peek_sym(i, "((") {
        // A parenthesised element: `((a)-->(b))`.
        let _g = c.enter(i)?;
        let (r, _) = c.sym(i, "(")?;
        match element(c, r) {
            Ok((r, el)) => {
                if let Ok((r, _)) = c.sym(r, ")") {
                    return Ok((r, el));
                }
            }
            Err(nom::Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let (mut i, first) = node(c, i)?;
    let mut chain = Vec::new();
    loop {
        if !(c.peek_sym(i, "-") || c.peek_sym(i, "<")) {
            c.expect(c.ws(i).map(|(r, _)| r).unwrap_or(i), "-");
            break;
        }
        let (r, rel) = relationship(c, i)?;
        let (r, n) = node(c, r)?;
        chain.push((rel, n));
        i = r;
    }
    Ok((
        i,
        PatternElement {
            start: first,
            chain,
            span: c.span(start, i),
        },
    ))
}

/// `(v:A:B {k: v})` or `(v $props)`.
pub(crate) fn node<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, NodePattern> {
    let (r, open) = c.sym(i, "(")?;
    let (r, variable) = match c.variable(r) {
        Ok((r, v)) => (r, Some(v)),
        Err(nom::Err::Error(_)) => (r, None),
        Err(e) => return Err(e),
    };
    let (r, labels) = if c.peek_sym(r, ":") {
        labels(c, r)?
    } else {
        (r, Vec::new())
    };
    let (r, properties) = properties(c, r)?;
    let (r, close) = c.sym(r, ")")?;
    Ok((
        r,
        NodePattern {
            variable,
            labels,
            properties,
            span: Span::new(open.start, close.end),
        },
    ))
}

/// `:A:B` (at least one).
pub(crate) fn labels<'a>(c: &Ctx<'a>, mut i: &'a str) -> PResult<'a, Vec<Ident>> {
    let mut out = Vec::new();
    while let Ok((r, _)) = c.sym(i, ":") {
        let (r, l) = c.symbolic_name(r)?;
        out.push(l);
        i = r;
    }
    if out.is_empty() {
        return c.fail(i, ":");
    }
    Ok((i, out))
}

/// An optional map literal or parameter.
fn properties<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Box<Expr>>> {
    if c.peek_sym(i, "{") {
        let (r, (entries, span)) = map_literal(c, i)?;
        return Ok((r, Some(Box::new(Expr::new(ExprKind::Map(entries), span)))));
    }
    if c.peek_sym(i, "$") {
        let (r, (name, span)) = c.parameter(i)?;
        return Ok((r, Some(Box::new(Expr::new(ExprKind::Parameter(name), span)))));
    }
    c.expect(c.ws(i).map(|(r, _)| r).unwrap_or(i), "{");
    Ok((i, None))
}

/// `-[...]->`, `<-[...]-`, `-[...]-`, `<-[...]->`, `-->`, `<--`, `--`.
fn relationship<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, RelPattern> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let (r, left) = match c.sym(i, "<") {
        Ok((r, _)) => (r, true),
        Err(_) => (i, false),
    };
    let (r, _) = c.sym(r, "-")?;
    let (r, detail) = if c.peek_sym(r, "[") {
        let (r, d) = detail(c, r)?;
        (r, Some(d))
    } else {
        (r, None)
    };
    let (r, _) = c.sym(r, "-")?;
    let (r, right) = match c.sym(r, ">") {
        Ok((r, _)) => (r, true),
        Err(_) => (r, false),
    };
    let direction = match (left, right) {
        (true, false) => Direction::Incoming,
        (false, true) => Direction::Outgoing,
        _ => Direction::Both,
    };
    let span = c.span(start, r);
    let d = detail.unwrap_or(Detail {
        variable: None,
        types: Vec::new(),
        length: None,
        properties: None,
    });
    Ok((
        r,
        RelPattern {
            variable: d.variable,
            direction,
            types: d.types,
            length: d.length,
            properties: d.properties,
            span,
        },
    ))
}

struct Detail {
    variable: Option<Ident>,
    types: Vec<Ident>,
    length: Option<Range>,
    properties: Option<Box<Expr>>,
}

/// `[r:T|:U|V *1..3 {k: v}]`
fn detail<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Detail> {
    let (r, _) = c.sym(i, "[")?;
    let (r, variable) = match c.variable(r) {
        Ok((r, v)) => (r, Some(v)),
        Err(nom::Err::Error(_)) => (r, None),
        Err(e) => return Err(e),
    };
    let mut types = Vec::new();
    let mut r = r;
    if let Ok((r1, _)) = c.sym(r, ":") {
        let (r1, t) = c.symbolic_name(r1)?;
        types.push(t);
        r = r1;
        while let Ok((r1, _)) = c.sym(r, "|") {
            let r1 = c.sym(r1, ":").map(|(r, _)| r).unwrap_or(r1);
            let (r1, t) = c.symbolic_name(r1)?;
            types.push(t);
            r = r1;
        }
    }
    let (r, length) = if c.peek_sym(r, "*") {
        let (r, l) = range(c, r)?;
        (r, Some(l))
    } else {
        if c.peek_sym(r, "..") {
            return c.failure_hint(
                c.ws(r)?.0,
                "InvalidRelationshipPattern",
                "a variable-length relationship needs '*' before its range",
                "write e.g. [:T*1..3]",
            );
        }
        (r, None)
    };
    let (r, properties) = properties(c, r)?;
    let (r, _) = c.sym(r, "]")?;
    Ok((
        r,
        Detail {
            variable,
            types,
            length,
            properties,
        },
    ))
}

/// `*`, `*2`, `*1..3`, `*..5`, `*2..`
fn range<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Range> {
    let (r, _) = c.sym(i, "*")?;
    let bound = |r: &'a str| -> PResult<'a, Option<u64>> {
        let at = c.ws(r)?.0;
        if at.starts_with('-') {
            return c.failure(
                at,
                "InvalidRelationshipPattern",
                "a relationship length cannot be negative",
            );
        }
        if !at.starts_with(|ch: char| ch.is_ascii_digit()) {
            c.expect(at, "an integer");
            return Ok((r, None));
        }
        match c.number(at)? {
            (r2, (Num::Int(v), _)) if v <= u64::MAX as u128 => Ok((r2, Some(v as u64))),
            (_, (Num::Int(_), _)) => c.failure(at, "IntegerOverflow", "the relationship length is too large"),
            (_, (Num::Float(_), _)) => c.failure(
                at,
                "InvalidRelationshipPattern",
                "a relationship length must be an integer",
            ),
        }
    };
    let (r, min) = bound(r)?;
    if let Ok((r2, _)) = c.sym(r, "..") {
        let (r2, max) = bound(r2)?;
        return Ok((r2, Range { min, max }));
    }
    // `*2` means exactly two hops.
    Ok((r, Range { min, max: min }))
}
