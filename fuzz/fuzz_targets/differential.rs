//! Any read query: planned normally and planned naively, the same multiset of
//! rows (or both fail). The order of a pattern comprehension's list is not
//! defined (it follows the plan), so lists are compared as multisets.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quiver::{Database, Params, QueryResult, Value};

/// `v` as text, with every list's elements in sorted order.
fn canonical(r: &QueryResult, v: &Value) -> String {
    match v {
        Value::List(items) => {
            let mut parts: Vec<String> = items.iter().map(|i| canonical(r, i)).collect();
            parts.sort();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {}", canonical(r, v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => r.render(other),
    }
}

const GRAPH: &str = "CREATE (a:A {x: 1})-[:R]->(b:B {x: 2})-[:S]->(c:A:B {x: 3}), (c)-[:R]->(a), (b)-[:R]->(b), (a)-[:S]->(c)";

fn rows(db: &mut Database, q: &str) -> Result<Vec<String>, String> {
    match db.execute(q, &Params::new()) {
        Ok(r) => {
            let mut rows: Vec<String> =
                r.rows.iter().map(|row| row.iter().map(|v| canonical(&r, v)).collect::<Vec<_>>().join("|")).collect();
            rows.sort();
            Ok(rows)
        }
        Err(e) => Err(e.code.to_string()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let upper = text.to_ascii_uppercase();
    // Only reading queries, whose answers must not depend on the plan.
    if text.len() > 1000
        || ["CREATE", "MERGE", "SET", "DELETE", "REMOVE", "RAND", "RANGE", "TIMESTAMP", "CALL", "LIMIT", "SKIP", "COLLECT", "HEAD", "LAST"]
            .iter()
            .any(|w| upper.contains(w))
    {
        return;
    }
    let mut db = Database::in_memory();
    db.execute(GRAPH, &Params::new()).expect("the graph is created");
    let planned = rows(&mut db, text);
    db.set_naive_planning(true);
    let naive = rows(&mut db, text);
    assert_eq!(planned, naive, "plans disagree on {text:?}");
});
