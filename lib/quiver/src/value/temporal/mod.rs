//! Temporal values: date, localtime, time, localdatetime, datetime, duration.
//!
//! Dates are epoch-day counts with our own calendar code (see `calendar`)
//! because Cypher's year range exceeds jiff's; jiff supplies the IANA time
//! zone database. Submodules: `parse` (ISO 8601 strings), `construct`
//! (maps, conversions, truncation), `duration` (duration building and
//! arithmetic), `functions` (the Cypher function and property surface).

mod calendar;
mod construct;
mod duration;
mod functions;
mod parse;
mod zone;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

use super::Value;
use calendar::*;
pub use functions::{arithmetic, call_function, property};
pub use zone::realtime_nanos;
use zone::Zone;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    epoch_day: i64,
}

/// Nanosecond of day, `0..NANOS_PER_DAY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalTime {
    nanos: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    time: LocalTime,
    offset_seconds: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalDateTime {
    date: Date,
    time: LocalTime,
}

/// A local date-time with the offset in force there; `zone` names the IANA
/// zone when there is one (the offset is then derived from it).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    local: LocalDateTime,
    offset_seconds: i32,
    zone: Option<Arc<str>>,
}

/// Cypher's four-component duration. Normalised so that `0 <= nanos < 1e9`
/// (seconds carry the sign), which makes structural equality the `=` of Cypher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

pub type Result<T> = std::result::Result<T, TemporalError>;

fn invalid(msg: impl Into<String>) -> TemporalError {
    TemporalError::InvalidArgumentValue(msg.into())
}

fn wrong_type(msg: impl Into<String>) -> TemporalError {
    TemporalError::InvalidArgumentType(msg.into())
}

impl Date {
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Result<Date> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(invalid(format!("Invalid value for month: {month}")));
        }
        let dim = days_in_month(year, month as u32) as i64;
        if !(1..=dim).contains(&day) {
            return Err(invalid(format!("Invalid value for day: {day}")));
        }
        Ok(Date {
            epoch_day: days_from_civil(year, month as u32, day as u32),
        })
    }

    pub fn from_epoch_day(epoch_day: i64) -> Result<Date> {
        let lo = days_from_civil(MIN_YEAR, 1, 1);
        let hi = days_from_civil(MAX_YEAR, 12, 31);
        if (lo..=hi).contains(&epoch_day) {
            Ok(Date { epoch_day })
        } else {
            Err(invalid("Date is out of the supported range"))
        }
    }

    pub fn epoch_day(self) -> i64 {
        self.epoch_day
    }

    pub fn ymd(self) -> (i64, u32, u32) {
        civil_from_days(self.epoch_day)
    }

    pub fn year(self) -> i64 {
        self.ymd().0
    }

    pub fn month(self) -> u32 {
        self.ymd().1
    }

    pub fn day(self) -> u32 {
        self.ymd().2
    }

    pub fn day_of_week(self) -> i64 {
        day_of_week(self.epoch_day)
    }

    pub fn ordinal_day(self) -> i64 {
        self.epoch_day - days_from_civil(self.year(), 1, 1) + 1
    }

    pub fn quarter(self) -> i64 {
        (self.month() as i64 - 1) / 3 + 1
    }

    pub fn day_of_quarter(self) -> i64 {
        let (y, _, _) = self.ymd();
        self.epoch_day - days_from_civil(y, quarter_start_month(self.quarter()), 1) + 1
    }

    /// (week-year, week).
    pub fn iso_week(self) -> (i64, i64) {
        iso_week(self.epoch_day)
    }

    /// Adds calendar months, clamping the day to the target month's length.
    pub fn plus_months(self, months: i64) -> Result<Date> {
        let (y, m, d) = self.ymd();
        let total = (y as i128) * 12 + (m as i128 - 1) + months as i128;
        let ny = total.div_euclid(12);
        if ny < MIN_YEAR as i128 || ny > MAX_YEAR as i128 {
            return Err(invalid("Date is out of the supported range"));
        }
        let ny = ny as i64;
        let nm = (total.rem_euclid(12) + 1) as u32;
        let nd = d.min(days_in_month(ny, nm));
        Ok(Date {
            epoch_day: days_from_civil(ny, nm, nd),
        })
    }

    pub fn plus_days(self, days: i64) -> Result<Date> {
        let day = self
            .epoch_day
            .checked_add(days)
            .ok_or_else(|| invalid("Date is out of the supported range"))?;
        Date::from_epoch_day(day)
    }
}

fn check_year(year: i64) -> Result<()> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) {
        Ok(())
    } else {
        Err(invalid(format!("Invalid value for year: {year}")))
    }
}

impl LocalTime {
    pub const MIDNIGHT: LocalTime = LocalTime { nanos: 0 };

