//! Value types as the type predicates (`x IS :: INTEGER NOT NULL`) and
//! `valueType()` see them: which values a type holds, and a value's type name.

use crate::ast::{ValueType, ValueTypeKind};
use crate::value::Value;

/// Whether `v` is a value of type `t` (null is of every type not marked `NOT NULL`).
pub fn is_of_type(v: &Value, t: &ValueType) -> bool {
    if let ValueTypeKind::Union(members) = &t.kind {
        return members.iter().any(|m| is_of_type(v, m)) && !(v.is_null() && t.not_null);
    }
    if v.is_null() {
        return !t.not_null || matches!(t.kind, ValueTypeKind::Null);
    }
    match &t.kind {
        ValueTypeKind::Any => true,
        ValueTypeKind::Nothing | ValueTypeKind::Null => false,
        ValueTypeKind::Boolean => matches!(v, Value::Bool(_)),
        ValueTypeKind::String => matches!(v, Value::String(_)),
        ValueTypeKind::Integer => matches!(v, Value::Int(_)),
        ValueTypeKind::Float => matches!(v, Value::Float(_)),
        ValueTypeKind::Date => matches!(v, Value::Date(_)),
        ValueTypeKind::LocalTime => matches!(v, Value::LocalTime(_)),
        ValueTypeKind::ZonedTime => matches!(v, Value::Time(_)),
        ValueTypeKind::LocalDateTime => matches!(v, Value::LocalDateTime(_)),
        ValueTypeKind::ZonedDateTime => matches!(v, Value::DateTime(_)),
        ValueTypeKind::Duration => matches!(v, Value::Duration(_)),
        // quiver has no spatial values.
        ValueTypeKind::Point => false,
        ValueTypeKind::Node => matches!(v, Value::Node(_)),
        ValueTypeKind::Relationship => matches!(v, Value::Relationship(_)),
        ValueTypeKind::Map => matches!(v, Value::Map(_)),
        ValueTypeKind::Path => matches!(v, Value::Path(_)),
        ValueTypeKind::PropertyValue => is_property_value(v),
        ValueTypeKind::List(inner) => match v {
            Value::List(items) => items.iter().all(|i| is_of_type(i, inner)),
            _ => false,
        },
        ValueTypeKind::Union(_) => unreachable!("handled above"),
    }
}

/// A value a property can hold: a simple value, or a list of simple values of one type.
fn is_property_value(v: &Value) -> bool {
    match v {
        Value::List(items) => {
            let mut rank = None;
            for i in items.iter() {
                if matches!(i, Value::List(_)) || !is_property_value(i) {
                    return false;
                }
                let r = simple_rank(i);
                if rank.is_some_and(|x| x != r) {
                    return false;
                }
                rank = Some(r);
            }
            true
        }
        Value::Null | Value::Map(_) | Value::Node(_) | Value::Relationship(_) | Value::Path(_) => false,
        _ => true,
    }
}

/// The order the manual lists types in (unions print in it).
fn simple_rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::String(_) => 2,
        Value::Int(_) => 3,
        Value::Float(_) => 4,
        Value::Date(_) => 5,
        Value::LocalTime(_) => 6,
        Value::Time(_) => 7,
        Value::LocalDateTime(_) => 8,
        Value::DateTime(_) => 9,
        Value::Duration(_) => 10,
        Value::Node(_) => 11,
        Value::Relationship(_) => 12,
        Value::Map(_) => 13,
        Value::List(_) => 14,
        Value::Path(_) => 15,
    }
}

/// `valueType(v)`: the most precise type name of `v`, as the manual prints it
/// (`INTEGER NOT NULL`, `LIST<INTEGER NOT NULL | FLOAT NOT NULL> NOT NULL`, `NULL`).
pub fn value_type_name(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::List(items) => format!("{} NOT NULL", list_type(items)),
        other => format!("{} NOT NULL", base_name(other)),
    }
}

