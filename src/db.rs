//! The embedding API: open a database, run statements, read results.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::error::Result;
use crate::procedure::Procedure;
use crate::result::QueryResult;
use crate::value::Value;

/// Query parameters: `$name` -> value.
pub type Params = BTreeMap<String, Value>;

/// A property graph and the means to query it.
///
/// ```
/// use quiver::{Database, Params, Value};
///
/// let mut db = Database::in_memory();
/// db.execute("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})", &Params::new())?;
/// let mut params = Params::new();
/// params.insert("name".into(), Value::from("Ada"));
/// let r = db.execute("MATCH (a:Person {name: $name})-[:KNOWS]->(b) RETURN b.name AS friend", &params)?;
/// assert_eq!(r.columns, vec!["friend"]);
/// assert_eq!(r.rows, vec![vec![Value::from("Alan")]]);
/// # Ok::<(), quiver::Error>(())
/// ```
pub struct Database {
    procedures: BTreeMap<String, Procedure>,
    interrupt: Arc<AtomicBool>,
}

impl Database {
    /// An empty graph held in memory.
    pub fn in_memory() -> Database {
        Database {
            procedures: BTreeMap::new(),
            interrupt: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Runs one statement (a trailing `;` is allowed). The statement is atomic:
    /// when it fails, the graph is exactly as it was before.
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        let _ = (query, params);
        unimplemented!("executor under construction")
    }

    /// Makes `CALL <name>(...)` run `procedure`; replaces one of the same name.
    pub fn register_procedure(&mut self, procedure: Procedure) {
        self.procedures
            .insert(procedure.name.to_ascii_lowercase(), procedure);
    }

    /// A flag that, once set, cancels the running statement (it fails with
    /// `Interrupted` and changes nothing). The flag is cleared when a statement starts.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Evaluates a constant expression written as a Cypher literal (`[1, 'a', {k: 2.5}]`),
    /// as `--param` and `:param` take them.
    pub fn eval_literal(&mut self, text: &str) -> Result<Value> {
        let _ = text;
        unimplemented!("executor under construction")
    }

    /// Labels, relationship types and property keys with their counts.
    pub fn schema(&self) -> Schema {
        Schema::default()
    }
}

/// What the graph holds, by name, with counts (for `:schema` and completion).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    /// label -> number of nodes carrying it
    pub labels: Vec<(String, usize)>,
    /// type -> number of relationships of it
    pub relationship_types: Vec<(String, usize)>,
    /// key -> number of nodes and relationships carrying it
    pub property_keys: Vec<(String, usize)>,
}
