//! Runs a `ScanAggregate`: every node of a label, filtered and grouped by its
//! own properties, read in place (see `plan/scan_aggregate.rs`). The
//! expressions keep the general evaluator's semantics: comparisons and
//! boolean logic go through the same functions.

use std::borrow::Cow;

use crate::ast::{BinaryOp, UnaryOp};
use crate::plan::{NodeExpr, ScanAggregatePlan};
use crate::store::{Column, Graph};
use rustc_hash::FxHashMap;

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
    let args: Vec<Vec<NodeExpr>> = p
        .args
        .iter()
        .map(|a| a.iter().map(|e| resolve(ev, e)).collect())
        .collect();
    let mut agg = Aggregator::with_own_keys(!keys.is_empty(), &p.aggregates);
    let needs_args: Vec<bool> = (0..p.aggregates.len()).map(|i| agg.needs_args(i)).collect();
    let g = ev.graph;
    let mut arg_values: Vec<Value> = Vec::new();
    // A lone property argument (the usual case) is read from its column and
    // handed over in place, without a copy.
    let column = |e: &[NodeExpr]| match e {
        [NodeExpr::Property(k)] => Some(g.node_column(*k)),
        _ => None,
    };
    let arg_columns: Vec<Option<Option<&Column>>> = args.iter().map(|a| column(a)).collect();
    let key_column = column(&keys);
    // So is a lone `n.key <op> constant` filter.
    let quick_filter = match &filters[..] {
        [NodeExpr::Compare(op, a, b)] => match (&**a, &**b) {
            (NodeExpr::Property(k), NodeExpr::Const(c)) => Some((*op, g.node_column(*k), c)),
            _ => None,
        },
        _ => None,
    };
    if let ([label], true, true, [_]) = (&p.labels[..], keys.is_empty(), filters.is_empty(), &rows[..]) {
        if let Some(row) = integer_totals(ev, *label, &p.aggregates, &arg_columns)? {
            return Ok(vec![row]);
        }
    }
    // With one key, the group of each key value already seen, by identity.
    let mut known: FxHashMap<(u8, u64), usize> = FxHashMap::default();
    if keys.is_empty() {
        // The one group, made now so the loop need not ask.
        agg.group()?;
    }
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
            let passed = match &quick_filter {
                Some((op, c, k)) => quick_compare(ev, *op, c.map_or(&NULL, |c| c.value(id.0)), k)?,
                None => passes(ev, &filters, id, g)?,
            };
            if !passed {
                continue;
            }
            let gi = match &keys[..] {
                [] => 0,
                [k] => {
                    let v = match key_column {
                        Some(c) => Cow::Borrowed(c.map_or(&NULL, |c| c.value(id.0))),
                        None => value(ev, k, id, g)?,
                    };
                    match identity(&v) {
                        Some(i) => match known.get(&i) {
                            Some(gi) => *gi,
                            None => {
                                let gi = group_of(&mut agg, std::iter::once(Ok(v)))?;
                                known.insert(i, gi);
                                gi
                            }
                        },
                        None => group_of(&mut agg, std::iter::once(Ok(v)))?,
                    }
                }
                _ => group_of(&mut agg, keys.iter().map(|k| value(ev, k, id, g)))?,
            };
            for (ci, call_args) in args.iter().enumerate() {
                if let Some(c) = arg_columns[ci] {
                    agg.update(gi, ci, std::slice::from_ref(c.map_or(&NULL, |c| c.value(id.0))))?;
                    continue;
                }
                arg_values.clear();
                if needs_args[ci] {
                    for a in call_args {
                        arg_values.push(value(ev, a, id, g)?.into_owned());
                    }
                }
                agg.update(gi, ci, &arg_values)?;
            }
        }
    }
    agg.finish()
}

