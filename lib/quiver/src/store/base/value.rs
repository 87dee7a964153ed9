//! Property values as bytes, for the base's columns and indexes that hold
//! values of more than one plain type (temporals, lists, mixed columns).
//!
//! ```text
//! 1 bool (1 byte)       2 integer (8)          3 float (8)
//! 4 string (varint length, UTF-8 bytes)
//! 5 date (epoch day, 8)  6 local time (nanosecond of day, 8)
//! 7 time (nanosecond of day 8, offset seconds 4)
//! 8 local date-time (epoch day 8, nanosecond of day 8)
//! 9 date-time (epoch day 8, nanosecond of day 8, offset 4, zone name as a string, empty for none)
//! 10 duration (months 8, days 8, seconds 8, nanoseconds 4)
//! 11 list (varint length, then each element)
//! ```
//!
//! All integers little-endian. Decoding checks what it builds: bytes that
//! do not make a value give `None`, never a panic.

use std::sync::Arc;

use crate::value::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use crate::value::Value;

/// Appends `v` (a storable value: no null, map or entity) to `out`;
/// `false` for a value that cannot be stored.
pub fn encode(v: &Value, out: &mut Vec<u8>) -> bool {
    match v {
        Value::Bool(b) => {
            out.push(1);
            out.push(*b as u8);
        }
        Value::Int(i) => {
            out.push(2);
            out.extend_from_slice(&i.to_le_bytes());
        }
        Value::Float(f) => {
            out.push(3);
            out.extend_from_slice(&f.to_le_bytes());
        }
        Value::String(s) => {
            out.push(4);
            string(s, out);
        }
        Value::Date(d) => {
            out.push(5);
            out.extend_from_slice(&d.epoch_day().to_le_bytes());
        }
        Value::LocalTime(t) => {
            out.push(6);
            out.extend_from_slice(&t.nanos_of_day().to_le_bytes());
        }
        Value::Time(t) => {
            out.push(7);
            out.extend_from_slice(&t.local().nanos_of_day().to_le_bytes());
            out.extend_from_slice(&t.offset_seconds().to_le_bytes());
        }
        Value::LocalDateTime(t) => {
            out.push(8);
            out.extend_from_slice(&t.date().epoch_day().to_le_bytes());
            out.extend_from_slice(&t.time().nanos_of_day().to_le_bytes());
        }
        Value::DateTime(t) => {
            out.push(9);
            let local = t.local();
            out.extend_from_slice(&local.date().epoch_day().to_le_bytes());
            out.extend_from_slice(&local.time().nanos_of_day().to_le_bytes());
            out.extend_from_slice(&t.offset_seconds().to_le_bytes());
            string(t.zone_name().unwrap_or(""), out);
        }
        Value::Duration(d) => {
            out.push(10);
            out.extend_from_slice(&d.months.to_le_bytes());
            out.extend_from_slice(&d.days.to_le_bytes());
            out.extend_from_slice(&d.seconds.to_le_bytes());
            out.extend_from_slice(&d.nanos.to_le_bytes());
        }
        Value::List(items) => {
            out.push(11);
            varint(items.len() as u64, out);
            for i in items.iter() {
                if !encode(i, out) {
                    return false;
                }
            }
        }
        Value::Null | Value::Map(_) | Value::Node(_) | Value::Relationship(_) | Value::Path(_) => return false,
    }
    true
}

fn string(s: &str, out: &mut Vec<u8>) {
    varint(s.len() as u64, out);
    out.extend_from_slice(s.as_bytes());
}

pub fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads from a byte slice, failing (with `None`) past its end.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }

    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let s = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    pub fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    pub fn done(&self) -> bool {
        self.at == self.bytes.len()
    }
}

/// Reads one value written by [`encode`] (lists nested at most `depth` deep).
pub fn decode(r: &mut Reader, depth: usize) -> Option<Value> {
    let date = |d: i64| Date::from_epoch_day(d).ok();
    let time = |n: i64| LocalTime::from_nanos(n).ok();
    Some(match r.u8()? {
        1 => Value::Bool(r.u8()? != 0),
        2 => Value::Int(r.i64()?),
        3 => Value::Float(f64::from_le_bytes(r.take(8)?.try_into().ok()?)),
        4 => Value::String(Arc::from(r.str()?)),
        5 => Value::Date(date(r.i64()?)?),
        6 => Value::LocalTime(time(r.i64()?)?),
        7 => {
            let t = time(r.i64()?)?;
            Value::Time(Time::new(t, r.i32()?))
        }
        8 => {
            let d = date(r.i64()?)?;
            Value::LocalDateTime(LocalDateTime::new(d, time(r.i64()?)?))
        }
        9 => {
            let d = date(r.i64()?)?;
            let t = time(r.i64()?)?;
            let offset = r.i32()?;
            let zone = r.str()?;
            let zone = (!zone.is_empty()).then(|| Arc::from(zone));
            Value::DateTime(Arc::new(
                DateTime::from_parts(LocalDateTime::new(d, t), offset, zone).ok()?,
            ))
        }
        10 => {
            let (months, days, seconds) = (r.i64()?, r.i64()?, r.i64()?);
            let nanos = r.i32()?;
            let total = i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
            Value::Duration(Arc::new(Duration::new(months.into(), days.into(), total).ok()?))
        }
        11 if depth > 0 => {
            let n = usize::try_from(r.varint()?).ok()?;
            // Each element takes at least two bytes: a claimed length is checked first.
            if n > r.bytes.len().saturating_sub(r.at) {
                return None;
            }
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(decode(r, depth - 1)?);
            }
            Value::list(items)
        }
        _ => return None,
    })
}

/// One value decoded from exactly `bytes`.
pub fn decode_all(bytes: &[u8]) -> Option<Value> {
    let mut r = Reader::new(bytes);
    let v = decode(&mut r, 64)?;
    r.done().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back() {
        let db = crate::Database::in_memory();
        for text in [
            "true",
            "-42",
            "1.5",
            "'héllo'",
            "date('2025-11-04')",
            "localtime('12:30:01.000000005')",
            "time('01:02:03+01:00')",
            "localdatetime('1999-01-02T03:04:05')",
            "datetime('2025-11-04T10:00:00[Europe/Berlin]')",
            "datetime('2025-11-04T10:00:00-02:30')",
            "duration('P1Y2M3DT4H5M6.7S')",
            "[1, 2, 3]",
            "['a', 'b']",
            "[]",
        ] {
            let v = db.eval_literal(text).unwrap();
            let mut bytes = Vec::new();
            assert!(encode(&v, &mut bytes), "{text}");
            assert_eq!(decode_all(&bytes), Some(v), "{text}");
        }
        assert!(!encode(&Value::Null, &mut Vec::new()));
    }

    #[test]
    fn damaged_bytes_are_not_values() {
        let mut bytes = Vec::new();
        encode(&Value::list(vec![Value::from("abc"), Value::Int(1)]), &mut bytes);
        for cut in 0..bytes.len() {
            assert_eq!(decode_all(&bytes[..cut]), None, "cut at {cut}");
        }
        for bad in [
            vec![0u8],
            vec![99],
            vec![11, 0xff, 0xff, 0xff, 0xff, 0x0f],
            vec![6, 0, 0, 0, 0, 0, 0, 0, 0x80],
        ] {
            assert_eq!(decode_all(&bad), None, "{bad:?}");
        }
    }
}
