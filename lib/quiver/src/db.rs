//! The embedding API: open a database, run statements, read results — whole
//! ([`Database::execute`]) or as a stream of rows ([`Database::query`]).

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::ast::Mode;
use crate::error::{Error, ErrorKind, Phase, Result};
use crate::exec::{self, BoxCursor, Eval, ProfileStats, StatementContext};
use crate::plan::{self, QueryPlan};
use crate::procedure::{Procedure, Procedures};
use crate::result::{NodeSnapshot, QueryResult, RelSnapshot, Stats};
use crate::store::{Graph, GraphRead, Mark};
use crate::value::{NodeId, RelId, Value};

mod persist;
pub use persist::Transaction;

pub use crate::value::Params;

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
    /// Shared with the streams of read statements while they run (which
    /// borrow the database, so nothing writes meanwhile).
    graph: Arc<Graph>,
    plan_options: plan::PlanOptions,
    procedures: Arc<Procedures>,
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

/// A cancel flag: set it (from any thread) and the statement it was given
/// to fails with `Interrupted`, changing nothing.
pub type Interrupt = Arc<AtomicBool>;

impl Database {
    /// An empty graph held in memory.
    pub fn in_memory() -> Database {
        Database {
            graph: Arc::new(Graph::new()),
            plan_options: Default::default(),
            procedures: Arc::new(Procedures::with_builtins()),
            storage: None,
            tx: None,
        }
    }

    /// The graph, to change (no stream can be reading it: streams borrow the database).
    fn graph_mut(&mut self) -> &mut Graph {
        Arc::get_mut(&mut self.graph).expect("a stream outlived its borrow of the database")
    }

