//! `algo.*`: the graph algorithms of `quiver-algo` as procedures,
//! `CALL algo.NAME(config) YIELD ...`, run on the graph the statement reads (through
//! [`GraphView`], so a write statement's algorithm sees its own changes).
//!
//! `config` is an optional map. Keys every procedure takes:
//! - `nodeLabels` (list of strings, default all nodes): the nodes carrying at least one of them;
//! - `relationshipTypes` (list of strings, default all): the relationships of one of them
//!   (a relationship counts only when both its ends are chosen too);
//! - `orientation` (`'NATURAL'`, the default, `'REVERSE'` or `'UNDIRECTED'`, any case): which
//!   way relationships are followed. `algo.wcc`, `algo.triangleCount` and
//!   `algo.spanningForest` take the graph as undirected whatever it says.
//!
//! | procedure | yields | own keys (default) |
//! |---|---|---|
//! | `algo.pageRank` | `node, score` | `dampingFactor` (0.85), `maxIterations` (20), `tolerance` (1e-7), `weightProperty` |
//! | `algo.wcc` | `node, componentId` | |
//! | `algo.scc` | `node, componentId` | |
//! | `algo.betweenness` | `node, score` | `normalized` (true), `samplingSize` (all nodes: exact), `samplingSeed` (0), `sourceNodes`, `weightProperty` |
//! | `algo.closeness` | `node, score` | `weightProperty` |
//! | `algo.degree` | `node, score` | `weightProperty` |
//! | `algo.louvain` | `node, communityId, modularity` | `resolution` (1.0), `seed` (0), `tolerance` (1e-7), `maxLevels` (unbounded), `weightProperty` |
//! | `algo.modularity` | `modularity` | `communityProperty` (required), `resolution` (1.0), `weightProperty` |
//! | `algo.labelPropagation` | `node, communityId` | `maxIterations` (10), `seed` (0), `weightProperty` |
//! | `algo.triangleCount` | `node, triangles` | |
//! | `algo.kcore` | `node, coreness` | |
//! | `algo.bfs` | `node, depth` | `source` (required), `maxDepth` (unbounded) |
//! | `algo.dijkstra` | `path, cost` | `source` (required), `target` (all nodes reached), `weightProperty` |
//! | `algo.kShortestPaths` | `path, cost` | `source`, `target` (required), `k` (1), `weightProperty` |
//! | `algo.spanningForest` | `relationship` | `weightProperty` |
//!
//! Each algorithm is defined on its function in `quiver-algo` (networkx's definitions).
//! Per-node procedures give one row per chosen node, by ascending node id.
//!
//! Weights: `weightProperty` names a relationship property; a relationship without it (or
//! with null) weighs 1; a value that is not a number is an error naming `weightProperty`,
//! and so is a property name the graph has never held.
//!
//! Errors: an unknown key, a value of the wrong type or out of range, a missing required
//! key, a negative weight where it is refused (paths, PageRank, communities) or a source
//! that is not a node of the chosen graph is an `ArgumentError` (`InvalidArgumentValue`)
//! whose message names the key; a null value counts as absent. A statement cancelled while
//! an algorithm runs fails with `Interrupted`.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use quiver_algo::{self as qa, AlgoError, Orientation};

use crate::error::ErrorKind;
use crate::functions::FunctionError;
use crate::procedure::{Procedure, ProcedureContext, ValueType};
use crate::store::view::{GraphView, ViewEdge};
use crate::store::KeyId;
use crate::value::{Map, NodeId, Path, RelId, Value};

type Rows = Result<Vec<Vec<Value>>, FunctionError>;
type Fallible<T> = Result<T, FunctionError>;

/// The keys every algorithm takes.
const VIEW_KEYS: &[&str] = &["nodeLabels", "relationshipTypes", "orientation"];

/// A procedure's name, its own configuration keys, what it yields and what it does.
struct Spec {
    name: &'static str,
    keys: &'static [&'static str],
    yields: &'static [(&'static str, ValueType)],
    description: &'static str,
}