    pub fn from_hmsn(hour: i64, minute: i64, second: i64, nano: i64) -> Result<LocalTime> {
        let checks = [
            ("hour", hour, 23),
            ("minute", minute, 59),
            ("second", second, 59),
            ("nanosecond", nano, NANOS_PER_SECOND - 1),
        ];
        for (name, v, max) in checks {
            if !(0..=max).contains(&v) {
                return Err(invalid(format!("Invalid value for {name}: {v}")));
            }
        }
        Ok(LocalTime {
            nanos: ((hour * 60 + minute) * 60 + second) * NANOS_PER_SECOND + nano,
        })
    }

    /// The time `nanos` nanoseconds after midnight (`0..NANOS_PER_DAY`).
    pub fn from_nanos(nanos: i64) -> Result<LocalTime> {
        if (0..NANOS_PER_DAY).contains(&nanos) {
            Ok(LocalTime { nanos })
        } else {
            Err(invalid(format!("Invalid nanosecond of the day: {nanos}")))
        }
    }

    /// Wraps around midnight, as time-of-day arithmetic does.
    pub fn from_nanos_wrapping(nanos: i128) -> LocalTime {
        LocalTime {
            nanos: nanos.rem_euclid(NANOS_PER_DAY as i128) as i64,
        }
    }

    pub fn nanos_of_day(self) -> i64 {
        self.nanos
    }

    pub fn hour(self) -> i64 {
        self.nanos / (3600 * NANOS_PER_SECOND)
    }

    pub fn minute(self) -> i64 {
        self.nanos / (60 * NANOS_PER_SECOND) % 60
    }

    pub fn second(self) -> i64 {
        self.nanos / NANOS_PER_SECOND % 60
    }

    pub fn nanosecond(self) -> i64 {
        self.nanos % NANOS_PER_SECOND
    }
}

impl Time {
    pub fn new(time: LocalTime, offset_seconds: i32) -> Time {
        Time { time, offset_seconds }
    }

    pub fn local(self) -> LocalTime {
        self.time
    }

    pub fn offset_seconds(self) -> i32 {
        self.offset_seconds
    }

    /// Nanoseconds of the UTC-normalised time of day (may leave `0..1 day`).
    fn utc_nanos(self) -> i128 {
        self.time.nanos as i128 - self.offset_seconds as i128 * NANOS_PER_SECOND as i128
    }
}

impl LocalDateTime {
    pub fn new(date: Date, time: LocalTime) -> LocalDateTime {
        LocalDateTime { date, time }
    }

    pub fn date(self) -> Date {
        self.date
    }

    pub fn time(self) -> LocalTime {
        self.time
    }

    /// Nanoseconds since 1970-01-01T00:00 on the local time line.
    pub fn local_nanos(self) -> i128 {
        self.date.epoch_day as i128 * NANOS_PER_DAY as i128 + self.time.nanos as i128
    }

    pub fn from_local_nanos(nanos: i128) -> Result<LocalDateTime> {
        let day = nanos.div_euclid(NANOS_PER_DAY as i128);
        let day = i64::try_from(day).map_err(|_| invalid("Date is out of the supported range"))?;
        Ok(LocalDateTime {
            date: Date::from_epoch_day(day)?,
            time: LocalTime::from_nanos_wrapping(nanos),
        })
    }

    pub fn plus_nanos(self, nanos: i128) -> Result<LocalDateTime> {
        LocalDateTime::from_local_nanos(self.local_nanos() + nanos)
    }
}

impl DateTime {
    /// Resolves a local date-time in a zone; in a gap the time moves forward
    /// by the gap's length, in an overlap `preferred` (else the earlier
    /// offset) wins — as java.time does, which the TCK follows.
    fn from_local(local: LocalDateTime, zone: &Zone, preferred: Option<i32>) -> Result<DateTime> {
        let guess = zone.offset_for_local(local, preferred)?;
        let instant = local.local_nanos() - guess as i128 * NANOS_PER_SECOND as i128;
        DateTime::from_instant(instant, zone)
    }

    fn from_instant(instant_nanos: i128, zone: &Zone) -> Result<DateTime> {
        let offset = zone.offset_at_instant(instant_nanos)?;
        let local = LocalDateTime::from_local_nanos(instant_nanos + offset as i128 * NANOS_PER_SECOND as i128)?;
        Ok(DateTime {
            local,
            offset_seconds: offset,
            zone: zone.name(),
        })
    }

    /// A date-time from its parts as stored: the local date-time, the
    /// offset in force there, and the zone's name if it has one (checked to
    /// be a zone quiver knows and an offset it can have).
    pub fn from_parts(local: LocalDateTime, offset_seconds: i32, zone: Option<Arc<str>>) -> Result<DateTime> {
        if offset_seconds.abs() > 18 * 3600 {
            return Err(invalid(format!("Invalid offset: {offset_seconds} seconds")));
        }
        if let Some(name) = &zone {
            Zone::named(name)?;
        }
        Ok(DateTime {
            local,
            offset_seconds,
            zone,
        })
    }