    /// Runs one statement to the end (a trailing `;` is allowed) and returns
    /// its whole result. The statement is atomic: when it fails, the graph
    /// is exactly as it was before.
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, Interrupt::default())
    }

    /// [`Database::execute`], cancelled when `interrupt` is set.
    pub fn execute_with(&mut self, query: &str, params: &Params, interrupt: Interrupt) -> Result<QueryResult> {
        self.query_with(query, params, interrupt)?.into_result()
    }

    /// Runs one statement and returns its rows as they are made: a statement
    /// that only reads computes each row when the stream is asked for it (so
    /// taking a few rows of a large result, or dropping the stream, stops the
    /// work); one that writes runs to the end first, as writes must.
    ///
    /// ```
    /// use quiver::{Database, Params, Value};
    /// let mut db = Database::in_memory();
    /// let mut rows = db.query("UNWIND range(1, 1000000000) AS x RETURN x", &Params::new())?;
    /// assert_eq!(rows.columns(), ["x"]);
    /// assert_eq!(rows.next().unwrap()?, vec![Value::Int(1)]);
    /// assert_eq!(rows.next().unwrap()?, vec![Value::Int(2)]);
    /// # Ok::<(), quiver::Error>(())
    /// ```
    pub fn query(&mut self, query: &str, params: &Params) -> Result<QueryStream<'_>> {
        self.query_with(query, params, Interrupt::default())
    }

    /// [`Database::query`], cancelled when `interrupt` is set (the stream's
    /// next row is then an `Interrupted` error).
    pub fn query_with(&mut self, query: &str, params: &Params, interrupt: Interrupt) -> Result<QueryStream<'_>> {
        let statement = crate::parser::parse_statement(query).map_err(|e| Error::from_parse(e, query))?;
        crate::semantic::check(&statement).map_err(|e| e.into_error(query))?;
        let plan = plan::plan_query(&statement.query, &*self.graph, &self.procedures, self.plan_options)
            .map_err(|e| e.into_error(query))?;
        let columns = plan.columns.clone();
        if statement.mode == Mode::Explain {
            // The plan is the answer: no columns, no rows.
            return Ok(QueryStream::done(self, Vec::new(), Some(plan::explain(&plan))));
        }
        let st = StatementContext::new(params.clone(), interrupt, self.procedures.clone());
        let profile = (statement.mode == Mode::Profile).then(|| exec::profile_stats(&plan));
        if !plan.writes {
            let owner = StreamOwner {
                graph: self.graph.clone(),
                plan,
                st,
                profile,
            };
            let cell = StreamCell::try_new(owner, |o| {
                exec::read_query(Eval::new(&*o.graph, &o.st), &o.plan, o.profile.as_ref())
            })
            .map_err(|e| e.into_error())?;
            return Ok(QueryStream {
                columns,
                inner: Inner::Reading(Box::new(cell)),
                stats: Stats::default(),
                plan: None,
                entities: Entities::default(),
                _db: PhantomData,
            });
        }
        let mark = self.graph.mark();
        let mut stats = Stats::default();
        let outcome = exec::run_write(self.graph_mut(), &st, &plan, &mut stats, profile.as_ref());
        let rows = match outcome {
            Ok(rows) => rows,
            Err(e) => {
                self.graph_mut().rollback(mark);
                return Err(e.into_error());
            }
        };
        // Entities as the statement left them (deleted ones too), before a
        // commit forgets what it deleted.
        let mut entities = Entities::default();
        if !plan.columns.is_empty() {
            entities.snapshot(&*self.graph, &rows);
        }
        let plan_text = profile.map(|p| plan::profile(&plan, &exec::profile_figures(&plan, &p)));
        // Outside an explicit transaction the statement commits now (and, with
        // a file, is durable before this returns).
        self.end_statement(mark)?;
        let mut stream = QueryStream::done(self, columns, plan_text);
        stream.stats = stats;
        stream.entities = entities;
        stream.inner = Inner::Made(rows.into_iter());
        Ok(stream)
    }

    /// Bulk-loads node and relationship files straight into the store (see
    /// [`crate::import`]): all of them, or, when any row is bad, nothing.
    /// Outside an explicit transaction the import is one commit (with a
    /// file, durable when this returns); inside one, it is part of it.
    pub fn import(&mut self, spec: &crate::import::ImportSpec) -> Result<crate::import::ImportSummary> {
        self.import_with_progress(spec, &mut (), &Interrupt::default())
    }

    /// [`Database::import`], telling `progress` how many bytes have been read;
    /// `interrupt` cancels it.
    pub fn import_with_progress(
        &mut self,
        spec: &crate::import::ImportSpec,
        progress: &mut dyn crate::import::Progress,
        interrupt: &AtomicBool,
    ) -> Result<crate::import::ImportSummary> {
        let mark = self.graph.mark();
        // Outside an explicit transaction, on a file open for writing (or in
        // memory), the import is a bulk load: its entities are not journalled,
        // and with a file it commits by writing a new snapshot (atomically:
        // temp file, fsync, rename) instead of a log record of every entity.
        let bulk = self.tx.is_none() && !self.is_read_only();
        // On a bad row the import has already undone itself back to `mark`.
        let summary = crate::import::run(self.graph_mut(), spec, progress, interrupt, !bulk)?;
        if bulk {
            if self.graph.changed_since(mark) {
                if let Some(storage) = self.storage.as_mut() {
                    if let Err(e) = storage.commit_snapshot(&self.graph) {
                        self.graph_mut().discard_since(mark);
                        return Err(e);
                    }
                }
            }
            self.graph_mut().commit();
            return Ok(summary);
        }
        // Like a statement: refused on a read-only file; inside an explicit
        // transaction it waits for its commit (a rollback undoes it);
        // otherwise it commits now, as one commit, durably with a file.
        self.end_statement(mark)?;
        Ok(summary)
    }

    /// Makes `CALL <name>(...)` run `procedure`; replaces one of the same name
    /// (names are matched without regard to case).
    pub fn register_procedure(&mut self, procedure: Procedure) {
        Arc::make_mut(&mut self.procedures).register(procedure);
    }

    /// The procedures `CALL` can run: the built-ins and the registered ones.
    pub fn procedures(&self) -> &Procedures {
        &self.procedures
    }

    /// Evaluates a constant expression written as a Cypher literal (`[1, 'a', {k: 2.5}]`,
    /// `date('2025-11-04')`), as `--param` and `:param` take them.
    pub fn eval_literal(&mut self, text: &str) -> Result<Value> {
        let expr = crate::parser::parse_expression(text).map_err(|e| Error::from_parse(e, text))?;
        let span = expr.span;
        let statement = crate::ast::Query {
            first: crate::ast::SingleQuery {
                clauses: vec![crate::ast::Clause::Return(crate::ast::Return {
                    projection: crate::ast::Projection {
                        distinct: false,
                        star: false,
                        items: vec![crate::ast::ProjectionItem {
                            expr,
                            alias: Some(crate::ast::Ident::new("value", span)),
                            text: text.to_string(),
                        }],
                        order_by: Vec::new(),
                        skip: None,
                        limit: None,
                    },
                    span,
                })],
                span,
            },
            unions: Vec::new(),
        };
        let not_a_value =
            |what: String| Error::new(ErrorKind::SyntaxError, "InvalidParameterUse", Phase::Compile, what);
        let plan = plan::plan_query(&statement, &*self.graph, &self.procedures, self.plan_options).map_err(|e| {
            let mut e = e.into_error(text);
            e.position = None;
            e.source_line = None;
            e
        })?;
        if plan.writes {
            return Err(not_a_value("a parameter value cannot change the graph".into()));
        }
        let st = StatementContext::new(Params::new(), Interrupt::default(), self.procedures.clone());
        let mut cursor = exec::read_query(Eval::new(&*self.graph, &st), &plan, None).map_err(|e| e.into_error())?;
        let mut row = Vec::new();
        let found = cursor.next(&mut row).map_err(|e| e.into_error())?;
        match (found, row.into_iter().next()) {
            (true, Some(v)) if !matches!(v, Value::Node(_) | Value::Relationship(_) | Value::Path(_)) => Ok(v),
            _ => Err(not_a_value(format!("`{text}` is not a value a parameter can hold"))),
        }
    }

    /// Labels, relationship types and property keys with their counts.
    pub fn schema(&self) -> Schema {
        let g: &dyn GraphRead = &*self.graph;
        let catalog = g.catalog();
        let counted = |names: Vec<(u32, Arc<str>)>, count: &dyn Fn(u32) -> usize| {
            let mut v: Vec<(String, usize)> = names
                .into_iter()
                .map(|(id, n)| (n.to_string(), count(id)))
                .filter(|(_, c)| *c > 0)
                .collect();
            v.sort();
            v
        };
        let key_counts: HashMap<u32, usize> = g.property_key_counts().into_iter().collect();
        Schema {
            labels: counted(catalog.labels.all(), &|l| g.label_count(l)),
            relationship_types: counted(catalog.types.all(), &|t| g.type_count(t)),
            property_keys: counted(catalog.keys.all(), &|k| key_counts.get(&k).copied().unwrap_or(0)),
        }
    }

    /// Number of nodes and relationships.
    pub fn counts(&self) -> (usize, usize) {
        (self.graph.node_count(), self.graph.relationship_count())
    }

    /// The graph as it is now, for reading (algorithms, exports).
    pub fn read(&self) -> &dyn GraphRead {
        &*self.graph
    }

    /// Plans every pattern naively (first node first, written order): for
    /// differential tests of the planner's choices.
    #[doc(hidden)]
    pub fn set_naive_planning(&mut self, naive: bool) {
        self.plan_options.naive = naive;
    }
}