const NODE_SCORE: &[(&str, ValueType)] = &[("node", ValueType::Node), ("score", ValueType::Float)];
const NODE_COMPONENT: &[(&str, ValueType)] = &[("node", ValueType::Node), ("componentId", ValueType::Integer)];
const NODE_COMMUNITY: &[(&str, ValueType)] = &[("node", ValueType::Node), ("communityId", ValueType::Integer)];
const PATH_COST: &[(&str, ValueType)] = &[("path", ValueType::Path), ("cost", ValueType::Float)];

const PAGE_RANK: Spec = Spec {
    name: "algo.pageRank",
    keys: &["dampingFactor", "maxIterations", "tolerance", "weightProperty"],
    yields: NODE_SCORE,
    description: "PageRank of each node (power iteration; dangling nodes' rank spread evenly; scores sum to 1).",
};
const WCC: Spec = Spec {
    name: "algo.wcc",
    keys: &[],
    yields: NODE_COMPONENT,
    description: "Weakly connected components: nodes joined by relationships followed either way share a componentId.",
};
const SCC: Spec = Spec {
    name: "algo.scc",
    keys: &[],
    yields: NODE_COMPONENT,
    description: "Strongly connected components: nodes that reach each other along relationships share a componentId.",
};
const BETWEENNESS: Spec = Spec {
    name: "algo.betweenness",
    keys: &[
        "normalized",
        "samplingSize",
        "samplingSeed",
        "sourceNodes",
        "weightProperty",
    ],
    yields: NODE_SCORE,
    description: "Betweenness centrality (Brandes), exact or estimated from sampled sources.",
};
const CLOSENESS: Spec = Spec {
    name: "algo.closeness",
    keys: &["weightProperty"],
    yields: NODE_SCORE,
    description: "Closeness centrality with the Wasserman-Faust correction for disconnected graphs.",
};
const DEGREE: Spec = Spec {
    name: "algo.degree",
    keys: &["weightProperty"],
    yields: NODE_SCORE,
    description:
        "Degree (out with NATURAL, in with REVERSE, both with UNDIRECTED), or total weight with weightProperty.",
};
const LOUVAIN: Spec = Spec {
    name: "algo.louvain",
    keys: &["resolution", "seed", "tolerance", "maxLevels", "weightProperty"],
    yields: &[
        ("node", ValueType::Node),
        ("communityId", ValueType::Integer),
        ("modularity", ValueType::Float),
    ],
    description: "Louvain communities, with the modularity of the partition found (the same on every row).",
};
const MODULARITY: Spec = Spec {
    name: "algo.modularity",
    keys: &["communityProperty", "resolution", "weightProperty"],
    yields: &[("modularity", ValueType::Float)],
    description: "Modularity of the partition a node property gives (a node without it is a community of its own).",
};
const LABEL_PROPAGATION: Spec = Spec {
    name: "algo.labelPropagation",
    keys: &["maxIterations", "seed", "weightProperty"],
    yields: NODE_COMMUNITY,
    description: "Label propagation communities (asynchronous, seeded), each split into its connected parts.",
};
const TRIANGLE_COUNT: Spec = Spec {
    name: "algo.triangleCount",
    keys: &[],
    yields: &[("node", ValueType::Node), ("triangles", ValueType::Integer)],
    description: "The number of triangles through each node, the graph taken as undirected and simple.",
};
const KCORE: Spec = Spec {
    name: "algo.kcore",
    keys: &[],
    yields: &[("node", ValueType::Node), ("coreness", ValueType::Integer)],
    description: "Coreness: the largest k such that the node is in a subgraph where every node has degree >= k.",
};
const BFS: Spec = Spec {
    name: "algo.bfs",
    keys: &["source", "maxDepth"],
    yields: &[("node", ValueType::Node), ("depth", ValueType::Integer)],
    description: "Breadth-first search from source: each node reached, with its depth, in visiting order.",
};
const DIJKSTRA: Spec = Spec {
    name: "algo.dijkstra",
    keys: &["source", "target", "weightProperty"],
    yields: PATH_COST,
    description: "Weighted shortest path from source to target, or to every node reached when target is absent.",
};
const K_SHORTEST_PATHS: Spec = Spec {
    name: "algo.kShortestPaths",
    keys: &["source", "target", "k", "weightProperty"],
    yields: PATH_COST,
    description: "The k shortest loopless paths from source to target (Yen), by increasing cost.",
};
const SPANNING_FOREST: Spec = Spec {
    name: "algo.spanningForest",
    keys: &["weightProperty"],
    yields: &[("relationship", ValueType::Relationship)],
    description: "The relationships of a minimum spanning forest (Kruskal), the graph taken as undirected.",
};

