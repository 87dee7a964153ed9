//! The embedding API: open a database, run statements, read results.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::ast::Mode;
use crate::error::{Error, ErrorKind, Phase, Result};
use crate::exec::{self, Context};
use crate::plan;
use crate::procedure::{Procedure, ValueType};
use crate::result::{NodeSnapshot, QueryResult, RelSnapshot};
use crate::store::{Graph, Mark};
use crate::value::{NodeId, RelId, Value};

mod persist;
pub use persist::Transaction;

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
/// assert_eq!(r.stats.nodes_created, 0);
/// # Ok::<(), quiver::Error>(())
/// ```
pub struct Database {
    graph: Graph,
    plan_options: plan::PlanOptions,
    procedures: BTreeMap<String, Procedure>,
    interrupt: Arc<AtomicBool>,
    /// The database file, when there is one (see `persist.rs`).
    storage: Option<crate::storage::Storage>,
    /// The open explicit transaction: where to roll back to.
    tx: Option<Mark>,
}

impl Default for Database {
    fn default() -> Self {
        Database::in_memory()
    }
}

const BUILTINS: &[(&str, &str)] = &[
    ("db.labels", "label"),
    ("db.relationshiptypes", "relationshipType"),
    ("db.propertykeys", "propertyKey"),
];

impl Database {
    /// An empty graph held in memory.
    pub fn in_memory() -> Database {
        let mut db = Database {
            graph: Graph::new(),
            plan_options: Default::default(),
            procedures: BTreeMap::new(),
            interrupt: Arc::new(AtomicBool::new(false)),
            storage: None,
            tx: None,
        };
        for (name, column) in BUILTINS {
            let proc_name = match *name {
                "db.labels" => "db.labels",
                "db.relationshiptypes" => "db.relationshipTypes",
                _ => "db.propertyKeys",
            };
            // The body is never called: built-ins read the graph (see `builtin_procedure`).
            db.register_procedure(Procedure::new(
                proc_name,
                Vec::new(),
                vec![(column.to_string(), ValueType::String)],
                |_| Ok(Vec::new()),
            ));
        }
        db
    }

