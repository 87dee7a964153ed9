//! Writing statements that start with `LOAD CSV`, streamed: the records
//! flow through the statement a chunk at a time instead of every row being
//! made before the first write.
//!
//! A writing operator normally takes every row of the reading operators
//! before it (Cypher's clause-at-a-time semantics, the `Eager` of EXPLAIN).
//! Streaming gives the same graph whenever those reading operators cannot
//! see what the writes do and nothing after the writes looks at their rows
//! as a whole. That holds here when:
//!
//! - the statement returns nothing, and its writes are `CREATE`s, or one
//!   `MERGE` (with its `ON CREATE` / `ON MATCH`), or one `CALL { ... } IN
//!   TRANSACTIONS` (fed a batch at a time), and nothing else;
//! - before that write come only `LOAD CSV`, `UNWIND`, filters, projections
//!   and `MATCH`es of single nodes (no relationship, no path, no pattern or
//!   subquery in any expression);
//! - when a `MATCH` is among them, the writes are `CREATE`s of
//!   relationships between nodes already bound (nothing a node match reads)
//!   and no MERGE.
//!
//! The reading operators then read the state the statement started from
//! (the transaction must not have changed it yet).

use crate::plan::{CreatePart, Expr, LabelPred, MatchPlan, Op, Pipeline, QueryPlan, SeekKind};
use std::sync::mpsc;

use crate::store::GraphWrite;

use super::{build, cursor, run_write_from, BoxCursor, Eval, Row, Writer, XResult};

/// Rows per chunk: small enough that a chunk's rows are still in the
/// cache when its writes run (256 loaded 1M relationships fastest here).
const CHUNK: usize = 256;

/// Chunks the reads may be ahead of the writes (waiting to be written).
const AHEAD: usize = 2;

/// Where the writes of `p` start, when the branch may be streamed.
pub(super) fn split(plan: &QueryPlan, p: &Pipeline) -> Option<usize> {
    if !plan.columns.is_empty() || plan.branches.len() != 1 {
        return None;
    }
    if !matches!(p.ops.first(), Some(Op::LoadCsv(_))) {
        return None;
    }
    let at = p.ops.iter().position(Op::writes)?;
    let (reads, writes) = p.ops.split_at(at);
    let mut matches = false;
    for op in reads {
        let ok = match op {
            Op::LoadCsv(l) => plain(&l.url),
            Op::Filter(e) => plain(e),
            Op::Unwind { expr, .. } => plain(expr),
            Op::Project { exprs, .. } => exprs.iter().all(plain),
            Op::Truncate(_) => true,
            Op::Match(m) => {
                matches = true;
                node_only(m)
            }
            _ => false,
        };
        if !ok {
            return None;
        }
    }
    // CREATEs read nothing of the graph, so chunks of them make what all the
    // rows at once would; a single MERGE takes its rows one by one anyway.
    let creates = writes.iter().all(|op| match op {
        Op::Create(parts) => !matches || parts.iter().all(rels_only),
        _ => false,
    });
    let one_merge = !matches && writes.len() == 1 && matches!(writes[0], Op::Merge(_));
    // `CALL { ... } IN TRANSACTIONS` takes its batches as they come.
    let batched = !matches && writes.len() == 1 && matches!(&writes[0], Op::Subquery(sq) if sq.batching.is_some());
    (creates || one_merge || batched).then_some(at)
}

/// A CREATE that makes only relationships between nodes bound before it.
fn rels_only(p: &CreatePart) -> bool {
    p.path.is_none()
        && p.nodes
            .iter()
            .all(|n| n.bound && n.labels.is_empty() && n.dynamic_labels.is_empty())
}

/// A match of single nodes whose expressions read no relationships.
fn node_only(m: &MatchPlan) -> bool {
    m.predicate.as_ref().is_none_or(plain)
        && m.parts.iter().all(|part| {
            let s = &part.start;
            part.steps.is_empty()
                && part.path.is_none()
                && part.shortest.is_none()
                && part.selector.is_none()
                && s.props.iter().all(|(_, e)| plain(e))
                && s.props_param.as_ref().is_none_or(plain)
                && s.label_pred.as_ref().is_none_or(plain_label)
                && s.seek.as_ref().is_none_or(|seek| match &seek.kind {
                    SeekKind::Equal(e) | SeekKind::In(e) => plain(e),
                    SeekKind::Range { lower, upper } => {
                        lower.as_ref().is_none_or(|(e, _)| plain(e)) && upper.as_ref().is_none_or(|(e, _)| plain(e))
                    }
                })
        })
}

