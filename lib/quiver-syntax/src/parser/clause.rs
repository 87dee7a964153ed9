//! Statements (`EXPLAIN` / `PROFILE`), `UNION`, and the clauses, one
//! function each: `match_clause`, `unwind_clause`, `with_clause`,
//! `return_clause`, `create_clause`, `merge_clause`, `set_clause`,
//! `remove_clause`, `delete_clause`, `call_clause`, `call_subquery`,
//! `foreach_clause`, `load_csv_clause`.

use super::expression::{expr, expr_before_bar, expr_list, postfix};
use super::lexical::{Ctx, PResult};
use super::pattern::{part, pattern};
use crate::ast::*;

const CLAUSE_KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE", "MERGE", "SET", "REMOVE", "DELETE", "DETACH", "CALL",
    "LOAD", "FOREACH", "LET", "FILTER", "FINISH",
];

/// `[EXPLAIN | PROFILE] query [;]`
pub(crate) fn statement<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Statement> {
    let (i, mode) = if let Ok((r, _)) = c.kw(i, "EXPLAIN") {
        (r, Mode::Explain)
    } else if let Ok((r, _)) = c.kw(i, "PROFILE") {
        (r, Mode::Profile)
    } else {
        (i, Mode::Run)
    };
    let (i, query) = query(c, i)?;
    let i = c.sym(i, ";").map(|(r, _)| r).unwrap_or(i);
    let (i, _) = c.end_of_input(i)?;
    Ok((i, Statement { mode, query }))
}

/// Whether a clause keyword comes next.
pub(crate) fn starts_clause<'a>(c: &Ctx<'a>, i: &'a str) -> bool {
    c.peek_word(i)
        .is_some_and(|w| CLAUSE_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)))
}

/// `single (UNION [ALL] single)*`
pub(crate) fn query<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Query> {
    let (mut i, first) = single_query(c, i)?;
    let mut unions = Vec::new();
    while let Ok((r, u)) = c.kw(i, "UNION") {
        let (r, all) = match c.kw(r, "ALL") {
            Ok((r, _)) => (r, true),
            Err(_) => (r, false),
        };
        let (r, q) = single_query(c, r)?;
        unions.push(Union {
            all,
            query: q,
            span: c.span(u.start, r),
        });
        i = r;
    }
    Ok((i, Query { first, unions }))
}

fn single_query<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, SingleQuery> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let (mut i, first) = clause(c, i)?;
    let mut clauses = vec![first];
    loop {
        match clause(c, i) {
            Ok((r, cl)) => {
                clauses.push(cl);
                i = r;
            }
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    if clauses.len() > 1 {
        for cl in &clauses {
            if let Clause::Call(call) = cl {
                if call.yield_.as_ref().is_some_and(|y| y.star) {
                    return c.failure_hint(
                        &c.src[call.span.start..],
                        "UnexpectedSyntax",
                        "YIELD * is only allowed when CALL is the whole query",
                        "name the fields: YIELD a, b",
                    );
                }
            }
        }
    }
    Ok((
        i,
        SingleQuery {
            clauses,
            span: c.span(start, i),
        },
    ))
}

/// `EXISTS { (a)-->(b) WHERE ... }`: the pattern form as a one-clause query.
pub(crate) fn pattern_as_query<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Query> {
    let (i, _) = c.ws(i)?;
    let start = c.offset(i);
    let (r, p) = pattern(c, i)?;
    let (r, where_) = opt_where(c, r)?;
    let span = c.span(start, r);
    let m = Match {
        optional: false,
        mode: None,
        pattern: p,
        where_,
        span,
    };
    Ok((
        r,
        Query {
            first: SingleQuery {
                clauses: vec![Clause::Match(m)],
                span,
            },
            unions: Vec::new(),
        },
    ))
}

fn clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let (i, _) = c.ws(i)?;
    let saved = c.patterns_allowed.replace(false);
    let r = c.with_bar(false, || clause_inner(c, i));
    c.patterns_allowed.set(saved);
    r
}

