//! quiver values to PackStream and back, as the Bolt "Structure Semantics"
//! define them for the negotiated version.
//!
//! Results are written straight into the outgoing message (no intermediate
//! tree); nodes and relationships get their labels, types and properties
//! from the result's snapshots ([`EntityLookup`]). Parameters arrive as
//! [`PackValue`]s and become quiver values; temporal structures included,
//! entities and spatial values refused.

use std::sync::Arc;

use quiver::value::temporal::{self, Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use quiver::value::Map;
use quiver::{NodeId, RelId, Value};

use crate::backend::{codes, BackendError, EntityLookup, Params};
use crate::packstream::encode::*;
use crate::packstream::{Dict, PackValue, Structure};

/// Structure tags (Bolt "Structure Semantics").
pub mod tag {
    pub const NODE: u8 = 0x4E;
    pub const RELATIONSHIP: u8 = 0x52;
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    pub const PATH: u8 = 0x50;
    pub const DATE: u8 = 0x44;
    pub const TIME: u8 = 0x54;
    pub const LOCAL_TIME: u8 = 0x74;
    pub const DATE_TIME: u8 = 0x49;
    pub const DATE_TIME_ZONE_ID: u8 = 0x69;
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    pub const DURATION: u8 = 0x45;
    pub const POINT_2D: u8 = 0x58;
    pub const POINT_3D: u8 = 0x59;
    pub const LEGACY_DATE_TIME: u8 = 0x46;
    pub const LEGACY_DATE_TIME_ZONE_ID: u8 = 0x66;
}

const NANOS: i128 = 1_000_000_000;

/// How structures are written for the negotiated version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Encoding {
    /// Bolt 5.0+: nodes and relationships carry element ids.
    pub element_ids: bool,
    /// Bolt 5.0+, or 4.4 with the `utc` patch: the UTC-based date-time
    /// structures (0x49, 0x69) instead of the legacy ones (0x46, 0x66).
    pub utc_datetime: bool,
}

impl Encoding {
    pub const BOLT5: Encoding = Encoding {
        element_ids: true,
        utc_datetime: true,
    };
}

/// quiver's `elementId()` of a node: `n<id>`.
pub fn node_element_id(id: NodeId) -> String {
    format!("n{}", id.0)
}

/// quiver's `elementId()` of a relationship: `r<id>`.
pub fn rel_element_id(id: RelId) -> String {
    format!("r{}", id.0)
}

fn id_int(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(i64::MAX)
}

fn write_quiver_map(out: &mut Vec<u8>, m: &Map, enc: Encoding, lookup: &dyn EntityLookup) {
    write_map_header(out, m.len());
    for (k, v) in m.iter() {
        write_string(out, k);
        write_value(out, v, enc, lookup);
    }
}

/// Writes one quiver value as PackStream.
pub fn write_value(out: &mut Vec<u8>, v: &Value, enc: Encoding, lookup: &dyn EntityLookup) {
    match v {
        Value::Null => write_null(out),
        Value::Bool(b) => write_bool(out, *b),
        Value::Int(i) => write_int(out, *i),
        Value::Float(f) => write_float(out, *f),
        Value::String(s) => write_string(out, s),
        Value::List(items) => {
            write_list_header(out, items.len());
            for item in items.iter() {
                write_value(out, item, enc, lookup);
            }
        }
        Value::Map(m) => write_quiver_map(out, m, enc, lookup),
        Value::Node(id) => write_node(out, *id, enc, lookup),
        Value::Relationship(id) => write_relationship(out, *id, enc, lookup),
        Value::Path(p) => write_path(out, p, enc, lookup),
        Value::Date(d) => {
            write_struct_header(out, tag::DATE, 1);
            write_int(out, d.epoch_day());
        }
        Value::LocalTime(t) => {
            write_struct_header(out, tag::LOCAL_TIME, 1);
            write_int(out, t.nanos_of_day());
        }
        Value::Time(t) => {
            write_struct_header(out, tag::TIME, 2);
            write_int(out, t.local().nanos_of_day());
            write_int(out, t.offset_seconds() as i64);
        }
        Value::LocalDateTime(l) => {
            let (s, n) = split_nanos(l.local_nanos());
            write_struct_header(out, tag::LOCAL_DATE_TIME, 2);
            write_int(out, s);
            write_int(out, n);
        }
        Value::DateTime(dt) => write_datetime(out, dt, enc),
        Value::Duration(d) => {
            write_struct_header(out, tag::DURATION, 4);
            write_int(out, d.months);
            write_int(out, d.days);
            write_int(out, d.seconds);
            write_int(out, d.nanos as i64);
        }
    }
}

