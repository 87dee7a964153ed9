//! Proleptic Gregorian calendar arithmetic on epoch days.
//!
//! Cypher allows years in -999,999,999..=999,999,999, far beyond what jiff's
//! civil types hold, so dates are plain epoch-day counts and the calendar is
//! computed here (algorithms after Howard Hinnant's `days_from_civil`).

pub const MIN_YEAR: i64 = -999_999_999;
pub const MAX_YEAR: i64 = 999_999_999;

pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const SECONDS_PER_DAY: i64 = 86_400;
pub const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub fn days_in_year(y: i64) -> i64 {
    if is_leap(y) {
        366
    } else {
        365
    }
}

/// ISO day of week, Monday = 1 .. Sunday = 7 (1970-01-01 was a Thursday).
pub fn day_of_week(epoch_day: i64) -> i64 {
    (epoch_day + 3).rem_euclid(7) + 1
}

/// The Monday starting week 1 of ISO week-year `y` (the week holding 4 January).
pub fn week_year_start(y: i64) -> i64 {
    let jan4 = days_from_civil(y, 1, 4);
    jan4 - (day_of_week(jan4) - 1)
}

pub fn weeks_in_week_year(y: i64) -> i64 {
    (week_year_start(y + 1) - week_year_start(y)) / 7
}

/// (week-year, week) of an epoch day.
pub fn iso_week(epoch_day: i64) -> (i64, i64) {
    let (y, _, _) = civil_from_days(epoch_day);
    let wy = if epoch_day >= week_year_start(y + 1) {
        y + 1
    } else if epoch_day < week_year_start(y) {
        y - 1
    } else {
        y
    };
    (wy, (epoch_day - week_year_start(wy)) / 7 + 1)
}

pub fn quarter_start_month(quarter: i64) -> u32 {
    (quarter as u32 - 1) * 3 + 1
}
