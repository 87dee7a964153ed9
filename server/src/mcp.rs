//! The Model Context Protocol over standard input and output (the official
//! Rust SDK, `rmcp`), so that AI agents can query a graph:
//!
//! - `query {query, parameters?, row_limit?}`: runs a statement; read-only
//!   unless the server allows writes (the engine refuses a plan that writes,
//!   whatever its keywords); answers `{"columns", "rows", "stats"}` with
//!   values as the HTTP API's plain JSON, at most `row_limit` rows (100 by
//!   default) and `"truncated": true` when there were more;
//! - `schema`: labels, relationship types and their patterns, and property
//!   keys with their value types and counts, compact enough for a model's context;
//! - `explain {query}`: the plan.
//!
//! A statement that fails comes back as a tool error with quiver's message
//! (its position and hint included).

use std::collections::BTreeMap;
use std::sync::Arc;

use quiver::{Database, Value};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{json, Value as Json};

use crate::backend::EntityLookup;

/// The most rows `query` returns when not told.
pub const DEFAULT_ROW_LIMIT: usize = 100;
/// The most rows `query` returns at all.
pub const MAX_ROW_LIMIT: usize = 10_000;

/// The MCP server over one graph.
#[derive(Clone)]
pub struct McpServer {
    db: Arc<Database>,
    allow_writes: bool,
}

fn schema_object(v: Json) -> Arc<rmcp::model::JsonObject> {
    match v {
        Json::Object(m) => Arc::new(m),
        _ => Arc::new(Default::default()),
    }
}

fn text(s: impl Into<String>) -> ContentBlock {
    ContentBlock::text(s)
}

/// The Cypher type name of a value (as `valueType()` spells them).
fn type_name(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(_) => "BOOLEAN".into(),
        Value::Int(_) => "INTEGER".into(),
        Value::Float(_) => "FLOAT".into(),
        Value::String(_) => "STRING".into(),
        Value::List(items) => {
            let mut inner: Vec<String> = items.iter().map(type_name).collect();
            inner.sort();
            inner.dedup();
            match inner.len() {
                0 => "LIST<NOTHING>".into(),
                1 => format!("LIST<{}>", inner[0]),
                _ => "LIST<ANY>".into(),
            }
        }
        Value::Map(_) => "MAP".into(),
        Value::Node(_) => "NODE".into(),
        Value::Relationship(_) => "RELATIONSHIP".into(),
        Value::Path(_) => "PATH".into(),
        Value::Date(_) => "DATE".into(),
        Value::LocalTime(_) => "LOCAL TIME".into(),
        Value::Time(_) => "ZONED TIME".into(),
        Value::LocalDateTime(_) => "LOCAL DATETIME".into(),
        Value::DateTime(_) => "ZONED DATETIME".into(),
        Value::Duration(_) => "DURATION".into(),
    }
}