/// What a read statement's stream owns: the graph it reads, its plan and its context.
struct StreamOwner {
    graph: Arc<Graph>,
    plan: QueryPlan,
    st: StatementContext,
    profile: Option<ProfileStats>,
}

type Rows<'a> = BoxCursor<'a>;

self_cell::self_cell!(
    /// A read statement's cursor, with what it borrows.
    struct StreamCell {
        owner: StreamOwner,
        #[covariant]
        dependent: Rows,
    }
);

enum Inner {
    /// A read statement, computing each row when asked.
    Reading(Box<StreamCell>),
    /// A write statement's rows, made already.
    Made(std::vec::IntoIter<Vec<Value>>),
    Finished,
}

/// The rows of one statement, in order, as [`Database::query`] gives them.
/// Each row has one value per column. It borrows the database: nothing else
/// runs on it while the stream lives.
pub struct QueryStream<'db> {
    columns: Vec<String>,
    inner: Inner,
    stats: Stats,
    plan: Option<String>,
    /// The entities a write statement's rows mention, as it left them.
    entities: Entities,
    _db: PhantomData<&'db mut Database>,
}

impl<'db> QueryStream<'db> {
    fn done(_db: &'db Database, columns: Vec<String>, plan: Option<String>) -> QueryStream<'db> {
        QueryStream {
            columns,
            inner: Inner::Finished,
            stats: Stats::default(),
            plan,
            entities: Entities::default(),
            _db: PhantomData,
        }
    }

    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// What the statement changed (a statement that writes has changed it all
    /// by the time its stream is returned).
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The plan, for EXPLAIN; for PROFILE, once every row has been read.
    pub fn plan(&self) -> Option<&str> {
        self.plan.as_deref()
    }

    /// The graph a read statement reads.
    fn graph(&self) -> Option<&dyn GraphRead> {
        match &self.inner {
            Inner::Reading(cell) => Some(&*cell.borrow_owner().graph),
            _ => self.entities.graph.as_deref().map(|g| g as &dyn GraphRead),
        }
    }

    /// A node's labels and properties as the statement sees it (`None` if
    /// there is no such node).
    pub fn node(&self, id: NodeId) -> Option<NodeSnapshot> {
        match self.entities.nodes.get(&id) {
            Some(n) => Some(n.clone()),
            None => node_snapshot(self.graph()?, id),
        }
    }

    /// A relationship's type, ends and properties as the statement sees it.
    pub fn relationship(&self, id: RelId) -> Option<RelSnapshot> {
        match self.entities.rels.get(&id) {
            Some(r) => Some(r.clone()),
            None => rel_snapshot(self.graph()?, id),
        }
    }

    /// Reads every remaining row into a [`QueryResult`] (with the entities its
    /// rows mention).
    pub fn into_result(mut self) -> Result<QueryResult> {
        let mut rows = Vec::new();
        for row in self.by_ref() {
            rows.push(row?);
        }
        let mut result = QueryResult {
            columns: std::mem::take(&mut self.columns),
            rows,
            stats: self.stats,
            plan: self.plan.take(),
            nodes: HashMap::new(),
            relationships: HashMap::new(),
        };
        let mut wanted = (Vec::new(), Vec::new());
        for row in &result.rows {
            for v in row {
                crate::result::mentioned(v, &mut wanted.0, &mut wanted.1);
            }
        }
        for r in wanted.1 {
            if let std::collections::hash_map::Entry::Vacant(e) = result.relationships.entry(r) {
                if let Some(snap) = self.relationship(r) {
                    wanted.0.push(snap.start);
                    wanted.0.push(snap.end);
                    e.insert(snap);
                }
            }
        }
        for n in wanted.0 {
            if let std::collections::hash_map::Entry::Vacant(e) = result.nodes.entry(n) {
                if let Some(snap) = self.node(n) {
                    e.insert(snap);
                }
            }
        }
        Ok(result)
    }

    fn finish_profile(&mut self) {
        if let Inner::Reading(cell) = &self.inner {
            let owner = cell.borrow_owner();
            if let Some(p) = &owner.profile {
                self.plan = Some(plan::profile(&owner.plan, &exec::profile_figures(&owner.plan, p)));
            }
        }
    }
}

impl Iterator for QueryStream<'_> {
    type Item = Result<Vec<Value>>;

