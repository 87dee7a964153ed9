//! Temporal values: date, localtime, time, localdatetime, datetime, duration.
//! (Placeholder representation; the full implementation replaces this file.)

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Date(pub jiff::civil::Date);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalTime(pub jiff::civil::Time);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Time {
    pub time: jiff::civil::Time,
    pub offset_seconds: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LocalDateTime(pub jiff::civil::DateTime);

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateTime {
    pub datetime: jiff::civil::DateTime,
    pub offset_seconds: i32,
    pub zone: Option<Arc<str>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemporalError {
    #[error("{0}")]
    InvalidArgumentValue(String),
    #[error("{0}")]
    InvalidArgumentType(String),
}

macro_rules! placeholder_display {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{self:?}")
            }
        }
    )*};
}
placeholder_display!(Date, LocalTime, Time, LocalDateTime, DateTime, Duration);

/// Calls a temporal function (`date`, `datetime.fromepoch`, `duration.between`, ...);
/// `None` when `name` (lower-cased) names no temporal function.
pub fn call_function(_name: &str, _args: &[Value]) -> Option<Result<Value, TemporalError>> {
    None
}

/// Component access on a temporal value (`d.year`, `dur.minutes`); `None` when
/// `v` is not temporal, `Some(Ok(Value::Null))` for an unknown key.
pub fn property(_v: &Value, _key: &str) -> Option<Result<Value, TemporalError>> {
    None
}

/// Orders two values of the same temporal type (`None`: not comparable).
pub fn compare(_a: &Value, _b: &Value) -> Option<std::cmp::Ordering> {
    None
}

/// `a + b`, `a - b`, `a * b`, `a / b` where one side is temporal; `None` when
/// the operation is not a temporal one.
pub fn arithmetic(_op: char, _a: &Value, _b: &Value) -> Option<Result<Value, TemporalError>> {
    None
}
