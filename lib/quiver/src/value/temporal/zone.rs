//! Time zones: fixed offsets, or IANA zones resolved through jiff.

use std::sync::{Arc, OnceLock};

use jiff::tz::{AmbiguousOffset, TimeZone};

use super::calendar::NANOS_PER_SECOND;
use super::{invalid, parse, LocalDateTime, Result};

/// Offsets beyond ±18h are rejected, as in java.time.
const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

#[derive(Clone, Debug)]
pub enum Zone {
    Offset(i32),
    Named(Arc<str>, TimeZone),
}

impl Zone {
    pub const UTC: Zone = Zone::Offset(0);

    /// `+01:00`, `-0130`, `Z`, or an IANA name such as `Europe/Stockholm`.
    pub fn parse(s: &str) -> Result<Zone> {
        if s.starts_with(['+', '-']) || s == "Z" || s == "z" {
            return Zone::offset(parse::parse_offset(s)?);
        }
        Zone::named(s)
    }

    pub fn offset(seconds: i32) -> Result<Zone> {
        if seconds.abs() > MAX_OFFSET_SECONDS {
            return Err(invalid(format!("Invalid time zone offset: {seconds}s")));
        }
        Ok(Zone::Offset(seconds))
    }

    pub fn named(name: &str) -> Result<Zone> {
        let tz = bundled_db()
            .get(name)
            .or_else(|_| jiff::tz::db().get(name))
            .map_err(|_| invalid(format!("Unknown time zone: {name}")))?;
        Ok(Zone::Named(name.into(), tz))
    }

    pub fn name(&self) -> Option<Arc<str>> {
        match self {
            Zone::Offset(_) => None,
            Zone::Named(name, _) => Some(name.clone()),
        }
    }

    pub fn offset_at_instant(&self, instant_nanos: i128) -> Result<i32> {
        match self {
            Zone::Offset(o) => Ok(*o),
            Zone::Named(name, tz) => {
                let ts = jiff::Timestamp::from_nanosecond(instant_nanos).map_err(|_| out_of_zone_range(name))?;
                Ok(tz.to_offset(ts).seconds())
            }
        }
    }

    /// The offset to interpret `local` with: in a gap the earlier offset (so
    /// the instant lands after the gap), in an overlap `preferred` when it is
    /// one of the two, else the earlier.
    pub fn offset_for_local(&self, local: LocalDateTime, preferred: Option<i32>) -> Result<i32> {
        let (name, tz) = match self {
            Zone::Offset(o) => return Ok(*o),
            Zone::Named(name, tz) => (name, tz),
        };
        let civil = to_civil(local).ok_or_else(|| out_of_zone_range(name))?;
        Ok(match tz.to_ambiguous_timestamp(civil).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.seconds(),
            AmbiguousOffset::Gap { before, .. } => before.seconds(),
            AmbiguousOffset::Fold { before, after } => {
                let p = preferred.filter(|p| *p == after.seconds());
                p.unwrap_or(before.seconds())
            }
        })
    }
}

/// The tz database bundled into the binary, preferred over the system's so
/// that results do not depend on the host: some distributions build zoneinfo
/// with `backzone` data (e.g. a distinct pre-1970 Europe/Stockholm), while the
/// TCK expects the mainline database, where Stockholm follows Berlin.
fn bundled_db() -> &'static jiff::tz::TimeZoneDatabase {
    static DB: OnceLock<jiff::tz::TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(jiff::tz::TimeZoneDatabase::bundled)
}

fn out_of_zone_range(name: &str) -> super::TemporalError {
    invalid(format!("Date-time out of the range supported for time zone {name}"))
}

fn to_civil(local: LocalDateTime) -> Option<jiff::civil::DateTime> {
    let (y, m, d) = local.date().ymd();
    let t = local.time();
    jiff::civil::DateTime::new(
        i16::try_from(y).ok()?,
        m as i8,
        d as i8,
        t.hour() as i8,
        t.minute() as i8,
        t.second() as i8,
        (t.nanos_of_day() % NANOS_PER_SECOND) as i32,
    )
    .ok()
}

/// The current instant in nanoseconds since the epoch.
pub fn realtime_nanos() -> i128 {
    jiff::Timestamp::now().as_nanosecond()
}