    /// Runs one statement (a trailing `;` is allowed). The statement is atomic:
    /// when it fails, the graph is exactly as it was before.
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.interrupt.store(false, Ordering::Relaxed);
        let statement = crate::parser::parse_statement(query).map_err(|e| Error::from_parse(e, query))?;
        crate::semantic::check(&statement).map_err(|e| e.into_error(query))?;
        let procedures = &self.procedures;
        let lookup = |name: &str| procedures.get(&name.to_ascii_lowercase()).cloned();
        let plan = plan::plan_query(&statement.query, &mut self.graph, &lookup, self.plan_options)
            .map_err(|e| e.into_error(query))?;
        if statement.mode == Mode::Explain {
            // The plan is the answer: no columns, no rows.
            return Ok(QueryResult {
                plan: Some(plan::explain(&plan, &self.graph)),
                ..QueryResult::default()
            });
        }
        let mark = self.graph.mark();
        // date(), datetime() and friends read one clock for the whole statement.
        crate::value::temporal::set_statement_clock(Some(crate::value::temporal::realtime_nanos()));
        let mut ctx = Context {
            graph: &mut self.graph,
            params,
            interrupt: &self.interrupt,
            procedures: &lookup,
            stats: Default::default(),
            profile: (statement.mode == Mode::Profile).then(Vec::new),
        };
        let outcome = exec::run_query(&plan, &mut ctx);
        crate::value::temporal::set_statement_clock(None);
        let rows = match outcome {
            Ok(rows) => rows,
            Err(e) => {
                self.graph.rollback(mark);
                return Err(e.into_error());
            }
        };
        let stats = ctx.stats;
        let profile = ctx.profile.take();
        let mut result = QueryResult {
            columns: plan.columns.clone(),
            rows: Vec::new(),
            stats,
            plan: profile.map(|p| plan::profile(&plan, &self.graph, &p)),
            nodes: HashMap::new(),
            relationships: HashMap::new(),
        };
        if !plan.columns.is_empty() {
            let width = plan.columns.len();
            result.rows = rows
                .into_iter()
                .map(|mut r| {
                    r.resize(width, Value::Null);
                    r
                })
                .collect();
            self.snapshot_entities(&mut result);
        }
        // Outside an explicit transaction the statement commits now (and, with
        // a file, is durable before this returns).
        self.end_statement(mark)?;
        Ok(result)
    }

    /// Bulk-loads node and relationship files straight into the store (see
    /// [`crate::import`]): all of them, or, when any row is bad, nothing.
    /// Outside an explicit transaction the import is one commit (with a
    /// file, durable when this returns); inside one, it is part of it.
    pub fn import(&mut self, spec: &crate::import::ImportSpec) -> Result<crate::import::ImportSummary> {
        self.import_with_progress(spec, &mut ())
    }

    /// [`Database::import`], telling `progress` how many bytes have been read.
    /// The [`Database::interrupt_flag`] cancels it.
    pub fn import_with_progress(
        &mut self,
        spec: &crate::import::ImportSpec,
        progress: &mut dyn crate::import::Progress,
    ) -> Result<crate::import::ImportSummary> {
        self.interrupt.store(false, Ordering::Relaxed);
        let mark = self.graph.mark();
        // Outside an explicit transaction, on a file open for writing (or in
        // memory), the import is a bulk load: its entities are not journalled,
        // and with a file it commits by writing a new snapshot (atomically:
        // temp file, fsync, rename) instead of a log record of every entity.
        let bulk = self.tx.is_none() && !self.is_read_only();
        // On a bad row the import has already undone itself back to `mark`.
        let summary = crate::import::run(&mut self.graph, spec, progress, &self.interrupt, !bulk)?;
        if bulk {
            if self.graph.changed_since(mark) {
                if let Some(storage) = self.storage.as_mut() {
                    if let Err(e) = storage.commit_snapshot(&self.graph) {
                        self.graph.discard_since(mark);
                        return Err(e);
                    }
                }
            }
            self.graph.commit();
            return Ok(summary);
        }
        // Like a statement: refused on a read-only file; inside an explicit
        // transaction it waits for its commit (a rollback undoes it);
        // otherwise it commits now, as one commit, durably with a file.
        self.end_statement(mark)?;
        Ok(summary)
    }

    /// Records the labels and properties of every entity the rows mention.
    fn snapshot_entities(&self, result: &mut QueryResult) {
        let mut nodes = Vec::new();
        let mut rels = Vec::new();
        for row in &result.rows {
            for v in row {
                collect_entities(v, &mut nodes, &mut rels);
            }
        }
        for r in rels {
            if result.relationships.contains_key(&r) {
                continue;
            }
            let snap = match (self.graph.relationship(r), self.graph.endpoints(r)) {
                (Some(rec), Some((s, e))) => Some((rec.rel_type, self.graph.relationship_props_map(r), s, e)),
                _ => self
                    .graph
                    .deleted_relationship(r)
                    .map(|(rec, props, s, e)| (rec.rel_type, self.graph.props_to_map(props), s, e)),
            };
            if let Some((rel_type, properties, start, end)) = snap {
                nodes.push(start);
                nodes.push(end);
                result.relationships.insert(
                    r,
                    RelSnapshot {
                        id: r,
                        rel_type: self.graph.types.name(rel_type).to_string(),
                        start,
                        end,
                        properties,
                    },
                );
            }
        }
        for n in nodes {
            if result.nodes.contains_key(&n) {
                continue;
            }
            let snap = match self.graph.node(n) {
                Some(rec) => Some((&rec.labels, self.graph.node_props_map(n))),
                None => self
                    .graph
                    .deleted_node(n)
                    .map(|(rec, props)| (&rec.labels, self.graph.props_to_map(props))),
            };
            if let Some((labels, properties)) = snap {
                result.nodes.insert(
                    n,
                    NodeSnapshot {
                        id: n,
                        labels: self.graph.label_names(labels),
                        properties,
                    },
                );
            }
        }
    }

    /// Makes `CALL <name>(...)` run `procedure`; replaces one of the same name
    /// (names are matched without regard to case).
    pub fn register_procedure(&mut self, procedure: Procedure) {
        self.procedures.insert(procedure.name.to_ascii_lowercase(), procedure);
    }

    /// A flag that, once set, cancels the running statement (it fails with
    /// `Interrupted` and changes nothing). The flag is cleared when a statement starts.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// Evaluates a constant expression written as a Cypher literal (`[1, 'a', {k: 2.5}]`,
    /// `date('2025-11-04')`), as `--param` and `:param` take them.
    pub fn eval_literal(&mut self, text: &str) -> Result<Value> {
        let expr = crate::parser::parse_expression(text).map_err(|e| Error::from_parse(e, text))?;
        let statement = format!("RETURN {text} AS value");
        let _ = expr;
        let r = self.execute(&statement, &Params::new()).map_err(|mut e| {
            e.position = None;
            e.source_line = None;
            e
        })?;
        if !r.stats.is_empty() {
            return Err(Error::new(
                ErrorKind::SyntaxError,
                "InvalidParameterUse",
                Phase::Compile,
                "a parameter value cannot change the graph",
            ));
        }
        match r.rows.into_iter().next().and_then(|row| row.into_iter().next()) {
            Some(v) if !matches!(v, Value::Node(_) | Value::Relationship(_) | Value::Path(_)) => Ok(v),
            _ => Err(Error::new(
                ErrorKind::SyntaxError,
                "InvalidParameterUse",
                Phase::Compile,
                format!("`{text}` is not a value a parameter can hold"),
            )),
        }
    }

    /// Labels, relationship types and property keys with their counts.
    pub fn schema(&self) -> Schema {
        let g = &self.graph;
        let mut labels: Vec<(String, usize)> = g
            .labels
            .iter()
            .map(|(id, n)| (n.to_string(), g.label_count(id)))
            .filter(|(_, c)| *c > 0)
            .collect();
        labels.sort();
        let mut relationship_types: Vec<(String, usize)> = g
            .types
            .iter()
            .map(|(id, n)| (n.to_string(), g.type_count(id)))
            .filter(|(_, c)| *c > 0)
            .collect();
        relationship_types.sort();
        let key_counts: HashMap<u32, usize> = g.property_key_counts().into_iter().collect();
        let mut property_keys: Vec<(String, usize)> = key_counts
            .into_iter()
            .map(|(k, c)| (g.keys.name(k).to_string(), c))
            .collect();
        property_keys.sort();
        Schema {
            labels,
            relationship_types,
            property_keys,
        }
    }

    /// Number of nodes and relationships.
    pub fn counts(&self) -> (usize, usize) {
        (self.graph.node_count(), self.graph.relationship_count())
    }

    /// Plans every pattern naively (first node first, written order): for
    /// differential tests of the planner's choices.
    #[doc(hidden)]
    pub fn set_naive_planning(&mut self, naive: bool) {
        self.plan_options.naive = naive;
    }
}

