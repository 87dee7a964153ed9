//! `quiver check FILE`: verifies a database file and its log without
//! changing them, and tells what they hold. It takes no lock: it reads
//! beside a writer as any reader does.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::file::Fs;
use super::{basefile, corrupt, replay, wal, wal_path};
use crate::error::Error;
use crate::store::{Catalog, GraphRead, Snapshot};

/// What a verified database holds.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub path: String,
    pub format_version: u32,
    /// For a file of the first format: the codec of its snapshot.
    pub codec: Option<u32>,
    pub generation: u64,
    pub file_bytes: u64,
    pub base_nodes: u64,
    pub base_rels: u64,
    pub base_txid: u64,
    pub wal_bytes: u64,
    /// Log records that apply to the base (0 when the log is stale or absent).
    pub wal_records: usize,
    pub wal_state: String,
    pub last_txid: u64,
    pub nodes: usize,
    pub rels: usize,
    pub labels: Vec<(String, usize)>,
    pub types: Vec<(String, usize)>,
    pub next_node: u64,
    pub next_rel: u64,
    /// `name on :Label(key)`.
    pub indexes: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: ok", self.path)?;
        match self.codec {
            Some(codec) => writeln!(
                f,
                "  format version {} (codec {codec}; rewritten in version {} at the next checkpoint), generation {}",
                self.format_version,
                crate::store::base::VERSION,
                self.generation
            )?,
            None => writeln!(
                f,
                "  format version {}, checkpoint generation {}",
                self.format_version, self.generation
            )?,
        }
        writeln!(
            f,
            "  base: {} bytes, {} nodes, {} relationships, up to transaction {}",
            self.file_bytes, self.base_nodes, self.base_rels, self.base_txid
        )?;
        writeln!(
            f,
            "  log: {} bytes, {} committed transactions since the base ({})",
            self.wal_bytes, self.wal_records, self.wal_state
        )?;
        writeln!(
            f,
            "  graph: {} nodes, {} relationships (last transaction {}; next ids: node {}, relationship {})",
            self.nodes, self.rels, self.last_txid, self.next_node, self.next_rel
        )?;
        if !self.indexes.is_empty() {
            writeln!(f, "  indexes: {}", self.indexes.join(", "))?;
        }
        for (title, list) in [("labels", &self.labels), ("relationship types", &self.types)] {
            if !list.is_empty() {
                let items: Vec<String> = list.iter().map(|(n, c)| format!("{n} ({c})")).collect();
                writeln!(f, "  {title}: {}", items.join(", "))?;
            }
        }
        Ok(())
    }
}

/// Verifies `path` (and `path-wal`): every checksum of the base, its
/// indexes, every log record, and that the log applies to the base.
pub fn check(fs: &dyn Fs, path: &Path) -> Result<Report, Error> {
    let wal_path = wal_path(path);
    if !fs.exists(path) {
        return Err(super::refused(
            "NoSuchDatabase",
            format!("{} does not exist", path.display()),
        ));
    }
    let catalog = Arc::new(Catalog::default());
    let main = basefile::open(fs, path, &catalog)?;
    main.base.verify().map_err(|(at, what)| corrupt(path, at, &what))?;
    main.base
        .verify_indexes()
        .map_err(|e| corrupt(path, 0, &format!("an index does not match the data: {e}")))?;
    let header = *main.base.header();
    let mut report = Report {
        path: path.display().to_string(),
        format_version: if main.legacy.is_some() {
            super::legacy::VERSION
        } else {
            crate::store::base::VERSION
        },
        codec: main.legacy,
        generation: header.generation,
        file_bytes: main.size,
        base_nodes: header.node_count,
        base_rels: header.rel_count,
        base_txid: header.last_txid,
        last_txid: header.last_txid,
        ..Report::default()
    };
    let mut snapshot = Snapshot::over(Arc::new(main.base), catalog.clone());
    let wal_file = if fs.exists(&wal_path) {
        Some(
            fs.open(&wal_path, true, false)
                .map_err(|e| super::io_error(&wal_path, None, "open", &e))?,
        )
    } else {
        None
    };
    let wal_bytes = match wal_file {
        Some(mut f) => super::read_whole(f.as_mut(), &wal_path)?,
        None => {
            report.wal_state = "no log file".into();
            Vec::new()
        }
    };
    report.wal_bytes = wal_bytes.len() as u64;
    let scan = wal::scan(&wal_path, &wal_bytes)?;
    match scan.generation {
        None if report.wal_state.is_empty() => report.wal_state = "empty".into(),
        None => {}
        Some(g) if g < header.generation => report.wal_state = format!("stale: generation {g}, already in the base"),
        Some(g) if g > header.generation => {
            return Err(corrupt(
                &wal_path,
                16,
                &format!(
                    "the log continues generation {g} but the main file holds generation {} (a checkpoint may have run meanwhile: check again)",
                    header.generation
                ),
            ))
        }
        Some(_) => {
            replay(&mut snapshot, &scan.records, &mut report.last_txid, &wal_path)?;
            report.wal_records = scan.records.len();
            report.wal_state = match &scan.torn {
                Some((offset, why)) => format!(
                    "torn tail of {} bytes at offset {offset} ({why}): an unacknowledged commit, cut on the next open",
                    scan.len - offset
                ),
                None => "intact".into(),
            };
        }
    }
    let g: &dyn GraphRead = &snapshot;
    report.indexes = g
        .indexes()
        .into_iter()
        .map(|d| {
            format!(
                "{} on :{}({})",
                d.name,
                catalog.labels.name(d.label),
                catalog.keys.name(d.key)
            )
        })
        .collect();
    report.nodes = g.node_count();
    report.rels = g.relationship_count();
    (report.next_node, report.next_rel) = g.id_bounds();
    let counted = |names: Vec<(u32, Arc<str>)>, count: &dyn Fn(u32) -> usize| {
        let mut v: Vec<(String, usize)> = names
            .into_iter()
            .map(|(id, n)| (n.to_string(), count(id)))
            .filter(|(_, c)| *c > 0)
            .collect();
        v.sort();
        v
    };
    report.labels = counted(catalog.labels.all(), &|l| g.label_count(l));
    report.types = counted(catalog.types.all(), &|t| g.type_count(t));
    Ok(report)
}
