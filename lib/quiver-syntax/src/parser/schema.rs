//! Index and constraint definitions and the SHOW commands: `CREATE INDEX`,
//! `DROP INDEX`, `CREATE CONSTRAINT`, `DROP CONSTRAINT`, `SHOW INDEXES`,
//! `SHOW CONSTRAINTS`, `SHOW PROCEDURES`, `SHOW FUNCTIONS`.

use crate::ast::*;

use super::clause::{opt_where, projection, sort_item};
use super::expression::{expr, map_literal};
use super::lexical::{Ctx, PResult};

/// `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.key)` or `CREATE INDEX ON :Label(key)`.
pub(super) fn create_index<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kws(i, &["CREATE", "INDEX"])?;
    if let Ok((i, _)) = c.kw(i, "ON") {
        // The older form: `ON :Label(key)`.
        let (i, _) = c.sym(i, ":")?;
        let (i, label) = c.symbolic_name(i)?;
        let (i, _) = c.sym(i, "(")?;
        let (i, key) = c.symbolic_name(i)?;
        let (i, _) = c.sym(i, ")")?;
        let command = SchemaCommand::CreateIndex {
            name: None,
            if_not_exists: false,
            label,
            key,
        };
        return Ok((
            i,
            Clause::Schema(Schema {
                command,
                span: c.span(start, i),
            }),
        ));
    }
    let (i, name) = if c.peek_kw(i, "FOR") || c.peek_kw(i, "IF") {
        (i, None)
    } else {
        let (i, n) = c.symbolic_name(i)?;
        (i, Some(n))
    };
    let (i, if_not_exists) = match c.kws(i, &["IF", "NOT", "EXISTS"]) {
        Ok((i, _)) => (i, true),
        Err(_) => (i, false),
    };
    let (i, _) = c.kw(i, "FOR")?;
    let (i, _) = c.sym(i, "(")?;
    let (i, var) = c.variable(i)?;
    let (i, _) = c.sym(i, ":")?;
    let (i, label) = c.symbolic_name(i)?;
    let (i, _) = c.sym(i, ")")?;
    let (i, _) = c.kw(i, "ON")?;
    let (i, _) = c.sym(i, "(")?;
    let (i, owner) = c.variable(i)?;
    if owner.name != var.name {
        return c.failure(
            i,
            "UndefinedVariable",
            format!("the index is declared for `{}`, not `{}`", var.name, owner.name),
        );
    }
    let (i, _) = c.sym(i, ".")?;
    let (i, key) = c.symbolic_name(i)?;
    let (i, _) = c.sym(i, ")")?;
    let command = SchemaCommand::CreateIndex {
        name,
        if_not_exists,
        label,
        key,
    };
    Ok((
        i,
        Clause::Schema(Schema {
            command,
            span: c.span(start, i),
        }),
    ))
}

/// `DROP INDEX name [IF EXISTS]`
pub(super) fn drop_index<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kws(i, &["DROP", "INDEX"])?;
    let (i, name): (&str, Ident) = c.symbolic_name(i)?;
    let (i, if_exists) = match c.kws(i, &["IF", "EXISTS"]) {
        Ok((i, _)) => (i, true),
        Err(_) => (i, false),
    };
    let command = SchemaCommand::DropIndex { name, if_exists };
    Ok((
        i,
        Clause::Schema(Schema {
            command,
            span: c.span(start, i),
        }),
    ))
}

fn schema_clause<'a>(c: &Ctx<'a>, i: &'a str, start: usize, command: SchemaCommand) -> PResult<'a, Clause> {
    Ok((
        i,
        Clause::Schema(Schema {
            command,
            span: c.span(start, i),
        }),
    ))
}

/// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:L) | ()-[r:T]-() REQUIRE
/// props (IS UNIQUE | IS [NODE | REL[ATIONSHIP]] KEY | IS NOT NULL | IS :: T) [OPTIONS map]`,
/// with `IS NODE UNIQUE` / `IS REL[ATIONSHIP] UNIQUE` and `IS TYPED T` as synonyms.
pub(super) fn create_constraint<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kws(i, &["CREATE", "CONSTRAINT"])?;
    if c.peek_kw(i, "ON") && c.kw(i, "ON").is_ok_and(|(r, _)| c.peek_sym(r, "(")) {
        let (at, _) = c.ws(i)?;
        return c.failure_hint(
            at,
            "UnexpectedSyntax",
            "CREATE CONSTRAINT ON ... ASSERT is the older syntax, no longer supported",
            "write CREATE CONSTRAINT FOR (n:Label) REQUIRE n.key IS UNIQUE",
        );
    }
    let (i, name) = if c.peek_kw(i, "FOR") || c.peek_kws(i, &["IF", "NOT"]) {
        (i, None)
    } else {
        let (i, n) = c.symbolic_name(i)?;
        (i, Some(n))
    };
    let (i, if_not_exists) = match c.kws(i, &["IF", "NOT", "EXISTS"]) {
        Ok((i, _)) => (i, true),
        Err(_) => (i, false),
    };
    let (i, _) = c.kw(i, "FOR")?;
    let (i, (variable, entity)) = constraint_pattern(c, i)?;
    let (i, _) = c.kw(i, "REQUIRE")?;
    let (i, properties) = constraint_properties(c, i, &variable)?;
    let (i, is) = c.kw(i, "IS")?;
    let node = matches!(entity, ConstraintEntity::Node { .. });
    let w = c.peek_word(i).unwrap_or("").to_ascii_uppercase();
    let (i, kind, written) = if c.peek_sym(i, "::") || w == "TYPED" {
        let i = match c.sym(i, "::") {
            Ok((r, _)) => r,
            Err(_) => c.kw(i, "TYPED")?.0,
        };
        let (i, t) = super::types::value_type(c, i)?;
        (i, ConstraintKind::Type(t), "IS ::")
    } else if w == "UNIQUE" {
        (c.kw(i, "UNIQUE")?.0, ConstraintKind::Unique, "IS UNIQUE")
    } else if w == "KEY" {
        (c.kw(i, "KEY")?.0, ConstraintKind::Key, "IS KEY")
    } else if w == "NOT" {
        (c.kws(i, &["NOT", "NULL"])?.0, ConstraintKind::NotNull, "IS NOT NULL")
    } else if w == "NODE" || w == "REL" || w == "RELATIONSHIP" {
        let (r, _) = c.kw(
            i,
            if w == "NODE" {
                "NODE"
            } else if w == "REL" {
                "REL"
            } else {
                "RELATIONSHIP"
            },
        )?;
        let (r, kind, written) = if let Ok((r, _)) = c.kw(r, "KEY") {
            (r, ConstraintKind::Key, "KEY")
        } else {
            (c.kw(r, "UNIQUE")?.0, ConstraintKind::Unique, "UNIQUE")
        };
        if (w == "NODE") != node {
            let (what, pattern) = if w == "NODE" {
                ("node", "a relationship pattern ()-[r:TYPE]-()")
            } else {
                ("relationship", "a node pattern (n:Label)")
            };
            return c.failure(
                &c.src[is.start..],
                "UnexpectedSyntax",
                format!(
                    "'IS {} {written}' is a {what} constraint, but it is given for {pattern}",
                    w
                ),
            );
        }
        let written = if kind == ConstraintKind::Key {
            "IS KEY"
        } else {
            "IS UNIQUE"
        };
        (r, kind, written)
    } else {
        for k in ["UNIQUE", "NODE", "RELATIONSHIP", "KEY", "NOT", "::", "TYPED"] {
            c.expect(c.ws(i)?.0, k);
        }
        return Err(nom::Err::Error(super::lexical::PErr::at(i)));
    };
    if properties.len() > 1 && matches!(kind, ConstraintKind::NotNull | ConstraintKind::Type(_)) {
        return c.failure(
            &c.src[is.start..],
            "UnexpectedSyntax",
            format!("a '{written}' constraint is on one property, not {}", properties.len()),
        );
    }
    let (i, options) = match c.kw(i, "OPTIONS") {
        Ok((r, _)) => {
            let (r, (entries, span)) = map_literal(c, r)?;
            (r, Some(Expr::new(ExprKind::Map(entries), span)))
        }
        Err(_) => (i, None),
    };
    let command = SchemaCommand::CreateConstraint(Box::new(CreateConstraint {
        name,
        if_not_exists,
        variable,
        entity,
        properties,
        kind,
        options,
        span: c.span(start, i),
    }));
    schema_clause(c, i, start, command)
}