    fn next(&mut self) -> Option<Self::Item> {
        let outcome = match &mut self.inner {
            Inner::Finished => return None,
            Inner::Made(rows) => return rows.next().map(Ok),
            Inner::Reading(cell) => cell.with_dependent_mut(|_, cursor| {
                let mut row = Vec::new();
                cursor.next(&mut row).map(|more| more.then_some(row))
            }),
        };
        match outcome {
            Ok(Some(row)) => Some(Ok(row)),
            Ok(None) => {
                self.finish_profile();
                // Keep the graph for entity lookups, but never ask the cursor again.
                if let Inner::Reading(cell) = std::mem::replace(&mut self.inner, Inner::Finished) {
                    let owner = cell.into_owner();
                    self.inner = Inner::Made(Vec::new().into_iter());
                    self.entities.graph = Some(owner.graph);
                }
                None
            }
            Err(e) => {
                self.inner = Inner::Finished;
                Some(Err(e.into_error()))
            }
        }
    }
}

/// Entity details kept for a stream's rows.
#[derive(Default)]
struct Entities {
    nodes: HashMap<NodeId, NodeSnapshot>,
    rels: HashMap<RelId, RelSnapshot>,
    /// The graph a finished read stream read (so its entities can still be looked up).
    graph: Option<Arc<Graph>>,
}

