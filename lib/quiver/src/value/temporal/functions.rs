//! The Cypher-facing surface: temporal functions, component access and
//! arithmetic operators.

use super::construct::{self, Fields, Kind};
use super::duration::{self, BetweenUnit, Num, Unit};
use super::{format_offset, invalid, parse, wrong_type, Duration, Result, TemporalError};
use crate::value::Value;

/// Calls a temporal function (`date`, `datetime.fromepoch`, `duration.between`, ...);
/// `None` when `name` (lower-cased) names no temporal function. `now` is the
/// statement's instant (nanoseconds since the epoch): what `date()` and the
/// `.statement()`/`.transaction()` clocks report.
pub fn call_function(name: &str, args: &[Value], now: i128) -> Option<Result<Value>> {
    let (base, sub) = name.split_once('.').unwrap_or((name, ""));
    if base == "duration" {
        return duration_function(sub, args);
    }
    let kind = Kind::from_name(base)?;
    Some(match sub {
        "" => construct(kind, args, None, now),
        "transaction" | "statement" => construct(kind, args, Some(false), now),
        "realtime" => construct(kind, args, Some(true), now),
        "truncate" => truncate(kind, args),
        "fromepoch" if kind == Kind::DateTime => from_epoch(args, false),
        "fromepochmillis" if kind == Kind::DateTime => from_epoch(args, true),
        _ => return None,
    })
}

fn arity(args: &[Value], min: usize, max: usize) -> Result<()> {
    if (min..=max).contains(&args.len()) {
        Ok(())
    } else {
        Err(invalid(format!(
            "Expected {min} to {max} arguments, got {}",
            args.len()
        )))
    }
}

/// `date(x)` and the clock variants `date.transaction(x)` (`clock` is
/// `Some(realtime)` for those): no argument is the current time; for the
/// clock variants a string is a time zone.
fn construct(kind: Kind, args: &[Value], clock: Option<bool>, now: i128) -> Result<Value> {
    arity(args, 0, 1)?;
    let realtime = clock == Some(true);
    let Some(arg) = args.first() else {
        return construct::now(kind, None, realtime, now);
    };
    match arg {
        Value::Null => Ok(Value::Null),
        Value::String(_) if clock.is_some() => construct::now(kind, Some(construct::zone_of(arg)?), realtime, now),
        Value::String(s) => construct::from_string(kind, s),
        Value::Map(m) => construct::from_fields(kind, &Fields::from_map(m)?, now),
        other => match construct::parts_of(other)? {
            Some(parts) => construct::from_fields(kind, &Fields::from_temporal(parts), now),
            None => Err(wrong_type(format!(
                "Cannot construct a temporal value from {}",
                other.type_name()
            ))),
        },
    }
}

fn truncate(kind: Kind, args: &[Value]) -> Result<Value> {
    arity(args, 2, 3)?;
    if args[1].is_null() {
        return Ok(Value::Null);
    }
    let unit = args[0]
        .as_str()
        .ok_or_else(|| wrong_type("truncate unit must be a string"))?;
    let overrides = match args.get(2) {
        None | Some(Value::Null) => None,
        Some(Value::Map(m)) => Some(m.as_ref()),
        Some(other) => {
            return Err(wrong_type(format!(
                "truncate overrides must be a map, got {}",
                other.type_name()
            )))
        }
    };
    construct::truncate(kind, unit, &args[1], overrides)
}

fn from_epoch(args: &[Value], millis: bool) -> Result<Value> {
    arity(args, 1, 2)?;
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let int = |v: &Value| {
        v.as_int()
            .map(i128::from)
            .ok_or_else(|| wrong_type("epoch values must be integers"))
    };
    let first = int(&args[0])?;
    let nanos = args.get(1).map(int).transpose()?.unwrap_or(0);
    if millis {
        construct::from_epoch(first.div_euclid(1000), first.rem_euclid(1000) * 1_000_000 + nanos)
    } else {
        construct::from_epoch(first, nanos)
    }
}

