//! Building temporal values: from component maps (with a base temporal to
//! select from and fields overriding it), from other temporals, from the
//! clock, and by truncation.

use super::calendar::*;
use super::duration::Parts;
use super::parse::{date_from_ordinal, date_from_week};
use super::zone::{realtime_nanos, Zone};
use super::{invalid, wrong_type, Date, DateTime, LocalDateTime, LocalTime, Result, Time};
use crate::value::{Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    pub fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            _ => return None,
        })
    }
}

/// The components a map may give, by their (case-insensitive) key.
#[derive(Default)]
pub struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    week: Option<i64>,
    day_of_week: Option<i64>,
    quarter: Option<i64>,
    day_of_quarter: Option<i64>,
    ordinal_day: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millisecond: Option<i64>,
    microsecond: Option<i64>,
    nanosecond: Option<i64>,
    epoch_seconds: Option<i64>,
    epoch_millis: Option<i64>,
    timezone: Option<Zone>,
    date: Option<Parts>,
    time: Option<Parts>,
    datetime: Option<Parts>,
}

impl Fields {
    pub fn from_map(map: &Map) -> Result<Fields> {
        let mut f = Fields::default();
        for (key, value) in map.iter() {
            if value.is_null() {
                continue;
            }
            let lower = key.to_ascii_lowercase();
            let slot = match lower.as_str() {
                "year" => &mut f.year,
                "month" => &mut f.month,
                "day" => &mut f.day,
                "week" => &mut f.week,
                "dayofweek" => &mut f.day_of_week,
                "quarter" => &mut f.quarter,
                "dayofquarter" => &mut f.day_of_quarter,
                "ordinalday" => &mut f.ordinal_day,
                "hour" => &mut f.hour,
                "minute" => &mut f.minute,
                "second" => &mut f.second,
                "millisecond" => &mut f.millisecond,
                "microsecond" => &mut f.microsecond,
                "nanosecond" => &mut f.nanosecond,
                "epochseconds" => &mut f.epoch_seconds,
                "epochmillis" => &mut f.epoch_millis,
                "timezone" => {
                    f.timezone = Some(zone_of(value)?);
                    continue;
                }
                "date" | "time" | "datetime" => {
                    let parts =
                        parts_of(value)?.ok_or_else(|| wrong_type(format!("{key} must be a temporal value")))?;
                    match lower.as_str() {
                        "date" => f.date = Some(parts),
                        "time" => f.time = Some(parts),
                        _ => f.datetime = Some(parts),
                    }
                    continue;
                }
                _ => return Err(invalid(format!("No such field: {key}"))),
            };
            *slot = Some(
                value
                    .as_int()
                    .ok_or_else(|| wrong_type(format!("{key} must be an integer, got {}", value.type_name())))?,
            );
        }
        Ok(f)
    }

    /// A conversion `date(x)` behaves as `date({date: x})`, and so on.
    pub fn from_temporal(parts: Parts) -> Fields {
        Fields {
            date: Some(parts.clone()),
            time: Some(parts.clone()),
            datetime: Some(parts),
            ..Default::default()
        }
    }

    fn has_date_fields(&self) -> bool {
        [
            self.year,
            self.month,
            self.day,
            self.week,
            self.day_of_week,
            self.quarter,
            self.day_of_quarter,
            self.ordinal_day,
        ]
        .iter()
        .any(Option::is_some)
    }

    fn has_time_fields(&self) -> bool {
        [
            self.hour,
            self.minute,
            self.second,
            self.millisecond,
            self.microsecond,
            self.nanosecond,
        ]
        .iter()
        .any(Option::is_some)
    }

    /// Only a time zone: the map asks for the current time there.
    pub fn is_clock_request(&self) -> bool {
        !self.has_date_fields()
            && !self.has_time_fields()
            && self.date.is_none()
            && self.time.is_none()
            && self.datetime.is_none()
            && self.epoch_seconds.is_none()
            && self.epoch_millis.is_none()
    }

    fn date_base(&self) -> Option<&Parts> {
        self.date.as_ref().or(self.datetime.as_ref())
    }

    fn time_base(&self) -> Option<&Parts> {
        self.time.as_ref().or(self.datetime.as_ref())
    }
}

pub fn zone_of(v: &Value) -> Result<Zone> {
    match v {
        Value::String(s) => Zone::parse(s),
        other => Err(wrong_type(format!(
            "timezone must be a string, got {}",
            other.type_name()
        ))),
    }
}