    pub fn local(&self) -> LocalDateTime {
        self.local
    }

    pub fn offset_seconds(&self) -> i32 {
        self.offset_seconds
    }

    pub fn zone_name(&self) -> Option<&str> {
        self.zone.as_deref()
    }

    fn zone(&self) -> Result<Zone> {
        match &self.zone {
            Some(name) => Zone::named(name),
            None => Ok(Zone::Offset(self.offset_seconds)),
        }
    }

    /// Nanoseconds since the Unix epoch.
    pub fn instant_nanos(&self) -> i128 {
        self.local.local_nanos() - self.offset_seconds as i128 * NANOS_PER_SECOND as i128
    }
}

impl Duration {
    pub const ZERO: Duration = Duration {
        months: 0,
        days: 0,
        seconds: 0,
        nanos: 0,
    };

    /// Builds a duration from months, days and a (signed) nanosecond count.
    pub fn new(months: i128, days: i128, nanos: i128) -> Result<Duration> {
        let overflow = || invalid("Duration is out of range");
        let seconds = nanos.div_euclid(NANOS_PER_SECOND as i128);
        Ok(Duration {
            months: i64::try_from(months).map_err(|_| overflow())?,
            days: i64::try_from(days).map_err(|_| overflow())?,
            seconds: i64::try_from(seconds).map_err(|_| overflow())?,
            nanos: nanos.rem_euclid(NANOS_PER_SECOND as i128) as i32,
        })
    }

    /// Seconds and nanoseconds together, in nanoseconds.
    pub fn time_nanos(&self) -> i128 {
        self.seconds as i128 * NANOS_PER_SECOND as i128 + self.nanos as i128
    }

    pub fn negate(&self) -> Result<Duration> {
        Duration::new(-(self.months as i128), -(self.days as i128), -self.time_nanos())
    }
}

// ---------------------------------------------------------------------------
// Display: the ISO 8601 forms the TCK expects.

fn write_year(f: &mut fmt::Formatter<'_>, y: i64) -> fmt::Result {
    if y > 9999 {
        write!(f, "+{y}")
    } else if y < 0 {
        write!(f, "-{:04}", -y)
    } else {
        write!(f, "{y:04}")
    }
}

/// Fraction of a second without trailing zeros (empty when zero).
fn fraction(nanos: i64) -> String {
    if nanos == 0 {
        return String::new();
    }
    let s = format!("{nanos:09}");
    format!(".{}", s.trim_end_matches('0'))
}

fn write_offset(f: &mut fmt::Formatter<'_>, offset: i32) -> fmt::Result {
    f.write_str(&format_offset(offset))
}

pub(crate) fn format_offset(offset: i32) -> String {
    if offset == 0 {
        return "Z".into();
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let a = offset.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write_year(f, y)?;
        write!(f, "-{m:02}-{d:02}")
    }
}

impl fmt::Display for LocalTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour(), self.minute())?;
        if self.second() != 0 || self.nanosecond() != 0 {
            write!(f, ":{:02}{}", self.second(), fraction(self.nanosecond()))?;
        }
        Ok(())
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.time)?;
        write_offset(f, self.offset_seconds)
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T{}", self.date, self.time)
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.local)?;
        write_offset(f, self.offset_seconds)?;
        if let Some(zone) = &self.zone {
            write!(f, "[{zone}]")?;
        }
        Ok(())
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let time = self.time_nanos();
        if self.months == 0 && self.days == 0 && time == 0 {
            return f.write_str("PT0S");
        }
        f.write_str("P")?;
        let (years, months) = (self.months / 12, self.months % 12);
        if years != 0 {
            write!(f, "{years}Y")?;
        }
        if months != 0 {
            write!(f, "{months}M")?;
        }
        if self.days != 0 {
            write!(f, "{}D", self.days)?;
        }
        if time != 0 {
            // Every component carries the sign of the whole time part.
            let sign = if time < 0 { "-" } else { "" };
            let abs = time.unsigned_abs();
            let nps = NANOS_PER_SECOND as u128;
            let (h, m, s, n) = (abs / (3600 * nps), abs / (60 * nps) % 60, abs / nps % 60, abs % nps);
            f.write_str("T")?;
            if h != 0 {
                write!(f, "{sign}{h}H")?;
            }
            if m != 0 {
                write!(f, "{sign}{m}M")?;
            }
            if s != 0 || n != 0 {
                write!(f, "{sign}{s}{}S", fraction(n as i64))?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Comparison

/// Orders two values of the same temporal type (`None`: not comparable).
/// Times and datetimes compare by instant.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::LocalTime(x), Value::LocalTime(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.utc_nanos().cmp(&y.utc_nanos())),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => Some(x.cmp(y)),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.instant_nanos().cmp(&y.instant_nanos())),
        _ => None,
    }
}