fn make(spec: &'static Spec, body: crate::procedure::BuiltinBody) -> Procedure {
    let yields = spec.yields.iter().map(|(n, t)| (n.to_string(), t.clone())).collect();
    let description = format!(
        "{} Config keys: {}.",
        spec.description,
        VIEW_KEYS
            .iter()
            .chain(spec.keys)
            .copied()
            .collect::<Vec<_>>()
            .join(", ")
    );
    Procedure::builtin(
        spec.name,
        vec![("config".to_string(), ValueType::Map)],
        yields,
        &description,
        body,
    )
    .with_defaults(vec![Value::map(Map::new())])
}

/// The `algo.*` procedures.
pub(super) fn procedures() -> Vec<Procedure> {
    vec![
        make(&PAGE_RANK, |cx, a| page_rank(&Run::new(cx, a, &PAGE_RANK)?)),
        make(&WCC, |cx, a| wcc(&Run::new(cx, a, &WCC)?)),
        make(&SCC, |cx, a| scc(&Run::new(cx, a, &SCC)?)),
        make(&BETWEENNESS, |cx, a| betweenness(&Run::new(cx, a, &BETWEENNESS)?)),
        make(&CLOSENESS, |cx, a| closeness(&Run::new(cx, a, &CLOSENESS)?)),
        make(&DEGREE, |cx, a| degree(&Run::new(cx, a, &DEGREE)?)),
        make(&LOUVAIN, |cx, a| louvain(&Run::new(cx, a, &LOUVAIN)?)),
        make(&MODULARITY, |cx, a| modularity(&Run::new(cx, a, &MODULARITY)?)),
        make(&LABEL_PROPAGATION, |cx, a| {
            label_propagation(&Run::new(cx, a, &LABEL_PROPAGATION)?)
        }),
        make(&TRIANGLE_COUNT, |cx, a| {
            triangle_count(&Run::new(cx, a, &TRIANGLE_COUNT)?)
        }),
        make(&KCORE, |cx, a| kcore(&Run::new(cx, a, &KCORE)?)),
        make(&BFS, |cx, a| bfs(&Run::new(cx, a, &BFS)?)),
        make(&DIJKSTRA, |cx, a| dijkstra(&Run::new(cx, a, &DIJKSTRA)?)),
        make(&K_SHORTEST_PATHS, |cx, a| {
            k_shortest_paths(&Run::new(cx, a, &K_SHORTEST_PATHS)?)
        }),
        make(&SPANNING_FOREST, |cx, a| {
            spanning_forest(&Run::new(cx, a, &SPANNING_FOREST)?)
        }),
    ]
}

// ------------------------------------------------------------------ the procedures

fn page_rank(run: &Run<'_>) -> Rows {
    let opts = qa::PageRankOptions {
        orientation: run.orientation,
        damping_factor: run.float("dampingFactor", 0.85)?,
        max_iterations: run.count("maxIterations")?.unwrap_or(20),
        tolerance: run.float("tolerance", 1e-7)?,
    };
    let r = run.weighted(|w, stop| qa::pagerank(&run.view, &opts, w, stop))?;
    Ok(per_node(r.scores, Value::Float))
}

fn wcc(run: &Run<'_>) -> Rows {
    let r = run.unweighted(|stop| qa::wcc(&run.view, stop))?;
    Ok(per_node(r, integer))
}

