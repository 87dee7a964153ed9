//! Expression evaluation against one row, reading the graph.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

use crate::ast::{BinaryOp, Quantifier, UnaryOp};
use crate::functions::{FunctionDef, FunctionKind};
use crate::plan::expr::{Expr, MapProjectionItem};
use crate::procedure::Procedures;
use crate::store::{GraphRead, NameRef};
use crate::value::order::{compare, equals};
use crate::value::{temporal, Map, NodeId, Params, Path, RelId, Value};

use super::{ExecError, Row, XResult};

/// What one statement runs with, whatever view of the graph it reads: its
/// parameters, its cancel flag, the procedures, its clock (every `date()`,
/// `datetime()` and `timestamp()` of the statement sees the same instant) and
/// its compiled regular expressions.
pub struct StatementContext {
    pub params: Params,
    pub interrupt: Arc<AtomicBool>,
    pub procedures: Arc<Procedures>,
    /// The statement's instant, in nanoseconds since the epoch.
    pub now: i128,
    regexes: Mutex<HashMap<String, Arc<regex::Regex>>>,
}

impl StatementContext {
    pub fn new(params: Params, interrupt: Arc<AtomicBool>, procedures: Arc<Procedures>) -> StatementContext {
        StatementContext {
            params,
            interrupt,
            procedures,
            now: temporal::realtime_nanos(),
            regexes: Mutex::new(HashMap::new()),
        }
    }
}

/// Evaluation: a view of the graph and the statement's context.
#[derive(Clone, Copy)]
pub struct Eval<'g> {
    pub graph: &'g dyn GraphRead,
    pub st: &'g StatementContext,
}

pub(super) fn get(row: &Row, slot: usize) -> &Value {
    static NULL: Value = Value::Null;
    row.get(slot).unwrap_or(&NULL)
}

#[inline]
pub(super) fn set(row: &mut Row, slot: usize, v: Value) {
    match row.len() {
        // Slots are mostly filled in order.
        n if n == slot => row.push(v),
        n if n < slot => {
            row.resize(slot, Value::Null);
            row.push(v);
        }
        _ => row[slot] = v,
    }
}

