//! The lexical level: whitespace and comments, keywords, names (plain and
//! backtick-quoted), number and string literals, parameters; plus the parser
//! state shared by every parsing function ([`Ctx`]).

use std::cell::{Cell, RefCell};
use std::collections::HashSet;

use nom::bytes::complete::{tag, take_while};
use nom::Parser;

use super::{ParseError, MAX_DEPTH, MAX_TREE_DEPTH};
use crate::ast::{Ident, Span};

/// The error type threaded through the nom parsers: where (as the length of
/// the input left), and for a definite error (`nom::Err::Failure`) its code,
/// message and hint. A plain `nom::Err::Error` only means "this alternative
/// did not match"; what was expected is kept in [`Ctx`] instead.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PErr {
    pub rest_len: usize,
    pub code: &'static str,
    pub message: Option<String>,
    pub hint: Option<String>,
}

impl PErr {
    pub fn at(i: &str) -> PErr {
        PErr {
            rest_len: i.len(),
            code: "UnexpectedSyntax",
            message: None,
            hint: None,
        }
    }
}

impl<'a> nom::error::ParseError<&'a str> for PErr {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        PErr::at(input)
    }
    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
    fn or(self, other: Self) -> Self {
        if other.rest_len <= self.rest_len {
            other
        } else {
            self
        }
    }
}

pub(crate) type PResult<'a, T> = nom::IResult<&'a str, T, PErr>;

/// The furthest place an alternative failed, and what would have been accepted there.
#[derive(Default)]
struct Furthest {
    offset: usize,
    expected: Vec<&'static str>,
}

/// Parser state: the whole text (for offsets), the nesting depth, and the
/// furthest failure (for error messages).
pub(crate) struct Ctx<'a> {
    pub src: &'a str,
    /// Nesting of brackets (recursion of the parser).
    depth: Cell<usize>,
    /// Depth of the tree being built: nesting plus operator chains.
    tree_depth: Cell<usize>,
    furthest: RefCell<Furthest>,
    /// Relationship patterns are expressions only in WHERE and inside `exists(...)`.
    pub patterns_allowed: Cell<bool>,
    /// A `|` ends the expression (the WHERE of a comprehension, the list of
    /// `reduce` and FOREACH): a label or type expression does not take it as
    /// "or" there unless parenthesised (`x:(A|B)`).
    pub bar_ends_expr: Cell<bool>,
    /// `(offset, kind)` of speculative parses that already failed, so that
    /// backtracking over nested brackets stays polynomial.
    failed: RefCell<HashSet<(usize, u8)>>,
}

/// Kinds of speculative parses remembered in `Ctx::failed`.
pub(crate) const TRY_PATTERN: u8 = 1;
pub(crate) const TRY_LIST_COMPREHENSION: u8 = 2;
pub(crate) const TRY_PATTERN_COMPREHENSION: u8 = 3;

/// Gives back a nesting level when dropped.
pub(crate) struct DepthGuard<'c> {
    depth: &'c Cell<usize>,
    tree_depth: &'c Cell<usize>,
    nested: bool,
}

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        if self.nested {
            self.depth.set(self.depth.get() - 1);
        }
        self.tree_depth.set(self.tree_depth.get() - 1);
    }
}

/// Words that cannot be variables unless quoted (they may still be labels,
/// relationship types and property keys).
pub const RESERVED: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "IN",
    "IS",
    "LIMIT",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|k| k.eq_ignore_ascii_case(word))
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Characters that look like an operator but are not ASCII: an error of their own.
fn lookalike(c: char) -> Option<&'static str> {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}' => Some("-"),
        '\u{2018}' | '\u{2019}' => Some("'"),
        '\u{201C}' | '\u{201D}' => Some("\""),
        _ => None,
    }
}

/// A number token, before a sign is applied.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Num {
    /// The magnitude, saturated at `u128::MAX` when even larger.
    Int(u128),
    Float(f64),
}

