//! `quiver check FILE`: verifies a database file and its log without
//! changing them, and tells what they hold.

use std::fmt;
use std::path::Path;

use super::file::Fs;
use super::{corrupt, format, lock, wal, wal_path};
use crate::error::Error;

/// What a verified database holds.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub path: String,
    pub format_version: u32,
    pub codec: u32,
    pub generation: u64,
    pub file_bytes: u64,
    pub snapshot_nodes: u64,
    pub snapshot_rels: u64,
    pub snapshot_txid: u64,
    pub wal_bytes: u64,
    /// Log records that apply to the snapshot (0 when the log is stale or absent).
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
        writeln!(
            f,
            "  format version {}, codec {}, checkpoint generation {}",
            self.format_version, self.codec, self.generation
        )?;
        writeln!(
            f,
            "  snapshot: {} bytes, {} nodes, {} relationships, up to transaction {}",
            self.file_bytes, self.snapshot_nodes, self.snapshot_rels, self.snapshot_txid
        )?;
        writeln!(
            f,
            "  log: {} bytes, {} committed transactions since the snapshot ({})",
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

/// Verifies `path` (and `path-wal`): every checksum, every record, and that
/// the log applies to the snapshot. Takes a shared lock, so it is refused
/// while a writer has the database open.
pub fn check(fs: &dyn Fs, path: &Path) -> Result<Report, Error> {
    let wal_path = wal_path(path);
    if !fs.exists(path) {
        return Err(super::refused(
            "NoSuchDatabase",
            format!("{} does not exist", path.display()),
        ));
    }
    let mut wal_file = if fs.exists(&wal_path) {
        let mut f = fs
            .open(&wal_path, true, false)
            .map_err(|e| super::io_error(&wal_path, None, "open", &e))?;
        lock::acquire(f.as_mut(), path, &wal_path, false)?;
        Some(f)
    } else {
        None
    };
    let (header, mut graph, file_bytes) = format::read_snapshot(fs, path)?;
    let mut report = Report {
        path: path.display().to_string(),
        format_version: header.version,
        codec: header.codec,
        generation: header.generation,
        file_bytes,
        snapshot_nodes: header.nodes,
        snapshot_rels: header.rels,
        snapshot_txid: header.last_txid,
        last_txid: header.last_txid,
        ..Report::default()
    };
    if (header.nodes, header.rels) != (graph.node_count() as u64, graph.relationship_count() as u64) {
        return Err(corrupt(path, 44, "the header's counts do not match the snapshot"));
    }
    let wal_bytes = match wal_file.as_mut() {
        Some(f) => {
            let len = f.size().map_err(|e| super::io_error(&wal_path, None, "stat", &e))?;
            let mut buf = vec![0u8; len as usize];
            f.read_at(0, &mut buf)
                .map_err(|e| super::io_error(&wal_path, Some(0), "read", &e))?;
            buf
        }
        None => Vec::new(),
    };
    report.wal_bytes = wal_bytes.len() as u64;
    let scan = wal::scan(&wal_path, &wal_bytes)?;
    report.wal_state = match scan.generation {
        None if wal_file.is_none() => "no log file".into(),
        None => "empty".into(),
        Some(g) if g < header.generation => format!("stale: generation {g}, already in the snapshot"),
        Some(g) if g > header.generation => {
            return Err(corrupt(
                &wal_path,
                16,
                &format!(
                    "the log continues snapshot generation {g} but the main file holds generation {}",
                    header.generation
                ),
            ))
        }
        Some(_) => {
            for (offset, tx) in &scan.records {
                if tx.txid != report.last_txid + 1 {
                    return Err(corrupt(
                        &wal_path,
                        *offset,
                        &format!(
                            "log record for transaction {} where {} was expected",
                            tx.txid,
                            report.last_txid + 1
                        ),
                    ));
                }
                graph.apply_changes(&tx.changes).map_err(|e| {
                    corrupt(
                        &wal_path,
                        *offset,
                        &format!("transaction {} does not apply: it {}", tx.txid, e.0),
                    )
                })?;
                report.last_txid = tx.txid;
            }
            report.wal_records = scan.records.len();
            match &scan.torn {
                Some((offset, why)) => format!(
                    "torn tail of {} bytes at offset {offset} ({why}): an unacknowledged commit, cut on the next open",
                    scan.len - offset
                ),
                None => "intact".into(),
            }
        }
    };
    graph
        .verify_indexes()
        .map_err(|e| corrupt(path, 0, &format!("rebuilt indexes are inconsistent: {e}")))?;
    report.indexes = graph
        .index_defs()
        .into_iter()
        .map(|d| format!("{} on :{}({})", d.name, d.label, d.key))
        .collect();
    report.nodes = graph.node_count();
    report.rels = graph.relationship_count();
    (report.next_node, report.next_rel) = graph.counters();
    let mut labels: Vec<(String, usize)> = graph
        .names()
        .labels
        .all()
        .into_iter()
        .map(|(id, n)| (n.to_string(), graph.label_count(id)))
        .filter(|(_, c)| *c > 0)
        .collect();
    labels.sort();
    let mut types: Vec<(String, usize)> = graph
        .names()
        .types
        .all()
        .into_iter()
        .map(|(id, n)| (n.to_string(), graph.type_count(id)))
        .filter(|(_, c)| *c > 0)
        .collect();
    types.sort();
    report.labels = labels;
    report.types = types;
    Ok(report)
}
