//! Helpers shared by the integration tests.

use quiver::{Database, Params, QueryResult};

/// Runs `q`, failing the test with the error when it fails.
pub fn run(db: &mut Database, q: &str) -> QueryResult {
    match db.execute(q, &Params::new()) {
        Ok(r) => r,
        Err(e) => panic!("query failed: {q}\n{e}"),
    }
}

/// Rows rendered as Cypher literals, columns joined by ` | `, for compact assertions.
pub fn rows(db: &mut Database, q: &str) -> Vec<String> {
    let r = run(db, q);
    r.rows
        .iter()
        .map(|row| row.iter().map(|v| r.render(v)).collect::<Vec<_>>().join(" | "))
        .collect()
}
