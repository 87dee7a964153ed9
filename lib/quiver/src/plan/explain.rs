//! EXPLAIN: a plan printed as one operator a line, in the order they run.

use std::fmt::{self, Write};

use super::{direction_arrow, ExpandStep, MatchPlan, NodeStep, Op, OpProfile, Pipeline, QueryPlan, ShortestKind};

/// A plan as text (names come from the plan itself, not from the graph).
pub struct Explain<'a> {
    pub plan: &'a QueryPlan,
    /// For PROFILE: per branch, per operator, the rows it produced and its time.
    pub profile: Option<&'a [Vec<OpProfile>]>,
}

/// One operator's lines.
struct OpView<'a, 'b>(&'b Explain<'a>, &'b Op, &'b str);

impl fmt::Display for OpView<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.op(f, self.1, self.2)
    }
}

impl fmt::Display for Explain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, branch) in self.plan.branches.iter().enumerate() {
            if i > 0 {
                let all = self.plan.union_all.get(i - 1).copied().unwrap_or(false);
                writeln!(f, "{}", if all { "UNION ALL" } else { "UNION" })?;
            }
            self.pipeline(f, branch, i, 0)?;
        }
        Ok(())
    }
}

impl Explain<'_> {
    fn pipeline(&self, f: &mut fmt::Formatter<'_>, p: &Pipeline, branch: usize, depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        for (i, op) in p.ops.iter().enumerate() {
            // Where reading and writing meet, every row of the one side is
            // made before the other starts (Cypher's clause-at-a-time semantics).
            if i > 0 && op.writes() != p.ops[i - 1].writes() && !matches!(op, Op::Produce(_)) {
                writeln!(f, "{pad}Eager")?;
            }
            let text = OpView(self, op, &pad).to_string();
            let stats = self.profile.and_then(|p| p.get(branch)).and_then(|ops| ops.get(i));
            // A pattern prints as several lines but runs as one operator: its
            // figures go on its last line, where its rows come out.
            let last = text.lines().count().saturating_sub(1);
            for (n, line) in text.lines().enumerate() {
                match (n == last, stats) {
                    (true, Some(OpProfile { rows, time })) => writeln!(
                        f,
                        "{line}  [{rows} row{}, {:.3} ms]",
                        if *rows == 1 { "" } else { "s" },
                        time.as_secs_f64() * 1000.0
                    )?,
                    _ => writeln!(f, "{line}")?,
                }
            }
        }
        Ok(())
    }

    fn op(&self, f: &mut fmt::Formatter<'_>, op: &Op, pad: &str) -> fmt::Result {
        {
            match op {
                Op::Match(m) => self.matching(f, m, &pad, "")?,
                Op::Optional { plan } => self.matching(f, plan, &pad, "Optional ")?,
                Op::Filter(_) => writeln!(f, "{pad}Filter")?,
                Op::Unwind { .. } => writeln!(f, "{pad}Unwind")?,
                Op::Project { exprs, .. } => writeln!(f, "{pad}Projection ({} columns)", exprs.len())?,
                Op::Aggregate { keys, aggregates } => {
                    let names: Vec<&str> = aggregates.iter().map(|a| &*a.name).collect();
                    writeln!(
                        f,
                        "{pad}Aggregation (group by {} keys: {})",
                        keys.len(),
                        names.join(", ")
                    )?
                }
                Op::ScanAggregate(p) => {
                    let labels: String = p.labels.iter().map(|l| format!(":{}", l.name)).collect();
                    let names: Vec<&str> = p.aggregates.iter().map(|a| &*a.name).collect();
                    writeln!(
                        f,
                        "{pad}NodeScanAggregation ({}{labels}{}, group by {} keys: {})",
                        p.name,
                        if !p.filters.is_empty() { " WHERE ..." } else { "" },
                        p.keys.len(),
                        names.join(", ")
                    )?
                }
                Op::ScanTop(p) => {
                    let labels: String = p.labels.iter().map(|l| format!(":{}", l.name)).collect();
                    writeln!(
                        f,
                        "{pad}NodeScanTop ({}{labels}{}, {} keys)",
                        p.name,
                        if !p.filters.is_empty() { " WHERE ..." } else { "" },
                        p.keys.len()
                    )?
                }
                Op::Distinct { .. } => writeln!(f, "{pad}Distinct")?,
                Op::Sort(keys) => writeln!(f, "{pad}Sort ({} keys)", keys.len())?,
                Op::Top { keys, .. } => writeln!(f, "{pad}Top ({} keys)", keys.len())?,
                Op::Skip(_) => writeln!(f, "{pad}Skip")?,
                Op::Limit(_) => writeln!(f, "{pad}Limit")?,
                Op::Truncate(_) => {}
                Op::Create(parts) => {
                    let n: usize = parts.iter().map(|p| p.nodes.iter().filter(|n| !n.bound).count()).sum();
                    let r: usize = parts.iter().map(|p| p.rels.len()).sum();
                    writeln!(f, "{pad}Create ({n} nodes, {r} relationships)")?
                }
                Op::Merge(m) => {
                    self.matching(f, &m.pattern, &pad, "Merge: ")?;
                }
                Op::Set(items) => writeln!(f, "{pad}Set ({} items)", items.len())?,
                Op::Remove(items) => writeln!(f, "{pad}Remove ({} items)", items.len())?,
                Op::Delete { detach, exprs } => writeln!(
                    f,
                    "{pad}{}Delete ({} items)",
                    if *detach { "Detach" } else { "" },
                    exprs.len()
                )?,
                Op::Call(c) => writeln!(
                    f,
                    "{pad}{}ProcedureCall {}",
                    if c.optional { "Optional" } else { "" },
                    c.name
                )?,
                Op::LoadCsv(l) => writeln!(
                    f,
                    "{pad}LoadCSV{} -> #{}",
                    if l.headers { " (with headers)" } else { "" },
                    l.slot
                )?,
                Op::Schema(s) => writeln!(
                    f,
                    "{pad}{}",
                    match s {
                        super::SchemaOp::CreateIndex { .. } => "CreateIndex",
                        super::SchemaOp::DropIndex { .. } => "DropIndex",
                        super::SchemaOp::ShowIndexes | super::SchemaOp::ShowIndexesFull(_) => "ShowIndexes",
                        super::SchemaOp::CreateConstraint(_) => "CreateConstraint",
                        super::SchemaOp::DropConstraint { .. } => "DropConstraint",
                        super::SchemaOp::ShowConstraints(_) => "ShowConstraints",
                    }
                )?,
                Op::ShowRoutines { procedures, .. } => writeln!(
                    f,
                    "{pad}{}",
                    if *procedures { "ShowProcedures" } else { "ShowFunctions" }
                )?,
                Op::Subquery(sq) => {
                    let batching = match &sq.batching {
                        None => String::new(),
                        Some(b) => {
                            let rows = b.rows.as_ref().map_or_else(
                                || crate::exec::DEFAULT_BATCH_ROWS.to_string(),
                                |e| match e {
                                    super::Expr::Const(v) => v.to_string(),
                                    _ => "$".to_string(),
                                },
                            );
                            let on_error = match b.on_error {
                                crate::ast::OnError::Fail => "FAIL",
                                crate::ast::OnError::Continue => "CONTINUE",
                                crate::ast::OnError::Break => "BREAK",
                            };
                            format!(" in transactions of {rows} rows, on error {on_error}")
                        }
                    };
                    writeln!(
                        f,
                        "{pad}{}CallSubquery{} ({}){batching}",
                        if sq.optional { "Optional" } else { "" },
                        if sq.unit { " (unit)" } else { "" },
                        sq.imports.join(", "),
                    )?;
                    self.nested(f, &sq.body, &format!("{pad}  "))?;
                }
                Op::Union(u) => {
                    for (i, b) in u.branches.iter().enumerate() {
                        if i > 0 {
                            writeln!(f, "{pad}{}", if u.distinct { "Union" } else { "UnionAll" })?;
                        }
                        self.nested(f, b, pad)?;
                    }
                }
                Op::Foreach(fe) => {
                    writeln!(f, "{pad}Foreach ({} IN ...)", fe.variable)?;
                    self.nested(f, &fe.body, &format!("{pad}  "))?;
                }
                Op::Produce(cols) => writeln!(f, "{pad}ProduceResults ({})", cols.join(", "))?,
            }
        }
        Ok(())
    }

    /// The operators of a nested pipeline, indented.
    fn nested(&self, f: &mut fmt::Formatter<'_>, p: &Pipeline, pad: &str) -> fmt::Result {
        for op in &p.ops {
            write!(f, "{}", OpView(self, op, pad))?;
        }
        Ok(())
    }

    fn matching(&self, f: &mut fmt::Formatter<'_>, m: &MatchPlan, pad: &str, prefix: &str) -> fmt::Result {
        if m.repeatable {
            writeln!(f, "{pad}{prefix}RepeatableElements")?;
        }
        for part in &m.parts {
            if let Some(sel) = &part.selector {
                let kind = match sel.kind {
                    super::SelectorKind::Any => "Any",
                    super::SelectorKind::Shortest => "Shortest",
                    super::SelectorKind::ShortestGroups => "ShortestGroups",
                };
                writeln!(f, "{pad}{prefix}PathSelector {kind}")?;
                self.matching(f, &sel.sub, &format!("{pad}  "), prefix)?;
                continue;
            }
            let start = &part.start;
            let scan = if start.bound {
                format!("Argument {}", self.node(start))
            } else if let Some(seek) = &start.seek {
                let what = match &seek.kind {
                    super::SeekKind::Equal(_) => "=",
                    super::SeekKind::In(_) => "IN",
                    super::SeekKind::Range { .. } => "range",
                };
                format!(
                    "NodeIndexSeek {} ON :{}({}) {what}",
                    self.node(start),
                    seek.label.name,
                    seek.key.name
                )
            } else if !start.labels.is_empty() {
                format!("NodeByLabelScan {}", self.node(start))
            } else {
                format!("AllNodesScan {}", self.node(start))
            };
            writeln!(f, "{pad}{prefix}{scan}")?;
            for step in &part.steps {
                if let Some(g) = &step.group {
                    writeln!(
                        f,
                        "{pad}{prefix}Repeat{} ({}) -> {}",
                        g.text,
                        step.from_name,
                        self.node(&step.to)
                    )?;
                    self.matching(f, &g.inner, &format!("{pad}  "), prefix)?;
                    continue;
                }
                let kind = match (part.shortest, step.var_length.is_some()) {
                    (Some(ShortestKind::One), _) => "ShortestPath",
                    (Some(ShortestKind::All), _) => "AllShortestPaths",
                    (None, true) => "VarLengthExpand",
                    (None, false) if step.to.bound => "ExpandInto",
                    (None, false) => "Expand",
                };
                writeln!(f, "{pad}{prefix}{kind} {}", self.expand(step))?;
            }
        }
        if m.predicate.is_some() {
            writeln!(f, "{pad}{prefix}Filter")?;
        }
        Ok(())
    }

    fn node(&self, n: &NodeStep) -> String {
        let mut s = format!("({}", n.name);
        for l in &n.labels {
            let _ = write!(s, ":{}", l.name);
        }
        if let Some(p) = &n.label_pred {
            let _ = write!(s, ":{}", label_text(p));
        }
        if !n.props.is_empty() || n.props_param.is_some() {
            s.push_str(" {..}");
        }
        s.push(')');
        s
    }

    fn expand(&self, e: &ExpandStep) -> String {
        let (l, r) = direction_arrow(e.direction);
        let mut rel = e.rel_name.to_string();
        for (i, t) in e.types.iter().enumerate() {
            rel.push(if i == 0 { ':' } else { '|' });
            rel.push_str(&t.name);
        }
        if let Some(p) = &e.type_pred {
            let _ = write!(rel, ":{}", label_text(p));
        }
        if let Some((min, max)) = e.var_length {
            let _ = write!(rel, "*{min}..{}", max.map_or(String::new(), |m| m.to_string()));
        }
        format!("({}){l}[{rel}]{r}{}", e.from_name, self.node(&e.to))
    }
}

/// A label or type expression as written (dynamic parts as `$(...)`).
fn label_text(p: &super::LabelPred) -> String {
    use super::LabelPred;
    let join = |xs: &[LabelPred], sep: &str| {
        let parts: Vec<String> = xs.iter().map(label_text).collect();
        format!("({})", parts.join(sep))
    };
    match p {
        LabelPred::Name(n) => n.name.to_string(),
        LabelPred::Dynamic { any: false, .. } => "$(...)".into(),
        LabelPred::Dynamic { any: true, .. } => "$any(...)".into(),
        LabelPred::Wildcard => "%".into(),
        LabelPred::Not(x) => format!("!{}", label_text(x)),
        LabelPred::And(xs) => join(xs, "&"),
        LabelPred::Or(xs) => join(xs, "|"),
    }
}