impl Entities {
    /// Records the labels and properties of every entity `rows` mention.
    fn snapshot(&mut self, g: &dyn GraphRead, rows: &[Vec<Value>]) {
        let (mut nodes, mut rels) = (Vec::new(), Vec::new());
        for row in rows {
            for v in row {
                crate::result::mentioned(v, &mut nodes, &mut rels);
            }
        }
        for r in rels {
            if !self.rels.contains_key(&r) {
                if let Some(snap) = rel_snapshot(g, r) {
                    nodes.push(snap.start);
                    nodes.push(snap.end);
                    self.rels.insert(r, snap);
                }
            }
        }
        for n in nodes {
            if !self.nodes.contains_key(&n) {
                if let Some(snap) = node_snapshot(g, n) {
                    self.nodes.insert(n, snap);
                }
            }
        }
    }
}

/// A node as `g` sees it (or as its transaction last saw it, if it deleted it).
fn node_snapshot(g: &dyn GraphRead, id: NodeId) -> Option<NodeSnapshot> {
    let catalog = g.catalog();
    let (labels, properties) = match g.node_labels(id) {
        Some(labels) => (
            labels,
            g.node_properties(id)
                .into_iter()
                .map(|(k, v)| (catalog.keys.name(k), v.into_owned()))
                .collect(),
        ),
        None => {
            let (labels, props) = g.deleted_node(id)?;
            (
                labels,
                props.into_iter().map(|(k, v)| (catalog.keys.name(k), v)).collect(),
            )
        }
    };
    Some(NodeSnapshot {
        id,
        labels: labels.iter().map(|l| catalog.labels.name(*l).to_string()).collect(),
        properties,
    })
}

fn rel_snapshot(g: &dyn GraphRead, id: RelId) -> Option<RelSnapshot> {
    let catalog = g.catalog();
    let (rel, properties) = match g.relationship(id) {
        Some(rel) => (
            rel,
            g.relationship_properties(id)
                .into_iter()
                .map(|(k, v)| (catalog.keys.name(k), v.into_owned()))
                .collect(),
        ),
        None => {
            let (rel, props) = g.deleted_relationship(id)?;
            (rel, props.into_iter().map(|(k, v)| (catalog.keys.name(k), v)).collect())
        }
    };
    Some(RelSnapshot {
        id,
        rel_type: catalog.types.name(rel.rel_type).to_string(),
        start: rel.start,
        end: rel.end,
        properties,
    })
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
