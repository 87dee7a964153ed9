//! Splitting a script into statements at `;`.
//!
//! A `;` separates statements except inside a string (`'...'` or `"..."`,
//! with backslash escapes), a backtick-quoted name (`` `...` ``), a line
//! comment (`//` to the end of the line) or a block comment (`/* ... */`).
//! Statements holding nothing but whitespace and comments are skipped, and a
//! last statement without `;` still counts once the input ends.
//!
//! [`split`] splits a whole text; [`Splitter`] takes the text piece by piece
//! (say, line by line from a pipe or a prompt) and hands out each statement as
//! soon as its `;` arrives.
//!
//! ```
//! use quiver::script::{split, Splitter};
//!
//! let stmts = split("CREATE (:A {s: 'a;b'});\n// done?\nMATCH (n) RETURN n");
//! assert_eq!(stmts.len(), 2);
//! assert_eq!(stmts[0].text, "CREATE (:A {s: 'a;b'})");
//! assert_eq!((stmts[1].line, stmts[1].column), (3, 1));
//!
//! let mut s = Splitter::new();
//! assert!(s.push("MATCH (n)\n").is_empty());
//! let done = s.push("RETURN n; RETURN 1;\n");
//! assert_eq!(done.len(), 2);
//! assert!(s.finish().is_none());
//! ```

/// One statement of a script, without its `;` and without the whitespace and
/// comments around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub text: String,
    /// Byte offset of the statement's first character in the whole input.
    pub offset: usize,
    /// 1-based line of the statement's first character in the whole input.
    pub line: usize,
    /// 1-based column (in characters) of the statement's first character.
    pub column: usize,
}

/// Splits a whole script into its statements.
pub fn split(text: &str) -> Vec<Statement> {
    let mut s = Splitter::new();
    let mut out = s.push(text);
    out.extend(s.finish());
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Normal,
    /// Saw `/` in normal text: a comment may start.
    Slash,
    SingleQuote {
        escaped: bool,
    },
    DoubleQuote {
        escaped: bool,
    },
    Backtick,
    LineComment,
    BlockComment {
        star: bool,
    },
}

/// A place in the input: index into the buffer, plus its line and column.
#[derive(Clone, Copy, Debug)]
struct Mark {
    idx: usize,
    line: usize,
    column: usize,
}

