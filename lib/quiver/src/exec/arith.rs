//! Arithmetic: integers (overflow is an error), floats, strings and lists
//! (`+` concatenates), and temporal values (delegated to `temporal`).

use crate::value::{temporal, Value};

use super::{ExecError, XResult};

fn temporal_op(op: char, l: &Value, r: &Value) -> Option<XResult<Value>> {
    temporal::arithmetic(op, l, r).map(|res| res.map_err(ExecError::temporal))
}

fn type_mismatch(op: &str, l: &Value, r: &Value) -> ExecError {
    ExecError::type_error(format!("cannot apply {op} to {} and {}", l.type_name(), r.type_name()))
}

fn overflow(op: &str, a: i64, b: i64) -> ExecError {
    ExecError::overflow(format!("{a} {op} {b} does not fit in a 64-bit integer"))
}

pub fn add(l: &Value, r: &Value) -> XResult<Value> {
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b).ok_or_else(|| overflow("+", *a, *b))?),
        (Value::Int(a), Value::Float(b)) => Value::Float(*a as f64 + b),
        (Value::Float(a), Value::Int(b)) => Value::Float(a + *b as f64),
        (Value::Float(a), Value::Float(b)) => Value::Float(a + b),
        (Value::String(a), Value::String(b)) => Value::from(format!("{a}{b}")),
        (Value::String(a), Value::Int(_) | Value::Float(_) | Value::Bool(_)) => Value::from(format!("{a}{}", plain(r))),
        (Value::Int(_) | Value::Float(_) | Value::Bool(_), Value::String(b)) => Value::from(format!("{}{b}", plain(l))),
        (Value::List(a), Value::List(b)) => {
            let mut v = a.as_ref().clone();
            v.extend(b.iter().cloned());
            Value::list(v)
        }
        (Value::List(a), x) => {
            let mut v = a.as_ref().clone();
            v.push(x.clone());
            Value::list(v)
        }
        (x, Value::List(b)) => {
            let mut v = vec![x.clone()];
            v.extend(b.iter().cloned());
            Value::list(v)
        }
        _ => match temporal_op('+', l, r) {
            Some(res) => res?,
            None => return Err(type_mismatch("+", l, r)),
        },
    })
}

/// A scalar as `+` concatenates it onto a string.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

pub fn sub(l: &Value, r: &Value) -> XResult<Value> {
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_sub(*b).ok_or_else(|| overflow("-", *a, *b))?),
        (Value::Int(a), Value::Float(b)) => Value::Float(*a as f64 - b),
        (Value::Float(a), Value::Int(b)) => Value::Float(a - *b as f64),
        (Value::Float(a), Value::Float(b)) => Value::Float(a - b),
        _ => match temporal_op('-', l, r) {
            Some(res) => res?,
            None => return Err(type_mismatch("-", l, r)),
        },
    })
}

pub fn mul(l: &Value, r: &Value) -> XResult<Value> {
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_mul(*b).ok_or_else(|| overflow("*", *a, *b))?),
        (Value::Int(a), Value::Float(b)) => Value::Float(*a as f64 * b),
        (Value::Float(a), Value::Int(b)) => Value::Float(a * *b as f64),
        (Value::Float(a), Value::Float(b)) => Value::Float(a * b),
        _ => match temporal_op('*', l, r) {
            Some(res) => res?,
            None => return Err(type_mismatch("*", l, r)),
        },
    })
}

pub fn div(l: &Value, r: &Value) -> XResult<Value> {
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(_), Value::Int(0)) => {
            return Err(ExecError::new(
                crate::ErrorKind::ArgumentError,
                "DivisionByZero",
                "integer division by zero".to_string(),
            ))
        }
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_div(*b).ok_or_else(|| overflow("/", *a, *b))?),
        (Value::Int(a), Value::Float(b)) => Value::Float(*a as f64 / b),
        (Value::Float(a), Value::Int(b)) => Value::Float(a / *b as f64),
        (Value::Float(a), Value::Float(b)) => Value::Float(a / b),
        _ => match temporal_op('/', l, r) {
            Some(res) => res?,
            None => return Err(type_mismatch("/", l, r)),
        },
    })
}

pub fn rem(l: &Value, r: &Value) -> XResult<Value> {
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        (Value::Int(_), Value::Int(0)) => {
            return Err(ExecError::new(
                crate::ErrorKind::ArgumentError,
                "DivisionByZero",
                "integer modulo by zero".to_string(),
            ))
        }
        (Value::Int(a), Value::Int(b)) => Value::Int(a.checked_rem(*b).ok_or_else(|| overflow("%", *a, *b))?),
        (Value::Int(a), Value::Float(b)) => Value::Float(*a as f64 % b),
        (Value::Float(a), Value::Int(b)) => Value::Float(a % *b as f64),
        (Value::Float(a), Value::Float(b)) => Value::Float(a % b),
        _ => return Err(type_mismatch("%", l, r)),
    })
}

pub fn pow(l: &Value, r: &Value) -> XResult<Value> {
    let f = |v: &Value| match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    };
    Ok(match (l, r) {
        (Value::Null, _) | (_, Value::Null) => Value::Null,
        _ => match (f(l), f(r)) {
            (Some(a), Some(b)) => Value::Float(a.powf(b)),
            _ => return Err(type_mismatch("^", l, r)),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_overflow_is_an_error() {
        assert!(add(&Value::Int(i64::MAX), &Value::Int(1)).is_err());
        assert!(mul(&Value::Int(i64::MIN), &Value::Int(-1)).is_err());
        assert!(div(&Value::Int(i64::MIN), &Value::Int(-1)).is_err());
        assert_eq!(add(&Value::Int(1), &Value::Int(2)).unwrap(), Value::Int(3));
    }

    #[test]
    fn plus_concatenates_strings_and_lists() {
        assert_eq!(add(&Value::from("a"), &Value::Int(1)).unwrap(), Value::from("a1"));
        assert_eq!(
            add(&Value::from(vec![1i64]), &Value::Int(2)).unwrap(),
            Value::from(vec![1i64, 2])
        );
        assert_eq!(add(&Value::Null, &Value::Int(2)).unwrap(), Value::Null);
    }

    #[test]
    fn float_division_by_zero_is_infinite() {
        assert_eq!(
            div(&Value::Float(1.0), &Value::Int(0)).unwrap(),
            Value::Float(f64::INFINITY)
        );
        assert!(div(&Value::Int(1), &Value::Int(0)).is_err());
    }
}
