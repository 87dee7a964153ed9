//! Plans: what the executor runs. A query becomes a pipeline of operators,
//! each taking the rows of the one before (Cypher's clause-at-a-time
//! semantics); UNION joins pipelines.
//!
//! The planner (`planner.rs`) turns a bound AST (`semantic::bind::Bound`) into a `QueryPlan`; pattern
//! matching is planned in `pattern.rs`, WITH/RETURN in `projection.rs`;
//! `explain.rs` prints a plan for EXPLAIN.

mod explain;
pub mod expr;
mod pattern;
mod planner;
mod projection;
mod scan_aggregate;
mod scan_top;
mod seek;

// Scopes and static types belong to the semantic stage; the planner reads them.
use crate::semantic::scope;
pub use crate::semantic::types;

use std::sync::Arc;

use crate::ast::{self, Direction};
use crate::store::NameRef;

pub use expr::Expr;
pub use planner::{plan_query, PlanError, PlanOptions};
pub use scan_aggregate::{NodeExpr, ScanAggregatePlan};
pub use scan_top::ScanTopPlan;
pub use scope::Scope;

#[derive(Clone, Debug)]
pub struct QueryPlan {
    pub columns: Vec<String>,
    /// One pipeline per UNION branch.
    pub branches: Vec<Pipeline>,
    /// `true` where the UNION before branch `i + 1` is `UNION ALL`.
    pub union_all: Vec<bool>,
    /// Whether the query writes (so the executor journals it).
    pub writes: bool,
}

/// Operators applied in order to a batch of rows, starting from one empty row.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    pub ops: Vec<Op>,
    /// Row width (slots) at the end of the pipeline.
    pub width: usize,
}

#[derive(Clone, Debug)]
pub enum Op {
    Match(MatchPlan),
    Optional {
        plan: MatchPlan,
    },
    Filter(Expr),
    Unwind {
        expr: Expr,
        slot: usize,
    },
    /// Computes new rows from expressions; `keep` appends the old row after
    /// the new columns (so ORDER BY can still see the old variables).
    Project {
        exprs: Vec<Expr>,
        keep: bool,
    },
    Aggregate {
        keys: Vec<Expr>,
        aggregates: Vec<AggregateCall>,
    },
    /// A label scan and the aggregation after it, in one (see `scan_aggregate.rs`).
    ScanAggregate(Box<ScanAggregatePlan>),
    /// A label scan and the `Top` after it, in one (see `scan_top.rs`).
    ScanTop(Box<ScanTopPlan>),
    /// ORDER BY with a LIMIT: keeps the first `limit` (+ `skip`) rows in
    /// order (a bounded heap), not a sort of every row.
    Top {
        keys: Vec<(Expr, bool)>,
        limit: Expr,
        skip: Option<Expr>,
    },
    Distinct {
        /// Only the first `width` slots decide distinctness.
        width: usize,
    },
    Sort(Vec<(Expr, bool)>),
    Skip(Expr),
    Limit(Expr),
    /// Drops slots past `width`.
    Truncate(usize),
    Create(Vec<CreatePart>),
    Merge(MergePlan),
    Set(Vec<SetOp>),
    Remove(Vec<RemoveOp>),
    Delete {
        exprs: Vec<Expr>,
        detach: bool,
    },
    Call(CallPlan),
    /// `LOAD CSV`: one row per record of the file, for each incoming row.
    LoadCsv(LoadCsvPlan),
    Schema(SchemaOp),
    /// `CALL [(imports)] { ... }`: the body runs once per incoming row.
    Subquery(Box<SubqueryPlan>),
    /// The branches of a UNION inside a subquery, each run from the incoming row.
    Union(Box<UnionPlan>),
    /// `FOREACH (x IN list | ...)`: the body runs for each element; the rows pass unchanged.
    Foreach(Box<ForeachPlan>),
    /// `SHOW PROCEDURES` / `SHOW FUNCTIONS`: one row per entry, every column.
    ShowRoutines {
        procedures: bool,
        filter: ast::FunctionFilter,
    },
    /// `EXPLAIN`-only marker of the final projection's column names.
    Produce(Vec<String>),
}

impl Op {
    /// Whether the operator changes the graph (it then runs over every row
    /// the operators before it make, before the ones after it start).
    pub fn writes(&self) -> bool {
        match self {
            Op::Create(_) | Op::Merge(_) | Op::Set(_) | Op::Remove(_) | Op::Delete { .. } => true,
            Op::Schema(s) => !matches!(
                s,
                SchemaOp::ShowIndexes | SchemaOp::ShowIndexesFull(_) | SchemaOp::ShowConstraints(_)
            ),
            Op::Subquery(s) => s.batching.is_some() || s.body.writes(),
            Op::Union(u) => u.branches.iter().any(Pipeline::writes),
            Op::Foreach(_) => true,
            _ => false,
        }
    }
}

