//! Compiled expressions: the AST's expressions with variables resolved to
//! row slots and names to interned ids, ready to evaluate.

use std::sync::Arc;

use crate::ast::{BinaryOp, Quantifier, UnaryOp};
use crate::functions::FunctionDef;
use crate::store::NameRef;
use crate::value::Value;

use super::MatchPlan;

#[derive(Clone, Debug)]
pub enum Expr {
    Const(Value),
    Param(Arc<str>),
    Slot(usize),
    List(Vec<Expr>),
    Map(Vec<(Arc<str>, Expr)>),
    Property(Box<Expr>, NameRef),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `a < b < c`-style chains are already split; `And`/`Or` short-circuit.
    IsNull(Box<Expr>, bool),
    HasLabels(Box<Expr>, Vec<NameRef>),
    /// `n:A|B`, `r:!T`, `n:$(e)`: a label or type expression as a predicate.
    LabelTest(Box<Expr>, Box<super::LabelPred>),
    /// `x IS [NOT] :: TYPE` (`true`: NOT).
    IsType(Box<Expr>, crate::ast::ValueType, bool),
    /// `x IS [NOT] NF NORMALIZED` (`true`: NOT).
    IsNormalized(Box<Expr>, crate::ast::NormalForm, bool),
    /// `COUNT { ... }`: how many rows the sub-pipeline yields.
    CountSubquery(Box<super::Pipeline>),
    /// `COLLECT { ... }`: the sub-pipeline's single column, as a list.
    CollectSubquery(Box<super::Pipeline>),
    Function(&'static FunctionDef, Vec<Expr>),
    Case {
        operand: Option<Box<Expr>>,
        whens: Vec<(Expr, Expr)>,
        else_: Option<Box<Expr>>,
    },
    ListComprehension {
        slot: usize,
        list: Box<Expr>,
        predicate: Option<Box<Expr>>,
        projection: Option<Box<Expr>>,
    },
    Quantified {
        quantifier: Quantifier,
        slot: usize,
        list: Box<Expr>,
        predicate: Box<Expr>,
    },
    Reduce {
        acc: usize,
        init: Box<Expr>,
        slot: usize,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// Rows of the pattern, projected: `[(a)-->(b) WHERE .. | b.name]`.
    PatternComprehension {
        pattern: Box<MatchPlan>,
        projection: Box<Expr>,
    },
    /// Whether the pattern has at least one match.
    PatternExists(Box<MatchPlan>),
    /// A relationship pattern used as a value: the list of its paths.
    PatternList(Box<MatchPlan>, usize),
    /// `EXISTS { ... }`: whether the sub-pipeline yields a row.
    Exists(Box<super::Pipeline>),
    MapProjection {
        base: Box<Expr>,
        items: Vec<MapProjectionItem>,
    },
}

#[derive(Clone, Debug)]
pub enum MapProjectionItem {
    Property(NameRef),
    AllProperties,
    Entry(Arc<str>, Expr),
}
