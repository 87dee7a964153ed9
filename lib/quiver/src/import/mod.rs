//! Bulk import: node and relationship files loaded straight into the store,
//! the way `neo4j-admin import` and Kùzu's `COPY FROM` load them.
//!
//! Nodes come first: each file's rows become nodes, and the external id of
//! each (its `:ID` column, or `"id"` in JSON lines) is remembered per id
//! group. Then the relationship files connect those ids. The whole import is
//! one change: when any row is bad, the graph is rolled back to where it was
//! and the error names the file, the line and what was wrong.
//!
//! # CSV files
//!
//! The first line is a header; each column is `name`, `name:type` or a
//! special column:
//!
//! | column | in | meaning |
//! | --- | --- | --- |
//! | `id:ID`, `:ID`, `id:ID(Group)` | nodes | the node's external id, unique in its group; with a name it is also stored as that property |
//! | `:LABEL` | nodes | labels, `;`-separated (added to those the file is given) |
//! | `:START_ID`, `:START_ID(Group)` | relationships | the id of the start node |
//! | `:END_ID`, `:END_ID(Group)` | relationships | the id of the end node |
//! | `:TYPE` | relationships | the relationship type (else the one the file is given) |
//! | `:IGNORE`, `name:IGNORE` | both | a column that is skipped |
//!
//! Types: `string` (the default), `int` (also `long`, `short`, `byte`,
//! `integer`), `float` (also `double`), `boolean`, `date`, `localtime`,
//! `time`, `localdatetime`, `datetime`, `duration`; `type[]` is an array
//! whose elements are separated by the array delimiter (`;`). An empty
//! unquoted field sets no property; a quoted empty field (`""`) is the empty
//! string. When a group of files is given (`a.csv,b.csv`), the header is the
//! first line of the first file only.
//!
//! # JSON lines
//!
//! Files ending in `.jsonl`, `.ndjson` or `.json` hold one JSON object a line:
//!
//! ```text
//! {"id": 1, "labels": ["Person"], "properties": {"name": "Ada", "born": 1815}}
//! {"start": 1, "end": 2, "type": "KNOWS", "properties": {"since": 1833}}
//! ```
//!
//! For nodes, every key is optional: `id` (a string or an integer; ids `1`
//! and `"1"` are the same) links relationships to the node and is not stored
//! (put it in `properties` too to keep it); `labels` is a list of strings.
//! For relationships `start` and `end` are required, and `type` is too
//! unless the file is given one. Property values are strings, numbers,
//! booleans, or lists of one of those; `null` sets nothing.

pub mod csv;
pub mod frames;

use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, ErrorKind, Phase, Result};
use crate::store::base::BaseBuilder;
use crate::store::{normalise, Catalog, GraphRead, GraphWrite, KeyId, LabelId, Props, Snapshot, Tx, TypeId};
use crate::value::{NodeId, Value};
use crate::Database;

use self::csv::{CsvError, CsvReader, Field, Record};

/// How external ids are compared and stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdType {
    /// Ids are strings (`1` and `01` differ); a named id column is stored as a string.
    #[default]
    String,
    /// Ids are integers; a named id column is stored as an integer.
    Integer,
}

/// One `--nodes` or `--relationships` argument: files read as one, and the
/// labels (or the relationship type) every row of them gets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputGroup {
    /// Labels for node files; for relationship files, at most one type.
    pub names: Vec<String>,
    pub files: Vec<PathBuf>,
}

impl InputGroup {
    /// A single file with no labels or type of its own.
    pub fn file(path: impl Into<PathBuf>) -> InputGroup {
        InputGroup {
            names: Vec::new(),
            files: vec![path.into()],
        }
    }

    /// Adds labels (or the type), e.g. `.with_names(["Person"])`.
    pub fn with_names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> InputGroup {
        self.names.extend(names.into_iter().map(Into::into));
        self
    }

    /// Reads `[NAMES=]FILE[,FILE...]`, where NAMES is `Label[:Label...]` (or a
    /// relationship type), as `--nodes` and `--relationships` take it.
    pub fn parse(arg: &str) -> std::result::Result<InputGroup, String> {
        let (names, files) = match arg.split_once('=') {
            Some((names, files)) if !names.contains(['/', '\\', '.']) => (names, files),
            _ => ("", arg),
        };
        let names: Vec<String> = names
            .split(':')
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        let files: Vec<PathBuf> = files
            .split(',')
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect();
        if files.is_empty() {
            return Err(format!("'{arg}' names no file: write [LABELS=]FILE[,FILE...]"));
        }
        Ok(InputGroup { names, files })
    }
}

/// What to import, and how to read it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportSpec {
    pub nodes: Vec<InputGroup>,
    pub relationships: Vec<InputGroup>,
    /// The CSV field terminator (`,` by default).
    pub delimiter: u8,
    /// What separates the elements of an array field and the labels of a `:LABEL` field (`;`).
    pub array_delimiter: u8,
    pub id_type: IdType,
}

