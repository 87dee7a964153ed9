//! What the row-shaping operators share: aggregation, sort keys, SKIP/LIMIT
//! counts, and procedure calls.

use rustc_hash::FxHashMap as HashMap;

use crate::plan::{AggregateCall, CallPlan, Expr};
use crate::value::order::{order, GroupKey};
use crate::value::Value;

use super::eval::Eval;
use super::{ExecError, Row, XResult};

pub(super) enum Acc {
    CountStar(i64),
    Fn(Box<dyn crate::functions::aggregate::Accumulator>),
}

fn new_acc(call: &AggregateCall) -> XResult<Acc> {
    if &*call.name == "count(*)" {
        return Ok(Acc::CountStar(0));
    }
    match crate::functions::aggregate::new_accumulator(&call.name, call.distinct) {
        Some(a) => Ok(Acc::Fn(a)),
        None => Err(ExecError::new(
            crate::ErrorKind::SyntaxError,
            "UnknownFunction",
            format!("unknown aggregate function `{}`", call.name),
        )),
    }
}

/// Aggregation fed one row at a time (so rows need not be kept).
pub struct Aggregator<'p> {
    keys: &'p [Expr],
    /// Whether rows are grouped (by `keys`, or by keys the caller evaluates).
    grouped: bool,
    calls: &'p [AggregateCall],
    groups: Vec<(Vec<Value>, Vec<Acc>)>,
    index: HashMap<Vec<GroupKey>, usize>,
    args: Vec<Value>,
    /// The current row's key, reused so that a row of a known group allocates nothing.
    key: Vec<GroupKey>,
}

impl<'p> Aggregator<'p> {
    pub fn new(keys: &'p [Expr], calls: &'p [AggregateCall]) -> Aggregator<'p> {
        Aggregator {
            keys,
            grouped: !keys.is_empty(),
            calls,
            groups: Vec::new(),
            index: HashMap::default(),
            args: Vec::new(),
            key: Vec::new(),
        }
    }

    pub fn push(&mut self, ev: &Eval, row: &Row) -> XResult<()> {
        ev.check_interrupt()?;
        self.key.clear();
        for k in self.keys {
            self.key.push(GroupKey(ev.eval(k, row)?));
        }
        let gi = self.group()?;
        for (ci, call) in self.calls.iter().enumerate() {
            // A lone variable (`count(DISTINCT f)`) is handed over where it is.
            if let [Expr::Slot(s)] = &call.args[..] {
                self.update(gi, ci, std::slice::from_ref(super::eval::get(row, *s)))?;
                continue;
            }
            if let Acc::Fn(_) = &self.groups[gi].1[ci] {
                let mut args = std::mem::take(&mut self.args);
                args.clear();
                for e in &call.args {
                    args.push(ev.eval(e, row)?);
                }
                let done = self.update(gi, ci, &args);
                self.args = args;
                done?;
            } else {
                self.update(gi, ci, &[])?;
            }
        }
        Ok(())
    }

    /// An aggregator whose caller evaluates the grouping keys (`key_mut`, `group`, `update`).
    pub(super) fn with_own_keys(grouped: bool, calls: &'p [AggregateCall]) -> Aggregator<'p> {
        let mut a = Aggregator::new(&[], calls);
        a.grouped = grouped;
        a
    }

    /// Where the caller puts the current row's grouping key before `group`.
    pub(super) fn key_mut(&mut self) -> &mut Vec<GroupKey> {
        &mut self.key
    }

    /// The group of the key in `key_mut`, made on first sight.
    pub(super) fn group(&mut self) -> XResult<usize> {
        // Without grouping keys there is one group: no hashing.
        if !self.grouped {
            if self.groups.is_empty() {
                self.groups
                    .push((Vec::new(), self.calls.iter().map(new_acc).collect::<XResult<Vec<_>>>()?));
            }
            return Ok(0);
        }
        if let Some(i) = self.index.get(&self.key[..]) {
            return Ok(*i);
        }
        let accs = self.calls.iter().map(new_acc).collect::<XResult<Vec<_>>>()?;
        self.groups.push((self.key.iter().map(|k| k.0.clone()).collect(), accs));
        self.index.insert(self.key.clone(), self.groups.len() - 1);
        Ok(self.groups.len() - 1)
    }

    /// Whether aggregate `call` of every group needs its arguments (not `count(*)`).
    pub(super) fn needs_args(&self, call: usize) -> bool {
        &*self.calls[call].name != "count(*)"
    }

    /// Feeds one row's arguments to aggregate `call` of group `group`.
    pub(super) fn update(&mut self, group: usize, call: usize, args: &[Value]) -> XResult<()> {
        match &mut self.groups[group].1[call] {
            Acc::CountStar(n) => *n += 1,
            Acc::Fn(a) => a.update(args).map_err(ExecError::from_function)?,
        }
        Ok(())
    }

    pub fn finish(mut self) -> XResult<Vec<Row>> {
        if self.groups.is_empty() && !self.grouped {
            let accs = self.calls.iter().map(new_acc).collect::<XResult<Vec<_>>>()?;
            self.groups.push((Vec::new(), accs));
        }
        let mut out = Vec::with_capacity(self.groups.len());
        for (mut kv, accs) in self.groups {
            for acc in accs {
                kv.push(match acc {
                    Acc::CountStar(n) => Value::Int(n),
                    Acc::Fn(mut a) => a.finish().map_err(ExecError::from_function)?,
                });
            }
            out.push(kv);
        }
        Ok(out)
    }
}

