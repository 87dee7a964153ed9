//! A small Gherkin reader, enough for the openCypher TCK feature files:
//! Feature, Background, Scenario, Scenario Outline + Examples, tags, doc
//! strings and data tables. Each row of an outline's Examples becomes one
//! scenario with its `<placeholders>` substituted.

use std::collections::HashMap;

#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// Path relative to the kit's `features/` folder, `/`-separated.
    pub path: String,
    pub name: String,
    pub scenarios: Vec<Scenario>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// The name as written (placeholders not substituted).
    pub name: String,
    /// Line of the `Scenario:` / `Scenario Outline:` keyword (1-based).
    pub line: usize,
    /// Feature, scenario and (for outline rows) examples tags, with the `@`.
    pub tags: Vec<String>,
    /// Background steps first, then the scenario's own.
    pub steps: Vec<Step>,
    /// For an outline: the 1-based row index across all its Examples tables.
    pub outline_row: Option<usize>,
    /// For an outline: the line of the Examples row.
    pub row_line: Option<usize>,
    /// 1-based position of the scenario (or outline) among the file's.
    pub ordinal: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// `Given`, `When`, `Then`, `And`, `But` or `*`.
    pub keyword: String,
    /// The text after the keyword.
    pub text: String,
    pub line: usize,
    pub doc_string: Option<String>,
    pub table: Option<Vec<Vec<String>>>,
}

impl Scenario {
    pub fn is_ignored(&self) -> bool {
        self.tags.iter().any(|t| t == "@ignore")
    }

    /// `[3]` when the name starts with a bracketed number, else `#<ordinal>`.
    pub fn label(&self) -> String {
        let name = self.name.trim_start();
        if let Some(rest) = name.strip_prefix('[') {
            if let Some(end) = rest.find(']') {
                let num = &rest[..end];
                if !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()) {
                    return format!("[{num}]");
                }
            }
        }
        format!("#{}", self.ordinal)
    }
}

/// The stable ID of a scenario: `clauses/match/Match1.feature [3]`, plus the
/// outline row index for outline rows: `... [3] 2`.
pub fn scenario_id(feature_path: &str, sc: &Scenario) -> String {
    match sc.outline_row {
        Some(row) => format!("{feature_path} {} {row}", sc.label()),
        None => format!("{feature_path} {}", sc.label()),
    }
}

#[derive(Default)]
struct Examples {
    tags: Vec<String>,
    header: Option<Vec<String>>,
    rows: Vec<(usize, Vec<String>)>,
}

enum Block {
    Background(Vec<Step>),
    Scenario {
        name: String,
        line: usize,
        tags: Vec<String>,
        steps: Vec<Step>,
        outline: bool,
        examples: Vec<Examples>,
        ordinal: usize,
    },
}

#[derive(Clone, Copy, PartialEq)]
enum TableTarget {
    None,
    Step,
    Examples,
}

const STEP_KEYWORDS: [&str; 6] = ["Given ", "When ", "Then ", "And ", "But ", "* "];

fn keyword_rest<'a>(line: &'a str, keywords: &[&str]) -> Option<&'a str> {
    for k in keywords {
        if let Some(rest) = line.strip_prefix(k) {
            if let Some(rest) = rest.trim_start().strip_prefix(':') {
                return Some(rest.trim());
            }
        }
    }
    None
}

/// Splits a table row into cells, undoing Gherkin's escapes (`\|`, `\\`, `\n`);
/// other backslashes are kept as written.
pub fn parse_table_row(line: &str) -> Vec<String> {
    let line = line.trim();
    let body = line.strip_prefix('|').unwrap_or(line);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some('|') => {
                    cell.push('|');
                    chars.next();
                }
                Some('\\') => {
                    cell.push('\\');
                    chars.next();
                }
                Some('n') => {
                    cell.push('\n');
                    chars.next();
                }
                _ => cell.push('\\'),
            },
            '|' => {
                cells.push(cell.trim().to_string());
                cell.clear();
            }
            c => cell.push(c),
        }
    }
    // Whatever follows the last `|` is not a cell.
    cells
}

