//! What the files hold, as types of their own: the log's transaction
//! records, the values inside them, and the whole-graph image of codec-1
//! snapshots. serde + bincode (in `codec.rs`, the only place that turns them
//! into bytes) see only these, never the in-memory types, so a change to
//! `Value` or to the store cannot change the file format by accident: a new
//! layout is a new version of these types, and the old ones keep reading
//! what earlier versions wrote.
//!
//! Version 1 is byte for byte what quiver's first file format wrote (the
//! serde derives of the in-memory types then); the tests below pin it.
//! Decoding checks what it builds: a value out of range is an error, not a panic.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::store::{Changes, ConstraintDef, Image, ImageNode, ImageRel, IndexDef, NodeState, RelState};
use crate::value::temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
use crate::value::{NodeId, Path, RelId, Value};

/// A value, version 1. The variants keep the order they were written in
/// (bincode numbers them).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ValueV1 {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Arc<str>),
    List(Vec<ValueV1>),
    Map(BTreeMap<Arc<str>, ValueV1>),
    Node(u64),
    Relationship(u64),
    Path { nodes: Vec<u64>, rels: Vec<u64> },
    Date { epoch_day: i64 },
    LocalTime { nanos: i64 },
    Time { time: LocalTimeV1, offset_seconds: i32 },
    LocalDateTime(LocalDateTimeV1),
    DateTime(DateTimeV1),
    Duration(DurationV1),
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct LocalTimeV1 {
    pub nanos: i64,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct LocalDateTimeV1 {
    pub date: i64,
    pub time: LocalTimeV1,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DateTimeV1 {
    pub local: LocalDateTimeV1,
    pub offset_seconds: i32,
    pub zone: Option<Arc<str>>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
pub struct DurationV1 {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

fn local_time(t: LocalTime) -> LocalTimeV1 {
    LocalTimeV1 {
        nanos: t.nanos_of_day(),
    }
}

fn local_date_time(t: LocalDateTime) -> LocalDateTimeV1 {
    LocalDateTimeV1 {
        date: t.date().epoch_day(),
        time: local_time(t.time()),
    }
}

impl From<&Value> for ValueV1 {
    fn from(v: &Value) -> ValueV1 {
        match v {
            Value::Null => ValueV1::Null,
            Value::Bool(b) => ValueV1::Bool(*b),
            Value::Int(i) => ValueV1::Int(*i),
            Value::Float(f) => ValueV1::Float(*f),
            Value::String(s) => ValueV1::String(s.clone()),
            Value::List(items) => ValueV1::List(items.iter().map(ValueV1::from).collect()),
            Value::Map(m) => ValueV1::Map(m.iter().map(|(k, v)| (k.clone(), ValueV1::from(v))).collect()),
            Value::Node(n) => ValueV1::Node(n.0),
            Value::Relationship(r) => ValueV1::Relationship(r.0),
            Value::Path(p) => ValueV1::Path {
                nodes: p.nodes.iter().map(|n| n.0).collect(),
                rels: p.rels.iter().map(|r| r.0).collect(),
            },
            Value::Date(d) => ValueV1::Date {
                epoch_day: d.epoch_day(),
            },
            Value::LocalTime(t) => ValueV1::LocalTime {
                nanos: t.nanos_of_day(),
            },
            Value::Time(t) => ValueV1::Time {
                time: local_time(t.local()),
                offset_seconds: t.offset_seconds(),
            },
            Value::LocalDateTime(t) => ValueV1::LocalDateTime(local_date_time(*t)),
            Value::DateTime(t) => ValueV1::DateTime(DateTimeV1 {
                local: local_date_time(t.local()),
                offset_seconds: t.offset_seconds(),
                zone: t.zone_name().map(Arc::from),
            }),
            Value::Duration(d) => ValueV1::Duration(DurationV1 {
                months: d.months,
                days: d.days,
                seconds: d.seconds,
                nanos: d.nanos,
            }),
        }
    }
}

fn checked<T>(r: Result<T, crate::value::temporal::TemporalError>) -> Result<T, String> {
    r.map_err(|e| e.to_string())
}

impl LocalTimeV1 {
    fn value(self) -> Result<LocalTime, String> {
        checked(LocalTime::from_nanos(self.nanos))
    }
}

impl LocalDateTimeV1 {
    fn value(self) -> Result<LocalDateTime, String> {
        Ok(LocalDateTime::new(
            checked(Date::from_epoch_day(self.date))?,
            self.time.value()?,
        ))
    }
}

impl ValueV1 {
    /// The value this record holds; `Err` says what is out of range.
    pub fn into_value(self) -> Result<Value, String> {
        Ok(match self {
            ValueV1::Null => Value::Null,
            ValueV1::Bool(b) => Value::Bool(b),
            ValueV1::Int(i) => Value::Int(i),
            ValueV1::Float(f) => Value::Float(f),
            ValueV1::String(s) => Value::String(s),
            ValueV1::List(items) => Value::list(items.into_iter().map(ValueV1::into_value).collect::<Result<_, _>>()?),
            ValueV1::Map(m) => Value::map(
                m.into_iter()
                    .map(|(k, v)| Ok((k, v.into_value()?)))
                    .collect::<Result<_, String>>()?,
            ),
            ValueV1::Node(n) => Value::Node(NodeId(n)),
            ValueV1::Relationship(r) => Value::Relationship(RelId(r)),
            ValueV1::Path { nodes, rels } => {
                if nodes.len() != rels.len() + 1 {
                    return Err(format!(
                        "a path of {} nodes and {} relationships",
                        nodes.len(),
                        rels.len()
                    ));
                }
                Value::Path(Arc::new(Path {
                    nodes: nodes.into_iter().map(NodeId).collect(),
                    rels: rels.into_iter().map(RelId).collect(),
                }))
            }
            ValueV1::Date { epoch_day } => Value::Date(checked(Date::from_epoch_day(epoch_day))?),
            ValueV1::LocalTime { nanos } => Value::LocalTime(LocalTimeV1 { nanos }.value()?),
            ValueV1::Time { time, offset_seconds } => Value::Time(Time::new(time.value()?, offset_seconds)),
            ValueV1::LocalDateTime(t) => Value::LocalDateTime(t.value()?),
            ValueV1::DateTime(t) => Value::DateTime(Arc::new(checked(DateTime::from_parts(
                t.local.value()?,
                t.offset_seconds,
                t.zone,
            ))?)),
            ValueV1::Duration(d) => {
                let nanos = i128::from(d.seconds) * 1_000_000_000 + i128::from(d.nanos);
                Value::Duration(Arc::new(checked(Duration::new(d.months.into(), d.days.into(), nanos))?))
            }
        })
    }
}

/// Named properties.
type NamedProps = Vec<(Arc<str>, ValueV1)>;

fn named_props(props: &[(Arc<str>, Value)]) -> NamedProps {
    props.iter().map(|(k, v)| (k.clone(), ValueV1::from(v))).collect()
}

fn values_of<K>(props: Vec<(K, ValueV1)>) -> Result<Vec<(K, Value)>, String> {
    props.into_iter().map(|(k, v)| Ok((k, v.into_value()?))).collect()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeStateV1 {
    pub id: u64,
    pub labels: Vec<Arc<str>>,
    pub props: NamedProps,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RelStateV1 {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: Arc<str>,
    pub props: NamedProps,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDefV1 {
    pub name: String,
    pub label: String,
    pub key: String,
}

/// One transaction's net changes, version 1 (the fields' order is the
/// order they apply in: see [`Changes`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangesV1 {
    pub next_node: u64,
    pub next_rel: u64,
    pub deleted_rels: Vec<u64>,
    pub deleted_nodes: Vec<u64>,
    pub nodes: Vec<NodeStateV1>,
    pub rels: Vec<RelStateV1>,
    pub indexes: Option<Vec<IndexDefV1>>,
}

/// A constraint by names, version 1 (`kind`: 1 unique, 2 key, 3 not null, 4 type).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintDefV1 {
    pub name: String,
    pub node: bool,
    pub on: String,
    pub keys: Vec<String>,
    pub kind: u8,
    pub type_text: String,
}

/// A log record, version 2: version 1 and the constraints after the
/// transaction (written only by a transaction that changed them; the
/// others stay version 1, byte for byte).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxRecordV2 {
    pub record: TxRecordV1,
    pub constraints: Vec<ConstraintDefV1>,
}

impl TxRecordV2 {
    pub fn new(record: TxRecordV1, defs: &[ConstraintDef]) -> TxRecordV2 {
        TxRecordV2 {
            record,
            constraints: defs
                .iter()
                .map(|d| ConstraintDefV1 {
                    name: d.name.clone(),
                    node: d.node,
                    on: d.on.clone(),
                    keys: d.keys.clone(),
                    kind: d.kind,
                    type_text: d.type_text.clone(),
                })
                .collect(),
        }
    }

    pub fn into_changes(self) -> Result<(u64, Changes), String> {
        let (txid, mut changes) = self.record.into_changes()?;
        changes.constraints = Some(
            self.constraints
                .into_iter()
                .map(|d| ConstraintDef {
                    name: d.name,
                    node: d.node,
                    on: d.on,
                    keys: d.keys,
                    kind: d.kind,
                    type_text: d.type_text,
                })
                .collect(),
        );
        Ok((txid, changes))
    }
}

/// A log record, version 1.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TxRecordV1 {
    pub txid: u64,
    pub changes: ChangesV1,
}

fn index_def(d: &IndexDef) -> IndexDefV1 {
    IndexDefV1 {
        name: d.name.clone(),
        label: d.label.clone(),
        key: d.key.clone(),
    }
}

fn index_defs(defs: Vec<IndexDefV1>) -> Vec<IndexDef> {
    defs.into_iter()
        .map(|d| IndexDef {
            name: d.name,
            label: d.label,
            key: d.key,
        })
        .collect()
}

impl TxRecordV1 {
    pub fn new(txid: u64, c: &Changes) -> TxRecordV1 {
        TxRecordV1 {
            txid,
            changes: ChangesV1 {
                next_node: c.next_node,
                next_rel: c.next_rel,
                deleted_rels: c.deleted_rels.clone(),
                deleted_nodes: c.deleted_nodes.clone(),
                nodes: c
                    .nodes
                    .iter()
                    .map(|n| NodeStateV1 {
                        id: n.id,
                        labels: n.labels.clone(),
                        props: named_props(&n.props),
                    })
                    .collect(),
                rels: c
                    .rels
                    .iter()
                    .map(|r| RelStateV1 {
                        id: r.id,
                        start: r.start,
                        end: r.end,
                        rel_type: r.rel_type.clone(),
                        props: named_props(&r.props),
                    })
                    .collect(),
                indexes: c.indexes.as_ref().map(|d| d.iter().map(index_def).collect()),
            },
        }
    }

    /// The transaction id and its changes.
    pub fn into_changes(self) -> Result<(u64, Changes), String> {
        let c = self.changes;
        let changes = Changes {
            next_node: c.next_node,
            next_rel: c.next_rel,
            deleted_rels: c.deleted_rels,
            deleted_nodes: c.deleted_nodes,
            nodes: c
                .nodes
                .into_iter()
                .map(|n| {
                    Ok(NodeState {
                        id: n.id,
                        labels: n.labels,
                        props: values_of(n.props)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            rels: c
                .rels
                .into_iter()
                .map(|r| {
                    Ok(RelState {
                        id: r.id,
                        start: r.start,
                        end: r.end,
                        rel_type: r.rel_type,
                        props: values_of(r.props)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            indexes: c.indexes.map(index_defs),
            constraints: None,
        };
        Ok((self.txid, changes))
    }
}

/// A node of a codec-1 snapshot; labels and keys index the image's name tables.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageNodeV1 {
    pub id: u64,
    pub labels: Vec<u32>,
    pub props: Vec<(u32, ValueV1)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageRelV1 {
    pub id: u64,
    pub start: u64,
    pub end: u64,
    pub rel_type: u32,
    pub props: Vec<(u32, ValueV1)>,
}

/// A whole graph: the payload of a codec-1 snapshot.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ImageV1 {
    pub next_node: u64,
    pub next_rel: u64,
    pub labels: Vec<Arc<str>>,
    pub types: Vec<Arc<str>>,
    pub keys: Vec<Arc<str>>,
    pub nodes: Vec<ImageNodeV1>,
    pub rels: Vec<ImageRelV1>,
    pub indexes: Vec<IndexDefV1>,
}

impl ImageV1 {
    pub fn into_image(self) -> Result<Image, String> {
        Ok(Image {
            next_node: self.next_node,
            next_rel: self.next_rel,
            labels: self.labels,
            types: self.types,
            keys: self.keys,
            nodes: self
                .nodes
                .into_iter()
                .map(|n| {
                    Ok(ImageNode {
                        id: n.id,
                        labels: n.labels,
                        props: values_of(n.props)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            rels: self
                .rels
                .into_iter()
                .map(|r| {
                    Ok(ImageRel {
                        id: r.id,
                        start: r.start,
                        end: r.end,
                        rel_type: r.rel_type,
                        props: values_of(r.props)?,
                    })
                })
                .collect::<Result<_, String>>()?,
            indexes: index_defs(self.indexes),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::codec::{self, TxRecord};

    /// A log record of every kind of value, as quiver's first format wrote it.
    const GOLDEN: &str = "050a1401010102010301014c1102703000027031010102703202fb580202703303000000000000f83f027034040668c3a96c6c6f027035050202020401610270360601016b020502703707070270380809027039090201020103037031300afb589f037031310bfd0a343d39db510000037031320cfd085c2fa8c5060000fb201c037031330dfbc252fd0c649a3a17140000037031340efb589ffd00806cce7b410000fb201c010d4575726f70652f4265726c696e037031350efb589ffd00806cce7b410000fb403800037031360f1c06fbe472fc004e72530104030301540001010169014c016b";

    fn sample() -> TxRecord {
        let mut m = crate::value::Map::new();
        m.insert(Arc::from("k"), Value::Int(-3));
        let db = crate::Database::in_memory();
        let lit = |t: &str| db.eval_literal(t).unwrap();
        let values = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(300),
            Value::Float(1.5),
            Value::from("héllo"),
            Value::list(vec![Value::Int(1), Value::from("a")]),
            Value::map(m),
            Value::Node(NodeId(7)),
            Value::Relationship(RelId(9)),
            Value::Path(Arc::new(Path {
                nodes: vec![NodeId(1), NodeId(2)],
                rels: vec![RelId(3)],
            })),
            lit("date('2025-11-04')"),
            lit("localtime('12:30:01.000000005')"),
            lit("time('01:02:03.000000004+01:00')"),
            lit("localdatetime('1999-01-02T03:04:05.000000006')"),
            lit("datetime('2025-11-04T10:00:00[Europe/Berlin]')"),
            lit("datetime('2025-11-04T10:00:00+02:00')"),
            lit("duration('P1Y2M3DT4H5M6.7S')"),
        ];
        TxRecord {
            txid: 5,
            changes: Changes {
                next_node: 10,
                next_rel: 20,
                deleted_rels: vec![1],
                deleted_nodes: vec![2],
                nodes: vec![NodeState {
                    id: 3,
                    labels: vec![Arc::from("L")],
                    props: values
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (Arc::from(format!("p{i}").as_str()), v))
                        .collect(),
                }],
                rels: vec![RelState {
                    id: 4,
                    start: 3,
                    end: 3,
                    rel_type: Arc::from("T"),
                    props: vec![],
                }],
                indexes: Some(vec![IndexDef {
                    name: "i".into(),
                    label: "L".into(),
                    key: "k".into(),
                }]),
                constraints: None,
            },
        }
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn version_1_writes_what_the_first_format_wrote() {
        assert_eq!(hex(&codec::encode_tx(&sample()).unwrap()), GOLDEN);
    }

    #[test]
    fn version_1_reads_what_the_first_format_wrote() {
        let bytes: Vec<u8> = (0..GOLDEN.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&GOLDEN[i..i + 2], 16).unwrap())
            .collect();
        let tx = codec::decode_tx(&bytes).unwrap();
        let expected = sample();
        assert_eq!(tx.txid, expected.txid);
        assert_eq!(tx.changes.nodes[0].props, expected.changes.nodes[0].props);
        assert_eq!(tx.changes.indexes, expected.changes.indexes);
    }

    #[test]
    fn out_of_range_values_are_errors() {
        for bad in [
            ValueV1::LocalTime { nanos: -1 },
            ValueV1::Date { epoch_day: i64::MAX },
            ValueV1::Path {
                nodes: vec![],
                rels: vec![1],
            },
            ValueV1::DateTime(DateTimeV1 {
                local: LocalDateTimeV1 {
                    date: 0,
                    time: LocalTimeV1 { nanos: 0 },
                },
                offset_seconds: 0,
                zone: Some(Arc::from("Not/AZone")),
            }),
        ] {
            assert!(bad.clone().into_value().is_err(), "{bad:?}");
        }
    }
}
