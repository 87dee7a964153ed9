//! Procedures callable with `CALL name(args) YIELD ...`: the built-ins
//! (`db.labels()`, ...), which read the graph, and those an embedding program
//! registers ([`Procedure::new`]), which get only their arguments. The
//! executor finds them in [`Procedures`] and calls [`Procedure::call`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::error::ErrorKind;
use crate::functions::FunctionError;
use crate::store::GraphRead;
use crate::value::Value;

/// The declared type of a procedure argument or output field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueType {
    Any,
    Boolean,
    Integer,
    Float,
    Number,
    String,
    Map,
    Node,
    Relationship,
    Path,
    List(Box<ValueType>),
}

impl ValueType {
    /// Whether `v` may be passed where this type is declared (null always may).
    pub fn accepts(&self, v: &Value) -> bool {
        match (self, v) {
            (_, Value::Null) | (ValueType::Any, _) => true,
            (ValueType::Boolean, Value::Bool(_)) => true,
            (ValueType::Integer, Value::Int(_)) => true,
            (ValueType::Float, Value::Float(_)) => true,
            (ValueType::Number, Value::Int(_) | Value::Float(_)) => true,
            (ValueType::String, Value::String(_)) => true,
            (ValueType::Map, Value::Map(_)) => true,
            (ValueType::Node, Value::Node(_)) => true,
            (ValueType::Relationship, Value::Relationship(_)) => true,
            (ValueType::Path, Value::Path(_)) => true,
            (ValueType::List(t), Value::List(items)) => items.iter().all(|i| t.accepts(i)),
            _ => false,
        }
    }

    /// Parses a type as procedure signatures write it: `STRING?`, `INTEGER`,
    /// `LIST? OF FLOAT?`, `NUMBER`, `ANY?` (the `?` marks nullable; all types here are).
    pub fn parse(text: &str) -> Option<ValueType> {
        let t = text.trim().to_ascii_uppercase();
        let t = t.trim();
        if let Some(rest) = t.strip_prefix("LIST") {
            let rest = rest.trim_start_matches('?').trim();
            let inner = rest.strip_prefix("OF").map(str::trim).unwrap_or("ANY");
            return Some(ValueType::List(Box::new(ValueType::parse(inner)?)));
        }
        Some(match t.trim_end_matches('?') {
            "ANY" => ValueType::Any,
            "BOOLEAN" => ValueType::Boolean,
            "INTEGER" | "INT" => ValueType::Integer,
            "FLOAT" => ValueType::Float,
            "NUMBER" => ValueType::Number,
            "STRING" => ValueType::String,
            "MAP" => ValueType::Map,
            "NODE" => ValueType::Node,
            "RELATIONSHIP" => ValueType::Relationship,
            "PATH" => ValueType::Path,
            _ => return None,
        })
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueType::List(t) => write!(f, "LIST OF {t}"),
            other => write!(f, "{}", format!("{other:?}").to_ascii_uppercase()),
        }
    }
}

/// The body of a registered procedure: given the arguments, the output rows
/// (one value per declared output field, in order), or a message saying what failed.
pub type ProcedureBody = Arc<dyn Fn(&[Value]) -> Result<Vec<Vec<Value>>, String> + Send + Sync>;

/// What a built-in procedure reads while it runs.
pub struct ProcedureContext<'a> {
    pub graph: &'a dyn GraphRead,
    /// Set when the statement is cancelled: long procedures check it.
    pub interrupt: &'a AtomicBool,
}

/// A built-in procedure's body: it reads the graph.
pub type BuiltinBody = fn(&ProcedureContext<'_>, &[Value]) -> Result<Vec<Vec<Value>>, FunctionError>;

#[derive(Clone)]
enum Body {
    Registered(ProcedureBody),
    Builtin(BuiltinBody),
}

#[derive(Clone)]
pub struct Procedure {
    /// The qualified name, e.g. `my.proc`.
    pub name: String,
    pub inputs: Vec<(String, ValueType)>,
    pub outputs: Vec<(String, ValueType)>,
    /// What `SHOW PROCEDURES` says it does.
    pub description: String,
    body: Body,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Procedure")
            .field("name", &self.name)
            .field("builtin", &self.is_builtin())
            .field("inputs", &self.inputs)
            .field("outputs", &self.outputs)
            .finish()
    }
}