fn plain_label(l: &LabelPred) -> bool {
    match l {
        LabelPred::Name(_) | LabelPred::Wildcard => true,
        LabelPred::Dynamic { expr, .. } => plain(expr),
        LabelPred::Not(l) => plain_label(l),
        LabelPred::And(ls) | LabelPred::Or(ls) => ls.iter().all(plain_label),
    }
}

/// An expression that reads no relationships (no pattern, no subquery).
fn plain(e: &Expr) -> bool {
    match e {
        Expr::Const(_) | Expr::Param(_) | Expr::Slot(_) => true,
        Expr::List(xs) => xs.iter().all(plain),
        Expr::Map(kv) => kv.iter().all(|(_, e)| plain(e)),
        Expr::Property(e, _)
        | Expr::Unary(_, e)
        | Expr::IsNull(e, _)
        | Expr::HasLabels(e, _)
        | Expr::IsType(e, _, _)
        | Expr::IsNormalized(e, _, _) => plain(e),
        Expr::LabelTest(e, l) => plain(e) && plain_label(l),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => plain(a) && plain(b),
        Expr::Slice(a, b, c) => plain(a) && b.as_deref().is_none_or(plain) && c.as_deref().is_none_or(plain),
        Expr::Function(_, args) => args.iter().all(plain),
        Expr::Case { operand, whens, else_ } => {
            operand.as_deref().is_none_or(plain)
                && whens.iter().all(|(a, b)| plain(a) && plain(b))
                && else_.as_deref().is_none_or(plain)
        }
        Expr::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => plain(list) && predicate.as_deref().is_none_or(plain) && projection.as_deref().is_none_or(plain),
        Expr::Quantified { list, predicate, .. } => plain(list) && plain(predicate),
        Expr::Reduce { init, list, expr, .. } => plain(init) && plain(list) && plain(expr),
        Expr::MapProjection { base, items } => {
            plain(base)
                && items.iter().all(|i| match i {
                    crate::plan::expr::MapProjectionItem::Entry(_, e) => plain(e),
                    _ => true,
                })
        }
        Expr::CountSubquery(_)
        | Expr::CollectSubquery(_)
        | Expr::PatternComprehension { .. }
        | Expr::PatternExists(_)
        | Expr::PatternList(..)
        | Expr::Exists(_) => false,
    }
}

