//! Aggregating straight over a label's nodes: `MATCH (n:Label) WHERE ...
//! RETURN n.key, count(*), avg(n.other)` where every expression reads only
//! `n`'s own properties, constants and parameters. Such a query is one
//! operator that reads each node's properties in place, instead of binding a
//! row per node and walking expression trees over it.

use std::sync::Arc;

use crate::ast::{BinaryOp, UnaryOp};
use crate::store::NameRef;
use crate::value::Value;

use super::{AggregateCall, Expr, MatchPlan, Op};

#[derive(Clone, Debug)]
pub struct ScanAggregatePlan {
    pub slot: usize,
    /// The variable as written, for EXPLAIN.
    pub name: Arc<str>,
    /// The first is scanned, the rest checked.
    pub labels: Vec<NameRef>,
    /// The pattern's `{key: value}` checks, then the WHERE clause: a node
    /// passes when each is true, and the first that is not stops the rest.
    pub filters: Vec<NodeExpr>,
    pub keys: Vec<NodeExpr>,
    pub aggregates: Vec<AggregateCall>,
    /// Each aggregate's arguments.
    pub args: Vec<Vec<NodeExpr>>,
}

/// An expression over one node: the subset of `Expr` the scan evaluates.
#[derive(Clone, Debug)]
pub enum NodeExpr {
    Const(Value),
    Param(Arc<str>),
    /// The node itself.
    Node,
    Property(NameRef),
    /// `=`, `<>`, `<`, `<=`, `>`, `>=`.
    Compare(BinaryOp, Box<NodeExpr>, Box<NodeExpr>),
    /// `AND`, `OR`, `XOR`.
    Logic(BinaryOp, Box<NodeExpr>, Box<NodeExpr>),
    Not(Box<NodeExpr>),
    IsNull(Box<NodeExpr>, bool),
}

pub(super) fn node_expr(e: &Expr, slot: usize) -> Option<NodeExpr> {
    let sub = |e: &Expr| node_expr(e, slot).map(Box::new);
    Some(match e {
        Expr::Const(v) => NodeExpr::Const(v.clone()),
        Expr::Param(p) => NodeExpr::Param(p.clone()),
        Expr::Slot(s) if *s == slot => NodeExpr::Node,
        Expr::Property(base, key) if matches!(**base, Expr::Slot(s) if s == slot) => NodeExpr::Property(key.clone()),
        Expr::Binary(
            op @ (BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge),
            a,
            b,
        ) => NodeExpr::Compare(*op, sub(a)?, sub(b)?),
        Expr::Binary(op @ (BinaryOp::And | BinaryOp::Or | BinaryOp::Xor), a, b) => {
            NodeExpr::Logic(*op, sub(a)?, sub(b)?)
        }
        Expr::Unary(UnaryOp::Not, a) => NodeExpr::Not(sub(a)?),
        Expr::IsNull(a, negated) => NodeExpr::IsNull(sub(a)?, *negated),
        _ => return None,
    })
}

/// A match that is a scan of one label's nodes, filtered by their own
/// properties: `(slot, variable name, labels, filters)`.
pub(super) fn label_scan(m: &MatchPlan) -> Option<(usize, Arc<str>, Vec<NameRef>, Vec<NodeExpr>)> {
    let [part] = &m.parts[..] else { return None };
    let start = &part.start;
    if !part.steps.is_empty()
        || part.path.is_some()
        || part.shortest.is_some()
        || start.bound
        || start.seek.is_some()
        || start.labels.is_empty()
        || start.props_param.is_some()
    {
        return None;
    }
    let slot = start.slot;
    // `{key: value}` in the pattern matches as `n.key = value` does.
    let mut filters = Vec::new();
    for (key, value) in &start.props {
        let value = node_expr(value, slot)?;
        filters.push(NodeExpr::Compare(
            BinaryOp::Eq,
            Box::new(NodeExpr::Property(key.clone())),
            Box::new(value),
        ));
    }
    if let Some(p) = &m.predicate {
        filters.push(node_expr(p, slot)?);
    }
    Some((slot, start.name.clone(), start.labels.clone(), filters))
}

/// The plan for `match_plan` followed by an aggregation, when it has that shape.
fn plan(m: &MatchPlan, keys: &[Expr], aggregates: &[AggregateCall]) -> Option<ScanAggregatePlan> {
    let (slot, name, labels, filters) = label_scan(m)?;
    let keys = keys.iter().map(|k| node_expr(k, slot)).collect::<Option<Vec<_>>>()?;
    let args = aggregates
        .iter()
        .map(|a| a.args.iter().map(|e| node_expr(e, slot)).collect::<Option<Vec<_>>>())
        .collect::<Option<Vec<_>>>()?;
    Some(ScanAggregatePlan {
        slot,
        name,
        labels,
        filters,
        keys,
        aggregates: aggregates.to_vec(),
        args,
    })
}

/// Replaces a leading label scan and the aggregation after it by one
/// `ScanAggregate` operator where the query has that shape.
pub fn rewrite(ops: &mut Vec<Op>) {
    let found = match &ops[..] {
        [Op::Match(m), Op::Aggregate { keys, aggregates }, ..] => plan(m, keys, aggregates),
        _ => None,
    };
    if let Some(p) = found {
        ops.splice(0..2, [Op::ScanAggregate(Box::new(p))]);
    }
}
