//! Expressions, one function per precedence level, lowest first:
//! `OR`, `XOR`, `AND`, `NOT`, comparisons (chains desugar to `AND`),
//! string/list/null predicates (`STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IN`,
//! `IS [NOT] NULL`), `+ -`, `* / %`, `^` (left-associative), unary `+ -`,
//! then postfix operators (`.key`, `[i]`, `[a..b]`, `:Label`) on an atom.

use super::clause;
use super::lexical::{
    is_ident_start, word, Ctx, DepthGuard, Num, PResult, TRY_LIST_COMPREHENSION, TRY_PATTERN, TRY_PATTERN_COMPREHENSION,
};
use super::pattern;
use crate::ast::*;

type Level<'a> = fn(&Ctx<'a>, &'a str) -> PResult<'a, Expr>;

/// A whole expression.
pub(crate) fn expr<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    crate::stack::guarded(|| {
        let _g = c.enter(i)?;
        or_expr(c, i)
    })
}

/// An expression, where `what` names it for the error message ("an expression after '+'").
fn operand<'a>(c: &Ctx<'a>, i: &'a str, next: Level<'a>) -> PResult<'a, Expr> {
    next(c, i)
}

fn binary(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    let span = Span::new(l.span.start, r.span.end);
    Expr::new(ExprKind::Binary(op, Box::new(l), Box::new(r)), span)
}

/// `next (op next)*`, folded to the left. Each operator is one nesting level.
fn left_assoc<'a>(
    c: &Ctx<'a>,
    i: &'a str,
    next: Level<'a>,
    op: fn(&Ctx<'a>, &'a str) -> Option<(&'a str, BinaryOp)>,
) -> PResult<'a, Expr> {
    let (mut i, mut acc) = next(c, i)?;
    let mut guards: Vec<DepthGuard<'_>> = Vec::new();
    while let Some((r, o)) = op(c, i) {
        guards.push(c.enter_op(r)?);
        let (r, rhs) = operand(c, r, next)?;
        acc = binary(o, acc, rhs);
        i = r;
    }
    Ok((i, acc))
}

fn keyword_op<'a>(c: &Ctx<'a>, i: &'a str, k: &'static str, op: BinaryOp) -> Option<(&'a str, BinaryOp)> {
    c.expect(skip(c, i), k);
    c.kw(i, k).ok().map(|(r, _)| (r, op))
}

fn skip<'a>(c: &Ctx<'a>, i: &'a str) -> &'a str {
    c.ws(i).map(|(r, _)| r).unwrap_or(i)
}

fn or_expr<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, xor_expr, |c, i| keyword_op(c, i, "OR", BinaryOp::Or))
}

fn xor_expr<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, and_expr, |c, i| keyword_op(c, i, "XOR", BinaryOp::Xor))
}

fn and_expr<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, not_expr, |c, i| keyword_op(c, i, "AND", BinaryOp::And))
}

/// `NOT* comparison`, without recursion.
fn not_expr<'a>(c: &Ctx<'a>, mut i: &'a str) -> PResult<'a, Expr> {
    let mut nots = Vec::new();
    let mut guards = Vec::new();
    while let Ok((r, span)) = c.kw(i, "NOT") {
        guards.push(c.enter_op(r)?);
        nots.push(span.start);
        i = r;
    }
    let (i, mut e) = comparison(c, i)?;
    for start in nots.into_iter().rev() {
        let span = Span::new(start, e.span.end);
        e = Expr::new(ExprKind::Unary(UnaryOp::Not, Box::new(e)), span);
    }
    Ok((i, e))
}

fn comparison_op<'a>(c: &Ctx<'a>, i: &'a str) -> Option<(&'a str, BinaryOp)> {
    let r = skip(c, i);
    const OPS: &[(&str, BinaryOp)] = &[
        ("<>", BinaryOp::Ne),
        ("<=", BinaryOp::Le),
        (">=", BinaryOp::Ge),
        ("=~", BinaryOp::RegexMatch),
        ("<", BinaryOp::Lt),
        (">", BinaryOp::Gt),
        ("=", BinaryOp::Eq),
    ];
    for (s, op) in OPS {
        if let Some(rest) = r.strip_prefix(s) {
            return Some((rest, *op));
        }
    }
    c.expect(r, "an operator");
    None
}

