//! Constraints: creating and dropping them, listing them, and checking that
//! what a statement wrote meets them.
//!
//! A statement is checked when it has run (before it commits, or, inside an
//! explicit transaction, before the next statement): every node and
//! relationship it created or changed against every constraint on its labels
//! or type. A violation fails the statement, which is then undone as a whole.
//! Uniqueness is looked up in the index that backs a node constraint (on its
//! label and first property); a relationship uniqueness check reads the
//! relationships of the type once per statement that touches them.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::ast::ConstraintFilter;
use crate::functions::types::{is_of_type, value_type_name};
use crate::plan::ConstraintPlan;
use crate::store::{Constraint, GraphRead, GraphWrite, KeyId, Requirement, Savepoint, Seek, Target};
use crate::value::order::equals;
use crate::value::{NodeId, RelId, Value};
use crate::ErrorKind;

use super::{ExecError, GroupKey, Row, XResult};

fn schema_error(code: &'static str, message: String) -> ExecError {
    ExecError::new(ErrorKind::Schema, code, message)
}

/// One entity a constraint is checked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Entity {
    Node(NodeId),
    Rel(RelId),
}

impl std::fmt::Display for Entity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Entity::Node(n) => write!(f, "Node({})", n.0),
            Entity::Rel(r) => write!(f, "Relationship({})", r.0),
        }
    }
}

/// How a constraint's target reads in a message: "label `Book`" or "type `NEXT`".
fn target_text(g: &dyn GraphRead, t: Target) -> String {
    match t {
        Target::Node(l) => format!("label `{}`", g.catalog().labels.name(l)),
        Target::Relationship(t) => format!("type `{}`", g.catalog().types.name(t)),
    }
}

fn keys_text(g: &dyn GraphRead, keys: &[KeyId]) -> String {
    let names: Vec<String> = keys
        .iter()
        .map(|k| format!("`{}`", g.catalog().keys.name(*k)))
        .collect();
    names.join(", ")
}

fn on_target(g: &dyn GraphRead, c: &Constraint, e: Entity) -> bool {
    match (c.target, e) {
        (Target::Node(l), Entity::Node(n)) => g.has_label(n, l),
        (Target::Relationship(t), Entity::Rel(r)) => g.relationship(r).is_some_and(|i| i.rel_type == t),
        _ => false,
    }
}

fn value_of(g: &dyn GraphRead, e: Entity, k: KeyId) -> Option<Value> {
    match e {
        Entity::Node(n) => g.node_property(n, k).map(|v| v.into_owned()),
        Entity::Rel(r) => g.relationship_property(r, k).map(|v| v.into_owned()),
    }
}

/// The values of the keys, if the entity has every one.
fn key_values(g: &dyn GraphRead, c: &Constraint, e: Entity) -> Option<Vec<Value>> {
    c.keys.iter().map(|k| value_of(g, e, *k)).collect()
}

fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equals(x, y) == Some(true))
}

fn values_text(g: &dyn GraphRead, c: &Constraint, values: &[Value]) -> String {
    let parts: Vec<String> = c
        .keys
        .iter()
        .zip(values)
        .map(|(k, v)| format!("`{}` = {v}", g.catalog().keys.name(*k)))
        .collect();
    parts.join(", ")
}

/// What is wrong with `e` under `c`, leaving uniqueness aside.
fn own_violation(g: &dyn GraphRead, c: &Constraint, e: Entity) -> Option<String> {
    match &c.requirement {
        Requirement::NotNull | Requirement::Key => {
            let missing: Vec<KeyId> = c
                .keys
                .iter()
                .copied()
                .filter(|k| value_of(g, e, *k).is_none())
                .collect();
            (!missing.is_empty()).then(|| {
                format!(
                    "{e} with {} must have the propert{} {}",
                    target_text(g, c.target),
                    if c.keys.len() > 1 { "ies" } else { "y" },
                    keys_text(g, &c.keys)
                )
            })
        }
        Requirement::Type(t) => {
            let v = value_of(g, e, c.keys[0])?;
            (!is_of_type(&v, &t.ty)).then(|| {
                format!(
                    "{e} with {} has property {} of type {}, which must be of type {}",
                    target_text(g, c.target),
                    keys_text(g, &c.keys),
                    value_type_name(&v),
                    t.text
                )
            })
        }
        Requirement::Unique => None,
    }
}

