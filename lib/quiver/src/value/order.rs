//! Equality, comparison and ordering of values, as Cypher defines them.
//!
//! Three relations, each with its own job:
//! - `equals`: the `=` operator, ternary (`None` is null / unknown);
//! - `compare`: `<`, `<=`, `>`, `>=`, ternary and only within comparable types;
//! - `order`: the total order of ORDER BY, across types;
//! plus `GroupKey`, the equivalence used by DISTINCT, grouping and `IN`-free
//! deduplication (where null equals null and 1 equals 1.0).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::{temporal, Value};

/// `a = b`: `None` when the answer is unknown (a null is involved).
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Bool(x), Bool(y)) => Some(x == y),
        (Int(x), Int(y)) => Some(x == y),
        (Float(x), Float(y)) => Some(x == y),
        (Int(x), Float(y)) | (Float(y), Int(x)) => Some(int_float_cmp(*x, *y) == Some(Ordering::Equal)),
        (String(x), String(y)) => Some(x == y),
        (List(x), List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.iter().zip(y.iter()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Map(x), Map(y)) => {
            if x.len() != y.len() || !x.keys().eq(y.keys()) {
                return Some(false);
            }
            let mut unknown = false;
            for (p, q) in x.values().zip(y.values()) {
                match equals(p, q) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                None
            } else {
                Some(true)
            }
        }
        (Node(x), Node(y)) => Some(x == y),
        (Relationship(x), Relationship(y)) => Some(x == y),
        (Path(x), Path(y)) => Some(x == y),
        (Date(x), Date(y)) => Some(x == y),
        (LocalTime(x), LocalTime(y)) => Some(x == y),
        (Time(_), Time(_)) | (DateTime(_), DateTime(_)) => Some(temporal::compare(a, b) == Some(Ordering::Equal)),
        (LocalDateTime(x), LocalDateTime(y)) => Some(x == y),
        (Duration(x), Duration(y)) => Some(x == y),
        _ => Some(false),
    }
}

/// Compares an integer with a float exactly (no rounding of large integers).
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    let fi = i as f64;
    match fi.partial_cmp(&f) {
        Some(Ordering::Equal) => {
            // i as f64 may have rounded; compare in i128 when f is integral and in range.
            if f.fract() == 0.0 && f.abs() < 9.3e18 {
                Some((i as i128).cmp(&(f as i128)))
            } else {
                Some(Ordering::Equal)
            }
        }
        o => o,
    }
}

/// `a < b` and friends: `None` when the values are not comparable or a null is involved.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    use Value::*;
    match (a, b) {
        (Null, _) | (_, Null) => None,
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (Float(x), Float(y)) => x.partial_cmp(y),
        (Int(x), Float(y)) => int_float_cmp(*x, *y),
        (Float(x), Int(y)) => int_float_cmp(*y, *x).map(Ordering::reverse),
        (String(x), String(y)) => Some(x.cmp(y)),
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match compare(p, q) {
                    Some(Ordering::Equal) => {}
                    other => return other,
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        (Date(_), Date(_))
        | (LocalTime(_), LocalTime(_))
        | (Time(_), Time(_))
        | (LocalDateTime(_), LocalDateTime(_))
        | (DateTime(_), DateTime(_)) => temporal::compare(a, b),
        _ => None,
    }
}

/// Rank of a type in the ORDER BY total order (ascending).
fn type_rank(v: &Value) -> u8 {
    use Value::*;
    match v {
        Map(_) => 0,
        Node(_) => 1,
        Relationship(_) => 2,
        List(_) => 3,
        Path(_) => 4,
        DateTime(_) => 5,
        LocalDateTime(_) => 6,
        Date(_) => 7,
        Time(_) => 8,
        LocalTime(_) => 9,
        Duration(_) => 10,
        String(_) => 11,
        Bool(_) => 12,
        Int(_) | Float(_) => 13,
        Null => 14,
    }
}