/// Runs branch `p`, split at `at`, a chunk of rows at a time. `None` when the
/// transaction has already changed the graph (the reads would not see it).
pub(super) fn run(w: &mut Writer, p: &Pipeline, at: usize) -> Option<XResult<()>> {
    let graph: &mut dyn GraphWrite = &mut *w.graph;
    let tx = graph.as_tx()?;
    if tx.changed() {
        return None;
    }
    let snapshot = tx.snapshot.clone();
    let tail = Pipeline {
        ops: p.ops[at..].to_vec(),
        width: p.width,
    };
    Some((|| {
        // Batches of IN TRANSACTIONS are as large as it says.
        let size = match &tail.ops[0] {
            Op::Subquery(sq) => match &sq.batching {
                Some(b) => super::batches::count(w, b.rows.as_ref(), "the batch size", super::DEFAULT_BATCH_ROWS)?,
                None => CHUNK,
            },
            _ => CHUNK,
        };
        let (reads, width, st, snapshot) = (&p.ops[..at], p.width, w.st, &snapshot);
        // The reads run on a second thread against the snapshot the statement
        // started from, a chunk or two ahead of the writes here; the chunks
        // come in order, and the writes stopping (an error) stops the reads
        // at their next chunk.
        std::thread::scope(|scope| {
            let (chunks, incoming) = mpsc::sync_channel::<super::ahead::Batch<Row>>(AHEAD);
            scope.spawn(move || {
                let input: BoxCursor = Box::new(cursor::Rows::new(vec![Vec::new()]));
                let mut cur = match build(Eval::new(snapshot, st), reads, input, None) {
                    Ok(cur) => cur,
                    Err(e) => {
                        let _ = chunks.send(Err(e));
                        return;
                    }
                };
                let mut row: Row = Vec::new();
                super::ahead::send_batches(&chunks, size, |chunk| {
                    while chunk.len() < size {
                        if !cur.next(&mut row)? {
                            return Ok(false);
                        }
                        // The next row starts with room for every slot (no growing one by one).
                        chunk.push(std::mem::replace(&mut row, Vec::with_capacity(width)));
                    }
                    Ok(true)
                });
            });
            for chunk in incoming {
                run_write_from(w, &tail, chunk?, None)?;
            }
            Ok(())
        })
    })())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::plan::{plan_query, PlanOptions};
    use crate::procedure::Procedures;
    use crate::store::{Catalog, Snapshot};

    fn streams(q: &str) -> bool {
        let statement = crate::parser::parse_statement(q).unwrap();
        let graph = Snapshot::empty(Arc::new(Catalog::default()));
        let procedures = Procedures::default();
        let bound = crate::semantic::check(&statement, &procedures).unwrap();
        let plan = plan_query(bound, &graph, &procedures, PlanOptions::default()).unwrap();
        super::split(&plan, &plan.branches[0]).is_some()
    }

    #[test]
    fn streams_what_cannot_see_its_own_writes() {
        let csv = "LOAD CSV WITH HEADERS FROM 'f.csv' AS r ";
        for q in [
            "CREATE (:P {id: toInteger(r.id)})",
            "WITH r WHERE r.id IS NOT NULL CREATE (:P {id: r.id}) CREATE (:Q)",
            "UNWIND [1, 2] AS x CREATE (:P {id: r.id, x: x})",
            "MERGE (p:P {id: r.id}) ON CREATE SET p.n = r.n ON MATCH SET p.m = 1",
            "MATCH (a:P {id: r.a}), (b:P {id: r.b}) CREATE (a)-[:R {w: r.w}]->(b)",
            "MATCH (a:P {id: r.a}) WHERE a.x > 1 CREATE (a)-[:R]->(a)",
            "CALL (r) { MATCH (a:P {id: r.a}) CREATE (a)-[:R]->(:Q) } IN TRANSACTIONS OF 100 ROWS",
        ] {
            assert!(streams(&format!("{csv}{q}")), "{q}");
        }
    }

    #[test]
    fn keeps_all_rows_first_where_reads_could_see_writes() {
        let csv = "LOAD CSV WITH HEADERS FROM 'f.csv' AS r ";
        for q in [
            // Returns rows, or aggregates after the write.
            "CREATE (p:P) RETURN p",
            "CREATE (p:P) WITH count(*) AS c CREATE (:Count {c: c})",
            // The match would see the nodes made.
            "MATCH (a:P {id: r.a}) CREATE (a)-[:R]->(:P {id: r.b})",
            // The match reads relationships.
            "MATCH (a:P {id: r.a})-[:R]->(b) CREATE (a)-[:R]->(b)",
            "MATCH (a:P {id: r.a}) WHERE EXISTS { (a)-->() } CREATE (a)-[:R]->(a)",
            "MATCH (a:P {id: r.a}) WHERE COUNT { (a)-->() } > 1 CREATE (a)-[:R]->(a)",
            // A later write could change what an earlier one reads.
            "MERGE (a:P {id: r.a}) MERGE (b:P {id: r.b})",
            "MERGE (a:P {id: r.a}) CREATE (:P {id: r.b})",
            "MATCH (a:P {id: r.a}) SET a.seen = true",
            "MATCH (a:P {id: r.a}) DETACH DELETE a",
            "CALL (r) { CREATE (:Q) } CREATE (:Z)",
            "CALL (r) { CREATE (:Q) } IN TRANSACTIONS ON ERROR CONTINUE REPORT STATUS AS s RETURN s",
        ] {
            assert!(!streams(&format!("{csv}{q}")), "{q}");
        }
        assert!(
            !streams("UNWIND range(1, 10) AS x CREATE (:P {x: x})"),
            "only LOAD CSV streams"
        );
    }
}