fn clause_inner<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let w = c.peek_word(i).unwrap_or("").to_ascii_uppercase();
    match w.as_str() {
        "OPTIONAL" if next_word_is(c, i, "CALL") => call_clause(c, i),
        "MATCH" | "OPTIONAL" => match_clause(c, i),
        "UNWIND" => unwind_clause(c, i),
        "WITH" => with_clause(c, i),
        "RETURN" => return_clause(c, i),
        "CREATE" if next_word_is(c, i, "INDEX") => super::schema::create_index(c, i),
        "CREATE" if next_word_is(c, i, "CONSTRAINT") => super::schema::create_constraint(c, i),
        "DROP" if next_word_is(c, i, "CONSTRAINT") => super::schema::drop_constraint(c, i),
        "DROP" => super::schema::drop_index(c, i),
        "SHOW" => super::schema::show(c, i),
        "CREATE" => create_clause(c, i),
        "MERGE" => merge_clause(c, i),
        "SET" => set_clause(c, i),
        "REMOVE" => remove_clause(c, i),
        "DELETE" | "DETACH" => delete_clause(c, i),
        "CALL" => call_clause(c, i),
        "LOAD" => load_csv_clause(c, i),
        "FOREACH" => foreach_clause(c, i),
        "LET" => let_clause(c, i),
        "FILTER" => filter_clause(c, i),
        "FINISH" => {
            let start = c.offset(i);
            let (i, _) = c.kw(i, "FINISH")?;
            Ok((i, Clause::Finish(Finish { span: c.span(start, i) })))
        }
        _ => {
            for k in CLAUSE_KEYWORDS {
                c.expect(i, k);
            }
            Err(nom::Err::Error(super::lexical::PErr::at(i)))
        }
    }
}

/// Whether the word after the current one is `w` (case-insensitive).
fn next_word_is<'a>(c: &Ctx<'a>, i: &'a str, w: &str) -> bool {
    let first = c.peek_word(i).unwrap_or("");
    match c.ws(i) {
        Ok((r, _)) => c.peek_kw(&r[first.len()..], w),
        Err(_) => false,
    }
}

pub(crate) fn opt_where<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Expr>> {
    match c.kw(i, "WHERE") {
        Ok((r, _)) => {
            let saved = c.patterns_allowed.replace(true);
            let res = expr(c, r);
            c.patterns_allowed.set(saved);
            let (r, e) = res?;
            Ok((r, Some(e)))
        }
        Err(_) => Ok((i, None)),
    }
}

/// `[OPTIONAL] MATCH [REPEATABLE ELEMENTS | DIFFERENT RELATIONSHIPS] pattern [WHERE expr]`
fn match_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, optional) = match c.kw(i, "OPTIONAL") {
        Ok((r, _)) => (r, true),
        Err(_) => (i, false),
    };
    let (i, _) = c.kw(i, "MATCH")?;
    let (i, mode) = if c.peek_kws(i, &["REPEATABLE", "ELEMENTS"]) || c.peek_kws(i, &["REPEATABLE", "ELEMENT"]) {
        let (r, _) = c.kw(i, "REPEATABLE")?;
        let r = c.kw(r, "ELEMENTS").or_else(|_| c.kw(r, "ELEMENT"))?.0;
        (r, Some(MatchMode::RepeatableElements))
    } else if c.peek_kws(i, &["DIFFERENT", "RELATIONSHIPS"]) || c.peek_kws(i, &["DIFFERENT", "RELATIONSHIP"]) {
        let (r, _) = c.kw(i, "DIFFERENT")?;
        let r = c.kw(r, "RELATIONSHIPS").or_else(|_| c.kw(r, "RELATIONSHIP"))?.0;
        (r, Some(MatchMode::DifferentRelationships))
    } else {
        (i, None)
    };
    let (i, p) = pattern(c, i)?;
    let (i, where_) = opt_where(c, i)?;
    Ok((
        i,
        Clause::Match(Match {
            optional,
            mode,
            pattern: p,
            where_,
            span: c.span(start, i),
        }),
    ))
}

