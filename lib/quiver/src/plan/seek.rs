//! Which property predicates an index can answer: `n.key = e`, `n.key IN e`,
//! `n.key < e` (and friends) in WHERE, and `(n {key: e})` in patterns, where
//! `e` does not depend on the pattern being matched.

use std::collections::HashMap;

use crate::ast::{self, BinaryOp, ExprKind};

use super::scope::Scope;

/// A predicate on one property of one pattern node, still as written.
#[derive(Clone, Debug)]
pub(super) enum SeekAst<'e> {
    Equal(&'e ast::Expr),
    In(&'e ast::Expr),
    Range {
        lower: Option<(&'e ast::Expr, bool)>,
        upper: Option<(&'e ast::Expr, bool)>,
    },
}

impl SeekAst<'_> {
    /// A rough count of the nodes the seek yields, out of `total`.
    pub fn estimate(&self, total: usize, distinct: usize) -> usize {
        let per_value = total / distinct.max(1);
        match self {
            SeekAst::Equal(_) => per_value.max(1),
            SeekAst::In(_) => (per_value * 4).max(2),
            SeekAst::Range {
                lower: Some(_),
                upper: Some(_),
            } => (total / 8).max(3),
            SeekAst::Range { .. } => (total / 3).max(4),
        }
    }
}

/// Candidates by variable name: `(key, predicate)`.
pub(super) type Candidates<'e> = HashMap<String, Vec<(String, SeekAst<'e>)>>;

/// Whether `e` can be evaluated before the pattern is matched: it reads only
/// variables bound before (in `outer`), parameters and literals.
pub(super) fn independent(e: &ast::Expr, outer: &Scope) -> bool {
    let mut ok = true;
    super::planner::walk(e, &mut |x| match &x.kind {
        ExprKind::Variable(v) if outer.lookup(v).is_none() => ok = false,
        ExprKind::Pattern(_) | ExprKind::PatternComprehension { .. } | ExprKind::Exists(_) => ok = false,
        _ if super::planner::is_aggregate_expr(x) => ok = false,
        _ => {}
    });
    ok
}

fn conjuncts<'e>(e: &'e ast::Expr, out: &mut Vec<&'e ast::Expr>) {
    match &e.kind {
        ExprKind::Binary(BinaryOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(e),
    }
}

/// `var.key` as (var, key).
fn property_of(e: &ast::Expr) -> Option<(&str, &str)> {
    match &e.kind {
        ExprKind::Property(base, key) => match &base.kind {
            ExprKind::Variable(v) => Some((v.as_str(), key.name.as_str())),
            _ => None,
        },
        _ => None,
    }
}

/// The index-answerable conjuncts of a WHERE clause.
pub(super) fn from_where<'e>(where_: Option<&'e ast::Expr>, outer: &Scope) -> Candidates<'e> {
    let mut out: Candidates<'e> = HashMap::new();
    let Some(w) = where_ else { return out };
    let mut parts = Vec::new();
    conjuncts(w, &mut parts);
    let mut ranges: HashMap<(String, String), (Option<(&'e ast::Expr, bool)>, Option<(&'e ast::Expr, bool)>)> =
        HashMap::new();
    for c in parts {
        let ExprKind::Binary(op, a, b) = &c.kind else { continue };
        // Normalise to `var.key op value`.
        let (prop, value, op) = match (property_of(a), property_of(b)) {
            (Some(p), _) if independent(b, outer) => (p, &**b, *op),
            (_, Some(p)) if independent(a, outer) && *op != BinaryOp::In => (p, &**a, flip(*op)),
            _ => continue,
        };
        let (var, key) = (prop.0.to_string(), prop.1.to_string());
        match op {
            BinaryOp::Eq => out.entry(var).or_default().push((key, SeekAst::Equal(value))),
            BinaryOp::In => out.entry(var).or_default().push((key, SeekAst::In(value))),
            BinaryOp::Gt | BinaryOp::Ge => {
                ranges
                    .entry((var, key))
                    .or_default()
                    .0
                    .get_or_insert((value, op == BinaryOp::Ge));
            }
            BinaryOp::Lt | BinaryOp::Le => {
                ranges
                    .entry((var, key))
                    .or_default()
                    .1
                    .get_or_insert((value, op == BinaryOp::Le));
            }
            _ => {}
        }
    }
    for ((var, key), (lower, upper)) in ranges {
        out.entry(var).or_default().push((key, SeekAst::Range { lower, upper }));
    }
    out
}

/// `a op b` read from the other side: `5 < n.x` is `n.x > 5`.
fn flip(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// Which entry of an inline property map an equality seek came from (the
/// very expression, not an equal one: `{id: 1}` and `WHERE n.id = 1` are two checks).
pub(super) fn covered_property(props: Option<&ast::Expr>, seek: &SeekAst<'_>) -> Option<usize> {
    let SeekAst::Equal(e) = seek else { return None };
    match props.map(|p| &p.kind) {
        Some(ExprKind::Map(items)) => items.iter().position(|(_, v)| std::ptr::eq(v, *e)),
        _ => None,
    }
}

/// The equalities of an inline property map, `(n {key: value})`.
pub(super) fn from_properties<'e>(props: Option<&'e ast::Expr>, outer: &Scope) -> Vec<(String, SeekAst<'e>)> {
    match props.map(|p| &p.kind) {
        Some(ExprKind::Map(items)) => items
            .iter()
            .filter(|(_, v)| independent(v, outer))
            .map(|(k, v)| (k.name.clone(), SeekAst::Equal(v)))
            .collect(),
        _ => Vec::new(),
    }
}
