//! ISO 8601 text forms accepted by the temporal functions: calendar, week
//! and ordinal dates in extended and basic format, times with fractions and
//! offsets, zone names in brackets, and durations.

use super::calendar::*;
use super::duration::{Num, Unit};
use super::{invalid, Date, LocalDateTime, LocalTime, Result, TemporalError};

fn not_parsable(kind: &str, s: &str) -> TemporalError {
    invalid(format!("Text cannot be parsed to a {kind}: {s}"))
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn num(s: &str) -> Option<i64> {
    if all_digits(s) {
        s.parse().ok()
    } else {
        None
    }
}

/// Splits off the leading year: four digits, or a sign and any digits.
fn split_year(s: &str) -> Option<(i64, &str)> {
    if let Some(rest) = s.strip_prefix(['+', '-']) {
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let y: i64 = rest[..len].parse().ok()?;
        let y = if s.starts_with('-') { -y } else { y };
        Some((y, &rest[len..]))
    } else {
        let year = s.get(..4)?;
        Some((num(year)?, &s[4..]))
    }
}

pub fn parse_date(s: &str) -> Result<Date> {
    parse_date_opt(s).ok_or_else(|| not_parsable("Date", s))?
}

fn parse_date_opt(s: &str) -> Option<Result<Date>> {
    if !s.is_ascii() {
        return None;
    }
    let (year, rest) = split_year(s)?;
    if rest.is_empty() {
        return Some(Date::from_ymd(year, 1, 1));
    }
    let (dashed, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if let Some(w) = rest.strip_prefix(['W', 'w']) {
        let week = num(w.get(..2)?)?;
        let day = match &w[2..] {
            "" => 1,
            d if dashed => num(d.strip_prefix('-')?)?,
            d => num(d)?,
        };
        return Some(date_from_week(year, week, day));
    }
    let parsed = match rest.len() {
        2 => Date::from_ymd(year, num(rest)?, 1),
        3 => date_from_ordinal(year, num(rest)?),
        4 if !dashed => Date::from_ymd(year, num(&rest[..2])?, num(&rest[2..])?),
        5 if dashed && rest.as_bytes()[2] == b'-' => Date::from_ymd(year, num(&rest[..2])?, num(&rest[3..])?),
        _ => return None,
    };
    Some(parsed)
}

pub fn date_from_week(week_year: i64, week: i64, day_of_week: i64) -> Result<Date> {
    super::check_year(week_year)?;
    if week < 1 || week > weeks_in_week_year(week_year) {
        return Err(invalid(format!("Invalid value for week: {week}")));
    }
    if !(1..=7).contains(&day_of_week) {
        return Err(invalid(format!("Invalid value for dayOfWeek: {day_of_week}")));
    }
    Date::from_epoch_day(week_year_start(week_year) + (week - 1) * 7 + day_of_week - 1)
}

pub fn date_from_ordinal(year: i64, ordinal: i64) -> Result<Date> {
    super::check_year(year)?;
    if !(1..=days_in_year(year)).contains(&ordinal) {
        return Err(invalid(format!("Invalid value for ordinalDay: {ordinal}")));
    }
    Date::from_epoch_day(days_from_civil(year, 1, 1) + ordinal - 1)
}

/// A parsed time of day with its optional offset and zone name.
pub struct TimeParts<'a> {
    pub time: LocalTime,
    pub offset: Option<i32>,
    pub zone: Option<&'a str>,
}

pub fn parse_time(s: &str) -> Result<TimeParts<'_>> {
    let err = || not_parsable("Time", s);
    let (body, zone) = match s.strip_suffix(']') {
        Some(inner) => {
            let open = inner.find('[').ok_or_else(err)?;
            (&inner[..open], Some(&inner[open + 1..]))
        }
        None => (s, None),
    };
    let (body, offset) = match body.find(['Z', 'z', '+', '-']) {
        Some(pos) => (&body[..pos], Some(parse_offset(&body[pos..])?)),
        None => (body, None),
    };
    let time = parse_local_time(body).ok_or_else(err)??;
    Ok(TimeParts { time, offset, zone })
}

fn parse_local_time(s: &str) -> Option<Result<LocalTime>> {
    if !s.is_ascii() {
        return None;
    }
    let (main, frac) = match s.find(['.', ',']) {
        Some(pos) => (&s[..pos], Some(&s[pos + 1..])),
        None => (s, None),
    };
    let fields: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        let n = main.len();
        if n % 2 != 0 || n > 6 {
            return None;
        }
        (0..n / 2).map(|i| &main[2 * i..2 * i + 2]).collect()
    };
    if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| f.len() != 2) {
        return None;
    }
    let nanos = match frac {
        None => 0,
        Some(f) if fields.len() == 3 && f.len() <= 9 => num(f)? * 10i64.pow(9 - f.len() as u32),
        Some(_) => return None,
    };
    let get = |i: usize| fields.get(i).map_or(Some(0), |f| num(f));
    Some(LocalTime::from_hmsn(get(0)?, get(1)?, get(2)?, nanos))
}

/// `Z`, `±HH`, `±HHMM`, `±HH:MM`, `±HH:MM:SS`, `±HHMMSS`.
pub fn parse_offset(s: &str) -> Result<i32> {
    let err = || invalid(format!("Invalid time zone offset: {s}"));
    if s == "Z" || s == "z" {
        return Ok(0);
    }
    let sign = match s.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(err()),
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if !all_digits(&digits) || !matches!(digits.len(), 2 | 4 | 6) {
        return Err(err());
    }
    let part = |i: usize| digits.get(i..i + 2).map_or(Ok(0), |p| p.parse::<i32>());
    let (h, m, sec) = (part(0), part(2), part(4));
    let (h, m, sec) = (h.map_err(|_| err())?, m.map_err(|_| err())?, sec.map_err(|_| err())?);
    if h > 18 || m > 59 || sec > 59 {
        return Err(err());
    }
    Ok(sign * (h * 3600 + m * 60 + sec))
}