/// `LET variable = expr [, variable = expr]...`
fn let_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (mut i, _) = c.kw(i, "LET")?;
    let mut items = Vec::new();
    loop {
        let (r, variable) = c.variable(i)?;
        let (r, _) = c.sym(r, "=")?;
        let (r, e) = expr(c, r)?;
        items.push((variable, e));
        i = r;
        match c.sym(i, ",") {
            Ok((r, _)) => i = r,
            Err(_) => break,
        }
    }
    Ok((
        i,
        Clause::Let(Let {
            items,
            span: c.span(start, i),
        }),
    ))
}

/// `FILTER [WHERE] expr`
fn filter_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "FILTER")?;
    let i = c.kw(i, "WHERE").map_or(i, |(r, _)| r);
    let saved = c.patterns_allowed.replace(true);
    let res = expr(c, i);
    c.patterns_allowed.set(saved);
    let (i, predicate) = res?;
    Ok((
        i,
        Clause::Filter(Filter {
            predicate,
            span: c.span(start, i),
        }),
    ))
}

/// `UNWIND expr AS variable`
fn unwind_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "UNWIND")?;
    let (i, e) = expr(c, i)?;
    let (i, _) = c.kw(i, "AS")?;
    let (i, variable) = c.symbolic_name(i)?;
    Ok((
        i,
        Clause::Unwind(Unwind {
            expr: e,
            variable,
            span: c.span(start, i),
        }),
    ))
}

/// `LOAD CSV [WITH HEADERS] FROM expr AS variable [FIELDTERMINATOR 'c']`
fn load_csv_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kws(i, &["LOAD", "CSV"])?;
    let (i, with_headers) = match c.kws(i, &["WITH", "HEADERS"]) {
        Ok((r, _)) => (r, true),
        Err(_) => (i, false),
    };
    let (i, _) = c.kw(i, "FROM")?;
    let (i, url) = expr(c, i)?;
    let (i, _) = c.kw(i, "AS")?;
    let (i, variable) = c.variable(i)?;
    let (i, field_terminator) = match c.kw(i, "FIELDTERMINATOR") {
        Ok((r, _)) => {
            let (r2, (t, span)) = c.string(r)?;
            if t.chars().count() != 1 {
                return c.failure_hint(
                    &c.src[span.start..],
                    "UnexpectedSyntax",
                    format!("FIELDTERMINATOR takes one character, not {}", t.chars().count()),
                    "for example FIELDTERMINATOR ';' or FIELDTERMINATOR '\\t'",
                );
            }
            (r2, Some(t))
        }
        Err(_) => (i, None),
    };
    Ok((
        i,
        Clause::LoadCsv(LoadCsv {
            with_headers,
            url,
            variable,
            field_terminator,
            span: c.span(start, i),
        }),
    ))
}

/// `WITH projection [WHERE expr]`
fn with_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "WITH")?;
    let (i, projection) = projection(c, i)?;
    let (i, where_) = opt_where(c, i)?;
    Ok((
        i,
        Clause::With(With {
            projection,
            where_,
            span: c.span(start, i),
        }),
    ))
}

/// `RETURN projection`
fn return_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "RETURN")?;
    let (i, projection) = projection(c, i)?;
    Ok((
        i,
        Clause::Return(Return {
            projection,
            span: c.span(start, i),
        }),
    ))
}

/// `[DISTINCT] (* | item) (, item)* [ORDER BY ...] [SKIP e] [LIMIT e]`
pub(crate) fn projection<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Projection> {
    let (i, distinct) = match c.kw(i, "DISTINCT") {
        Ok((r, _)) => (r, true),
        Err(_) => (i, false),
    };
    let mut items = Vec::new();
    let (mut i, star) = match c.sym(i, "*") {
        Ok((r, _)) => (r, true),
        Err(_) => {
            let (r, item) = projection_item(c, i)?;
            items.push(item);
            (r, false)
        }
    };
    while let Ok((r, _)) = c.sym(i, ",") {
        let (r, item) = projection_item(c, r)?;
        items.push(item);
        i = r;
    }
    let mut order_by = Vec::new();
    if c.peek_kw(i, "ORDER") {
        let (r, _) = c.kws(i, &["ORDER", "BY"])?;
        let (r, first) = sort_item(c, r)?;
        order_by.push(first);
        i = r;
        while let Ok((r, _)) = c.sym(i, ",") {
            let (r, s) = sort_item(c, r)?;
            order_by.push(s);
            i = r;
        }
    }
    let (i, skip) = match c.kw(i, "SKIP") {
        Ok((r, _)) => {
            let (r, e) = expr(c, r)?;
            (r, Some(e))
        }
        Err(_) => (i, None),
    };
    let (i, limit) = match c.kw(i, "LIMIT") {
        Ok((r, _)) => {
            let (r, e) = expr(c, r)?;
            (r, Some(e))
        }
        Err(_) => (i, None),
    };
    Ok((
        i,
        Projection {
            distinct,
            star,
            items,
            order_by,
            skip,
            limit,
        },
    ))
}