fn scc(run: &Run<'_>) -> Rows {
    let r = run.unweighted(|stop| qa::scc(&run.view, run.orientation, stop))?;
    Ok(per_node(r, integer))
}

fn betweenness(run: &Run<'_>) -> Rows {
    let opts = qa::BetweennessOptions {
        orientation: run.orientation,
        normalized: run.boolean("normalized", true)?,
        sampling_size: run.count("samplingSize")?,
        sampling_seed: run.seed("samplingSeed")?,
    };
    let r = match run.nodes("sourceNodes")? {
        Some(_) if opts.sampling_size.is_some() => {
            return Err(run.bad_combination("sourceNodes", "samplingSize"));
        }
        Some(sources) => run.weighted(|w, stop| qa::betweenness_from_sources(&run.view, &opts, w, &sources, stop))?,
        None => run.weighted(|w, stop| qa::betweenness(&run.view, &opts, w, stop))?,
    };
    Ok(per_node(r, Value::Float))
}

fn closeness(run: &Run<'_>) -> Rows {
    let r = run.weighted(|w, stop| qa::closeness(&run.view, run.orientation, w, stop))?;
    Ok(per_node(r, Value::Float))
}

fn degree(run: &Run<'_>) -> Rows {
    let r = run.weighted(|w, stop| qa::degree(&run.view, run.orientation, w, stop))?;
    Ok(per_node(r, Value::Float))
}

fn louvain(run: &Run<'_>) -> Rows {
    let opts = qa::LouvainOptions {
        orientation: run.orientation,
        resolution: run.float("resolution", 1.0)?,
        seed: run.seed("seed")?,
        tolerance: run.float("tolerance", 1e-7)?,
        max_levels: run.count("maxLevels")?,
    };
    let r = run.weighted(|w, stop| qa::louvain(&run.view, &opts, w, stop))?;
    let q = Value::Float(r.modularity);
    Ok(r.communities
        .into_iter()
        .map(|(n, c)| vec![Value::Node(n), integer(c), q.clone()])
        .collect())
}

fn modularity(run: &Run<'_>) -> Rows {
    let resolution = run.float("resolution", 1.0)?;
    let (name, key) = run.property_key("communityProperty")?.ok_or_else(|| {
        run.missing(
            "communityProperty",
            "the name of the node property that holds each node's community",
        )
    })?;
    // Each distinct value is a community; a node without the property is alone in its own.
    #[derive(PartialEq, Eq, Hash)]
    enum Community {
        Int(i64),
        Name(Arc<str>),
        Alone(NodeId),
    }
    let graph = run.view.graph();
    let mut ids: HashMap<Community, u64> = HashMap::new();
    let mut of: HashMap<NodeId, u64> = HashMap::new();
    for n in petgraph::visit::IntoNodeIdentifiers::node_identifiers(&run.view) {
        let c = match graph.node_property(n, key).as_deref() {
            None | Some(Value::Null) => Community::Alone(n),
            Some(Value::Int(i)) => Community::Int(*i),
            Some(Value::String(s)) => Community::Name(s.clone()),
            Some(other) => {
                return Err(argument_error(format!(
                    "{}: communityProperty `{name}`: node {} has {}; a community must be an integer or a string",
                    run.spec.name,
                    n.0,
                    shown(other)
                )))
            }
        };
        let next = ids.len() as u64;
        of.insert(n, *ids.entry(c).or_insert(next));
    }
    let q = run.weighted(|w, stop| qa::modularity(&run.view, run.orientation, w, resolution, &|n| of[&n], stop))?;
    Ok(vec![vec![Value::Float(q)]])
}

fn label_propagation(run: &Run<'_>) -> Rows {
    let opts = qa::LabelPropagationOptions {
        orientation: run.orientation,
        max_iterations: run.count("maxIterations")?.unwrap_or(10),
        seed: run.seed("seed")?,
    };
    let r = run.weighted(|w, stop| qa::label_propagation(&run.view, &opts, w, stop))?;
    Ok(per_node(r.communities, integer))
}

