//! The README's tour runs: each ```cypher block followed by a ```text block
//! is a statement and what quiver prints for it, on the bundled event graph
//! after the tour's earlier statements. Only elapsed milliseconds may differ.

use std::process::Command;

fn normalise(text: &str) -> String {
    let ms = regex::Regex::new(r"\b\d+ ms\b").expect("a valid regex");
    ms.replace_all(text.trim_end(), "N ms").to_string()
}

/// `(statement, expected output)` pairs in README order.
fn examples(readme: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending: Option<String> = None;
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_end();
        if fence != "```cypher" && fence != "```text" {
            // Only blank lines may stand between a statement and its output.
            if !line.trim().is_empty() {
                pending = None;
            }
            continue;
        }
        let mut body = Vec::new();
        for l in lines.by_ref() {
            if l.trim_end() == "```" {
                break;
            }
            body.push(l);
        }
        let body = body.join("\n");
        if fence == "```cypher" {
            pending = Some(body);
        } else if let Some(q) = pending.take() {
            out.push((q, body));
        }
    }
    out
}

#[test]
fn the_tour_prints_what_the_readme_shows() {
    // The repository's root (this crate lives in `cli/`).
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    let examples = examples(&readme);
    assert!(examples.len() >= 12, "the tour has {} examples", examples.len());
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut done: Vec<String> = Vec::new();
    for (query, expected) in &examples {
        let before = dir.path().join("before.cypher");
        std::fs::write(&before, done.iter().map(|q| format!("{q};\n")).collect::<String>()).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_quiver"))
            .current_dir(root)
            .args(["--load", "fixtures/gaza_isf.cypher", "--load"])
            .arg(&before)
            .args(["-c", query])
            .output()
            .expect("quiver runs");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(normalise(&printed), normalise(expected), "README example:\n{query}");
        if out.status.success() {
            done.push(query.clone());
        }
    }
}
