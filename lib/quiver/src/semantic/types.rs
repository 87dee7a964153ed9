//! What the semantic stage can tell about an expression's type before running it,
//! so that errors the TCK calls compile-time (`NOT 1`, `WITH 1 AS n MATCH (n)`)
//! are reported before anything runs.

use crate::ast::{self, BinaryOp, ExprKind, Literal, UnaryOp};

use super::scope::{Scope, VarKind};

/// A statically known type; `Any` when it depends on data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Any,
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
    Node,
    Relationship,
    Path,
}

impl Ty {
    pub fn name(self) -> &'static str {
        match self {
            Ty::Any => "Any",
            Ty::Null => "Null",
            Ty::Bool => "Boolean",
            Ty::Int => "Integer",
            Ty::Float => "Float",
            Ty::String => "String",
            Ty::List => "List",
            Ty::Map => "Map",
            Ty::Node => "Node",
            Ty::Relationship => "Relationship",
            Ty::Path => "Path",
        }
    }

    /// Whether a value of this type can be a boolean operand (null can).
    pub fn may_be_boolean(self) -> bool {
        matches!(self, Ty::Any | Ty::Null | Ty::Bool)
    }

    /// Whether a value of this type can be an arithmetic operand (temporals hide in `Any`).
    pub fn may_be_number(self) -> bool {
        matches!(self, Ty::Any | Ty::Null | Ty::Int | Ty::Float)
    }

    pub fn of_kind(kind: VarKind) -> Ty {
        match kind {
            VarKind::Node => Ty::Node,
            VarKind::Relationship => Ty::Relationship,
            VarKind::RelationshipList => Ty::List,
            VarKind::Path => Ty::Path,
            VarKind::Value(t) => t,
        }
    }
}

/// The static type of `e` in `scope`.
pub fn infer(e: &ast::Expr, scope: &Scope) -> Ty {
    crate::stack::guarded(|| infer_inner(e, scope))
}

fn infer_inner(e: &ast::Expr, scope: &Scope) -> Ty {
    match &e.kind {
        ExprKind::Literal(l) => match l {
            Literal::Null => Ty::Null,
            Literal::Bool(_) => Ty::Bool,
            Literal::Int(_) => Ty::Int,
            Literal::Float(_) => Ty::Float,
            Literal::String(_) => Ty::String,
        },
        ExprKind::Variable(v) => scope.get(v).map_or(Ty::Any, |(_, k)| Ty::of_kind(k)),
        ExprKind::List(_) | ExprKind::ListComprehension { .. } | ExprKind::PatternComprehension { .. } => Ty::List,
        ExprKind::Slice(..) => Ty::List,
        ExprKind::Map(_) | ExprKind::MapProjection { .. } => Ty::Map,
        ExprKind::Unary(UnaryOp::Not, _) => Ty::Bool,
        ExprKind::Unary(_, a) => match infer(a, scope) {
            t @ (Ty::Int | Ty::Float | Ty::Null) => t,
            _ => Ty::Any,
        },
        ExprKind::Binary(op, a, b) => match op {
            BinaryOp::Or
            | BinaryOp::Xor
            | BinaryOp::And
            | BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge
            | BinaryOp::In
            | BinaryOp::StartsWith
            | BinaryOp::EndsWith
            | BinaryOp::Contains
            | BinaryOp::RegexMatch => Ty::Bool,
            BinaryOp::Pow => Ty::Float,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                match (infer(a, scope), infer(b, scope)) {
                    (Ty::Int, Ty::Int) => Ty::Int,
                    (Ty::Int | Ty::Float, Ty::Int | Ty::Float) => Ty::Float,
                    (Ty::String, Ty::String | Ty::Int | Ty::Float) if *op == BinaryOp::Add => Ty::String,
                    (Ty::List, _) | (_, Ty::List) if *op == BinaryOp::Add => Ty::List,
                    _ => Ty::Any,
                }
            }
        },
        ExprKind::IsNull(..) | ExprKind::HasLabels(..) | ExprKind::Quantified { .. } | ExprKind::Exists(_) => Ty::Bool,
        ExprKind::CountStar => Ty::Int,
        ExprKind::Pattern(_) => Ty::List,
        ExprKind::FunctionCall { name, .. } => {
            let n = super::function_name(name);
            match n.as_str() {
                "count" | "size" | "length" | "id" | "tointeger" | "sign" => Ty::Int,
                "tostring" | "toupper" | "tolower" | "trim" | "ltrim" | "rtrim" | "replace" | "substring" | "left"
                | "right" | "type" => Ty::String,
                "tofloat" | "avg" | "stdev" | "stdevp" | "sqrt" | "exp" | "log" | "log10" | "rand" | "pi" | "e" => {
                    Ty::Float
                }
                "labels" | "keys" | "nodes" | "relationships" | "collect" | "range" | "split" | "tail" | "reverse" => {
                    Ty::List
                }
                "properties" => Ty::Map,
                "startnode" | "endnode" => Ty::Node,
                "toboolean" | "exists" => Ty::Bool,
                _ => Ty::Any,
            }
        }
        _ => Ty::Any,
    }
}

/// Argument types a graph function can never accept, for compile-time errors.
pub fn function_rejects(name: &str, arg: Ty) -> bool {
    let accepts: &[Ty] = match name {
        "labels" => &[Ty::Node],
        "type" | "startnode" | "endnode" => &[Ty::Relationship],
        "properties" | "keys" => &[Ty::Node, Ty::Relationship, Ty::Map],
        "length" => &[Ty::Path, Ty::String, Ty::List],
        "size" => &[Ty::String, Ty::List],
        "nodes" | "relationships" => &[Ty::Path],
        "id" => &[Ty::Node, Ty::Relationship],
        _ => return false,
    };
    !matches!(arg, Ty::Any | Ty::Null) && !accepts.contains(&arg)
}

/// The type every element of a list literal shares (nulls aside), else `Any`.
pub fn element_type(list: &ast::Expr, scope: &Scope) -> Ty {
    let ExprKind::List(items) = &list.kind else {
        return Ty::Any;
    };
    let mut found: Option<Ty> = None;
    for i in items {
        match (infer(i, scope), found) {
            (Ty::Null, _) => {}
            (t, None) => found = Some(t),
            (t, Some(f)) if t == f => {}
            _ => return Ty::Any,
        }
    }
    found.unwrap_or(Ty::Any)
}