/// A temporal value's parts; `None` when `v` is not temporal (durations included).
pub fn parts_of(v: &Value) -> Result<Option<Parts>> {
    let none = Parts {
        date: None,
        time: None,
        zone: None,
        offset: None,
    };
    Ok(Some(match v {
        Value::Date(d) => Parts { date: Some(*d), ..none },
        Value::LocalTime(t) => Parts { time: Some(*t), ..none },
        Value::Time(t) => Parts {
            time: Some(t.local()),
            zone: Some(Zone::Offset(t.offset_seconds())),
            offset: Some(t.offset_seconds()),
            ..none
        },
        Value::LocalDateTime(l) => Parts {
            date: Some(l.date()),
            time: Some(l.time()),
            ..none
        },
        Value::DateTime(dt) => Parts {
            date: Some(dt.local().date()),
            time: Some(dt.local().time()),
            zone: Some(dt.zone()?),
            offset: Some(dt.offset_seconds()),
        },
        _ => return Ok(None),
    }))
}

fn date_from_fields(f: &Fields, base: Option<Date>) -> Result<Date> {
    let year = || {
        f.year
            .or(base.map(Date::year))
            .ok_or_else(|| invalid("year must be specified"))
    };
    if f.week.is_some() || f.day_of_week.is_some() {
        let base_week = base.map(Date::iso_week);
        let week_year = f
            .year
            .or(base_week.map(|w| w.0))
            .ok_or_else(|| invalid("year must be specified"))?;
        let week = f.week.or(base_week.map(|w| w.1)).unwrap_or(1);
        let dow = f.day_of_week.or(base.map(Date::day_of_week)).unwrap_or(1);
        return date_from_week(week_year, week, dow);
    }
    if let Some(ordinal) = f.ordinal_day {
        return date_from_ordinal(year()?, ordinal);
    }
    if f.quarter.is_some() || f.day_of_quarter.is_some() {
        return date_from_quarter(f, base, year()?);
    }
    let y = year()?;
    let month = f.month.or(base.map(|b| b.month() as i64)).unwrap_or(1);
    let day = match (f.day, base) {
        (Some(d), _) => d,
        // A day taken over from the base shrinks to fit a shorter month.
        (None, Some(b)) if (1..=12).contains(&month) => (b.day()).min(days_in_month(y, month as u32)) as i64,
        _ => 1,
    };
    Date::from_ymd(y, month, day)
}

fn date_from_quarter(f: &Fields, base: Option<Date>, year: i64) -> Result<Date> {
    super::check_year(year)?;
    let quarter = f.quarter.or(base.map(Date::quarter)).unwrap_or(1);
    if !(1..=4).contains(&quarter) {
        return Err(invalid(format!("Invalid value for quarter: {quarter}")));
    }
    let first_month = quarter_start_month(quarter);
    if let Some(doq) = f.day_of_quarter {
        let start = days_from_civil(year, first_month, 1);
        let end = days_from_civil(year + i64::from(quarter == 4), (first_month + 2) % 12 + 1, 1);
        if doq < 1 || doq > end - start {
            return Err(invalid(format!("Invalid value for dayOfQuarter: {doq}")));
        }
        return Date::from_epoch_day(start + doq - 1);
    }
    // Keep the base's month within its quarter and its day of month.
    let (month, day) = match base {
        Some(b) => {
            let m = first_month + (b.month() - 1) % 3;
            (m, b.day().min(days_in_month(year, m)))
        }
        None => (first_month, 1),
    };
    Date::from_ymd(year, month as i64, day as i64)
}

fn time_from_fields(f: &Fields, base: Option<LocalTime>) -> Result<LocalTime> {
    let pick = |v: Option<i64>, from_base: fn(LocalTime) -> i64| v.or(base.map(from_base)).unwrap_or(0);
    let hour = pick(f.hour, LocalTime::hour);
    let minute = pick(f.minute, LocalTime::minute);
    let second = pick(f.second, LocalTime::second);
    let base_nanos = base.map_or(0, LocalTime::nanosecond);
    let nanos = if f.millisecond.is_none() && f.microsecond.is_none() && f.nanosecond.is_none() {
        base_nanos
    } else {
        // Sub-second fields add up; a missing one is taken from the base.
        let ms = f.millisecond.unwrap_or(base_nanos / 1_000_000);
        let us = f.microsecond.unwrap_or(base_nanos / 1_000 % 1_000);
        let ns = f.nanosecond.unwrap_or(base_nanos % 1_000);
        for (name, v, max) in [
            ("millisecond", ms, 999),
            ("microsecond", us, 999_999),
            ("nanosecond", ns, 999_999_999),
        ] {
            if !(0..=max).contains(&v) {
                return Err(invalid(format!("Invalid value for {name}: {v}")));
            }
        }
        ms * 1_000_000 + us * 1_000 + ns
    };
    LocalTime::from_hmsn(hour, minute, second, nanos)
}

