//! Runs a `ScanTop`: the best `skip + limit` nodes of a label by keys over
//! their own properties, read in place (see `plan/scan_top.rs`). Ties keep
//! the scan's order, as a stable sort would.

use crate::plan::ScanTopPlan;
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
    Ok(best
        .into_sorted()
        .into_iter()
        .map(|node| {
            let mut r = row.clone();
            if r.len() < p.width {
                r.resize(p.width, Value::Null);
            }
            set(&mut r, p.slot, Value::Node(node));
            r
        })
        .collect())
}
