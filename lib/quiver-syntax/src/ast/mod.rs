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
    /// `[OPTIONAL] CALL [(imports)] { query } [IN TRANSACTIONS ...]`
    CallSubquery(CallSubquery),
    /// `FOREACH (x IN list | clause ...)`
    Foreach(Foreach),
    /// Index and constraint definitions and the SHOW commands: a statement on its own.
    Schema(Schema),
    /// `LET x = expr, ...`: new variables, every other one kept (`WITH *, expr AS x`).
    Let(Let),
    /// `FILTER [WHERE] expr`: the rows where it holds (`WITH * WHERE expr`).
    Filter(Filter),
    /// `FINISH`: the query's last clause, returning nothing.
    Finish(Finish),
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
            Clause::CallSubquery(c) => c.span,
            Clause::Foreach(c) => c.span,
            Clause::Schema(c) => c.span,
            Clause::Let(c) => c.span,
            Clause::Filter(c) => c.span,
            Clause::Finish(c) => c.span,
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
            Clause::Call(c) if c.optional => "OPTIONAL CALL",
            Clause::Call(_) => "CALL",
            Clause::LoadCsv(_) => "LOAD CSV",
            Clause::CallSubquery(c) if c.optional => "OPTIONAL CALL",
            Clause::CallSubquery(_) => "CALL",
            Clause::Foreach(_) => "FOREACH",
            Clause::Let(_) => "LET",
            Clause::Filter(_) => "FILTER",
            Clause::Finish(_) => "FINISH",
            Clause::Schema(s) => match &s.command {
                SchemaCommand::CreateIndex { .. } => "CREATE INDEX",
                SchemaCommand::DropIndex { .. } => "DROP INDEX",
                SchemaCommand::CreateConstraint(_) => "CREATE CONSTRAINT",
                SchemaCommand::DropConstraint { .. } => "DROP CONSTRAINT",
                SchemaCommand::Show(s) => match s.what {
                    ShowWhat::Indexes(_) => "SHOW INDEXES",
                    ShowWhat::Constraints(_) => "SHOW CONSTRAINTS",
                    ShowWhat::Procedures { .. } => "SHOW PROCEDURES",
                    ShowWhat::Functions { .. } => "SHOW FUNCTIONS",
                },
            },
        }
    }

    /// Whether the clause writes (the clauses allowed inside FOREACH).
    pub fn is_updating(&self) -> bool {
        matches!(
            self,
            Clause::Create(_)
                | Clause::Merge(_)
                | Clause::Set(_)
                | Clause::Remove(_)
                | Clause::Delete(_)
                | Clause::Foreach(_)
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub optional: bool,
    /// `MATCH REPEATABLE ELEMENTS ...` / `MATCH DIFFERENT RELATIONSHIPS ...`;
    /// `None` when not written (different relationships).
    pub mode: Option<MatchMode>,
    pub pattern: Pattern,
    pub where_: Option<Expr>,
    pub span: Span,
}

/// The match mode of a MATCH clause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    /// `REPEATABLE ELEMENTS`: a relationship may occur more than once in a match.
    RepeatableElements,
    /// `DIFFERENT RELATIONSHIPS` (the default): no relationship occurs twice.
    DifferentRelationships,
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

/// `LET variable = expr [, variable = expr]...`
#[derive(Clone, Debug, PartialEq)]
pub struct Let {
    pub items: Vec<(Ident, Expr)>,
    pub span: Span,
}

/// `FINISH`
#[derive(Clone, Debug, PartialEq)]
pub struct Finish {
    pub span: Span,
}

/// `FILTER [WHERE] expr`
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub predicate: Expr,
    pub span: Span,
}

impl Let {
    /// What LET means: `WITH *, expr AS variable, ...`.
    pub fn as_with(&self) -> With {
        With {
            projection: Projection {
                distinct: false,
                star: true,
                items: self
                    .items
                    .iter()
                    .map(|(v, e)| ProjectionItem {
                        expr: e.clone(),
                        alias: Some(v.clone()),
                        text: v.name.clone(),
                    })
                    .collect(),
                order_by: Vec::new(),
                skip: None,
                limit: None,
            },
            where_: None,
            span: self.span,
        }
    }
}