/// The offset a zone has now (a named zone's offset for a time of day).
fn current_offset(zone: &Zone) -> Result<i32> {
    zone.offset_at_instant(realtime_nanos())
}

/// A temporal value from its fields; `{timezone: ...}` alone asks for the
/// current time there (at `now`, the statement's instant).
pub fn from_fields(kind: Kind, f: &Fields, now_nanos: i128) -> Result<Value> {
    if f.is_clock_request() {
        return now(kind, f.timezone.clone(), false, now_nanos);
    }
    let need_date = || {
        let base = f
            .date_base()
            .map(|p| p.date.ok_or_else(|| invalid("The base value has no date")));
        date_from_fields(f, base.transpose()?)
    };
    let time_base = f.time_base();
    let local_time = || time_from_fields(f, time_base.and_then(|p| p.time));
    Ok(match kind {
        Kind::Date => Value::Date(need_date()?),
        Kind::LocalTime => Value::LocalTime(local_time()?),
        Kind::Time => {
            let t = local_time()?;
            let base_offset = time_base.and_then(|p| p.offset);
            Value::Time(match (&f.timezone, base_offset) {
                (Some(zone), Some(from)) => {
                    let to = current_offset(zone)?;
                    let shifted = t.nanos_of_day() as i128 + (to - from) as i128 * NANOS_PER_SECOND as i128;
                    Time::new(LocalTime::from_nanos_wrapping(shifted), to)
                }
                (Some(zone), None) => Time::new(t, current_offset(zone)?),
                (None, from) => Time::new(t, from.unwrap_or(0)),
            })
        }
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime::new(need_date()?, local_time()?)),
        Kind::DateTime => Value::DateTime(datetime_from_fields(f, need_date, local_time)?.into()),
    })
}

fn datetime_from_fields(
    f: &Fields,
    date: impl Fn() -> Result<Date>,
    time: impl Fn() -> Result<LocalTime>,
) -> Result<DateTime> {
    let target = f.timezone.clone().unwrap_or(Zone::UTC);
    if let Some(instant) = epoch_instant(f)? {
        return DateTime::from_instant(instant, &target);
    }
    let local = LocalDateTime::new(date()?, time()?);
    let source = f.time_base().and_then(|p| p.zone.as_ref().map(|z| (z, p.offset)));
    match (&f.timezone, source) {
        // The base's zone fixes the instant, which then moves to the new zone.
        (Some(zone), Some((from, offset))) => {
            DateTime::from_instant(DateTime::from_local(local, from, offset)?.instant_nanos(), zone)
        }
        (None, Some((from, offset))) => DateTime::from_local(local, from, offset),
        _ => DateTime::from_local(local, &target, None),
    }
}

fn epoch_instant(f: &Fields) -> Result<Option<i128>> {
    let nps = NANOS_PER_SECOND as i128;
    let base = match (f.epoch_seconds, f.epoch_millis) {
        (Some(s), _) => s as i128 * nps,
        (None, Some(ms)) => ms as i128 * 1_000_000,
        (None, None) => return Ok(None),
    };
    let sub = f.millisecond.unwrap_or(0) as i128 * 1_000_000
        + f.microsecond.unwrap_or(0) as i128 * 1_000
        + f.nanosecond.unwrap_or(0) as i128;
    Ok(Some(base + sub))
}

/// The current time: `statement` (the statement's instant, in nanoseconds
/// since the epoch), or with `realtime` the wall clock.
pub fn now(kind: Kind, zone: Option<Zone>, realtime: bool, statement: i128) -> Result<Value> {
    let instant = if realtime { realtime_nanos() } else { statement };
    let dt = DateTime::from_instant(instant, &zone.unwrap_or(Zone::UTC))?;
    Ok(match kind {
        Kind::Date => Value::Date(dt.local().date()),
        Kind::LocalTime => Value::LocalTime(dt.local().time()),
        Kind::Time => Value::Time(Time::new(dt.local().time(), dt.offset_seconds())),
        Kind::LocalDateTime => Value::LocalDateTime(dt.local()),
        Kind::DateTime => Value::DateTime(dt.into()),
    })
}

