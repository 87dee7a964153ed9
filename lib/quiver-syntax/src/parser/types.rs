//! Value types, as in type predicates (`x IS :: INTEGER NOT NULL`) and
//! property type constraints: the names and synonyms of the manual's type
//! table, `NOT NULL` (or `!`), `LIST<T>` (`ARRAY<T>`, `T LIST`), closed
//! dynamic unions (`INTEGER | FLOAT`, `ANY<INTEGER | STRING>`).

use super::lexical::{Ctx, PResult};
use crate::ast::{Span, ValueType, ValueTypeKind};

/// A type: `part ('|' part)*`. A `|` is not taken when it ends the
/// expression ([`Ctx::bar_ends_expr`]); inside `<...>` it always is.
pub(crate) fn value_type<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ValueType> {
    let bars = !c.bar_ends_expr.get();
    union(c, i, bars)
}

fn union<'a>(c: &Ctx<'a>, i: &'a str, bars: bool) -> PResult<'a, ValueType> {
    let (mut i, first) = type_part(c, i)?;
    if !(bars && c.peek_sym(i, "|")) {
        return Ok((i, first));
    }
    let start = first.span.start;
    let mut items = vec![first];
    while bars && c.peek_sym(i, "|") {
        let (r, _) = c.sym(i, "|")?;
        let (r, t) = type_part(c, r)?;
        items.push(t);
        i = r;
    }
    let end = items.last().map_or(start, |t| t.span.end);
    Ok((
        i,
        ValueType {
            kind: ValueTypeKind::Union(items),
            not_null: false,
            span: Span::new(start, end),
        },
    ))
}

/// `NOT NULL` or `!` (optional).
fn not_null<'a>(c: &Ctx<'a>, i: &'a str) -> (&'a str, bool, usize) {
    if let Ok((r, s)) = c.kws(i, &["NOT", "NULL"]) {
        return (r, true, s.end);
    }
    if let Ok((r, s)) = c.sym(i, "!") {
        return (r, true, s.end);
    }
    (i, false, 0)
}

/// A base type, its nullability, then any number of `LIST` / `ARRAY` suffixes.
fn type_part<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ValueType> {
    crate::stack::guarded(|| {
        let _g = c.enter(i)?;
        let (r, mut t) = base_type(c, i)?;
        let (mut r, nn, end) = not_null(c, r);
        if nn {
            t.not_null = true;
            t.span.end = end;
        }
        while let Some((r1, s)) = ["LIST", "ARRAY"].iter().find_map(|k| c.kw(r, k).ok()) {
            let start = t.span.start;
            let (r1, nn, end) = not_null(c, r1);
            t = ValueType {
                kind: ValueTypeKind::List(Box::new(t)),
                not_null: nn,
                span: Span::new(start, if nn { end } else { s.end }),
            };
            r = r1;
        }
        Ok((r, t))
    })
}

/// `< type >` (bars allowed inside).
fn angle<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, (ValueType, usize)> {
    let (r, _) = c.sym(i, "<")?;
    let (r, t) = union(c, r, true)?;
    let (r, close) = c.sym(r, ">")?;
    Ok((r, (t, close.end)))
}