/// `a < b <= c` means `a < b AND b <= c`.
fn comparison<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (mut i, first) = string_list_null(c, i)?;
    // Most operands have no comparison: return them without copying.
    let Some((mut r, mut op)) = comparison_op(c, i) else {
        return Ok((i, first));
    };
    let mut guards = Vec::new();
    let mut acc: Option<Expr> = None;
    let mut left = first;
    loop {
        guards.push(c.enter_op(r)?);
        let (rest, right) = operand(c, r, string_list_null)?;
        i = rest;
        let next = comparison_op(c, i);
        // The middle operand of a chain is shared by two comparisons.
        let (cmp, carried) = match next {
            Some(_) => (binary(op, left, right.clone()), Some(right)),
            None => (binary(op, left, right), None),
        };
        acc = Some(match acc {
            None => cmp,
            Some(prev) => binary(BinaryOp::And, prev, cmp),
        });
        match (next, carried) {
            (Some((r2, op2)), Some(right)) => {
                left = right;
                r = r2;
                op = op2;
            }
            _ => break,
        }
    }
    drop(guards);
    Ok((i, acc.unwrap_or_else(|| unreachable!("the loop ran at least once"))))
}

/// `add ( STARTS WITH add | ENDS WITH add | CONTAINS add | IN add | IS [NOT] NULL )*`
fn string_list_null<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (mut i, mut e) = add_sub(c, i)?;
    let mut guards = Vec::new();
    loop {
        let at = skip(c, i);
        let w = word(at).to_ascii_uppercase();
        let (r, op) = match w.as_str() {
            "STARTS" => (c.kws(i, &["STARTS", "WITH"])?.0, BinaryOp::StartsWith),
            "ENDS" => (c.kws(i, &["ENDS", "WITH"])?.0, BinaryOp::EndsWith),
            "CONTAINS" => (c.kw(i, "CONTAINS")?.0, BinaryOp::Contains),
            "IN" => (c.kw(i, "IN")?.0, BinaryOp::In),
            "IS" => {
                let (r, _) = c.kw(i, "IS")?;
                let (r, not) = c.opt_kw(r, "NOT");
                let (r, next) = is_predicate(c, r, e, not)?;
                guards.push(c.enter_op(r)?);
                e = next;
                i = r;
                continue;
            }
            _ if at.starts_with("::") => {
                let (r, _) = c.sym(i, "::")?;
                let (r, t) = super::types::value_type(c, r)?;
                guards.push(c.enter_op(r)?);
                let span = Span::new(e.span.start, t.span.end);
                e = Expr::new(ExprKind::IsType(Box::new(e), t, false), span);
                i = r;
                continue;
            }
            _ => {
                for k in ["STARTS", "ENDS", "CONTAINS", "IN", "IS"] {
                    c.expect(at, k);
                }
                return Ok((i, e));
            }
        };
        guards.push(c.enter_op(r)?);
        let (r, rhs) = operand(c, r, add_sub)?;
        e = binary(op, e, rhs);
        i = r;
    }
}

/// After `IS [NOT]`: `NULL`, `:: TYPE`, `TYPED TYPE`, `[NFC|NFD|NFKC|NFKD] NORMALIZED`.
fn is_predicate<'a>(c: &Ctx<'a>, r: &'a str, e: Expr, not: bool) -> PResult<'a, Expr> {
    let start = e.span.start;
    if c.peek_sym(r, "::") || c.peek_kw(r, "TYPED") {
        let r = match c.sym(r, "::") {
            Ok((r, _)) => r,
            Err(_) => c.kw(r, "TYPED")?.0,
        };
        let (r, t) = super::types::value_type(c, r)?;
        let span = Span::new(start, t.span.end);
        return Ok((r, Expr::new(ExprKind::IsType(Box::new(e), t, not), span)));
    }
    for (k, form) in [
        ("NFC", NormalForm::Nfc),
        ("NFD", NormalForm::Nfd),
        ("NFKC", NormalForm::Nfkc),
        ("NFKD", NormalForm::Nfkd),
    ] {
        if c.peek_kw(r, k) {
            let (r, _) = c.kw(r, k)?;
            let (r, end) = c.kw(r, "NORMALIZED")?;
            let span = Span::new(start, end.end);
            return Ok((r, Expr::new(ExprKind::IsNormalized(Box::new(e), form, not), span)));
        }
    }
    if let Ok((r, end)) = c.kw(r, "NORMALIZED") {
        let span = Span::new(start, end.end);
        return Ok((
            r,
            Expr::new(ExprKind::IsNormalized(Box::new(e), NormalForm::Nfc, not), span),
        ));
    }
    c.expect(c.ws(r).map(|(x, _)| x).unwrap_or(r), "::");
    let (r, end) = c.kw(r, "NULL")?;
    let span = Span::new(start, end.end);
    Ok((r, Expr::new(ExprKind::IsNull(Box::new(e), not), span)))
}

