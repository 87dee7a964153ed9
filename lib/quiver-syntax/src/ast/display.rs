//! Prints the tree back as query text that parses to the same tree (spans
//! aside). Composite operands are parenthesised, so precedence survives
//! whatever the operators are.
//!
//! A projection item without an alias is printed as its `text` (what was
//! written, which becomes the column name), so the column names survive too;
//! an item with an empty `text` is printed from its expression.

use std::fmt::{self, Display, Formatter, Write};

use super::*;

fn plain(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_') && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// A name in a position where keywords are fine (labels, types, keys).
struct Name<'n>(&'n str);

impl Display for Name<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if plain(self.0) {
            f.write_str(self.0)
        } else {
            quoted(f, self.0)
        }
    }
}

/// A variable: reserved words are quoted too.
struct Var<'n>(&'n str);

impl Display for Var<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if plain(self.0) && !crate::parser::RESERVED.iter().any(|k| k.eq_ignore_ascii_case(self.0)) {
            f.write_str(self.0)
        } else {
            quoted(f, self.0)
        }
    }
}

fn quoted(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    f.write_char('`')?;
    f.write_str(&name.replace('`', "``"))?;
    f.write_char('`')
}

impl Display for Ident {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        Name(&self.name).fmt(f)
    }
}

fn sep<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    by: &str,
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(by)?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.mode {
            Mode::Run => {}
            Mode::Explain => f.write_str("EXPLAIN ")?,
            Mode::Profile => f.write_str("PROFILE ")?,
        }
        self.query.fmt(f)
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.first.fmt(f)?;
        for u in &self.unions {
            f.write_str(if u.all { " UNION ALL " } else { " UNION " })?;
            u.query.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        sep(f, &self.clauses, " ", |f, c| c.fmt(f))
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Clause::Schema(s) => match &s.command {
                SchemaCommand::CreateIndex {
                    name,
                    if_not_exists,
                    label,
                    key,
                } => {
                    f.write_str("CREATE INDEX ")?;
                    if let Some(n) = name {
                        write!(f, "{} ", Name(&n.name))?;
                    }
                    if *if_not_exists {
                        f.write_str("IF NOT EXISTS ")?;
                    }
                    write!(f, "FOR (n:{}) ON (n.{})", Name(&label.name), Name(&key.name))
                }
                SchemaCommand::DropIndex { name, if_exists } => {
                    write!(f, "DROP INDEX {}", Name(&name.name))?;
                    if *if_exists {
                        f.write_str(" IF EXISTS")?;
                    }
                    Ok(())
                }
                SchemaCommand::CreateConstraint(c) => c.fmt(f),
                SchemaCommand::DropConstraint { name, if_exists } => {
                    write!(f, "DROP CONSTRAINT {}", Name(&name.name))?;
                    if *if_exists {
                        f.write_str(" IF EXISTS")?;
                    }
                    Ok(())
                }
                SchemaCommand::Show(s) => s.fmt(f),
            },
            Clause::Match(m) => {
                f.write_str(if m.optional { "OPTIONAL MATCH " } else { "MATCH " })?;
                match m.mode {
                    Some(MatchMode::RepeatableElements) => f.write_str("REPEATABLE ELEMENTS ")?,
                    Some(MatchMode::DifferentRelationships) => f.write_str("DIFFERENT RELATIONSHIPS ")?,
                    None => {}
                }
                m.pattern.fmt(f)?;
                write_where(f, &m.where_)
            }
            Clause::Unwind(u) => write!(f, "UNWIND {} AS {}", u.expr, Var(&u.variable.name)),
            Clause::With(w) => {
                write!(f, "WITH {}", w.projection)?;
                write_where(f, &w.where_)
            }
            Clause::Return(r) => write!(f, "RETURN {}", r.projection),
            Clause::Let(l) => {
                f.write_str("LET ")?;
                sep(f, &l.items, ", ", |f, (v, e)| write!(f, "{} = {}", Var(&v.name), e))
            }
            Clause::Filter(x) => write!(f, "FILTER {}", x.predicate),
            Clause::Finish(_) => f.write_str("FINISH"),
            Clause::Create(c) => write!(f, "CREATE {}", c.pattern),
            Clause::Merge(m) => {
                write!(f, "MERGE {}", m.part)?;
                for a in &m.actions {
                    f.write_str(if a.on_create {
                        " ON CREATE SET "
                    } else {
                        " ON MATCH SET "
                    })?;
                    sep(f, &a.items, ", ", |f, i| i.fmt(f))?;
                }
                Ok(())
            }
            Clause::Set(s) => {
                f.write_str("SET ")?;
                sep(f, &s.items, ", ", |f, i| i.fmt(f))
            }
            Clause::Remove(r) => {
                f.write_str("REMOVE ")?;
                sep(f, &r.items, ", ", |f, i| i.fmt(f))
            }
            Clause::Delete(d) => {
                f.write_str(if d.detach { "DETACH DELETE " } else { "DELETE " })?;
                sep(f, &d.exprs, ", ", |f, e| e.fmt(f))
            }
            Clause::Call(c) => c.fmt(f),
            Clause::CallSubquery(c) => c.fmt(f),
            Clause::Foreach(fe) => {
                write!(f, "FOREACH ({} IN {} | ", Var(&fe.variable.name), fe.list)?;
                sep(f, &fe.clauses, " ", |f, c| c.fmt(f))?;
                f.write_str(")")
            }
            Clause::LoadCsv(l) => {
                f.write_str(if l.with_headers {
                    "LOAD CSV WITH HEADERS FROM "
                } else {
                    "LOAD CSV FROM "
                })?;
                write!(f, "{} AS {}", l.url, Var(&l.variable.name))?;
                if let Some(t) = &l.field_terminator {
                    f.write_str(" FIELDTERMINATOR ")?;
                    write_string(f, t)?;
                }
                Ok(())
            }
        }
    }
}

