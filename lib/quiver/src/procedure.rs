//! Procedures callable with `CALL name(args) YIELD ...`: the built-ins
//! (`db.labels()`, ...) and those an embedding program registers.

use std::fmt;
use std::sync::Arc;

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

/// The body of a procedure: given the arguments, the output rows (one value
/// per declared output field, in order), or a message saying what failed.
pub type ProcedureBody = Arc<dyn Fn(&[Value]) -> Result<Vec<Vec<Value>>, String> + Send + Sync>;

#[derive(Clone)]
pub struct Procedure {
    /// The qualified name, e.g. `my.proc`.
    pub name: String,
    pub inputs: Vec<(String, ValueType)>,
    pub outputs: Vec<(String, ValueType)>,
    pub body: ProcedureBody,
}

impl fmt::Debug for Procedure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Procedure")
            .field("name", &self.name)
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
            body: Arc::new(body),
        }
    }
}
