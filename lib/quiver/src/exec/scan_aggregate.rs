//! Runs a `ScanAggregate`: every node of a label, filtered and grouped by its
//! own properties, read a chunk of nodes at a time, column by column, through
//! [`GraphRead::scan_label_chunks`] (see `plan/scan_aggregate.rs`): integer
//! filters compare the store's integers, a key the store gives as dictionary
//! codes groups by code, integer totals add the arrays. The expressions keep
//! the general evaluator's semantics: comparisons and boolean logic go
//! through the same functions.
//!
//! [`GraphRead::scan_label_chunks`]: crate::store::GraphRead::scan_label_chunks

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use crate::ast::{BinaryOp, UnaryOp};
use crate::plan::{AggregateCall, NodeExpr, ScanAggregatePlan};
use crate::store::read::ColumnChunk;
use crate::store::KeyId;
use crate::value::order::GroupKey;
use crate::value::{NodeId, Value};

use super::eval::{as_ternary, unary, Eval};
use super::project::Aggregator;
use super::{ExecError, Row, XResult};

static NULL: Value = Value::Null;

/// An expression over one node whose properties come in a slice: the
/// plan's `NodeExpr` with keys turned into positions and parameters into values.
#[derive(Clone, Debug)]
pub(super) enum E {
    Const(Value),
    /// A missing parameter: an error if it is ever evaluated, as row by row.
    MissingParam(std::sync::Arc<str>),
    Node,
    /// The value at this position of the scanned values.
    Value(usize),
    Compare(BinaryOp, Box<E>, Box<E>),
    Logic(BinaryOp, Box<E>, Box<E>),
    Not(Box<E>),
    IsNull(Box<E>, bool),
}

/// Turns plan expressions into `E`s, collecting the keys to scan.
pub(super) struct Compiler<'a, 'g> {
    pub ev: &'a Eval<'g>,
    /// The keys to scan, in the order the compiled expressions read them.
    pub keys: Vec<KeyId>,
}

impl Compiler<'_, '_> {
    pub fn compile(&mut self, e: &NodeExpr) -> E {
        let mut sub = |e: &NodeExpr| Box::new(self.compile(e));
        match e {
            NodeExpr::Const(v) => E::Const(v.clone()),
            NodeExpr::Param(p) => match self.ev.params().get(&**p) {
                Some(v) => E::Const(v.clone()),
                None => E::MissingParam(p.clone()),
            },
            NodeExpr::Node => E::Node,
            NodeExpr::Property(key) => match key.resolve(self.ev.graph.catalog()) {
                // A key nothing carries reads as null everywhere.
                None => E::Const(Value::Null),
                Some(k) => E::Value(match self.keys.iter().position(|x| *x == k) {
                    Some(i) => i,
                    None => {
                        self.keys.push(k);
                        self.keys.len() - 1
                    }
                }),
            },
            NodeExpr::Compare(op, a, b) => {
                let a = sub(a);
                E::Compare(*op, a, sub(b))
            }
            NodeExpr::Logic(op, a, b) => {
                let a = sub(a);
                E::Logic(*op, a, sub(b))
            }
            NodeExpr::Not(a) => E::Not(sub(a)),
            NodeExpr::IsNull(a, n) => E::IsNull(sub(a), *n),
        }
    }
}