fn base_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL",
        Value::Bool(_) => "BOOLEAN",
        Value::String(_) => "STRING",
        Value::Int(_) => "INTEGER",
        Value::Float(_) => "FLOAT",
        Value::Date(_) => "DATE",
        Value::LocalTime(_) => "LOCAL TIME",
        Value::Time(_) => "ZONED TIME",
        Value::LocalDateTime(_) => "LOCAL DATETIME",
        Value::DateTime(_) => "ZONED DATETIME",
        Value::Duration(_) => "DURATION",
        Value::Node(_) => "NODE",
        Value::Relationship(_) => "RELATIONSHIP",
        Value::Map(_) => "MAP",
        Value::List(_) => "LIST",
        Value::Path(_) => "PATH",
    }
}

/// `LIST<...>` of the element types (a union in the manual's order); members
/// are `NOT NULL` unless the list holds a null.
fn list_type(items: &[Value]) -> String {
    let has_null = items.iter().any(Value::is_null);
    let mut members: Vec<(u8, String)> = Vec::new();
    for i in items.iter().filter(|i| !i.is_null()) {
        let name = match i {
            Value::List(inner) => list_type(inner),
            other => base_name(other).to_string(),
        };
        let key = (simple_rank(i), name);
        if !members.contains(&key) {
            members.push(key);
        }
    }
    members.sort();
    let inner = if members.is_empty() {
        if has_null {
            "NULL".to_string()
        } else {
            "NOTHING".to_string()
        }
    } else {
        let suffix = if has_null { "" } else { " NOT NULL" };
        members
            .iter()
            .map(|(_, n)| format!("{n}{suffix}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    format!("LIST<{inner}>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Span;

    fn t(kind: ValueTypeKind, not_null: bool) -> ValueType {
        ValueType {
            kind,
            not_null,
            span: Span::default(),
        }
    }

    #[test]
    fn null_is_of_every_nullable_type() {
        assert!(is_of_type(&Value::Null, &t(ValueTypeKind::Integer, false)));
        assert!(!is_of_type(&Value::Null, &t(ValueTypeKind::Integer, true)));
        assert!(is_of_type(&Value::Null, &t(ValueTypeKind::Nothing, false)));
        assert!(is_of_type(&Value::Null, &t(ValueTypeKind::Null, false)));
        let union = t(
            ValueTypeKind::Union(vec![t(ValueTypeKind::Integer, true), t(ValueTypeKind::Float, true)]),
            false,
        );
        assert!(!is_of_type(&Value::Null, &union));
        assert!(is_of_type(&Value::Float(1.0), &union));
    }

    #[test]
    fn lists_check_every_element() {
        let ints = t(ValueTypeKind::List(Box::new(t(ValueTypeKind::Integer, false))), false);
        assert!(is_of_type(&Value::list(vec![Value::Int(1), Value::Null]), &ints));
        assert!(!is_of_type(&Value::list(vec![Value::Int(1), Value::from("a")]), &ints));
        assert!(is_of_type(&Value::list(vec![]), &ints));
        assert!(!is_of_type(&Value::Int(1), &ints));
    }

    #[test]
    fn property_values_are_simple_or_homogeneous_lists() {
        let pv = t(ValueTypeKind::PropertyValue, false);
        assert!(is_of_type(&Value::Int(1), &pv));
        assert!(is_of_type(&Value::list(vec![Value::Int(1), Value::Int(2)]), &pv));
        assert!(!is_of_type(&Value::list(vec![Value::Int(1), Value::from("a")]), &pv));
        assert!(!is_of_type(&Value::map(Default::default()), &pv));
    }

    #[test]
    fn value_type_names() {
        assert_eq!(value_type_name(&Value::Null), "NULL");
        assert_eq!(value_type_name(&Value::Int(1)), "INTEGER NOT NULL");
        assert_eq!(value_type_name(&Value::list(vec![])), "LIST<NOTHING> NOT NULL");
        assert_eq!(
            value_type_name(&Value::list(vec![Value::Float(1.0), Value::Int(1)])),
            "LIST<INTEGER NOT NULL | FLOAT NOT NULL> NOT NULL"
        );
        assert_eq!(
            value_type_name(&Value::list(vec![Value::Int(1), Value::Null])),
            "LIST<INTEGER> NOT NULL"
        );
        assert_eq!(value_type_name(&Value::list(vec![Value::Null])), "LIST<NULL> NOT NULL");
    }
}