fn duration_function(sub: &str, args: &[Value]) -> Option<Result<Value>> {
    let unit = match sub {
        "" => return Some(duration_value(args)),
        "between" => BetweenUnit::All,
        "inmonths" => BetweenUnit::Months,
        "indays" => BetweenUnit::Days,
        "inseconds" => BetweenUnit::Seconds,
        _ => return None,
    };
    Some(between(args, unit))
}

fn duration_value(args: &[Value]) -> Result<Value> {
    arity(args, 1, 1)?;
    let parts = match &args[0] {
        Value::Null => return Ok(Value::Null),
        Value::String(s) => parse::parse_duration(s)?,
        Value::Map(m) => {
            let mut parts = Vec::with_capacity(m.len());
            for (k, v) in m.iter() {
                let unit = Unit::from_key(k).ok_or_else(|| invalid(format!("No such duration field: {k}")))?;
                match number(v) {
                    Some(n) => parts.push((unit, n)),
                    None if v.is_null() => {}
                    None => return Err(wrong_type(format!("{k} must be a number, got {}", v.type_name()))),
                }
            }
            parts
        }
        Value::Duration(d) => return Ok(Value::Duration(d.clone())),
        other => {
            return Err(wrong_type(format!(
                "Cannot construct a duration from {}",
                other.type_name()
            )))
        }
    };
    Ok(Value::Duration(duration::build(&parts)?.into()))
}

fn number(v: &Value) -> Option<Num> {
    match v {
        Value::Int(i) => Some(Num::Int(*i)),
        Value::Float(f) => Some(Num::Float(*f)),
        _ => None,
    }
}

fn between(args: &[Value], unit: BetweenUnit) -> Result<Value> {
    arity(args, 2, 2)?;
    if args.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    let parts = |v: &Value| {
        construct::parts_of(v)?.ok_or_else(|| wrong_type(format!("Expected a temporal value, got {}", v.type_name())))
    };
    Ok(Value::Duration(
        duration::between(parts(&args[0])?, parts(&args[1])?, unit)?.into(),
    ))
}

// ---------------------------------------------------------------------------
// component access

/// Component access on a temporal value (`d.year`, `dur.minutes`); `None` when
/// `v` is not temporal, `Some(Ok(Value::Null))` for an unknown key.
pub fn property(v: &Value, key: &str) -> Option<Result<Value>> {
    let key = key.to_ascii_lowercase();
    if let Value::Duration(d) = v {
        return Some(Ok(duration_property(d, &key).map_or(Value::Null, Value::Int)));
    }
    let parts = match construct::parts_of(v) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let found = parts
        .date
        .and_then(|d| date_property(d, &key))
        .or_else(|| parts.time.and_then(|t| time_property(t, &key)))
        .or_else(|| zone_property(v, &key));
    Some(Ok(found.unwrap_or(Value::Null)))
}

fn date_property(d: super::Date, key: &str) -> Option<Value> {
    Some(Value::Int(match key {
        "year" => d.year(),
        "quarter" => d.quarter(),
        "month" => d.month() as i64,
        "week" => d.iso_week().1,
        "weekyear" => d.iso_week().0,
        "day" => d.day() as i64,
        "ordinalday" => d.ordinal_day(),
        "weekday" | "dayofweek" => d.day_of_week(),
        "dayofquarter" => d.day_of_quarter(),
        _ => return None,
    }))
}

fn time_property(t: super::LocalTime, key: &str) -> Option<Value> {
    Some(Value::Int(match key {
        "hour" => t.hour(),
        "minute" => t.minute(),
        "second" => t.second(),
        "millisecond" => t.nanosecond() / 1_000_000,
        "microsecond" => t.nanosecond() / 1_000,
        "nanosecond" => t.nanosecond(),
        _ => return None,
    }))
}