/// Seconds and the nanoseconds left over (0..1e9).
fn split_nanos(n: i128) -> (i64, i64) {
    let s = n.div_euclid(NANOS);
    (
        i64::try_from(s).unwrap_or(if s < 0 { i64::MIN } else { i64::MAX }),
        n.rem_euclid(NANOS) as i64,
    )
}

fn write_datetime(out: &mut Vec<u8>, dt: &DateTime, enc: Encoding) {
    // Bolt 5: seconds since the epoch in UTC; legacy: local seconds
    // ("the Unix timestamp *added* to the offset").
    let (seconds, nanos) = split_nanos(if enc.utc_datetime {
        dt.instant_nanos()
    } else {
        dt.local().local_nanos()
    });
    match dt.zone_name() {
        Some(zone) => {
            let t = if enc.utc_datetime {
                tag::DATE_TIME_ZONE_ID
            } else {
                tag::LEGACY_DATE_TIME_ZONE_ID
            };
            write_struct_header(out, t, 3);
            write_int(out, seconds);
            write_int(out, nanos);
            write_string(out, zone);
        }
        None => {
            let t = if enc.utc_datetime {
                tag::DATE_TIME
            } else {
                tag::LEGACY_DATE_TIME
            };
            write_struct_header(out, t, 3);
            write_int(out, seconds);
            write_int(out, nanos);
            write_int(out, dt.offset_seconds() as i64);
        }
    }
}

fn write_node(out: &mut Vec<u8>, id: NodeId, enc: Encoding, lookup: &dyn EntityLookup) {
    write_struct_header(out, tag::NODE, if enc.element_ids { 4 } else { 3 });
    write_int(out, id_int(id.0));
    match lookup.node(id) {
        Some(n) => {
            write_list_header(out, n.labels.len());
            for l in &n.labels {
                write_string(out, l);
            }
            write_quiver_map(out, &n.properties, enc, lookup);
        }
        // Not in the result's snapshot (should not happen): no details.
        None => {
            write_list_header(out, 0);
            write_map_header(out, 0);
        }
    }
    if enc.element_ids {
        write_string(out, &node_element_id(id));
    }
}

fn write_relationship(out: &mut Vec<u8>, id: RelId, enc: Encoding, lookup: &dyn EntityLookup) {
    write_struct_header(out, tag::RELATIONSHIP, if enc.element_ids { 8 } else { 5 });
    write_int(out, id_int(id.0));
    let snap = lookup.relationship(id);
    let (start, end) = snap.map_or((NodeId(u64::MAX), NodeId(u64::MAX)), |r| (r.start, r.end));
    write_int(out, id_int(start.0));
    write_int(out, id_int(end.0));
    write_string(out, snap.map_or("", |r| r.rel_type.as_str()));
    match snap {
        Some(r) => write_quiver_map(out, &r.properties, enc, lookup),
        None => write_map_header(out, 0),
    }
    if enc.element_ids {
        write_string(out, &rel_element_id(id));
        write_string(out, &node_element_id(start));
        write_string(out, &node_element_id(end));
    }
}

