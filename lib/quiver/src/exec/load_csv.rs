//! `LOAD CSV`: the records of a file as rows.
//!
//! Without headers a row is a list of strings; with headers it is a map from
//! the header's names to strings. An empty unquoted field is null (a quoted
//! `""` is the empty string). With headers, a record must have as many
//! fields as the header.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};

use crate::error::ErrorKind;
use crate::import::csv::{CsvError, CsvReader, Field, Record};
use crate::plan::LoadCsvPlan;
use crate::value::{Map, Value};

use super::eval::Eval;
use super::{ExecError, Row, XResult};

/// How often (in records) a long load checks for Ctrl-C.
const CHECK_EVERY: u64 = 4096;

/// Records per batch handed over by the reading thread.
const BATCH: usize = 512;

/// Batches read ahead at most (the memory a load holds beyond its rows).
const AHEAD: usize = 4;

/// A batch of records as row values with their lines, or the error that ended the file.
type Batch = super::ahead::Batch<(Value, u64)>;

/// One file being read: its records, one at a time. A second thread reads
/// and splits the file a few batches ahead of the statement, so that
/// parsing overlaps the clauses after `LOAD CSV`; it stops when the file
/// ends, at the first bad record (the error comes after every record
/// before it), or when the statement lets go of the file.
pub struct CsvRows {
    batches: mpsc::Receiver<Batch>,
    batch: std::vec::IntoIter<(Value, u64)>,
    done: bool,
    /// `file()`: the absolute path.
    file_value: Value,
    count: u64,
}

/// What the reading thread owns.
struct Reader {
    reader: CsvReader<BufReader<File>>,
    rec: Record,
    header: Option<Vec<Arc<str>>>,
    /// The path as written, for messages.
    shown: String,
}

impl CsvRows {
    /// Opens the file `plan` names for the row `row` (and reads its header).
    pub fn open(ev: &Eval, p: &LoadCsvPlan, row: &Row) -> XResult<CsvRows> {
        let url = match ev.eval(&p.url, row)? {
            Value::String(s) => s,
            Value::Null => {
                return Err(ExecError::new(
                    ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    "LOAD CSV FROM got null, not a file URL or path".into(),
                ))
            }
            other => {
                return Err(ExecError::type_error(format!(
                    "LOAD CSV FROM takes a string (a file URL or path), not a {}",
                    other.type_name()
                )))
            }
        };
        let path = resolve(&url)?;
        let file = File::open(&path).map_err(|e| {
            ExecError::new(
                ErrorKind::IoError,
                "IoError",
                format!("LOAD CSV cannot read {}: {e}", path.display()),
            )
        })?;
        let absolute = std::fs::canonicalize(&path).unwrap_or(path.clone());
        let mut r = Reader {
            reader: CsvReader::new(BufReader::with_capacity(1 << 16, file), p.terminator),
            rec: Record::default(),
            header: None,
            shown: path.display().to_string(),
        };
        if p.headers && r.read()? {
            r.header = Some(r.rec.fields().iter().map(|f| Arc::from(f.text.as_str())).collect());
        }
        let (tx, rx) = mpsc::sync_channel(AHEAD);
        std::thread::Builder::new()
            .name("quiver-load-csv".into())
            .spawn(move || r.run(tx))
            .map_err(|e| {
                ExecError::new(
                    ErrorKind::IoError,
                    "IoError",
                    format!("LOAD CSV cannot start reading {}: {e}", path.display()),
                )
            })?;
        Ok(CsvRows {
            batches: rx,
            batch: Vec::new().into_iter(),
            done: false,
            file_value: Value::from(absolute.to_string_lossy().as_ref()),
            count: 0,
        })
    }

    pub fn path_value(&self) -> Value {
        self.file_value.clone()
    }

    /// The next record as a row value (a list, or with headers a map) and
    /// the line it starts on; `None` at the end of the file.
    pub fn next_record(&mut self, ev: &Eval) -> XResult<Option<(Value, u64)>> {
        loop {
            if let Some(r) = self.batch.next() {
                self.count += 1;
                if self.count % CHECK_EVERY == 0 {
                    ev.check_interrupt()?;
                }
                return Ok(Some(r));
            }
            if self.done {
                return Ok(None);
            }
            match self.batches.recv() {
                Ok(Ok(b)) => self.batch = b.into_iter(),
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The thread is done: every batch it made has come.
                Err(_) => self.done = true,
            }
        }
    }
}

