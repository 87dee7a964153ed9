//! Patterns: `p = (a:A {k: v})-[r:T|U *1..3]->(b)`, comma-separated parts,
//! `shortestPath(...)` / `allShortestPaths(...)`, and GQL's path patterns:
//! selectors (`SHORTEST 2`, `ALL SHORTEST`, `ANY`, ...), quantified
//! relationships (`-[:R]->{1,3}`), parenthesised and quantified paths
//! (`((a)-[r]->(b) WHERE r.x > 1)+`), `WHERE` inside node and relationship
//! patterns; label and type expressions (`:A|B`, `:A&!B`, `:%`, `:$(e)`).

use super::expression::{expr, map_literal};
use super::lexical::{Ctx, Num, PResult};
use crate::ast::*;

/// Comma-separated pattern parts (GQL forms allowed: MATCH, CREATE, subqueries).
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

/// `[p =] [selector] element`, `[p =] shortestPath(element)`, `[p =] allShortestPaths(element)`.
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
                    selector: None,
                    element,
                    span: c.span(start, r),
                },
            ));
        }
    }
    let (i, selector) = selector(c, i)?;
    let (r, element) = path_element(c, i)?;
    Ok((
        r,
        PatternPart {
            variable,
            kind: PathKind::Normal,
            selector,
            element,
            span: c.span(start, r),
        },
    ))
}

/// A count of a path selector: an integer literal or a parameter.
fn selector_count<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Expr>> {
    let (at, _) = c.ws(i)?;
    if at.starts_with('$') {
        let (r, (name, span)) = c.parameter(at)?;
        return Ok((r, Some(Expr::new(ExprKind::Parameter(name), span))));
    }
    if !at.starts_with(|ch: char| ch.is_ascii_digit()) {
        c.expect(at, "an integer");
        return Ok((i, None));
    }
    match c.number(at)? {
        (r, (Num::Int(v), span)) if v <= i64::MAX as u128 => {
            Ok((r, Some(Expr::new(ExprKind::Literal(Literal::Int(v as i64)), span))))
        }
        (_, (Num::Int(_), _)) => c.failure(at, "IntegerOverflow", "the path count is too large"),
        (_, (Num::Float(_), _)) => c.failure(at, "UnexpectedSyntax", "a path count must be an integer"),
    }
}

/// `ANY [SHORTEST | k]`, `ALL [SHORTEST]`, `SHORTEST k`, `SHORTEST [k] GROUP[S]`,
/// each optionally followed by `PATH` or `PATHS`.
fn selector<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<PathSelector>> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let w = c.peek_word(i).unwrap_or("").to_ascii_uppercase();
    let (r, kind) = match w.as_str() {
        "ANY" => {
            let (r, _) = c.kw(i, "ANY")?;
            if let Ok((r, _)) = c.kw(r, "SHORTEST") {
                (r, SelectorKind::AnyShortest)
            } else {
                let (r, k) = selector_count(c, r)?;
                (r, SelectorKind::Any(k))
            }
        }
        "ALL" => {
            let (r, _) = c.kw(i, "ALL")?;
            match c.kw(r, "SHORTEST") {
                Ok((r, _)) => (r, SelectorKind::AllShortest),
                Err(_) => (r, SelectorKind::All),
            }
        }
        "SHORTEST" => {
            let (r, kw) = c.kw(i, "SHORTEST")?;
            let (r, k) = selector_count(c, r)?;
            let r = path_word(c, r);
            if let Some((r, _)) = ["GROUPS", "GROUP"].iter().find_map(|g| c.kw(r, g).ok()) {
                return Ok((
                    r,
                    Some(PathSelector {
                        kind: SelectorKind::ShortestGroups(k),
                        span: c.span(start, r),
                    }),
                ));
            }
            let Some(k) = k else {
                return c.failure_hint(
                    &c.src[kw.start..],
                    "UnexpectedSyntax",
                    "SHORTEST needs a number of paths",
                    "write SHORTEST 1, SHORTEST 2 GROUPS, ANY SHORTEST or ALL SHORTEST",
                );
            };
            (r, SelectorKind::Shortest(k))
        }
        _ => return Ok((i, None)),
    };
    let r = path_word(c, r);
    Ok((
        r,
        Some(PathSelector {
            kind,
            span: c.span(start, r),
        }),
    ))
}

