//! A CSV reader shared by `LOAD CSV` and bulk import.
//!
//! RFC 4180 with the usual leniencies: any single-byte field terminator,
//! `\n` or `\r\n` line ends, blank lines skipped, a UTF-8 byte order mark
//! ignored. A field that starts with `"` is quoted: it may hold terminators,
//! newlines and `""` (one `"`), and must end with a `"` followed by a
//! terminator or the end of the line. A `"` inside an unquoted field is kept
//! as it is. Each record knows the line it starts on, and each field whether
//! it was quoted (an empty unquoted field reads as null, `""` as the empty
//! string).

use std::fmt;
use std::io::{self, BufRead};

/// One field of a record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Field {
    pub text: String,
    pub quoted: bool,
}

impl Field {
    /// An empty field written without quotes: a missing value.
    pub fn is_missing(&self) -> bool {
        self.text.is_empty() && !self.quoted
    }
}

/// One record: its fields and the (1-based) line it starts on.
#[derive(Clone, Debug, Default)]
pub struct Record {
    pub line: u64,
    fields: Vec<Field>,
    len: usize,
}

impl Record {
    pub fn fields(&self) -> &[Field] {
        &self.fields[..self.len]
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn clear(&mut self) {
        self.len = 0;
    }

    /// A fresh (cleared) field at the end, reusing an old allocation.
    fn push(&mut self, quoted: bool) -> &mut String {
        if self.len == self.fields.len() {
            self.fields.push(Field::default());
        }
        let f = &mut self.fields[self.len];
        f.text.clear();
        f.quoted = quoted;
        self.len += 1;
        &mut f.text
    }
}

/// What went wrong reading a CSV file, and on which line.
#[derive(Debug)]
pub enum CsvError {
    Io(io::Error),
    /// Malformed data on `line`.
    Data {
        line: u64,
        message: String,
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CsvError::Io(e) => write!(f, "{e}"),
            CsvError::Data { line, message } => write!(f, "line {line}: {message}"),
        }
    }
}

pub struct CsvReader<R> {
    input: R,
    delimiter: u8,
    /// The line the next byte read belongs to.
    line: u64,
    buf: Vec<u8>,
    /// Bytes consumed so far (for progress).
    pub bytes_read: u64,
    started: bool,
}

impl<R: BufRead> CsvReader<R> {
    pub fn new(input: R, delimiter: u8) -> CsvReader<R> {
        CsvReader {
            input,
            delimiter,
            line: 1,
            buf: Vec::with_capacity(256),
            bytes_read: 0,
            started: false,
        }
    }

    /// Reads one physical line (with its `\n`) into `buf`; false at the end.
    fn read_line(&mut self) -> Result<bool, CsvError> {
        self.buf.clear();
        let n = self.input.read_until(b'\n', &mut self.buf).map_err(CsvError::Io)?;
        self.bytes_read += n as u64;
        if !self.started {
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
        }
        Ok(n > 0)
    }

    fn data_error(&self, line: u64, message: String) -> CsvError {
        CsvError::Data { line, message }
    }

    /// Reads the next record into `rec`; false at the end of the input.
    pub fn read_record(&mut self, rec: &mut Record) -> Result<bool, CsvError> {
        rec.clear();
        // Skip blank lines.
        loop {
            if !self.read_line()? {
                return Ok(false);
            }
            let body = trim_eol(&self.buf);
            if !body.is_empty() {
                break;
            }
            self.line += 1;
        }
        let start_line = self.line;
        rec.line = start_line;
        let d = self.delimiter;
        // `pos` indexes `self.buf`, which holds the current physical line.
        let mut pos = 0;
        loop {
            // At the start of a field.
            let line_end = trim_eol(&self.buf).len();
            if pos < line_end && self.buf[pos] == b'"' {
                // A quoted field, possibly over several lines.
                let field_line = self.line;
                let mut bytes: Vec<u8> = Vec::new();
                pos += 1;
                loop {
                    match memchr(b'"', &self.buf[pos..]) {
                        Some(k) => {
                            bytes.extend_from_slice(&self.buf[pos..pos + k]);
                            pos += k + 1;
                            if self.buf.get(pos) == Some(&b'"') {
                                bytes.push(b'"');
                                pos += 1;
                                continue;
                            }
                            break;
                        }
                        None => {
                            bytes.extend_from_slice(&self.buf[pos..]);
                            self.line += 1;
                            if !self.read_line()? {
                                return Err(self.data_error(
                                    field_line,
                                    format!(
                                        "field {} opens a quote that is never closed (the file ends inside it)",
                                        rec.len() + 1
                                    ),
                                ));
                            }
                            pos = 0;
                        }
                    }
                }
                let text = String::from_utf8(bytes)
                    .map_err(|_| self.data_error(field_line, format!("field {} is not valid UTF-8", rec.len() + 1)))?;
                let n = rec.len() + 1;
                *rec.push(true) = text;
                // After the closing quote: a terminator or the end of the line.
                let line_end = trim_eol(&self.buf).len();
                if pos >= line_end {
                    break;
                }
                if self.buf[pos] == d {
                    pos += 1;
                    if pos >= line_end {
                        rec.push(false);
                        break;
                    }
                    continue;
                }
                let c = String::from_utf8_lossy(&self.buf[pos..line_end]);
                let c = c.chars().next().unwrap_or('?');
                return Err(self.data_error(
                    self.line,
                    format!(
                        "bad quoting in field {n}: {c:?} follows its closing quote (a quote inside a quoted field is written \"\")"
                    ),
                ));
            }
            // An unquoted field: up to the terminator or the end of the line.
            let end = memchr(d, &self.buf[pos..line_end]).map_or(line_end, |k| pos + k);
            let n = rec.len() + 1;
            let text = std::str::from_utf8(&self.buf[pos..end])
                .map_err(|_| self.data_error(self.line, format!("field {n} is not valid UTF-8")))?;
            rec.push(false).push_str(text);
            if end >= line_end {
                break;
            }
            pos = end + 1;
            if pos >= line_end {
                // A terminator at the end of the line: one more, empty, field.
                rec.push(false);
                break;
            }
        }
        self.line += 1;
        Ok(true)
    }
}