fn add_sub<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, mul_div, |c, i| {
        let r = skip(c, i);
        if let Some(rest) = r.strip_prefix('+') {
            if !rest.starts_with('=') {
                return Some((rest, BinaryOp::Add));
            }
        }
        if let Some(rest) = r.strip_prefix('-') {
            if !rest.starts_with('>') {
                return Some((rest, BinaryOp::Sub));
            }
        }
        None
    })
}

fn mul_div<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, power, |c, i| {
        let r = skip(c, i);
        let op = match r.chars().next()? {
            '*' => BinaryOp::Mul,
            '/' => BinaryOp::Div,
            '%' => BinaryOp::Mod,
            _ => return None,
        };
        Some((&r[1..], op))
    })
}

fn power<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    left_assoc(c, i, unary, |c, i| {
        skip(c, i).strip_prefix('^').map(|r| (r, BinaryOp::Pow))
    })
}

/// `(+|-)* postfix`; a `-` directly before a number literal is part of the
/// literal (so `-9223372036854775808` is valid).
fn unary<'a>(c: &Ctx<'a>, mut i: &'a str) -> PResult<'a, Expr> {
    let mut signs: Vec<(usize, UnaryOp)> = Vec::new();
    let mut guards = Vec::new();
    loop {
        let r = skip(c, i);
        let op = match r.chars().next() {
            Some('-') => UnaryOp::Neg,
            Some('+') => UnaryOp::Pos,
            _ => break,
        };
        guards.push(c.enter_op(r)?);
        signs.push((c.offset(r), op));
        i = &r[1..];
    }
    let folded = match signs.last() {
        Some(&(start, UnaryOp::Neg)) => signed_number(c, i, start)?,
        _ => None,
    };
    let (i, mut e) = match folded {
        Some((r, e)) => {
            signs.pop();
            (r, e)
        }
        None => postfix(c, i)?,
    };
    for (start, op) in signs.into_iter().rev() {
        let span = Span::new(start, e.span.end);
        e = Expr::new(ExprKind::Unary(op, Box::new(e)), span);
    }
    Ok((i, e))
}

/// `-` followed by a plain number (no postfix operator): a negative literal.
fn signed_number<'a>(
    c: &Ctx<'a>,
    i: &'a str,
    start: usize,
) -> Result<Option<(&'a str, Expr)>, nom::Err<super::lexical::PErr>> {
    let Ok((r, (num, _))) = c.number(i) else {
        // A malformed number is a definite error, reported by the atom parser.
        return Ok(None);
    };
    let next = skip(c, r);
    if next.starts_with('[') || (next.starts_with('.') && !next.starts_with("..")) || next.starts_with(':') {
        return Ok(None);
    }
    let span = Span::new(start, c.offset(r));
    let lit = match num {
        Num::Float(f) => Literal::Float(-f),
        Num::Int(m) if m <= 1u128 << 63 => Literal::Int((m as i128).wrapping_neg() as i64),
        Num::Int(_) => {
            let text = &c.src[start..span.end];
            return Err(nom::Err::Failure(super::lexical::PErr {
                rest_len: c.src.len() - start,
                code: "IntegerOverflow",
                message: Some(format!(
                    "the integer literal {text} is too small (the smallest integer is -9223372036854775808)"
                )),
                hint: None,
            }));
        }
    };
    Ok(Some((r, Expr::new(ExprKind::Literal(lit), span))))
}

/// An atom followed by `.key`, `[index]`, `[from..to]`, then optionally `:A:B`.
pub(crate) fn postfix<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (mut i, mut e) = atom(c, i)?;
    let mut guards = Vec::new();
    loop {
        let r = skip(c, i);
        if r.starts_with('.') && !r.starts_with("..") {
            guards.push(c.enter_op(r)?);
            let (r2, key) = c.symbolic_name(&r[1..])?;
            let span = Span::new(e.span.start, key.span.end);
            e = Expr::new(ExprKind::Property(Box::new(e), key), span);
            i = r2;
        } else if r.starts_with('[') {
            guards.push(c.enter_op(r)?);
            let (r2, _) = c.sym(r, "[")?;
            let (r2, from) = opt_expr(c, r2)?;
            if let Ok((r3, _)) = c.sym(r2, "..") {
                let (r3, to) = opt_expr(c, r3)?;
                let (r3, end) = c.sym(r3, "]")?;
                let span = Span::new(e.span.start, end.end);
                e = Expr::new(ExprKind::Slice(Box::new(e), from.map(Box::new), to.map(Box::new)), span);
                i = r3;
            } else {
                let Some(index) = from else {
                    return c.fail(r2, "an expression");
                };
                let (r3, end) = c.sym(r2, "]")?;
                let span = Span::new(e.span.start, end.end);
                e = Expr::new(ExprKind::Index(Box::new(e), Box::new(index)), span);
                i = r3;
            }
        } else {
            c.expect(r, ".");
            c.expect(r, "[");
            break;
        }
    }
    if c.peek_sym(i, ":") && !c.peek_sym(i, "::") {
        let (r, labels) = pattern::label_expr(c, i, pattern::LabelSite::Expr)?;
        let span = Span::new(e.span.start, labels.span.end);
        e = Expr::new(ExprKind::HasLabels(Box::new(e), labels), span);
        i = r;
    }
    Ok((i, e))
}