/// An optional `PATH` or `PATHS` after a selector.
fn path_word<'a>(c: &Ctx<'a>, i: &'a str) -> &'a str {
    for w in ["PATHS", "PATH"] {
        if let Ok((r, _)) = c.kw(i, w) {
            return r;
        }
    }
    i
}

/// A simple path: a node, then any number of (relationship, node) steps, or
/// a whole path in parentheses. Used where GQL's forms are not allowed:
/// `shortestPath(...)`, patterns as expressions, pattern comprehensions.
pub(crate) fn element<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, PatternElement> {
    crate::stack::guarded(|| element_inner(c, i, false))
}

/// A path pattern with GQL's forms: quantified relationships and parenthesised paths.
pub(crate) fn path_element<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, PatternElement> {
    crate::stack::guarded(|| element_inner(c, i, true))
}

/// Whether a parenthesised path starts here: `(` then `(`.
fn at_group<'a>(c: &Ctx<'a>, i: &'a str) -> bool {
    c.peek_sym(i, "((") || (c.peek_sym(i, "(") && c.ws(i).is_ok_and(|(r, _)| c.peek_sym(&r[1..], "(")))
}

fn empty_node(at: usize) -> NodePattern {
    NodePattern {
        variable: None,
        labels: None,
        properties: None,
        where_: None,
        span: Span::new(at, at),
    }
}