fn write_where(f: &mut Formatter<'_>, w: &Option<Expr>) -> fmt::Result {
    match w {
        Some(e) => write!(f, " WHERE {e}"),
        None => Ok(()),
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_str("*")?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        sep(f, &self.items, ", ", |f, i| i.fmt(f))?;
        write_order_skip_limit(f, &self.order_by, &self.skip, &self.limit)
    }
}

fn write_order_skip_limit(
    f: &mut Formatter<'_>,
    order_by: &[SortItem],
    skip: &Option<Expr>,
    limit: &Option<Expr>,
) -> fmt::Result {
    if !order_by.is_empty() {
        f.write_str(" ORDER BY ")?;
        sep(f, order_by, ", ", |f, s| {
            s.expr.fmt(f)?;
            if s.descending {
                f.write_str(" DESC")?;
            }
            Ok(())
        })?;
    }
    if let Some(s) = skip {
        write!(f, " SKIP {s}")?;
    }
    if let Some(l) = limit {
        write!(f, " LIMIT {l}")?;
    }
    Ok(())
}

impl Display for ProjectionItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            self.expr.fmt(f)?;
        } else {
            f.write_str(&self.text)?;
        }
        if let Some(a) = &self.alias {
            write!(f, " AS {}", Var(&a.name))?;
        }
        Ok(())
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property { target, key, value } => {
                write_postfix_base(f, target)?;
                write!(f, ".{key} = {value}")
            }
            SetItem::Replace { variable, value } => write!(f, "{} = {value}", Var(&variable.name)),
            SetItem::Merge { variable, value } => write!(f, "{} += {value}", Var(&variable.name)),
            SetItem::DynamicProperty { target, key, value } => {
                write_postfix_base(f, target)?;
                write!(f, "[{key}] = {value}")
            }
            SetItem::Labels { variable, labels } => {
                Var(&variable.name).fmt(f)?;
                labels.fmt(f)
            }
        }
    }
}