fn base_type<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ValueType> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let simple = |r: &'a str, kind: ValueTypeKind| -> PResult<'a, ValueType> {
        Ok((
            r,
            ValueType {
                kind,
                not_null: false,
                span: c.span(start, r),
            },
        ))
    };
    let w = c.peek_word(i).unwrap_or("").to_ascii_uppercase();
    let one = |k: &'static str| c.kw(i, k).map(|(r, _)| r);
    use ValueTypeKind as K;
    match w.as_str() {
        "NOTHING" => simple(one("NOTHING")?, K::Nothing),
        "NULL" => simple(one("NULL")?, K::Null),
        "BOOL" | "BOOLEAN" => simple(c.kw(i, if w == "BOOL" { "BOOL" } else { "BOOLEAN" })?.0, K::Boolean),
        "STRING" => simple(one("STRING")?, K::String),
        "VARCHAR" => simple(one("VARCHAR")?, K::String),
        "INT" => simple(one("INT")?, K::Integer),
        "INTEGER" => simple(one("INTEGER")?, K::Integer),
        "SIGNED" => simple(c.kws(i, &["SIGNED", "INTEGER"])?.0, K::Integer),
        "FLOAT" => simple(one("FLOAT")?, K::Float),
        "DATE" => simple(one("DATE")?, K::Date),
        "DURATION" => simple(one("DURATION")?, K::Duration),
        "POINT" => simple(one("POINT")?, K::Point),
        "NODE" => simple(one("NODE")?, K::Node),
        "VERTEX" => simple(one("VERTEX")?, K::Node),
        "RELATIONSHIP" => simple(one("RELATIONSHIP")?, K::Relationship),
        "EDGE" => simple(one("EDGE")?, K::Relationship),
        "MAP" => simple(one("MAP")?, K::Map),
        "PATH" => simple(one("PATH")?, K::Path),
        "PROPERTY" => simple(c.kws(i, &["PROPERTY", "VALUE"])?.0, K::PropertyValue),
        "LOCAL" => {
            let r = one("LOCAL")?;
            if let Ok((r, _)) = c.kw(r, "TIME") {
                simple(r, K::LocalTime)
            } else {
                simple(c.kw(r, "DATETIME")?.0, K::LocalDateTime)
            }
        }
        "ZONED" => {
            let r = one("ZONED")?;
            if let Ok((r, _)) = c.kw(r, "TIME") {
                simple(r, K::ZonedTime)
            } else {
                simple(c.kw(r, "DATETIME")?.0, K::ZonedDateTime)
            }
        }
        "TIME" | "TIMESTAMP" => {
            let (r, _) = c.kw(i, if w == "TIME" { "TIME" } else { "TIMESTAMP" })?;
            let (r, zoned) = match c.kws(r, &["WITHOUT", "TIME", "ZONE"]) {
                Ok((r, _)) => (r, false),
                Err(_) => (c.kws(r, &["WITH", "TIME", "ZONE"])?.0, true),
            };
            let kind = match (w.as_str(), zoned) {
                ("TIME", false) => K::LocalTime,
                ("TIME", true) => K::ZonedTime,
                (_, false) => K::LocalDateTime,
                (_, true) => K::ZonedDateTime,
            };
            simple(r, kind)
        }
        "LIST" | "ARRAY" => {
            let (r, _) = c.kw(i, if w == "LIST" { "LIST" } else { "ARRAY" })?;
            let (r, (inner, end)) = angle(c, r)?;
            Ok((
                r,
                ValueType {
                    kind: K::List(Box::new(inner)),
                    not_null: false,
                    span: Span::new(start, end),
                },
            ))
        }
        "ANY" => {
            let r = one("ANY")?;
            let nw = c.peek_word(r).unwrap_or("").to_ascii_uppercase();
            match nw.as_str() {
                "NODE" | "VERTEX" => simple(c.kw(r, if nw == "NODE" { "NODE" } else { "VERTEX" })?.0, K::Node),
                "RELATIONSHIP" | "EDGE" => simple(
                    c.kw(r, if nw == "EDGE" { "EDGE" } else { "RELATIONSHIP" })?.0,
                    K::Relationship,
                ),
                "MAP" => simple(c.kw(r, "MAP")?.0, K::Map),
                "PROPERTY" => simple(c.kws(r, &["PROPERTY", "VALUE"])?.0, K::PropertyValue),
                _ => {
                    let r = c.kw(r, "VALUE").map(|(r, _)| r).unwrap_or(r);
                    if c.peek_sym(r, "<") {
                        // `ANY<T>` is T; `ANY<A | B>` a union.
                        let (r, (mut inner, end)) = angle(c, r)?;
                        inner.span = Span::new(start, end);
                        return Ok((r, inner));
                    }
                    simple(r, K::Any)
                }
            }
        }
        _ => c.fail(i, "a type"),
    }
}