fn opt_expr<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Expr>> {
    match expr(c, i) {
        Ok((r, e)) => Ok((r, Some(e))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

/// Comma-separated expressions (possibly none).
pub(crate) fn expr_list<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Expr>> {
    c.with_bar(false, || expr_list_inner(c, i))
}

fn expr_list_inner<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<Expr>> {
    let mut out = Vec::new();
    let (mut i, first) = opt_expr(c, i)?;
    let Some(first) = first else {
        return Ok((i, out));
    };
    out.push(first);
    while let Ok((r, _)) = c.sym(i, ",") {
        let (r, e) = expr(c, r)?;
        out.push(e);
        i = r;
    }
    Ok((i, out))
}

fn int_literal<'a>(c: &Ctx<'a>, i: &'a str, m: u128, span: Span) -> PResult<'a, Expr> {
    if m > i64::MAX as u128 {
        let text = &c.src[span.start..span.end];
        return c.failure(
            &c.src[span.start..],
            "IntegerOverflow",
            format!("the integer literal {text} is too large (the largest integer is 9223372036854775807)"),
        );
    }
    Ok((i, Expr::new(ExprKind::Literal(Literal::Int(m as i64)), span)))
}

/// Literals, parameters, lists, maps, comprehensions, CASE, function calls,
/// quantifiers, `reduce`, `EXISTS`, map projections, parenthesised
/// expressions and relationship patterns, variables.
pub(crate) fn atom<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let Some(first) = i.chars().next() else {
        return c.fail(i, "an expression");
    };
    match first {
        '$' => {
            let (r, (name, span)) = c.parameter(i)?;
            Ok((r, Expr::new(ExprKind::Parameter(name), span)))
        }
        '0'..='9' | '.' => {
            let (r, (num, span)) = match c.number(i) {
                Ok(x) => x,
                Err(nom::Err::Error(_)) => return c.fail(i, "an expression"),
                Err(e) => return Err(e),
            };
            match num {
                Num::Int(m) => int_literal(c, r, m, span),
                Num::Float(f) => Ok((r, Expr::new(ExprKind::Literal(Literal::Float(f)), span))),
            }
        }
        '\'' | '"' => {
            let (r, (s, span)) = c.string(i)?;
            Ok((r, Expr::new(ExprKind::Literal(Literal::String(s)), span)))
        }
        '[' => bracket(c, i),
        '{' => {
            let (r, (entries, span)) = map_literal(c, i)?;
            Ok((r, Expr::new(ExprKind::Map(entries), span)))
        }
        '(' => parenthesised(c, i),
        '`' => name_atom(c, i),
        ch if is_ident_start(ch) => {
            let w = word(i).to_ascii_uppercase();
            let after = &i[word(i).len()..];
            let next_is = |s: &str| c.peek_sym(after, s);
            match w.as_str() {
                "TRUE" => lit(c, after, start, Literal::Bool(true)),
                "FALSE" => lit(c, after, start, Literal::Bool(false)),
                "NULL" => lit(c, after, start, Literal::Null),
                "CASE" => case(c, i),
                "COUNT" if next_is("(") => {
                    let (r, _) = c.sym(after, "(")?;
                    if c.peek_sym(r, "*") {
                        let (r, _) = c.sym(r, "*")?;
                        let (r, end) = c.sym(r, ")")?;
                        return Ok((r, Expr::new(ExprKind::CountStar, Span::new(start, end.end))));
                    }
                    name_atom(c, i)
                }
                "ALL" | "ANY" | "NONE" | "SINGLE" if next_is("(") => {
                    let q = match w.as_str() {
                        "ALL" => Quantifier::All,
                        "ANY" => Quantifier::Any,
                        "NONE" => Quantifier::None,
                        _ => Quantifier::Single,
                    };
                    match quantified(c, after, start, q) {
                        Err(nom::Err::Error(_)) => name_atom(c, i),
                        r => r,
                    }
                }
                "REDUCE" if next_is("(") => match reduce(c, after, start) {
                    Err(nom::Err::Error(_)) => name_atom(c, i),
                    r => r,
                },
                "EXISTS" if next_is("{") => subquery_expr(c, after, start, SubqueryKind::Exists),
                "COUNT" | "COLLECT" if next_is("{") && subquery_follows(c, after) => {
                    let kind = if w == "COUNT" {
                        SubqueryKind::Count
                    } else {
                        SubqueryKind::Collect
                    };
                    subquery_expr(c, after, start, kind)
                }
                "EXISTS" if next_is("(") => {
                    let saved = c.patterns_allowed.replace(true);
                    let r = name_atom(c, i);
                    c.patterns_allowed.set(saved);
                    r
                }
                _ => name_atom(c, i),
            }
        }
        _ => c.fail(i, "an expression"),
    }
}

fn lit<'a>(c: &Ctx<'a>, r: &'a str, start: usize, l: Literal) -> PResult<'a, Expr> {
    Ok((r, Expr::new(ExprKind::Literal(l), c.span(start, r))))
}

/// A function call `ns.name(DISTINCT? args)`, a map projection `v {...}`, or a variable.
fn name_atom<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    // Function call: name ('.' name)* '('
    let mut parts = Vec::new();
    let mut r = i;
    if let Ok((r1, first)) = c.symbolic_name(r) {
        parts.push(first);
        r = r1;
        loop {
            let r2 = skip(c, r);
            if r2.starts_with('.') && !r2.starts_with("..") {
                match c.symbolic_name(&r2[1..]) {
                    Ok((r3, id)) => {
                        parts.push(id);
                        r = r3;
                        continue;
                    }
                    Err(nom::Err::Error(_)) => break,
                    Err(e) => return Err(e),
                }
            }
            break;
        }
        if c.peek_sym(r, "(") {
            let (r, _) = c.sym(r, "(")?;
            let (r, distinct) = match c.kw(r, "DISTINCT") {
                Ok((r, _)) => (r, true),
                Err(_) => (r, false),
            };
            if parts.len() == 1 && parts[0].name.eq_ignore_ascii_case("trim") && !distinct {
                if let Some((r, e)) = trim_from(c, r, start, parts[0].span)? {
                    return Ok((r, e));
                }
            }
            let (r, args) = expr_list(c, r)?;
            let (r, end) = c.sym(r, ")")?;
            return Ok((
                r,
                Expr::new(
                    ExprKind::FunctionCall {
                        name: parts,
                        distinct,
                        args,
                    },
                    Span::new(start, end.end),
                ),
            ));
        }
    }
    let (r, v) = match c.variable(i) {
        Ok(x) => x,
        Err(nom::Err::Error(_)) => return c.fail(i, "an expression"),
        Err(e) => return Err(e),
    };
    if c.peek_sym(r, "{") {
        return map_projection(c, r, v);
    }
    let span = v.span;
    Ok((r, Expr::new(ExprKind::Variable(v.name), span)))
}

/// The manual's `trim([LEADING | TRAILING | BOTH] [characters] FROM input)`
/// (after `trim(`), read as the function it means: `btrim`, `ltrim` or
/// `rtrim` of `input` (and the characters). `None` when the call is a plain
/// `trim(input)`.
fn trim_from<'a>(
    c: &Ctx<'a>,
    i: &'a str,
    start: usize,
    name: Span,
) -> Result<Option<(&'a str, Expr)>, nom::Err<super::lexical::PErr>> {
    let mut r = i;
    let mut func = None;
    for (kw, f) in [("LEADING", "ltrim"), ("TRAILING", "rtrim"), ("BOTH", "btrim")] {
        if let Ok((r1, _)) = c.kw(r, kw) {
            r = r1;
            func = Some(f);
            break;
        }
    }
    let mut chars = None;
    if c.kw(r, "FROM").is_err() {
        match c.with_bar(false, || expr(c, r)) {
            Ok((r1, e)) if c.kw(r1, "FROM").is_ok() => {
                chars = Some(e);
                r = r1;
            }
            Ok(_) | Err(nom::Err::Error(_)) if func.is_none() => return Ok(None),
            Ok(_) | Err(nom::Err::Error(_)) => {
                // After LEADING / TRAILING / BOTH: FROM must follow.
                c.kw(r, "FROM")?;
                return Ok(None);
            }
            Err(e) => return Err(e),
        }
    }
    let (r, _) = c.kw(r, "FROM")?;
    let (r, input) = c.with_bar(false, || expr(c, r))?;
    let (r, end) = c.sym(r, ")")?;
    let mut args = vec![input];
    args.extend(chars);
    let e = Expr::new(
        ExprKind::FunctionCall {
            name: vec![Ident::new(func.unwrap_or("btrim"), name)],
            distinct: false,
            args,
        },
        Span::new(start, end.end),
    );
    Ok(Some((r, e)))
}

