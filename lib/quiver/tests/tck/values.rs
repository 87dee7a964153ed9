//! The TCK's value syntax, as written in result tables, parameters and
//! procedure tables: `null`, `true`, `1`, `1.5e3`, `NaN`, `'text'`, `[1, 2]`,
//! `{k: 1}`, nodes `(:A:B {k: 1})`, relationships `[:T {k: 1}]` and paths
//! `<(:A)-[:T]->(:B)<-[:U]-()>`.

use std::collections::BTreeMap;
use std::sync::Arc;

use quiver::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Expected>),
    /// Keys in the order written.
    Map(Vec<(String, Expected)>),
    Node(NodePattern),
    Rel(RelPattern),
    Path(PathPattern),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub labels: Vec<String>,
    pub props: Vec<(String, Expected)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub rel_type: String,
    pub props: Vec<(String, Expected)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PathPattern {
    pub start: NodePattern,
    /// Each hop: the relationship, whether it points forward (`-[]->`), the next node.
    pub hops: Vec<(RelPattern, bool, NodePattern)>,
}

/// Parses a whole cell (surrounding whitespace allowed).
pub fn parse_value(text: &str) -> Result<Expected, String> {
    let mut p = Parser { s: text, pos: 0 };
    let v = p.value().map_err(|e| format!("cannot parse value `{text}`: {e}"))?;
    p.ws();
    if p.pos != text.len() {
        return Err(format!("cannot parse value `{text}`: unexpected `{}`", &text[p.pos..]));
    }
    Ok(v)
}

impl Expected {
    /// The value this literal denotes, when it holds no graph entity.
    pub fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            Expected::Null => Value::Null,
            Expected::Bool(b) => Value::Bool(*b),
            Expected::Int(i) => Value::Int(*i),
            Expected::Float(f) => Value::Float(*f),
            Expected::String(s) => Value::String(Arc::from(s.as_str())),
            Expected::List(items) => Value::list(items.iter().map(Expected::to_value).collect::<Result<_, _>>()?),
            Expected::Map(entries) => {
                let mut m = BTreeMap::new();
                for (k, v) in entries {
                    m.insert(Arc::from(k.as_str()), v.to_value()?);
                }
                Value::map(m)
            }
            Expected::Node(_) | Expected::Rel(_) | Expected::Path(_) => {
                return Err("a node, relationship or path cannot be given as a value".into())
            }
        })
    }
}

