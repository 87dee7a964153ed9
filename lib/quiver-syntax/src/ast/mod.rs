//! The abstract syntax tree of a query, as the parser produces it.
//!
//! Every node that an error may point at carries a `Span` (byte offsets into
//! the query text). `Display` prints a statement back as query text that
//! parses to the same tree (spans aside).

mod display;

/// Byte offsets `[start, end)` into the query text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// A name written in the query (variable, label, type, key), with where it was written.
#[derive(Clone, Debug, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

impl PartialEq for Ident {
    /// Spans are where a name was written, not part of what it means.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Ident {
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            span,
        }
    }
}

/// One statement: a query, possibly prefixed by EXPLAIN or PROFILE.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub mode: Mode,
    pub query: Query,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Run,
    Explain,
    Profile,
}

/// `part (UNION [ALL] part)*`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    pub unions: Vec<Union>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub all: bool,
    pub query: SingleQuery,
    pub span: Span,
}

/// A sequence of clauses without UNION.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Clause {
    Match(Match),
    Unwind(Unwind),
    With(With),
    Return(Return),
    Create(Create),
    Merge(Merge),
    Set(Set),
    Remove(Remove),
    Delete(Delete),
    Call(Call),
    LoadCsv(LoadCsv),
    /// Index definitions (`CREATE INDEX`, `DROP INDEX`, `SHOW INDEXES`): a statement on its own.
    Schema(Schema),
}

impl Clause {
    pub fn span(&self) -> Span {
        match self {
            Clause::Match(c) => c.span,
            Clause::Unwind(c) => c.span,
            Clause::With(c) => c.span,
            Clause::Return(c) => c.span,
            Clause::Create(c) => c.span,
            Clause::Merge(c) => c.span,
            Clause::Set(c) => c.span,
            Clause::Remove(c) => c.span,
            Clause::Delete(c) => c.span,
            Clause::Call(c) => c.span,
            Clause::LoadCsv(c) => c.span,
            Clause::Schema(c) => c.span,
        }
    }

