//! Runs a `ScanTop`: the best `skip + limit` nodes of a label by keys over
//! their own properties, read in place (see `plan/scan_top.rs`). Ties keep
//! the scan's order, as a stable sort would.

use crate::plan::ScanTopPlan;
use crate::store::read::ColumnChunk;
use crate::value::{NodeId, Value};

use super::best::{Best, KeyOrder};
use super::eval::{set, Eval};
use super::project;
use super::scan_aggregate::{passes, value, Compiler, E};
use super::{ExecError, Row, XResult};

/// How often (in nodes) the scan looks for a cancel request.
const INTERRUPT_EVERY: usize = 4096;

/// The rows of the best nodes for the input row `row`, in order.
pub fn run(ev: &Eval, p: &ScanTopPlan, row: &Row) -> XResult<Vec<Row>> {
    let mut k = project::count(ev, &p.limit, "LIMIT")?;
    if let Some(s) = &p.skip {
        k = k.saturating_add(project::count(ev, s, "SKIP")?);
    }
    let mut c = Compiler { ev, keys: Vec::new() };
    let filters: Vec<E> = p.filters.iter().map(|f| c.compile(f)).collect();
    let keys: Vec<E> = p.keys.iter().map(|(e, _)| c.compile(e)).collect();
    let order = KeyOrder(p.keys.iter().map(|(_, d)| *d).collect());
    let scanned = c.keys;
    let catalog = ev.graph.catalog();
    let labels: Option<Vec<u32>> = p.labels.iter().map(|l| l.resolve(catalog)).collect();
    let (Some(labels), true) = (labels, k > 0) else {
        return Ok(Vec::new());
    };
    let (first, rest) = labels.split_first().expect("a scan has a label");
    let g = ev.graph;
    let mut best: Best<NodeId> = Best::new(k, &order);
    let mut key: Vec<Value> = Vec::with_capacity(keys.len());
    let mut seen = 0usize;
    let mut failed: Option<ExecError> = None;
    if filters.is_empty() && rest.is_empty() && scanned.len() == 1 && matches!(keys[..], [E::Value(0)]) {
        let desc = order.0[0];
        let mut best: Best<NodeId> = Best::new(k, &order);
        ints_top(ev, g, *first, &scanned, desc, k, &mut best)?;
        return Ok(rows_of(best, row, p));
    }
    let mut step = |id: NodeId, values: &[&Value]| -> XResult<()> {
        seen += 1;
        if seen % INTERRUPT_EVERY == 0 {
            ev.check_interrupt()?;
        }
        if !rest.iter().all(|l| g.has_label(id, *l)) || !passes(ev, &filters, id, values)? {
            return Ok(());
        }
        key.clear();
        for e in &keys {
            key.push(match e {
                // A property read in place (the usual key).
                E::Value(i) => values[*i].clone(),
                e => value(ev, e, id, values)?.into_owned(),
            });
        }
        best.offer(&mut key, id);
        Ok(())
    };
    g.scan_label_values(*first, &scanned, &mut |id, values| match step(id, values) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    Ok(rows_of(best, row, p))
}

fn rows_of(best: Best<NodeId>, row: &Row, p: &ScanTopPlan) -> Vec<Row> {
    best.into_sorted()
        .into_iter()
        .map(|node| {
            let mut r = row.clone();
            if r.len() < p.width {
                r.resize(p.width, Value::Null);
            }
            set(&mut r, p.slot, Value::Node(node));
            r
        })
        .collect()
}

/// The usual case — the best nodes by one property of their own — a chunk
/// of the column at a time: integers that cannot beat the worst kept key are
/// skipped without making a value.
fn ints_top(
    ev: &Eval,
    g: &dyn crate::store::GraphRead,
    label: u32,
    keys: &[u32],
    desc: bool,
    k: usize,
    best: &mut Best<NodeId>,
) -> XResult<()> {
    let mut key: Vec<Value> = Vec::with_capacity(1);
    let mut failed: Option<ExecError> = None;
    let mut seen = 0usize;
    let mut cand: Vec<(i64, usize)> = Vec::new();
    let best_k = k;
    g.scan_label_chunks(label, keys, &mut |ids, cols| {
        seen += ids.len();
        if seen >= INTERRUPT_EVERY {
            seen = 0;
            if let Err(e) = ev.check_interrupt() {
                failed = Some(e);
                return false;
            }
        }
        match &cols[0] {
            ColumnChunk::Ints { values, present } => {
                // The chunk's candidates that beat the worst kept key; of
                // them only the chunk's best k can be kept, offered in scan
                // order (so that of equal keys the earlier stays).
                let threshold = match best.worst() {
                    Some([Value::Int(t)]) => Some(*t),
                    _ => None,
                };
                cand.clear();
                for (i, id) in ids.iter().enumerate() {
                    if !present[i] {
                        key.clear();
                        key.push(Value::Null);
                        best.offer(&mut key, *id);
                        continue;
                    }
                    let v = values[i];
                    if threshold.is_some_and(|t| if desc { v <= t } else { v >= t }) {
                        continue;
                    }
                    cand.push((v, i));
                }
                if cand.len() > best_k {
                    let rank = |a: &(i64, usize), b: &(i64, usize)| {
                        let o = if desc { b.0.cmp(&a.0) } else { a.0.cmp(&b.0) };
                        o.then(a.1.cmp(&b.1))
                    };
                    cand.select_nth_unstable_by(best_k - 1, rank);
                    cand.truncate(best_k);
                    cand.sort_unstable_by_key(|c| c.1);
                }
                for &(v, i) in &cand {
                    key.clear();
                    key.push(Value::Int(v));
                    best.offer(&mut key, ids[i]);
                }
            }
            ColumnChunk::Codes { codes, present, dict } => {
                for (i, id) in ids.iter().enumerate() {
                    key.clear();
                    key.push(if present[i] {
                        dict[codes[i] as usize].clone()
                    } else {
                        Value::Null
                    });
                    best.offer(&mut key, *id);
                }
            }
            ColumnChunk::Values(values) => {
                for (v, id) in values.iter().zip(ids) {
                    key.clear();
                    key.push(v.clone());
                    best.offer(&mut key, *id);
                }
            }
        }
        true
    });
    match failed {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