/// Replaces `<name>` by the row's value for each header `name`, in one pass.
pub fn substitute(text: &str, values: &HashMap<&str, &str>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('>') {
            Some(end) if values.contains_key(&after[..end]) => {
                out.push_str(values[&after[..end]]);
                rest = &after[end + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn substitute_step(step: &Step, values: &HashMap<&str, &str>) -> Step {
    Step {
        keyword: step.keyword.clone(),
        text: substitute(&step.text, values),
        line: step.line,
        doc_string: step.doc_string.as_ref().map(|d| substitute(d, values)),
        table: step.table.as_ref().map(|t| {
            t.iter()
                .map(|row| row.iter().map(|c| substitute(c, values)).collect())
                .collect()
        }),
    }
}

/// Parses one feature file; `path` is how the feature is named in reports.
pub fn parse_feature(path: &str, text: &str) -> Result<Feature, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut feature_name = None;
    let mut feature_tags: Vec<String> = Vec::new();
    let mut pending_tags: Vec<String> = Vec::new();
    let mut background: Vec<Step> = Vec::new();
    let mut block: Option<Block> = None;
    let mut scenarios = Vec::new();
    let mut ordinal = 0;
    let mut target = TableTarget::None;
    let err = |line: usize, msg: &str| format!("{path}:{line}: {msg}");

    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i].trim_end_matches('\r');
        let lineno = i + 1;
        i += 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            let tags = line.split('#').next().unwrap_or("");
            pending_tags.extend(tags.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(name) = keyword_rest(line, &["Feature"]) {
            feature_name = Some(name.to_string());
            feature_tags = std::mem::take(&mut pending_tags);
            continue;
        }
        if keyword_rest(line, &["Background"]).is_some() {
            finish(block.take(), &mut background, &mut scenarios, &feature_tags, path)?;
            block = Some(Block::Background(Vec::new()));
            target = TableTarget::None;
            continue;
        }
        let outline = keyword_rest(line, &["Scenario Outline", "Scenario Template"]);
        let plain = keyword_rest(line, &["Scenario", "Example"]);
        if let Some((name, outline)) = outline.map(|n| (n, true)).or(plain.map(|n| (n, false))) {
            finish(block.take(), &mut background, &mut scenarios, &feature_tags, path)?;
            ordinal += 1;
            block = Some(Block::Scenario {
                name: name.to_string(),
                line: lineno,
                tags: std::mem::take(&mut pending_tags),
                steps: Vec::new(),
                outline,
                examples: Vec::new(),
                ordinal,
            });
            target = TableTarget::None;
            continue;
        }
        if keyword_rest(line, &["Examples", "Scenarios"]).is_some() {
            match &mut block {
                Some(Block::Scenario {
                    outline: true,
                    examples,
                    ..
                }) => {
                    examples.push(Examples {
                        tags: std::mem::take(&mut pending_tags),
                        ..Default::default()
                    });
                    target = TableTarget::Examples;
                }
                _ => return Err(err(lineno, "Examples outside a Scenario Outline")),
            }
            continue;
        }
        if keyword_rest(line, &["Rule"]).is_some() {
            continue;
        }
        if let Some(k) = STEP_KEYWORDS
            .iter()
            .find(|k| line.starts_with(*k) || line == k.trim_end())
        {
            let step = Step {
                keyword: k.trim_end().to_string(),
                text: line[k.trim_end().len()..].trim().to_string(),
                line: lineno,
                doc_string: None,
                table: None,
            };
            match &mut block {
                Some(Block::Background(steps)) | Some(Block::Scenario { steps, .. }) => steps.push(step),
                None => return Err(err(lineno, "step outside a scenario")),
            }
            target = TableTarget::Step;
            continue;
        }
        if line.starts_with("\"\"\"") || line.starts_with("```") {
            let delim = &line[..3];
            let indent = raw.chars().take_while(|c| c.is_whitespace()).count();
            let mut content = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i].trim_end_matches('\r');
                i += 1;
                if l.trim() == delim {
                    closed = true;
                    break;
                }
                // Remove up to the delimiter's indentation.
                let mut stripped = l;
                for _ in 0..indent {
                    match stripped.chars().next() {
                        Some(c) if c.is_whitespace() => stripped = &stripped[c.len_utf8()..],
                        _ => break,
                    }
                }
                content.push(stripped.replace(&format!("\\{}", &delim[..1]).repeat(3), delim));
            }
            if !closed {
                return Err(err(lineno, "unterminated doc string"));
            }
            let step = last_step(&mut block).ok_or_else(|| err(lineno, "doc string without a step"))?;
            step.doc_string = Some(content.join("\n"));
            continue;
        }
        if line.starts_with('|') {
            let cells = parse_table_row(line);
            match target {
                TableTarget::Step => {
                    let step = last_step(&mut block).ok_or_else(|| err(lineno, "table without a step"))?;
                    step.table.get_or_insert_with(Vec::new).push(cells);
                }
                TableTarget::Examples => {
                    if let Some(Block::Scenario { examples, .. }) = &mut block {
                        let ex = examples.last_mut().expect("examples pushed above");
                        if ex.header.is_none() {
                            ex.header = Some(cells);
                        } else {
                            ex.rows.push((lineno, cells));
                        }
                    }
                }
                TableTarget::None => return Err(err(lineno, "table without a step")),
            }
            continue;
        }
        // Free-form description text.
    }
    finish(block.take(), &mut background, &mut scenarios, &feature_tags, path)?;
    Ok(Feature {
        path: path.to_string(),
        name: feature_name.unwrap_or_default(),
        scenarios,
    })
}