impl Reader {
    fn read(&mut self) -> XResult<bool> {
        let shown = &self.shown;
        self.reader.read_record(&mut self.rec).map_err(|e| match e {
            CsvError::Io(e) => ExecError::new(
                ErrorKind::IoError,
                "IoError",
                format!("LOAD CSV cannot read {shown}: {e}"),
            ),
            CsvError::Data { line, message } => data_error(shown, line, message),
        })
    }

    /// Reads the file to its end in batches; stops early when the receiver is gone.
    fn run(mut self, tx: mpsc::SyncSender<Batch>) {
        super::ahead::send_batches(&tx, BATCH, |batch| {
            while batch.len() < BATCH {
                match self.record()? {
                    Some(r) => batch.push(r),
                    None => return Ok(false),
                }
            }
            Ok(true)
        });
    }

    fn record(&mut self) -> XResult<Option<(Value, u64)>> {
        if !self.read()? {
            return Ok(None);
        }
        let rec = &self.rec;
        let value = match &self.header {
            None => Value::list(rec.fields().iter().map(field_value).collect()),
            Some(names) => {
                if rec.len() != names.len() {
                    return Err(data_error(
                        &self.shown,
                        rec.line,
                        format!(
                            "this record has {} fields but the header has {}",
                            rec.len(),
                            names.len()
                        ),
                    ));
                }
                let map: Map = names
                    .iter()
                    .cloned()
                    .zip(rec.fields().iter().map(field_value))
                    .collect();
                Value::map(map)
            }
        };
        Ok(Some((value, rec.line)))
    }
}

fn field_value(f: &Field) -> Value {
    if f.is_missing() {
        Value::Null
    } else {
        Value::from(f.text.as_str())
    }
}

fn data_error(file: &str, line: u64, message: String) -> ExecError {
    ExecError::new(ErrorKind::DataError, "InvalidCsv", format!("{file}:{line}: {message}"))
}

/// `file:///abs/path`, `file:relative` or a plain path (relative to the
/// working directory) -> a path. `%XX` escapes in a URL are decoded.
pub fn resolve(url: &str) -> XResult<PathBuf> {
    let Some(rest) = strip_prefix_ignore_case(url, "file:") else {
        if let Some((scheme, _)) = url.split_once("://") {
            if scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
                return Err(ExecError::new(
                    ErrorKind::ArgumentError,
                    "InvalidArgumentValue",
                    format!("LOAD CSV reads local files only (file:///path or a path), not {scheme}:// URLs"),
                ));
            }
        }
        return Ok(PathBuf::from(url));
    };
    // file:///abs -> /abs; file://host/abs is not supported but localhost is.
    let path = if let Some(after) = rest.strip_prefix("//") {
        match after.find('/') {
            Some(0) => after.to_string(),
            Some(i) if after[..i].eq_ignore_ascii_case("localhost") => after[i..].to_string(),
            // `file://data.csv`: taken as a relative path, as several engines do.
            _ => after.to_string(),
        }
    } else {
        rest.to_string()
    };
    let decoded = percent_decode(&path).ok_or_else(|| {
        ExecError::new(
            ErrorKind::ArgumentError,
            "InvalidArgumentValue",
            format!("LOAD CSV cannot decode the URL {url:?}: a % must be followed by two hex digits"),
        )
    })?;
    Ok(Path::new(&decoded).to_path_buf())
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_resolve_to_paths() {
        assert_eq!(resolve("file:///tmp/a.csv").unwrap(), PathBuf::from("/tmp/a.csv"));
        assert_eq!(resolve("FILE:///tmp/a%20b.csv").unwrap(), PathBuf::from("/tmp/a b.csv"));
        assert_eq!(
            resolve("file://localhost/tmp/a.csv").unwrap(),
            PathBuf::from("/tmp/a.csv")
        );
        assert_eq!(resolve("file://data/a.csv").unwrap(), PathBuf::from("data/a.csv"));
        assert_eq!(resolve("file:a.csv").unwrap(), PathBuf::from("a.csv"));
        assert_eq!(resolve("data/a.csv").unwrap(), PathBuf::from("data/a.csv"));
        assert_eq!(resolve("/abs/100%.csv").unwrap(), PathBuf::from("/abs/100%.csv"));
        assert!(resolve("https://example.org/a.csv").is_err());
        assert!(resolve("file:///a%2.csv").is_err());
    }
}
