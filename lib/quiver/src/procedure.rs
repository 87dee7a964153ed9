//! Procedures callable with `CALL name(args) YIELD ...`: the built-ins
//! (`db.labels()`, `algo.pageRank(config)`, ... in `crate::procedures`), which read
//! the graph, and those an embedding program registers ([`Procedure::new`]), which
//! get only their arguments. The executor finds them in [`Procedures`] and calls
//! [`Procedure::call`]. Trailing inputs may have defaults
//! ([`Procedure::with_defaults`]): a call may leave them out.

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
    /// The values of the last `defaults.len()` inputs when a call leaves them out.
    defaults: Vec<Value>,
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
            defaults: Vec::new(),
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
            defaults: Vec::new(),
            body: Body::Builtin(body),
        }
    }

    /// Makes the last `defaults.len()` inputs optional: a call that leaves them out
    /// passes these values (`CALL algo.wcc()` is `CALL algo.wcc({})`).
    ///
    /// Panics if there are more defaults than inputs.
    pub fn with_defaults(mut self, defaults: Vec<Value>) -> Procedure {
        assert!(
            defaults.len() <= self.inputs.len(),
            "{}: more defaults than inputs",
            self.name
        );
        self.defaults = defaults;
        self
    }

    /// How many inputs a call must give (the others have defaults).
    pub fn required_inputs(&self) -> usize {
        self.inputs.len() - self.defaults.len()
    }

    /// The default of input `i`, if it has one.
    pub fn default_input(&self, i: usize) -> Option<&Value> {
        i.checked_sub(self.required_inputs()).and_then(|d| self.defaults.get(d))
    }

    /// How many arguments a call takes: `2`, or `0 to 1` when some have defaults.
    pub fn arity(&self) -> String {
        match self.required_inputs() {
            r if r == self.inputs.len() => r.to_string(),
            r => format!("{r} to {}", self.inputs.len()),
        }
    }

    /// Whether this is one of quiver's own procedures (not registered by a program).
    pub fn is_builtin(&self) -> bool {
        matches!(self.body, Body::Builtin(_))
    }

    /// The signature as `SHOW PROCEDURES` prints it: `db.labels() :: (label :: STRING)`,
    /// an input with a default as `config = {} :: MAP`.
    pub fn signature(&self) -> String {
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .enumerate()
            .map(|(i, (n, t))| match self.default_input(i) {
                Some(d) => format!("{n} = {d} :: {t}"),
                None => format!("{n} :: {t}"),
            })
            .collect();
        let outputs: Vec<String> = self.outputs.iter().map(|(n, t)| format!("{n} :: {t}")).collect();
        format!("{}({}) :: ({})", self.name, inputs.join(", "), outputs.join(", "))
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
        for b in crate::procedures::builtins() {
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