fn last_step(block: &mut Option<Block>) -> Option<&mut Step> {
    match block {
        Some(Block::Background(steps)) | Some(Block::Scenario { steps, .. }) => steps.last_mut(),
        None => None,
    }
}

fn finish(
    block: Option<Block>,
    background: &mut Vec<Step>,
    out: &mut Vec<Scenario>,
    feature_tags: &[String],
    path: &str,
) -> Result<(), String> {
    let Some(block) = block else { return Ok(()) };
    match block {
        Block::Background(steps) => *background = steps,
        Block::Scenario {
            name,
            line,
            tags,
            steps,
            outline,
            examples,
            ordinal,
        } => {
            let mut all_tags: Vec<String> = feature_tags.to_vec();
            all_tags.extend(tags);
            let mut full_steps = background.clone();
            if !outline {
                full_steps.extend(steps);
                out.push(Scenario {
                    name,
                    line,
                    tags: all_tags,
                    steps: full_steps,
                    outline_row: None,
                    row_line: None,
                    ordinal,
                });
                return Ok(());
            }
            let mut row_index = 0;
            for ex in examples {
                let Some(header) = &ex.header else { continue };
                for (row_line, row) in &ex.rows {
                    if row.len() != header.len() {
                        return Err(format!(
                            "{path}:{row_line}: Examples row has {} cells, header {}",
                            row.len(),
                            header.len()
                        ));
                    }
                    row_index += 1;
                    let values: HashMap<&str, &str> = header
                        .iter()
                        .map(String::as_str)
                        .zip(row.iter().map(String::as_str))
                        .collect();
                    let mut steps_row = background.clone();
                    steps_row.extend(steps.iter().map(|s| substitute_step(s, &values)));
                    let mut t = all_tags.clone();
                    t.extend(ex.tags.iter().cloned());
                    out.push(Scenario {
                        name: name.clone(),
                        line,
                        tags: t,
                        steps: steps_row,
                        outline_row: Some(row_index),
                        row_line: Some(*row_line),
                        ordinal,
                    });
                }
            }
        }
    }
    Ok(())
}