/// `v {.key, .*, key: expr, other}` (after `v`).
fn map_projection<'a>(c: &Ctx<'a>, i: &'a str, variable: Ident) -> PResult<'a, Expr> {
    let start = variable.span.start;
    let (mut i, _) = c.sym(i, "{")?;
    let mut items = Vec::new();
    if !c.peek_sym(i, "}") {
        loop {
            let (r, item) = if c.peek_sym(i, ".") {
                let (r, _) = c.sym(i, ".")?;
                if c.peek_sym(r, "*") {
                    let (r, _) = c.sym(r, "*")?;
                    (r, MapProjectionItem::AllProperties)
                } else {
                    let (r, key) = c.symbolic_name(r)?;
                    (r, MapProjectionItem::Property(key))
                }
            } else {
                let (r, name) = c.symbolic_name(i)?;
                if c.peek_sym(r, ":") {
                    let (r, _) = c.sym(r, ":")?;
                    let (r, e) = expr(c, r)?;
                    (r, MapProjectionItem::Literal(name, e))
                } else {
                    let (r, v) = c.variable(i)?;
                    (r, MapProjectionItem::Variable(v))
                }
            };
            items.push(item);
            i = r;
            match c.sym(i, ",") {
                Ok((r, _)) => i = r,
                Err(_) => break,
            }
        }
    }
    let (r, end) = c.sym(i, "}")?;
    Ok((
        r,
        Expr::new(ExprKind::MapProjection { variable, items }, Span::new(start, end.end)),
    ))
}