/// `expr [AS name]`; the text as written becomes the column name.
fn projection_item<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ProjectionItem> {
    let (i, e) = expr(c, i)?;
    let text = c.src[e.span.start..e.span.end].trim().to_string();
    let (i, alias) = match c.kw(i, "AS") {
        Ok((r, _)) => {
            let (r, a) = c.symbolic_name(r)?;
            (r, Some(a))
        }
        Err(_) => (i, None),
    };
    Ok((i, ProjectionItem { expr: e, alias, text }))
}

pub(crate) fn sort_item<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, SortItem> {
    let (i, e) = expr(c, i)?;
    for (k, descending) in [
        ("ASCENDING", false),
        ("ASC", false),
        ("DESCENDING", true),
        ("DESC", true),
    ] {
        if let Ok((r, _)) = c.kw(i, k) {
            return Ok((r, SortItem { expr: e, descending }));
        }
    }
    Ok((
        i,
        SortItem {
            expr: e,
            descending: false,
        },
    ))
}

/// `CREATE pattern`
fn create_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "CREATE")?;
    let (i, p) = pattern(c, i)?;
    Ok((
        i,
        Clause::Create(Create {
            pattern: p,
            span: c.span(start, i),
        }),
    ))
}

/// `MERGE part (ON CREATE SET items | ON MATCH SET items)*`
fn merge_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "MERGE")?;
    let (mut i, p) = part(c, i)?;
    let mut actions = Vec::new();
    while let Ok((r, _)) = c.kw(i, "ON") {
        let (r, on_create) = if let Ok((r, _)) = c.kw(r, "CREATE") {
            (r, true)
        } else {
            (c.kw(r, "MATCH")?.0, false)
        };
        let (r, _) = c.kw(r, "SET")?;
        let (r, items) = set_items(c, r)?;
        actions.push(MergeAction { on_create, items });
        i = r;
    }
    Ok((
        i,
        Clause::Merge(Merge {
            part: p,
            actions,
            span: c.span(start, i),
        }),
    ))
}

/// `SET item, ...`
fn set_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "SET")?;
    let (i, items) = set_items(c, i)?;
    Ok((
        i,
        Clause::Set(Set {
            items,
            span: c.span(start, i),
        }),
    ))
}

fn set_items<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Vec<SetItem>> {
    let (mut i, first) = set_item(c, i)?;
    let mut items = vec![first];
    while let Ok((r, _)) = c.sym(i, ",") {
        let (r, item) = set_item(c, r)?;
        items.push(item);
        i = r;
    }
    Ok((i, items))
}

/// `:A:B`, `:$(e)`: the labels SET and REMOVE take (no `|`, `!`, `%`).
fn check_label_list<'a>(c: &Ctx<'a>, labels: &LabelExpr, what: &str) -> Result<(), nom::Err<super::lexical::PErr>> {
    let atoms = match &labels.kind {
        LabelExprKind::Colon(items) => items.iter().collect(),
        _ => vec![labels],
    };
    if atoms
        .iter()
        .all(|l| matches!(l.kind, LabelExprKind::Label(_) | LabelExprKind::Dynamic { .. }))
    {
        return Ok(());
    }
    c.failure_hint(
        &c.src[labels.span.start..],
        "UnexpectedSyntax",
        format!("{what} takes labels separated by ':', not a label expression"),
        "write e.g. n:A:B or n:$($label)",
    )
    .map(|_: (&str, ())| ())
}

