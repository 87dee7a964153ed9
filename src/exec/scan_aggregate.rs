//! Runs a `ScanAggregate`: every node of a label, filtered and grouped by its
//! own properties, read in place (see `plan/scan_aggregate.rs`). The
//! expressions keep the general evaluator's semantics: comparisons and
//! boolean logic go through the same functions.

use std::borrow::Cow;

use crate::ast::{BinaryOp, UnaryOp};
use crate::plan::{NodeExpr, ScanAggregatePlan};
use crate::store::Props;
use crate::value::order::GroupKey;
use crate::value::{NodeId, Value};

use super::eval::{as_ternary, unary, Eval};
use super::project::Aggregator;
use super::{ExecError, Row, XResult};

static NULL: Value = Value::Null;

/// How often (in nodes) the scan looks for a cancel request.
const INTERRUPT_EVERY: usize = 4096;

pub fn run(ev: &Eval, p: &ScanAggregatePlan, rows: Vec<Row>) -> XResult<Vec<Row>> {
    // Parameters are looked up once, not per node.
    let filters: Vec<NodeExpr> = p.filters.iter().map(|f| resolve(ev, f)).collect();
    let keys: Vec<NodeExpr> = p.keys.iter().map(|k| resolve(ev, k)).collect();
    let args: Vec<Vec<NodeExpr>> = p.args.iter().map(|a| a.iter().map(|e| resolve(ev, e)).collect()).collect();
    let mut agg = Aggregator::with_own_keys(!keys.is_empty(), &p.aggregates);
    let needs_args: Vec<bool> = (0..p.aggregates.len()).map(|i| agg.needs_args(i)).collect();
    let g = ev.graph;
    let mut arg_values: Vec<Value> = Vec::new();
    // Each incoming row sees the whole scan (the pattern uses nothing from it).
    for _ in &rows {
        let Some((first, rest)) = p.labels.split_first() else {
            break;
        };
        for (i, id) in g.nodes_with_label(*first).enumerate() {
            if i % INTERRUPT_EVERY == 0 {
                ev.check_interrupt()?;
            }
            if !rest.iter().all(|l| g.has_label(id, *l)) {
                continue;
            }
            let Some(rec) = g.node(id) else { continue };
            let props = &rec.props;
            if !passes(ev, &filters, id, props)? {
                continue;
            }
            let key = agg.key_mut();
            key.clear();
            for k in &keys {
                key.push(GroupKey(value(ev, k, id, props)?.into_owned()));
            }
            let gi = agg.group()?;
            for (ci, call_args) in args.iter().enumerate() {
                arg_values.clear();
                if needs_args[ci] {
                    for a in call_args {
                        arg_values.push(value(ev, a, id, props)?.into_owned());
                    }
                }
                agg.update(gi, ci, &arg_values)?;
            }
        }
    }
    agg.finish()
}

fn passes(ev: &Eval, filters: &[NodeExpr], id: NodeId, props: &Props) -> XResult<bool> {
    for f in filters {
        match &*value(ev, f, id, props)? {
            Value::Bool(true) => {}
            Value::Bool(false) | Value::Null => return Ok(false),
            other => {
                return Err(ExecError::type_error(format!(
                    "expected a boolean predicate, got {}",
                    other.type_name()
                )))
            }
        }
    }
    Ok(true)
}

/// `e` with its parameters replaced by their values (a missing one stays, to
/// fail only if it is ever evaluated, as it would row by row).
fn resolve(ev: &Eval, e: &NodeExpr) -> NodeExpr {
    let sub = |e: &NodeExpr| Box::new(resolve(ev, e));
    match e {
        NodeExpr::Param(p) => match ev.params.get(&**p) {
            Some(v) => NodeExpr::Const(v.clone()),
            None => e.clone(),
        },
        NodeExpr::Compare(op, a, b) => NodeExpr::Compare(*op, sub(a), sub(b)),
        NodeExpr::Logic(op, a, b) => NodeExpr::Logic(*op, sub(a), sub(b)),
        NodeExpr::Not(a) => NodeExpr::Not(sub(a)),
        NodeExpr::IsNull(a, n) => NodeExpr::IsNull(sub(a), *n),
        NodeExpr::Const(_) | NodeExpr::Node | NodeExpr::Property(_) => e.clone(),
    }
}

fn value<'a>(ev: &Eval, e: &'a NodeExpr, id: NodeId, props: &'a Props) -> XResult<Cow<'a, Value>> {
    Ok(match e {
        NodeExpr::Const(v) => Cow::Borrowed(v),
        NodeExpr::Param(p) => return Err(ExecError::missing_parameter(p)),
        NodeExpr::Node => Cow::Owned(Value::Node(id)),
        NodeExpr::Property(key) => Cow::Borrowed(
            props
                .binary_search_by_key(key, |(k, _)| *k)
                .map_or(&NULL, |i| &props[i].1),
        ),
        NodeExpr::Compare(op, a, b) => {
            let l = value(ev, a, id, props)?;
            let r = value(ev, b, id, props)?;
            Cow::Owned(ev.binary_values(*op, &l, &r)?)
        }
        NodeExpr::Logic(op, a, b) => Cow::Owned(logic(ev, *op, a, b, id, props)?),
        NodeExpr::Not(a) => Cow::Owned(unary(UnaryOp::Not, value(ev, a, id, props)?.into_owned())?),
        NodeExpr::IsNull(a, negated) => Cow::Owned(Value::Bool(value(ev, a, id, props)?.is_null() != *negated)),
    })
}

/// AND / OR short-circuit as the general evaluator's do; XOR needs both sides.
fn logic(ev: &Eval, op: BinaryOp, a: &NodeExpr, b: &NodeExpr, id: NodeId, props: &Props) -> XResult<Value> {
    let name = match op {
        BinaryOp::And => "AND",
        BinaryOp::Or => "OR",
        _ => "XOR",
    };
    let l = as_ternary(&*value(ev, a, id, props)?, name)?;
    let decided = match op {
        BinaryOp::And => l == Some(false),
        BinaryOp::Or => l == Some(true),
        _ => false,
    };
    if decided {
        return Ok(Value::Bool(l == Some(true)));
    }
    let r = as_ternary(&*value(ev, b, id, props)?, name)?;
    Ok(match (op, l, r) {
        (BinaryOp::And, _, Some(false)) => Value::Bool(false),
        (BinaryOp::And, Some(true), Some(true)) => Value::Bool(true),
        (BinaryOp::Or, _, Some(true)) => Value::Bool(true),
        (BinaryOp::Or, Some(false), Some(false)) => Value::Bool(false),
        (BinaryOp::Xor, Some(x), Some(y)) => Value::Bool(x != y),
        _ => Value::Null,
    })
}