    /// The clause's keyword, for messages and plans.
    pub fn name(&self) -> &'static str {
        match self {
            Clause::Match(m) if m.optional => "OPTIONAL MATCH",
            Clause::Match(_) => "MATCH",
            Clause::Unwind(_) => "UNWIND",
            Clause::With(_) => "WITH",
            Clause::Return(_) => "RETURN",
            Clause::Create(_) => "CREATE",
            Clause::Merge(_) => "MERGE",
            Clause::Set(_) => "SET",
            Clause::Remove(_) => "REMOVE",
            Clause::Delete(d) if d.detach => "DETACH DELETE",
            Clause::Delete(_) => "DELETE",
            Clause::Call(_) => "CALL",
            Clause::LoadCsv(_) => "LOAD CSV",
            Clause::Schema(s) => match s.command {
                SchemaCommand::CreateIndex { .. } => "CREATE INDEX",
                SchemaCommand::DropIndex { .. } => "DROP INDEX",
                SchemaCommand::ShowIndexes => "SHOW INDEXES",
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub optional: bool,
    pub pattern: Pattern,
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unwind {
    pub expr: Expr,
    pub variable: Ident,
    pub span: Span,
}

/// `LOAD CSV [WITH HEADERS] FROM url AS variable [FIELDTERMINATOR 'c']`
#[derive(Clone, Debug, PartialEq)]
pub struct LoadCsv {
    /// The first line names the fields: rows are maps, not lists.
    pub with_headers: bool,
    /// The file: `file:///abs/path.csv` or a plain path.
    pub url: Expr,
    pub variable: Ident,
    /// The field terminator as written (one character); `None` for `,`.
    pub field_terminator: Option<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct With {
    pub projection: Projection,
    pub where_: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Return {
    pub projection: Projection,
    pub span: Span,
}

/// The body shared by WITH and RETURN.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `*` as the first item: every variable in scope.
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
    /// The expression's text as written (the column name when there is no alias).
    pub text: String,
}

impl ProjectionItem {
    /// The column / variable name this item introduces.
    pub fn name(&self) -> &str {
        match &self.alias {
            Some(a) => &a.name,
            None => &self.text,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Create {
    pub pattern: Pattern,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    pub part: PatternPart,
    pub actions: Vec<MergeAction>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MergeAction {
    /// `ON CREATE SET` when true, `ON MATCH SET` when false.
    pub on_create: bool,
    pub items: Vec<SetItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Set {
    pub items: Vec<SetItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value` (target is any expression, usually a variable).
    Property { target: Expr, key: Ident, value: Expr },
    /// `n = map`
    Replace { variable: Ident, value: Expr },
    /// `n += map`
    Merge { variable: Ident, value: Expr },
    /// `n:A:B`
    Labels { variable: Ident, labels: Vec<Ident> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Remove {
    pub items: Vec<RemoveItem>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    /// `target.key`
    Property { target: Expr, key: Ident },
    /// `n:A:B`
    Labels { variable: Ident, labels: Vec<Ident> },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub detach: bool,
    pub exprs: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub command: SchemaCommand,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SchemaCommand {
    /// `CREATE INDEX [name] [IF NOT EXISTS] FOR (n:Label) ON (n.key)`, or
    /// the older `CREATE INDEX ON :Label(key)`.
    CreateIndex {
        name: Option<Ident>,
        if_not_exists: bool,
        label: Ident,
        key: Ident,
    },
    /// `DROP INDEX name [IF EXISTS]`
    DropIndex { name: Ident, if_exists: bool },
    /// `SHOW INDEXES`
    ShowIndexes,
}

/// `CALL ns.name(args) YIELD a, b AS c WHERE ...`
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// Namespace parts and the name, e.g. `["db", "labels"]`.
    pub procedure: Vec<Ident>,
    /// `None` when written without parentheses (arguments come from parameters).
    pub args: Option<Vec<Expr>>,
    pub yield_: Option<YieldClause>,
    pub span: Span,
}

impl Call {
    pub fn qualified_name(&self) -> String {
        self.procedure
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct YieldClause {
    /// `YIELD *`
    pub star: bool,
    /// `(procedure output field, alias)`
    pub items: Vec<(Ident, Option<Ident>)>,
    pub where_: Option<Expr>,
}

/// Comma-separated pattern parts.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub parts: Vec<PatternPart>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    /// `p = ...`
    pub variable: Option<Ident>,
    pub kind: PathKind,
    pub element: PatternElement,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Normal,
    ShortestPath,
    AllShortestPaths,
}

/// `(a)-[r]->(b)<-[s]-(c)`: a start node and a chain of (relationship, node) steps.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(RelPattern, NodePattern)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    pub labels: Vec<Ident>,
    /// A map literal or a parameter.
    pub properties: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// `-->`
    Outgoing,
    /// `<--`
    Incoming,
    /// `--` (or `<-->`)
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub variable: Option<Ident>,
    pub direction: Direction,
    /// `[:A|B]`; empty means any type.
    pub types: Vec<Ident>,
    /// `*`, `*2`, `*1..3`, `*..5`, `*2..`; `None` for a single hop.
    pub length: Option<Range>,
    pub properties: Option<Box<Expr>>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

impl PartialEq for Expr {
    /// Spans are where an expression was written, not part of what it means.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
    }
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Neg,
    Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    In,
    StartsWith,
    EndsWith,
    Contains,
    RegexMatch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.key`
    Property(Ident),
    /// `.*`
    AllProperties,
    /// `key: expr`
    Literal(Ident, Expr),
    /// a bare variable `v` (entry `v: v`)
    Variable(Ident),
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// `$name` (or `$0`)
    Parameter(String),
    Variable(String),
    List(Vec<Expr>),
    Map(Vec<(Ident, Expr)>),
    /// `expr.key`
    Property(Box<Expr>, Ident),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `expr IS NULL` (false) / `expr IS NOT NULL` (true)
    IsNull(Box<Expr>, bool),
    /// `n:A:B` as a predicate
    HasLabels(Box<Expr>, Vec<Ident>),
    /// `ns.name(DISTINCT? args)`; `name` holds the namespace parts and the name.
    FunctionCall {
        name: Vec<Ident>,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    /// `[x IN list WHERE pred | proj]`
    ListComprehension {
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
        projection: Option<Box<Expr>>,
    },
    /// `all(x IN list WHERE pred)` and friends
    Quantified {
        quantifier: Quantifier,
        variable: Ident,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
    },
    /// `reduce(acc = init, x IN list | expr)`
    Reduce {
        accumulator: Ident,
        init: Box<Expr>,
        variable: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// `[p = (a)-->(b) WHERE pred | proj]`
    PatternComprehension {
        variable: Option<Ident>,
        pattern: PatternElement,
        predicate: Option<Box<Expr>>,
        projection: Box<Expr>,
    },
    /// A relationship pattern used as an expression, e.g. in WHERE: `(a)-->(b)`.
    Pattern(PatternElement),
    /// `EXISTS { MATCH ... }` or `EXISTS { (a)-->(b) WHERE ... }`
    Exists(Box<Query>),
    /// `v {.key, .*, key: expr, other}`
    MapProjection {
        variable: Ident,
        items: Vec<MapProjectionItem>,
    },
}