impl Default for ImportSpec {
    fn default() -> Self {
        ImportSpec {
            nodes: Vec::new(),
            relationships: Vec::new(),
            delimiter: b',',
            array_delimiter: b';',
            id_type: IdType::String,
        }
    }
}

impl ImportSpec {
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.relationships.is_empty()
    }

    fn files(&self) -> impl Iterator<Item = &PathBuf> {
        self.nodes.iter().chain(&self.relationships).flat_map(|g| &g.files)
    }
}

/// What an import created.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub nodes: u64,
    pub relationships: u64,
    pub properties: u64,
    pub files: usize,
    pub bytes: u64,
    pub elapsed: Duration,
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "imported {}, {} and {} from {} in {} ms",
            plural(self.nodes, "node", "nodes"),
            plural(self.relationships, "relationship", "relationships"),
            plural(self.properties, "property", "properties"),
            plural(self.files as u64, "file", "files"),
            self.elapsed.as_millis()
        )
    }
}

/// Told how far an import has got, in bytes of input read.
pub trait Progress {
    fn begin(&mut self, _total_bytes: u64) {}
    fn advance(&mut self, _bytes_done: u64) {}
    fn end(&mut self) {}
}

/// No progress reports.
impl Progress for () {}

/// Imports `spec` into `db`: all of it, or (on an error) nothing.
pub fn import(db: &mut Database, spec: &ImportSpec) -> Result<ImportSummary> {
    db.import(spec)
}

/// Where an import puts what it reads.
pub(crate) trait Sink {
    fn catalog(&self) -> &Catalog;
    /// Makes a node; its id comes from the sink's counter.
    fn create_node(&mut self, labels: &[LabelId], props: Props) -> std::result::Result<NodeId, String>;
    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: TypeId,
        props: Props,
    ) -> std::result::Result<(), String>;
}

/// An import inside a write transaction: through it, undone with it.
pub(crate) struct TxSink<'a>(pub &'a mut Tx);

impl Sink for TxSink<'_> {
    fn catalog(&self) -> &Catalog {
        self.0.catalog()
    }
    fn create_node(&mut self, labels: &[LabelId], props: Props) -> std::result::Result<NodeId, String> {
        Ok(self.0.create_node(labels, props))
    }
    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        t: TypeId,
        props: Props,
    ) -> std::result::Result<(), String> {
        self.0
            .create_relationship(start, end, t, props)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// A bulk load: the committed graph and the new entities straight into the
/// builder of the next base (they are in no layer and no log record).
pub(crate) struct BulkSink<'a> {
    view: &'a Snapshot,
    builder: BaseBuilder,
    /// The first id the load gives, and the next.
    first_node: u64,
    next_node: u64,
    next_rel: u64,
    created: bool,
}

impl<'a> BulkSink<'a> {
    pub fn new(view: &'a Snapshot) -> std::result::Result<BulkSink<'a>, String> {
        let builder = BaseBuilder::from_view(view)?;
        let (next_node, next_rel) = view.id_bounds();
        Ok(BulkSink {
            view,
            builder,
            first_node: next_node,
            next_node,
            next_rel,
            created: false,
        })
    }

    /// Whether the load made anything.
    pub fn created(&self) -> bool {
        self.created
    }

    pub fn into_builder(mut self) -> BaseBuilder {
        self.builder.counters(self.next_node, self.next_rel);
        self.builder
    }

    fn contains(&self, id: NodeId) -> bool {
        if id.0 >= self.first_node {
            id.0 < self.next_node
        } else {
            self.view.contains_node(id)
        }
    }
}

impl Sink for BulkSink<'_> {
    fn catalog(&self) -> &Catalog {
        &self.view.catalog
    }
    fn create_node(&mut self, labels: &[LabelId], props: Props) -> std::result::Result<NodeId, String> {
        let id = self.next_node;
        self.builder.add_node(id, labels, normalise(props))?;
        self.next_node += 1;
        self.created = true;
        Ok(NodeId(id))
    }
    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        t: TypeId,
        props: Props,
    ) -> std::result::Result<(), String> {
        for n in [start, end] {
            if !self.contains(n) {
                return Err(crate::store::StoreError::NoSuchNode(n.0).to_string());
            }
        }
        self.builder
            .add_rel(self.next_rel, t, start.0, end.0, normalise(props))?;
        self.next_rel += 1;
        self.created = true;
        Ok(())
    }
}