/// The plan's aggregation over every node of its label, once per input row
/// (the pattern uses nothing from the row, so each sees the whole scan).
pub fn run(ev: &Eval, p: &ScanAggregatePlan, input_rows: usize) -> XResult<Vec<Row>> {
    ev.check_interrupt()?;
    let mut c = Compiler { ev, keys: Vec::new() };
    let filters: Vec<E> = p.filters.iter().map(|f| c.compile(f)).collect();
    let keys: Vec<E> = p.keys.iter().map(|k| c.compile(k)).collect();
    let args: Vec<Vec<E>> = p
        .args
        .iter()
        .map(|a| a.iter().map(|e| c.compile(e)).collect())
        .collect();
    let scanned = c.keys;
    let catalog = ev.graph.catalog();
    let labels: Option<Vec<u32>> = p.labels.iter().map(|l| l.resolve(catalog)).collect();
    let mut agg = Aggregator::with_own_keys(!keys.is_empty(), &p.aggregates);
    let (Some(labels), true) = (labels, input_rows > 0) else {
        // No node carries the label (or nothing came in): the empty aggregation.
        return agg.finish();
    };
    let (first, rest) = labels.split_first().expect("a scan has a label");
    if let ([], true, true, 1) = (rest, keys.is_empty(), filters.is_empty(), input_rows) {
        if let Some(row) = integer_totals(ev, *first, &p.aggregates, &args, &scanned)? {
            return Ok(vec![row]);
        }
    }
    let needs_args: Vec<bool> = (0..p.aggregates.len()).map(|i| agg.needs_args(i)).collect();
    // A lone `n.key <op> constant` filter compares in place.
    let quick_filter = match &filters[..] {
        [E::Compare(op, a, b)] => match (&**a, &**b) {
            (E::Value(i), E::Const(c)) => Some((*op, *i, c)),
            _ => None,
        },
        _ => None,
    };
    // With one key, the group of each key value already seen: by identity,
    // or by dictionary code when the store gives codes.
    let mut known: FxHashMap<(u8, u64), usize> = FxHashMap::default();
    let mut by_code: Vec<usize> = Vec::new();
    if keys.is_empty() {
        // The one group, made now so the loop need not ask.
        agg.group()?;
    }
    let g = ev.graph;
    let mut arg_values: Vec<Value> = Vec::new();
    let mut owned: Vec<Vec<Value>> = vec![Vec::new(); scanned.len()];
    // The columns read as values (the rest only as the store holds them):
    // all but one compared by the quick filter alone or grouped by code.
    let mut as_values = vec![false; scanned.len()];
    {
        let mut mark = |e: &E| reads(e, &mut as_values);
        if quick_filter.is_none() {
            filters.iter().for_each(&mut mark);
        }
        match &keys[..] {
            [E::Value(_)] => {}
            ks => ks.iter().for_each(&mut mark),
        }
        args.iter().flatten().for_each(&mut mark);
    }
    if let Some((_, i, c)) = &quick_filter {
        // Compared as values unless against an integer.
        if !matches!(c, Value::Int(_)) {
            as_values[*i] = true;
        }
    }
    if let [E::Value(j)] = &keys[..] {
        // Grouped by code when the store gives codes, by value otherwise.
        as_values[*j] = true;
    }
    let mut failed: Option<ExecError> = None;
    for _ in 0..input_rows {
        let mut chunk = |ids: &[NodeId], cols: &[ColumnChunk<'_>]| -> XResult<()> {
            ev.check_interrupt()?;
            // Integers as values, for what reads them as values.
            for ((o, c), wanted) in owned.iter_mut().zip(cols).zip(&as_values) {
                o.clear();
                if let (ColumnChunk::Ints { values, present }, true) = (c, wanted) {
                    o.extend(
                        values
                            .iter()
                            .zip(*present)
                            .map(|(v, p)| if *p { Value::Int(*v) } else { Value::Null }),
                    );
                }
            }
            let owned = &owned;
            let at = |j: usize, r: usize| -> &Value {
                match &cols[j] {
                    ColumnChunk::Ints { .. } => &owned[j][r],
                    ColumnChunk::Codes { codes, present, dict } => {
                        if present[r] {
                            dict.get(codes[r] as usize).unwrap_or(&NULL)
                        } else {
                            &NULL
                        }
                    }
                    ColumnChunk::Values(v) => &v[r],
                }
            };
            let mut values: Vec<&Value> = Vec::with_capacity(cols.len());
            for (r, id) in ids.iter().enumerate() {
                if !rest.iter().all(|l| g.has_label(*id, *l)) {
                    continue;
                }
                let passed = match &quick_filter {
                    Some((op, i, k)) => match (&cols[*i], k) {
                        (ColumnChunk::Ints { values, present }, Value::Int(c)) => {
                            present[r] && compare_ints(*op, values[r], *c)
                        }
                        _ => quick_compare(ev, *op, at(*i, r), k)?,
                    },
                    None if filters.is_empty() => true,
                    None => {
                        values.clear();
                        values.extend((0..cols.len()).map(|j| at(j, r)));
                        passes(ev, &filters, *id, &values)?
                    }
                };
                if !passed {
                    continue;
                }
                let gi = match &keys[..] {
                    [] => 0,
                    [E::Value(j)] if matches!(cols[*j], ColumnChunk::Codes { .. }) => {
                        let ColumnChunk::Codes { codes, present, .. } = &cols[*j] else {
                            unreachable!()
                        };
                        if present[r] {
                            let code = codes[r] as usize;
                            match by_code.get(code) {
                                Some(gi) if *gi != usize::MAX => *gi,
                                _ => {
                                    let gi = group_of(&mut agg, std::iter::once(Ok(Cow::Borrowed(at(*j, r)))))?;
                                    if by_code.len() <= code {
                                        by_code.resize(code + 1, usize::MAX);
                                    }
                                    by_code[code] = gi;
                                    gi
                                }
                            }
                        } else {
                            group_of(&mut agg, std::iter::once(Ok(Cow::Borrowed(&NULL))))?
                        }
                    }
                    [k] => {
                        values.clear();
                        values.extend((0..cols.len()).map(|j| at(j, r)));
                        let v = value(ev, k, *id, &values)?;
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
                    _ => {
                        values.clear();
                        values.extend((0..cols.len()).map(|j| at(j, r)));
                        group_of(&mut agg, keys.iter().map(|k| value(ev, k, *id, &values)))?
                    }
                };
                for (ci, call_args) in args.iter().enumerate() {
                    // A lone property argument is handed over in place.
                    if let [E::Value(i)] = &call_args[..] {
                        agg.update(gi, ci, std::slice::from_ref(at(*i, r)))?;
                        continue;
                    }
                    arg_values.clear();
                    if needs_args[ci] {
                        values.clear();
                        values.extend((0..cols.len()).map(|j| at(j, r)));
                        for a in call_args {
                            arg_values.push(value(ev, a, *id, &values)?.into_owned());
                        }
                    }
                    agg.update(gi, ci, &arg_values)?;
                }
            }
            Ok(())
        };
        g.scan_label_chunks(*first, &scanned, &mut |ids, cols| match chunk(ids, cols) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        });
        if let Some(e) = failed.take() {
            return Err(e);
        }
    }
    agg.finish()
}