/// An incremental splitter: feed it text with [`Splitter::push`], get back
/// the statements completed by that text.
#[derive(Clone, Debug)]
pub struct Splitter {
    /// Text not yet handed out (starts right after the last `;`).
    buf: String,
    /// Byte offset of `buf[0]` in the whole input.
    base: usize,
    state: State,
    /// Where the `/` of [`State::Slash`] is.
    slash: Option<Mark>,
    /// The first character of the pending statement that is not whitespace or comment.
    content: Option<Mark>,
    /// Line and column of the next character to come.
    line: usize,
    column: usize,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter::new()
    }
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter {
            buf: String::new(),
            base: 0,
            state: State::Normal,
            slash: None,
            content: None,
            line: 1,
            column: 1,
        }
    }

    /// Adds `chunk` to the input; returns the statements it completed, in order.
    pub fn push(&mut self, chunk: &str) -> Vec<Statement> {
        let start = self.buf.len();
        self.buf.push_str(chunk);
        let mut out = Vec::new();
        let mut cut = 0;
        // Iterate by index so we can slice `buf` when a statement ends.
        let mut i = start;
        while i < self.buf.len() {
            let c = self.buf[i..].chars().next().expect("in bounds");
            let here = Mark {
                idx: i,
                line: self.line,
                column: self.column,
            };
            if self.step(c, here) {
                if let Some(stmt) = self.take(i) {
                    out.push(stmt);
                }
                cut = i + 1;
            }
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
            i += c.len_utf8();
        }
        if cut > 0 {
            self.buf.drain(..cut);
            self.base += cut;
            for m in [&mut self.slash, &mut self.content].into_iter().flatten() {
                m.idx -= cut;
            }
        }
        out
    }

    /// Ends the input: returns the last statement if it had no `;`.
    /// The splitter is then empty and can be used again (offsets go on).
    pub fn finish(&mut self) -> Option<Statement> {
        if let (State::Slash, Some(m)) = (self.state, self.slash) {
            self.content.get_or_insert(m);
        }
        let end = self.buf.len();
        let stmt = self.take(end);
        self.base += end;
        self.buf.clear();
        stmt
    }

    /// Forgets the pending text (as Ctrl-C at a prompt does). Offsets go on.
    pub fn clear(&mut self) {
        self.base += self.buf.len();
        self.buf.clear();
        self.state = State::Normal;
        self.slash = None;
        self.content = None;
    }

    /// Whether a statement has begun and not yet ended: some text other than
    /// whitespace and comments is pending, or a comment or string is open.
    pub fn in_statement(&self) -> bool {
        self.content.is_some() || !matches!(self.state, State::Normal)
    }

    /// The text received since the last statement ended.
    pub fn pending(&self) -> &str {
        &self.buf
    }

    /// Advances the state by one character; true when it is a separating `;`.
    fn step(&mut self, c: char, here: Mark) -> bool {
        match self.state {
            State::Normal => return self.normal(c, here),
            State::Slash => {
                match c {
                    '/' => self.state = State::LineComment,
                    '*' => self.state = State::BlockComment { star: false },
                    _ => {
                        let slash = self.slash.expect("slash state has a mark");
                        self.content.get_or_insert(slash);
                        self.state = State::Normal;
                        self.slash = None;
                        return self.normal(c, here);
                    }
                }
                self.slash = None;
            }
            State::SingleQuote { escaped } => {
                self.state = match (escaped, c) {
                    (true, _) => State::SingleQuote { escaped: false },
                    (false, '\\') => State::SingleQuote { escaped: true },
                    (false, '\'') => State::Normal,
                    (false, _) => State::SingleQuote { escaped: false },
                }
            }
            State::DoubleQuote { escaped } => {
                self.state = match (escaped, c) {
                    (true, _) => State::DoubleQuote { escaped: false },
                    (false, '\\') => State::DoubleQuote { escaped: true },
                    (false, '"') => State::Normal,
                    (false, _) => State::DoubleQuote { escaped: false },
                }
            }
            State::Backtick => {
                if c == '`' {
                    self.state = State::Normal;
                }
            }
            State::LineComment => {
                if c == '\n' {
                    self.state = State::Normal;
                }
            }
            State::BlockComment { star } => {
                self.state = match (star, c) {
                    (true, '/') => State::Normal,
                    (_, '*') => State::BlockComment { star: true },
                    _ => State::BlockComment { star: false },
                }
            }
        }
        false
    }

    fn normal(&mut self, c: char, here: Mark) -> bool {
        match c {
            ';' => return true,
            '/' => {
                self.state = State::Slash;
                self.slash = Some(here);
                return false;
            }
            '\'' => self.state = State::SingleQuote { escaped: false },
            '"' => self.state = State::DoubleQuote { escaped: false },
            '`' => self.state = State::Backtick,
            c if c.is_whitespace() => return false,
            _ => {}
        }
        self.content.get_or_insert(here);
        false
    }

    /// The statement ending at `buf[end]` (exclusive), if it has content; resets
    /// the per-statement state.
    fn take(&mut self, end: usize) -> Option<Statement> {
        let content = self.content.take();
        self.state = State::Normal;
        self.slash = None;
        let m = content?;
        let text = self.buf[m.idx..end].trim_end();
        Some(Statement {
            text: text.to_string(),
            offset: self.base + m.idx,
            line: m.line,
            column: m.column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Position;
    use proptest::prelude::*;

    fn texts(s: &str) -> Vec<String> {
        split(s).into_iter().map(|s| s.text).collect()
    }

    #[test]
    fn splits_at_semicolons() {
        assert_eq!(
            texts("RETURN 1; RETURN 2;RETURN 3"),
            ["RETURN 1", "RETURN 2", "RETURN 3"]
        );
        assert_eq!(texts("RETURN 1;"), ["RETURN 1"]);
        assert_eq!(texts(""), Vec::<String>::new());
    }

    #[test]
    fn quoted_semicolons_do_not_split() {
        assert_eq!(texts("RETURN 'a;b'; RETURN 2"), ["RETURN 'a;b'", "RETURN 2"]);
        assert_eq!(texts(r#"RETURN "a;\";b";"#), [r#"RETURN "a;\";b""#]);
        assert_eq!(texts(r"RETURN 'it\'s;' ; x"), [r"RETURN 'it\'s;'", "x"]);
        assert_eq!(texts(r"RETURN '\\'; x"), [r"RETURN '\\'", "x"]);
        assert_eq!(texts("MATCH (`a;b`) RETURN 1; x"), ["MATCH (`a;b`) RETURN 1", "x"]);
        assert_eq!(texts("RETURN 1 AS `a``;`; x"), ["RETURN 1 AS `a``;`", "x"]);
        assert_eq!(texts("RETURN 'a\"b;'; x"), ["RETURN 'a\"b;'", "x"]);
    }

    #[test]
    fn comments_do_not_split() {
        assert_eq!(
            texts("RETURN 1 // no; split\n+ 1; x"),
            ["RETURN 1 // no; split\n+ 1", "x"]
        );
        assert_eq!(texts("RETURN /* ; */ 1; x"), ["RETURN /* ; */ 1", "x"]);
        assert_eq!(texts("RETURN /*/ ; */ 1; x"), ["RETURN /*/ ; */ 1", "x"]);
        assert_eq!(texts("RETURN /** ; **/ 1; x"), ["RETURN /** ; **/ 1", "x"]);
        assert_eq!(texts("RETURN 4 / 2; x"), ["RETURN 4 / 2", "x"]);
        assert_eq!(texts("RETURN 4 /2"), ["RETURN 4 /2"]);
        assert_eq!(texts("/"), ["/"]);
    }

    #[test]
    fn skips_empty_statements() {
        assert_eq!(texts(";;  ;\n; // c ;\n /* ; */ ;"), Vec::<String>::new());
        assert_eq!(texts("// only a comment"), Vec::<String>::new());
        assert_eq!(texts("RETURN 1;;\n\n;RETURN 2;  \n  "), ["RETURN 1", "RETURN 2"]);
    }

    #[test]
    fn statements_start_at_their_first_token() {
        let s = split("// header\nCREATE ();\n\n  /* c */ MATCH (n)\n  RETURN n ;");
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].column, s[0].offset), (2, 1, 10));
        assert_eq!(s[1].text, "MATCH (n)\n  RETURN n");
        assert_eq!((s[1].line, s[1].column), (4, 11));
        let s = split("RETURN 1; RETURN 'é'; /x");
        assert_eq!((s[1].line, s[1].column, s[1].offset), (1, 11, 10));
        assert_eq!((s[2].column, s[2].offset, s[2].text.as_str()), (23, 23, "/x"));
    }

    #[test]
    fn an_unterminated_statement_runs_at_the_end() {
        assert_eq!(texts("RETURN 'open;"), ["RETURN 'open;"]);
        assert_eq!(texts("RETURN 1 /* open ;"), ["RETURN 1 /* open ;"]);
    }

    #[test]
    fn incremental_hands_out_statements_as_they_end() {
        let mut s = Splitter::new();
        assert!(!s.in_statement());
        assert!(s.push("MATCH (n)\n").is_empty());
        assert!(s.in_statement());
        let done = s.push("RETURN n; RETURN 'a\n");
        assert_eq!(done.len(), 1);
        assert_eq!(done[0].text, "MATCH (n)\nRETURN n");
        assert!(s.in_statement());
        let done = s.push("b';\n");
        assert_eq!(done[0].text, "RETURN 'a\nb'");
        assert_eq!((done[0].line, done[0].column), (2, 11));
        assert!(!s.in_statement());
        assert!(s.push("/* open\n").is_empty());
        assert!(s.in_statement(), "an open comment continues");
        assert!(s.push("*/\n").is_empty());
        assert!(!s.in_statement());
        assert!(s.push("RETURN 3").is_empty());
        let last = s.finish().unwrap();
        assert_eq!((last.text.as_str(), last.line), ("RETURN 3", 6));
        assert!(s.finish().is_none());
    }

    #[test]
    fn clear_forgets_pending_text() {
        let mut s = Splitter::new();
        s.push("RETURN 'oops\n");
        assert!(s.in_statement());
        s.clear();
        assert!(!s.in_statement());
        assert_eq!(s.pending(), "");
        let done = s.push("RETURN 1;");
        assert_eq!(done[0].text, "RETURN 1");
        assert_eq!(done[0].line, 2);
    }

    /// Pieces scripts are made of, chosen to hit every state.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(";".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("/".to_string()),
            Just("*".to_string()),
            Just("'".to_string()),
            Just("\"".to_string()),
            Just("`".to_string()),
            Just("\\".to_string()),
            Just("//".to_string()),
            Just("/*".to_string()),
            Just("*/".to_string()),
            Just("é".to_string()),
            "[a-zA-Z0-9(){}:.,]{1,4}",
        ]
    }

    fn script() -> impl Strategy<Value = String> {
        prop::collection::vec(piece(), 0..40).prop_map(|v| v.concat())
    }

    /// A statement whose quotes are all closed (they may hold `;`).
    fn statement() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            "[a-zA-Z0-9 ()]{1,4}",
            "'[a-z;\" ]{0,3}'",
            "\"[a-z;' ]{0,3}\"",
            "`[a-z; ]{0,3}`",
        ];
        prop::collection::vec(token, 0..5).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn chunking_does_not_matter(text in script(), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6)) {
            let whole = split(&text);
            let mut points: Vec<usize> = cuts.iter().map(|i| i.index(text.len() + 1)).filter(|&p| text.is_char_boundary(p)).collect();
            points.sort();
            points.dedup();
            let mut s = Splitter::new();
            let mut got = Vec::new();
            let mut prev = 0;
            for p in points.into_iter().chain([text.len()]) {
                got.extend(s.push(&text[prev..p]));
                prev = p;
            }
            got.extend(s.finish());
            prop_assert_eq!(got, whole);
        }

        #[test]
        fn statements_are_slices_of_the_text(text in script()) {
            for st in split(&text) {
                prop_assert!(!st.text.is_empty());
                prop_assert!(!st.text.starts_with(char::is_whitespace));
                prop_assert!(!st.text.ends_with(char::is_whitespace));
                prop_assert_eq!(&text[st.offset..st.offset + st.text.len()], st.text.as_str());
                let p = Position::locate(&text, st.offset);
                prop_assert_eq!((p.line, p.column), (st.line, st.column));
            }
        }

        #[test]
        fn plain_statements_come_back(stmts in prop::collection::vec(statement(), 0..8)) {
            let text = stmts.join(";\n");
            let expected: Vec<String> = stmts.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            prop_assert_eq!(texts(&text), expected);
        }

        #[test]
        fn separators_outside_quotes_always_split(a in "[a-z ]{0,8}", b in "[a-z ]{0,8}") {
            let text = format!("{a};{b}");
            let expected: Vec<String> = [a.trim(), b.trim()].iter().filter(|s| !s.is_empty()).map(|s| s.to_string()).collect();
            prop_assert_eq!(texts(&text), expected);
        }
    }
}
