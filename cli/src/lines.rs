//! Scripts with `:commands`: a line whose first non-blank character is `:`,
//! outside any statement, is a command (`:begin`, `:commit`, `:rollback`,
//! `:checkpoint`, `:import`); everything else is split into `;`-separated statements.
//! Text is taken piece by piece, and a statement is handed out as soon as
//! its `;` arrives; a command once its line ends (or the input does).

use quiver::script::{Splitter, Statement};

/// A statement or a command, in input order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Statement(Statement),
    /// The command's text (trimmed) and its 1-based line.
    Command(String, usize),
}

#[derive(Clone, Debug)]
pub struct Lines {
    splitter: Splitter,
    /// At the start of a line outside a statement: the line so far (blanks,
    /// or a command being read) is held until it is known to be a command.
    deciding: bool,
    held: String,
    held_is_command: bool,
    /// 1-based line of the next character.
    line: usize,
}

impl Default for Lines {
    fn default() -> Self {
        Lines::new()
    }
}

impl Lines {
    pub fn new() -> Lines {
        Lines {
            splitter: Splitter::new(),
            deciding: true,
            held: String::new(),
            held_is_command: false,
            line: 1,
        }
    }

    fn normal(&mut self, text: &str, out: &mut Vec<Item>) {
        self.line += text.matches('\n').count();
        out.extend(self.splitter.push(text).into_iter().map(Item::Statement));
        if text.ends_with('\n') && !self.splitter.in_statement() {
            self.deciding = true;
        }
    }

    /// Takes the next piece of input; returns what it completed.
    pub fn push(&mut self, text: &str) -> Vec<Item> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if !self.deciding {
                match text[i..].find('\n') {
                    Some(nl) => {
                        self.normal(&text[i..=i + nl], &mut out);
                        i += nl + 1;
                    }
                    None => {
                        self.normal(&text[i..], &mut out);
                        i = text.len();
                    }
                }
                continue;
            }
            let mut decided = false;
            for (j, c) in text[i..].char_indices() {
                if self.held_is_command {
                    if c == '\n' {
                        self.held.push_str(&text[i..i + j]);
                        let command = std::mem::take(&mut self.held).trim().to_string();
                        // Keep the splitter's line count in step.
                        self.splitter.push("\n");
                        out.push(Item::Command(command, self.line));
                        self.line += 1;
                        self.held_is_command = false;
                        i += j + 1;
                        decided = true;
                        break;
                    }
                    continue;
                }
                match c {
                    ' ' | '\t' | '\r' => continue,
                    ':' => self.held_is_command = true,
                    _ => {
                        let mut text_now = std::mem::take(&mut self.held);
                        text_now.push_str(&text[i..i + j]);
                        self.deciding = false;
                        i += j;
                        let line = self.line;
                        self.line += text_now.matches('\n').count();
                        debug_assert_eq!(line, self.line);
                        out.extend(self.splitter.push(&text_now).into_iter().map(Item::Statement));
                        decided = true;
                        break;
                    }
                }
            }
            if !decided {
                self.held.push_str(&text[i..]);
                i = text.len();
            }
        }
        out
    }

    /// Ends the input.
    pub fn finish(&mut self) -> Vec<Item> {
        let mut out = Vec::new();
        if self.held_is_command {
            let command = std::mem::take(&mut self.held).trim().to_string();
            out.push(Item::Command(command, self.line));
            self.held_is_command = false;
        } else if !self.held.is_empty() {
            let held = std::mem::take(&mut self.held);
            out.extend(self.splitter.push(&held).into_iter().map(Item::Statement));
        }
        out.extend(self.splitter.finish().map(Item::Statement));
        self.deciding = true;
        out
    }
}

/// Splits a whole text.
pub fn split(text: &str) -> Vec<Item> {
    let mut l = Lines::new();
    let mut out = l.push(text);
    out.extend(l.finish());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(items: &[Item]) -> Vec<String> {
        items
            .iter()
            .map(|i| match i {
                Item::Statement(s) => format!("{}@{}", s.text, s.line),
                Item::Command(c, l) => format!("{c}#{l}"),
            })
            .collect()
    }

    #[test]
    fn commands_stand_on_their_own_lines() {
        let text = "CREATE (:A);\n  :begin\nCREATE (:B);\nMATCH (n)\n:not a command\n;\n:commit\nRETURN 1";
        assert_eq!(
            show(&split(text)),
            vec![
                "CREATE (:A)@1",
                ":begin#2",
                "CREATE (:B)@3",
                "MATCH (n)\n:not a command@4",
                ":commit#7",
                "RETURN 1@8"
            ]
        );
    }

    #[test]
    fn pieces_and_last_lines_without_newline() {
        let mut l = Lines::new();
        assert_eq!(show(&l.push("RETURN 1;")), vec!["RETURN 1@1"]);
        assert!(l.push("\n  :beg").is_empty());
        assert_eq!(show(&l.push("in\nRETURN 2; RET")), vec![":begin#2", "RETURN 2@3"]);
        assert!(l.push("URN 3;").len() == 1);
        assert_eq!(show(&l.push("\n:commit")), Vec::<String>::new());
        assert_eq!(show(&l.finish()), vec![":commit#4"]);
    }
}