/// `{key: expr, ...}`
pub(crate) fn map_literal<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, (Vec<(Ident, Expr)>, Span)> {
    let (i, open) = c.sym(i, "{")?;
    let mut entries = Vec::new();
    let mut i = i;
    if !c.peek_sym(i, "}") {
        loop {
            let (r, key) = c.symbolic_name(i)?;
            let (r, _) = c.sym(r, ":")?;
            let (r, value) = expr(c, r)?;
            entries.push((key, value));
            i = r;
            match c.sym(i, ",") {
                Ok((r, _)) => i = r,
                Err(_) => break,
            }
        }
    }
    let (r, end) = c.sym(i, "}")?;
    Ok((r, (entries, Span::new(open.start, end.end))))
}

/// `[`: a pattern comprehension, a list comprehension or a list literal.
fn bracket<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (inner, open) = c.sym(i, "[")?;
    // [p = (a)-->(b) WHERE ... | ...] or [(a)-->(b) | ...]
    let looks_like_pattern = c.peek_sym(inner, "(")
        || c.variable(inner)
            .is_ok_and(|(r, _)| c.peek_sym(r, "=") && !c.peek_sym(r, "=~"));
    if looks_like_pattern && !c.already_failed(i, TRY_PATTERN_COMPREHENSION) {
        match pattern_comprehension(c, inner, open.start) {
            Err(nom::Err::Error(_)) => c.mark_failed(i, TRY_PATTERN_COMPREHENSION),
            r => return r,
        }
    }
    // [x IN list WHERE ... | ...]
    let looks_like_comprehension = c.variable(inner).is_ok_and(|(r, _)| c.peek_kw(r, "IN"));
    if looks_like_comprehension && !c.already_failed(i, TRY_LIST_COMPREHENSION) {
        match list_comprehension(c, inner, open.start) {
            Err(nom::Err::Error(_)) => c.mark_failed(i, TRY_LIST_COMPREHENSION),
            r => return r,
        }
    }
    let (r, items) = expr_list(c, inner)?;
    let (r, end) = c.sym(r, "]")?;
    Ok((r, Expr::new(ExprKind::List(items), Span::new(open.start, end.end))))
}

/// An expression that a `|` may follow (the list of a comprehension, of `reduce`, of FOREACH).
pub(crate) fn expr_before_bar<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    c.with_bar(true, || expr(c, i))
}