impl Filter {
    /// What FILTER means: `WITH * WHERE expr`.
    pub fn as_with(&self) -> With {
        With {
            projection: Projection {
                distinct: false,
                star: true,
                items: Vec::new(),
                order_by: Vec::new(),
                skip: None,
                limit: None,
            },
            where_: Some(self.predicate.clone()),
            span: self.span,
        }
    }
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
    /// `target[key] = value`: a key computed at run time.
    DynamicProperty { target: Expr, key: Expr, value: Expr },
    /// `n:A:B`, `n:$(expr)`: a conjunction of labels (and dynamic labels).
    Labels { variable: Ident, labels: LabelExpr },
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
    /// `target[key]`: a key computed at run time.
    DynamicProperty { target: Expr, key: Expr },
    /// `n:A:B`, `n:$(expr)`: a conjunction of labels (and dynamic labels).
    Labels { variable: Ident, labels: LabelExpr },
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
    /// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR pattern REQUIRE ...`
    CreateConstraint(Box<CreateConstraint>),
    /// `DROP CONSTRAINT name [IF EXISTS]`
    DropConstraint { name: Ident, if_exists: bool },
    /// `SHOW ... INDEXES | CONSTRAINTS | PROCEDURES | FUNCTIONS [YIELD ...] [WHERE ...] [RETURN ...]`
    Show(Box<Show>),
}