impl Display for RemoveItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RemoveItem::Property { target, key } => {
                write_postfix_base(f, target)?;
                write!(f, ".{key}")
            }
            RemoveItem::DynamicProperty { target, key } => {
                write_postfix_base(f, target)?;
                write!(f, "[{key}]")
            }
            RemoveItem::Labels { variable, labels } => {
                Var(&variable.name).fmt(f)?;
                labels.fmt(f)
            }
        }
    }
}

/// A label expression with its leading colon: `:A:B`, `:A|B`, `:(A&B)|!C`.
impl Display for LabelExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LabelExprKind::Colon(items) => {
                for i in items {
                    f.write_str(":")?;
                    i.fmt_inner(f)?;
                }
                Ok(())
            }
            _ => {
                f.write_str(":")?;
                self.fmt_inner(f)
            }
        }
    }
}

impl LabelExpr {
    /// Without the colon; composite operands are parenthesised.
    fn fmt_inner(&self, f: &mut Formatter<'_>) -> fmt::Result {
        crate::stack::guarded(|| match &self.kind {
            LabelExprKind::Label(l) => l.fmt(f),
            LabelExprKind::Dynamic { expr, any } => {
                f.write_str(if *any { "$any(" } else { "$(" })?;
                expr.fmt(f)?;
                f.write_str(")")
            }
            LabelExprKind::Wildcard => f.write_str("%"),
            LabelExprKind::Not(x) => {
                f.write_str("!")?;
                x.fmt_operand(f)
            }
            LabelExprKind::And(items) => sep(f, items, "&", |f, i| i.fmt_operand(f)),
            LabelExprKind::Or(items) => sep(f, items, "|", |f, i| i.fmt_operand(f)),
            LabelExprKind::Colon(_) => {
                // Only at the top; nested (which the parser never builds) as a conjunction.
                f.write_str("(")?;
                self.fmt(f)?;
                f.write_str(")")
            }
        })
    }

    fn fmt_operand(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LabelExprKind::And(_) | LabelExprKind::Or(_) | LabelExprKind::Colon(_) => {
                f.write_str("(")?;
                self.fmt_inner(f)?;
                f.write_str(")")
            }
            _ => self.fmt_inner(f),
        }
    }
}

impl Display for CallSubquery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.optional { "OPTIONAL CALL " } else { "CALL " })?;
        match &self.import {
            None => {}
            Some(ImportList::All) => f.write_str("(*) ")?,
            Some(ImportList::Variables(vs)) => {
                f.write_str("(")?;
                sep(f, vs, ", ", |f, v| Var(&v.name).fmt(f))?;
                f.write_str(") ")?;
            }
        }
        write!(f, "{{ {} }}", self.body)?;
        if let Some(t) = &self.in_transactions {
            f.write_str(" IN ")?;
            if let Some(n) = &t.concurrency {
                write!(f, "{} ", Operand(n))?;
            }
            if t.concurrent {
                f.write_str("CONCURRENT ")?;
            }
            f.write_str("TRANSACTIONS")?;
            if let Some(n) = &t.batch_size {
                write!(f, " OF {} ROWS", Operand(n))?;
            }
            match t.on_error {
                Some(OnError::Continue) => f.write_str(" ON ERROR CONTINUE")?,
                Some(OnError::Break) => f.write_str(" ON ERROR BREAK")?,
                Some(OnError::Fail) => f.write_str(" ON ERROR FAIL")?,
                None => {}
            }
            if let Some(s) = &t.report_status {
                write!(f, " REPORT STATUS AS {}", Var(&s.name))?;
            }
        }
        Ok(())
    }
}

/// An expression printed as an operand (parenthesised unless atomic).
struct Operand<'e>(&'e Expr);

impl Display for Operand<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_operand(f, self.0)
    }
}