/// Runs an import into `sink`. Setting `interrupt` cancels it (it fails with
/// `Interrupted`); on any error the caller undoes what the sink took.
pub(crate) fn run(
    sink: &mut dyn Sink,
    spec: &ImportSpec,
    progress: &mut dyn Progress,
    interrupt: &AtomicBool,
) -> Result<ImportSummary> {
    let started = Instant::now();
    let mut total = 0;
    for f in spec.files() {
        let meta = std::fs::metadata(f).map_err(|e| cannot_read(f, &e))?;
        total += meta.len();
    }
    progress.begin(total);
    let mut imp = Importer {
        graph: sink,
        spec,
        groups: HashMap::new(),
        ids: Vec::new(),
        summary: ImportSummary::default(),
        done: 0,
        progress,
        interrupt,
        pending: Vec::with_capacity(REL_BATCH),
    };
    let outcome = imp.run();
    let mut summary = std::mem::take(&mut imp.summary);
    imp.progress.end();
    outcome?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn cannot_read(path: &Path, e: &std::io::Error) -> Error {
    Error::io(format!("cannot read {}: {e}", path.display()))
}

/// A data error at `file:line`.
fn bad_row(path: &Path, line: u64, message: impl fmt::Display) -> Error {
    Error::new(
        ErrorKind::DataError,
        "InvalidImportData",
        Phase::Runtime,
        format!("{}:{line}: {message}", path.display()),
    )
}

fn csv_error(path: &Path, e: CsvError) -> Error {
    match e {
        CsvError::Io(e) => cannot_read(path, &e),
        CsvError::Data { line, message } => bad_row(path, line, message),
    }
}

/// External id -> node, per id group.
enum IdMap {
    Str(HashMap<StrKey, NodeId, FastHash>),
    Int(HashMap<i64, NodeId, FastHash>),
}

/// A string id; short ones (most) are held inline, so that comparing keys
/// in the map does not chase a pointer to a random place on the heap.
#[derive(Clone, PartialEq, Eq, Hash)]
enum StrKey {
    Inline(u8, [u8; 22]),
    Heap(Box<str>),
}

impl StrKey {
    fn new(s: &str) -> StrKey {
        let b = s.as_bytes();
        if b.len() <= 22 {
            let mut buf = [0u8; 22];
            buf[..b.len()].copy_from_slice(b);
            StrKey::Inline(b.len() as u8, buf)
        } else {
            StrKey::Heap(s.into())
        }
    }
}

/// FxHash (as rustc uses): ids are not chosen by an attacker, and SipHash
/// costs more than the rest of a lookup.
#[derive(Clone, Copy, Default)]
struct FastHash;

impl std::hash::BuildHasher for FastHash {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(buf));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

#[derive(Clone, Debug, PartialEq)]
enum IdKey {
    Str(String),
    Int(i64),
}

impl fmt::Display for IdKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdKey::Str(s) => write!(f, "'{s}'"),
            IdKey::Int(i) => write!(f, "{i}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PropType {
    String,
    Int,
    Float,
    Bool,
    /// A temporal type, by its constructor function's name.
    Temporal(&'static str),
}

impl PropType {
    fn parse(name: &str) -> Option<PropType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "string" | "str" => PropType::String,
            "int" | "long" | "short" | "byte" | "integer" => PropType::Int,
            "float" | "double" => PropType::Float,
            "boolean" | "bool" => PropType::Bool,
            "date" => PropType::Temporal("date"),
            "localtime" => PropType::Temporal("localtime"),
            "time" => PropType::Temporal("time"),
            "localdatetime" => PropType::Temporal("localdatetime"),
            "datetime" => PropType::Temporal("datetime"),
            "duration" => PropType::Temporal("duration"),
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Int => "int",
            PropType::Float => "float",
            PropType::Bool => "boolean",
            PropType::Temporal(n) => n,
        }
    }

    fn convert(self, text: &str) -> std::result::Result<Value, String> {
        let bad = || format!("'{text}' is not a valid {}", self.name());
        Ok(match self {
            PropType::String => Value::from(text),
            PropType::Int => Value::Int(text.trim().parse().map_err(|_| bad())?),
            PropType::Float => Value::Float(text.trim().parse().map_err(|_| bad())?),
            PropType::Bool => match text.trim().to_ascii_lowercase().as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(bad()),
            },
            PropType::Temporal(f) => match crate::value::temporal::call_function(
                f,
                &[Value::from(text.trim())],
                crate::value::temporal::realtime_nanos(),
            ) {
                Some(Ok(v)) => v,
                Some(Err(e)) => return Err(format!("{}: {e}", bad())),
                None => return Err(bad()),
            },
        })
    }
}

/// A header column, resolved.
#[derive(Clone, Debug)]
enum Column {
    Ignore,
    Id { key: Option<KeyId>, group: usize },
    Labels,
    StartId { group: usize },
    EndId { group: usize },
    Type,
    Prop { key: KeyId, ty: PropType, array: bool },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Nodes,
    Relationships,
}