#[inline]
fn compare_ints(op: BinaryOp, a: i64, b: i64) -> bool {
    match op {
        BinaryOp::Eq => a == b,
        BinaryOp::Ne => a != b,
        BinaryOp::Lt => a < b,
        BinaryOp::Le => a <= b,
        BinaryOp::Gt => a > b,
        _ => a >= b,
    }
}

/// `count`, `sum` and `avg` of integer properties over every node of a
/// label, in one tight pass: `None` (the general loop then runs) when another
/// aggregate is asked for, or a value is not an integer, or a sum overflows.
/// The answers are the ones the accumulators give.
fn integer_totals(
    ev: &Eval,
    label: crate::store::LabelId,
    calls: &[AggregateCall],
    args: &[Vec<E>],
    scanned: &[KeyId],
) -> XResult<Option<Row>> {
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Kind {
        Rows,
        Count,
        Sum,
        Avg,
    }
    let mut kinds = Vec::with_capacity(calls.len());
    let mut positions = Vec::with_capacity(calls.len());
    for (call, a) in calls.iter().zip(args) {
        let position = match &a[..] {
            [E::Value(i)] => Some(*i),
            _ => None,
        };
        kinds.push(match (&*call.name, call.distinct, position) {
            ("count(*)", _, _) => Kind::Rows,
            ("count", false, Some(_)) => Kind::Count,
            ("sum", false, Some(_)) => Kind::Sum,
            ("avg", false, Some(_)) => Kind::Avg,
            _ => return Ok(None),
        });
        positions.push(position.unwrap_or(usize::MAX));
    }
    let mut rows = 0i64;
    let mut totals = vec![(0i64, 0i64); calls.len()];
    let mut general = false;
    let mut interrupted = None;
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
    ev.graph.scan_label_chunks(label, scanned, &mut |ids, cols| {
        if let Err(e) = ev.check_interrupt() {
            interrupted = Some(e);
            return false;
        }
        rows += ids.len() as i64;
        for ((kind, at), (count, sum)) in kinds.iter().zip(&positions).zip(totals.iter_mut()) {
            let Some(col) = cols.get(*at) else { continue };
            let ok = match (kind, col) {
                (Kind::Rows, _) => true,
                (_, ColumnChunk::Ints { values, present }) => {
                    let mut ok = true;
                    for (v, p) in values.iter().zip(*present) {
                        if *p {
                            *count += 1;
                            if *kind != Kind::Count {
                                match sum.checked_add(*v) {
                                    Some(s) => *sum = s,
                                    None => ok = false,
                                }
                            }
                        }
                    }
                    ok
                }
                (Kind::Count, ColumnChunk::Codes { present, .. }) => {
                    *count += present.iter().filter(|p| **p).count() as i64;
                    true
                }
                (_, ColumnChunk::Codes { present, .. }) => !present.iter().any(|p| *p),
                (_, ColumnChunk::Values(vs)) => vs.iter().all(|v| step(kind, v, count, sum)),
            };
            if !ok {
                general = true;
                return false;
            }
        }
        true
    });
    if let Some(e) = interrupted {
        return Err(e);
    }
    if general {
        return Ok(None);
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

/// Marks the columns `e` reads.
fn reads(e: &E, out: &mut [bool]) {
    match e {
        E::Value(i) => out[*i] = true,
        E::Compare(_, a, b) | E::Logic(_, a, b) => {
            reads(a, out);
            reads(b, out);
        }
        E::Not(a) | E::IsNull(a, _) => reads(a, out),
        E::Const(_) | E::MissingParam(_) | E::Node => {}
    }
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

pub(super) fn passes(ev: &Eval, filters: &[E], id: NodeId, values: &[&Value]) -> XResult<bool> {
    for f in filters {
        match &*value(ev, f, id, values)? {
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

pub(super) fn value<'a>(ev: &Eval, e: &'a E, id: NodeId, values: &[&'a Value]) -> XResult<Cow<'a, Value>> {
    Ok(match e {
        E::Const(v) => Cow::Borrowed(v),
        E::MissingParam(p) => return Err(ExecError::missing_parameter(p)),
        E::Node => Cow::Owned(Value::Node(id)),
        E::Value(i) => Cow::Borrowed(values[*i]),
        E::Compare(op, a, b) => {
            let l = value(ev, a, id, values)?;
            let r = value(ev, b, id, values)?;
            Cow::Owned(ev.binary_values(*op, &l, &r)?)
        }
        E::Logic(op, a, b) => Cow::Owned(logic(ev, *op, a, b, id, values)?),
        E::Not(a) => Cow::Owned(unary(UnaryOp::Not, value(ev, a, id, values)?.into_owned())?),
        E::IsNull(a, negated) => Cow::Owned(Value::Bool(value(ev, a, id, values)?.is_null() != *negated)),
    })
}

/// AND / OR short-circuit as the general evaluator's do; XOR needs both sides.
fn logic(ev: &Eval, op: BinaryOp, a: &E, b: &E, id: NodeId, values: &[&Value]) -> XResult<Value> {
    let name = match op {
        BinaryOp::And => "AND",
        BinaryOp::Or => "OR",
        _ => "XOR",
    };
    let l = as_ternary(&*value(ev, a, id, values)?, name)?;
    let decided = match op {
        BinaryOp::And => l == Some(false),
        BinaryOp::Or => l == Some(true),
        _ => false,
    };
    if decided {
        return Ok(Value::Bool(l == Some(true)));
    }
    let r = as_ternary(&*value(ev, b, id, values)?, name)?;
    Ok(match (op, l, r) {
        (BinaryOp::And, _, Some(false)) => Value::Bool(false),
        (BinaryOp::And, Some(true), Some(true)) => Value::Bool(true),
        (BinaryOp::Or, _, Some(true)) => Value::Bool(true),
        (BinaryOp::Or, Some(false), Some(false)) => Value::Bool(false),
        (BinaryOp::Xor, Some(x), Some(y)) => Value::Bool(x != y),
        _ => Value::Null,
    })
}