fn triangle_count(run: &Run<'_>) -> Rows {
    let r = run.unweighted(|stop| qa::triangle_count(&run.view, stop))?;
    Ok(per_node(r, integer))
}

fn kcore(run: &Run<'_>) -> Rows {
    let r = run.unweighted(|stop| qa::kcore(&run.view, run.orientation, stop))?;
    Ok(per_node(r, integer))
}

fn bfs(run: &Run<'_>) -> Rows {
    let source = run.source()?;
    let max_depth = run.count("maxDepth")?.map(|d| d as u64);
    let r = run.unweighted(|stop| qa::bfs(&run.view, source, max_depth, run.orientation, stop))?;
    Ok(per_node(r, integer))
}

fn dijkstra(run: &Run<'_>) -> Rows {
    let source = run.source()?;
    let target = run.node("target")?;
    let paths = run.weighted(|w, stop| qa::dijkstra(&run.view, source, target, run.orientation, w, stop))?;
    Ok(path_rows(paths))
}

fn k_shortest_paths(run: &Run<'_>) -> Rows {
    let source = run.source()?;
    let target = run
        .node("target")?
        .ok_or_else(|| run.missing("target", "the node the paths end at"))?;
    let k = run.count("k")?.unwrap_or(1);
    let paths = run.weighted(|w, stop| qa::k_shortest_paths(&run.view, source, target, k, run.orientation, w, stop))?;
    Ok(path_rows(paths))
}

fn spanning_forest(run: &Run<'_>) -> Rows {
    let forest = run.weighted(|w, stop| qa::spanning_forest(&run.view, w, stop))?;
    Ok(forest
        .relationships
        .into_iter()
        .map(|r| vec![Value::Relationship(r)])
        .collect())
}

fn integer(v: u64) -> Value {
    Value::Int(v as i64)
}

fn per_node<T>(values: Vec<(NodeId, T)>, value: impl Fn(T) -> Value) -> Vec<Vec<Value>> {
    values
        .into_iter()
        .map(|(n, v)| vec![Value::Node(n), value(v)])
        .collect()
}

fn path_rows(paths: Vec<qa::Path<NodeId, RelId>>) -> Vec<Vec<Value>> {
    paths
        .into_iter()
        .map(|p| {
            let path = Path {
                nodes: p.nodes,
                rels: p.relationships,
            };
            vec![Value::Path(Arc::new(path)), Value::Float(p.cost)]
        })
        .collect()
}

// ------------------------------------------------------------------ configuration

/// One call: its procedure, its configuration and the graph view it chose.
struct Run<'a> {
    spec: &'static Spec,
    cx: &'a ProcedureContext<'a>,
    config: Arc<Map>,
    view: GraphView<'a>,
    /// Whether `nodeLabels` narrowed the view (for the message of a source outside it).
    narrowed: bool,
    orientation: Orientation,
}

fn argument_error(message: String) -> FunctionError {
    FunctionError::new(ErrorKind::ArgumentError, "InvalidArgumentValue", message)
}

/// A value as an error message shows it: the value (cut short) and its type.
fn shown(v: &Value) -> String {
    let text = v.to_string();
    let text = if text.chars().count() > 40 {
        format!("{}...", text.chars().take(37).collect::<String>())
    } else {
        text
    };
    format!("{text} (a {})", v.type_name())
}