fn element_inner<'a>(c: &Ctx<'a>, i: &'a str, gql: bool) -> PResult<'a, PatternElement> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let (mut i, first, mut chain) = if at_group(c, i) {
        match group(c, i, gql)? {
            // `((a)-->(b))`: the whole element in parentheses.
            (r, g)
                if g.quantifier.is_none()
                    && g.where_.is_none()
                    && !(c.peek_sym(r, "(") || c.peek_sym(r, "-") || c.peek_sym(r, "<")) =>
            {
                return Ok((r, g.element));
            }
            (r, g) if gql => {
                let (r, after) = node_after_group(c, r)?;
                (r, empty_node(start), vec![(PathStep::Group(Box::new(g)), after)])
            }
            _ => return c.fail(i, "a node pattern"),
        }
    } else {
        let (r, n) = node(c, i)?;
        (r, n, Vec::new())
    };
    loop {
        if gql && at_group(c, i) {
            let (r, g) = group(c, i, gql)?;
            let (r, after) = node_after_group(c, r)?;
            chain.push((PathStep::Group(Box::new(g)), after));
            i = r;
            continue;
        }
        if !(c.peek_sym(i, "-") || c.peek_sym(i, "<")) {
            c.expect(c.ws(i).map(|(r, _)| r).unwrap_or(i), "-");
            break;
        }
        let (r, rel) = relationship(c, i, gql)?;
        let (r, n) = node(c, r)?;
        chain.push((PathStep::Rel(rel), n));
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

/// The node after a parenthesised path: written, or an empty one.
fn node_after_group<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, NodePattern> {
    if c.peek_sym(i, "(") && !at_group(c, i) {
        return node(c, i);
    }
    if c.peek_sym(i, "-") || c.peek_sym(i, "<") {
        let (at, _) = c.ws(i)?;
        return c.failure_hint(
            at,
            "UnexpectedSyntax",
            "a relationship pattern cannot directly follow a parenthesised path pattern",
            "put a node pattern between them, e.g. ((a)-->(b))+ (c)-->(d)",
        );
    }
    Ok((i, empty_node(c.offset(i))))
}

/// `( path [WHERE expr] ) [quantifier]`
fn group<'a>(c: &Ctx<'a>, i: &'a str, gql: bool) -> PResult<'a, PathGroup> {
    let _g = c.enter(i)?;
    let (r, open) = c.sym(i, "(")?;
    let (r, element) = crate::stack::guarded(|| element_inner(c, r, gql))?;
    let (r, where_) = if gql { opt_where(c, r)? } else { (r, None) };
    let (r, close) = c.sym(r, ")")?;
    let (r, quantifier) = if gql { quantifier(c, r)? } else { (r, None) };
    if quantifier.is_some() {
        let nested = element
            .chain
            .iter()
            .any(|(s, _)| matches!(s, PathStep::Group(g) if g.quantifier.is_some()));
        if nested {
            return c.failure(
                &c.src[open.start..],
                "UnexpectedSyntax",
                "quantified path patterns cannot be nested",
            );
        }
    }
    let end = quantifier.as_ref().map_or(close.end, |q| q.span.end);
    Ok((
        r,
        PathGroup {
            element,
            where_,
            quantifier,
            span: Span::new(open.start, end),
        },
    ))
}

/// `WHERE expr` inside a pattern (relationship patterns allowed in it).
fn opt_where<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Expr>> {
    match c.kw(i, "WHERE") {
        Ok((r, _)) => {
            let saved = c.patterns_allowed.replace(true);
            let res = c.with_bar(false, || expr(c, r));
            c.patterns_allowed.set(saved);
            let (r, e) = res?;
            Ok((r, Some(e)))
        }
        Err(_) => Ok((i, None)),
    }
}

/// `+`, `*`, `{n}`, `{n,}`, `{,m}`, `{n,m}` (or nothing).
fn quantifier<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<PathQuantifier>> {
    let (at, _) = c.ws(i)?;
    let start = c.offset(at);
    if let Some(r) = at.strip_prefix('+') {
        return Ok((
            r,
            Some(PathQuantifier {
                min: 1,
                max: None,
                span: c.span(start, r),
            }),
        ));
    }
    if let Some(r) = at.strip_prefix('*') {
        return Ok((
            r,
            Some(PathQuantifier {
                min: 0,
                max: None,
                span: c.span(start, r),
            }),
        ));
    }
    if !at.starts_with('{') {
        return Ok((i, None));
    }
    let (r, _) = c.sym(at, "{")?;
    let bound = |r: &'a str| -> PResult<'a, Option<u64>> {
        let (b, _) = c.ws(r)?;
        if b.starts_with('-') {
            return c.failure(b, "UnexpectedSyntax", "a quantifier bound cannot be negative");
        }
        if !b.starts_with(|ch: char| ch.is_ascii_digit()) {
            c.expect(b, "an integer");
            return Ok((r, None));
        }
        match c.number(b)? {
            (r2, (Num::Int(v), _)) if v <= i64::MAX as u128 => Ok((r2, Some(v as u64))),
            (_, (Num::Int(_), _)) => c.failure(b, "IntegerOverflow", "the quantifier bound is too large"),
            (_, (Num::Float(_), _)) => c.failure(b, "UnexpectedSyntax", "a quantifier bound must be an integer"),
        }
    };
    let (r, min) = bound(r)?;
    let (r, max) = match c.sym(r, ",") {
        Ok((r, _)) => bound(r)?,
        Err(_) => match min {
            Some(n) => (r, Some(n)),
            None => return c.fail(c.ws(r)?.0, "an integer"),
        },
    };
    let (r, close) = c.sym(r, "}")?;
    let span = Span::new(start, close.end);
    let min_v = min.unwrap_or(0);
    if let Some(m) = max {
        if m < min_v {
            return c.failure(
                at,
                "UnexpectedSyntax",
                format!("the quantifier {{{min_v},{m}}} has a lower bound greater than its upper bound"),
            );
        }
    }
    Ok((r, Some(PathQuantifier { min: min_v, max, span })))
}

/// `(v:A:B {k: v} WHERE pred)` or `(v $props)`.
pub(crate) fn node<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, NodePattern> {
    let (r, open) = c.sym(i, "(")?;
    let (r, variable) = match c.variable(r) {
        Ok((r, v)) => (r, Some(v)),
        Err(nom::Err::Error(_)) => (r, None),
        Err(e) => return Err(e),
    };
    let (r, labels) = if c.peek_sym(r, ":") {
        let (r, l) = label_expr(c, r, LabelSite::Node)?;
        (r, Some(l))
    } else {
        (r, None)
    };
    let (r, properties) = properties(c, r)?;
    let (r, where_) = opt_where(c, r)?;
    let (r, close) = c.sym(r, ")")?;
    Ok((
        r,
        NodePattern {
            variable,
            labels,
            properties,
            where_: where_.map(Box::new),
            span: Span::new(open.start, close.end),
        },
    ))
}

/// Where a label expression is written: the forms differ a little.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LabelSite {
    /// `(n:...)`
    Node,
    /// `[r:...]`: `[:A|:B]` (the older disjunction) is allowed.
    Rel,
    /// `n:...` as a predicate: `|` ends it where [`Ctx::bar_ends_expr`] says so.
    Expr,
}