/// `count`, `sum` and `avg` of integer properties over every node of a
/// label, in one tight pass: `None` (the general loop then runs) when another
/// aggregate is asked for, or a value is not an integer, or a sum overflows.
/// The answers are the ones the accumulators give.
fn integer_totals(
    ev: &Eval,
    label: crate::store::LabelId,
    calls: &[crate::plan::AggregateCall],
    columns: &[Option<Option<&Column>>],
) -> XResult<Option<Row>> {
    #[derive(Clone, Copy)]
    enum Kind {
        Rows,
        Count,
        Sum,
        Avg,
    }
    let mut kinds = Vec::with_capacity(calls.len());
    for (call, column) in calls.iter().zip(columns) {
        kinds.push(match (&*call.name, call.distinct, column) {
            ("count(*)", _, _) => Kind::Rows,
            ("count", false, Some(_)) => Kind::Count,
            ("sum", false, Some(_)) => Kind::Sum,
            ("avg", false, Some(_)) => Kind::Avg,
            _ => return Ok(None),
        });
    }
    let g = ev.graph;
    let mut rows = 0i64;
    let mut totals = vec![(0i64, 0i64); calls.len()];
    // One value into one total; `false`: not an integer, or the sum overflows.
    let step = |kind: &Kind, v: &Value, count: &mut i64, sum: &mut i64| -> bool {
        match (kind, v) {
            (_, Value::Null) | (Kind::Rows, _) => true,
            (Kind::Count, _) => {
                *count += 1;
                true
            }
            (_, Value::Int(v)) => {
                *count += 1;
                sum.checked_add(*v).map(|s| *sum = s).is_some()
            }
            _ => false,
        }
    };
    if let ([kind], [Some(Some(Column::Dense { values, .. }))]) = (&kinds[..], columns) {
        // One aggregate of an array column: the loop reads the array directly.
        let (count, sum) = &mut totals[0];
        for (i, id) in g.nodes_with_label(label).enumerate() {
            if i % INTERRUPT_EVERY == 0 {
                ev.check_interrupt()?;
            }
            rows += 1;
            if !step(kind, values.get(id.0 as usize).unwrap_or(&NULL), count, sum) {
                return Ok(None);
            }
        }
    } else {
        for (i, id) in g.nodes_with_label(label).enumerate() {
            if i % INTERRUPT_EVERY == 0 {
                ev.check_interrupt()?;
            }
            rows += 1;
            for ((kind, column), (count, sum)) in kinds.iter().zip(columns).zip(totals.iter_mut()) {
                let Some(column) = column else { continue };
                if !step(kind, column.map_or(&NULL, |c| c.value(id.0)), count, sum) {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(
        kinds
            .iter()
            .zip(totals)
            .map(|(kind, (count, sum))| match kind {
                Kind::Rows => Value::Int(rows),
                Kind::Count => Value::Int(count),
                Kind::Sum => Value::Int(sum),
                Kind::Avg if count == 0 => Value::Null,
                Kind::Avg => Value::Float(sum as f64 / count as f64),
            })
            .collect(),
    ))
}

/// The group of one row's key values, made on first sight.
fn group_of<'a>(agg: &mut Aggregator, values: impl Iterator<Item = XResult<Cow<'a, Value>>>) -> XResult<usize> {
    let key = agg.key_mut();
    key.clear();
    for v in values {
        key.push(GroupKey(v?.into_owned()));
    }
    agg.group()
}

/// A cheap identity for a key value: equal identities mean equal values (not
/// always the converse: the group lookup settles those). A string's identity
/// is its allocation, which equal short strings of one property share (see
/// `store/columns.rs`), so grouping by it reads neither the bytes nor the
/// reference count.
fn identity(v: &Value) -> Option<(u8, u64)> {
    Some(match v {
        Value::Null => (0, 0),
        Value::Bool(b) => (1, *b as u64),
        Value::Int(i) => (2, *i as u64),
        Value::String(s) => (3, s.as_ptr() as u64),
        _ => return None,
    })
}

/// `v <op> c` is true (integers compared directly, the rest as the evaluator does).
#[inline]
fn quick_compare(ev: &Eval, op: BinaryOp, v: &Value, c: &Value) -> XResult<bool> {
    if let (Value::Int(a), Value::Int(b)) = (v, c) {
        return Ok(match op {
            BinaryOp::Eq => a == b,
            BinaryOp::Ne => a != b,
            BinaryOp::Lt => a < b,
            BinaryOp::Le => a <= b,
            BinaryOp::Gt => a > b,
            _ => a >= b,
        });
    }
    Ok(matches!(ev.binary_values(op, v, c)?, Value::Bool(true)))
}

fn passes(ev: &Eval, filters: &[NodeExpr], id: NodeId, g: &Graph) -> XResult<bool> {
    for f in filters {
        match &*value(ev, f, id, g)? {
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

fn value<'a>(ev: &Eval, e: &'a NodeExpr, id: NodeId, g: &'a Graph) -> XResult<Cow<'a, Value>> {
    Ok(match e {
        NodeExpr::Const(v) => Cow::Borrowed(v),
        NodeExpr::Param(p) => return Err(ExecError::missing_parameter(p)),
        NodeExpr::Node => Cow::Owned(Value::Node(id)),
        NodeExpr::Property(key) => Cow::Borrowed(g.node_property(id, *key).unwrap_or(&NULL)),
        NodeExpr::Compare(op, a, b) => {
            let l = value(ev, a, id, g)?;
            let r = value(ev, b, id, g)?;
            Cow::Owned(ev.binary_values(*op, &l, &r)?)
        }
        NodeExpr::Logic(op, a, b) => Cow::Owned(logic(ev, *op, a, b, id, g)?),
        NodeExpr::Not(a) => Cow::Owned(unary(UnaryOp::Not, value(ev, a, id, g)?.into_owned())?),
        NodeExpr::IsNull(a, negated) => Cow::Owned(Value::Bool(value(ev, a, id, g)?.is_null() != *negated)),
    })
}

/// AND / OR short-circuit as the general evaluator's do; XOR needs both sides.
fn logic(ev: &Eval, op: BinaryOp, a: &NodeExpr, b: &NodeExpr, id: NodeId, g: &Graph) -> XResult<Value> {
    let name = match op {
        BinaryOp::And => "AND",
        BinaryOp::Or => "OR",
        _ => "XOR",
    };
    let l = as_ternary(&*value(ev, a, id, g)?, name)?;
    let decided = match op {
        BinaryOp::And => l == Some(false),
        BinaryOp::Or => l == Some(true),
        _ => false,
    };
    if decided {
        return Ok(Value::Bool(l == Some(true)));
    }
    let r = as_ternary(&*value(ev, b, id, g)?, name)?;
    Ok(match (op, l, r) {
        (BinaryOp::And, _, Some(false)) => Value::Bool(false),
        (BinaryOp::And, Some(true), Some(true)) => Value::Bool(true),
        (BinaryOp::Or, _, Some(true)) => Value::Bool(true),
        (BinaryOp::Or, Some(false), Some(false)) => Value::Bool(false),
        (BinaryOp::Xor, Some(x), Some(y)) => Value::Bool(x != y),
        _ => Value::Null,
    })
}