/// Another node with `c`'s label and the same values of its keys.
fn node_twin(g: &dyn GraphRead, c: &Constraint, label: u32, n: NodeId, values: &[Value]) -> Option<NodeId> {
    let candidates: Box<dyn Iterator<Item = NodeId> + '_> =
        match g.index_seek(label, c.keys[0], Seek::Equal(&values[0])) {
            Some(found) => Box::new(found.into_iter()),
            None => g.nodes_with_label(label),
        };
    for m in candidates {
        if m == n || !g.has_label(m, label) {
            continue;
        }
        if key_values(g, c, Entity::Node(m)).is_some_and(|other| same_values(values, &other)) {
            return Some(m);
        }
    }
    None
}

/// Every relationship of type `t` with all of `c`'s keys, grouped by their values.
fn rel_groups(g: &dyn GraphRead, c: &Constraint, t: u32) -> FxHashMap<Vec<GroupKey>, Vec<RelId>> {
    let mut groups: FxHashMap<Vec<GroupKey>, Vec<RelId>> = FxHashMap::default();
    for r in g.relationships() {
        if g.relationship(r).is_some_and(|i| i.rel_type == t) {
            if let Some(values) = key_values(g, c, Entity::Rel(r)) {
                groups
                    .entry(values.into_iter().map(GroupKey).collect())
                    .or_default()
                    .push(r);
            }
        }
    }
    groups
}

fn duplicate(g: &dyn GraphRead, c: &Constraint, a: Entity, b: Entity, values: &[Value]) -> String {
    format!(
        "{a} already exists with {} and {}; {b} may not have them too",
        target_text(g, c.target),
        values_text(g, c, values)
    )
}