/// `(n:Label)` or `()-[r:TYPE]-()` (`->`, `<-` too).
fn constraint_pattern<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, (Ident, ConstraintEntity)> {
    let (r, _) = c.sym(i, "(")?;
    if let Ok((r, _)) = c.sym(r, ")") {
        let (r, left) = c.opt_sym(r, "<");
        let (r, _) = c.sym(r, "-")?;
        let (r, _) = c.sym(r, "[")?;
        let (r, v) = c.variable(r)?;
        let (r, _) = c.sym(r, ":")?;
        let (r, rel_type) = c.symbolic_name(r)?;
        let (r, _) = c.sym(r, "]")?;
        let (r, _) = c.sym(r, "-")?;
        let (r, right) = c.opt_sym(r, ">");
        let (r, _) = c.sym(r, "(")?;
        let (r, _) = c.sym(r, ")")?;
        let direction = match (left, right) {
            (false, true) => Direction::Outgoing,
            (true, false) => Direction::Incoming,
            _ => Direction::Both,
        };
        return Ok((r, (v, ConstraintEntity::Relationship { rel_type, direction })));
    }
    let (r, v) = c.variable(r)?;
    let (r, _) = c.sym(r, ":")?;
    let (r, label) = c.symbolic_name(r)?;
    let (r, _) = c.sym(r, ")")?;
    Ok((r, (v, ConstraintEntity::Node { label })))
}

/// `v.key` or `(v.a, v.b, ...)`; `v` must be the pattern's variable.
fn constraint_properties<'a>(c: &Ctx<'a>, i: &'a str, variable: &Ident) -> PResult<'a, Vec<Ident>> {
    let one = |r: &'a str| -> PResult<'a, Ident> {
        let (r, owner) = c.variable(r)?;
        if owner.name != variable.name {
            return c.failure(
                &c.src[owner.span.start..],
                "UndefinedVariable",
                format!(
                    "the constraint is declared for `{}`, not `{}`",
                    variable.name, owner.name
                ),
            );
        }
        let (r, _) = c.sym(r, ".")?;
        c.symbolic_name(r)
    };
    if let Ok((mut r, _)) = c.sym(i, "(") {
        let mut keys = Vec::new();
        loop {
            let (r1, k) = one(r)?;
            keys.push(k);
            r = r1;
            match c.sym(r, ",") {
                Ok((r1, _)) => r = r1,
                Err(_) => break,
            }
        }
        let (r, _) = c.sym(r, ")")?;
        return Ok((r, keys));
    }
    let (r, k) = one(i)?;
    Ok((r, vec![k]))
}

/// `DROP CONSTRAINT name [IF EXISTS]`
pub(super) fn drop_constraint<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kws(i, &["DROP", "CONSTRAINT"])?;
    let (i, name) = c.symbolic_name(i)?;
    let (i, if_exists) = match c.kws(i, &["IF", "EXISTS"]) {
        Ok((i, _)) => (i, true),
        Err(_) => (i, false),
    };
    schema_clause(c, i, start, SchemaCommand::DropConstraint { name, if_exists })
}

/// `SHOW [filter] INDEX[ES] | CONSTRAINT[S] | PROCEDURE[S] | FUNCTION[S] ...`,
/// then `[YIELD ...] [WHERE ...] [RETURN ...]`.
pub(super) fn show<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "SHOW")?;
    let (i, what) = show_what(c, i)?;
    let (i, yield_) = if c.peek_kw(i, "YIELD") {
        let (r, y) = show_yield(c, i)?;
        (r, Some(y))
    } else {
        (i, None)
    };
    let (i, where_) = opt_where(c, i)?;
    let (i, return_) = if c.peek_kw(i, "RETURN") {
        let (r, kw) = c.kw(i, "RETURN")?;
        if yield_.is_none() {
            return c.failure_hint(
                &c.src[kw.start..],
                "UnexpectedSyntax",
                "RETURN after a SHOW command needs a YIELD before it",
                "for example SHOW FUNCTIONS YIELD name RETURN name",
            );
        }
        let (r, projection) = projection(c, r)?;
        (
            r,
            Some(Return {
                projection,
                span: c.span(kw.start, r),
            }),
        )
    } else {
        (i, None)
    };
    let command = SchemaCommand::Show(Box::new(Show {
        what,
        yield_,
        where_,
        return_,
    }));
    schema_clause(c, i, start, command)
}

