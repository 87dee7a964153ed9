//! The interactive shell: a [`Session`] that takes lines and writes output
//! (testable without a terminal), and [`run`], which drives it from rustyline.

use std::borrow::Cow;
use std::env;
use std::path::{Path, PathBuf};

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use quiver::script::Splitter;
use quiver::value::format_key;
use quiver::{Database, Schema};

use crate::args::Format;
use crate::runner::{Engine, Origin, Runner};

pub const PROMPT: &str = "quiver> ";
pub const CONTINUATION: &str = "   ...> ";

/// Where the shell keeps its history: `$XDG_DATA_HOME/quiver/history` when
/// `XDG_DATA_HOME` is set, else `~/.quiver_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(dir) = env::var_os("XDG_DATA_HOME").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("quiver").join("history"));
    }
    env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".quiver_history"))
}

pub fn banner() -> String {
    format!(
        "quiver {}, a property-graph database. Type :help for help, :quit to leave.",
        env!("CARGO_PKG_VERSION")
    )
}

/// What the shell does after a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Continue,
    Quit,
}

/// The shell's state: the runner (graph, parameters, format) and the
/// statement being typed.
pub struct Session<E> {
    pub runner: Runner<E>,
    splitter: Splitter,
    history: Option<PathBuf>,
}

impl<E: Engine> Session<E> {
    pub fn new(runner: Runner<E>, history: Option<PathBuf>) -> Session<E> {
        Session {
            runner,
            splitter: Splitter::new(),
            history,
        }
    }

