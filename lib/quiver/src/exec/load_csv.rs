//! `LOAD CSV`: the records of a file as rows.
//!
//! Without headers a row is a list of strings; with headers it is a map from
//! the header's names to strings. An empty unquoted field is null (a quoted
//! `""` is the empty string). With headers, a record must have as many
//! fields as the header.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ErrorKind;
use crate::import::csv::{CsvError, CsvReader, Field, Record};
use crate::plan::LoadCsvPlan;
use crate::value::{Map, Value};

use super::eval::{set, Eval};
use super::{ExecError, Row, XResult};

/// How often (in records) a long load checks for Ctrl-C.
const CHECK_EVERY: u64 = 4096;

pub fn load_csv(ev: &Eval, p: &LoadCsvPlan, rows: Vec<Row>) -> XResult<Vec<Row>> {
    let mut out = Vec::new();
    for row in rows {
        let url = match ev.eval(&p.url, &row)? {
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
        let file_value = Value::from(absolute.to_string_lossy().as_ref());
        let shown = path.display().to_string();
        let mut reader = CsvReader::new(BufReader::with_capacity(1 << 16, file), p.terminator);
        let mut rec = Record::default();
        let bad = |e: CsvError| match e {
            CsvError::Io(e) => ExecError::new(
                ErrorKind::IoError,
                "IoError",
                format!("LOAD CSV cannot read {shown}: {e}"),
            ),
            CsvError::Data { line, message } => data_error(&shown, line, message),
        };
        let header: Option<Vec<Arc<str>>> = if p.headers {
            if !reader.read_record(&mut rec).map_err(bad)? {
                continue;
            }
            Some(rec.fields().iter().map(|f| Arc::from(f.text.as_str())).collect())
        } else {
            None
        };
        let mut count = 0u64;
        while reader.read_record(&mut rec).map_err(bad)? {
            count += 1;
            if count % CHECK_EVERY == 0 {
                ev.check_interrupt()?;
            }
            let value = match &header {
                None => Value::list(rec.fields().iter().map(field_value).collect()),
                Some(names) => {
                    if rec.len() != names.len() {
                        return Err(data_error(
                            &shown,
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
            let mut r = row.clone();
            set(&mut r, p.slot, value);
            set(&mut r, p.line_slot, Value::Int(rec.line as i64));
            set(&mut r, p.file_slot, file_value.clone());
            out.push(r);
        }
    }
    Ok(out)
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