/// Property key -> value type -> count, for one label or type.
#[derive(Default)]
struct Shape {
    count: u64,
    keys: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Shape {
    fn add(&mut self, props: &Value) {
        self.count += 1;
        if let Value::Map(m) = props {
            for (k, v) in m.iter() {
                *self
                    .keys
                    .entry(k.to_string())
                    .or_default()
                    .entry(type_name(v))
                    .or_default() += 1;
            }
        }
    }

    fn to_json(&self) -> Json {
        let props: serde_json::Map<String, Json> = self
            .keys
            .iter()
            .map(|(k, types)| {
                let described: Vec<String> = types.iter().map(|(t, n)| format!("{t} ({n})")).collect();
                (k.clone(), json!(described.join(", ")))
            })
            .collect();
        json!({"count": self.count, "properties": props})
    }
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .iter()
            .filter_map(|i| match i {
                Value::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// What the graph holds: labels, types, patterns, property keys with types.
#[allow(clippy::result_large_err)] // quiver::Error is large by design
pub fn describe_schema(db: &Database) -> Result<Json, quiver::Error> {
    let p = quiver::Params::new();
    let mut labels: BTreeMap<String, Shape> = BTreeMap::new();
    let mut unlabelled = Shape::default();
    for row in db.query("MATCH (n) RETURN labels(n) AS l, properties(n) AS p", &p)? {
        let row = row?;
        let ls = strings(&row[0]);
        if ls.is_empty() {
            unlabelled.add(&row[1]);
        }
        for l in ls {
            labels.entry(l).or_default().add(&row[1]);
        }
    }
    let mut types: BTreeMap<String, Shape> = BTreeMap::new();
    let mut patterns: BTreeMap<String, u64> = BTreeMap::new();
    let q = "MATCH (a)-[r]->(b) RETURN type(r) AS t, properties(r) AS p, labels(a) AS la, labels(b) AS lb";
    for row in db.query(q, &p)? {
        let row = row?;
        let Value::String(t) = &row[0] else { continue };
        types.entry(t.to_string()).or_default().add(&row[1]);
        let side = |v: &Value| {
            let ls = strings(v);
            if ls.is_empty() {
                "()".to_string()
            } else {
                format!("(:{})", ls.join(":"))
            }
        };
        *patterns
            .entry(format!("{}-[:{t}]->{}", side(&row[2]), side(&row[3])))
            .or_default() += 1;
    }
    let shapes = |m: &BTreeMap<String, Shape>| -> serde_json::Map<String, Json> {
        m.iter().map(|(k, s)| (k.clone(), s.to_json())).collect()
    };
    let mut out = json!({
        "labels": shapes(&labels),
        "relationshipTypes": shapes(&types),
        "patterns": patterns,
    });
    if unlabelled.count > 0 {
        out["unlabelledNodes"] = unlabelled.to_json();
    }
    Ok(out)
}

/// A statement's failure, as the tool's error text: quiver's message, where, and the hint.
fn failure(e: &quiver::Error) -> CallToolResult {
    CallToolResult::error(vec![text(e.to_string())])
}

impl McpServer {
    /// `allow_writes`: whether `query` may change the graph.
    pub fn new(db: Database, allow_writes: bool) -> McpServer {
        db.deny_writes(!allow_writes);
        McpServer {
            db: Arc::new(db),
            allow_writes,
        }
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    fn tools(&self) -> Vec<Tool> {
        let query_description = if self.allow_writes {
            "Run one statement of quiver's query language (a subset of openCypher, as Neo4j's Cypher writes it) \
             on the property graph; it may read or change the graph. Returns columns, rows (nodes as \
             {elementId, labels, properties}) and what it changed. Use $name parameters for values."
        } else {
            "Run one read-only statement of quiver's query language (a subset of openCypher, as Neo4j's Cypher \
             writes it) on the property graph; statements that would change the graph are refused. Returns \
             columns and rows (nodes as {elementId, labels, properties}). Use $name parameters for values. \
             Call `schema` first to learn the labels, relationship types and property keys."
        };
        let mut query = Tool::new(
            "query",
            query_description,
            schema_object(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "the statement, e.g. MATCH (p:Person) RETURN p.name LIMIT 10"},
                    "parameters": {"type": "object", "description": "values for $name parameters", "additionalProperties": true},
                    "row_limit": {"type": "integer", "minimum": 1, "maximum": MAX_ROW_LIMIT, "description": format!("the most rows to return (default {DEFAULT_ROW_LIMIT})")},
                },
                "required": ["query"],
            })),
        );
        let mut annotations = ToolAnnotations::new();
        annotations.read_only_hint = Some(!self.allow_writes);
        annotations.destructive_hint = Some(self.allow_writes);
        annotations.idempotent_hint = Some(!self.allow_writes);
        annotations.open_world_hint = Some(false);
        query.annotations = Some(annotations);
        let read_only = || {
            let mut a = ToolAnnotations::new();
            a.read_only_hint = Some(true);
            a.open_world_hint = Some(false);
            Some(a)
        };
        let mut schema = Tool::new(
            "schema",
            "Describe the graph: node labels and relationship types with their counts, the patterns \
             (:A)-[:TYPE]->(:B) that occur, and each one's property keys with their value types and counts.",
            schema_object(json!({"type": "object", "properties": {}})),
        );
        schema.annotations = read_only();
        let mut explain = Tool::new(
            "explain",
            "Show the plan quiver would run for a statement, without running it (errors in the statement are \
             reported with their position and a hint).",
            schema_object(json!({
                "type": "object",
                "properties": {"query": {"type": "string", "description": "the statement to plan"}},
                "required": ["query"],
            })),
        );
        explain.annotations = read_only();
        vec![query, schema, explain]
    }

    /// Runs one tool call (blocking: call it off the async threads).
    pub fn call(&self, name: &str, args: &serde_json::Map<String, Json>) -> Result<CallToolResult, ErrorData> {
        let query_arg = || -> Result<&str, ErrorData> {
            args.get("query")
                .and_then(Json::as_str)
                .filter(|q| !q.trim().is_empty())
                .ok_or_else(|| ErrorData::invalid_params("`query` (a string holding the statement) is required", None))
        };
        match name {
            "query" => {
                let q = query_arg()?;
                let params = match args.get("parameters") {
                    None | Some(Json::Null) => quiver::Params::new(),
                    Some(Json::Object(m)) => m.iter().map(|(k, v)| (k.clone(), crate::json::from_plain(v))).collect(),
                    Some(_) => {
                        return Err(ErrorData::invalid_params(
                            "`parameters` is an object of names to values",
                            None,
                        ))
                    }
                };
                let limit = match args.get("row_limit") {
                    None | Some(Json::Null) => DEFAULT_ROW_LIMIT,
                    Some(v) => match v.as_u64() {
                        Some(n) if n >= 1 => (n as usize).min(MAX_ROW_LIMIT),
                        _ => return Err(ErrorData::invalid_params("`row_limit` is a positive integer", None)),
                    },
                };
                Ok(self.run_query(q, &params, limit))
            }
            "schema" => match describe_schema(&self.db) {
                Ok(s) => Ok(CallToolResult::success(vec![text(s.to_string())])),
                Err(e) => Ok(failure(&e)),
            },
            "explain" => {
                let q = query_arg()?;
                let trimmed = q.trim_start();
                let head = trimmed.get(..7).unwrap_or("").to_ascii_uppercase();
                let statement = if head == "EXPLAIN" || head.starts_with("PROFILE") {
                    let rest = trimmed[7..].to_string();
                    format!("EXPLAIN {rest}")
                } else {
                    format!("EXPLAIN {q}")
                };
                match self.db.execute(&statement, &quiver::Params::new()) {
                    Ok(r) => Ok(CallToolResult::success(vec![text(r.plan.unwrap_or_default())])),
                    Err(e) => Ok(failure(&e)),
                }
            }
            other => Err(ErrorData::invalid_params(
                format!("there is no tool `{other}`: the tools are query, schema and explain"),
                None,
            )),
        }
    }

    fn run_query(&self, q: &str, params: &quiver::Params, limit: usize) -> CallToolResult {
        let mut stream = match self.db.query(q, params) {
            Ok(s) => s,
            Err(e) => return failure(&e),
        };
        let columns = stream.columns().to_vec();
        let mut rows = Vec::new();
        let mut truncated = false;
        loop {
            match stream.next() {
                None => break,
                Some(Err(e)) => return failure(&e),
                Some(Ok(row)) => {
                    if rows.len() == limit {
                        truncated = true;
                        break;
                    }
                    let lookup = StreamLookup::new(&stream, &row);
                    rows.push(Json::Array(
                        row.iter().map(|v| crate::json::plain(v, &lookup)).collect(),
                    ));
                }
            }
        }
        let stats: serde_json::Map<String, Json> = stream
            .stats()
            .fields()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| (k.to_string(), json!(n)))
            .collect();
        let mut out = json!({"columns": columns, "rows": rows});
        if !stats.is_empty() {
            out["stats"] = Json::Object(stats);
        }
        if truncated {
            out["truncated"] = json!(true);
            out["note"] = json!(format!(
                "only the first {limit} rows are shown: add LIMIT or aggregate, or pass a larger row_limit"
            ));
        }
        CallToolResult::success(vec![text(out.to_string())])
    }