impl Display for CreateConstraint {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("CREATE CONSTRAINT ")?;
        if let Some(n) = &self.name {
            write!(f, "{} ", Name(&n.name))?;
        }
        if self.if_not_exists {
            f.write_str("IF NOT EXISTS ")?;
        }
        let v = Var(&self.variable.name);
        let node = match &self.entity {
            ConstraintEntity::Node { label } => {
                write!(f, "FOR ({v}:{label}) REQUIRE ")?;
                true
            }
            ConstraintEntity::Relationship { rel_type, direction } => {
                let (l, r) = match direction {
                    Direction::Outgoing => ("-", "->"),
                    Direction::Incoming => ("<-", "-"),
                    Direction::Both => ("-", "-"),
                };
                write!(f, "FOR (){l}[{v}:{rel_type}]{r}() REQUIRE ")?;
                false
            }
        };
        if self.properties.len() == 1 {
            write!(f, "{v}.{}", self.properties[0])?;
        } else {
            f.write_str("(")?;
            sep(f, &self.properties, ", ", |f, p| write!(f, "{v}.{p}"))?;
            f.write_str(")")?;
        }
        match &self.kind {
            ConstraintKind::Unique => f.write_str(" IS UNIQUE")?,
            ConstraintKind::Key if node => f.write_str(" IS NODE KEY")?,
            ConstraintKind::Key => f.write_str(" IS RELATIONSHIP KEY")?,
            ConstraintKind::NotNull => f.write_str(" IS NOT NULL")?,
            ConstraintKind::Type(t) => write!(f, " IS :: {t}")?,
        }
        if let Some(o) = &self.options {
            write!(f, " OPTIONS {o}")?;
        }
        Ok(())
    }
}

impl Display for Show {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("SHOW ")?;
        let executable = match &self.what {
            ShowWhat::Indexes(filter) => {
                let k = match filter {
                    IndexFilter::All => "",
                    IndexFilter::Range => "RANGE ",
                    IndexFilter::Text => "TEXT ",
                    IndexFilter::Point => "POINT ",
                    IndexFilter::Lookup => "LOOKUP ",
                    IndexFilter::Fulltext => "FULLTEXT ",
                    IndexFilter::Vector => "VECTOR ",
                };
                write!(f, "{k}INDEXES")?;
                None
            }
            ShowWhat::Constraints(filter) => {
                let k = match filter {
                    ConstraintFilter::All => "",
                    ConstraintFilter::Unique => "UNIQUE ",
                    ConstraintFilter::NodeUnique => "NODE UNIQUE ",
                    ConstraintFilter::RelationshipUnique => "RELATIONSHIP UNIQUE ",
                    ConstraintFilter::Key => "KEY ",
                    ConstraintFilter::NodeKey => "NODE KEY ",
                    ConstraintFilter::RelationshipKey => "RELATIONSHIP KEY ",
                    ConstraintFilter::Existence => "EXISTENCE ",
                    ConstraintFilter::NodeExistence => "NODE EXISTENCE ",
                    ConstraintFilter::RelationshipExistence => "RELATIONSHIP EXISTENCE ",
                    ConstraintFilter::PropertyType => "PROPERTY TYPE ",
                    ConstraintFilter::NodePropertyType => "NODE PROPERTY TYPE ",
                    ConstraintFilter::RelationshipPropertyType => "RELATIONSHIP PROPERTY TYPE ",
                };
                write!(f, "{k}CONSTRAINTS")?;
                None
            }
            ShowWhat::Procedures { executable } => {
                f.write_str("PROCEDURES")?;
                executable.as_ref()
            }
            ShowWhat::Functions { filter, executable } => {
                f.write_str(match filter {
                    FunctionFilter::All => "FUNCTIONS",
                    FunctionFilter::BuiltIn => "BUILT IN FUNCTIONS",
                    FunctionFilter::UserDefined => "USER DEFINED FUNCTIONS",
                })?;
                executable.as_ref()
            }
        };
        match executable {
            Some(ExecutableBy::CurrentUser) => f.write_str(" EXECUTABLE BY CURRENT USER")?,
            Some(ExecutableBy::User(u)) => write!(f, " EXECUTABLE BY {}", Name(&u.name))?,
            None => {}
        }
        if let Some(y) = &self.yield_ {
            f.write_str(" YIELD ")?;
            if y.star {
                f.write_str("*")?;
            }
            sep(f, &y.items, ", ", |f, (c, a)| {
                Var(&c.name).fmt(f)?;
                if let Some(a) = a {
                    write!(f, " AS {}", Var(&a.name))?;
                }
                Ok(())
            })?;
            write_order_skip_limit(f, &y.order_by, &y.skip, &y.limit)?;
        }
        write_where(f, &self.where_)?;
        if let Some(r) = &self.return_ {
            write!(f, " RETURN {}", r.projection)?;
        }
        Ok(())
    }
}

