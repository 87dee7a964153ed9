//! The ratchet: `tests/tck/passing.txt` lists the IDs of scenarios known to
//! pass. A listed scenario that fails is a regression and fails the run.

use std::collections::BTreeSet;
use std::path::Path;

pub fn read(path: &Path) -> Result<BTreeSet<String>, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeSet::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// One ID a line; blank lines and `#` comments are ignored.
pub fn parse(text: &str) -> BTreeSet<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

pub fn render<'a>(ids: impl IntoIterator<Item = &'a String>) -> String {
    let sorted: BTreeSet<&String> = ids.into_iter().collect();
    let mut out = String::new();
    for id in sorted {
        out.push_str(id);
        out.push('\n');
    }
    out
}

pub fn write(path: &Path, ids: &BTreeSet<String>) -> Result<(), String> {
    std::fs::write(path, render(ids)).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