impl Pipeline {
    /// Whether any operator of the pipeline writes.
    pub fn writes(&self) -> bool {
        self.ops.iter().any(Op::writes)
    }
}

#[derive(Clone, Debug)]
pub struct SubqueryPlan {
    /// Starts from the incoming row; ends with the returned columns in slots `0..k`.
    pub body: Pipeline,
    /// Where column `i` of the body goes in the outer row; empty for a unit subquery.
    pub returns: Vec<usize>,
    /// No RETURN: each incoming row comes out once, whatever the body made.
    pub unit: bool,
    /// `OPTIONAL CALL`: a row with nulls when the body yields none.
    pub optional: bool,
    /// The imported variables as written, for EXPLAIN (`*` for all).
    pub imports: Vec<String>,
    /// `IN TRANSACTIONS`: the body runs over batches of rows, each committed on its own.
    pub batching: Option<BatchPlan>,
}

/// `IN [n CONCURRENT] TRANSACTIONS [OF n ROWS] [ON ERROR ...] [REPORT STATUS AS s]`.
#[derive(Clone, Debug)]
pub struct BatchPlan {
    /// `OF n ROWS` (a literal or a parameter); 1000 rows without it.
    pub rows: Option<Expr>,
    /// `IN n CONCURRENT`: checked, then run one batch after another.
    pub concurrency: Option<Expr>,
    pub on_error: crate::ast::OnError,
    /// Where `REPORT STATUS AS s` puts each row's status map.
    pub status: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct UnionPlan {
    pub branches: Vec<Pipeline>,
    /// UNION (not UNION ALL): each distinct row once.
    pub distinct: bool,
    /// The number of columns.
    pub width: usize,
}

#[derive(Clone, Debug)]
pub struct ForeachPlan {
    pub list: Expr,
    /// Where each element goes.
    pub slot: usize,
    pub variable: String,
    pub body: Pipeline,
}

#[derive(Clone, Debug)]
pub struct AggregateCall {
    pub name: Arc<str>,
    pub distinct: bool,
    /// Empty for `count(*)`.
    pub args: Vec<Expr>,
}

/// How to match a pattern: its parts, each a chain of steps from a start
/// node, then the predicate and the uniqueness check over its relationships.
#[derive(Clone, Debug)]
pub struct MatchPlan {
    pub parts: Vec<PartPlan>,
    pub predicate: Option<Expr>,
    /// Slots holding relationships (or lists of them) that must all differ.
    pub unique_rels: Vec<usize>,
    /// Slots this match binds (set to null by OPTIONAL MATCH when nothing matches).
    pub new_slots: Vec<usize>,
    /// `MATCH REPEATABLE ELEMENTS`: a relationship may occur more than once.
    pub repeatable: bool,
}

#[derive(Clone, Debug)]
pub struct PartPlan {
    pub start: NodeStep,
    pub steps: Vec<ExpandStep>,
    /// `p = ...`: the slot of the path and how to assemble it.
    pub path: Option<PathBuild>,
    pub shortest: Option<ShortestKind>,
    /// A path selector (`SHORTEST 2`, `ANY`, ...): the part is matched on its
    /// own by `sub`, and only the selected matches are kept.
    pub selector: Option<Box<SelectorPlan>>,
}

/// Which of a part's matches a path selector keeps, per pair of end nodes.
#[derive(Clone, Debug)]
pub struct SelectorPlan {
    pub kind: SelectorKind,
    /// The `k` of the selector (paths or groups).
    pub count: Expr,
    /// The part alone, with its inline predicates.
    pub sub: MatchPlan,
    /// Where the part's path, first and last node are.
    pub path_slot: usize,
    pub start_slot: usize,
    pub end_slot: usize,
    /// The slots the part binds (copied out of each selected match).
    pub slots: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectorKind {
    /// `ANY k`
    Any,
    /// `SHORTEST k` (also `ANY SHORTEST`: k = 1)
    Shortest,
    /// `SHORTEST k GROUPS` (also `ALL SHORTEST`: k = 1)
    ShortestGroups,
}

/// A quantified path pattern `((a)-[r]->(b) WHERE ...){min,max}`: the inner
/// pattern matched again and again from where the last iteration ended.
#[derive(Clone, Debug)]
pub struct GroupPlan {
    pub min: u64,
    pub max: Option<u64>,
    /// One iteration, its start node bound (at `start_slot`).
    pub inner: MatchPlan,
    pub start_slot: usize,
    pub end_slot: usize,
    /// The iteration's path (its relationships in order).
    pub path_slot: usize,
    /// `(slot inside an iteration, slot of the list outside)` per group variable.
    pub vars: Vec<(usize, usize)>,
    /// The quantifier as written, for EXPLAIN.
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShortestKind {
    One,
    All,
}

#[derive(Clone, Debug)]
pub struct NodeStep {
    /// Where an index answers for the start node instead of a scan.
    pub seek: Option<IndexSeek>,
    pub slot: usize,
    /// The variable as written (empty when anonymous), for EXPLAIN.
    pub name: Arc<str>,
    /// Already bound when the step runs: check it rather than scan.
    pub bound: bool,
    pub labels: Vec<NameRef>,
    /// A label expression beyond a plain conjunction (`:A|B`, `:!A`, `:%`, `:$(e)`).
    pub label_pred: Option<LabelPred>,
    pub props: Vec<(NameRef, Expr)>,
    /// A `$param` map of properties to match.
    pub props_param: Option<Expr>,
    /// The entry of `props` that `seek` looks up (an equality of the
    /// pattern's own map): when the index answers for a value whose index
    /// equality is the language's (an integer, a string, a boolean), its
    /// nodes need not check it again.
    pub seek_covers: Option<usize>,
}

/// A label expression (nodes) or type expression (relationships), compiled.
#[derive(Clone, Debug)]
pub enum LabelPred {
    Name(NameRef),
    /// `$(e)` / `$all(e)` (every name of a string or list of strings) and `$any(e)` (one of them).
    Dynamic {
        expr: Box<Expr>,
        any: bool,
    },
    /// `%`: at least one label (every relationship has a type).
    Wildcard,
    Not(Box<LabelPred>),
    And(Vec<LabelPred>),
    Or(Vec<LabelPred>),
}

/// Nodes found through the index of `key` on `label`.
#[derive(Clone, Debug)]
pub struct IndexSeek {
    pub label: NameRef,
    pub key: NameRef,
    pub kind: SeekKind,
}

#[derive(Clone, Debug)]
pub enum SeekKind {
    Equal(Expr),
    In(Expr),
    Range {
        lower: Option<(Expr, bool)>,
        upper: Option<(Expr, bool)>,
    },
}

#[derive(Clone, Debug)]
pub struct ExpandStep {
    pub from: usize,
    /// The start node's variable as written, for EXPLAIN.
    pub from_name: Arc<str>,
    pub rel_slot: usize,
    /// The relationship variable as written (empty when anonymous), for EXPLAIN.
    pub rel_name: Arc<str>,
    pub rel_bound: bool,
    pub direction: Direction,
    pub types: Vec<NameRef>,
    /// A type expression beyond a plain disjunction (`:!T`, `:A&B`, `:%`, `:$(e)`).
    pub type_pred: Option<LabelPred>,
    pub rel_props: Vec<(NameRef, Expr)>,
    pub rel_props_param: Option<Expr>,
    /// `Some` for variable length: `(min, max)` hops.
    pub var_length: Option<(u64, Option<u64>)>,
    /// Expanding against the pattern's written order (a var-length list is
    /// collected backwards and must be reversed).
    pub reversed: bool,
    /// A quantified path pattern: `rel_slot` holds every relationship it walked.
    pub group: Option<Box<GroupPlan>>,
    pub to: NodeStep,
}

/// Where the nodes and relationships of a named path live.
#[derive(Clone, Debug)]
pub struct PathBuild {
    pub slot: usize,
    pub start: usize,
    /// `(relationship slot, is var-length list, node slot)` per step, in pattern order.
    pub steps: Vec<(usize, bool, usize)>,
}

#[derive(Clone, Debug)]
pub struct CreatePart {
    pub nodes: Vec<CreateNode>,
    pub rels: Vec<CreateRel>,
    pub path: Option<PathBuild>,
}

#[derive(Clone, Debug)]
pub struct CreateNode {
    pub slot: usize,
    /// Bound earlier: reuse, don't create.
    pub bound: bool,
    pub labels: Vec<NameRef>,
    /// `$(expr)` labels: a string or a list of strings each, evaluated per row.
    pub dynamic_labels: Vec<Expr>,
    pub props: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct CreateRel {
    pub slot: usize,
    pub from: usize,
    pub to: usize,
    pub rel_type: NameRef,
    /// `[:$(expr)]`: the type, a string evaluated per row (then `rel_type` is unused).
    pub dynamic_type: Option<Expr>,
    pub props: Option<Expr>,
}

#[derive(Clone, Debug)]
pub struct MergePlan {
    pub pattern: MatchPlan,
    pub create: CreatePart,
    pub on_create: Vec<SetOp>,
    pub on_match: Vec<SetOp>,
}

#[derive(Clone, Debug)]
pub enum SetOp {
    Property {
        target: Expr,
        key: NameRef,
        value: Expr,
    },
    Replace {
        target: Expr,
        value: Expr,
    },
    Merge {
        target: Expr,
        value: Expr,
    },
    /// `n[key] = value`: the key is computed per row.
    DynamicProperty {
        target: Expr,
        key: Expr,
        value: Expr,
    },
    /// `n:A:$(expr)`: names, and dynamic labels evaluated per row.
    Labels {
        target: Expr,
        labels: Vec<NameRef>,
        dynamic: Vec<Expr>,
    },
}

#[derive(Clone, Debug)]
pub enum RemoveOp {
    Property {
        target: Expr,
        key: NameRef,
    },
    /// `REMOVE n[key]`
    DynamicProperty {
        target: Expr,
        key: Expr,
    },
    Labels {
        target: Expr,
        labels: Vec<NameRef>,
        dynamic: Vec<Expr>,
    },
}

#[derive(Clone, Debug)]
pub enum SchemaOp {
    CreateIndex {
        name: String,
        label: NameRef,
        key: NameRef,
        if_not_exists: bool,
    },
    DropIndex {
        name: String,
        if_exists: bool,
    },
    /// Rows of `name`, `label`, `property`, `entries`.
    ShowIndexes,
    /// Every column of `SHOW INDEXES` as the manual lists them (with YIELD), of one kind.
    ShowIndexesFull(ast::IndexFilter),
    CreateConstraint(Box<ConstraintPlan>),
    DropConstraint {
        name: String,
        if_exists: bool,
    },
    /// Every column of `SHOW CONSTRAINTS`, of one kind.
    ShowConstraints(ast::ConstraintFilter),
}

/// `CREATE CONSTRAINT`, names resolved as far as the catalog knows them.
#[derive(Clone, Debug)]
pub struct ConstraintPlan {
    /// `None`: a name is made from the rule.
    pub name: Option<String>,
    pub if_not_exists: bool,
    pub on: ConstraintOn,
    pub keys: Vec<NameRef>,
    pub requirement: crate::store::Requirement,
}

#[derive(Clone, Debug)]
pub enum ConstraintOn {
    Label(NameRef),
    Type(NameRef),
}

#[derive(Clone, Debug)]
pub struct CallPlan {
    pub name: String,
    pub args: Vec<Expr>,
    /// `(index of the output field, slot)` for each yielded field.
    pub yields: Vec<(usize, usize)>,
    /// A standalone CALL without YIELD: the result is the procedure's output as is.
    pub standalone: bool,
    /// `OPTIONAL CALL`: a row with the yielded fields null when the procedure returns none.
    pub optional: bool,
}

#[derive(Clone, Debug)]
pub struct LoadCsvPlan {
    /// The file's URL or path.
    pub url: Expr,
    /// The first record names the fields: rows are maps.
    pub headers: bool,
    pub terminator: u8,
    /// Where the row (a list or a map of strings) goes.
    pub slot: usize,
    /// Where `linenumber()` and `file()` read the record's line and the file's path.
    pub line_slot: usize,
    pub file_slot: usize,
}

/// The hidden variables `linenumber()` and `file()` read (a name with a
/// space cannot be written in a query).
pub const LINENUMBER_VAR: &str = " linenumber";
pub const FILE_VAR: &str = " file";

/// The plan as text, one operator a line (EXPLAIN).
pub fn explain(plan: &QueryPlan) -> String {
    explain::Explain { plan, profile: None }.to_string()
}

/// What one operator did when the statement ran (PROFILE).
#[derive(Clone, Copy, Debug, Default)]
pub struct OpProfile {
    pub rows: usize,
    /// Time spent in the operator itself, without the operators feeding it.
    pub time: std::time::Duration,
}

/// The plan with what each operator did: per branch, per operator (PROFILE).
pub fn profile(plan: &QueryPlan, stats: &[Vec<OpProfile>]) -> String {
    explain::Explain {
        plan,
        profile: Some(stats),
    }
    .to_string()
}

pub(crate) fn direction_arrow(d: Direction) -> (&'static str, &'static str) {
    match d {
        Direction::Outgoing => ("-", "->"),
        Direction::Incoming => ("<-", "-"),
        Direction::Both => ("-", "-"),
    }
}