impl<'a> Ctx<'a> {
    pub fn new(src: &'a str) -> Ctx<'a> {
        Ctx {
            src,
            depth: Cell::new(0),
            tree_depth: Cell::new(0),
            furthest: RefCell::new(Furthest::default()),
            patterns_allowed: Cell::new(false),
            bar_ends_expr: Cell::new(false),
            failed: RefCell::new(HashSet::new()),
        }
    }

    /// Byte offset of `i` (a suffix of the text).
    pub fn offset(&self, i: &str) -> usize {
        self.src.len() - i.len()
    }

    pub fn span(&self, start: usize, rest: &str) -> Span {
        Span::new(start, self.offset(rest))
    }

    // ---- errors ------------------------------------------------------------

    /// Records that `expected` would have been accepted at `i`, and fails softly.
    pub fn fail<T>(&self, i: &'a str, expected: &'static str) -> PResult<'a, T> {
        self.expect(i, expected);
        Err(nom::Err::Error(PErr::at(i)))
    }

    /// Records that `expected` would have been accepted at `i`.
    pub fn expect(&self, i: &'a str, expected: &'static str) {
        let off = self.offset(i);
        let mut f = self.furthest.borrow_mut();
        if off > f.offset {
            f.offset = off;
            f.expected.clear();
        }
        if off == f.offset && !f.expected.contains(&expected) {
            f.expected.push(expected);
        }
    }