impl<'a> Run<'a> {
    fn new(cx: &'a ProcedureContext<'a>, args: &[Value], spec: &'static Spec) -> Fallible<Run<'a>> {
        let config = match args.first() {
            Some(Value::Map(m)) => m.clone(),
            None | Some(Value::Null) => Arc::new(Map::new()),
            Some(other) => {
                return Err(argument_error(format!(
                    "{}: the configuration must be a map, got {}",
                    spec.name,
                    shown(other)
                )))
            }
        };
        if let Some(unknown) = config
            .keys()
            .find(|k| !VIEW_KEYS.iter().chain(spec.keys).any(|known| *known == &***k))
        {
            let keys: Vec<&str> = VIEW_KEYS.iter().chain(spec.keys).copied().collect();
            return Err(argument_error(format!(
                "{}: unknown configuration key `{unknown}`; the keys are {}",
                spec.name,
                keys.join(", ")
            )));
        }
        let mut run = Run {
            spec,
            cx,
            config,
            view: GraphView::new(cx.graph),
            narrowed: false,
            orientation: Orientation::Natural,
        };
        if let Some(labels) = run.names("nodeLabels")? {
            run.view = run.view.with_labels(&labels);
            run.narrowed = true;
        }
        if let Some(types) = run.names("relationshipTypes")? {
            run.view = run.view.with_types(&types);
        }
        if let Some(o) = run.get("orientation") {
            let Value::String(s) = o else {
                return Err(run.bad("orientation", o, "'NATURAL', 'REVERSE' or 'UNDIRECTED'"));
            };
            run.orientation = match s.to_ascii_uppercase().as_str() {
                "NATURAL" => Orientation::Natural,
                "REVERSE" => Orientation::Reverse,
                "UNDIRECTED" => Orientation::Undirected,
                _ => return Err(run.bad("orientation", o, "'NATURAL', 'REVERSE' or 'UNDIRECTED'")),
            };
        }
        Ok(run)
    }

    /// The value of `key`, unless absent or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.config.get(key).filter(|v| !v.is_null())
    }

    fn bad(&self, key: &str, given: &Value, allowed: &str) -> FunctionError {
        argument_error(format!(
            "{}: `{key}` must be {allowed}, got {}",
            self.spec.name,
            shown(given)
        ))
    }

    fn missing(&self, key: &str, what: &str) -> FunctionError {
        argument_error(format!("{}: `{key}` is required: {what}", self.spec.name))
    }

    fn bad_combination(&self, key: &str, other: &str) -> FunctionError {
        argument_error(format!(
            "{}: `{key}` and `{other}` exclude each other: give the sources or the sample size",
            self.spec.name
        ))
    }