struct Importer<'a> {
    graph: &'a mut dyn Sink,
    spec: &'a ImportSpec,
    /// Id group name -> index into `ids`.
    groups: HashMap<String, usize>,
    ids: Vec<IdMap>,
    summary: ImportSummary,
    /// Bytes of the files already finished.
    done: u64,
    progress: &'a mut dyn Progress,
    interrupt: &'a AtomicBool,
    /// Relationship rows read but not yet created, with their line numbers.
    pending: Vec<(NodeId, NodeId, TypeId, Props, u64)>,
}

/// A relationship row, read: start, end, type, properties.
type PendingRel = (NodeId, NodeId, TypeId, Props);

/// Relationship rows created at a time.
const REL_BATCH: usize = 64;

/// How often (in rows) progress is reported.
const PROGRESS_EVERY: u64 = 8192;

fn is_jsonl(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "jsonl" | "ndjson" | "json"))
}

impl Importer<'_> {
    fn run(&mut self) -> Result<()> {
        for (groups, kind) in [
            (&self.spec.nodes, Kind::Nodes),
            (&self.spec.relationships, Kind::Relationships),
        ] {
            for g in groups {
                self.group(g, kind)?;
            }
        }
        Ok(())
    }

    fn group(&mut self, g: &InputGroup, kind: Kind) -> Result<()> {
        if kind == Kind::Relationships && g.names.len() > 1 {
            return Err(Error::new(
                ErrorKind::ArgumentError,
                "InvalidImportData",
                Phase::Compile,
                format!(
                    "a relationship file takes one type, not {} ({})",
                    g.names.len(),
                    g.names.join(":")
                ),
            ));
        }
        let mut header: Option<(Vec<Column>, PathBuf)> = None;
        for path in &g.files {
            self.summary.files += 1;
            let file = File::open(path).map_err(|e| cannot_read(path, &e))?;
            let input = BufReader::with_capacity(1 << 18, file);
            let read = if is_jsonl(path) {
                self.jsonl_file(path, input, g, kind)?
            } else {
                self.csv_file(path, input, g, kind, &mut header)?
            };
            self.done += read;
            self.summary.bytes += read;
            self.tick(self.done)?;
        }
        Ok(())
    }

    /// Reports progress; fails when the import was cancelled.
    fn tick(&mut self, done: u64) -> Result<()> {
        self.progress.advance(done);
        if self.interrupt.load(Ordering::Relaxed) {
            return Err(Error::interrupted());
        }
        Ok(())
    }

    fn group_index(&mut self, name: &str) -> usize {
        if let Some(&i) = self.groups.get(name) {
            return i;
        }
        let i = self.ids.len();
        self.ids.push(match self.spec.id_type {
            IdType::String => IdMap::Str(HashMap::default()),
            IdType::Integer => IdMap::Int(HashMap::default()),
        });
        self.groups.insert(name.to_string(), i);
        i
    }

    fn group_name(&self, index: usize) -> &str {
        self.groups
            .iter()
            .find(|(_, &i)| i == index)
            .map_or("", |(n, _)| n.as_str())
    }

    /// `name:TYPE` -> a column.
    fn column(&mut self, text: &str, kind: Kind) -> std::result::Result<Column, String> {
        let (name, ty) = match text.rfind(':') {
            Some(i) => (text[..i].trim(), text[i + 1..].trim()),
            None => (text.trim(), ""),
        };
        let upper = ty.to_ascii_uppercase();
        let (special, group) = match upper.find('(') {
            Some(i) if upper.ends_with(')') => (&upper[..i], Some(ty[i + 1..ty.len() - 1].trim())),
            _ => (upper.as_str(), None),
        };
        let nodes_only = |what: &str| format!("a {what} column belongs in a node file, not a relationship file");
        let rels_only = |what: &str| format!("a {what} column belongs in a relationship file, not a node file");
        let g = group.unwrap_or("").to_string();
        Ok(match special {
            "ID" => {
                if kind != Kind::Nodes {
                    return Err(nodes_only(":ID"));
                }
                let key = (!name.is_empty()).then(|| self.graph.catalog().keys.intern(name));
                Column::Id {
                    key,
                    group: self.group_index(&g),
                }
            }
            "LABEL" if group.is_none() => {
                if kind != Kind::Nodes {
                    return Err(nodes_only(":LABEL"));
                }
                Column::Labels
            }
            "START_ID" | "END_ID" => {
                if kind != Kind::Relationships {
                    return Err(rels_only(&format!(":{special}")));
                }
                let group = self.group_index(&g);
                if special == "START_ID" {
                    Column::StartId { group }
                } else {
                    Column::EndId { group }
                }
            }
            "TYPE" if group.is_none() => {
                if kind != Kind::Relationships {
                    return Err(rels_only(":TYPE"));
                }
                Column::Type
            }
            "IGNORE" if group.is_none() => Column::Ignore,
            _ => {
                let (base, array) = match ty.strip_suffix("[]") {
                    Some(b) => (b.trim(), true),
                    None => (ty, false),
                };
                let ty = if base.is_empty() && !array {
                    PropType::String
                } else {
                    PropType::parse(base).ok_or_else(|| {
                        format!(
                            "unknown type '{ty}' in column '{text}' (types: string, int, float, boolean, date, \
                             localtime, time, localdatetime, datetime, duration, and arrays such as int[])"
                        )
                    })?
                };
                if name.is_empty() {
                    return Err(format!("column '{text}' has a type but no property name"));
                }
                Column::Prop {
                    key: self.graph.catalog().keys.intern(name),
                    ty,
                    array,
                }
            }
        })
    }

    fn id_key(&self, text: &str) -> std::result::Result<IdKey, String> {
        match self.spec.id_type {
            IdType::String => Ok(IdKey::Str(text.to_string())),
            IdType::Integer => text
                .trim()
                .parse()
                .map(IdKey::Int)
                .map_err(|_| format!("id '{text}' is not an integer (the ids are integers: --id-type integer)")),
        }
    }

    fn id_value(&self, key: &IdKey) -> Value {
        match key {
            IdKey::Str(s) => Value::from(s.as_str()),
            IdKey::Int(i) => Value::Int(*i),
        }
    }

    fn remember(&mut self, group: usize, key: IdKey, node: NodeId) -> std::result::Result<(), String> {
        let fresh = match (&mut self.ids[group], &key) {
            (IdMap::Str(m), IdKey::Str(s)) => m.insert(StrKey::new(s), node).is_none(),
            (IdMap::Int(m), IdKey::Int(i)) => m.insert(*i, node).is_none(),
            _ => true,
        };
        if fresh {
            Ok(())
        } else {
            Err(format!("node id {key} appears twice{}", self.in_group(group)))
        }
    }

    fn lookup(&self, group: usize, key: &IdKey) -> std::result::Result<NodeId, String> {
        let found = match (&self.ids[group], key) {
            (IdMap::Str(m), IdKey::Str(s)) => m.get(&StrKey::new(s)).copied(),
            (IdMap::Int(m), IdKey::Int(i)) => m.get(i).copied(),
            _ => None,
        };
        found.ok_or_else(|| format!("no node has id {key}{}", self.in_group(group)))
    }

    /// [`Importer::lookup`] of an id as written in a CSV field (without allocating).
    fn lookup_text(&self, group: usize, text: &str) -> std::result::Result<NodeId, String> {
        let found = match &self.ids[group] {
            IdMap::Str(m) => m.get(&StrKey::new(text)).copied(),
            IdMap::Int(m) => {
                let i: i64 = text.trim().parse().map_err(|_| self.id_key(text).unwrap_err())?;
                m.get(&i).copied()
            }
        };
        found.ok_or_else(|| {
            format!(
                "no node has id {}{}",
                self.id_key(text).expect("valid"),
                self.in_group(group)
            )
        })
    }

    fn in_group(&self, group: usize) -> String {
        match self.group_name(group) {
            "" => String::new(),
            g => format!(" in id group '{g}'"),
        }
    }

    fn default_labels(&mut self, g: &InputGroup) -> Vec<LabelId> {
        g.names.iter().map(|n| self.graph.catalog().labels.intern(n)).collect()
    }

    fn default_type(&mut self, g: &InputGroup) -> Option<TypeId> {
        g.names.first().map(|n| self.graph.catalog().types.intern(n))
    }

    /// One CSV file of a group; `header` is the group's (read from its first file).
    fn csv_file(
        &mut self,
        path: &Path,
        input: BufReader<File>,
        g: &InputGroup,
        kind: Kind,
        header: &mut Option<(Vec<Column>, PathBuf)>,
    ) -> Result<u64> {
        let mut reader = CsvReader::new(input, self.spec.delimiter);
        let mut rec = Record::default();
        if header.is_none() {
            if !reader.read_record(&mut rec).map_err(|e| csv_error(path, e))? {
                return Err(bad_row(path, 1, "the file is empty: it needs a header line"));
            }
            let mut columns = Vec::with_capacity(rec.len());
            for f in rec.fields() {
                columns.push(self.column(&f.text, kind).map_err(|m| bad_row(path, rec.line, m))?);
            }
            check_columns(&columns, kind).map_err(|m| bad_row(path, rec.line, m))?;
            *header = Some((columns, path.to_path_buf()));
        }
        let (columns, header_file) = header.clone().expect("header read above");
        let labels = self.default_labels(g);
        let rel_type = self.default_type(g);
        let mut rows = 0u64;
        while reader.read_record(&mut rec).map_err(|e| csv_error(path, e))? {
            if rec.len() != columns.len() {
                let whose = if header_file == path {
                    format!("line {}", 1)
                } else {
                    format!("{}", header_file.display())
                };
                return Err(bad_row(
                    path,
                    rec.line,
                    format!(
                        "this row has {} fields but the header ({whose}) has {}",
                        rec.len(),
                        columns.len()
                    ),
                ));
            }
            match kind {
                Kind::Nodes => self.csv_node(&columns, rec.fields(), &labels),
                Kind::Relationships => self
                    .csv_relationship(&columns, rec.fields(), rel_type)
                    .map(|(start, end, t, props)| self.pending.push((start, end, t, props, rec.line))),
            }
            .map_err(|m| bad_row(path, rec.line, m))?;
            if self.pending.len() == REL_BATCH {
                self.create_pending(path)?;
            }
            rows += 1;
            if rows % PROGRESS_EVERY == 0 {
                self.tick(self.done + reader.bytes_read)?;
            }
        }
        self.create_pending(path)?;
        Ok(reader.bytes_read)
    }

    /// Creates the relationships read but not yet created.
    #[allow(clippy::result_large_err)]
    fn create_pending(&mut self, path: &Path) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        for (start, end, t, props, line) in pending.drain(..) {
            self.create_relationship(start, end, t, props)
                .map_err(|m| bad_row(path, line, m))?;
        }
        self.pending = pending;
        Ok(())
    }

    fn field_value(&self, f: &Field, ty: PropType, array: bool) -> std::result::Result<Option<Value>, String> {
        if f.is_missing() {
            return Ok(None);
        }
        if !array {
            return ty.convert(&f.text).map(Some);
        }
        let d = self.spec.array_delimiter as char;
        let mut items = Vec::new();
        if !f.text.is_empty() {
            for part in f.text.split(d) {
                items.push(ty.convert(part)?);
            }
        }
        Ok(Some(Value::list(items)))
    }

    fn csv_node(
        &mut self,
        columns: &[Column],
        fields: &[Field],
        labels: &[LabelId],
    ) -> std::result::Result<(), String> {
        let mut node_labels = labels.to_vec();
        let mut props: Props = Vec::with_capacity(columns.len());
        let mut ids: Vec<(usize, IdKey)> = Vec::new();
        for (i, (col, f)) in columns.iter().zip(fields).enumerate() {
            match col {
                Column::Ignore => {}
                Column::Id { key, group } => {
                    if f.is_missing() {
                        return Err(format!("the id (field {}) is empty", i + 1));
                    }
                    let id = self.id_key(&f.text)?;
                    if let Some(k) = key {
                        props.push((*k, self.id_value(&id)));
                    }
                    ids.push((*group, id));
                }
                Column::Labels => {
                    for l in f.text.split(self.spec.array_delimiter as char) {
                        let l = l.trim();
                        if !l.is_empty() {
                            node_labels.push(self.graph.catalog().labels.intern(l));
                        }
                    }
                }
                Column::Prop { key, ty, array } => {
                    let v = self
                        .field_value(f, *ty, *array)
                        .map_err(|m| format!("field {} ({}): {m}", i + 1, self.graph.catalog().keys.name(*key)))?;
                    if let Some(v) = v {
                        props.push((*key, v));
                    }
                }
                Column::StartId { .. } | Column::EndId { .. } | Column::Type => {}
            }
        }
        self.summary.properties += props.len() as u64;
        let node = self.create_node(&node_labels, props)?;
        self.summary.nodes += 1;
        for (group, id) in ids {
            self.remember(group, id, node)?;
        }
        Ok(())
    }

    /// A relationship row: its end nodes, type and properties.
    fn csv_relationship(
        &mut self,
        columns: &[Column],
        fields: &[Field],
        default_type: Option<TypeId>,
    ) -> std::result::Result<PendingRel, String> {
        let mut start = None;
        let mut end = None;
        let mut rel_type = default_type;
        let mut props: Props = Vec::with_capacity(columns.len());
        for (i, (col, f)) in columns.iter().zip(fields).enumerate() {
            match col {
                Column::StartId { group } | Column::EndId { group } => {
                    if f.is_missing() {
                        return Err(format!("the {} id (field {}) is empty", end_name(col), i + 1));
                    }
                    let node = self
                        .lookup_text(*group, &f.text)
                        .map_err(|m| format!("{} (the {} of this relationship)", m, end_name(col)))?;
                    if matches!(col, Column::StartId { .. }) {
                        start = Some(node);
                    } else {
                        end = Some(node);
                    }
                }
                Column::Type => {
                    if !f.text.is_empty() {
                        rel_type = Some(self.graph.catalog().types.intern(&f.text));
                    }
                }
                Column::Prop { key, ty, array } => {
                    let v = self
                        .field_value(f, *ty, *array)
                        .map_err(|m| format!("field {} ({}): {m}", i + 1, self.graph.catalog().keys.name(*key)))?;
                    if let Some(v) = v {
                        props.push((*key, v));
                    }
                }
                Column::Ignore | Column::Id { .. } | Column::Labels => {}
            }
        }
        let (Some(start), Some(end)) = (start, end) else {
            unreachable!("checked: a relationship header has :START_ID and :END_ID")
        };
        let Some(rel_type) = rel_type else {
            return Err(
                "no relationship type: fill the :TYPE field, or give the file one (--relationships TYPE=FILE)".into(),
            );
        };
        Ok((start, end, rel_type, props))
    }

    fn create_node(&mut self, labels: &[LabelId], props: Props) -> std::result::Result<NodeId, String> {
        self.graph.create_node(labels, props)
    }

    fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: TypeId,
        props: Props,
    ) -> std::result::Result<(), String> {
        self.summary.properties += props.len() as u64;
        self.graph.create_relationship(start, end, rel_type, props)?;
        self.summary.relationships += 1;
        Ok(())
    }

    // ---- JSON lines ------------------------------------------------------

    fn jsonl_file(&mut self, path: &Path, mut input: BufReader<File>, g: &InputGroup, kind: Kind) -> Result<u64> {
        let labels = self.default_labels(g);
        let rel_type = self.default_type(g);
        let group = self.group_index("");
        let mut line = String::new();
        let mut number = 0u64;
        let mut bytes = 0u64;
        loop {
            line.clear();
            let n = input.read_line(&mut line).map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidData => bad_row(path, number + 1, "the line is not valid UTF-8"),
                _ => cannot_read(path, &e),
            })?;
            if n == 0 {
                break;
            }
            bytes += n as u64;
            number += 1;
            let text = line.trim();
            if text.is_empty() {
                continue;
            }
            let obj: serde_json::Value =
                serde_json::from_str(text).map_err(|e| bad_row(path, number, format!("not a JSON object: {e}")))?;
            let serde_json::Value::Object(obj) = obj else {
                return Err(bad_row(path, number, "each line must be a JSON object"));
            };
            let r = match kind {
                Kind::Nodes => self.json_node(obj, &labels, group),
                Kind::Relationships => self.json_relationship(obj, rel_type, group),
            };
            r.map_err(|m| bad_row(path, number, m))?;
            if number % PROGRESS_EVERY == 0 {
                self.tick(self.done + bytes)?;
            }
        }
        Ok(bytes)
    }

    fn json_id(&self, v: &serde_json::Value, what: &str) -> std::result::Result<IdKey, String> {
        match v {
            serde_json::Value::String(s) => self.id_key(s),
            serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => self.id_key(&n.to_string()),
            other => Err(format!("\"{what}\" must be a string or an integer, not {other}")),
        }
    }

    fn json_props(&mut self, v: Option<serde_json::Value>, props: &mut Props) -> std::result::Result<(), String> {
        let map = match v {
            None | Some(serde_json::Value::Null) => return Ok(()),
            Some(serde_json::Value::Object(m)) => m,
            Some(other) => return Err(format!("\"properties\" must be an object, not {other}")),
        };
        for (k, v) in map {
            let value = json_value(&v).map_err(|m| format!("property \"{k}\": {m}"))?;
            if !value.is_null() {
                props.push((self.graph.catalog().keys.intern(&k), value));
            }
        }
        Ok(())
    }

    fn json_node(
        &mut self,
        mut obj: serde_json::Map<String, serde_json::Value>,
        labels: &[LabelId],
        group: usize,
    ) -> std::result::Result<(), String> {
        let id = match obj.remove("id") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(self.json_id(&v, "id")?),
        };
        let mut node_labels = labels.to_vec();
        match obj.remove("labels") {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Array(items)) => {
                for l in items {
                    match l {
                        serde_json::Value::String(s) => node_labels.push(self.graph.catalog().labels.intern(&s)),
                        other => return Err(format!("\"labels\" must hold strings, not {other}")),
                    }
                }
            }
            Some(serde_json::Value::String(s)) => node_labels.push(self.graph.catalog().labels.intern(&s)),
            Some(other) => return Err(format!("\"labels\" must be a list of strings, not {other}")),
        }
        let mut props = Props::new();
        self.json_props(obj.remove("properties"), &mut props)?;
        if let Some(k) = obj.keys().next() {
            return Err(format!(
                "unknown key \"{k}\": a node line has \"id\", \"labels\" and \"properties\""
            ));
        }
        self.summary.properties += props.len() as u64;
        let node = self.create_node(&node_labels, props)?;
        self.summary.nodes += 1;
        if let Some(id) = id {
            self.remember(group, id, node)?;
        }
        Ok(())
    }

    fn json_relationship(
        &mut self,
        mut obj: serde_json::Map<String, serde_json::Value>,
        default_type: Option<TypeId>,
        group: usize,
    ) -> std::result::Result<(), String> {
        let mut ends = [NodeId(0); 2];
        for (i, what) in ["start", "end"].into_iter().enumerate() {
            let v = obj
                .remove(what)
                .filter(|v| !v.is_null())
                .ok_or_else(|| format!("\"{what}\" is missing: a relationship line needs \"start\" and \"end\""))?;
            let key = self.json_id(&v, what)?;
            ends[i] = self
                .lookup(group, &key)
                .map_err(|m| format!("{m} (the {what} of this relationship)"))?;
        }
        let rel_type = match obj.remove("type") {
            None | Some(serde_json::Value::Null) => default_type,
            Some(serde_json::Value::String(s)) if !s.is_empty() => Some(self.graph.catalog().types.intern(&s)),
            Some(other) => return Err(format!("\"type\" must be a non-empty string, not {other}")),
        };
        let Some(rel_type) = rel_type else {
            return Err("\"type\" is missing, and the file was given no type (--relationships TYPE=FILE)".into());
        };
        let mut props = Props::new();
        self.json_props(obj.remove("properties"), &mut props)?;
        if let Some(k) = obj.keys().next() {
            return Err(format!(
                "unknown key \"{k}\": a relationship line has \"start\", \"end\", \"type\" and \"properties\""
            ));
        }
        self.create_relationship(ends[0], ends[1], rel_type, props)
    }
}

