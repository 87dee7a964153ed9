//! The rows of `SHOW PROCEDURES` and `SHOW FUNCTIONS`: every column the
//! manual lists, in its order; without YIELD only the first few are shown.

use std::sync::Arc;

use crate::ast::FunctionFilter;
use crate::functions::FUNCTIONS;
use crate::procedure::Procedures;
use crate::value::{Map, Value};

/// The columns of `SHOW PROCEDURES`, and how many of them show without YIELD.
/// The columns of SHOW INDEXES with YIELD, WHERE or a filter, and how many are shown by default.
pub const INDEX_COLUMNS: (&[&str], usize) = (
    &[
        "id",
        "name",
        "state",
        "populationPercent",
        "type",
        "entityType",
        "labelsOrTypes",
        "properties",
        "indexProvider",
        "owningConstraint",
        "lastRead",
        "readCount",
    ],
    12,
);

pub const PROCEDURE_COLUMNS: (&[&str], usize) = (
    &[
        "name",
        "description",
        "mode",
        "worksOnSystem",
        "signature",
        "argumentDescription",
        "returnDescription",
        "admin",
        "rolesExecution",
        "rolesBoostedExecution",
        "isDeprecated",
        "deprecatedBy",
        "option",
    ],
    4,
);

/// The columns of `SHOW FUNCTIONS`, and how many of them show without YIELD.
pub const FUNCTION_COLUMNS: (&[&str], usize) = (
    &[
        "name",
        "category",
        "description",
        "signature",
        "isBuiltIn",
        "argumentDescription",
        "returnDescription",
        "aggregating",
        "rolesExecution",
        "rolesBoostedExecution",
        "isDeprecated",
        "deprecatedBy",
    ],
    3,
);

/// The columns of `SHOW CONSTRAINTS` (the first eight unless YIELD names others).
pub const CONSTRAINT_COLUMNS: (&[&str], usize) = (
    &[
        "id",
        "name",
        "type",
        "entityType",
        "labelsOrTypes",
        "properties",
        "ownedIndex",
        "propertyType",
        "options",
        "createStatement",
    ],
    8,
);

fn s(text: &str) -> Value {
    Value::from(text)
}

fn field(name: &str, ty: &str, default: Option<&str>) -> Value {
    let mut m = Map::new();
    m.insert(Arc::from("name"), s(name));
    m.insert(Arc::from("description"), s(&format!("{name} :: {ty}")));
    m.insert(Arc::from("type"), s(ty));
    m.insert(Arc::from("isDeprecated"), Value::Bool(false));
    if let Some(d) = default {
        m.insert(Arc::from("default"), s(d));
    }
    Value::map(m)
}

/// The fields of a signature's argument list `(a :: T, b = 1 :: U)`, split at top-level commas.
fn signature_fields(sig: &str) -> Vec<Value> {
    let Some(open) = sig.find('(') else {
        return Vec::new();
    };
    let mut depth = 0;
    let mut close = sig.len();
    for (i, c) in sig[open..].char_indices() {
        match c {
            '(' | '<' | '[' => depth += 1,
            ')' | '>' | ']' => {
                depth -= 1;
                if depth == 0 {
                    close = open + i;
                    break;
                }
            }
            _ => {}
        }
    }
    let inner = &sig[open + 1..close.min(sig.len())];
    let mut parts = Vec::new();
    let (mut d, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '(' | '<' | '[' => d += 1,
            ')' | '>' | ']' => d -= 1,
            ',' if d == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .filter_map(|p| {
            let (head, ty) = p.split_once("::")?;
            let (name, default) = match head.split_once('=') {
                Some((n, d)) => (n.trim(), Some(d.trim())),
                None => (head.trim(), None),
            };
            Some(field(name, ty.trim(), default))
        })
        .collect()
}

/// What a function's signature says it returns (after the last `) ::`).
fn return_type(sig: &str) -> String {
    sig.rsplit_once(") ::").map_or("ANY", |(_, t)| t).trim().to_string()
}

/// Every row of `SHOW PROCEDURES` (`procedures`) or `SHOW FUNCTIONS`, sorted by name.
pub fn rows(procs: &Procedures, procedures: bool, filter: FunctionFilter) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    if procedures {
        for p in procs.iter() {
            let args: Vec<Value> = p
                .inputs
                .iter()
                .enumerate()
                .map(|(i, (n, t))| {
                    let d = p.default_input(i).map(|d| d.to_string());
                    field(n, &t.to_string(), d.as_deref())
                })
                .collect();
            let rets: Vec<Value> = p.outputs.iter().map(|(n, t)| field(n, &t.to_string(), None)).collect();
            let mode = if p.is_builtin() { "READ" } else { "DEFAULT" };
            out.push(vec![
                s(&p.name),
                s(&p.description),
                s(mode),
                Value::Bool(false),
                s(&p.signature()),
                Value::list(args),
                Value::list(rets),
                Value::Bool(false),
                Value::Null,
                Value::Null,
                Value::Bool(false),
                Value::Null,
                Value::map(Map::new()),
            ]);
        }
    } else if filter != FunctionFilter::UserDefined {
        // Every function quiver has is built in.
        for f in FUNCTIONS.iter() {
            out.push(vec![
                s(f.name),
                s(f.category),
                s(f.description),
                s(f.signature),
                Value::Bool(true),
                Value::list(signature_fields(f.signature)),
                s(&return_type(f.signature)),
                Value::Bool(f.is_aggregate()),
                Value::Null,
                Value::Null,
                Value::Bool(false),
                Value::Null,
            ]);
        }
    }
    out.sort_by(|a, b| a[0].to_string().cmp(&b[0].to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_fields_split_at_top_level_commas() {
        let f = signature_fields("btrim(original :: STRING, trimCharacterString = ' ' :: STRING) :: STRING");
        assert_eq!(f.len(), 2);
        let Value::Map(m) = &f[1] else { panic!("a map") };
        assert_eq!(m.get("name"), Some(&Value::from("trimCharacterString")));
        assert_eq!(m.get("default"), Some(&Value::from("' '")));
        assert!(signature_fields("pi() :: FLOAT").is_empty());
        assert_eq!(
            signature_fields("f(x :: LIST<INTEGER | FLOAT>, y :: MAP) :: ANY").len(),
            2
        );
        assert_eq!(return_type("pi() :: FLOAT"), "FLOAT");
    }

    #[test]
    fn user_defined_functions_are_none() {
        let p = Procedures::with_builtins();
        assert!(rows(&p, false, FunctionFilter::UserDefined).is_empty());
        let all = rows(&p, false, FunctionFilter::All);
        assert_eq!(all.len(), FUNCTIONS.len());
        assert!(all.iter().all(|r| r.len() == FUNCTION_COLUMNS.0.len()));
        let procs = rows(&p, true, FunctionFilter::All);
        assert!(procs.iter().any(|r| r[0] == Value::from("db.labels")));
        assert!(procs.iter().all(|r| r.len() == PROCEDURE_COLUMNS.0.len()));
    }
}