impl Display for ValueType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        crate::stack::guarded(|| {
            let name = match &self.kind {
                ValueTypeKind::Any => "ANY",
                ValueTypeKind::Nothing => "NOTHING",
                ValueTypeKind::Null => "NULL",
                ValueTypeKind::Boolean => "BOOLEAN",
                ValueTypeKind::String => "STRING",
                ValueTypeKind::Integer => "INTEGER",
                ValueTypeKind::Float => "FLOAT",
                ValueTypeKind::Date => "DATE",
                ValueTypeKind::LocalTime => "LOCAL TIME",
                ValueTypeKind::ZonedTime => "ZONED TIME",
                ValueTypeKind::LocalDateTime => "LOCAL DATETIME",
                ValueTypeKind::ZonedDateTime => "ZONED DATETIME",
                ValueTypeKind::Duration => "DURATION",
                ValueTypeKind::Point => "POINT",
                ValueTypeKind::Node => "NODE",
                ValueTypeKind::Relationship => "RELATIONSHIP",
                ValueTypeKind::Map => "MAP",
                ValueTypeKind::Path => "PATH",
                ValueTypeKind::PropertyValue => "PROPERTY VALUE",
                ValueTypeKind::List(inner) => {
                    write!(f, "LIST<{inner}>")?;
                    ""
                }
                ValueTypeKind::Union(items) => {
                    f.write_str("ANY<")?;
                    sep(f, items, " | ", |f, t| t.fmt(f))?;
                    f.write_str(">")?;
                    ""
                }
            };
            f.write_str(name)?;
            if self.not_null {
                f.write_str(" NOT NULL")?;
            }
            Ok(())
        })
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.optional { "OPTIONAL CALL " } else { "CALL " })?;
        sep(f, &self.procedure, ".", |f, p| p.fmt(f))?;
        if let Some(args) = &self.args {
            f.write_str("(")?;
            sep(f, args, ", ", |f, a| a.fmt(f))?;
            f.write_str(")")?;
        }
        if let Some(y) = &self.yield_ {
            f.write_str(" YIELD ")?;
            if y.star {
                f.write_str("*")?;
            }
            sep(f, &y.items, ", ", |f, (field, alias)| {
                field.fmt(f)?;
                if let Some(a) = alias {
                    write!(f, " AS {}", Var(&a.name))?;
                }
                Ok(())
            })?;
            write_where(f, &y.where_)?;
        }
        Ok(())
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        sep(f, &self.parts, ", ", |f, p| p.fmt(f))
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.variable {
            write!(f, "{} = ", Var(&v.name))?;
        }
        if let Some(s) = &self.selector {
            write!(f, "{s} ")?;
        }
        match self.kind {
            PathKind::Normal => self.element.fmt(f),
            PathKind::ShortestPath => write!(f, "shortestPath({})", self.element),
            PathKind::AllShortestPaths => write!(f, "allShortestPaths({})", self.element),
        }
    }
}