/// A parsed date-time; the time part is optional in the text (midnight).
pub struct DateTimeParts<'a> {
    pub local: LocalDateTime,
    pub offset: Option<i32>,
    pub zone: Option<&'a str>,
}

pub fn parse_datetime(s: &str) -> Result<DateTimeParts<'_>> {
    let (date, time) = match s.find(['T', 't']) {
        Some(pos) => (&s[..pos], Some(&s[pos + 1..])),
        None => (s, None),
    };
    let date = parse_date(date)?;
    let Some(time) = time else {
        return Ok(DateTimeParts {
            local: LocalDateTime::new(date, LocalTime::MIDNIGHT),
            offset: None,
            zone: None,
        });
    };
    let t = parse_time(time)?;
    Ok(DateTimeParts {
        local: LocalDateTime::new(date, t.time),
        offset: t.offset,
        zone: t.zone,
    })
}

/// `PnYnMnWnDTnHnMnS` (any component optional, signed and fractional
/// numbers allowed, a leading `-` negating the whole), or the alternative
/// form `PYYYY-MM-DDThh:mm:ss[.fff]`.
pub fn parse_duration(s: &str) -> Result<Vec<(Unit, Num)>> {
    let err = || not_parsable("Duration", s);
    let (negate, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let body = body.strip_prefix(['P', 'p']).ok_or_else(err)?;
    let mut parts = if looks_alternative(body) {
        parse_alternative(body).ok_or_else(err)?
    } else {
        parse_designators(body).ok_or_else(err)?
    };
    if negate {
        for (_, n) in parts.iter_mut() {
            *n = n.negate();
        }
    }
    Ok(parts)
}

fn looks_alternative(body: &str) -> bool {
    body.len() > 4 && body.as_bytes()[..4].iter().all(u8::is_ascii_digit) && body.as_bytes()[4] == b'-'
}

fn parse_alternative(body: &str) -> Option<Vec<(Unit, Num)>> {
    let (date, time) = match body.find('T') {
        Some(p) => (&body[..p], Some(&body[p + 1..])),
        None => (body, None),
    };
    let d: Vec<&str> = date.split('-').collect();
    if d.len() != 3 {
        return None;
    }
    let mut parts = vec![
        (Unit::Years, Num::Int(num(d[0])?)),
        (Unit::Months, Num::Int(num(d[1])?)),
        (Unit::Days, Num::Int(num(d[2])?)),
    ];
    if let Some(time) = time {
        let t: Vec<&str> = time.split(':').collect();
        if t.len() != 3 {
            return None;
        }
        parts.push((Unit::Hours, Num::Int(num(t[0])?)));
        parts.push((Unit::Minutes, Num::Int(num(t[1])?)));
        parts.extend(seconds_parts(t[2])?);
    }
    Some(parts)
}

fn parse_designators(body: &str) -> Option<Vec<(Unit, Num)>> {
    let mut parts = Vec::new();
    let mut in_time = false;
    let mut rest = body;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['T', 't']) {
            if in_time || r.is_empty() {
                return None;
            }
            in_time = true;
            rest = r;
            continue;
        }
        let len = rest
            .bytes()
            .enumerate()
            .take_while(|(i, b)| b.is_ascii_digit() || *b == b'.' || *b == b',' || (*i == 0 && *b == b'-'))
            .count();
        let (number, tail) = rest.split_at(len);
        let unit = tail.chars().next()?;
        rest = &tail[unit.len_utf8()..];
        let unit = unit.to_ascii_uppercase();
        match (in_time, unit) {
            (true, 'S') => parts.extend(seconds_parts(number)?),
            (false, 'Y') => parts.push((Unit::Years, parse_num(number)?)),
            (false, 'M') => parts.push((Unit::Months, parse_num(number)?)),
            (false, 'W') => parts.push((Unit::Weeks, parse_num(number)?)),
            (false, 'D') => parts.push((Unit::Days, parse_num(number)?)),
            (true, 'H') => parts.push((Unit::Hours, parse_num(number)?)),
            (true, 'M') => parts.push((Unit::Minutes, parse_num(number)?)),
            _ => return None,
        }
    }
    Some(parts)
}

fn parse_num(s: &str) -> Option<Num> {
    let s = s.replace(',', ".");
    if s.contains('.') {
        s.parse().ok().filter(|f: &f64| f.is_finite()).map(Num::Float)
    } else {
        s.parse().ok().map(Num::Int)
    }
}

/// Seconds with an exact fraction: whole seconds plus signed nanoseconds.
fn seconds_parts(s: &str) -> Option<Vec<(Unit, Num)>> {
    let s = s.replace(',', ".");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    let negative = whole.starts_with('-');
    let secs: i64 = if whole == "-" { 0 } else { whole.parse().ok()? };
    if frac.len() > 9 || (!frac.is_empty() && !all_digits(frac)) {
        return None;
    }
    let nanos = if frac.is_empty() {
        0
    } else {
        num(frac)? * 10i64.pow(9 - frac.len() as u32)
    };
    let nanos = if negative { -nanos } else { nanos };
    Some(vec![
        (Unit::Seconds, Num::Int(secs)),
        (Unit::Nanoseconds, Num::Int(nanos)),
    ])
}