struct Parser<'a> {
    s: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.s[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.s.len() - trimmed.len();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.ws();
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected `{token}` at `{}`", self.rest()))
        }
    }

    /// A keyword that is not followed by an identifier character.
    fn eat_word(&mut self, word: &str) -> bool {
        self.ws();
        let rest = self.rest();
        if rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word) {
            let next = rest[word.len()..].chars().next();
            if !next.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                self.pos += word.len();
                return true;
            }
        }
        false
    }

    fn value(&mut self) -> Result<Expected, String> {
        self.ws();
        let Some(c) = self.peek() else {
            return Err("unexpected end".into());
        };
        match c {
            '\'' | '"' => Ok(Expected::String(self.string()?)),
            '[' => {
                let save = self.pos;
                self.pos += 1;
                self.ws();
                if self.peek() == Some(':') {
                    self.pos = save;
                    return Ok(Expected::Rel(self.rel()?));
                }
                let mut items = Vec::new();
                if !self.eat("]") {
                    loop {
                        items.push(self.value()?);
                        if self.eat("]") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Ok(Expected::List(items))
            }
            '{' => Ok(Expected::Map(self.map()?)),
            '(' => Ok(Expected::Node(self.node()?)),
            '<' => Ok(Expected::Path(self.path()?)),
            _ => {
                if self.eat_word("null") {
                    Ok(Expected::Null)
                } else if self.eat_word("true") {
                    Ok(Expected::Bool(true))
                } else if self.eat_word("false") {
                    Ok(Expected::Bool(false))
                } else {
                    self.number()
                }
            }
        }
    }

    fn number(&mut self) -> Result<Expected, String> {
        self.ws();
        let start = self.pos;
        let negative = if self.rest().starts_with('-') {
            self.pos += 1;
            true
        } else {
            if self.rest().starts_with('+') {
                self.pos += 1;
            }
            false
        };
        let sign = if negative { -1.0 } else { 1.0 };
        if self.eat_word("NaN") {
            return Ok(Expected::Float(f64::NAN));
        }
        if self.eat_word("Infinity") || self.eat_word("Inf") {
            return Ok(Expected::Float(sign * f64::INFINITY));
        }
        let digits = |p: &mut Self| {
            let n = p.rest().chars().take_while(|c| c.is_ascii_digit() || *c == '_').count();
            p.pos += n;
            n
        };
        let int_digits = digits(self);
        let mut is_float = false;
        if self.rest().starts_with('.') && self.rest()[1..].starts_with(|c: char| c.is_ascii_digit()) {
            self.pos += 1;
            digits(self);
            is_float = true;
        } else if int_digits == 0 {
            self.pos = start;
            return Err(format!("unexpected `{}`", self.rest()));
        }
        if self.rest().starts_with(['e', 'E']) {
            let save = self.pos;
            self.pos += 1;
            if self.rest().starts_with(['+', '-']) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                self.pos = save;
            } else {
                is_float = true;
            }
        }
        let text: String = self.s[start..self.pos]
            .chars()
            .filter(|c| *c != '_' && *c != '+')
            .collect();
        if is_float {
            text.parse::<f64>()
                .map(Expected::Float)
                .map_err(|e| format!("bad float `{text}`: {e}"))
        } else {
            text.parse::<i64>()
                .map(Expected::Int)
                .map_err(|e| format!("bad integer `{text}`: {e}"))
        }
    }

    fn string(&mut self) -> Result<String, String> {
        self.ws();
        let quote = self.peek().ok_or("unexpected end")?;
        self.pos += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                self.pos += i + 1;
                return Ok(out);
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some((_, e)) = chars.next() else { break };
            match e {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                '0' => out.push('\0'),
                'u' | 'U' => {
                    let len = if e == 'u' { 4 } else { 8 };
                    let hex: String = (0..len).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                    let code = u32::from_str_radix(&hex, 16).map_err(|_| format!("bad escape \\{e}{hex}"))?;
                    out.push(char::from_u32(code).ok_or_else(|| format!("bad code point \\{e}{hex}"))?);
                }
                other => out.push(other),
            }
        }
        Err("unterminated string".into())
    }

    fn name(&mut self) -> Result<String, String> {
        self.ws();
        if self.rest().starts_with('`') {
            let mut out = String::new();
            let mut chars = self.rest()[1..].char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '`' {
                    if chars.peek().map(|(_, c)| *c) == Some('`') {
                        chars.next();
                        out.push('`');
                        continue;
                    }
                    self.pos += 1 + i + 1;
                    return Ok(out);
                }
                out.push(c);
            }
            return Err("unterminated backtick name".into());
        }
        let n: usize = self
            .rest()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .map(char::len_utf8)
            .sum();
        if n == 0 {
            return Err(format!("expected a name at `{}`", self.rest()));
        }
        let name = self.rest()[..n].to_string();
        self.pos += n;
        Ok(name)
    }

    fn map(&mut self) -> Result<Vec<(String, Expected)>, String> {
        self.expect("{")?;
        let mut entries = Vec::new();
        if self.eat("}") {
            return Ok(entries);
        }
        loop {
            let key = if matches!(self.peek_non_ws(), Some('\'' | '"')) {
                self.string()?
            } else {
                self.name()?
            };
            self.expect(":")?;
            let v = self.value()?;
            entries.push((key, v));
            if self.eat("}") {
                return Ok(entries);
            }
            self.expect(",")?;
        }
    }

    fn peek_non_ws(&mut self) -> Option<char> {
        self.ws();
        self.peek()
    }

    fn node(&mut self) -> Result<NodePattern, String> {
        self.expect("(")?;
        let mut labels = Vec::new();
        while self.eat(":") {
            labels.push(self.name()?);
        }
        let props = if self.peek_non_ws() == Some('{') {
            self.map()?
        } else {
            Vec::new()
        };
        self.expect(")")?;
        Ok(NodePattern { labels, props })
    }

    fn rel(&mut self) -> Result<RelPattern, String> {
        self.expect("[")?;
        self.expect(":")?;
        let rel_type = self.name()?;
        let props = if self.peek_non_ws() == Some('{') {
            self.map()?
        } else {
            Vec::new()
        };
        self.expect("]")?;
        Ok(RelPattern { rel_type, props })
    }

    fn path(&mut self) -> Result<PathPattern, String> {
        self.expect("<")?;
        let start = self.node()?;
        let mut hops = Vec::new();
        loop {
            if self.eat(">") {
                return Ok(PathPattern { start, hops });
            }
            let backward = self.eat("<-");
            if !backward {
                self.expect("-")?;
            }
            let rel = self.rel()?;
            let forward = if backward {
                self.expect("-")?;
                false
            } else {
                self.expect("->")?;
                true
            };
            let node = self.node()?;
            hops.push((rel, forward, node));
        }
    }
}