/// A label (or type) expression from its leading `:`: the older `:A:B`
/// (names and dynamic labels only), or `:` then `|` `&` `!` `%` `( )`.
/// Mixing the two is an error.
pub(crate) fn label_expr<'a>(c: &Ctx<'a>, i: &'a str, site: LabelSite) -> PResult<'a, LabelExpr> {
    let (i, colon) = c.sym(i, ":")?;
    let (r, mut first) = label_or(c, i, site, site == LabelSite::Expr && c.bar_ends_expr.get())?;
    let simple = matches!(first.kind, LabelExprKind::Label(_) | LabelExprKind::Dynamic { .. });
    if !c.peek_sym(r, ":") || c.peek_sym(r, "::") {
        // The expression's span starts at its colon.
        first.span.start = colon.start;
        return Ok((r, first));
    }
    if !simple {
        return mixing(c, r);
    }
    let mut items = vec![first];
    let mut r = r;
    while c.peek_sym(r, ":") && !c.peek_sym(r, "::") {
        let (r1, _) = c.sym(r, ":")?;
        let (r1, l) = label_atom(c, r1, site)?;
        if !matches!(l.kind, LabelExprKind::Label(_) | LabelExprKind::Dynamic { .. }) {
            return mixing(c, r1);
        }
        items.push(l);
        r = r1;
    }
    if c.peek_sym(r, "|") && !(site == LabelSite::Expr && c.bar_ends_expr.get()) || c.peek_sym(r, "&") {
        return mixing(c, r);
    }
    let span = Span::new(colon.start, items.last().map_or(colon.end, |l| l.span.end));
    Ok((
        r,
        LabelExpr {
            kind: LabelExprKind::Colon(items),
            span,
        },
    ))
}

fn mixing<'a, T>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, T> {
    let at = c.ws(i).map(|(r, _)| r).unwrap_or(i);
    c.failure_hint(
        at,
        "UnexpectedSyntax",
        "mixing the label expression symbols '|', '&', '!' and '%' with ':' between labels is not allowed",
        "use one set of symbols: :A:B or :A&B",
    )
}

/// `and ('|' and)*`; `|` is not taken when `bar_ends` (unless parenthesised).
fn label_or<'a>(c: &Ctx<'a>, i: &'a str, site: LabelSite, bar_ends: bool) -> PResult<'a, LabelExpr> {
    let (mut i, first) = label_and(c, i, site)?;
    let start = first.span.start;
    let mut items = vec![first];
    let mut guards = Vec::new();
    while !bar_ends && c.peek_sym(i, "|") && !c.peek_sym(i, "||") {
        let (r, _) = c.sym(i, "|")?;
        guards.push(c.enter_op(r)?);
        // `[:A|:B]`: the older spelling of a type disjunction.
        let r = if site == LabelSite::Rel && c.peek_sym(r, ":") {
            c.sym(r, ":")?.0
        } else {
            r
        };
        let (r, next) = label_and(c, r, site)?;
        items.push(next);
        i = r;
    }
    Ok((i, fold(items, start, LabelExprKind::Or)))
}

fn fold(mut items: Vec<LabelExpr>, start: usize, kind: fn(Vec<LabelExpr>) -> LabelExprKind) -> LabelExpr {
    if items.len() == 1 {
        return items.pop().unwrap();
    }
    let end = items.last().map_or(start, |l| l.span.end);
    LabelExpr {
        kind: kind(items),
        span: Span::new(start, end),
    }
}

/// `not ('&' not)*`
fn label_and<'a>(c: &Ctx<'a>, i: &'a str, site: LabelSite) -> PResult<'a, LabelExpr> {
    let (mut i, first) = label_not(c, i, site)?;
    let start = first.span.start;
    let mut items = vec![first];
    let mut guards = Vec::new();
    while c.peek_sym(i, "&") {
        let (r, _) = c.sym(i, "&")?;
        guards.push(c.enter_op(r)?);
        let (r, next) = label_not(c, r, site)?;
        items.push(next);
        i = r;
    }
    Ok((i, fold(items, start, LabelExprKind::And)))
}

/// `!* atom`
fn label_not<'a>(c: &Ctx<'a>, mut i: &'a str, site: LabelSite) -> PResult<'a, LabelExpr> {
    let mut nots = Vec::new();
    let mut guards = Vec::new();
    while c.peek_sym(i, "!") && !c.peek_sym(i, "!=") {
        let (r, s) = c.sym(i, "!")?;
        guards.push(c.enter_op(r)?);
        nots.push(s.start);
        i = r;
    }
    let (i, mut e) = label_atom(c, i, site)?;
    for start in nots.into_iter().rev() {
        let span = Span::new(start, e.span.end);
        e = LabelExpr {
            kind: LabelExprKind::Not(Box::new(e)),
            span,
        };
    }
    Ok((i, e))
}