/// `CREATE CONSTRAINT [name] [IF NOT EXISTS] FOR (n:L) | ()-[r:T]-() REQUIRE props kind [OPTIONS map]`
#[derive(Clone, Debug, PartialEq)]
pub struct CreateConstraint {
    pub name: Option<Ident>,
    pub if_not_exists: bool,
    /// The variable of the pattern (`n` in `FOR (n:L)`).
    pub variable: Ident,
    /// What the constraint is on: nodes with a label or relationships of a type.
    pub entity: ConstraintEntity,
    /// The property keys (`n.a` or `(n.a, n.b)`), in order; at least one.
    pub properties: Vec<Ident>,
    pub kind: ConstraintKind,
    /// `OPTIONS {...}`
    pub options: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintEntity {
    /// `(n:Label)`
    Node { label: Ident },
    /// `()-[r:TYPE]-()` (`direction` as written: `-` or `->` or `<-`)
    Relationship { rel_type: Ident, direction: Direction },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ConstraintKind {
    /// `IS UNIQUE` (also `IS NODE UNIQUE`, `IS RELATIONSHIP UNIQUE`)
    Unique,
    /// `IS NODE KEY` / `IS RELATIONSHIP KEY` (also `IS KEY`): existence and uniqueness.
    Key,
    /// `IS NOT NULL`
    NotNull,
    /// `IS :: TYPE` (also `IS TYPED TYPE`)
    Type(ValueType),
}

/// A SHOW command with its optional YIELD / WHERE / RETURN tail.
#[derive(Clone, Debug, PartialEq)]
pub struct Show {
    pub what: ShowWhat,
    /// `YIELD { * | field [AS alias], ... } [ORDER BY ...] [SKIP n] [LIMIT n]`
    pub yield_: Option<ShowYield>,
    /// `WHERE expr` (after YIELD, or on its own)
    pub where_: Option<Expr>,
    /// `RETURN ...` (only after YIELD)
    pub return_: Option<Return>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ShowWhat {
    /// `SHOW [ALL | RANGE | TEXT | POINT | LOOKUP | FULLTEXT | VECTOR] INDEX[ES]`
    Indexes(IndexFilter),
    /// `SHOW [ALL | UNIQUE | NODE KEY | ...] CONSTRAINT[S]`
    Constraints(ConstraintFilter),
    /// `SHOW PROCEDURE[S] [EXECUTABLE [BY user]]`
    Procedures { executable: Option<ExecutableBy> },
    /// `SHOW [ALL | BUILT IN | USER DEFINED] FUNCTION[S] [EXECUTABLE [BY user]]`
    Functions {
        filter: FunctionFilter,
        executable: Option<ExecutableBy>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IndexFilter {
    All,
    Range,
    Text,
    Point,
    Lookup,
    Fulltext,
    Vector,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintFilter {
    All,
    /// `UNIQUE` / `UNIQUENESS`
    Unique,
    /// `NODE UNIQUE` / `NODE UNIQUENESS`
    NodeUnique,
    /// `REL[ATIONSHIP] UNIQUE[NESS]`
    RelationshipUnique,
    /// `KEY`
    Key,
    /// `NODE KEY`
    NodeKey,
    /// `REL[ATIONSHIP] KEY`
    RelationshipKey,
    /// `[PROPERTY] EXIST[ENCE]`
    Existence,
    /// `NODE [PROPERTY] EXIST[ENCE]`
    NodeExistence,
    /// `REL[ATIONSHIP] [PROPERTY] EXIST[ENCE]`
    RelationshipExistence,
    /// `PROPERTY TYPE`
    PropertyType,
    /// `NODE PROPERTY TYPE`
    NodePropertyType,
    /// `REL[ATIONSHIP] PROPERTY TYPE`
    RelationshipPropertyType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FunctionFilter {
    All,
    BuiltIn,
    UserDefined,
}

/// `EXECUTABLE [BY CURRENT USER | BY name]`
#[derive(Clone, Debug, PartialEq)]
pub enum ExecutableBy {
    CurrentUser,
    User(Ident),
}

/// The YIELD of a SHOW command.
#[derive(Clone, Debug, PartialEq)]
pub struct ShowYield {
    /// `YIELD *`
    pub star: bool,
    /// `(column, alias)`
    pub items: Vec<(Ident, Option<Ident>)>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
    pub span: Span,
}

/// `[OPTIONAL] CALL [(a, b) | (*) | ()] { query } [IN TRANSACTIONS ...]`
#[derive(Clone, Debug, PartialEq)]
pub struct CallSubquery {
    /// `OPTIONAL CALL`: a row with nulls when the subquery returns none.
    pub optional: bool,
    /// The variables imported by the scope clause; `None` without one (the
    /// older form, importing with a leading `WITH` in the body).
    pub import: Option<ImportList>,
    pub body: Box<Query>,
    pub in_transactions: Option<InTransactions>,
    pub span: Span,
}

/// The scope clause of a CALL subquery.
#[derive(Clone, Debug, PartialEq)]
pub enum ImportList {
    /// `(*)`: every variable in scope.
    All,
    /// `(a, b)`; empty for `()`.
    Variables(Vec<Ident>),
}

/// `IN [n] [CONCURRENT] TRANSACTIONS [OF n ROWS] [ON ERROR ...] [REPORT STATUS AS s]`
#[derive(Clone, Debug, PartialEq)]
pub struct InTransactions {
    /// `IN [n] CONCURRENT TRANSACTIONS`
    pub concurrent: bool,
    /// The `n` of `IN n CONCURRENT TRANSACTIONS`.
    pub concurrency: Option<Expr>,
    /// `OF n ROWS`
    pub batch_size: Option<Expr>,
    pub on_error: Option<OnError>,
    /// `REPORT STATUS AS s`
    pub report_status: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnError {
    Continue,
    Break,
    Fail,
}

/// `FOREACH (variable IN list | clauses)`
#[derive(Clone, Debug, PartialEq)]
pub struct Foreach {
    pub variable: Ident,
    pub list: Expr,
    /// Updating clauses only (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH).
    pub clauses: Vec<Clause>,
    pub span: Span,
}

/// `CALL ns.name(args) YIELD a, b AS c WHERE ...`
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// `OPTIONAL CALL`
    pub optional: bool,
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
    /// `SHORTEST 2`, `ALL SHORTEST`, `ANY`, ... before the path pattern.
    pub selector: Option<PathSelector>,
    pub element: PatternElement,
    pub span: Span,
}

/// A path selector (GQL): which of the matching paths are kept, per pair of end nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct PathSelector {
    pub kind: SelectorKind,
    pub span: Span,
}

/// The counts are integer literals or parameters.
#[derive(Clone, Debug, PartialEq)]
pub enum SelectorKind {
    /// `ANY [k] [PATH[S]]`: any k paths (1 without k).
    Any(Option<Expr>),
    /// `ALL [PATH[S]]`: every path (the default).
    All,
    /// `ANY SHORTEST [PATH[S]]`: one shortest path.
    AnyShortest,
    /// `ALL SHORTEST [PATH[S]]`: every shortest path.
    AllShortest,
    /// `SHORTEST k [PATH[S]]`: the k shortest paths.
    Shortest(Expr),
    /// `SHORTEST [k] [PATH[S]] GROUP[S]`: every path of the k shortest lengths (1 without k).
    ShortestGroups(Option<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    Normal,
    ShortestPath,
    AllShortestPaths,
}

/// `(a)-[r]->(b)<-[s]-(c)`: a start node and a chain of (step, node) pairs,
/// where a step is a relationship (possibly quantified) or a parenthesised
/// path (possibly quantified, GQL's quantified path pattern).
///
/// A parenthesised path written without a node before (after) it gets an
/// empty node pattern there: `((a)-->(b))+` is `() ((a)-->(b))+ ()`, which
/// means the same (juxtaposed node patterns are one node).
#[derive(Clone, Debug, PartialEq)]
pub struct PatternElement {
    pub start: NodePattern,
    pub chain: Vec<(PathStep, NodePattern)>,
    pub span: Span,
}

impl PatternElement {
    /// The relationships of a simple chain (no parenthesised paths, no
    /// quantified relationships), the only form before QPPs; `None` otherwise.
    pub fn simple_rels(&self) -> Option<Vec<&RelPattern>> {
        self.chain
            .iter()
            .map(|(s, _)| match s {
                PathStep::Rel(r) if r.quantifier.is_none() => Some(r),
                _ => None,
            })
            .collect()
    }

    /// The relationships of the chain, in order (parenthesised paths skipped):
    /// for stages that have checked [`PatternElement::simple_rels`] first.
    pub fn rels(&self) -> Vec<&RelPattern> {
        self.chain.iter().filter_map(|(s, _)| s.rel()).collect()
    }

    /// The node patterns, in order (those inside parenthesised paths excluded).
    pub fn nodes(&self) -> impl Iterator<Item = &NodePattern> {
        std::iter::once(&self.start).chain(self.chain.iter().map(|(_, n)| n))
    }
}

/// What joins two node patterns of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum PathStep {
    Rel(RelPattern),
    /// `((a)-[r]->(b) WHERE ...){1,3}`
    Group(Box<PathGroup>),
}

impl PathStep {
    /// The relationship, when the step is one.
    pub fn rel(&self) -> Option<&RelPattern> {
        match self {
            PathStep::Rel(r) => Some(r),
            PathStep::Group(_) => None,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            PathStep::Rel(r) => r.span,
            PathStep::Group(g) => g.span,
        }
    }
}

/// A parenthesised path pattern: `( path [WHERE expr] ) [quantifier]`.
/// Variables bound inside a quantified group are lists outside it.
#[derive(Clone, Debug, PartialEq)]
pub struct PathGroup {
    pub element: PatternElement,
    pub where_: Option<Expr>,
    pub quantifier: Option<PathQuantifier>,
    pub span: Span,
}

/// `+` (1 or more), `*` (0 or more), `{n}`, `{n,}`, `{,m}`, `{n,m}`.
#[derive(Clone, Debug, PartialEq)]
pub struct PathQuantifier {
    pub min: u64,
    /// `None`: no upper bound.
    pub max: Option<u64>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    /// `:A:B`, `:A|B`, `:!A&%`, `:$(expr)`; `None` when there is none.
    pub labels: Option<LabelExpr>,
    /// A map literal or a parameter.
    pub properties: Option<Box<Expr>>,
    /// `(n:A WHERE n.x > 1)`
    pub where_: Option<Box<Expr>>,
    pub span: Span,
}

impl NodePattern {
    /// The labels of a plain conjunction (`:A:B`, `:A&B`); empty when there is
    /// no label or for any other expression (check [`LabelExpr::as_conjunction`] first).
    pub fn label_names(&self) -> Vec<&Ident> {
        self.labels
            .as_ref()
            .and_then(|l| l.as_conjunction())
            .unwrap_or_default()
    }
}

/// A label expression (on nodes) or a type expression (on relationships).
#[derive(Clone, Debug, PartialEq)]
pub struct LabelExpr {
    pub kind: LabelExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum LabelExprKind {
    /// A label or type name.
    Label(Ident),
    /// `$(expr)` or `$all(expr)` (`any: false`: every label of the string or
    /// list of strings) and `$any(expr)` (`any: true`: one of them).
    Dynamic { expr: Box<Expr>, any: bool },
    /// `%`: any label (a node with at least one label), any type.
    Wildcard,
    /// `!x`
    Not(Box<LabelExpr>),
    /// `x&y&...` (two or more)
    And(Vec<LabelExpr>),
    /// `x|y|...` (two or more; also the older `[:A|:B]`)
    Or(Vec<LabelExpr>),
    /// The older `:A:B` conjunction (two or more names or dynamic labels).
    Colon(Vec<LabelExpr>),
}

impl LabelExpr {
    pub fn label(name: Ident) -> LabelExpr {
        let span = name.span;
        LabelExpr {
            kind: LabelExprKind::Label(name),
            span,
        }
    }

    /// The names of a plain conjunction (`:A`, `:A:B`, `:A&B`), the only
    /// form before label expressions; `None` for any other expression.
    pub fn as_conjunction(&self) -> Option<Vec<&Ident>> {
        match &self.kind {
            LabelExprKind::Label(l) => Some(vec![l]),
            LabelExprKind::And(items) | LabelExprKind::Colon(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(i.as_conjunction()?);
                }
                Some(out)
            }
            _ => None,
        }
    }

    /// The names of a plain disjunction (`:A`, `:A|B`, `:A|:B`), the only
    /// form of relationship types before type expressions; `None` otherwise.
    pub fn as_disjunction(&self) -> Option<Vec<&Ident>> {
        match &self.kind {
            LabelExprKind::Label(l) => Some(vec![l]),
            LabelExprKind::Or(items) => items
                .iter()
                .map(|i| match &i.kind {
                    LabelExprKind::Label(l) => Some(l),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }
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
    /// `[:A|B]`, `[:!A]`, `[:%]`, `[:$(expr)]`; `None` means any type.
    pub types: Option<LabelExpr>,
    /// `*`, `*2`, `*1..3`, `*..5`, `*2..`; `None` for a single hop.
    pub length: Option<Range>,
    pub properties: Option<Box<Expr>>,
    /// `-[r WHERE r.w > 2]->`
    pub where_: Option<Box<Expr>>,
    /// `-[r]->{1,3}` (a quantified relationship, GQL)
    pub quantifier: Option<PathQuantifier>,
    pub span: Span,
}

impl RelPattern {
    /// The type names of a plain `[:A|B]` (empty when there is no type), the
    /// only form before type expressions; `None` for any other expression.
    pub fn type_names(&self) -> Option<Vec<&Ident>> {
        match &self.types {
            None => Some(Vec::new()),
            Some(t) => t.as_disjunction(),
        }
    }

    /// [`RelPattern::type_names`], empty for the other forms (check it first).
    pub fn type_list(&self) -> Vec<&Ident> {
        self.type_names().unwrap_or_default()
    }
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
    /// `n:A:B`, `n:A|B`, `n:(A&!B)` as a predicate
    HasLabels(Box<Expr>, LabelExpr),
    /// `expr IS [NOT] :: TYPE` (`expr :: TYPE`, `expr IS [NOT] TYPED TYPE`); `true` for NOT.
    IsType(Box<Expr>, ValueType, bool),
    /// `expr IS [NOT] [NFC|NFD|NFKC|NFKD] NORMALIZED`; `true` for NOT.
    IsNormalized(Box<Expr>, NormalForm, bool),
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
    /// `EXISTS { MATCH ... }` or `EXISTS { (a)-->(b) WHERE ... }` (a MATCH query then)
    Exists(Box<Query>),
    /// `COUNT { ... }`, in the same forms as EXISTS.
    CountSubquery(Box<Query>),
    /// `COLLECT { ... RETURN x }`: a full query returning one column.
    CollectSubquery(Box<Query>),
    /// `v {.key, .*, key: expr, other}`
    MapProjection {
        variable: Ident,
        items: Vec<MapProjectionItem>,
    },
}

/// A Unicode normalization form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NormalForm {
    Nfc,
    Nfd,
    Nfkc,
    Nfkd,
}

impl NormalForm {
    pub fn name(self) -> &'static str {
        match self {
            NormalForm::Nfc => "NFC",
            NormalForm::Nfd => "NFD",
            NormalForm::Nfkc => "NFKC",
            NormalForm::Nfkd => "NFKD",
        }
    }
}

/// A value type, as in type predicates (`x IS :: INTEGER NOT NULL`) and
/// property type constraints. Synonyms are folded (`INT` is `Integer`,
/// `TIMESTAMP WITH TIME ZONE` is `ZonedDateTime`, `ARRAY<T>` and `T LIST` are `List`).
#[derive(Clone, Debug, PartialEq)]
pub struct ValueType {
    pub kind: ValueTypeKind,
    /// `T NOT NULL` (or `T!`): null is not of the type.
    pub not_null: bool,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ValueTypeKind {
    /// `ANY` (`ANY VALUE`): every value.
    Any,
    /// `NOTHING`: no value.
    Nothing,
    /// `NULL`: only null.
    Null,
    Boolean,
    String,
    Integer,
    Float,
    Date,
    LocalTime,
    ZonedTime,
    LocalDateTime,
    ZonedDateTime,
    Duration,
    Point,
    Node,
    Relationship,
    Map,
    Path,
    /// `PROPERTY VALUE` (`ANY PROPERTY VALUE`): any value a property can hold.
    PropertyValue,
    /// `LIST<T>` (`ARRAY<T>`, `T LIST`); `ANY LIST` is `LIST<ANY>`.
    List(Box<ValueType>),
    /// `A | B` or `ANY<A | B>`: a closed dynamic union (two or more).
    Union(Vec<ValueType>),
}