    /// `quiver> `, or `   ...> ` inside a statement.
    pub fn prompt(&self) -> &'static str {
        if self.in_statement() {
            CONTINUATION
        } else {
            PROMPT
        }
    }

    pub fn in_statement(&self) -> bool {
        self.splitter.in_statement()
    }

    /// Takes one line as typed: a `:command` (at the start of a statement),
    /// or text whose completed statements run at once.
    pub fn line(&mut self, line: &str) -> Step {
        if !self.in_statement() {
            let t = line.trim();
            if t.starts_with(':') {
                return self.command(t);
            }
        }
        for st in self.splitter.push(&format!("{line}\n")) {
            // Errors are reported; the shell goes on.
            let _ = self.runner.run_statement(&st, Origin::Command, false);
        }
        Step::Continue
    }

    /// Ctrl-C at the prompt: forget the statement being typed.
    pub fn cancel(&mut self) {
        self.splitter.clear();
    }

    fn command(&mut self, text: &str) -> Step {
        let (name, rest) = match text.find(char::is_whitespace) {
            Some(i) => (&text[..i], text[i..].trim()),
            None => (text, ""),
        };
        match name.to_ascii_lowercase().as_str() {
            ":quit" | ":exit" | ":q" => return Step::Quit,
            ":help" | ":h" | ":?" => {
                let help = self.help();
                self.runner.out(&help);
            }
            ":schema" => {
                let s = schema_text(&self.runner.db.schema());
                self.runner.out(&s);
            }
            ":param" => self.set_param(rest),
            ":params" => {
                let mut s = String::new();
                for (k, v) in &self.runner.params {
                    s.push_str(&format!("${} => {v}\n", format_key(k)));
                }
                if s.is_empty() {
                    s.push_str("(no parameters)\n");
                }
                self.runner.out(&s);
            }
            ":format" => match (rest, Format::parse(rest)) {
                ("", _) => {
                    let s = format!("format: {}\n", self.runner.format.name());
                    self.runner.out(&s);
                }
                (_, Some(f)) => {
                    self.runner.format = f;
                    self.runner.out(&format!("format: {}\n", f.name()));
                }
                (_, None) => self
                    .runner
                    .err(&format!("unknown format '{rest}': use table, csv or json\n")),
            },
            ":timing" => {
                self.runner.timing = !self.runner.timing;
                let s = if self.runner.timing {
                    "timing on\n"
                } else {
                    "timing off\n"
                };
                self.runner.out(s);
            }
            ":import" => match crate::args::parse_import_command(rest) {
                Ok(spec) => {
                    let _ = self.runner.run_import(&spec, false);
                }
                Err(m) => self.runner.err(&format!("{}\n{IMPORT_USAGE}\n", m.trim_end())),
            },
            ":begin" | ":commit" | ":rollback" | ":checkpoint" => {
                let _ = self.runner.run_command(text, Origin::Command, 1, false);
            }
            ":dump" => self.dump(unquote(rest)),
            ":read" => {
                let path = unquote(rest);
                if path.is_empty() {
                    self.runner.err("usage: :read FILE\n");
                } else {
                    let _ = self.runner.run_file(path, false);
                }
            }
            _ => self
                .runner
                .err(&format!("unknown command '{name}' (type :help for the list)\n")),
        }
        Step::Continue
    }

    /// `:dump [FILE]`: the graph as a Cypher script, to FILE or the screen.
    fn dump(&mut self, path: &str) {
        let mut text = Vec::new();
        if let Err(e) = self.runner.db.dump(&mut text) {
            self.runner.err(&format!("cannot dump: {e}\n"));
            return;
        }
        if path.is_empty() {
            self.runner.out(&String::from_utf8_lossy(&text));
            return;
        }
        match std::fs::write(path, &text) {
            Ok(()) => self.runner.out(&format!("dump written to {path}\n")),
            Err(e) => self.runner.err(&format!("cannot write {path}: {e}\n")),
        }
    }

    fn set_param(&mut self, rest: &str) {
        let Some((name, lit)) = rest.split_once("=>") else {
            self.runner
                .err("usage: :param NAME => VALUE   (for example :param name => 'Ada')\n");
            return;
        };
        let name = name.trim();
        let name = name.strip_prefix('$').unwrap_or(name);
        let name = match name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
            Some(q) => q.replace("``", "`"),
            None => name.to_string(),
        };
        if name.is_empty() || lit.trim().is_empty() {
            self.runner
                .err("usage: :param NAME => VALUE   (for example :param name => 'Ada')\n");
            return;
        }
        match self.runner.eval_literal(lit.trim()) {
            Ok(v) => {
                let s = format!("${} => {v}\n", format_key(&name));
                self.runner.params.insert(name, v);
                self.runner.out(&s);
            }
            Err(f) => self.runner.report(&f, Origin::Command, None),
        }
    }

    fn help(&self) -> String {
        let history = match &self.history {
            Some(p) => format!("History is kept in {}.\n", p.display()),
            None => "History is not kept (neither XDG_DATA_HOME nor HOME is set).\n".to_string(),
        };
        format!(
            "\
Type a statement ending with ';' to run it; it may span several lines.
Commands:
  :help                       this help
  :schema                     labels, relationship types and property keys, with counts
  :param NAME => VALUE        set parameter $NAME to a literal, e.g. :param name => 'Ada'
  :params                     list the parameters
  :format table|csv|json|dot  how results are written (now: {})
  :timing                     show or hide the elapsed time in table footers
  :read FILE                  run the statements of a script file
  :begin, :commit, :rollback  group statements into one transaction
  :checkpoint                 fold the database file's log into its snapshot
  :dump [FILE]                write the graph as a Cypher script (to FILE)
  :quit, :exit                leave (so does Ctrl-D)
Ctrl-C cancels a running statement, or clears the statement being typed.
Tab completes keywords, labels and relationship types (after ':') and
property keys (after '.').
{history}",
            self.runner.format.name()
        )
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|x| x.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// `:schema`'s text.
pub fn schema_text(s: &Schema) -> String {
    let mut out = String::new();
    let sections = [
        ("Labels", &s.labels),
        ("Relationship types", &s.relationship_types),
        ("Property keys", &s.property_keys),
    ];
    let width = sections
        .iter()
        .flat_map(|(_, items)| items.iter().map(|(n, _)| format_key(n).chars().count()))
        .max()
        .unwrap_or(0);
    for (title, items) in sections {
        out.push_str(&format!("{title}:\n"));
        if items.is_empty() {
            out.push_str("  (none)\n");
        }
        for (name, count) in items.iter() {
            out.push_str(&format!("  {:<width$}  {count}\n", format_key(name)));
        }
    }
    out
}

/// Words completed besides the reserved ones.
const MORE_KEYWORDS: &[&str] = &[
    "ANY",
    "ARRAY",
    "BOOLEAN",
    "BREAK",
    "BUILT",
    "COLLECT",
    "CONCURRENT",
    "CONSTRAINT",
    "CONSTRAINTS",
    "CONTINUE",
    "COUNT",
    "CSV",
    "DATE",
    "DEFINED",
    "DIFFERENT",
    "DROP",
    "DURATION",
    "ELEMENTS",
    "ERROR",
    "EXECUTABLE",
    "EXISTENCE",
    "EXPLAIN",
    "FAIL",
    "FIELDTERMINATOR",
    "FILTER",
    "FINISH",
    "FLOAT",
    "FOREACH",
    "FUNCTIONS",
    "GROUPS",
    "HEADERS",
    "INDEX",
    "INDEXES",
    "INTEGER",
    "KEY",
    "LET",
    "LIST",
    "LOAD",
    "LOCAL",
    "MAP",
    "NFC",
    "NFD",
    "NFKC",
    "NFKD",
    "NODE",
    "NORMALIZED",
    "NOTHING",
    "OPTIONS",
    "PATH",
    "PATHS",
    "PROCEDURES",
    "PROFILE",
    "PROPERTY",
    "RANGE",
    "RELATIONSHIP",
    "RELATIONSHIPS",
    "REPEATABLE",
    "REPORT",
    "REQUIRE",
    "ROWS",
    "SHORTEST",
    "SHOW",
    "STATUS",
    "STRING",
    "TEXT",
    "TRANSACTIONS",
    "TYPED",
    "UNIQUE",
    "USER",
    "VALUE",
    "ZONED",
];

const COMMANDS: &[&str] = &[
    ":help",
    ":schema",
    ":param",
    ":params",
    ":format",
    ":timing",
    ":read",
    ":import",
    ":begin",
    ":commit",
    ":rollback",
    ":checkpoint",
    ":dump",
    ":quit",
    ":exit",
];

const IMPORT_USAGE: &str = "usage: :import --nodes [LABELS=]FILE[,FILE...] ... [--relationships [TYPE=]FILE ...] \
                            [--delimiter C] [--array-delimiter C] [--id-type string|integer]";

/// Completions for `line` with the cursor at byte `pos`: where the replaced
/// word starts, and the candidates.
pub fn complete(line: &str, pos: usize, schema: &Schema, in_statement: bool) -> (usize, Vec<String>) {
    let before = &line[..pos];
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map_or(pos, |(i, _)| i);
    let word = &before[start..];
    let head = &before[..start];
    let prev = head.chars().last();
    let names = |items: &[(String, usize)]| -> Vec<String> {
        let mut v: Vec<String> = items
            .iter()
            .map(|(n, _)| n)
            .filter(|n| n.starts_with(word))
            .map(|n| format_key(n))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    // Inside a label or type expression (`:A|B`, `:!A`, `:(A&B)`) after an operator.
    let in_label_expr = matches!(prev, Some('|' | '&' | '!' | '(' | '%'))
        && head
            .trim_end_matches(|c: char| c.is_alphanumeric() || matches!(c, '_' | '|' | '&' | '!' | '(' | '%'))
            .ends_with(':')
        && !head.trim_start().starts_with(':');
    let prev = if in_label_expr { Some(':') } else { prev };
    match prev {
        Some(':') if !in_statement && head.trim_start() == ":" => {
            let lower = word.to_ascii_lowercase();
            let cands = COMMANDS
                .iter()
                .filter(|c| c[1..].starts_with(&lower))
                .map(|c| c.to_string())
                .collect();
            (start - 1, cands)
        }
        Some(':') => {
            if innermost_bracket(head) == Some('[') {
                (start, names(&schema.relationship_types))
            } else {
                (start, names(&schema.labels))
            }
        }
        Some('.') if !head[..head.len() - 1].ends_with(|c: char| c.is_ascii_digit()) => {
            (start, names(&schema.property_keys))
        }
        _ if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) => (start, Vec::new()),
        _ => {
            let upper = word.to_ascii_uppercase();
            let cands = quiver::parser::RESERVED
                .iter()
                .chain(MORE_KEYWORDS)
                .filter(|k| k.starts_with(&upper))
                .map(|k| {
                    if word.chars().all(|c| c.is_lowercase() || !c.is_alphabetic()) {
                        k.to_ascii_lowercase()
                    } else {
                        k.to_string()
                    }
                })
                .collect();
            (start, cands)
        }
    }
}

/// The innermost `(` or `[` still open in `text` (quotes not considered).
fn innermost_bracket(text: &str) -> Option<char> {
    let mut stack = Vec::new();
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.into_iter().rev().find(|c| *c != '{')
}

/// rustyline's helper: completion from the schema.
struct ShellHelper {
    schema: Schema,
    in_statement: bool,
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, cands) = complete(line, pos, &self.schema, self.in_statement);
        Ok((
            start,
            cands
                .into_iter()
                .map(|c| Pair {
                    display: c.clone(),
                    replacement: c,
                })
                .collect(),
        ))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;
}