fn trim_eol(b: &[u8]) -> &[u8] {
    let b = b.strip_suffix(b"\n").unwrap_or(b);
    b.strip_suffix(b"\r").unwrap_or(b)
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&b| b == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, d: u8) -> Result<Vec<(u64, Vec<(String, bool)>)>, String> {
        let mut r = CsvReader::new(text.as_bytes(), d);
        let mut rec = Record::default();
        let mut out = Vec::new();
        loop {
            match r.read_record(&mut rec) {
                Ok(true) => out.push((
                    rec.line,
                    rec.fields().iter().map(|f| (f.text.clone(), f.quoted)).collect(),
                )),
                Ok(false) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    fn texts(text: &str) -> Vec<Vec<String>> {
        read(text, b',')
            .unwrap()
            .into_iter()
            .map(|(_, f)| f.into_iter().map(|(t, _)| t).collect())
            .collect()
    }

    #[test]
    fn plain_records() {
        assert_eq!(texts("a,b,c\n1,2,3\n"), vec![vec!["a", "b", "c"], vec!["1", "2", "3"]]);
        assert_eq!(texts("a,b\r\n1,2"), vec![vec!["a", "b"], vec!["1", "2"]]);
        assert_eq!(texts("a,,\n"), vec![vec!["a", "", ""]]);
        assert_eq!(texts(",\n"), vec![vec!["", ""]]);
        assert_eq!(texts("\u{feff}x\n"), vec![vec!["x"]]);
        assert_eq!(texts("x y\"z\n"), vec![vec!["x y\"z"]]);
    }

    #[test]
    fn blank_lines_are_skipped_but_counted() {
        let r = read("a\n\n\nb\n", b',').unwrap();
        assert_eq!(r.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![1, 4]);
    }

    #[test]
    fn quoted_fields() {
        let r = read("\"a,b\",\"say \"\"hi\"\"\",\"\"\n\"two\nlines\",x\nlast,\"\"\n", b',').unwrap();
        assert_eq!(r[0].0, 1);
        assert_eq!(
            r[0].1,
            vec![
                ("a,b".to_string(), true),
                ("say \"hi\"".to_string(), true),
                ("".to_string(), true)
            ]
        );
        assert_eq!(r[1].0, 2);
        assert_eq!(r[1].1, vec![("two\nlines".to_string(), true), ("x".to_string(), false)]);
        assert_eq!(r[2].0, 4);
        assert_eq!(r[2].1[1], ("".to_string(), true));
    }

    #[test]
    fn other_terminators() {
        let r = read("a;b\t;c\n", b';').unwrap();
        assert_eq!(r[0].1.len(), 3);
        let r = read("a\tb\n", b'\t').unwrap();
        assert_eq!(r[0].1.len(), 2);
    }

    #[test]
    fn bad_quoting_is_reported_with_its_line() {
        let e = read("a\n\"x\"y,z\n", b',').unwrap_err();
        assert!(e.starts_with("line 2: bad quoting in field 1"), "{e}");
        let e = read("a\nb,\"open\nstill\n", b',').unwrap_err();
        assert!(
            e.starts_with("line 2: field 2 opens a quote that is never closed"),
            "{e}"
        );
    }
}