fn end_name(col: &Column) -> &'static str {
    if matches!(col, Column::StartId { .. }) {
        "start"
    } else {
        "end"
    }
}

fn check_columns(columns: &[Column], kind: Kind) -> std::result::Result<(), String> {
    let count = |f: &dyn Fn(&Column) -> bool| columns.iter().filter(|c| f(c)).count();
    match kind {
        Kind::Nodes => {
            if count(&|c| matches!(c, Column::Id { .. })) > 1 {
                return Err("the header has more than one :ID column".into());
            }
        }
        Kind::Relationships => {
            for (name, n) in [
                (":START_ID", count(&|c| matches!(c, Column::StartId { .. }))),
                (":END_ID", count(&|c| matches!(c, Column::EndId { .. }))),
            ] {
                if n != 1 {
                    return Err(format!(
                        "a relationship header needs exactly one {name} column (this one has {n})"
                    ));
                }
            }
        }
    }
    Ok(())
}

/// A JSON property value as a storable value.
fn json_value(v: &serde_json::Value) -> std::result::Result<Value, String> {
    use serde_json::Value as J;
    Ok(match v {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().ok_or_else(|| format!("{n} is out of range"))?),
        },
        J::String(s) => Value::from(s.as_str()),
        J::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for i in items {
                match i {
                    J::Array(_) | J::Object(_) | J::Null => {
                        return Err("a list property holds strings, numbers or booleans only".into())
                    }
                    other => out.push(json_value(other)?),
                }
            }
            let list = Value::list(out);
            if !list.is_storable() {
                return Err("a list property holds values of one type".into());
            }
            list
        }
        J::Object(_) => return Err("a property cannot hold a map".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_groups_parse() {
        assert_eq!(InputGroup::parse("a.csv").unwrap(), InputGroup::file("a.csv"));
        assert_eq!(
            InputGroup::parse("Person:Actor=a.csv,b.csv").unwrap(),
            InputGroup {
                names: vec!["Person".into(), "Actor".into()],
                files: vec!["a.csv".into(), "b.csv".into()],
            }
        );
        assert_eq!(
            InputGroup::parse("dir/x=y.csv").unwrap(),
            InputGroup::file("dir/x=y.csv")
        );
        assert!(InputGroup::parse("Person=").is_err());
    }

    #[test]
    fn string_keys_compare_by_content() {
        use std::hash::BuildHasher;
        let long = "an id much longer than twenty-two bytes";
        assert!(StrKey::new(long) == StrKey::new(long));
        assert!(StrKey::new("a") != StrKey::new("a\0"));
        assert!(StrKey::new("") != StrKey::new("\0"));
        assert_eq!(
            FastHash.hash_one(StrKey::new("x1")),
            FastHash.hash_one(StrKey::new("x1"))
        );
        assert_ne!(
            FastHash.hash_one(StrKey::new("x1")),
            FastHash.hash_one(StrKey::new("x2"))
        );
    }

    #[test]
    fn property_types_convert() {
        assert_eq!(PropType::Int.convert(" 42 ").unwrap(), Value::Int(42));
        assert!(PropType::Int.convert("4.2").is_err());
        assert_eq!(PropType::Bool.convert("TRUE").unwrap(), Value::Bool(true));
        assert!(matches!(
            PropType::Temporal("date").convert("2024-02-29").unwrap(),
            Value::Date(_)
        ));
        assert!(PropType::Temporal("date").convert("2023-02-29").is_err());
    }
}