impl<'g> Eval<'g> {
    pub fn new(graph: &'g dyn GraphRead, st: &'g StatementContext) -> Eval<'g> {
        Eval { graph, st }
    }

    pub fn params(&self) -> &'g Params {
        &self.st.params
    }

    pub fn check_interrupt(&self) -> XResult<()> {
        if self.st.interrupt.load(AtomicOrdering::Relaxed) {
            Err(ExecError::interrupted())
        } else {
            Ok(())
        }
    }

    /// Evaluates a predicate: only `true` passes (null and false do not).
    pub fn truthy(&self, e: &Expr, row: &Row) -> XResult<bool> {
        match self.eval(e, row)? {
            Value::Bool(b) => Ok(b),
            Value::Null => Ok(false),
            other => Err(ExecError::type_error(format!(
                "expected a boolean predicate, got {}",
                other.type_name()
            ))),
        }
    }

    pub fn eval(&self, e: &Expr, row: &Row) -> XResult<Value> {
        crate::stack::guarded(|| self.eval_inner(e, row))
    }

    fn eval_inner(&self, e: &Expr, row: &Row) -> XResult<Value> {
        Ok(match e {
            Expr::Const(v) => v.clone(),
            Expr::Param(p) => match self.st.params.get(&**p) {
                Some(v) => v.clone(),
                None => return Err(ExecError::missing_parameter(p)),
            },
            Expr::Slot(s) => get(row, *s).clone(),
            Expr::List(items) => {
                let mut out = Vec::with_capacity(items.len());
                for i in items {
                    out.push(check_depth(self.eval(i, row)?)?);
                }
                Value::list(out)
            }
            Expr::Map(items) => {
                let mut m = Map::new();
                for (k, v) in items {
                    m.insert(k.clone(), check_depth(self.eval(v, row)?)?);
                }
                Value::map(m)
            }
            Expr::Property(base, key) => {
                // A variable is read where it is, not copied.
                if let Expr::Slot(s) = &**base {
                    return self.property(get(row, *s), key);
                }
                let b = self.eval(base, row)?;
                self.property(&b, key)?
            }
            Expr::Index(a, b) => {
                let a = self.eval(a, row)?;
                let b = self.eval(b, row)?;
                self.index(&a, &b)?
            }
            Expr::Slice(a, from, to) => {
                let a = self.eval(a, row)?;
                let from = match from {
                    Some(f) => Some(self.eval(f, row)?),
                    None => None,
                };
                let to = match to {
                    Some(t) => Some(self.eval(t, row)?),
                    None => None,
                };
                slice(&a, from, to)?
            }
            Expr::Unary(op, a) => {
                let v = self.eval(a, row)?;
                unary(*op, v)?
            }
            Expr::Binary(op, a, b) => self.binary(*op, a, b, row)?,
            Expr::IsNull(a, negated) => {
                let v = self.eval(a, row)?;
                Value::Bool(v.is_null() != *negated)
            }
            Expr::LabelTest(a, pred) => match self.eval(a, row)? {
                Value::Null => Value::Null,
                Value::Node(id) => {
                    self.node(id)?;
                    Value::Bool(self.node_has(pred, id, row)?)
                }
                Value::Relationship(id) => {
                    let t = self.relationship(id)?.rel_type;
                    Value::Bool(self.rel_has(pred, t, row)?)
                }
                other => {
                    return Err(ExecError::type_error(format!(
                        "label expressions need a node or a relationship, got {}",
                        other.type_name()
                    )))
                }
            },
            Expr::IsType(a, t, not) => {
                let v = self.eval(a, row)?;
                Value::Bool(crate::functions::types::is_of_type(&v, t) != *not)
            }
            Expr::IsNormalized(a, form, not) => match self.eval(a, row)? {
                Value::Null => Value::Null,
                Value::String(s) => Value::Bool(crate::functions::scalar::is_normalized(&s, *form) != *not),
                other => {
                    return Err(ExecError::type_error(format!(
                        "IS NORMALIZED needs a string, got {}",
                        other.type_name()
                    )))
                }
            },
            Expr::CountSubquery(p) => Value::Int(super::subquery_rows(*self, p, row, None)?.len() as i64),
            Expr::CollectSubquery(p) => {
                let rows = super::subquery_rows(*self, p, row, None)?;
                Value::list(rows.into_iter().map(|mut r| r.swap_remove(0)).collect())
            }
            Expr::HasLabels(a, labels) => match self.eval(a, row)? {
                Value::Null => Value::Null,
                Value::Relationship(id) => {
                    let t = self.relationship(id)?.rel_type;
                    let catalog = self.graph.catalog();
                    Value::Bool(labels.iter().all(|l| l.resolve(catalog) == Some(t)))
                }
                Value::Node(id) => {
                    self.node(id)?;
                    let catalog = self.graph.catalog();
                    Value::Bool(
                        labels
                            .iter()
                            .all(|l| l.resolve(catalog).is_some_and(|l| self.graph.has_label(id, l))),
                    )
                }
                other => {
                    return Err(ExecError::type_error(format!(
                        "label predicates need a node, got {}",
                        other.type_name()
                    )))
                }
            },
            Expr::Function(def, args) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args {
                    vals.push(self.eval(a, row)?);
                }
                self.call_function(def, &vals)?
            }
            Expr::Case { operand, whens, else_ } => {
                let subject = match operand {
                    Some(o) => Some(self.eval(o, row)?),
                    None => None,
                };
                for (w, t) in whens {
                    let hit = match &subject {
                        Some(s) => {
                            let w = self.eval(w, row)?;
                            equals(s, &w) == Some(true)
                        }
                        None => matches!(self.eval(w, row)?, Value::Bool(true)),
                    };
                    if hit {
                        return self.eval(t, row);
                    }
                }
                match else_ {
                    Some(x) => self.eval(x, row)?,
                    None => Value::Null,
                }
            }
            Expr::ListComprehension {
                slot,
                list,
                predicate,
                projection,
            } => {
                let Some(items) = list_operand(self.eval(list, row)?, "a list comprehension needs a list")? else {
                    return Ok(Value::Null);
                };
                let mut r = row.clone();
                let mut out = Vec::new();
                for x in items.iter() {
                    set(&mut r, *slot, x.clone());
                    if let Some(p) = predicate {
                        if !matches!(self.eval(p, &r)?, Value::Bool(true)) {
                            continue;
                        }
                    }
                    out.push(match projection {
                        Some(p) => self.eval(p, &r)?,
                        None => x.clone(),
                    });
                }
                Value::list(out)
            }
            Expr::Quantified {
                quantifier,
                slot,
                list,
                predicate,
            } => {
                let Some(items) = list_operand(self.eval(list, row)?, "a quantifier needs a list")? else {
                    return Ok(Value::Null);
                };
                let mut r = row.clone();
                let (mut trues, mut nulls, mut falses) = (0usize, 0usize, 0usize);
                for x in items.iter() {
                    set(&mut r, *slot, x.clone());
                    match self.eval(predicate, &r)? {
                        Value::Bool(true) => trues += 1,
                        Value::Bool(false) => falses += 1,
                        Value::Null => nulls += 1,
                        other => {
                            return Err(ExecError::type_error(format!(
                                "a quantifier's predicate must be a boolean, got {}",
                                other.type_name()
                            )))
                        }
                    }
                }
                // Whether the answer is settled by what was seen, and what it is then.
                let (settled, settled_value, otherwise) = match quantifier {
                    Quantifier::All => (falses > 0, false, true),
                    Quantifier::Any => (trues > 0, true, false),
                    Quantifier::None => (trues > 0, false, true),
                    Quantifier::Single => (trues > 1, false, trues == 1),
                };
                if settled {
                    Value::Bool(settled_value)
                } else if nulls > 0 {
                    Value::Null
                } else {
                    Value::Bool(otherwise)
                }
            }
            Expr::Reduce {
                acc,
                init,
                slot,
                list,
                expr,
            } => {
                let mut accv = self.eval(init, row)?;
                let Some(items) = list_operand(self.eval(list, row)?, "reduce needs a list")? else {
                    return Ok(Value::Null);
                };
                let mut r = row.clone();
                for x in items.iter() {
                    set(&mut r, *acc, accv);
                    set(&mut r, *slot, x.clone());
                    accv = self.eval(expr, &r)?;
                }
                accv
            }
            Expr::PatternComprehension { pattern, projection } => {
                let mut out = Vec::new();
                let mut m = super::matcher::Matcher::new(*self, pattern, row);
                while let Some(r) = m.next_match()? {
                    out.push(self.eval(projection, r)?);
                }
                Value::list(out)
            }
            // Whether there is a match: the search stops at the first.
            Expr::PatternExists(pattern) => {
                let mut m = super::matcher::Matcher::new(*self, pattern, row);
                Value::Bool(m.next_match()?.is_some())
            }
            Expr::PatternList(pattern, path_slot) => {
                let mut out = Vec::new();
                let mut m = super::matcher::Matcher::new(*self, pattern, row);
                while let Some(r) = m.next_match()? {
                    out.push(get(r, *path_slot).clone());
                }
                Value::list(out)
            }
            // The subquery stops at its first row.
            Expr::Exists(pipeline) => Value::Bool(super::subquery_has_row(*self, pipeline, row)?),
            Expr::MapProjection { base, items } => {
                let b = self.eval(base, row)?;
                if b.is_null() {
                    return Ok(Value::Null);
                }
                let mut m = Map::new();
                for item in items {
                    match item {
                        MapProjectionItem::Property(key) => {
                            m.insert(key.name.clone(), self.property(&b, key)?);
                        }
                        MapProjectionItem::AllProperties => {
                            for (k, v) in self.all_properties(&b)?.iter() {
                                m.insert(k.clone(), v.clone());
                            }
                        }
                        MapProjectionItem::Entry(name, e) => {
                            m.insert(name.clone(), self.eval(e, row)?);
                        }
                    }
                }
                Value::map(m)
            }
        })
    }

    /// Fails for a node that was deleted (or never existed).
    pub(super) fn node(&self, id: NodeId) -> XResult<()> {
        if self.graph.contains_node(id) {
            Ok(())
        } else {
            Err(ExecError::deleted_entity("node", id.0))
        }
    }

    pub(super) fn relationship(&self, id: RelId) -> XResult<crate::store::RelInfo> {
        self.graph
            .relationship(id)
            .ok_or_else(|| ExecError::deleted_entity("relationship", id.0))
    }

    pub fn property(&self, base: &Value, key: &NameRef) -> XResult<Value> {
        // Only entities need the catalog's id of the name.
        match base {
            Value::Null => return Ok(Value::Null),
            Value::Map(m) => return Ok(m.get(&*key.name).cloned().unwrap_or(Value::Null)),
            _ => {}
        }
        let id = key.resolve(self.graph.catalog());
        self.property_by_id(base, id, &key.name)
    }

    /// `base.name`, where `key` is the catalog's id of `name` (`None`: no
    /// entity has it).
    fn property_by_id(&self, base: &Value, key: Option<u32>, name: &str) -> XResult<Value> {
        Ok(match base {
            Value::Null => Value::Null,
            Value::Node(id) => match key.and_then(|k| self.graph.node_property(*id, k)) {
                Some(v) => v.into_owned(),
                None => {
                    self.node(*id)?;
                    Value::Null
                }
            },
            Value::Relationship(id) => match key.and_then(|k| self.graph.relationship_property(*id, k)) {
                Some(v) => v.into_owned(),
                None => {
                    self.relationship(*id)?;
                    Value::Null
                }
            },
            Value::Map(m) => m.get(name).cloned().unwrap_or(Value::Null),
            other => match temporal::property(other, name) {
                Some(r) => r.map_err(ExecError::temporal)?,
                None => {
                    return Err(ExecError::type_error(format!(
                        "cannot read property `{name}` of a {}",
                        other.type_name()
                    )))
                }
            },
        })
    }

    /// An entity's properties as a map of names.
    pub fn all_properties(&self, v: &Value) -> XResult<Arc<Map>> {
        let keys = &self.graph.catalog().keys;
        let named = |props: Vec<(u32, crate::store::PropRef<'_>)>| {
            Arc::new(
                props
                    .into_iter()
                    .map(|(k, v)| (keys.name(k), v.into_owned()))
                    .collect::<Map>(),
            )
        };
        Ok(match v {
            Value::Node(id) => {
                self.node(*id)?;
                named(self.graph.node_properties(*id))
            }
            Value::Relationship(id) => {
                self.relationship(*id)?;
                named(self.graph.relationship_properties(*id))
            }
            Value::Map(m) => m.clone(),
            other => {
                return Err(ExecError::type_error(format!(
                    "expected a node, relationship or map, got {}",
                    other.type_name()
                )))
            }
        })
    }

    fn index(&self, a: &Value, b: &Value) -> XResult<Value> {
        Ok(match (a, b) {
            (Value::Null, _) | (_, Value::Null) => Value::Null,
            (Value::List(items), Value::Int(i)) => {
                let n = items.len() as i64;
                let i = if *i < 0 { n + i } else { *i };
                if i < 0 || i >= n {
                    Value::Null
                } else {
                    items[i as usize].clone()
                }
            }
            (Value::List(_), other) => {
                return Err(ExecError::type_error(format!(
                    "a list index must be an integer, got {}",
                    other.type_name()
                )))
            }
            (Value::Map(m), Value::String(k)) => m.get(&**k).cloned().unwrap_or(Value::Null),
            (Value::Node(_) | Value::Relationship(_), Value::String(k)) => {
                let key = self.graph.catalog().keys.get(k);
                self.property_by_id(a, key, k)?
            }
            (Value::Map(_) | Value::Node(_) | Value::Relationship(_), other) => {
                return Err(ExecError::new(
                    crate::ErrorKind::TypeError,
                    "MapElementAccessByNonString",
                    format!("a map key must be a string, got {}", other.type_name()),
                ))
            }
            (other, _) => {
                return Err(ExecError::type_error(format!(
                    "cannot index into a {}; indexing needs a list or a map",
                    other.type_name()
                )))
            }
        })
    }

    fn binary(&self, op: BinaryOp, a: &Expr, b: &Expr, row: &Row) -> XResult<Value> {
        // AND/OR short-circuit, but an error on the other side still counts when the
        // answer would be unknown.
        match op {
            BinaryOp::And => {
                let l = self.eval(a, row)?;
                let lb = as_ternary(&l, "AND")?;
                if lb == Some(false) {
                    return Ok(Value::Bool(false));
                }
                let r = self.eval(b, row)?;
                let rb = as_ternary(&r, "AND")?;
                return Ok(match (lb, rb) {
                    (_, Some(false)) => Value::Bool(false),
                    (Some(true), Some(true)) => Value::Bool(true),
                    _ => Value::Null,
                });
            }
            BinaryOp::Or => {
                let l = self.eval(a, row)?;
                let lb = as_ternary(&l, "OR")?;
                if lb == Some(true) {
                    return Ok(Value::Bool(true));
                }
                let r = self.eval(b, row)?;
                let rb = as_ternary(&r, "OR")?;
                return Ok(match (lb, rb) {
                    (_, Some(true)) => Value::Bool(true),
                    (Some(false), Some(false)) => Value::Bool(false),
                    _ => Value::Null,
                });
            }
            _ => {}
        }
        // Two variables (`a <> b`) are compared where they are, not copied.
        if let (Expr::Slot(x), Expr::Slot(y)) = (a, b) {
            return self.binary_values(op, get(row, *x), get(row, *y));
        }
        let l = self.eval(a, row)?;
        let r = self.eval(b, row)?;
        self.binary_values(op, &l, &r)
    }

    pub fn binary_values(&self, op: BinaryOp, l: &Value, r: &Value) -> XResult<Value> {
        use std::cmp::Ordering::*;
        Ok(match op {
            BinaryOp::And | BinaryOp::Or => unreachable!("handled with short-circuit"),
            BinaryOp::Xor => match (as_ternary(l, "XOR")?, as_ternary(r, "XOR")?) {
                (Some(x), Some(y)) => Value::Bool(x != y),
                _ => Value::Null,
            },
            BinaryOp::Eq => ternary(equals(l, r)),
            BinaryOp::Ne => ternary(equals(l, r).map(|b| !b)),
            // NaN is unordered: every ordering comparison with it is false.
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge if is_nan_comparison(l, r) => Value::Bool(false),
            BinaryOp::Lt => ternary(compare(l, r).map(|o| o == Less)),
            BinaryOp::Le => ternary(compare(l, r).map(|o| o != Greater)),
            BinaryOp::Gt => ternary(compare(l, r).map(|o| o == Greater)),
            BinaryOp::Ge => ternary(compare(l, r).map(|o| o != Less)),
            BinaryOp::Add => super::arith::add(l, r)?,
            BinaryOp::Sub => super::arith::sub(l, r)?,
            BinaryOp::Mul => super::arith::mul(l, r)?,
            BinaryOp::Div => super::arith::div(l, r)?,
            BinaryOp::Mod => super::arith::rem(l, r)?,
            BinaryOp::Pow => super::arith::pow(l, r)?,
            BinaryOp::In => match r {
                Value::Null => Value::Null,
                Value::List(items) => {
                    let mut unknown = false;
                    for x in items.iter() {
                        match equals(l, x) {
                            Some(true) => return Ok(Value::Bool(true)),
                            None => unknown = true,
                            Some(false) => {}
                        }
                    }
                    if unknown {
                        Value::Null
                    } else {
                        Value::Bool(false)
                    }
                }
                other => {
                    return Err(ExecError::type_error(format!(
                        "IN needs a list on its right, got {}",
                        other.type_name()
                    )))
                }
            },
            BinaryOp::StartsWith => string_pred(l, r, |a, b| a.starts_with(b)),
            BinaryOp::EndsWith => string_pred(l, r, |a, b| a.ends_with(b)),
            BinaryOp::Contains => string_pred(l, r, |a, b| a.contains(b)),
            BinaryOp::RegexMatch => match (l, r) {
                (Value::String(s), Value::String(p)) => {
                    let re = self.regex(p)?;
                    Value::Bool(re.is_match(s))
                }
                _ => Value::Null,
            },
        })
    }

    fn regex(&self, pattern: &str) -> XResult<Arc<regex::Regex>> {
        let mut cache = self.st.regexes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = cache.get(pattern) {
            return Ok(r.clone());
        }
        let anchored = format!("^(?:{pattern})$");
        let re = regex::RegexBuilder::new(&anchored)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| {
                ExecError::new(
                    crate::ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!("invalid regular expression {pattern:?}: {e}"),
                )
            })?;
        let re = Arc::new(re);
        cache.insert(pattern.to_string(), re.clone());
        Ok(re)
    }

    pub fn call_function(&self, def: &FunctionDef, args: &[Value]) -> XResult<Value> {
        let owned;
        let name = match def.key_str() {
            "" => {
                owned = def.key();
                owned.as_str()
            }
            key => key,
        };
        match def.kind {
            FunctionKind::Graph => {
                if let Some(r) = super::functions::call_graph_function(self, &name, args) {
                    return r;
                }
            }
            FunctionKind::Temporal => {
                return temporal::call_function(&name, args, self.st.now)
                    .unwrap_or_else(|| {
                        Err(temporal::TemporalError::InvalidArgumentValue(format!(
                            "unknown function `{name}`"
                        )))
                    })
                    .map_err(ExecError::temporal);
            }
            FunctionKind::Scalar if name == "timestamp" => {
                return Ok(Value::Int(i64::try_from(self.st.now / 1_000_000).unwrap_or(i64::MAX)));
            }
            _ => {}
        }
        let done = if def.accepts(args.len()) {
            crate::functions::scalar::call_known(name, args)
        } else {
            crate::functions::scalar::call(def.name, args)
        };
        match done {
            Some(r) => r.map_err(ExecError::from_function),
            None => Err(ExecError::new(
                crate::ErrorKind::SyntaxError,
                "UnknownFunction",
                format!("`{}` cannot be called here", def.name),
            )),
        }
    }

    /// The path value of a match: `start`, then per step a relationship (or a
    /// list of them) and the node it leads to.
    /// The names a dynamic label expression stands for (a string or a list of strings).
    pub fn dynamic_names(&self, e: &Expr, row: &Row) -> XResult<Vec<Arc<str>>> {
        match self.eval(e, row)? {
            Value::String(s) => Ok(vec![s]),
            Value::List(items) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(ExecError::type_error(format!(
                        "a dynamic label or type must be a string or a list of strings, got a list holding {}",
                        other.type_name()
                    ))),
                })
                .collect(),
            other => Err(ExecError::type_error(format!(
                "a dynamic label or type must be a string or a list of strings, got {}",
                other.type_name()
            ))),
        }
    }

    /// Whether node `n` satisfies the label expression.
    pub fn node_has(&self, p: &crate::plan::LabelPred, n: NodeId, row: &Row) -> XResult<bool> {
        use crate::plan::LabelPred;
        let g = self.graph;
        let catalog = g.catalog();
        Ok(match p {
            LabelPred::Name(l) => l.resolve(catalog).is_some_and(|l| g.has_label(n, l)),
            LabelPred::Wildcard => g.node_labels(n).is_some_and(|l| !l.is_empty()),
            LabelPred::Dynamic { expr, any } => {
                let names = self.dynamic_names(expr, row)?;
                let has = |name: &Arc<str>| catalog.labels.get(name).is_some_and(|l| g.has_label(n, l));
                if *any {
                    names.iter().any(has)
                } else {
                    names.iter().all(has)
                }
            }
            LabelPred::Not(x) => !self.node_has(x, n, row)?,
            LabelPred::And(xs) => {
                for x in xs {
                    if !self.node_has(x, n, row)? {
                        return Ok(false);
                    }
                }
                true
            }
            LabelPred::Or(xs) => {
                for x in xs {
                    if self.node_has(x, n, row)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    /// Whether a relationship of type `t` satisfies the type expression.
    pub fn rel_has(&self, p: &crate::plan::LabelPred, t: crate::store::TypeId, row: &Row) -> XResult<bool> {
        use crate::plan::LabelPred;
        let catalog = self.graph.catalog();
        Ok(match p {
            LabelPred::Name(l) => l.resolve(catalog) == Some(t),
            LabelPred::Wildcard => true,
            LabelPred::Dynamic { expr, any } => {
                let names = self.dynamic_names(expr, row)?;
                let has = |name: &Arc<str>| catalog.types.get(name) == Some(t);
                if *any {
                    names.iter().any(has)
                } else {
                    names.iter().all(has)
                }
            }
            LabelPred::Not(x) => !self.rel_has(x, t, row)?,
            LabelPred::And(xs) => {
                for x in xs {
                    if !self.rel_has(x, t, row)? {
                        return Ok(false);
                    }
                }
                true
            }
            LabelPred::Or(xs) => {
                for x in xs {
                    if self.rel_has(x, t, row)? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    }

    pub fn build_path(&self, row: &Row, start: usize, steps: &[(usize, bool, usize)]) -> XResult<Value> {
        let first = match get(row, start) {
            Value::Node(n) => *n,
            Value::Null => return Ok(Value::Null),
            other => {
                return Err(ExecError::type_error(format!(
                    "a path starts at a node, got {}",
                    other.type_name()
                )))
            }
        };
        let mut nodes = vec![first];
        let mut rels = Vec::new();
        for (rel_slot, var, _node_slot) in steps {
            let rel_ids: Vec<RelId> = match get(row, *rel_slot) {
                Value::Relationship(r) if !var => vec![*r],
                Value::List(items) if *var => items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Relationship(r) => Some(*r),
                        _ => None,
                    })
                    .collect(),
                Value::Null => return Ok(Value::Null),
                _ => return Err(ExecError::type_error("a path step must be a relationship".to_string())),
            };
            for r in rel_ids {
                let cur = *nodes.last().unwrap_or(&first);
                let rel = self.relationship(r)?;
                let next = if rel.start == cur { rel.end } else { rel.start };
                rels.push(r);
                nodes.push(next);
            }
        }
        Ok(Value::Path(Arc::new(Path { nodes, rels })))
    }
}

/// How deeply lists and maps may nest inside one value: every walk over a
/// value (printing, comparing, dropping) recurses once per level.
pub const MAX_VALUE_DEPTH: usize = 1000;

fn check_depth(v: Value) -> XResult<Value> {
    fn exceeds(v: &Value, budget: usize) -> bool {
        match v {
            Value::List(items) => budget == 0 || items.iter().any(|i| exceeds(i, budget - 1)),
            Value::Map(m) => budget == 0 || m.values().any(|i| exceeds(i, budget - 1)),
            _ => false,
        }
    }
    if matches!(v, Value::List(_) | Value::Map(_)) && exceeds(&v, MAX_VALUE_DEPTH - 1) {
        return Err(ExecError::new(
            crate::ErrorKind::ArgumentError,
            "ValueTooDeep",
            format!("lists and maps may nest at most {MAX_VALUE_DEPTH} levels deep"),
        ));
    }
    Ok(v)
}

/// The list a comprehension, quantifier or reduce walks; `None` for null.
fn list_operand(v: Value, what: &str) -> XResult<Option<Arc<Vec<Value>>>> {
    match v {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(items)),
        other => Err(ExecError::type_error(format!("{what}, got {}", other.type_name()))),
    }
}

fn is_nan_comparison(l: &Value, r: &Value) -> bool {
    let num = |v: &Value| matches!(v, Value::Int(_) | Value::Float(_));
    let nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
    num(l) && num(r) && (nan(l) || nan(r))
}

fn ternary(b: Option<bool>) -> Value {
    match b {
        Some(b) => Value::Bool(b),
        None => Value::Null,
    }
}

pub(super) fn as_ternary(v: &Value, op: &str) -> XResult<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(ExecError::type_error(format!(
            "{op} needs booleans, got {}",
            other.type_name()
        ))),
    }
}

fn string_pred(l: &Value, r: &Value, f: impl Fn(&str, &str) -> bool) -> Value {
    match (l, r) {
        (Value::String(a), Value::String(b)) => Value::Bool(f(a, b)),
        _ => Value::Null,
    }
}

pub(super) fn unary(op: UnaryOp, v: Value) -> XResult<Value> {
    Ok(match (op, v) {
        (_, Value::Null) => Value::Null,
        (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
        (UnaryOp::Not, other) => {
            return Err(ExecError::type_error(format!(
                "NOT needs a boolean, got {}",
                other.type_name()
            )))
        }
        (UnaryOp::Neg, Value::Int(i)) => Value::Int(
            i.checked_neg()
                .ok_or_else(|| ExecError::overflow(format!("-({i}) does not fit in a 64-bit integer")))?,
        ),
        (UnaryOp::Neg, Value::Float(f)) => Value::Float(-f),
        (UnaryOp::Neg, Value::Duration(d)) => match temporal::arithmetic('*', &Value::Duration(d), &Value::Int(-1)) {
            Some(r) => r.map_err(ExecError::temporal)?,
            None => return Err(ExecError::type_error("cannot negate this duration".to_string())),
        },
        (UnaryOp::Pos, v @ (Value::Int(_) | Value::Float(_) | Value::Duration(_))) => v,
        (_, other) => {
            return Err(ExecError::type_error(format!(
                "unary minus and plus need a number, got {}",
                other.type_name()
            )))
        }
    })
}

fn slice(v: &Value, from: Option<Value>, to: Option<Value>) -> XResult<Value> {
    let items = match v {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => return Err(ExecError::type_error(format!("cannot slice a {}", other.type_name()))),
    };
    let n = items.len() as i64;
    let bound = |b: Option<Value>, default: i64| -> XResult<Option<i64>> {
        match b {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => Ok(Some(if i < 0 { (n + i).max(0) } else { i.min(n) })),
            Some(other) => Err(ExecError::type_error(format!(
                "slice bounds must be integers, got {}",
                other.type_name()
            ))),
        }
    };
    let (Some(a), Some(b)) = (bound(from, 0)?, bound(to, n)?) else {
        return Ok(Value::Null);
    };
    if a >= b {
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(items[a as usize..b as usize].to_vec()))
}