/// A path as Bolt encodes it: its distinct nodes, its distinct relationships
/// (unbound), and indices: for each step the relationship's 1-based index
/// (negative when walked against its direction) and the next node's 0-based index.
fn write_path(out: &mut Vec<u8>, p: &quiver::Path, enc: Encoding, lookup: &dyn EntityLookup) {
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut rels: Vec<RelId> = Vec::new();
    let mut indices: Vec<i64> = Vec::with_capacity(p.rels.len() * 2);
    let index_of = |list: &mut Vec<NodeId>, n: NodeId| match list.iter().position(|x| *x == n) {
        Some(i) => i,
        None => {
            list.push(n);
            list.len() - 1
        }
    };
    if let Some(first) = p.nodes.first() {
        nodes.push(*first);
    }
    for (i, r) in p.rels.iter().enumerate() {
        let ri = match rels.iter().position(|x| x == r) {
            Some(i) => i,
            None => {
                rels.push(*r);
                rels.len() - 1
            }
        } as i64
            + 1;
        let from = p.nodes[i];
        let forward = lookup.relationship(*r).is_none_or(|s| s.start == from);
        indices.push(if forward { ri } else { -ri });
        let next = p.nodes.get(i + 1).copied().unwrap_or(from);
        indices.push(index_of(&mut nodes, next) as i64);
    }
    write_struct_header(out, tag::PATH, 3);
    write_list_header(out, nodes.len());
    for n in &nodes {
        write_node(out, *n, enc, lookup);
    }
    write_list_header(out, rels.len());
    for r in &rels {
        let snap = lookup.relationship(*r);
        write_struct_header(out, tag::UNBOUND_RELATIONSHIP, if enc.element_ids { 4 } else { 3 });
        write_int(out, id_int(r.0));
        write_string(out, snap.map_or("", |s| s.rel_type.as_str()));
        match snap {
            Some(s) => write_quiver_map(out, &s.properties, enc, lookup),
            None => write_map_header(out, 0),
        }
        if enc.element_ids {
            write_string(out, &rel_element_id(*r));
        }
    }
    write_list_header(out, indices.len());
    for i in indices {
        write_int(out, i);
    }
}

// ---------------------------------------------------------------------------
// Parameters: PackStream to quiver.

fn type_error(message: impl Into<String>) -> BackendError {
    BackendError::Status {
        code: codes::TYPE_ERROR,
        message: message.into(),
    }
}

fn argument_error(message: impl Into<String>) -> BackendError {
    BackendError::Status {
        code: codes::ARGUMENT_ERROR,
        message: message.into(),
    }
}

fn temporal_error(e: temporal::TemporalError) -> BackendError {
    match e {
        temporal::TemporalError::InvalidArgumentValue(m) => argument_error(m),
        temporal::TemporalError::InvalidArgumentType(m) => type_error(m),
    }
}

/// A parameter dictionary as quiver parameters.
pub fn params_from_dict(d: Dict, enc: Encoding) -> Result<Params, BackendError> {
    d.into_entries()
        .into_iter()
        .map(|(k, v)| Ok((k, from_pack(v, enc)?)))
        .collect()
}

/// One PackStream value as a quiver value.
pub fn from_pack(v: PackValue, enc: Encoding) -> Result<Value, BackendError> {
    Ok(match v {
        PackValue::Null => Value::Null,
        PackValue::Bool(b) => Value::Bool(b),
        PackValue::Int(i) => Value::Int(i),
        PackValue::Float(f) => Value::Float(f),
        PackValue::String(s) => Value::String(s.into()),
        PackValue::Bytes(_) => {
            return Err(type_error(
                "quiver has no byte arrays: a Bytes parameter cannot be used",
            ))
        }
        PackValue::List(items) => Value::List(Arc::new(
            items.into_iter().map(|i| from_pack(i, enc)).collect::<Result<_, _>>()?,
        )),
        PackValue::Dict(d) => {
            let mut m = Map::new();
            for (k, v) in d.into_entries() {
                m.insert(k.into(), from_pack(v, enc)?);
            }
            Value::Map(Arc::new(m))
        }
        PackValue::Struct(s) => from_structure(s, enc)?,
    })
}

fn ints<const N: usize>(s: &Structure, name: &str) -> Result<[i64; N], BackendError> {
    let bad = || type_error(format!("a {name} structure has {N} integer fields"));
    if s.fields.len() != N {
        return Err(bad());
    }
    let mut out = [0i64; N];
    for (slot, f) in out.iter_mut().zip(&s.fields) {
        *slot = f.as_int().ok_or_else(bad)?;
    }
    Ok(out)
}