impl Procedure {
    pub fn new(
        name: impl Into<String>,
        inputs: Vec<(String, ValueType)>,
        outputs: Vec<(String, ValueType)>,
        body: impl Fn(&[Value]) -> Result<Vec<Vec<Value>>, String> + Send + Sync + 'static,
    ) -> Procedure {
        Procedure {
            name: name.into(),
            inputs,
            outputs,
            description: String::new(),
            body: Body::Registered(Arc::new(body)),
        }
    }

    /// A procedure of quiver's own, which reads the graph.
    pub(crate) fn builtin(
        name: &str,
        inputs: Vec<(String, ValueType)>,
        outputs: Vec<(String, ValueType)>,
        description: &str,
        body: BuiltinBody,
    ) -> Procedure {
        Procedure {
            name: name.into(),
            inputs,
            outputs,
            description: description.into(),
            body: Body::Builtin(body),
        }
    }

    /// Whether this is one of quiver's own procedures (not registered by a program).
    pub fn is_builtin(&self) -> bool {
        matches!(self.body, Body::Builtin(_))
    }

    /// The signature as `SHOW PROCEDURES` prints it: `db.labels() :: (label :: STRING)`.
    pub fn signature(&self) -> String {
        let list = |fields: &[(String, ValueType)]| {
            fields
                .iter()
                .map(|(n, t)| format!("{n} :: {t}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!("{}({}) :: ({})", self.name, list(&self.inputs), list(&self.outputs))
    }

    /// Runs the procedure on arguments already checked against its inputs.
    pub fn call(&self, cx: &ProcedureContext<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>, FunctionError> {
        match &self.body {
            Body::Builtin(f) => f(cx, args),
            Body::Registered(f) => f(args).map_err(|m| {
                FunctionError::new(
                    ErrorKind::ProcedureError,
                    "ProcedureCallFailed",
                    format!("{}: {m}", self.name),
                )
            }),
        }
    }
}

/// The procedures a database knows, by lower-cased name.
#[derive(Clone)]
pub struct Procedures {
    map: BTreeMap<String, Procedure>,
}

impl Default for Procedures {
    fn default() -> Self {
        Procedures::with_builtins()
    }
}

impl Procedures {
    /// quiver's own procedures.
    pub fn with_builtins() -> Procedures {
        let mut p = Procedures { map: BTreeMap::new() };
        for b in builtins() {
            p.register(b);
        }
        p
    }

    /// Adds `procedure`, replacing one of the same name (names are matched without regard to case).
    pub fn register(&mut self, procedure: Procedure) {
        self.map.insert(procedure.name.to_ascii_lowercase(), procedure);
    }

    pub fn get(&self, name: &str) -> Option<&Procedure> {
        self.map.get(&name.to_ascii_lowercase())
    }

    /// Every procedure, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Procedure> {
        self.map.values()
    }
}

/// The names in one namespace that something in the graph carries, sorted.
fn names_in_use(names: Vec<(u32, Arc<str>)>, used: impl Fn(u32) -> bool) -> Vec<Vec<Value>> {
    let mut names: Vec<Arc<str>> = names.into_iter().filter(|(id, _)| used(*id)).map(|(_, n)| n).collect();
    names.sort();
    names.into_iter().map(|n| vec![Value::String(n)]).collect()
}

fn builtins() -> Vec<Procedure> {
    let out = |name: &str| vec![(name.to_string(), ValueType::String)];
    vec![
        Procedure::builtin(
            "db.labels",
            Vec::new(),
            out("label"),
            "List all labels in the database.",
            |cx, _| {
                let g = cx.graph;
                Ok(names_in_use(g.catalog().labels.all(), |l| g.label_count(l) > 0))
            },
        ),
        Procedure::builtin(
            "db.relationshipTypes",
            Vec::new(),
            out("relationshipType"),
            "List all relationship types in the database.",
            |cx, _| {
                let g = cx.graph;
                Ok(names_in_use(g.catalog().types.all(), |t| g.type_count(t) > 0))
            },
        ),
        Procedure::builtin(
            "db.propertyKeys",
            Vec::new(),
            out("propertyKey"),
            "List all property keys in the database.",
            |cx, _| {
                let g = cx.graph;
                let used: std::collections::HashSet<u32> =
                    g.property_key_counts().into_iter().map(|(k, _)| k).collect();
                Ok(names_in_use(g.catalog().keys.all(), |k| used.contains(&k)))
            },
        ),
    ]
}
