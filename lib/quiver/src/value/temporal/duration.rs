//! Building durations from components, duration arithmetic, adding durations
//! to temporals, and the duration between two temporals.

use super::calendar::*;
use super::zone::Zone;
use super::{invalid, Date, DateTime, Duration, LocalDateTime, LocalTime, Result, Time};

/// The average Gregorian month (365.2425 / 12 days), used to spread fractional months.
const SECONDS_PER_AVG_MONTH: f64 = 2_629_746.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub fn negate(self) -> Num {
        match self {
            Num::Int(i) => Num::Int(i.saturating_neg()),
            Num::Float(f) => Num::Float(-f),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Years,
    Quarters,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl Unit {
    pub fn from_key(key: &str) -> Option<Unit> {
        Some(match key.to_ascii_lowercase().as_str() {
            "years" => Unit::Years,
            "quarters" => Unit::Quarters,
            "months" => Unit::Months,
            "weeks" => Unit::Weeks,
            "days" => Unit::Days,
            "hours" => Unit::Hours,
            "minutes" => Unit::Minutes,
            "seconds" => Unit::Seconds,
            "milliseconds" => Unit::Milliseconds,
            "microseconds" => Unit::Microseconds,
            "nanoseconds" => Unit::Nanoseconds,
            _ => return None,
        })
    }

    /// Which of (months, days, nanoseconds) the unit counts, and how many.
    fn scale(self) -> (usize, i128) {
        let nps = NANOS_PER_SECOND as i128;
        match self {
            Unit::Years => (0, 12),
            Unit::Quarters => (0, 3),
            Unit::Months => (0, 1),
            Unit::Weeks => (1, 7),
            Unit::Days => (1, 1),
            Unit::Hours => (2, 3600 * nps),
            Unit::Minutes => (2, 60 * nps),
            Unit::Seconds => (2, nps),
            Unit::Milliseconds => (2, 1_000_000),
            Unit::Microseconds => (2, 1_000),
            Unit::Nanoseconds => (2, 1),
        }
    }
}

/// Sums components into a duration: whole amounts exactly, fractional ones
/// cascading down (months → days → seconds) as Neo4j does.
pub fn build(parts: &[(Unit, Num)]) -> Result<Duration> {
    let mut exact = [0i128; 3];
    let mut frac = [0f64; 3];
    for (unit, n) in parts {
        let (slot, scale) = unit.scale();
        match *n {
            Num::Int(i) => exact[slot] += i as i128 * scale,
            Num::Float(f) => {
                if !f.is_finite() {
                    return Err(invalid("Duration component is not a finite number"));
                }
                frac[slot] += f * scale as f64;
            }
        }
    }
    let approx = approximate(frac[0], frac[1], 0.0, frac[2])?;
    Duration::new(
        exact[0] + approx.months as i128,
        exact[1] + approx.days as i128,
        exact[2] + approx.time_nanos(),
    )
}

/// Rounds away float noise next to an integer, else truncates toward zero.
fn snap(x: f64) -> f64 {
    let r = x.round();
    if (x - r).abs() <= 1e-6_f64.max(r.abs() * 1e-12) {
        r
    } else {
        x.trunc()
    }
}

fn to_i128(x: f64) -> Result<i128> {
    // Far beyond any duration's range, and small enough that scaling to
    // nanoseconds cannot overflow an i128.
    if x.is_finite() && x.abs() < 1e27 {
        Ok(x as i128)
    } else {
        Err(invalid("Duration is out of range"))
    }
}

/// Turns fractional months, days, seconds and nanoseconds into a duration,
/// pushing each fraction down into the next smaller component.
pub fn approximate(months: f64, days: f64, seconds: f64, nanos: f64) -> Result<Duration> {
    let m = snap(months);
    let days = days + (months - m) * SECONDS_PER_AVG_MONTH / SECONDS_PER_DAY as f64;
    let d = snap(days);
    let seconds = seconds + (days - d) * SECONDS_PER_DAY as f64;
    let s = snap(seconds);
    let nanos = nanos + (seconds - s) * NANOS_PER_SECOND as f64;
    let n = snap(nanos);
    Duration::new(
        to_i128(m)?,
        to_i128(d)?,
        to_i128(s)? * NANOS_PER_SECOND as i128 + to_i128(n)?,
    )
}

pub fn add(a: &Duration, b: &Duration) -> Result<Duration> {
    Duration::new(
        a.months as i128 + b.months as i128,
        a.days as i128 + b.days as i128,
        a.time_nanos() + b.time_nanos(),
    )
}

pub fn multiply(d: &Duration, factor: Num) -> Result<Duration> {
    match factor {
        Num::Int(i) => {
            let i = i as i128;
            let nanos = d
                .time_nanos()
                .checked_mul(i)
                .ok_or_else(|| invalid("Duration is out of range"))?;
            Duration::new(d.months as i128 * i, d.days as i128 * i, nanos)
        }
        Num::Float(f) => approximate(
            d.months as f64 * f,
            d.days as f64 * f,
            d.seconds as f64 * f,
            d.nanos as f64 * f,
        ),
    }
}

pub fn divide(d: &Duration, divisor: Num) -> Result<Duration> {
    let div = match divisor {
        Num::Int(i) => i as f64,
        Num::Float(f) => f,
    };
    if div == 0.0 {
        return Err(invalid("Division of a duration by zero"));
    }
    approximate(
        d.months as f64 / div,
        d.days as f64 / div,
        d.seconds as f64 / div,
        d.nanos as f64 / div,
    )
}

// ---------------------------------------------------------------------------
// temporal + duration

/// A date moves by months, then days, then by the whole days within the
/// seconds part (truncated toward zero).
pub fn date_plus(date: Date, d: &Duration) -> Result<Date> {
    let days = d.time_nanos() / NANOS_PER_DAY as i128;
    let days = i64::try_from(days)
        .ok()
        .and_then(|x| x.checked_add(d.days))
        .ok_or_else(|| invalid("Date is out of the supported range"))?;
    date.plus_months(d.months)?.plus_days(days)
}

pub fn local_time_plus(t: LocalTime, d: &Duration) -> LocalTime {
    LocalTime::from_nanos_wrapping(t.nanos_of_day() as i128 + d.time_nanos())
}

pub fn time_plus(t: Time, d: &Duration) -> Time {
    Time::new(local_time_plus(t.local(), d), t.offset_seconds())
}

pub fn local_datetime_plus(ldt: LocalDateTime, d: &Duration) -> Result<LocalDateTime> {
    let date = ldt.date().plus_months(d.months)?.plus_days(d.days)?;
    LocalDateTime::new(date, ldt.time()).plus_nanos(d.time_nanos())
}

/// Months and days move the local date-time (keeping the wall clock across
/// DST changes); seconds move the instant.
pub fn datetime_plus(dt: &DateTime, d: &Duration) -> Result<DateTime> {
    let zone = dt.zone()?;
    let local = dt.local();
    let date = local.date().plus_months(d.months)?.plus_days(d.days)?;
    let moved = DateTime::from_local(LocalDateTime::new(date, local.time()), &zone, Some(dt.offset_seconds()))?;
    DateTime::from_instant(moved.instant_nanos() + d.time_nanos(), &zone)
}

// ---------------------------------------------------------------------------
// duration.between and friends

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BetweenUnit {
    All,
    Months,
    Days,
    Seconds,
}

/// A temporal broken into optional parts, for `duration.between`.
#[derive(Clone, Debug)]
pub struct Parts {
    pub date: Option<Date>,
    pub time: Option<LocalTime>,
    pub zone: Option<Zone>,
    /// The offset the value had, to pick the right side of a DST overlap.
    pub offset: Option<i32>,
}

impl Parts {
    fn local(&self) -> LocalDateTime {
        let date = self.date.unwrap_or(Date { epoch_day: 0 });
        LocalDateTime::new(date, self.time.unwrap_or(LocalTime::MIDNIGHT))
    }

    fn offset_hint(&self) -> Option<i32> {
        self.offset
    }
}

/// The instant (or, without zones, the local nanoseconds) of a part set.
fn instant(p: &Parts) -> Result<i128> {
    match &p.zone {
        None => Ok(p.local().local_nanos()),
        Some(zone) => Ok(DateTime::from_local(p.local(), zone, p.offset_hint())?.instant_nanos()),
    }
}

/// Java's `LocalDateTime.until` for date units: the end date, stepped back
/// (or forward) a day when its time of day has not yet reached the start's.
fn effective_end_date(from: LocalDateTime, to: LocalDateTime) -> Date {
    let (fd, td) = (from.date(), to.date());
    if td > fd && to.time() < from.time() {
        Date {
            epoch_day: td.epoch_day - 1,
        }
    } else if td < fd && to.time() > from.time() {
        Date {
            epoch_day: td.epoch_day + 1,
        }
    } else {
        td
    }
}

fn months_until(from: LocalDateTime, to: LocalDateTime) -> i64 {
    let end = effective_end_date(from, to);
    let packed = |d: Date| {
        let (y, m, day) = d.ymd();
        (y * 12 + m as i64 - 1) * 32 + day as i64
    };
    (packed(end) - packed(from.date())) / 32
}

fn days_until(from: LocalDateTime, to: LocalDateTime) -> i64 {
    effective_end_date(from, to).epoch_day - from.date().epoch_day
}

pub fn between(mut a: Parts, mut b: Parts, unit: BetweenUnit) -> Result<Duration> {
    let both_dated = a.date.is_some() && b.date.is_some();
    // A side without a date borrows the other's, a side without a zone the
    // other's zone: the difference is then taken on a common footing.
    if a.date.is_none() {
        a.date = b.date;
    }
    if b.date.is_none() {
        b.date = a.date;
    }
    if a.zone.is_none() {
        a.zone = b.zone.clone();
    }
    if b.zone.is_none() {
        b.zone = a.zone.clone();
    }
    let nanos = || Ok::<i128, super::TemporalError>(instant(&b)? - instant(&a)?);
    if !both_dated {
        return match unit {
            BetweenUnit::Months | BetweenUnit::Days => Ok(Duration::ZERO),
            _ => Duration::new(0, 0, nanos()?),
        };
    }
    let from = a.local();
    // Date units compare wall clocks in the start's zone.
    let to = match &a.zone {
        Some(zone) => DateTime::from_instant(instant(&b)?, zone)?.local(),
        None => b.local(),
    };
    match unit {
        BetweenUnit::Months => Duration::new(months_until(from, to) as i128, 0, 0),
        BetweenUnit::Days => Duration::new(0, days_until(from, to) as i128, 0),
        BetweenUnit::Seconds => Duration::new(0, 0, nanos()?),
        BetweenUnit::All => {
            let months = months_until(from, to);
            let stepped = LocalDateTime::new(from.date().plus_months(months)?, from.time());
            let days = days_until(stepped, to);
            let stepped = LocalDateTime::new(stepped.date().plus_days(days)?, from.time());
            let rest = Parts {
                date: Some(stepped.date()),
                time: Some(stepped.time()),
                zone: a.zone.clone(),
                offset: a.offset,
            };
            Duration::new(months as i128, days as i128, instant(&b)? - instant(&rest)?)
        }
    }
}