fn check_nanos(n: i64) -> Result<(), BackendError> {
    if (0..NANOS as i64).contains(&n) {
        Ok(())
    } else {
        Err(argument_error(format!("nanoseconds must be in 0..999999999, got {n}")))
    }
}

/// `+01:00`, `-05:30:15`: the form quiver's time zone parser takes.
fn offset_string(seconds: i64) -> Result<String, BackendError> {
    if seconds.abs() > 18 * 3600 {
        return Err(argument_error(format!(
            "time zone offset {seconds}s is beyond ±18 hours"
        )));
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let a = seconds.unsigned_abs();
    Ok(format!("{sign}{:02}:{:02}:{:02}", a / 3600, a / 60 % 60, a % 60))
}

/// `datetime({...})` through the engine's own constructor.
fn datetime(fields: Vec<(&str, Value)>) -> Result<Value, BackendError> {
    let map: Map = fields.into_iter().map(|(k, v)| (Arc::from(k), v)).collect();
    temporal::call_function("datetime", &[Value::map(map)], temporal::realtime_nanos())
        .expect("datetime is a temporal function")
        .map_err(temporal_error)
}

fn datetime_at_instant(seconds: i64, nanos: i64, zone: String) -> Result<Value, BackendError> {
    check_nanos(nanos)?;
    datetime(vec![
        ("epochSeconds", Value::Int(seconds)),
        ("nanosecond", Value::Int(nanos)),
        ("timezone", Value::from(zone)),
    ])
}

fn local_datetime(seconds: i64, nanos: i64) -> Result<LocalDateTime, BackendError> {
    check_nanos(nanos)?;
    LocalDateTime::from_local_nanos(seconds as i128 * NANOS + nanos as i128).map_err(temporal_error)
}

fn zone_field(s: &Structure, name: &str) -> Result<(i64, i64, String), BackendError> {
    let bad = || type_error(format!("a {name} structure has fields (seconds, nanoseconds, tz_id)"));
    match s.fields.as_slice() {
        [PackValue::Int(secs), PackValue::Int(nanos), PackValue::String(zone)] => Ok((*secs, *nanos, zone.clone())),
        _ => Err(bad()),
    }
}

fn from_structure(s: Structure, enc: Encoding) -> Result<Value, BackendError> {
    use tag::*;
    Ok(match s.tag {
        DATE => {
            let [days] = ints(&s, "Date")?;
            Value::Date(Date::from_epoch_day(days).map_err(temporal_error)?)
        }
        LOCAL_TIME => {
            let [nanos] = ints(&s, "LocalTime")?;
            Value::LocalTime(local_time(nanos)?)
        }
        TIME => {
            let [nanos, offset] = ints(&s, "Time")?;
            offset_string(offset)?;
            Value::Time(Time::new(local_time(nanos)?, offset as i32))
        }
        LOCAL_DATE_TIME => {
            let [seconds, nanos] = ints(&s, "LocalDateTime")?;
            Value::LocalDateTime(local_datetime(seconds, nanos)?)
        }
        DURATION => {
            let [months, days, seconds, nanos] = ints(&s, "Duration")?;
            let d = Duration::new(months as i128, days as i128, seconds as i128 * NANOS + nanos as i128)
                .map_err(temporal_error)?;
            Value::Duration(Arc::new(d))
        }
        DATE_TIME if enc.utc_datetime => {
            let [seconds, nanos, offset] = ints(&s, "DateTime")?;
            datetime_at_instant(seconds, nanos, offset_string(offset)?)?
        }
        DATE_TIME_ZONE_ID if enc.utc_datetime => {
            let (seconds, nanos, zone) = zone_field(&s, "DateTimeZoneId")?;
            datetime_at_instant(seconds, nanos, zone)?
        }
        LEGACY_DATE_TIME if !enc.utc_datetime => {
            // Local seconds: the instant is that minus the offset.
            let [seconds, nanos, offset] = ints(&s, "DateTime")?;
            let utc = seconds
                .checked_sub(offset)
                .ok_or_else(|| argument_error("date-time out of range"))?;
            datetime_at_instant(utc, nanos, offset_string(offset)?)?
        }
        LEGACY_DATE_TIME_ZONE_ID if !enc.utc_datetime => {
            // Local seconds in the zone: resolved as the engine resolves a local time there.
            let (seconds, nanos, zone) = zone_field(&s, "DateTimeZoneId")?;
            let local = local_datetime(seconds, nanos)?;
            let (y, mo, d) = local.date().ymd();
            let t = local.time();
            datetime(vec![
                ("year", Value::Int(y)),
                ("month", Value::Int(mo as i64)),
                ("day", Value::Int(d as i64)),
                ("hour", Value::Int(t.hour())),
                ("minute", Value::Int(t.minute())),
                ("second", Value::Int(t.second())),
                ("nanosecond", Value::Int(t.nanosecond())),
                ("timezone", Value::from(zone)),
            ])?
        }
        NODE | RELATIONSHIP | UNBOUND_RELATIONSHIP | PATH => {
            let what = match s.tag {
                NODE => "Node",
                PATH => "Path",
                _ => "Relationship",
            };
            return Err(type_error(format!(
                "a {what} cannot be a parameter: pass its id or properties instead"
            )));
        }
        POINT_2D | POINT_3D => {
            return Err(type_error(
                "quiver has no spatial values: a Point cannot be a parameter",
            ))
        }
        t => {
            return Err(type_error(format!(
                "structure 0x{t:02X} is not a value this Bolt version carries as a parameter"
            )))
        }
    })
}

fn local_time(nanos: i64) -> Result<LocalTime, BackendError> {
    if !(0..86_400 * NANOS as i64).contains(&nanos) {
        return Err(argument_error(format!(
            "a time of day is 0..86399999999999 ns, got {nanos}"
        )));
    }
    Ok(LocalTime::from_nanos_wrapping(nanos as i128))
}

/// A quiver value as a [`PackValue`] (entities without a lookup get no details):
/// for tests and for metadata.
pub fn to_pack(v: &Value, enc: Encoding, lookup: &dyn EntityLookup) -> PackValue {
    let mut out = Vec::new();
    write_value(&mut out, v, enc, lookup);
    crate::packstream::Decoder::decode_all(
        &out,
        crate::packstream::Limits {
            max_depth: usize::MAX,
            max_collection_len: usize::MAX,
            max_values: usize::MAX,
        },
    )
    .expect("what we encode decodes")
}

/// An [`EntityLookup`] that knows no entities.
pub struct NoEntities;

impl EntityLookup for NoEntities {
    fn node(&self, _: NodeId) -> Option<&quiver::NodeSnapshot> {
        None
    }
    fn relationship(&self, _: RelId) -> Option<&quiver::RelSnapshot> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quiver::{Database, QueryResult};

    const LEGACY: Encoding = Encoding {
        element_ids: false,
        utc_datetime: false,
    };

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    fn eval(q: &str) -> (Value, QueryResult) {
        let db = Database::in_memory();
        let r = db.execute(q, &quiver::Params::new()).unwrap();
        (r.rows[0][0].clone(), r)
    }

    fn bytes(v: &Value, enc: Encoding, lookup: &dyn EntityLookup) -> Vec<u8> {
        let mut out = Vec::new();
        write_value(&mut out, v, enc, lookup);
        out
    }

    /// Written as `expected`, and (for values a parameter can be) read back equal.
    fn round_trip(q: &str, enc: Encoding, expected: &str) {
        let (v, r) = eval(q);
        let b = bytes(&v, enc, &r);
        assert_eq!(b, hex(expected), "{q}");
        let pack = crate::packstream::Decoder::decode_all(&b, Default::default()).unwrap();
        assert_eq!(from_pack(pack, enc).unwrap(), v, "{q}");
    }

    #[test]
    fn temporals_follow_the_structure_semantics() {
        // Date: days since the epoch.
        round_trip("RETURN date('1970-01-02')", Encoding::BOLT5, "B1 44 01");
        // LocalTime: nanoseconds of the day.
        round_trip("RETURN localtime('00:00:01')", Encoding::BOLT5, "B1 74 CA 3B 9A CA 00");
        // Time: local nanoseconds and the offset.
        round_trip(
            "RETURN time('00:00:01+01:00')",
            Encoding::BOLT5,
            "B2 54 CA 3B 9A CA 00 C9 0E 10",
        );
        // LocalDateTime: seconds and nanoseconds.
        round_trip(
            "RETURN localdatetime('1970-01-01T00:01:00.000000042')",
            Encoding::BOLT5,
            "B2 64 3C 2A",
        );
        // The docs' DateTime example: 1970-01-01T02:15:00.000000042+01:00 is 4500 s after the epoch...
        round_trip(
            "RETURN datetime('1970-01-01T02:15:00.000000042+01:00')",
            Encoding::BOLT5,
            "B3 49 C9 11 94 2A C9 0E 10",
        );
        // ...and 8100 local seconds in the legacy structure.
        round_trip(
            "RETURN datetime('1970-01-01T02:15:00.000000042+01:00')",
            LEGACY,
            "B3 46 C9 1F A4 2A C9 0E 10",
        );
        // The DateTimeZoneId examples (Europe/Paris is +01:00 then).
        round_trip(
            "RETURN datetime('1970-01-01T02:15:00.000000042[Europe/Paris]')",
            Encoding::BOLT5,
            "B3 69 C9 11 94 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73",
        );
        round_trip(
            "RETURN datetime('1970-01-01T02:15:00.000000042[Europe/Paris]')",
            LEGACY,
            "B3 66 C9 1F A4 2A 8C 45 75 72 6F 70 65 2F 50 61 72 69 73",
        );
        // Duration: months, days, seconds, nanoseconds.
        round_trip(
            "RETURN duration('P1Y2M3DT4.5S')",
            Encoding::BOLT5,
            "B4 45 0E 03 04 CA 1D CD 65 00",
        );
        round_trip(
            "RETURN duration('-PT0.5S')",
            Encoding::BOLT5,
            "B4 45 00 00 FF CA 1D CD 65 00",
        );
        // Before the epoch, nanoseconds stay positive.
        round_trip(
            "RETURN datetime('1969-12-31T23:59:59.5Z')",
            Encoding::BOLT5,
            "B3 49 FF CA 1D CD 65 00 00",
        );
    }

    #[test]
    fn nodes_relationships_and_paths() {
        let q = "CREATE p = (a:A {x: 1})-[r:R {w: 2}]->(b:B)<-[s:S]-(a) RETURN p";
        let (v, r) = eval(q);
        let pack = to_pack(&v, Encoding::BOLT5, &r);
        let PackValue::Struct(path) = pack else { panic!() };
        assert_eq!(path.tag, tag::PATH);
        let [PackValue::List(nodes), PackValue::List(rels), PackValue::List(indices)] = &path.fields[..] else {
            panic!()
        };
        // a and b once each; r forward to b (node 1), s backward to a (node 0).
        assert_eq!(nodes.len(), 2);
        assert_eq!(rels.len(), 2);
        assert_eq!(
            indices,
            &vec![
                PackValue::Int(1),
                PackValue::Int(1),
                PackValue::Int(-2),
                PackValue::Int(0)
            ]
        );
        let PackValue::Struct(a) = &nodes[0] else { panic!() };
        assert_eq!(
            a.fields,
            vec![
                PackValue::Int(0),
                vec!["A"].into(),
                Dict::new().with("x", PackValue::Int(1)).into(),
                "n0".into()
            ]
        );
        let PackValue::Struct(rr) = &rels[0] else { panic!() };
        assert_eq!(rr.tag, tag::UNBOUND_RELATIONSHIP);
        assert_eq!(rr.fields[1], "R".into());
        assert_eq!(rr.fields[3], "r0".into());

        let (v, r) = eval("CREATE (a:A)-[r:R {w: 2}]->(b:B) RETURN r");
        assert_eq!(
            bytes(&v, Encoding::BOLT5, &r),
            hex("B8 52 00 00 01 81 52 A1 81 77 02 82 72 30 82 6E 30 82 6E 31")
        );
        assert_eq!(bytes(&v, LEGACY, &r), hex("B5 52 00 00 01 81 52 A1 81 77 02"));
        let (v, r) = eval("CREATE (a:A:B {name: 'x'}) RETURN a");
        assert_eq!(
            bytes(&v, LEGACY, &r),
            hex("B3 4E 00 92 81 41 81 42 A1 84 6E 61 6D 65 81 78")
        );
    }

    #[test]
    fn scalars_lists_and_maps_round_trip() {
        round_trip(
            "RETURN [1, 2.5, 'x', true, null]",
            Encoding::BOLT5,
            "95 01 C1 40 04 00 00 00 00 00 00 81 78 C3 C0",
        );
        round_trip(
            "RETURN {a: [1], b: {c: -17}}",
            Encoding::BOLT5,
            "A2 81 61 91 01 81 62 A1 81 63 C8 EF",
        );
    }

    #[test]
    fn parameters_that_quiver_cannot_hold_are_refused() {
        let refused = |v: PackValue, enc| match from_pack(v, enc) {
            Err(BackendError::Status { code, message }) => (code, message),
            other => panic!("{other:?}"),
        };
        let node = Structure {
            tag: tag::NODE,
            fields: vec![
                PackValue::Int(1),
                PackValue::List(vec![]),
                Dict::new().into(),
                "n1".into(),
            ],
        };
        let (code, msg) = refused(node.into(), Encoding::BOLT5);
        assert_eq!(code, codes::TYPE_ERROR);
        assert!(msg.contains("Node cannot be a parameter"), "{msg}");
        let point = Structure {
            tag: tag::POINT_2D,
            fields: vec![PackValue::Int(7203), PackValue::Float(1.0), PackValue::Float(2.0)],
        };
        assert_eq!(refused(point.into(), Encoding::BOLT5).0, codes::TYPE_ERROR);
        assert_eq!(refused(PackValue::Bytes(vec![1]), Encoding::BOLT5).0, codes::TYPE_ERROR);
        // The legacy structure is not Bolt 5's, and the other way round.
        let legacy = Structure {
            tag: tag::LEGACY_DATE_TIME,
            fields: vec![PackValue::Int(0), PackValue::Int(0), PackValue::Int(0)],
        };
        assert_eq!(refused(legacy.clone().into(), Encoding::BOLT5).0, codes::TYPE_ERROR);
        assert!(from_pack(legacy.into(), LEGACY).is_ok());
        let bad_zone = Structure {
            tag: tag::DATE_TIME_ZONE_ID,
            fields: vec![PackValue::Int(0), PackValue::Int(0), "Mars/Olympus".into()],
        };
        assert_eq!(refused(bad_zone.into(), Encoding::BOLT5).0, codes::ARGUMENT_ERROR);
        let bad_nanos = Structure {
            tag: tag::LOCAL_TIME,
            fields: vec![PackValue::Int(-1)],
        };
        assert_eq!(refused(bad_nanos.into(), Encoding::BOLT5).0, codes::ARGUMENT_ERROR);
        let bad_shape = Structure {
            tag: tag::DATE,
            fields: vec!["x".into()],
        };
        assert_eq!(refused(bad_shape.into(), Encoding::BOLT5).0, codes::TYPE_ERROR);
    }

    #[test]
    fn legacy_zoned_datetimes_are_local_seconds_in_the_zone() {
        // 8100 local seconds in Paris: 02:15 local, 01:15 UTC.
        let s = Structure {
            tag: tag::LEGACY_DATE_TIME_ZONE_ID,
            fields: vec![PackValue::Int(8100), PackValue::Int(42), "Europe/Paris".into()],
        };
        let v = from_pack(s.into(), LEGACY).unwrap();
        assert_eq!(v.to_string(), "1970-01-01T02:15:00.000000042+01:00[Europe/Paris]");
    }
}