/// `n.p = e`, `(expr).p = e`, `n[key] = e`, `n = map`, `n += map`, `n:A:B`, `n:$(e)`
fn set_item<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, SetItem> {
    let (i, _) = c.ws(i)?;
    let (r, target) = postfix(c, i)?;
    if let ExprKind::HasLabels(inner, labels) = &target.kind {
        if let ExprKind::Variable(v) = &inner.kind {
            check_label_list(c, labels, "SET")?;
            let variable = Ident::new(v.clone(), inner.span);
            return Ok((
                r,
                SetItem::Labels {
                    variable,
                    labels: labels.clone(),
                },
            ));
        }
    }
    let (r, merge) = if let Ok((r, _)) = c.sym(r, "+=") {
        (r, true)
    } else {
        (c.sym(r, "=")?.0, false)
    };
    let (r, value) = expr(c, r)?;
    match target.kind {
        ExprKind::Variable(v) => {
            let variable = Ident::new(v, target.span);
            Ok((
                r,
                if merge {
                    SetItem::Merge { variable, value }
                } else {
                    SetItem::Replace { variable, value }
                },
            ))
        }
        ExprKind::Property(t, key) if !merge => Ok((r, SetItem::Property { target: *t, key, value })),
        ExprKind::Index(t, key) if !merge => Ok((
            r,
            SetItem::DynamicProperty {
                target: *t,
                key: *key,
                value,
            },
        )),
        _ => c.failure_hint(
            &c.src[target.span.start..],
            "UnexpectedSyntax",
            format!("SET cannot assign to '{}'", &c.src[target.span.start..target.span.end]),
            "write n.key = value, n[key] = value, n = {map}, n += {map} or n:Label",
        ),
    }
}

/// `REMOVE n.p, n:A`
fn remove_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (mut i, _) = c.kw(i, "REMOVE")?;
    let mut items = Vec::new();
    loop {
        let (r, _) = c.ws(i)?;
        let (r2, target) = postfix(c, r)?;
        let item = match target.kind {
            ExprKind::Property(t, key) => RemoveItem::Property { target: *t, key },
            ExprKind::Index(t, key) => RemoveItem::DynamicProperty { target: *t, key: *key },
            ExprKind::HasLabels(inner, labels) if matches!(inner.kind, ExprKind::Variable(_)) => {
                check_label_list(c, &labels, "REMOVE")?;
                let ExprKind::Variable(v) = inner.kind else {
                    unreachable!()
                };
                RemoveItem::Labels {
                    variable: Ident::new(v, inner.span),
                    labels,
                }
            }
            _ => {
                return c.failure_hint(
                    r,
                    "UnexpectedSyntax",
                    format!("REMOVE cannot remove '{}'", &c.src[target.span.start..target.span.end]),
                    "write REMOVE n.key, REMOVE n[key] or REMOVE n:Label",
                )
            }
        };
        items.push(item);
        i = r2;
        match c.sym(i, ",") {
            Ok((r, _)) => i = r,
            Err(_) => break,
        }
    }
    Ok((
        i,
        Clause::Remove(Remove {
            items,
            span: c.span(start, i),
        }),
    ))
}

/// `[DETACH] DELETE expr, ...`
fn delete_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, detach) = match c.kw(i, "DETACH") {
        Ok((r, _)) => (r, true),
        Err(_) => (i, false),
    };
    let (i, _) = c.kw(i, "DELETE")?;
    let (i, first) = expr(c, i)?;
    let mut exprs = vec![first];
    let mut i = i;
    while let Ok((r, _)) = c.sym(i, ",") {
        let (r, e) = expr(c, r)?;
        exprs.push(e);
        i = r;
    }
    Ok((
        i,
        Clause::Delete(Delete {
            detach,
            exprs,
            span: c.span(start, i),
        }),
    ))
}