    /// A definite error at `i`: no alternative is tried after it.
    pub fn failure<T>(&self, i: &'a str, code: &'static str, message: impl Into<String>) -> PResult<'a, T> {
        Err(nom::Err::Failure(PErr {
            rest_len: i.len(),
            code,
            message: Some(message.into()),
            hint: None,
        }))
    }

    pub fn failure_hint<T>(
        &self,
        i: &'a str,
        code: &'static str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> PResult<'a, T> {
        Err(nom::Err::Failure(PErr {
            rest_len: i.len(),
            code,
            message: Some(message.into()),
            hint: Some(hint.into()),
        }))
    }

    /// Enters one nesting level (a bracket, a sub-expression); fails
    /// (definitely) past [`MAX_DEPTH`].
    pub fn enter(&self, i: &'a str) -> Result<DepthGuard<'_>, nom::Err<PErr>> {
        self.enter_level(i, true)
    }

    /// One more operator in a chain (`a + b + c`, `NOT NOT x`): no recursion
    /// here, but one more level of tree for the stages that walk it; fails
    /// past [`MAX_TREE_DEPTH`].
    pub fn enter_op(&self, i: &'a str) -> Result<DepthGuard<'_>, nom::Err<PErr>> {
        self.enter_level(i, false)
    }

    fn enter_level(&self, i: &'a str, nested: bool) -> Result<DepthGuard<'_>, nom::Err<PErr>> {
        let d = self.depth.get() + usize::from(nested);
        let t = self.tree_depth.get() + 1;
        if d > MAX_DEPTH || t > MAX_TREE_DEPTH {
            let i = self.skip_ws_lenient(i);
            let message = if d > MAX_DEPTH {
                format!("the query is nested too deeply (more than {MAX_DEPTH} levels of brackets)")
            } else {
                format!("the expression is too deep (more than {MAX_TREE_DEPTH} nested operators)")
            };
            return Err(nom::Err::Failure(PErr {
                rest_len: i.len(),
                code: "UnexpectedSyntax",
                message: Some(message),
                hint: Some("split the expression, e.g. with WITH clauses, or use list functions".into()),
            }));
        }
        self.depth.set(d);
        self.tree_depth.set(t);
        Ok(DepthGuard {
            depth: &self.depth,
            tree_depth: &self.tree_depth,
            nested,
        })
    }

    pub fn already_failed(&self, i: &str, kind: u8) -> bool {
        self.failed.borrow().contains(&(self.offset(i), kind))
    }

    pub fn mark_failed(&self, i: &str, kind: u8) {
        self.failed.borrow_mut().insert((self.offset(i), kind));
    }

    /// Turns the outcome of a whole parse into the public result.
    pub fn finish<T>(&self, r: PResult<'a, T>) -> Result<T, ParseError> {
        match r {
            Ok((_, t)) => Ok(t),
            Err(nom::Err::Failure(e)) if e.message.is_some() => Err(ParseError {
                code: e.code,
                message: e.message.unwrap_or_default(),
                offset: self.src.len() - e.rest_len,
                hint: e.hint,
            }),
            Err(nom::Err::Failure(e)) | Err(nom::Err::Error(e)) => {
                Err(self.furthest_error(self.src.len() - e.rest_len))
            }
            Err(nom::Err::Incomplete(_)) => Err(self.furthest_error(self.src.len())),
        }
    }

    /// The error at the furthest point any alternative reached.
    fn furthest_error(&self, fallback: usize) -> ParseError {
        let f = self.furthest.borrow();
        let (offset, expected) = if f.offset >= fallback || f.expected.is_empty() {
            (f.offset.max(fallback), f.expected.clone())
        } else {
            (fallback, Vec::new())
        };
        let rest = &self.src[offset..];
        let (offset, rest) = match self.ws(rest) {
            Ok((r, _)) => (self.offset(r), r),
            Err(_) => (offset, rest),
        };
        if let Some(c) = rest.chars().next() {
            if let Some(ascii) = lookalike(c) {
                return ParseError {
                    code: "InvalidUnicodeCharacter",
                    message: format!("invalid character '{c}' (U+{:04X})", c as u32),
                    offset,
                    hint: Some(format!("use the ASCII character '{ascii}' instead")),
                };
            }
        }
        let found = describe_token(rest);
        let after = previous_token(&self.src[..offset]);
        let mut message = match after {
            Some(t) => format!("unexpected {found} after '{t}'"),
            None => format!("unexpected {found}"),
        };
        let shown = summarize_expected(&expected);
        if !shown.is_empty() {
            message.push_str(", expected ");
            message.push_str(&join_alternatives(&shown));
        }
        let hint = keyword_hint(rest, &expected);
        ParseError {
            code: "UnexpectedSyntax",
            message,
            offset,
            hint,
        }
    }

    // ---- whitespace ----------------------------------------------------------

    /// Skips whitespace and comments; an unterminated `/*` is an error.
    pub fn ws(&self, mut i: &'a str) -> PResult<'a, ()> {
        loop {
            let t = i.trim_start();
            if let Some(r) = t.strip_prefix("//") {
                i = match r.find('\n') {
                    Some(n) => &r[n + 1..],
                    None => &r[r.len()..],
                };
            } else if let Some(r) = t.strip_prefix("/*") {
                match r.find("*/") {
                    Some(n) => i = &r[n + 2..],
                    None => return self.failure(t, "UnexpectedSyntax", "unterminated comment: '/*' without '*/'"),
                }
            } else {
                return Ok((t, ()));
            }
        }
    }

    fn skip_ws_lenient(&self, i: &'a str) -> &'a str {
        self.ws(i).map(|(r, _)| r).unwrap_or(i)
    }

    /// Whitespace, then the end of the text.
    pub fn end_of_input(&self, i: &'a str) -> PResult<'a, ()> {
        let (i, _) = self.ws(i)?;
        if i.is_empty() {
            Ok((i, ()))
        } else {
            self.fail(i, "the end of the query")
        }
    }

    // ---- symbols and keywords ---------------------------------------------

    /// Punctuation or an operator, e.g. `sym(i, "(")`.
    pub fn sym(&self, i: &'a str, s: &'static str) -> PResult<'a, Span> {
        let (i, _) = self.ws(i)?;
        let start = self.offset(i);
        match tag::<_, _, PErr>(s).parse(i) {
            Ok((r, _)) => Ok((r, self.span(start, r))),
            Err(_) => self.fail(i, s),
        }
    }

    /// Whether the next token starts with `s` (nothing is consumed or recorded).
    pub fn peek_sym(&self, i: &'a str, s: &str) -> bool {
        match self.ws(i) {
            Ok((r, _)) => r.starts_with(s),
            Err(_) => false,
        }
    }

    /// The next word (letters, digits, `_`), without consuming it.
    pub fn peek_word(&self, i: &'a str) -> Option<&'a str> {
        let (r, _) = self.ws(i).ok()?;
        let w = word(r);
        (!w.is_empty()).then_some(w)
    }

    pub fn peek_kw(&self, i: &'a str, k: &str) -> bool {
        self.peek_word(i).is_some_and(|w| w.eq_ignore_ascii_case(k))
    }

    /// An optional symbol: whether it was there.
    pub fn opt_sym(&self, i: &'a str, s: &'static str) -> (&'a str, bool) {
        match self.sym(i, s) {
            Ok((r, _)) => (r, true),
            Err(_) => (i, false),
        }
    }

    /// Whether the words `ks` come next (nothing is consumed or recorded).
    pub fn peek_kws(&self, mut i: &'a str, ks: &[&str]) -> bool {
        for k in ks {
            let Ok((r, _)) = self.ws(i) else { return false };
            let w = word(r);
            if !w.eq_ignore_ascii_case(k) {
                return false;
            }
            i = &r[w.len()..];
        }
        true
    }

    /// An optional keyword: whether it was there.
    pub fn opt_kw(&self, i: &'a str, k: &'static str) -> (&'a str, bool) {
        match self.kw(i, k) {
            Ok((r, _)) => (r, true),
            Err(_) => (i, false),
        }
    }

    /// Runs `f` with [`Ctx::bar_ends_expr`] set to `on`, then restores it.
    pub fn with_bar<T>(&self, on: bool, f: impl FnOnce() -> T) -> T {
        let saved = self.bar_ends_expr.replace(on);
        let r = f();
        self.bar_ends_expr.set(saved);
        r
    }

    /// A keyword (case-insensitive, not followed by a name character).
    pub fn kw(&self, i: &'a str, k: &'static str) -> PResult<'a, Span> {
        let (i, _) = self.ws(i)?;
        let w = word(i);
        if w.eq_ignore_ascii_case(k) {
            let r = &i[w.len()..];
            Ok((r, self.span(self.offset(i), r)))
        } else {
            self.fail(i, k)
        }
    }

    /// Several keywords in a row, e.g. `["ORDER", "BY"]`.
    pub fn kws(&self, mut i: &'a str, ks: &[&'static str]) -> PResult<'a, Span> {
        let (r, _) = self.ws(i)?;
        let start = self.offset(r);
        for k in ks {
            i = self.kw(i, k)?.0;
        }
        Ok((i, self.span(start, i)))
    }

    // ---- names ---------------------------------------------------------------

    /// A name: plain (any word, keywords included) or backtick-quoted.
    /// Used for labels, relationship types, property keys, namespaces.
    pub fn symbolic_name(&self, i: &'a str) -> PResult<'a, Ident> {
        self.name(i, true)
    }

    /// A variable: like [`Ctx::symbolic_name`] but a plain name may not be a reserved word.
    pub fn variable(&self, i: &'a str) -> PResult<'a, Ident> {
        self.name(i, false)
    }

    fn name(&self, i: &'a str, keywords_ok: bool) -> PResult<'a, Ident> {
        let (i, _) = self.ws(i)?;
        let start = self.offset(i);
        if let Some(body) = i.strip_prefix('`') {
            let mut name = String::new();
            let mut rest = body;
            loop {
                match rest.find('`') {
                    None => {
                        return self.failure(
                            i,
                            "UnexpectedSyntax",
                            "unterminated quoted name: '`' without a closing '`'",
                        )
                    }
                    Some(n) => {
                        name.push_str(&rest[..n]);
                        rest = &rest[n + 1..];
                        if let Some(r) = rest.strip_prefix('`') {
                            name.push('`');
                            rest = r;
                        } else {
                            break;
                        }
                    }
                }
            }
            return Ok((rest, Ident::new(name, self.span(start, rest))));
        }
        let starts_ok = i.chars().next().is_some_and(is_ident_start);
        let w = word(i);
        if !starts_ok || (!keywords_ok && is_reserved(w)) {
            return self.fail(i, if keywords_ok { "a name" } else { "a variable name" });
        }
        let r = &i[w.len()..];
        Ok((r, Ident::new(w, self.span(start, r))))
    }

    /// `$name` or `$0`.
    pub fn parameter(&self, i: &'a str) -> PResult<'a, (String, Span)> {
        let (i, _) = self.ws(i)?;
        let start = self.offset(i);
        let Some(r) = i.strip_prefix('$') else {
            return self.fail(i, "a parameter");
        };
        if r.starts_with(|c: char| c.is_ascii_digit()) {
            let (r2, digits) = take_while::<_, _, PErr>(|c: char| c.is_ascii_digit()).parse(r)?;
            return Ok((r2, (digits.to_string(), self.span(start, r2))));
        }
        match self.symbolic_name(r) {
            Ok((r2, id)) if self.offset(r) == id.span.start => Ok((r2, (id.name, self.span(start, r2)))),
            _ => self.failure(r, "UnexpectedSyntax", "expected a parameter name after '$'"),
        }
    }

    // ---- literals ------------------------------------------------------------

    /// A number: decimal, hexadecimal (`0x1F`), octal (`0o17`) integer, or a
    /// float (`1.5`, `.5`, `1e3`, `1.5E-7`). Malformed numbers are definite errors.
    pub fn number(&self, i: &'a str) -> PResult<'a, (Num, Span)> {
        let (i, _) = self.ws(i)?;
        let start = self.offset(i);
        let bytes = i.as_bytes();
        let starts = match bytes.first() {
            Some(b) if b.is_ascii_digit() => true,
            Some(b'.') => bytes.get(1).is_some_and(|b| b.is_ascii_digit()),
            _ => false,
        };
        if !starts {
            return self.fail(i, "a number");
        }
        let bad = |r: &'a str, what: &str| -> PResult<'a, (Num, Span)> {
            let end = self.offset(r) + word(r).len();
            let text = &self.src[start..end.max(start)];
            self.failure(
                &self.src[start..],
                "InvalidNumberLiteral",
                format!("invalid number literal '{text}': {what}"),
            )
        };
        // Hexadecimal and octal.
        for (prefix, radix, name) in [("0x", 16u32, "hexadecimal"), ("0o", 8, "octal")] {
            if let Some(r) = i.strip_prefix(prefix) {
                let w = word(r);
                if w.is_empty() {
                    return bad(r, &format!("no digits after '{prefix}'"));
                }
                if let Some(c) = w.chars().find(|c| !c.is_digit(radix)) {
                    return bad(r, &format!("'{c}' is not a {name} digit"));
                }
                let mut v: u128 = 0;
                for c in w.chars() {
                    v = v
                        .saturating_mul(radix as u128)
                        .saturating_add(c.to_digit(radix).unwrap() as u128);
                }
                let r = &r[w.len()..];
                return Ok((r, (Num::Int(v), self.span(start, r))));
            }
        }
        let digits = |s: &'a str| -> &'a str {
            let n = s.bytes().take_while(|b| b.is_ascii_digit()).count();
            &s[..n]
        };
        let int_part = digits(i);
        let mut r = &i[int_part.len()..];
        let mut is_float = false;
        if r.starts_with('.') && r[1..].starts_with(|c: char| c.is_ascii_digit()) {
            is_float = true;
            r = &r[1 + digits(&r[1..]).len()..];
        }
        if r.starts_with(['e', 'E']) {
            let mut e = &r[1..];
            if e.starts_with(['+', '-']) {
                e = &e[1..];
            }
            let d = digits(e);
            if d.is_empty() {
                return bad(r, "the exponent has no digits");
            }
            is_float = true;
            r = &e[d.len()..];
        }
        if r.starts_with(is_ident_char) {
            return bad(r, "a number cannot be followed directly by a letter");
        }
        if r.starts_with('.') && r[1..].starts_with(|c: char| c.is_ascii_digit()) {
            return bad(r, "more than one decimal point");
        }
        let text = &self.src[start..self.offset(r)];
        if is_float {
            let v: f64 = text.parse().unwrap_or(f64::INFINITY);
            if v.is_infinite() {
                return self.failure(
                    &self.src[start..],
                    "FloatingPointOverflow",
                    format!("the float literal '{text}' is too large"),
                );
            }
            return Ok((r, (Num::Float(v), self.span(start, r))));
        }
        if int_part.len() > 1 && int_part.starts_with('0') {
            return self.failure_hint(
                &self.src[start..],
                "InvalidNumberLiteral",
                format!("invalid number literal '{text}': a decimal integer cannot start with 0"),
                format!("write an octal number as 0o{}", &int_part[1..]),
            );
        }
        let mut v: u128 = 0;
        for b in int_part.bytes() {
            v = v.saturating_mul(10).saturating_add((b - b'0') as u128);
        }
        Ok((r, (Num::Int(v), self.span(start, r))))
    }

    /// A string in `'...'` or `"..."` with backslash escapes.
    pub fn string(&self, i: &'a str) -> PResult<'a, (String, Span)> {
        let (i, _) = self.ws(i)?;
        let start = self.offset(i);
        let quote = match i.chars().next() {
            Some(q @ ('\'' | '"')) => q,
            _ => return self.fail(i, "a string"),
        };
        let mut out = String::new();
        let mut rest = &i[1..];
        let mut pending_high: Option<(u32, &'a str)> = None;
        loop {
            let Some(c) = rest.chars().next() else {
                return self.failure(
                    i,
                    "UnexpectedSyntax",
                    format!("unterminated string: missing the closing {quote}"),
                );
            };
            let here = rest;
            rest = &rest[c.len_utf8()..];
            if c == quote {
                if let Some((_, at)) = pending_high {
                    return self.failure(at, "InvalidUnicodeLiteral", "a lone UTF-16 surrogate escape");
                }
                return Ok((rest, (out, self.span(start, rest))));
            }
            if c != '\\' {
                if let Some((_, at)) = pending_high.take() {
                    return self.failure(at, "InvalidUnicodeLiteral", "a lone UTF-16 surrogate escape");
                }
                out.push(c);
                continue;
            }
            let Some(e) = rest.chars().next() else {
                continue;
            };
            rest = &rest[e.len_utf8()..];
            let simple = match e {
                '\\' => Some('\\'),
                '\'' => Some('\''),
                '"' => Some('"'),
                'b' | 'B' => Some('\u{8}'),
                'f' | 'F' => Some('\u{c}'),
                'n' | 'N' => Some('\n'),
                'r' | 'R' => Some('\r'),
                't' | 'T' => Some('\t'),
                _ => None,
            };
            if let Some(s) = simple {
                if let Some((_, at)) = pending_high.take() {
                    return self.failure(at, "InvalidUnicodeLiteral", "a lone UTF-16 surrogate escape");
                }
                out.push(s);
                continue;
            }
            if e == 'u' || e == 'U' {
                let hex = rest.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
                let n = if e == 'U' && hex >= 8 { 8 } else { 4 };
                if hex < 4 {
                    return self.failure_hint(
                        here,
                        "InvalidUnicodeLiteral",
                        format!(
                            "invalid Unicode escape '\\{e}{}': expected {n} hexadecimal digits",
                            &rest[..hex]
                        ),
                        "write \\u followed by 4 hexadecimal digits, e.g. \\u00E9, or \\U followed by 8",
                    );
                }
                let code = u32::from_str_radix(&rest[..n], 16).unwrap();
                rest = &rest[n..];
                if let Some((high, at)) = pending_high.take() {
                    if (0xDC00..0xE000).contains(&code) {
                        let c = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00);
                        out.push(char::from_u32(c).unwrap());
                        continue;
                    }
                    return self.failure(at, "InvalidUnicodeLiteral", "a lone UTF-16 surrogate escape");
                }
                if (0xD800..0xDC00).contains(&code) {
                    pending_high = Some((code, here));
                    continue;
                }
                match char::from_u32(code) {
                    Some(c) => out.push(c),
                    None => {
                        return self.failure(
                            here,
                            "InvalidUnicodeLiteral",
                            format!("'\\{e}{}' is not a Unicode character", &here[2..2 + n]),
                        )
                    }
                }
                continue;
            }
            return self.failure_hint(
                here,
                "UnexpectedSyntax",
                format!("invalid escape sequence '\\{e}' in a string"),
                "valid escapes are \\\\ \\' \\\" \\b \\f \\n \\r \\t \\uXXXX \\UXXXXXXXX; write \\\\ for a backslash",
            );
        }
    }
}

/// The longest prefix made of name characters.
pub(crate) fn word(i: &str) -> &str {
    let n = i
        .char_indices()
        .find(|&(_, c)| !is_ident_char(c))
        .map_or(i.len(), |(n, _)| n);
    &i[..n]
}

fn describe_token(rest: &str) -> String {
    if rest.is_empty() {
        return "end of input".into();
    }
    let w = word(rest);
    if !w.is_empty() {
        return format!("'{w}'");
    }
    let c = rest.chars().next().unwrap();
    format!("'{c}'")
}

/// The last token before `before` (for "after '+'").
fn previous_token(before: &str) -> Option<String> {
    let t = before.trim_end();
    let c = t.chars().last()?;
    if is_ident_char(c) {
        let start = t
            .char_indices()
            .rev()
            .take_while(|&(_, c)| is_ident_char(c))
            .last()
            .map(|(n, _)| n)?;
        Some(t[start..].to_string())
    } else {
        const OPS: &[&str] = &["<>", "<=", ">=", "=~", "+=", "->", "<-", "..", "--"];
        for op in OPS {
            if t.ends_with(op) {
                return Some(op.to_string());
            }
        }
        Some(c.to_string())
    }
}

/// Folds the long lists of alternatives into their gist: operators that
/// could continue an expression become "an operator", clause keywords
/// "a clause".
fn summarize_expected(expected: &[&'static str]) -> Vec<&'static str> {
    const CONTINUATIONS: &[&str] = &[".", "[", "STARTS", "ENDS", "CONTAINS", "IN", "IS", "AND", "XOR", "OR"];
    const CLAUSES: &[&str] = &[
        "MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE", "MERGE", "SET", "REMOVE", "DELETE", "DETACH",
        "CALL", "LOAD", "FOREACH",
    ];
    let has = |e: &str| expected.contains(&e);
    let mut out = Vec::new();
    for &e in expected {
        if has("an operator") && CONTINUATIONS.contains(&e) {
            continue;
        }
        if has("an expression") && e == "NOT" {
            continue;
        }
        if CLAUSES.contains(&e) && has("MATCH") && has("RETURN") {
            if !out.contains(&"a clause such as MATCH or RETURN") {
                out.push("a clause such as MATCH or RETURN");
            }
            continue;
        }
        out.push(e);
    }
    out
}

fn join_alternatives(expected: &[&'static str]) -> String {
    let quoted: Vec<String> = expected
        .iter()
        .map(|e| {
            if e.starts_with("a ") || e.starts_with("an ") || e.starts_with("the ") {
                e.to_string()
            } else {
                format!("'{e}'")
            }
        })
        .collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        n => format!("{} or {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// "did you mean MATCH?" when the word at the error is close to an expected keyword.
fn keyword_hint(rest: &str, expected: &[&'static str]) -> Option<String> {
    let w = word(rest);
    if w.len() < 2 {
        return None;
    }
    let upper = w.to_ascii_uppercase();
    let mut best: Option<(usize, &str)> = None;
    for e in expected.iter().filter(|e| e.chars().all(|c| c.is_ascii_uppercase())) {
        let d = crate::text::edit_distance(&upper, e);
        let limit = if e.len() <= 3 { 1 } else { 2 };
        if d > 0 && d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, e));
        }
    }
    best.map(|(_, k)| format!("did you mean {k}?"))
}