/// The total order used by ORDER BY, min and max across types: maps < nodes <
/// relationships < lists < paths < temporals < strings < booleans < numbers
/// (NaN last among numbers) < null.
pub fn order(a: &Value, b: &Value) -> Ordering {
    use Value::*;
    // The common cases first.
    match (a, b) {
        (Int(x), Int(y)) => return x.cmp(y),
        (String(x), String(y)) => return x.cmp(y),
        _ => {}
    }
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Int(_) | Float(_), Int(_) | Float(_)) => {
            let nan_a = matches!(a, Float(x) if x.is_nan());
            let nan_b = matches!(b, Float(x) if x.is_nan());
            match (nan_a, nan_b) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                _ => compare(a, b).unwrap_or(Ordering::Equal),
            }
        }
        (List(x), List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match order(p, q) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            x.len().cmp(&y.len())
        }
        (Map(x), Map(y)) => {
            let kx: Vec<_> = x.keys().collect();
            let ky: Vec<_> = y.keys().collect();
            match kx.cmp(&ky) {
                Ordering::Equal => {}
                o => return o,
            }
            for (p, q) in x.values().zip(y.values()) {
                match order(p, q) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            Ordering::Equal
        }
        (Node(x), Node(y)) => x.cmp(y),
        (Relationship(x), Relationship(y)) => x.cmp(y),
        (Path(x), Path(y)) => x.nodes.cmp(&y.nodes).then_with(|| x.rels.cmp(&y.rels)),
        (Duration(x), Duration(y)) => {
            (x.months, x.days, x.seconds, x.nanos).cmp(&(y.months, y.days, y.seconds, y.nanos))
        }
        _ => compare(a, b).unwrap_or(Ordering::Equal),
    }
}

/// A value wrapped for hashing and equality with grouping semantics:
/// null equals null, 1 equals 1.0, NaN equals NaN, lists and maps element-wise.
#[derive(Clone, Debug)]
pub struct GroupKey(pub Value);

impl PartialEq for GroupKey {
    fn eq(&self, other: &Self) -> bool {
        group_eq(&self.0, &other.0)
    }
}
impl Eq for GroupKey {}

impl Hash for GroupKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        group_hash(&self.0, state)
    }
}

pub fn group_eq(a: &Value, b: &Value) -> bool {
    use Value::*;
    match (a, b) {
        // The common keys first, without the general comparison.
        (Node(x), Node(y)) => x == y,
        (Relationship(x), Relationship(y)) => x == y,
        (Int(x), Int(y)) => x == y,
        (String(x), String(y)) => x == y,
        (Bool(x), Bool(y)) => x == y,
        (Null, Null) => true,
        (Float(x), Float(y)) if x.is_nan() && y.is_nan() => true,
        (List(x), List(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| group_eq(p, q)),
        (Map(x), Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|((kp, p), (kq, q))| kp == kq && group_eq(p, q))
        }
        (Null, _) | (_, Null) => false,
        _ => equals(a, b) == Some(true),
    }
}

fn group_hash<H: Hasher>(v: &Value, state: &mut H) {
    use Value::*;
    type_rank(v).hash(state);
    match v {
        Null => {}
        Bool(b) => b.hash(state),
        // Integers and integral floats hash alike so that 1 and 1.0 group together.
        Int(i) => (*i as f64).to_bits().hash(state),
        Float(f) => {
            if f.is_nan() {
                0u8.hash(state)
            } else if *f == 0.0 {
                0.0f64.to_bits().hash(state)
            } else {
                f.to_bits().hash(state)
            }
        }
        String(s) => s.hash(state),
        List(items) => {
            items.len().hash(state);
            for i in items.iter() {
                group_hash(i, state);
            }
        }
        Map(m) => {
            m.len().hash(state);
            for (k, x) in m.iter() {
                k.hash(state);
                group_hash(x, state);
            }
        }
        Node(id) => id.hash(state),
        Relationship(id) => id.hash(state),
        Path(p) => p.hash(state),
        Date(d) => d.hash(state),
        LocalTime(t) => t.hash(state),
        // Times and datetimes equal across offsets: hash only the type.
        Time(_) | DateTime(_) => {}
        LocalDateTime(t) => t.hash(state),
        Duration(d) => d.hash(state),
    }
}