    /// Serves MCP on standard input and output until the client closes them.
    pub fn serve_stdio(self) -> std::io::Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        runtime.block_on(async move {
            let service = self
                .serve(rmcp::transport::stdio())
                .await
                .map_err(|e| std::io::Error::other(format!("the MCP session did not start: {e}")))?;
            service
                .waiting()
                .await
                .map_err(|e| std::io::Error::other(format!("the MCP session failed: {e}")))?;
            Ok(())
        })
    }
}

/// The entities one row mentions, looked up in its stream.
struct StreamLookup {
    nodes: std::collections::HashMap<quiver::NodeId, quiver::NodeSnapshot>,
    rels: std::collections::HashMap<quiver::RelId, quiver::RelSnapshot>,
}

impl StreamLookup {
    fn new(stream: &quiver::QueryStream, row: &[Value]) -> StreamLookup {
        let (mut ns, mut rs) = (Vec::new(), Vec::new());
        for v in row {
            quiver::result::mentioned(v, &mut ns, &mut rs);
        }
        let mut out = StreamLookup {
            nodes: Default::default(),
            rels: Default::default(),
        };
        for r in rs {
            if let Some(s) = stream.relationship(r) {
                out.rels.insert(r, s);
            }
        }
        for n in ns {
            if let Some(s) = stream.node(n) {
                out.nodes.insert(n, s);
            }
        }
        out
    }
}

