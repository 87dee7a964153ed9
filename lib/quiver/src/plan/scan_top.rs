//! The first rows of a label's nodes in some order: `MATCH (n:Label) WHERE
//! ... [WITH n] ORDER BY n.key LIMIT k`, where the filter and the sort keys
//! read only `n`'s own properties. Such a query is one operator that reads
//! each node's keys in place and keeps the best `k` nodes in a bounded heap;
//! a row is made only for those (instead of a row per node through a match,
//! a projection and a top).

use std::sync::Arc;

use crate::store::NameRef;

use super::scan_aggregate::{label_scan, node_expr};
use super::{Expr, NodeExpr, Op};

#[derive(Clone, Debug)]
pub struct ScanTopPlan {
    pub slot: usize,
    /// The variable as written, for EXPLAIN.
    pub name: Arc<str>,
    /// The first is scanned, the rest checked.
    pub labels: Vec<NameRef>,
    /// The pattern's `{key: value}` checks, then the WHERE clause.
    pub filters: Vec<NodeExpr>,
    /// Sort keys over the node, with whether each is descending.
    pub keys: Vec<(NodeExpr, bool)>,
    pub limit: Expr,
    pub skip: Option<Expr>,
    /// The width of the rows the match makes.
    pub width: usize,
}

/// `e` over the row a projection makes from `exprs` (its new columns first,
/// then, with `keep`, the row it was given), written over that row instead.
fn through_projection(e: &Expr, exprs: &[Expr]) -> Option<Expr> {
    let sub = |e: &Expr| through_projection(e, exprs).map(Box::new);
    let k = exprs.len();
    Some(match e {
        Expr::Slot(s) if *s < k => exprs[*s].clone(),
        Expr::Slot(s) => Expr::Slot(s - k),
        Expr::Const(_) | Expr::Param(_) => e.clone(),
        Expr::Property(base, key) => Expr::Property(sub(base)?, key.clone()),
        Expr::Binary(op, a, b) => Expr::Binary(*op, sub(a)?, sub(b)?),
        Expr::Unary(op, a) => Expr::Unary(*op, sub(a)?),
        Expr::IsNull(a, n) => Expr::IsNull(sub(a)?, *n),
        _ => return None,
    })
}

/// Replaces a leading label scan and the `Top` after it (through a `WITH`
/// that keeps the row) by one `ScanTop`, the projection then running on
/// the rows it keeps.
pub fn rewrite(ops: &mut Vec<Op>) {
    let (m, project, top) = match &ops[..] {
        [Op::Match(m), Op::Top { .. }, ..] => (m, None, 1),
        [Op::Match(m), Op::Project { exprs, keep: true }, Op::Top { .. }, ..] => (m, Some(exprs), 2),
        _ => return,
    };
    let Op::Top { keys, limit, skip } = &ops[top] else {
        return;
    };
    let Some((slot, name, labels, filters)) = label_scan(m) else {
        return;
    };
    let mut node_keys = Vec::with_capacity(keys.len());
    for (k, desc) in keys {
        let k = match project {
            Some(exprs) => match through_projection(k, exprs) {
                Some(k) => k,
                None => return,
            },
            None => k.clone(),
        };
        match node_expr(&k, slot) {
            Some(k) => node_keys.push((k, *desc)),
            None => return,
        }
    }
    let plan = ScanTopPlan {
        slot,
        name,
        labels,
        filters,
        keys: node_keys,
        limit: limit.clone(),
        skip: skip.clone(),
        width: m.new_slots.iter().max().map_or(0, |s| s + 1),
    };
    let project = project.map(|exprs| Op::Project {
        exprs: exprs.clone(),
        keep: true,
    });
    ops.splice(0..=top, std::iter::once(Op::ScanTop(Box::new(plan))).chain(project));
}