impl Display for PathSelector {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            SelectorKind::Any(None) => f.write_str("ANY"),
            SelectorKind::Any(Some(k)) => write!(f, "ANY {k}"),
            SelectorKind::All => f.write_str("ALL"),
            SelectorKind::AnyShortest => f.write_str("ANY SHORTEST"),
            SelectorKind::AllShortest => f.write_str("ALL SHORTEST"),
            SelectorKind::Shortest(k) => write!(f, "SHORTEST {k}"),
            SelectorKind::ShortestGroups(None) => f.write_str("SHORTEST GROUPS"),
            SelectorKind::ShortestGroups(Some(k)) => write!(f, "SHORTEST {k} GROUPS"),
        }
    }
}

impl Display for PatternElement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        crate::stack::guarded(|| {
            self.start.fmt(f)?;
            for (s, n) in &self.chain {
                match s {
                    PathStep::Rel(r) => write!(f, "{r}{n}")?,
                    PathStep::Group(g) => write!(f, " {g} {n}")?,
                }
            }
            Ok(())
        })
    }
}

impl Display for PathGroup {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "({}", self.element)?;
        write_where(f, &self.where_)?;
        f.write_str(")")?;
        if let Some(q) = &self.quantifier {
            q.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for PathQuantifier {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (0, None) => f.write_str("*"),
            (1, None) => f.write_str("+"),
            (a, None) => write!(f, "{{{a},}}"),
            (a, Some(b)) if a == b => write!(f, "{{{a}}}"),
            (a, Some(b)) => write!(f, "{{{a},{b}}}"),
        }
    }
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        if let Some(v) = &self.variable {
            Var(&v.name).fmt(f)?;
        }
        if let Some(l) = &self.labels {
            l.fmt(f)?;
        }
        if let Some(p) = &self.properties {
            if self.variable.is_some() || self.labels.is_some() {
                f.write_str(" ")?;
            }
            p.fmt(f)?;
        }
        if let Some(w) = &self.where_ {
            if self.variable.is_some() || self.labels.is_some() || self.properties.is_some() {
                f.write_str(" ")?;
            }
            write!(f, "WHERE {w}")?;
        }
        f.write_str(")")
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.direction == Direction::Incoming {
            "<-"
        } else {
            "-"
        })?;
        let detail = self.variable.is_some()
            || self.types.is_some()
            || self.length.is_some()
            || self.properties.is_some()
            || self.where_.is_some();
        if detail {
            f.write_str("[")?;
            if let Some(v) = &self.variable {
                Var(&v.name).fmt(f)?;
            }
            if let Some(t) = &self.types {
                t.fmt(f)?;
            }
            if let Some(l) = &self.length {
                l.fmt(f)?;
            }
            if let Some(p) = &self.properties {
                write!(f, " {p}")?;
            }
            if let Some(w) = &self.where_ {
                write!(f, " WHERE {w}")?;
            }
            f.write_str("]")?;
        }
        f.write_str(if self.direction == Direction::Outgoing {
            "->"
        } else {
            "-"
        })?;
        if let Some(q) = &self.quantifier {
            q.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Range {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (self.min, self.max) {
            (None, None) => f.write_str("*"),
            (Some(a), Some(b)) if a == b => write!(f, "*{a}"),
            (Some(a), None) => write!(f, "*{a}.."),
            (None, Some(b)) => write!(f, "*..{b}"),
            (Some(a), Some(b)) => write!(f, "*{a}..{b}"),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) if x.is_finite() => write!(f, "{x:?}"),
            Literal::Float(x) if x.is_nan() => f.write_str("(0.0 / 0.0)"),
            Literal::Float(x) if *x > 0.0 => f.write_str("(1.0 / 0.0)"),
            Literal::Float(_) => f.write_str("(-1.0 / 0.0)"),
            Literal::String(s) => write_string(f, s),
        }
    }
}

fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\\' => f.write_str("\\\\")?,
            '\'' => f.write_str("\\'")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            c if c.is_control() => write!(f, "\\u{:04X}", c as u32)?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::Xor => "XOR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::In => "IN",
            BinaryOp::StartsWith => "STARTS WITH",
            BinaryOp::EndsWith => "ENDS WITH",
            BinaryOp::Contains => "CONTAINS",
            BinaryOp::RegexMatch => "=~",
        }
    }
}

/// Whether `e` prints as one self-delimited unit (no operator outside brackets).
fn is_atomic(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Literal(Literal::Int(i)) => *i >= 0,
        ExprKind::Literal(Literal::Float(x)) => x.is_finite() && x.is_sign_positive(),
        ExprKind::Unary(..)
        | ExprKind::Binary(..)
        | ExprKind::IsNull(..)
        | ExprKind::IsType(..)
        | ExprKind::IsNormalized(..)
        | ExprKind::HasLabels(..)
        | ExprKind::Pattern(_) => false,
        _ => true,
    }
}

/// An operand: parenthesised unless atomic.
fn write_operand(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    if is_atomic(e) {
        e.fmt(f)
    } else {
        write!(f, "({e})")
    }
}

/// The base of `.key`, `[i]` or `:Label`: numbers are parenthesised too.
fn write_postfix_base(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    match &e.kind {
        ExprKind::Literal(Literal::Int(_) | Literal::Float(_)) => write!(f, "({e})"),
        _ => write_operand(f, e),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        crate::stack::guarded(|| self.fmt_inner(f))
    }
}