/// A name, `%`, `$(expr)` / `$any(expr)` / `$all(expr)`, or `( or )`.
fn label_atom<'a>(c: &Ctx<'a>, i: &'a str, site: LabelSite) -> PResult<'a, LabelExpr> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    if let Some(r) = i.strip_prefix('%') {
        return Ok((
            r,
            LabelExpr {
                kind: LabelExprKind::Wildcard,
                span: c.span(start, r),
            },
        ));
    }
    if i.starts_with('(') {
        let _g = c.enter(i)?;
        let (r, _) = c.sym(i, "(")?;
        let (r, mut e) = label_or(c, r, site, false)?;
        let (r, close) = c.sym(r, ")")?;
        e.span = Span::new(start, close.end);
        return Ok((r, e));
    }
    if let Some(after) = i.strip_prefix('$') {
        let w = super::lexical::word(after);
        let any = match w.to_ascii_uppercase().as_str() {
            "" => false,
            "ALL" => false,
            "ANY" => true,
            _ => {
                return c.failure_hint(
                    i,
                    "UnexpectedSyntax",
                    "a dynamic label or type is written $(expression), $any(expression) or $all(expression)",
                    format!("write :$(${w}) to use the parameter ${w} as a label"),
                )
            }
        };
        let r = &after[w.len()..];
        if !r.starts_with('(') {
            return c.failure_hint(
                i,
                "UnexpectedSyntax",
                "a dynamic label or type is written $(expression), $any(expression) or $all(expression)",
                "for example MATCH (n:$($label))",
            );
        }
        let _g = c.enter(r)?;
        let (r, _) = c.sym(r, "(")?;
        let (r, e) = c.with_bar(false, || expr(c, r))?;
        let (r, close) = c.sym(r, ")")?;
        return Ok((
            r,
            LabelExpr {
                kind: LabelExprKind::Dynamic { expr: Box::new(e), any },
                span: Span::new(start, close.end),
            },
        ));
    }
    let (r, name) = c.symbolic_name(i)?;
    Ok((r, LabelExpr::label(name)))
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

/// `-[...]->`, `<-[...]-`, `-[...]-`, `<-[...]->`, `-->`, `<--`, `--`, then a
/// quantifier where GQL's forms are allowed.
fn relationship<'a>(c: &Ctx<'a>, i: &'a str, gql: bool) -> PResult<'a, RelPattern> {
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
    let (r, quantifier) = if gql { quantifier(c, r)? } else { (r, None) };
    let span = c.span(start, r);
    let d = detail.unwrap_or(Detail {
        variable: None,
        types: None,
        length: None,
        properties: None,
        where_: None,
    });
    if let (Some(_), Some(q)) = (&d.length, &quantifier) {
        return c.failure_hint(
            &c.src[q.span.start..],
            "UnexpectedSyntax",
            "a relationship pattern cannot have both a variable length (*) and a quantifier",
            "write -[:T]->{1,3} or -[:T*1..3]->",
        );
    }
    Ok((
        r,
        RelPattern {
            variable: d.variable,
            direction,
            types: d.types,
            length: d.length,
            properties: d.properties,
            where_: d.where_.map(Box::new),
            quantifier,
            span,
        },
    ))
}

struct Detail {
    variable: Option<Ident>,
    types: Option<LabelExpr>,
    length: Option<Range>,
    properties: Option<Box<Expr>>,
    where_: Option<Expr>,
}

/// `[r:T|:U|V *1..3 {k: v} WHERE pred]`
fn detail<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Detail> {
    let (r, _) = c.sym(i, "[")?;
    let (r, variable) = match c.variable(r) {
        Ok((r, v)) => (r, Some(v)),
        Err(nom::Err::Error(_)) => (r, None),
        Err(e) => return Err(e),
    };
    let (r, types) = if c.peek_sym(r, ":") {
        let (r, t) = label_expr(c, r, LabelSite::Rel)?;
        (r, Some(t))
    } else {
        (r, None)
    };
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
    let (r, where_) = opt_where(c, r)?;
    let (r, _) = c.sym(r, "]")?;
    Ok((
        r,
        Detail {
            variable,
            types,
            length,
            properties,
            where_,
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