fn where_in_comprehension<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Box<Expr>>> {
    match c.kw(i, "WHERE") {
        Ok((r, _)) => {
            let saved = c.patterns_allowed.replace(true);
            let res = expr_before_bar(c, r);
            c.patterns_allowed.set(saved);
            let (r, e) = res?;
            Ok((r, Some(Box::new(e))))
        }
        Err(_) => Ok((i, None)),
    }
}

fn list_comprehension<'a>(c: &Ctx<'a>, i: &'a str, start: usize) -> PResult<'a, Expr> {
    let (r, variable) = c.variable(i)?;
    let (r, _) = c.kw(r, "IN")?;
    let (r, list) = expr_before_bar(c, r)?;
    let (r, predicate) = where_in_comprehension(c, r)?;
    let (r, projection) = match c.sym(r, "|") {
        Ok((r, _)) => {
            let (r, e) = expr(c, r)?;
            (r, Some(Box::new(e)))
        }
        Err(_) => (r, None),
    };
    let (r, end) = c.sym(r, "]")?;
    Ok((
        r,
        Expr::new(
            ExprKind::ListComprehension {
                variable,
                list: Box::new(list),
                predicate,
                projection,
            },
            Span::new(start, end.end),
        ),
    ))
}

fn pattern_comprehension<'a>(c: &Ctx<'a>, i: &'a str, start: usize) -> PResult<'a, Expr> {
    let (r, variable) = if c.peek_sym(i, "(") {
        (i, None)
    } else {
        let (r, v) = c.variable(i)?;
        let (r, _) = c.sym(r, "=")?;
        (r, Some(v))
    };
    let (r, element) = pattern::element(c, r)?;
    if element.chain.is_empty() {
        return c.fail(r, "-");
    }
    let (r, predicate) = where_in_comprehension(c, r)?;
    let (r, _) = c.sym(r, "|")?;
    let (r, projection) = expr(c, r)?;
    let (r, end) = c.sym(r, "]")?;
    Ok((
        r,
        Expr::new(
            ExprKind::PatternComprehension {
                variable,
                pattern: element,
                predicate,
                projection: Box::new(projection),
            },
            Span::new(start, end.end),
        ),
    ))
}

/// `(`: a relationship pattern (when a relationship follows the first node) or `( expr )`.
fn parenthesised<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    if !c.already_failed(i, TRY_PATTERN) {
        match pattern::element(c, i) {
            Ok((r, el)) if !el.chain.is_empty() => {
                if !c.patterns_allowed.get() {
                    return c.failure_hint(
                        i,
                        "UnexpectedSyntax",
                        "a relationship pattern cannot be used as an expression here; it is only allowed as a predicate in WHERE or inside exists(...)",
                        "use a pattern comprehension, e.g. [(a)-->(b) | b], or EXISTS { (a)-->(b) }",
                    );
                }
                let span = el.span;
                return Ok((r, Expr::new(ExprKind::Pattern(el), span)));
            }
            Ok(_) | Err(nom::Err::Error(_)) => c.mark_failed(i, TRY_PATTERN),
            Err(e) => return Err(e),
        }
    }
    let (r, open) = c.sym(i, "(")?;
    let (r, mut e) = c.with_bar(false, || expr(c, r))?;
    let (r, end) = c.sym(r, ")")?;
    // The parentheses belong to the expression's text (for column names).
    e.span = Span::new(open.start, end.end);
    Ok((r, e))
}

/// `CASE [operand] (WHEN e THEN e)+ [ELSE e] END`
fn case<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Expr> {
    let (r, kw) = c.kw(i, "CASE")?;
    let (mut r, operand) = if c.peek_kw(r, "WHEN") {
        (r, None)
    } else {
        let (r, e) = expr(c, r)?;
        (r, Some(Box::new(e)))
    };
    let mut whens = Vec::new();
    while let Ok((r1, _)) = c.kw(r, "WHEN") {
        let (r1, cond) = expr(c, r1)?;
        let (r1, _) = c.kw(r1, "THEN")?;
        let (r1, value) = expr(c, r1)?;
        whens.push((cond, value));
        r = r1;
    }
    if whens.is_empty() {
        return c.fail(skip(c, r), "WHEN");
    }
    let (r, else_) = match c.kw(r, "ELSE") {
        Ok((r, _)) => {
            let (r, e) = expr(c, r)?;
            (r, Some(Box::new(e)))
        }
        Err(_) => (r, None),
    };
    let (r, end) = c.kw(r, "END")?;
    Ok((
        r,
        Expr::new(ExprKind::Case { operand, whens, else_ }, Span::new(kw.start, end.end)),
    ))
}