/// Compares two rows' sort keys (`desc` per key).
pub fn compare_keys(keys: &[(Expr, bool)], a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    for (i, (_, desc)) in keys.iter().enumerate() {
        let o = order(&a[i], &b[i]);
        let o = if *desc { o.reverse() } else { o };
        if o != std::cmp::Ordering::Equal {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// The sort key of a row.
pub fn sort_key(ev: &Eval, keys: &[(Expr, bool)], row: &Row) -> XResult<Vec<Value>> {
    let mut k = Vec::with_capacity(keys.len());
    for (e, _) in keys {
        k.push(ev.eval(e, row)?);
    }
    Ok(k)
}

/// A SKIP or LIMIT value: a non-negative integer.
pub fn count(ev: &Eval, e: &Expr, clause: &str) -> XResult<usize> {
    let v = ev.eval(e, &Vec::new())?;
    match v {
        Value::Int(i) if i >= 0 => Ok(i as usize),
        Value::Int(i) => Err(ExecError::new(
            crate::ErrorKind::SyntaxError,
            "NegativeIntegerArgument",
            format!("{clause} cannot be negative: {i}"),
        )),
        Value::Float(f) if f.fract() == 0.0 && f >= 0.0 => Err(ExecError::new(
            crate::ErrorKind::SyntaxError,
            "InvalidArgumentType",
            format!("{clause} needs an integer, got the float {f}"),
        )),
        other => Err(ExecError::new(
            crate::ErrorKind::SyntaxError,
            "InvalidArgumentType",
            format!("{clause} needs an integer, got {}", other.type_name()),
        )),
    }
}

/// The output rows of procedure `c` for one input row (checked and coerced
/// arguments, as the procedure declares them).
pub fn call_procedure(ev: &Eval, c: &CallPlan, row: &Row) -> XResult<Vec<Vec<Value>>> {
    let name = &c.name;
    let Some(proc) = ev.st.procedures.get(name) else {
        return Err(ExecError::new(
            crate::ErrorKind::ProcedureError,
            "ProcedureNotFound",
            format!("there is no procedure `{name}`"),
        ));
    };
    let mut coerced = Vec::with_capacity(c.args.len());
    for (a, (arg, ty)) in c.args.iter().zip(&proc.inputs) {
        let v = match (ty, ev.eval(a, row)?) {
            (crate::procedure::ValueType::Float, Value::Int(i)) => Value::Float(i as f64),
            (_, v) => v,
        };
        if !ty.accepts(&v) {
            return Err(ExecError::type_error(format!(
                "procedure `{name}` expects {ty} for `{arg}`, got {}",
                v.type_name()
            )));
        }
        coerced.push(v);
    }
    let cx = crate::procedure::ProcedureContext {
        graph: ev.graph,
        interrupt: &ev.st.interrupt,
    };
    proc.call(&cx, &coerced).map_err(ExecError::from_function)
}
