//! Structural comparison of expected TCK values with actual results.

use quiver::{NodeId, QueryResult, RelId, Value};

use crate::values::{Expected, NodePattern, PathPattern, RelPattern};

#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// Compare lists as multisets (the `(ignoring element order for lists)` steps).
    pub ignore_list_order: bool,
}

/// Floats as the TCK writes them: equal, both NaN, or within a tiny relative
/// tolerance (printing differences).
pub fn float_eq(expected: f64, actual: f64) -> bool {
    if expected == actual || (expected.is_nan() && actual.is_nan()) {
        return true;
    }
    if !expected.is_finite() || !actual.is_finite() {
        return false;
    }
    let scale = expected.abs().max(actual.abs());
    (expected - actual).abs() <= scale * 1e-12
}

fn is_temporal(v: &Value) -> bool {
    matches!(
        v,
        Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_)
    )
}

/// Whether `actual` is what `expected` describes. Entities are looked up in
/// the result's snapshots.
pub fn matches(expected: &Expected, actual: &Value, result: &QueryResult, opts: Options) -> bool {
    match (expected, actual) {
        (Expected::Null, Value::Null) => true,
        (Expected::Bool(a), Value::Bool(b)) => a == b,
        (Expected::Int(a), Value::Int(b)) => a == b,
        (Expected::Float(a), Value::Float(b)) => float_eq(*a, *b),
        (Expected::String(a), Value::String(b)) => a.as_str() == &**b,
        // The TCK writes temporal results as strings.
        (Expected::String(a), v) if is_temporal(v) => *a == v.to_string(),
        (Expected::List(a), Value::List(b)) => lists_match(a, b, result, opts),
        (Expected::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, ev)| b.get(k.as_str()).is_some_and(|av| matches(ev, av, result, opts)))
        }
        (Expected::Node(p), Value::Node(id)) => node_matches(p, *id, result, opts),
        (Expected::Rel(p), Value::Relationship(id)) => rel_matches(p, *id, result, opts),
        (Expected::Path(p), Value::Path(path)) => path_matches(p, &path.nodes, &path.rels, result, opts),
        _ => false,
    }
}

fn lists_match(expected: &[Expected], actual: &[Value], result: &QueryResult, opts: Options) -> bool {
    if expected.len() != actual.len() {
        return false;
    }
    if !opts.ignore_list_order {
        return expected.iter().zip(actual).all(|(e, a)| matches(e, a, result, opts));
    }
    bag_match(expected, actual, |e, a| matches(e, a, result, opts))
}

/// Pairs every expected item with a distinct actual item (sizes already equal).
pub fn bag_match<E, A>(expected: &[E], actual: &[A], eq: impl Fn(&E, &A) -> bool) -> bool {
    let mut used = vec![false; actual.len()];
    'outer: for e in expected {
        for (j, a) in actual.iter().enumerate() {
            if !used[j] && eq(e, a) {
                used[j] = true;
                continue 'outer;
            }
        }
        return false;
    }
    true
}

fn props_match(
    expected: &[(String, Expected)],
    actual: &quiver::value::Map,
    result: &QueryResult,
    opts: Options,
) -> bool {
    expected.len() == actual.len()
        && expected
            .iter()
            .all(|(k, ev)| actual.get(k.as_str()).is_some_and(|av| matches(ev, av, result, opts)))
}

fn node_matches(p: &NodePattern, id: NodeId, result: &QueryResult, opts: Options) -> bool {
    let Some(n) = result.node(id) else {
        return false;
    };
    let mut want: Vec<&str> = p.labels.iter().map(String::as_str).collect();
    let mut have: Vec<&str> = n.labels.iter().map(String::as_str).collect();
    want.sort_unstable();
    want.dedup();
    have.sort_unstable();
    have.dedup();
    want == have && props_match(&p.props, &n.properties, result, opts)
}

fn rel_matches(p: &RelPattern, id: RelId, result: &QueryResult, opts: Options) -> bool {
    let Some(r) = result.relationship(id) else {
        return false;
    };
    r.rel_type == p.rel_type && props_match(&p.props, &r.properties, result, opts)
}

fn path_matches(p: &PathPattern, nodes: &[NodeId], rels: &[RelId], result: &QueryResult, opts: Options) -> bool {
    if nodes.len() != p.hops.len() + 1 || rels.len() != p.hops.len() {
        return false;
    }
    if !node_matches(&p.start, nodes[0], result, opts) {
        return false;
    }
    for (i, (rp, forward, np)) in p.hops.iter().enumerate() {
        let Some(r) = result.relationship(rels[i]) else {
            return false;
        };
        let (from, to) = (nodes[i], nodes[i + 1]);
        let direction_ok = if *forward {
            r.start == from && r.end == to
        } else {
            r.start == to && r.end == from
        };
        if !direction_ok || !rel_matches(rp, rels[i], result, opts) || !node_matches(np, to, result, opts) {
            return false;
        }
    }
    true
}

/// Compares a result table: `expected` rows of parsed cells against the result's rows.
pub fn compare_rows(
    expected: &[Vec<Expected>],
    result: &QueryResult,
    ordered: bool,
    opts: Options,
) -> Result<(), String> {
    let actual = &result.rows;
    let row_eq = |e: &Vec<Expected>, a: &Vec<Value>| {
        e.len() == a.len() && e.iter().zip(a).all(|(ev, av)| matches(ev, av, result, opts))
    };
    if expected.len() != actual.len() {
        return Err(format!("expected {} rows, got {}", expected.len(), actual.len()));
    }
    if ordered {
        for (i, (e, a)) in expected.iter().zip(actual).enumerate() {
            if !row_eq(e, a) {
                return Err(format!("row {} differs: got {}", i + 1, render_row(result, a)));
            }
        }
        return Ok(());
    }
    // Report the first expected row that finds no partner.
    let mut used = vec![false; actual.len()];
    for (i, e) in expected.iter().enumerate() {
        match (0..actual.len()).find(|&j| !used[j] && row_eq(e, &actual[j])) {
            Some(j) => used[j] = true,
            None => return Err(format!("expected row {} not found in the result", i + 1)),
        }
    }
    Ok(())
}

pub fn render_row(result: &QueryResult, row: &[Value]) -> String {
    let cells: Vec<String> = row.iter().map(|v| result.render(v)).collect();
    format!("| {} |", cells.join(" | "))
}