impl Highlighter for ShellHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _default: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}

/// Runs the shell on the terminal until `:quit` or Ctrl-D; returns the exit status.
pub fn run(runner: Runner<Database>) -> i32 {
    let history = history_path();
    let mut session = Session::new(runner, history.clone());
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .build();
    let mut editor: Editor<ShellHelper, FileHistory> = match Editor::with_config(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("quiver: cannot start the interactive shell: {e}");
            return 1;
        }
    };
    // After the editor, whose terminal set-up takes over SIGINT.
    crate::install_interrupt_handler(session.runner.interrupt.clone(), session.runner.running.clone(), true);
    editor.set_helper(Some(ShellHelper {
        schema: session.runner.db.schema(),
        in_statement: false,
    }));
    if let Some(p) = &history {
        // A missing or unreadable history file just means no history.
        let _ = editor.load_history(p);
    }
    session.runner.out(&format!("{}\n", banner()));
    let mut history_ok = true;
    loop {
        if let Some(h) = editor.helper_mut() {
            h.in_statement = session.in_statement();
        }
        match editor.readline(session.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                    if let (Some(p), true) = (&history, history_ok) {
                        history_ok = save_history(&mut editor, p);
                    }
                }
                if session.line(&line) == Step::Quit {
                    break;
                }
                if let Some(h) = editor.helper_mut() {
                    h.schema = session.runner.db.schema();
                }
            }
            Err(ReadlineError::Interrupted) => session.cancel(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                session.runner.err(&format!("quiver: cannot read the terminal: {e}\n"));
                return 1;
            }
        }
    }
    if session.runner.db.in_transaction() {
        let _ = session.runner.db.rollback();
        session
            .runner
            .err("quiver: the open transaction was rolled back (:commit makes it stick)\n");
    }
    0
}

/// Appends the new history entries to the file; false (after one warning) when it cannot.
fn save_history(editor: &mut Editor<ShellHelper, FileHistory>, path: &Path) -> bool {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match editor.append_history(path) {
        Ok(()) => true,
        Err(e) => {
            eprintln!(
                "quiver: cannot write history to {}: {e} (history will not be kept)",
                path.display()
            );
            false
        }
    }
}
