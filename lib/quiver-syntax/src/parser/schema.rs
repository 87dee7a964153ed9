//! Index definitions: `CREATE INDEX`, `DROP INDEX`, `SHOW INDEXES`.

use crate::ast::{Clause, Ident, Schema, SchemaCommand};

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

/// `SHOW INDEXES` (or `SHOW INDEX`)
pub(super) fn show_indexes<'a>(c: &Ctx<'a>, i: &'a str) -> PResult<'a, Clause> {
    let start = c.offset(i);
    let (i, _) = c.kw(i, "SHOW")?;
    let (i, _) = match c.kw(i, "INDEXES") {
        Ok(r) => r,
        Err(_) => c.kw(i, "INDEX")?,
    };
    Ok((
        i,
        Clause::Schema(Schema {
            command: SchemaCommand::ShowIndexes,
            span: c.span(start, i),
        }),
    ))
}