/// The first of `words` (each one or two keywords) that comes next.
fn first_of<'a, T: Copy>(c: &Ctx<'a>, i: &'a str, words: &[(&[&'static str], T)]) -> Option<(&'a str, T)> {
    words
        .iter()
        .find(|(ks, _)| c.peek_kws(i, ks))
        .and_then(|(ks, t)| c.kws(i, ks).ok().map(|(r, _)| (r, *t)))
}

fn show_what<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ShowWhat> {
    use ConstraintFilter as F;
    let plural = |i: &'a str, one: &'static str, many: &'static str| -> PResult<'a, ()> {
        match c.kw(i, many) {
            Ok((r, _)) => Ok((r, ())),
            Err(_) => c.kw(i, one).map(|(r, _)| (r, ())),
        }
    };
    let index_filters: &[(&[&'static str], IndexFilter)] = &[
        (&["ALL"], IndexFilter::All),
        (&["RANGE"], IndexFilter::Range),
        (&["TEXT"], IndexFilter::Text),
        (&["POINT"], IndexFilter::Point),
        (&["LOOKUP"], IndexFilter::Lookup),
        (&["FULLTEXT"], IndexFilter::Fulltext),
        (&["VECTOR"], IndexFilter::Vector),
    ];
    if let Some((r, filter)) = first_of(c, i, index_filters) {
        if c.peek_kw(r, "INDEX") || c.peek_kw(r, "INDEXES") {
            let (r, _) = plural(r, "INDEX", "INDEXES")?;
            return Ok((r, ShowWhat::Indexes(filter)));
        }
    }
    if c.peek_kw(i, "INDEX") || c.peek_kw(i, "INDEXES") {
        let (r, _) = plural(i, "INDEX", "INDEXES")?;
        return Ok((r, ShowWhat::Indexes(IndexFilter::All)));
    }
    let constraint_filters: &[(&[&'static str], ConstraintFilter)] = &[
        (&["ALL"], F::All),
        (&["NODE", "UNIQUE"], F::NodeUnique),
        (&["NODE", "UNIQUENESS"], F::NodeUnique),
        (&["NODE", "KEY"], F::NodeKey),
        (&["NODE", "PROPERTY", "EXISTENCE"], F::NodeExistence),
        (&["NODE", "PROPERTY", "EXIST"], F::NodeExistence),
        (&["NODE", "EXISTENCE"], F::NodeExistence),
        (&["NODE", "EXIST"], F::NodeExistence),
        (&["NODE", "PROPERTY", "TYPE"], F::NodePropertyType),
        (&["RELATIONSHIP", "UNIQUE"], F::RelationshipUnique),
        (&["RELATIONSHIP", "UNIQUENESS"], F::RelationshipUnique),
        (&["REL", "UNIQUE"], F::RelationshipUnique),
        (&["REL", "UNIQUENESS"], F::RelationshipUnique),
        (&["RELATIONSHIP", "KEY"], F::RelationshipKey),
        (&["REL", "KEY"], F::RelationshipKey),
        (&["RELATIONSHIP", "PROPERTY", "EXISTENCE"], F::RelationshipExistence),
        (&["RELATIONSHIP", "PROPERTY", "EXIST"], F::RelationshipExistence),
        (&["RELATIONSHIP", "EXISTENCE"], F::RelationshipExistence),
        (&["RELATIONSHIP", "EXIST"], F::RelationshipExistence),
        (&["REL", "PROPERTY", "EXISTENCE"], F::RelationshipExistence),
        (&["REL", "PROPERTY", "EXIST"], F::RelationshipExistence),
        (&["REL", "EXISTENCE"], F::RelationshipExistence),
        (&["REL", "EXIST"], F::RelationshipExistence),
        (&["RELATIONSHIP", "PROPERTY", "TYPE"], F::RelationshipPropertyType),
        (&["REL", "PROPERTY", "TYPE"], F::RelationshipPropertyType),
        (&["UNIQUE"], F::Unique),
        (&["UNIQUENESS"], F::Unique),
        (&["KEY"], F::Key),
        (&["PROPERTY", "EXISTENCE"], F::Existence),
        (&["PROPERTY", "EXIST"], F::Existence),
        (&["EXISTENCE"], F::Existence),
        (&["EXIST"], F::Existence),
        (&["PROPERTY", "TYPE"], F::PropertyType),
    ];
    let (r, filter) = first_of(c, i, constraint_filters).unwrap_or((i, F::All));
    if c.peek_kw(r, "CONSTRAINT") || c.peek_kw(r, "CONSTRAINTS") {
        let (r, _) = plural(r, "CONSTRAINT", "CONSTRAINTS")?;
        return Ok((r, ShowWhat::Constraints(filter)));
    }
    if c.peek_kw(i, "PROCEDURE") || c.peek_kw(i, "PROCEDURES") {
        let (r, _) = plural(i, "PROCEDURE", "PROCEDURES")?;
        let (r, executable) = executable_by(c, r)?;
        return Ok((r, ShowWhat::Procedures { executable }));
    }
    let function_filters: &[(&[&'static str], FunctionFilter)] = &[
        (&["ALL"], FunctionFilter::All),
        (&["BUILT", "IN"], FunctionFilter::BuiltIn),
        (&["USER", "DEFINED"], FunctionFilter::UserDefined),
    ];
    let (r, filter) = first_of(c, i, function_filters).unwrap_or((i, FunctionFilter::All));
    if c.peek_kw(r, "FUNCTION") || c.peek_kw(r, "FUNCTIONS") {
        let (r, _) = plural(r, "FUNCTION", "FUNCTIONS")?;
        let (r, executable) = executable_by(c, r)?;
        return Ok((r, ShowWhat::Functions { filter, executable }));
    }
    for k in ["INDEXES", "CONSTRAINTS", "PROCEDURES", "FUNCTIONS"] {
        c.expect(c.ws(r)?.0, k);
    }
    Err(nom::Err::Error(super::lexical::PErr::at(r)))
}

/// `[EXECUTABLE [BY CURRENT USER | BY name]]`
fn executable_by<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Option<ExecutableBy>> {
    let Ok((r, _)) = c.kw(i, "EXECUTABLE") else {
        return Ok((i, None));
    };
    let Ok((r, _)) = c.kw(r, "BY") else {
        return Ok((r, Some(ExecutableBy::CurrentUser)));
    };
    if let Ok((r, _)) = c.kws(r, &["CURRENT", "USER"]) {
        return Ok((r, Some(ExecutableBy::CurrentUser)));
    }
    let (r, user) = c.symbolic_name(r)?;
    Ok((r, Some(ExecutableBy::User(user))))
}

/// `YIELD { * | column [AS alias], ... } [ORDER BY ...] [SKIP n] [LIMIT n]`
fn show_yield<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, ShowYield> {
    let (i, kw) = c.kw(i, "YIELD")?;
    let mut items = Vec::new();
    let (mut i, star) = match c.sym(i, "*") {
        Ok((r, _)) => (r, true),
        Err(_) => {
            let mut r = i;
            loop {
                let (r1, column) = c.variable(r)?;
                let (r1, alias) = match c.kw(r1, "AS") {
                    Ok((r2, _)) => {
                        let (r2, a) = c.variable(r2)?;
                        (r2, Some(a))
                    }
                    Err(_) => (r1, None),
                };
                items.push((column, alias));
                r = r1;
                match c.sym(r, ",") {
                    Ok((r1, _)) => r = r1,
                    Err(_) => break,
                }
            }
            (r, false)
        }
    };
    let mut order_by = Vec::new();
    if c.peek_kw(i, "ORDER") {
        let (r, _) = c.kws(i, &["ORDER", "BY"])?;
        let (mut r, first) = sort_item(c, r)?;
        order_by.push(first);
        while let Ok((r1, _)) = c.sym(r, ",") {
            let (r1, s) = sort_item(c, r1)?;
            order_by.push(s);
            r = r1;
        }
        i = r;
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
        ShowYield {
            star,
            items,
            order_by,
            skip,
            limit,
            span: c.span(kw.start, i),
        },
    ))
}