fn zone_property(v: &Value, key: &str) -> Option<Value> {
    let (offset, zone) = match v {
        Value::Time(t) => (t.offset_seconds(), None),
        Value::DateTime(dt) => (dt.offset_seconds(), dt.zone_name()),
        _ => return None,
    };
    let nps = super::calendar::NANOS_PER_SECOND as i128;
    Some(match key {
        "timezone" => Value::string(zone.map_or_else(|| format_offset(offset), str::to_string)),
        "offset" => Value::string(format_offset(offset)),
        "offsetminutes" => Value::Int(offset as i64 / 60),
        "offsetseconds" => Value::Int(offset as i64),
        "epochseconds" | "epochmillis" => {
            let Value::DateTime(dt) = v else { return None };
            let unit = if key == "epochseconds" { nps } else { 1_000_000 };
            Value::Int(i64::try_from(dt.instant_nanos().div_euclid(unit)).ok()?)
        }
        _ => return None,
    })
}

fn duration_property(d: &Duration, key: &str) -> Option<i64> {
    let nanos = d.time_nanos();
    let total = |per: i128| i64::try_from(nanos.div_euclid(per)).ok();
    Some(match key {
        "years" => d.months / 12,
        "quarters" => d.months / 3,
        "months" => d.months,
        "weeks" => d.days / 7,
        "days" => d.days,
        "hours" => d.seconds / 3600,
        "minutes" => d.seconds / 60,
        "seconds" => d.seconds,
        "milliseconds" => total(1_000_000)?,
        "microseconds" => total(1_000)?,
        "nanoseconds" => i64::try_from(nanos).ok()?,
        "quartersofyear" => d.months % 12 / 3,
        "monthsofquarter" => d.months % 3,
        "monthsofyear" => d.months % 12,
        "daysofweek" => d.days % 7,
        "minutesofhour" => d.seconds / 60 % 60,
        "secondsofminute" => d.seconds % 60,
        "millisecondsofsecond" => d.nanos as i64 / 1_000_000,
        "microsecondsofsecond" => d.nanos as i64 / 1_000,
        "nanosecondsofsecond" => d.nanos as i64,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------
// arithmetic

fn is_temporal(v: &Value) -> bool {
    matches!(
        v,
        Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_)
    )
}

/// `a + b`, `a - b`, `a * b`, `a / b` where one side is temporal; `None` when
/// the operation is not a temporal one.
pub fn arithmetic(op: char, a: &Value, b: &Value) -> Option<Result<Value>> {
    if !is_temporal(a) && !is_temporal(b) {
        return None;
    }
    if a.is_null() || b.is_null() {
        return Some(Ok(Value::Null));
    }
    Some(match (op, a, b) {
        ('+', Value::Duration(x), Value::Duration(y)) => duration::add(x, y).map(|d| Value::Duration(d.into())),
        ('-', Value::Duration(x), Value::Duration(y)) => y
            .negate()
            .and_then(|y| duration::add(x, &y))
            .map(|d| Value::Duration(d.into())),
        ('+', t, Value::Duration(d)) | ('+', Value::Duration(d), t) => plus(t, d),
        ('-', t, Value::Duration(d)) => d.negate().and_then(|d| plus(t, &d)),
        ('*', Value::Duration(d), n) | ('*', n, Value::Duration(d)) => match number(n) {
            Some(n) => duration::multiply(d, n).map(|d| Value::Duration(d.into())),
            None => Err(unsupported(op, a, b)),
        },
        ('/', Value::Duration(d), n) => match number(n) {
            Some(n) => duration::divide(d, n).map(|d| Value::Duration(d.into())),
            None => Err(unsupported(op, a, b)),
        },
        _ => Err(unsupported(op, a, b)),
    })
}

fn unsupported(op: char, a: &Value, b: &Value) -> TemporalError {
    wrong_type(format!("Cannot compute {} {op} {}", a.type_name(), b.type_name()))
}

fn plus(t: &Value, d: &Duration) -> Result<Value> {
    Ok(match t {
        Value::Date(x) => Value::Date(duration::date_plus(*x, d)?),
        Value::LocalTime(x) => Value::LocalTime(duration::local_time_plus(*x, d)),
        Value::Time(x) => Value::Time(duration::time_plus(*x, d)),
        Value::LocalDateTime(x) => Value::LocalDateTime(duration::local_datetime_plus(*x, d)?),
        Value::DateTime(x) => Value::DateTime(duration::datetime_plus(x, d)?.into()),
        other => return Err(wrong_type(format!("Cannot add a duration to {}", other.type_name()))),
    })
}