impl Expr {
    fn fmt_inner(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => l.fmt(f),
            ExprKind::Parameter(p) => {
                if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() {
                    write!(f, "${p}")
                } else {
                    write!(f, "${}", Name(p))
                }
            }
            ExprKind::Variable(v) => Var(v).fmt(f),
            ExprKind::List(items) => {
                f.write_str("[")?;
                sep(f, items, ", ", |f, e| {
                    // `[x IN l]` would read as a list comprehension.
                    if matches!(&e.kind, ExprKind::Binary(BinaryOp::In, l, _) if matches!(l.kind, ExprKind::Variable(_)))
                    {
                        write!(f, "({e})")
                    } else {
                        e.fmt(f)
                    }
                })?;
                f.write_str("]")
            }
            ExprKind::Map(entries) => write_map(f, entries),
            ExprKind::Property(base, key) => {
                write_postfix_base(f, base)?;
                write!(f, ".{key}")
            }
            ExprKind::Index(base, index) => {
                write_postfix_base(f, base)?;
                write!(f, "[{index}]")
            }
            ExprKind::Slice(base, from, to) => {
                write_postfix_base(f, base)?;
                f.write_str("[")?;
                if let Some(a) = from {
                    a.fmt(f)?;
                }
                f.write_str("..")?;
                if let Some(b) = to {
                    b.fmt(f)?;
                }
                f.write_str("]")
            }
            ExprKind::Unary(op, e) => {
                match op {
                    UnaryOp::Not => f.write_str("NOT ")?,
                    UnaryOp::Neg => f.write_str("-")?,
                    UnaryOp::Pos => f.write_str("+")?,
                }
                let number = matches!(e.kind, ExprKind::Literal(Literal::Int(_) | Literal::Float(_)));
                if number && *op != UnaryOp::Not {
                    write!(f, "({e})")
                } else {
                    write_operand(f, e)
                }
            }
            ExprKind::Binary(op, l, r) => {
                write_operand(f, l)?;
                write!(f, " {} ", op.symbol())?;
                write_operand(f, r)
            }
            ExprKind::IsNull(e, not) => {
                write_operand(f, e)?;
                f.write_str(if *not { " IS NOT NULL" } else { " IS NULL" })
            }
            ExprKind::HasLabels(e, labels) => {
                write_postfix_base(f, e)?;
                if matches!(labels.kind, LabelExprKind::Or(_)) {
                    // `x:(A|B)`: a bar may end the expression (`[x IN l WHERE x:(A|B) | x]`).
                    f.write_str(":(")?;
                    labels.fmt_inner(f)?;
                    f.write_str(")")
                } else {
                    labels.fmt(f)
                }
            }
            ExprKind::IsType(e, t, not) => {
                write_operand(f, e)?;
                f.write_str(if *not { " IS NOT :: " } else { " IS :: " })?;
                // A union (`A | B`) is printed as `ANY<A | B>`, so no bar ends the expression.
                t.fmt(f)
            }
            ExprKind::IsNormalized(e, form, not) => {
                write_operand(f, e)?;
                f.write_str(if *not { " IS NOT " } else { " IS " })?;
                write!(f, "{} NORMALIZED", form.name())
            }
            ExprKind::FunctionCall { name, distinct, args } => {
                sep(f, name, ".", |f, n| {
                    if matches!(n.name.to_ascii_uppercase().as_str(), "TRUE" | "FALSE" | "NULL" | "CASE") {
                        quoted(f, &n.name)
                    } else {
                        n.fmt(f)
                    }
                })?;
                f.write_str("(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                sep(f, args, ", ", |f, a| a.fmt(f))?;
                f.write_str(")")
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Case { operand, whens, else_ } => {
                f.write_str("CASE")?;
                if let Some(o) = operand {
                    write!(f, " {o}")?;
                }
                for (w, t) in whens {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = else_ {
                    write!(f, " ELSE {e}")?;
                }
                f.write_str(" END")
            }
            ExprKind::ListComprehension {
                variable,
                list,
                predicate,
                projection,
            } => {
                write!(f, "[{} IN {list}", Var(&variable.name))?;
                if let Some(p) = predicate {
                    write!(f, " WHERE {p}")?;
                }
                if let Some(p) = projection {
                    write!(f, " | {p}")?;
                }
                f.write_str("]")
            }
            ExprKind::Quantified {
                quantifier,
                variable,
                list,
                predicate,
            } => {
                let q = match quantifier {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                    Quantifier::None => "none",
                    Quantifier::Single => "single",
                };
                write!(f, "{q}({} IN {list}", Var(&variable.name))?;
                if let Some(p) = predicate {
                    write!(f, " WHERE {p}")?;
                }
                f.write_str(")")
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => write!(
                f,
                "reduce({} = {init}, {} IN {list} | {expr})",
                Var(&accumulator.name),
                Var(&variable.name)
            ),
            ExprKind::PatternComprehension {
                variable,
                pattern,
                predicate,
                projection,
            } => {
                f.write_str("[")?;
                if let Some(v) = variable {
                    write!(f, "{} = ", Var(&v.name))?;
                }
                pattern.fmt(f)?;
                if let Some(p) = predicate {
                    write!(f, " WHERE {p}")?;
                }
                write!(f, " | {projection}]")
            }
            ExprKind::Pattern(p) => p.fmt(f),
            ExprKind::Exists(q) => write!(f, "EXISTS {{ {q} }}"),
            ExprKind::CountSubquery(q) => write!(f, "COUNT {{ {q} }}"),
            ExprKind::CollectSubquery(q) => write!(f, "COLLECT {{ {q} }}"),
            ExprKind::MapProjection { variable, items } => {
                write!(f, "{} {{", Var(&variable.name))?;
                sep(f, items, ", ", |f, item| match item {
                    MapProjectionItem::Property(k) => write!(f, ".{k}"),
                    MapProjectionItem::AllProperties => f.write_str(".*"),
                    MapProjectionItem::Literal(k, e) => write!(f, "{k}: {e}"),
                    MapProjectionItem::Variable(v) => Var(&v.name).fmt(f),
                })?;
                f.write_str("}")
            }
        }
    }
}

fn write_map(f: &mut Formatter<'_>, entries: &[(Ident, Expr)]) -> fmt::Result {
    f.write_str("{")?;
    sep(f, entries, ", ", |f, (k, v)| write!(f, "{k}: {v}"))?;
    f.write_str("}")
}