/// Checks the entities a statement touched against every constraint.
pub fn check_touched(g: &dyn GraphRead, nodes: &[NodeId], rels: &[RelId]) -> XResult<()> {
    let constraints = g.constraints();
    if constraints.is_empty() {
        return Ok(());
    }
    let fail = |m: String| Err(schema_error("ConstraintValidationFailed", m));
    for c in constraints.iter() {
        let entities: Vec<Entity> = match c.target {
            Target::Node(_) => nodes.iter().map(|n| Entity::Node(*n)).collect(),
            Target::Relationship(_) => rels.iter().map(|r| Entity::Rel(*r)).collect(),
        };
        let mut groups = None;
        for e in entities {
            if !on_target(g, c, e) {
                continue;
            }
            if let Some(m) = own_violation(g, c, e) {
                return fail(m);
            }
            if !c.requirement.requires_uniqueness() {
                continue;
            }
            let Some(values) = key_values(g, c, e) else { continue };
            match (c.target, e) {
                (Target::Node(label), Entity::Node(n)) => {
                    if let Some(m) = node_twin(g, c, label, n, &values) {
                        return fail(duplicate(g, c, Entity::Node(m), e, &values));
                    }
                }
                (Target::Relationship(t), Entity::Rel(r)) => {
                    let groups = groups.get_or_insert_with(|| rel_groups(g, c, t));
                    let key: Vec<GroupKey> = values.iter().cloned().map(GroupKey).collect();
                    if let Some(other) = groups.get(&key).and_then(|rs| rs.iter().find(|o| **o != r)) {
                        return fail(duplicate(g, c, Entity::Rel(*other), e, &values));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Checks what a statement changed since `sp` (nothing to do without constraints).
pub fn check_statement(g: &dyn GraphWrite, sp: &Savepoint) -> XResult<()> {
    if g.constraints().is_empty() {
        return Ok(());
    }
    let (nodes, rels) = g.touched_since(sp);
    check_touched(g, &nodes, &rels)
}

/// The first entity of the graph that breaks `c`, with what is wrong.
fn first_violation(g: &dyn GraphRead, c: &Constraint) -> Option<String> {
    let entities: Box<dyn Iterator<Item = Entity> + '_> = match c.target {
        Target::Node(l) => Box::new(g.nodes_with_label(l).map(Entity::Node)),
        Target::Relationship(t) => Box::new(
            g.relationships()
                .filter(move |r| g.relationship(*r).is_some_and(|i| i.rel_type == t))
                .map(Entity::Rel),
        ),
    };
    let mut seen: FxHashMap<Vec<GroupKey>, Entity> = FxHashMap::default();
    for e in entities {
        if let Some(m) = own_violation(g, c, e) {
            return Some(m);
        }
        if !c.requirement.requires_uniqueness() {
            continue;
        }
        let Some(values) = key_values(g, c, e) else { continue };
        let key: Vec<GroupKey> = values.iter().cloned().map(GroupKey).collect();
        if let Some(first) = seen.get(&key) {
            return Some(format!(
                "both {first} and {e} have {} and {}",
                target_text(g, c.target),
                values_text(g, c, &values)
            ));
        }
        seen.insert(key, e);
    }
    None
}

/// A name for a constraint created without one: the same rule gets the same name.
fn generated_name(c: &Constraint, g: &dyn GraphRead) -> String {
    let text = c.create_statement(g.catalog());
    // FNV-1a of the rule.
    let mut h: u32 = 0x811c_9dc5;
    for b in text.bytes().skip_while(|b| *b != b'F') {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    format!("constraint_{h:08x}")
}

/// `CREATE CONSTRAINT`: checks the graph meets it, then keeps it (with the
/// index that backs a node uniqueness rule).
pub fn create(graph: &mut dyn GraphWrite, p: &ConstraintPlan) -> XResult<()> {
    let target = match &p.on {
        crate::plan::ConstraintOn::Label(l) => Target::Node(match l.resolve(graph.catalog()) {
            Some(id) => id,
            None => graph.intern_label(&l.name),
        }),
        crate::plan::ConstraintOn::Type(t) => Target::Relationship(match t.resolve(graph.catalog()) {
            Some(id) => id,
            None => graph.intern_type(&t.name),
        }),
    };
    let keys: Vec<KeyId> = p
        .keys
        .iter()
        .map(|k| match k.resolve(graph.catalog()) {
            Some(id) => id,
            None => graph.intern_key(&k.name),
        })
        .collect();
    let mut c = Constraint {
        name: String::new(),
        target,
        keys,
        requirement: p.requirement.clone(),
    };
    c.name = match &p.name {
        Some(n) => n.clone(),
        None => generated_name(&c, &*graph),
    };
    let existing = graph.constraints();
    if let Some(old) = existing.iter().find(|o| o.name == c.name || o.same_rule(&c)) {
        if p.if_not_exists {
            return Ok(());
        }
        let text = old.create_statement(graph.catalog());
        return Err(if old.same_rule(&c) {
            schema_error(
                "EquivalentSchemaRuleAlreadyExists",
                format!("an equivalent constraint exists already: {text}"),
            )
        } else {
            schema_error(
                "ConstraintWithNameAlreadyExists",
                format!("there is a constraint called `{}` already: {text}", c.name),
            )
        });
    }
    if graph.indexes().iter().any(|i| i.name == c.name) {
        return Err(schema_error(
            "IndexWithNameAlreadyExists",
            format!(
                "there is an index called `{}`; a constraint needs a name of its own",
                c.name
            ),
        )
        .with_hint("give the constraint another name, or drop the index first"));
    }
    // One uniqueness rule and one type per label (or type) and properties.
    if let Some(old) = existing.iter().find(|o| {
        o.target == c.target
            && o.keys == c.keys
            && ((o.requirement.requires_uniqueness() && c.requirement.requires_uniqueness())
                || (matches!(o.requirement, Requirement::Type(_)) && matches!(c.requirement, Requirement::Type(_))))
    }) {
        return Err(schema_error(
            "ConstraintAlreadyExists",
            format!(
                "constraint `{}` already rules {} and {}: {}",
                old.name,
                target_text(&*graph, c.target),
                keys_text(&*graph, &c.keys),
                old.create_statement(graph.catalog())
            ),
        )
        .with_hint("drop it first to replace it"));
    }
    if c.owns_index() {
        let Target::Node(label) = c.target else {
            unreachable!("owns_index is for nodes")
        };
        let clash = graph
            .indexes()
            .into_iter()
            .find(|i| i.label == label && i.key == c.keys[0]);
        match clash {
            // A composite rule can look its first property up in any index on it.
            Some(_) if c.keys.len() > 1 => {}
            Some(i) => {
                return Err(schema_error(
                    "IndexAlreadyExists",
                    format!(
                        "there is an index `{}` on {} and {} already: a uniqueness constraint brings its own",
                        i.name,
                        target_text(&*graph, c.target),
                        keys_text(&*graph, &c.keys[..1])
                    ),
                )
                .with_hint(format!("drop the index first (DROP INDEX `{}`)", i.name)));
            }
            None => {
                graph.create_index(&c.name, label, c.keys[0]);
            }
        }
    }
    if let Some(m) = first_violation(&*graph, &c) {
        return Err(schema_error(
            "ConstraintCreationFailed",
            format!(
                "cannot create constraint `{}` ({}): {m}",
                c.name,
                c.create_statement(graph.catalog())
            ),
        )
        .with_hint("change or remove the entities that break it, then create it again"));
    }
    let mut all = existing.to_vec();
    all.push(c);
    graph.set_constraints(all);
    Ok(())
}

/// `DROP CONSTRAINT name [IF EXISTS]`, with the index it brought.
pub fn drop(graph: &mut dyn GraphWrite, name: &str, if_exists: bool) -> XResult<()> {
    let existing = graph.constraints();
    let Some(c) = existing.iter().find(|c| c.name == name) else {
        if if_exists {
            return Ok(());
        }
        return Err(
            schema_error("ConstraintNotFound", format!("there is no constraint called `{name}`"))
                .with_hint("SHOW CONSTRAINTS lists them"),
        );
    };
    if c.owns_index() {
        graph.drop_index(&c.name);
    }
    let rest: Vec<Constraint> = existing.iter().filter(|c| c.name != name).cloned().collect();
    graph.set_constraints(rest);
    Ok(())
}

/// The constraint owning index `name`, if one does.
pub fn owner_of_index(g: &dyn GraphRead, name: &str) -> Option<String> {
    g.constraints()
        .iter()
        .find(|c| c.owns_index() && c.name == name)
        .map(|c| c.name.clone())
}

fn matches_filter(c: &Constraint, f: ConstraintFilter) -> bool {
    let node = matches!(c.target, Target::Node(_));
    let r = &c.requirement;
    match f {
        ConstraintFilter::All => true,
        ConstraintFilter::Unique => matches!(r, Requirement::Unique),
        ConstraintFilter::NodeUnique => node && matches!(r, Requirement::Unique),
        ConstraintFilter::RelationshipUnique => !node && matches!(r, Requirement::Unique),
        ConstraintFilter::Key => matches!(r, Requirement::Key),
        ConstraintFilter::NodeKey => node && matches!(r, Requirement::Key),
        ConstraintFilter::RelationshipKey => !node && matches!(r, Requirement::Key),
        ConstraintFilter::Existence => matches!(r, Requirement::NotNull),
        ConstraintFilter::NodeExistence => node && matches!(r, Requirement::NotNull),
        ConstraintFilter::RelationshipExistence => !node && matches!(r, Requirement::NotNull),
        ConstraintFilter::PropertyType => matches!(r, Requirement::Type(_)),
        ConstraintFilter::NodePropertyType => node && matches!(r, Requirement::Type(_)),
        ConstraintFilter::RelationshipPropertyType => !node && matches!(r, Requirement::Type(_)),
    }
}

/// `SHOW CONSTRAINTS` rows, by name.
pub fn show(g: &dyn GraphRead, filter: ConstraintFilter) -> Vec<Row> {
    let catalog = g.catalog();
    let indexes: FxHashSet<String> = g.indexes().into_iter().map(|i| i.name).collect();
    let mut all: Vec<(usize, &Constraint)> = Vec::new();
    let constraints = g.constraints();
    for (i, c) in constraints.iter().enumerate() {
        if matches_filter(c, filter) {
            all.push((i, c));
        }
    }
    all.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    all.into_iter()
        .map(|(i, c)| {
            let (entity, on) = match c.target {
                Target::Node(l) => ("NODE", catalog.labels.name(l)),
                Target::Relationship(t) => ("RELATIONSHIP", catalog.types.name(t)),
            };
            let owned = (c.owns_index() && indexes.contains(&c.name)).then(|| Value::from(c.name.as_str()));
            let options = if c.owns_index() {
                Value::map(crate::value::Map::from([
                    ("indexProvider".into(), Value::from("range-1.0")),
                    ("indexConfig".into(), Value::map(Default::default())),
                ]))
            } else {
                Value::Null
            };
            vec![
                Value::Int(i as i64 + 1),
                Value::from(c.name.as_str()),
                Value::from(c.kind_name()),
                Value::from(entity),
                Value::list(vec![Value::String(on)]),
                Value::list(c.keys.iter().map(|k| Value::String(catalog.keys.name(*k))).collect()),
                owned.unwrap_or(Value::Null),
                match &c.requirement {
                    Requirement::Type(t) => Value::String(t.text.clone()),
                    _ => Value::Null,
                },
                options,
                Value::from(c.create_statement(catalog).as_str()),
            ]
        })
        .collect()
}