pub fn from_string(kind: Kind, s: &str) -> Result<Value> {
    use super::parse::{parse_date, parse_datetime, parse_time};
    Ok(match kind {
        Kind::Date => Value::Date(parse_date(s)?),
        Kind::LocalTime => Value::LocalTime(parse_time(s)?.time),
        Kind::Time => {
            let p = parse_time(s)?;
            let offset = match (p.offset, p.zone) {
                (Some(o), _) => o,
                (None, Some(name)) => current_offset(&Zone::named(name)?)?,
                (None, None) => 0,
            };
            Value::Time(Time::new(p.time, offset))
        }
        Kind::LocalDateTime => Value::LocalDateTime(parse_datetime(s)?.local),
        Kind::DateTime => {
            let p = parse_datetime(s)?;
            let zone = match (p.zone, p.offset) {
                (Some(name), _) => Zone::named(name)?,
                (None, Some(o)) => Zone::offset(o)?,
                (None, None) => Zone::UTC,
            };
            Value::DateTime(DateTime::from_local(p.local, &zone, p.offset)?.into())
        }
    })
}

pub fn from_epoch(seconds: i128, nanos: i128) -> Result<Value> {
    let instant = seconds * NANOS_PER_SECOND as i128 + nanos;
    Ok(Value::DateTime(DateTime::from_instant(instant, &Zone::UTC)?.into()))
}

// ---------------------------------------------------------------------------
// truncate

fn truncate_date(unit: &str, d: Date) -> Option<Result<Date>> {
    let (y, m, _) = d.ymd();
    let year_floor = |n: i64| Date::from_ymd(y.div_euclid(n) * n, 1, 1);
    Some(match unit {
        "millennium" => year_floor(1000),
        "century" => year_floor(100),
        "decade" => year_floor(10),
        "year" => year_floor(1),
        "weekyear" => Date::from_epoch_day(week_year_start(d.iso_week().0)),
        "quarter" => Date::from_ymd(y, quarter_start_month(d.quarter()) as i64, 1),
        "month" => Date::from_ymd(y, m as i64, 1),
        "week" => Date::from_epoch_day(d.epoch_day() - (d.day_of_week() - 1)),
        "day" => Ok(d),
        _ => return None,
    })
}

fn truncate_time(unit: &str, t: LocalTime) -> Option<LocalTime> {
    let step: i64 = match unit {
        "day" => NANOS_PER_DAY,
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1_000,
        _ => return None,
    };
    Some(LocalTime {
        nanos: t.nanos_of_day() - t.nanos_of_day() % step,
    })
}

fn is_date_unit(unit: &str) -> bool {
    matches!(
        unit,
        "millennium" | "century" | "decade" | "year" | "weekyear" | "quarter" | "month" | "week" | "day"
    )
}

/// `<kind>.truncate(unit, value, overrides)`: cuts `value` down to `unit`,
/// then applies the override map; its `timezone` replaces the zone, keeping
/// the wall clock.
pub fn truncate(kind: Kind, unit: &str, value: &Value, overrides: Option<&Map>) -> Result<Value> {
    let unit = unit.to_ascii_lowercase();
    let parts = parts_of(value)?.ok_or_else(|| wrong_type("truncate expects a temporal value"))?;
    let f = match overrides {
        Some(m) => Fields::from_map(m)?,
        None => Fields::default(),
    };
    let unknown_unit = || invalid(format!("Unsupported unit for {kind:?}.truncate: {unit}"));
    let dated = !matches!(kind, Kind::Time | Kind::LocalTime);
    let date = if dated {
        let d = parts
            .date
            .ok_or_else(|| invalid("Cannot truncate a value without a date to a date type"))?;
        let t = truncate_date(&unit, d).unwrap_or(Ok(d))?;
        Some(if f.has_date_fields() {
            date_from_fields(&f, Some(t))?
        } else {
            t
        })
    } else {
        None
    };
    let time = parts.time.unwrap_or(LocalTime::MIDNIGHT);
    let time = if dated && is_date_unit(&unit) {
        LocalTime::MIDNIGHT
    } else {
        truncate_time(&unit, time).ok_or_else(unknown_unit)?
    };
    if !dated
        && !matches!(
            unit.as_str(),
            "day" | "hour" | "minute" | "second" | "millisecond" | "microsecond"
        )
    {
        return Err(unknown_unit());
    }
    let time = time_from_fields(&f, Some(time))?;
    let (zone, offset) = match (&f.timezone, &parts.zone) {
        (Some(z), _) => (z.clone(), None),
        (None, Some(z)) => (z.clone(), parts.offset),
        (None, None) => (Zone::UTC, None),
    };
    let date = date.unwrap_or(Date { epoch_day: 0 });
    Ok(match kind {
        Kind::Date => Value::Date(date),
        Kind::LocalTime => Value::LocalTime(time),
        Kind::Time => {
            let o = match (&zone, offset) {
                (_, Some(o)) => o,
                (z, None) => current_offset(z)?,
            };
            Value::Time(Time::new(time, o))
        }
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime::new(date, time)),
        Kind::DateTime => Value::DateTime(DateTime::from_local(LocalDateTime::new(date, time), &zone, offset)?.into()),
    })
}