/// `all(x IN list WHERE pred)` and friends (after the name).
fn quantified<'a>(c: &Ctx<'a>, i: &'a str, start: usize, quantifier: Quantifier) -> PResult<'a, Expr> {
    let (r, _) = c.sym(i, "(")?;
    let (r, variable) = c.variable(r)?;
    let (r, _) = c.kw(r, "IN")?;
    let (r, list) = expr(c, r)?;
    let (r, predicate) = where_in_comprehension(c, r)?;
    let (r, end) = c.sym(r, ")")?;
    Ok((
        r,
        Expr::new(
            ExprKind::Quantified {
                quantifier,
                variable,
                list: Box::new(list),
                predicate,
            },
            Span::new(start, end.end),
        ),
    ))
}

/// `reduce(acc = init, x IN list | expr)` (after the name).
fn reduce<'a>(c: &Ctx<'a>, i: &'a str, start: usize) -> PResult<'a, Expr> {
    let (r, _) = c.sym(i, "(")?;
    let (r, accumulator) = c.variable(r)?;
    let (r, _) = c.sym(r, "=")?;
    let (r, init) = expr(c, r)?;
    let (r, _) = c.sym(r, ",")?;
    let (r, variable) = c.variable(r)?;
    let (r, _) = c.kw(r, "IN")?;
    let (r, list) = expr_before_bar(c, r)?;
    let (r, _) = c.sym(r, "|")?;
    let (r, body) = expr(c, r)?;
    let (r, end) = c.sym(r, ")")?;
    Ok((
        r,
        Expr::new(
            ExprKind::Reduce {
                accumulator,
                init: Box::new(init),
                variable,
                list: Box::new(list),
                expr: Box::new(body),
            },
            Span::new(start, end.end),
        ),
    ))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SubqueryKind {
    Exists,
    Count,
    Collect,
}

/// Whether a subquery (not a map projection) follows `COUNT` / `COLLECT`:
/// `{` then a clause, a pattern or a path selector.
fn subquery_follows<'a>(c: &Ctx<'a>, after: &'a str) -> bool {
    let Ok((r, _)) = c.sym(after, "{") else {
        return false;
    };
    if c.peek_sym(r, "(") {
        return true;
    }
    // `count {MATCH: 1}` is a map projection with the key `MATCH`.
    let key = c.symbolic_name(r).is_ok_and(|(r2, _)| c.peek_sym(r2, ":"));
    if key {
        return false;
    }
    if clause::starts_clause(c, r) || ["ANY", "ALL", "SHORTEST"].iter().any(|k| c.peek_kw(r, k)) {
        return true;
    }
    // `COUNT { p = (a)-->(b) }`
    c.variable(r)
        .is_ok_and(|(r2, _)| c.peek_sym(r2, "=") && !c.peek_sym(r2, "=~"))
}

/// `EXISTS { ... }`, `COUNT { ... }`, `COLLECT { ... }` (after the keyword): a
/// query, or a pattern with an optional WHERE (a MATCH query then).
fn subquery_expr<'a>(c: &Ctx<'a>, i: &'a str, start: usize, kind: SubqueryKind) -> PResult<'a, Expr> {
    let (r, open) = c.sym(i, "{")?;
    let _g = c.enter(r)?;
    let saved = c.patterns_allowed.replace(false);
    let res = c.with_bar(false, || {
        if clause::starts_clause(c, r) {
            clause::query(c, r)
        } else {
            clause::pattern_as_query(c, r)
        }
    });
    c.patterns_allowed.set(saved);
    let (r, q) = res?;
    let (r, end) = c.sym(r, "}")?;
    let span = Span::new(start, end.end);
    let kind = match kind {
        SubqueryKind::Exists => ExprKind::Exists(Box::new(q)),
        SubqueryKind::Count => ExprKind::CountSubquery(Box::new(q)),
        SubqueryKind::Collect => {
            let returns_one = |sq: &SingleQuery| {
                matches!(sq.clauses.last(), Some(Clause::Return(ret))
                    if !ret.projection.star && ret.projection.items.len() == 1)
            };
            if !(returns_one(&q.first) && q.unions.iter().all(|u| returns_one(&u.query))) {
                return c.failure_hint(
                    &c.src[open.start..],
                    "UnexpectedSyntax",
                    "a COLLECT subquery must end with a RETURN clause returning exactly one column",
                    "for example COLLECT { MATCH (n)-->(m) RETURN m.name }",
                );
            }
            ExprKind::CollectSubquery(Box::new(q))
        }
    };
    Ok((r, Expr::new(kind, span)))
}