/// Rows of the built-in procedures, which read the graph itself.
pub(crate) fn builtin_procedure(graph: &Graph, name: &str) -> Option<Vec<Vec<Value>>> {
    let names: Vec<String> = match name.to_ascii_lowercase().as_str() {
        "db.labels" => graph
            .labels
            .iter()
            .filter(|(id, _)| graph.label_count(*id) > 0)
            .map(|(_, n)| n.to_string())
            .collect(),
        "db.relationshiptypes" => graph
            .types
            .iter()
            .filter(|(id, _)| graph.type_count(*id) > 0)
            .map(|(_, n)| n.to_string())
            .collect(),
        "db.propertykeys" => graph
            .property_key_counts()
            .into_iter()
            .map(|(k, _)| graph.keys.name(k).to_string())
            .collect(),
        _ => return None,
    };
    let mut names = names;
    names.sort();
    Some(names.into_iter().map(|n| vec![Value::from(n)]).collect())
}

fn collect_entities(v: &Value, nodes: &mut Vec<NodeId>, rels: &mut Vec<RelId>) {
    match v {
        Value::Node(n) => nodes.push(*n),
        Value::Relationship(r) => rels.push(*r),
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => items.iter().for_each(|i| collect_entities(i, nodes, rels)),
        Value::Map(m) => m.values().for_each(|i| collect_entities(i, nodes, rels)),
        _ => {}
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
