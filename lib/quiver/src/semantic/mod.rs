//! Checks on the AST that need no graph and no scope: what the TCK calls
//! compile-time errors and the planner cannot see as directly.

use crate::ast::{self, Clause, ExprKind, Span};
use crate::error::{Error, ErrorKind, Phase};

#[derive(Clone, Debug, PartialEq)]
pub struct SemanticError {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
}

impl SemanticError {
    pub fn into_error(self, text: &str) -> Error {
        Error::new(ErrorKind::SyntaxError, self.code, Phase::Compile, self.message.clone())
            .at(text, self.span.start)
            .with_source(self)
    }
}

impl std::fmt::Display for SemanticError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}: {}", self.code, self.span.start, self.message)
    }
}

impl std::error::Error for SemanticError {}

/// Checks a statement before it is planned.
pub fn check(statement: &ast::Statement) -> Result<(), SemanticError> {
    check_single(&statement.query.first)?;
    for u in &statement.query.unions {
        check_single(&u.query)?;
    }
    Ok(())
}

fn check_single(q: &ast::SingleQuery) -> Result<(), SemanticError> {
    for clause in &q.clauses {
        match clause {
            Clause::Match(m) => {
                for part in &m.pattern.parts {
                    check_pattern_parameters(&part.element)?;
                }
            }
            Clause::Merge(m) => check_pattern_parameters(&m.part.element)?,
            _ => {}
        }
    }
    Ok(())
}

/// A parameter cannot stand for a whole property map in MATCH (`MATCH (n $props)`):
/// the planner could not use it to find nodes.
fn check_pattern_parameters(e: &ast::PatternElement) -> Result<(), SemanticError> {
    let nodes = std::iter::once(&e.start).chain(e.chain.iter().map(|(_, n)| n));
    for n in nodes {
        if let Some(p) = &n.properties {
            if let ExprKind::Parameter(name) = &p.kind {
                return Err(SemanticError {
                    code: "InvalidParameterUse",
                    message: format!(
                        "a parameter (${name}) cannot stand for the whole property map of a MATCH or MERGE pattern"
                    ),
                    span: p.span,
                });
            }
        }
    }
    for r in e.rels() {
        if let Some(p) = &r.properties {
            if let ExprKind::Parameter(name) = &p.kind {
                return Err(SemanticError {
                    code: "InvalidParameterUse",
                    message: format!(
                        "a parameter (${name}) cannot stand for the whole property map of a MATCH or MERGE pattern"
                    ),
                    span: p.span,
                });
            }
        }
    }
    Ok(())
}