    fn float(&self, key: &str, default: f64) -> Fallible<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Float(f)) => Ok(*f),
            Some(Value::Int(i)) => Ok(*i as f64),
            Some(v) => Err(self.bad(key, v, "a number")),
        }
    }

    /// A non-negative integer.
    fn count(&self, key: &str) -> Fallible<Option<usize>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Int(i)) if *i >= 0 => Ok(Some(*i as usize)),
            Some(v) => Err(self.bad(key, v, "an integer >= 0")),
        }
    }

    /// A random seed: a non-negative integer, 0 by default.
    fn seed(&self, key: &str) -> Fallible<u64> {
        Ok(self.count(key)?.unwrap_or(0) as u64)
    }

    fn boolean(&self, key: &str, default: bool) -> Fallible<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.bad(key, v, "a boolean")),
        }
    }

    fn node(&self, key: &str) -> Fallible<Option<NodeId>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Node(n)) => Ok(Some(*n)),
            Some(v) => Err(self.bad(key, v, "a node")),
        }
    }

    fn source(&self) -> Fallible<NodeId> {
        self.node("source")?
            .ok_or_else(|| self.missing("source", "the node to start from"))
    }

    fn nodes(&self, key: &str) -> Fallible<Option<Vec<NodeId>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let bad = || self.bad(key, v, "a list of nodes");
        let Value::List(items) = v else { return Err(bad()) };
        let nodes = items.iter().map(|i| match i {
            Value::Node(n) => Some(*n),
            _ => None,
        });
        nodes.collect::<Option<Vec<_>>>().map(Some).ok_or_else(bad)
    }

    fn names(&self, key: &str) -> Fallible<Option<Vec<Arc<str>>>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let bad = || self.bad(key, v, "a list of strings");
        let Value::List(items) = v else { return Err(bad()) };
        let names = items.iter().map(|i| match i {
            Value::String(s) => Some(s.clone()),
            _ => None,
        });
        names.collect::<Option<Vec<_>>>().map(Some).ok_or_else(bad)
    }

    /// The property named by `key` (a string), with its id; a name the graph has never
    /// held is an error.
    fn property_key(&self, key: &str) -> Fallible<Option<(Arc<str>, KeyId)>> {
        let Some(v) = self.get(key) else { return Ok(None) };
        let Value::String(name) = v else {
            return Err(self.bad(key, v, "a property name (a string)"));
        };
        match self.cx.graph.catalog().keys.get(name) {
            Some(id) => Ok(Some((name.clone(), id))),
            None => Err(argument_error(format!(
                "{}: `{key}`: no node or relationship has the property `{name}`",
                self.spec.name
            ))),
        }
    }

    /// Runs `f` with the interrupt check, the statement's cancel flag.
    fn unweighted<T>(&self, f: impl FnOnce(qa::Interrupt<'_>) -> Result<T, AlgoError>) -> Fallible<T> {
        let stop = || self.cx.interrupt.load(Ordering::Relaxed);
        f(&stop).map_err(|e| self.failure(e))
    }

    /// Runs `f` with the weight `weightProperty` names (none when absent) and the interrupt
    /// check. A weight that is not a number stops nothing while the algorithm runs (it
    /// reads as NaN); it is reported once `f` returns, whatever `f` returned.
    fn weighted<T>(
        &self,
        f: impl FnOnce(qa::Weight<'_, ViewEdge>, qa::Interrupt<'_>) -> Result<T, AlgoError>,
    ) -> Fallible<T> {
        let Some((name, key)) = self.property_key("weightProperty")? else {
            return self.unweighted(|stop| f(None, stop));
        };
        let graph = self.cx.graph;
        let not_a_number: Cell<Option<(RelId, Value)>> = Cell::new(None);
        let weight = |e: ViewEdge| -> f64 {
            match graph.relationship_property(e.id, key).as_deref() {
                None | Some(Value::Null) => 1.0,
                Some(Value::Int(i)) => *i as f64,
                Some(Value::Float(f)) => *f,
                Some(other) => {
                    let first = not_a_number.take().unwrap_or_else(|| (e.id, other.clone()));
                    not_a_number.set(Some(first));
                    f64::NAN
                }
            }
        };
        let stop = || self.cx.interrupt.load(Ordering::Relaxed);
        let out = f(Some(&weight as &dyn Fn(ViewEdge) -> f64), &stop);
        if let Some((rel, value)) = not_a_number.take() {
            return Err(argument_error(format!(
                "{}: weightProperty `{name}`: relationship {} has {}; a weight must be a number \
                 (a relationship without the property weighs 1)",
                self.spec.name,
                rel.0,
                shown(&value)
            )));
        }
        out.map_err(|e| match e {
            AlgoError::NegativeWeight { value, .. } => argument_error(format!(
                "{}: weightProperty `{name}`: a relationship weighs {value}; {} needs weights >= 0",
                self.spec.name, self.spec.name
            )),
            AlgoError::NonFiniteWeight { value, .. } => argument_error(format!(
                "{}: weightProperty `{name}`: a relationship weighs {value}; a weight must be a finite number",
                self.spec.name
            )),
            other => self.failure(other),
        })
    }

    /// The error a failed algorithm gives.
    fn failure(&self, e: AlgoError) -> FunctionError {
        let name = self.spec.name;
        match e {
            AlgoError::Interrupted => {
                let e = crate::error::Error::interrupted();
                FunctionError::new(e.kind, e.code, e.message)
            }
            AlgoError::NodeNotFound { parameter } => {
                let chosen = if self.narrowed {
                    " (it does not carry one of nodeLabels)"
                } else {
                    ""
                };
                argument_error(format!(
                    "{name}: `{parameter}` must be a node of the graph; the node given is not{chosen}"
                ))
            }
            AlgoError::OutOfRange { .. } | AlgoError::NegativeWeight { .. } | AlgoError::NonFiniteWeight { .. } => {
                argument_error(format!("{name}: {e}"))
            }
        }
    }
}