/// `[OPTIONAL] CALL ns.proc(args) [YIELD * | YIELD a, b AS c [WHERE e]]`, or
/// without parentheses; or a CALL subquery.
fn call_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, optional) = c.opt_kw(i, "OPTIONAL");
    let (i, _) = c.kw(i, "CALL")?;
    if c.peek_sym(i, "{") || c.peek_sym(i, "(") {
        return call_subquery(c, i, start, optional);
    }
    let (mut i, first) = c.symbolic_name(i)?;
    let mut procedure = vec![first];
    while let Ok((r, _)) = c.sym(i, ".") {
        let (r, part) = c.symbolic_name(r)?;
        procedure.push(part);
        i = r;
    }
    let (i, args) = match c.sym(i, "(") {
        Ok((r, _)) => {
            let (r, args) = expr_list(c, r)?;
            let (r, _) = c.sym(r, ")")?;
            (r, Some(args))
        }
        Err(_) => (i, None),
    };
    let (i, yield_) = match c.kw(i, "YIELD") {
        Ok((r, _)) => {
            let (r, y) = yield_clause(c, r)?;
            (r, Some(y))
        }
        Err(_) => (i, None),
    };
    Ok((
        i,
        Clause::Call(Call {
            optional,
            procedure,
            args,
            yield_,
            span: c.span(start, i),
        }),
    ))
}

/// After `CALL`: `[(a, b) | (*) | ()] { query } [IN TRANSACTIONS ...]`.
fn call_subquery<'a>(c: &Ctx<'a>, i: &'a str, start: usize, optional: bool) -> PResult<'a, Clause> {
    let (i, import) = match c.sym(i, "(") {
        Ok((r, _)) => {
            if let Ok((r, _)) = c.sym(r, "*") {
                (c.sym(r, ")")?.0, Some(ImportList::All))
            } else {
                let mut vars = Vec::new();
                let mut r = r;
                if !c.peek_sym(r, ")") {
                    loop {
                        let (r1, v) = c.variable(r)?;
                        vars.push(v);
                        r = r1;
                        match c.sym(r, ",") {
                            Ok((r1, _)) => r = r1,
                            Err(_) => break,
                        }
                    }
                }
                (c.sym(r, ")")?.0, Some(ImportList::Variables(vars)))
            }
        }
        Err(_) => (i, None),
    };
    let (i, _) = c.sym(i, "{")?;
    let _g = c.enter(i)?;
    let (i, body) = query(c, i)?;
    let (i, _) = c.sym(i, "}")?;
    let (i, in_transactions) = if c.peek_kw(i, "IN") {
        let (r, t) = in_transactions(c, i)?;
        (r, Some(t))
    } else {
        (i, None)
    };
    Ok((
        i,
        Clause::CallSubquery(CallSubquery {
            optional,
            import,
            body: Box::new(body),
            in_transactions,
            span: c.span(start, i),
        }),
    ))
}

/// An integer literal or a parameter (batch sizes, concurrency).
fn count_operand<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<Expr>> {
    let (at, _) = c.ws(i)?;
    if at.starts_with('$') || at.starts_with(|ch: char| ch.is_ascii_digit()) {
        let (r, e) = super::expression::atom(c, at)?;
        return Ok((r, Some(e)));
    }
    Ok((i, None))
}