impl EntityLookup for StreamLookup {
    fn node(&self, id: quiver::NodeId) -> Option<&quiver::NodeSnapshot> {
        self.nodes.get(&id)
    }
    fn relationship(&self, id: quiver::RelId) -> Option<&quiver::RelSnapshot> {
        self.rels.get(&id)
    }
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        let mode = if self.allow_writes {
            "Statements may change the graph."
        } else {
            "The graph is read-only here: statements that would change it are refused."
        };
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("quiver", env!("CARGO_PKG_VERSION")))
            .with_instructions(format!(
                "quiver is an embedded property-graph database; it implements a subset of the openCypher query \
                 language. Call `schema` to see what the graph holds, `query` to run a statement, `explain` to \
                 see a plan. {mode}"
            ))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let server = self.clone();
        let name = request.name.to_string();
        let args = request.arguments.unwrap_or_default();
        tokio::task::spawn_blocking(move || server.call(&name, &args))
            .await
            .map_err(|e| ErrorData::internal_error(format!("the tool failed: {e}"), None))?
            .map(CallToolResponse::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(allow_writes: bool) -> McpServer {
        let db = Database::in_memory();
        db.execute(
            "CREATE (:Person {name: 'Ada', born: 1815})-[:KNOWS {since: date('1833-06-05')}]->(:Person {name: 'Charles'}), (:Place)",
            &quiver::Params::new(),
        )
        .unwrap();
        McpServer::new(db, allow_writes)
    }

    fn args(j: Json) -> serde_json::Map<String, Json> {
        j.as_object().unwrap().clone()
    }

    fn body(r: &CallToolResult) -> String {
        match &r.content[0] {
            ContentBlock::Text(t) => t.text.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn query_reads_and_refuses_writes_unless_allowed() {
        let s = server(false);
        let r = s
            .call("query", &args(json!({"query": "MATCH (p:Person) WHERE p.name = $n RETURN p.born AS born", "parameters": {"n": "Ada"}})))
            .unwrap();
        assert_ne!(r.is_error, Some(true));
        let j: Json = serde_json::from_str(&body(&r)).unwrap();
        assert_eq!(j["columns"], json!(["born"]));
        assert_eq!(j["rows"], json!([[1815]]));
        let r = s.call("query", &args(json!({"query": "CREATE (:X)"}))).unwrap();
        assert_eq!(r.is_error, Some(true));
        assert!(body(&r).contains("read-only"), "{}", body(&r));
        assert_eq!(s.database().counts(), (3, 1));
        let w = server(true);
        let r = w.call("query", &args(json!({"query": "CREATE (:X)"}))).unwrap();
        assert_ne!(r.is_error, Some(true));
        assert_eq!(w.database().counts(), (4, 1));
    }

    #[test]
    fn rows_are_limited() {
        let s = server(false);
        let r = s
            .call(
                "query",
                &args(json!({"query": "UNWIND range(1, 1000) AS i RETURN i", "row_limit": 5})),
            )
            .unwrap();
        let j: Json = serde_json::from_str(&body(&r)).unwrap();
        assert_eq!(j["rows"].as_array().unwrap().len(), 5);
        assert_eq!(j["truncated"], json!(true));
    }

    #[test]
    fn errors_carry_the_message_and_hint() {
        let s = server(false);
        let r = s.call("query", &args(json!({"query": "MATCH (n RETURN n"}))).unwrap();
        assert_eq!(r.is_error, Some(true));
        assert!(body(&r).contains("line 1"), "{}", body(&r));
        assert!(s.call("query", &args(json!({}))).is_err());
        assert!(s.call("nope", &args(json!({}))).is_err());
    }

    #[test]
    fn schema_and_explain() {
        let s = server(false);
        let r = s.call("schema", &args(json!({}))).unwrap();
        let j: Json = serde_json::from_str(&body(&r)).unwrap();
        assert_eq!(j["labels"]["Person"]["count"], json!(2));
        assert_eq!(j["labels"]["Person"]["properties"]["born"], json!("INTEGER (1)"));
        assert_eq!(j["labels"]["Place"]["count"], json!(1));
        assert_eq!(
            j["relationshipTypes"]["KNOWS"]["properties"]["since"],
            json!("DATE (1)")
        );
        assert_eq!(j["patterns"]["(:Person)-[:KNOWS]->(:Person)"], json!(1));
        let r = s
            .call("explain", &args(json!({"query": "MATCH (p:Person) RETURN p"})))
            .unwrap();
        assert_ne!(r.is_error, Some(true));
        assert!(!body(&r).is_empty());
        // A write is only planned, not run.
        let r = s.call("explain", &args(json!({"query": "CREATE (:Y)"}))).unwrap();
        assert_ne!(r.is_error, Some(true));
        assert_eq!(s.database().counts(), (3, 1));
    }
}