/// `IN [n] [CONCURRENT] TRANSACTIONS` then, in any order and each at most
/// once, `OF n ROW[S]`, `ON ERROR CONTINUE | BREAK | FAIL`, `REPORT STATUS AS v`.
fn in_transactions<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, InTransactions> {
    let (i, kw) = c.kw(i, "IN")?;
    let (i, concurrency) = count_operand(c, i)?;
    let (i, concurrent) = c.opt_kw(i, "CONCURRENT");
    if concurrency.is_some() && !concurrent {
        return c.fail(c.ws(i)?.0, "CONCURRENT");
    }
    let (mut i, _) = c.kw(i, "TRANSACTIONS")?;
    let mut t = InTransactions {
        concurrent,
        concurrency,
        batch_size: None,
        on_error: None,
        report_status: None,
        span: kw,
    };
    let duplicate = |at: &'a str, what: &str| -> PResult<'a, InTransactions> {
        c.failure(
            c.ws(at).map(|(r, _)| r).unwrap_or(at),
            "UnexpectedSyntax",
            format!("{what} is given more than once in IN TRANSACTIONS"),
        )
    };
    loop {
        if c.peek_kw(i, "OF") {
            if t.batch_size.is_some() {
                return duplicate(i, "OF ... ROWS");
            }
            let (r, _) = c.kw(i, "OF")?;
            let (r, n) = count_operand(c, r)?;
            let Some(n) = n else {
                return c.fail(c.ws(r)?.0, "an integer or a parameter");
            };
            let r = c.kw(r, "ROWS").or_else(|_| c.kw(r, "ROW"))?.0;
            t.batch_size = Some(n);
            i = r;
        } else if c.peek_kws(i, &["ON", "ERROR"]) {
            if t.on_error.is_some() {
                return duplicate(i, "ON ERROR");
            }
            let (r, _) = c.kws(i, &["ON", "ERROR"])?;
            let (r, e) = if let Ok((r, _)) = c.kw(r, "CONTINUE") {
                (r, OnError::Continue)
            } else if let Ok((r, _)) = c.kw(r, "BREAK") {
                (r, OnError::Break)
            } else {
                (c.kw(r, "FAIL")?.0, OnError::Fail)
            };
            t.on_error = Some(e);
            i = r;
        } else if c.peek_kw(i, "REPORT") {
            if t.report_status.is_some() {
                return duplicate(i, "REPORT STATUS");
            }
            let (r, _) = c.kws(i, &["REPORT", "STATUS", "AS"])?;
            let (r, v) = c.variable(r)?;
            t.report_status = Some(v);
            i = r;
        } else {
            break;
        }
    }
    if t.report_status.is_some() && matches!(t.on_error, None | Some(OnError::Fail)) {
        return c.failure_hint(
            &c.src[kw.start..],
            "UnexpectedSyntax",
            "REPORT STATUS can only be used with ON ERROR CONTINUE or ON ERROR BREAK",
            "add ON ERROR CONTINUE before REPORT STATUS",
        );
    }
    t.span = c.span(kw.start, i);
    Ok((i, t))
}

/// `FOREACH (variable IN list | clause ...)`, updating clauses only.
fn foreach_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "FOREACH")?;
    let (i, _) = c.sym(i, "(")?;
    let _g = c.enter(i)?;
    let (i, variable) = c.variable(i)?;
    let (i, _) = c.kw(i, "IN")?;
    let (i, list) = expr_before_bar(c, i)?;
    let (mut i, _) = c.sym(i, "|")?;
    let mut clauses = Vec::new();
    loop {
        match clause(c, i) {
            Ok((r, cl)) => {
                if !cl.is_updating() {
                    return c.failure_hint(
                        &c.src[cl.span().start..],
                        "UnexpectedSyntax",
                        format!("{} cannot be used inside FOREACH", cl.name()),
                        "FOREACH takes updating clauses only: CREATE, MERGE, SET, REMOVE, DELETE, FOREACH",
                    );
                }
                clauses.push(cl);
                i = r;
            }
            Err(nom::Err::Error(e)) if clauses.is_empty() => return Err(nom::Err::Error(e)),
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    let (i, _) = c.sym(i, ")")?;
    Ok((
        i,
        Clause::Foreach(Foreach {
            variable,
            list,
            clauses,
            span: c.span(start, i),
        }),
    ))
}

/// After `YIELD`: `*` or `field [AS alias], ...`, then `[WHERE e]`.
fn yield_clause<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, YieldClause> {
    let mut items = Vec::new();
    let (i, star) = match c.sym(i, "*") {
        Ok((r, _)) => (r, true),
        Err(_) => {
            let mut i = i;
            loop {
                let (r, field) = c.symbolic_name(i)?;
                let (r, alias) = match c.kw(r, "AS") {
                    Ok((r, _)) => {
                        let (r, a) = c.symbolic_name(r)?;
                        (r, Some(a))
                    }
                    Err(_) => (r, None),
                };
                items.push((field, alias));
                i = r;
                match c.sym(i, ",") {
                    Ok((r, _)) => i = r,
                    Err(_) => break,
                }
            }
            (i, false)
        }
    };
    let (i, where_) = opt_where(c, i)?;
    Ok((i, YieldClause { star, items, where_ }))
}
