//! The writing clauses: CREATE, MERGE, SET, REMOVE, DELETE.

use std::collections::BTreeSet;

use crate::plan::{CreatePart, Expr, MergePlan, RemoveOp, SchemaOp, SetOp};
use crate::result::Stats;
use crate::store::{GraphRead, GraphWrite, KeyId, NameRef, Props, StoreError};
use crate::value::{NodeId, RelId, Value};

use super::eval::{get, set, Eval, StatementContext};
use super::matcher::Matcher;
use super::{ExecError, Row, XResult};

/// What the writing operators need: the transaction's graph to change and
/// the statement's context for what they evaluate.
pub struct Writer<'w> {
    pub graph: &'w mut dyn GraphWrite,
    pub st: &'w StatementContext,
    pub stats: &'w mut Stats,
    /// What commits `CALL { ... } IN TRANSACTIONS` batches; `None` inside an explicit transaction.
    pub batches: Option<&'w mut dyn super::Batches>,
}

fn store_error(e: StoreError) -> ExecError {
    let out = match &e {
        StoreError::NodeHasRelationships(id) => ExecError::new(
            crate::ErrorKind::ConstraintVerificationFailed,
            "DeleteConnectedNode",
            format!("cannot delete node {id}: it still has relationships; use DETACH DELETE to delete them too"),
        ),
        StoreError::NoSuchNode(id) => ExecError::deleted_entity("node", *id),
        StoreError::NoSuchRelationship(id) => ExecError::deleted_entity("relationship", *id),
    };
    out.with_source(e)
}

impl Writer<'_> {
    pub fn check_interrupt(&self) -> XResult<()> {
        self.eval().check_interrupt()
    }

    pub fn eval(&self) -> Eval<'_> {
        let graph: &dyn GraphRead = &*self.graph;
        Eval::new(graph, self.st)
    }

    fn key(&mut self, key: &NameRef) -> KeyId {
        match key.resolve(self.graph.catalog()) {
            Some(k) => k,
            None => self.graph.intern_key(&key.name),
        }
    }

    fn labels(&mut self, labels: &[NameRef]) -> Vec<u32> {
        labels
            .iter()
            .map(|l| match l.resolve(self.graph.catalog()) {
                Some(id) => id,
                None => self.graph.intern_label(&l.name),
            })
            .collect()
    }

    /// Evaluates a property map for a new entity.
    fn props(&mut self, e: &Option<Expr>, row: &Row) -> XResult<Props> {
        let Some(e) = e else {
            return Ok(Vec::new());
        };
        let v = self.eval().eval(e, row)?;
        let map = match v {
            Value::Map(m) => m,
            Value::Null => return Ok(Vec::new()),
            other => {
                return Err(ExecError::type_error(format!(
                    "properties must be given as a map, got {}",
                    other.type_name()
                )))
            }
        };
        let mut out = Vec::with_capacity(map.len());
        for (k, v) in map.iter() {
            check_storable(k, v)?;
            if !v.is_null() {
                out.push((self.graph.intern_key(k), v.clone()));
            }
        }
        Ok(out)
    }

    pub fn create(&mut self, parts: &[CreatePart], rows: Vec<Row>) -> XResult<Vec<Row>> {
        let mut out = Vec::with_capacity(rows.len());
        for mut row in rows {
            for part in parts {
                self.create_part(part, &mut row)?;
            }
            out.push(row);
        }
        Ok(out)
    }

    fn create_part(&mut self, part: &CreatePart, row: &mut Row) -> XResult<()> {
        for n in &part.nodes {
            if n.bound {
                match get(row, n.slot) {
                    Value::Node(_) => continue,
                    other => {
                        return Err(ExecError::type_error(format!(
                            "CREATE needs a node here, but the variable holds {}",
                            other.type_name()
                        )))
                    }
                }
            }
            let props = self.props(&n.props, row)?;
            let mut labels = self.labels(&n.labels);
            for d in &n.dynamic_labels {
                for name in self.eval().dynamic_names(d, row)? {
                    let id = self.graph.intern_label(&name);
                    if !labels.contains(&id) {
                        labels.push(id);
                    }
                }
            }
            self.stats.properties_set += props.len() as u64;
            self.stats.labels_added += labels.len() as u64;
            self.stats.nodes_created += 1;
            let id = self.graph.create_node(&labels, props);
            set(row, n.slot, Value::Node(id));
        }
        for r in &part.rels {
            let end = |v: &Value| match v {
                Value::Node(n) => Ok(*n),
                other => Err(ExecError::type_error(format!(
                    "a relationship must join two nodes, got {}",
                    other.type_name()
                ))),
            };
            let from = end(get(row, r.from))?;
            let to = end(get(row, r.to))?;
            let props = self.props(&r.props, row)?;
            let rel_type = match &r.dynamic_type {
                Some(d) => match self.eval().eval(d, row)? {
                    Value::String(t) if !t.is_empty() => self.graph.intern_type(&t),
                    other => {
                        return Err(ExecError::type_error(format!(
                            "a dynamic relationship type to create must be one non-empty string, got {}",
                            if other.is_null() { "null" } else { other.type_name() }
                        )))
                    }
                },
                None => match r.rel_type.resolve(self.graph.catalog()) {
                    Some(t) => t,
                    None => self.graph.intern_type(&r.rel_type.name),
                },
            };
            self.stats.properties_set += props.len() as u64;
            let id = self
                .graph
                .create_relationship(from, to, rel_type, props)
                .map_err(store_error)?;
            self.stats.relationships_created += 1;
            set(row, r.slot, Value::Relationship(id));
        }
        if let Some(pb) = &part.path {
            let p = self.eval().build_path(row, pb.start, &pb.steps)?;
            set(row, pb.slot, p);
        }
        Ok(())
    }

    pub fn merge(&mut self, plan: &MergePlan, rows: Vec<Row>) -> XResult<Vec<Row>> {
        let mut out = Vec::new();
        for row in rows {
            self.check_merge_nulls(plan, &row)?;
            // Matched against the graph as the rows before have left it.
            let mut found = Vec::new();
            {
                let mut m = Matcher::new(self.eval(), &plan.pattern, &row);
                while let Some(r) = m.next_match()? {
                    found.push(r.clone());
                }
            }
            if found.is_empty() {
                let mut row = row;
                self.create_part(&plan.create, &mut row)?;
                self.set(&plan.on_create, std::slice::from_mut(&mut row))?;
                out.push(row);
            } else {
                self.set(&plan.on_match, &mut found)?;
                out.extend(found);
            }
        }
        Ok(out)
    }

    /// MERGE cannot match or create a property that is null.
    fn check_merge_nulls(&self, plan: &MergePlan, row: &Row) -> XResult<()> {
        let ev = self.eval();
        for n in &plan.create.nodes {
            if let (false, Some(e)) = (n.bound, &n.props) {
                if let Value::Map(m) = ev.eval(e, row)? {
                    if let Some((k, _)) = m.iter().find(|(_, v)| v.is_null()) {
                        return Err(ExecError::new(
                            crate::ErrorKind::SemanticError,
                            "MergeReadOwnWrites",
                            format!("cannot MERGE a node with a null property `{k}`"),
                        ));
                    }
                }
            }
        }
        for r in &plan.create.rels {
            if let Some(e) = &r.props {
                if let Value::Map(m) = ev.eval(e, row)? {
                    if let Some((k, _)) = m.iter().find(|(_, v)| v.is_null()) {
                        return Err(ExecError::new(
                            crate::ErrorKind::SemanticError,
                            "MergeReadOwnWrites",
                            format!("cannot MERGE a relationship with a null property `{k}`"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn set(&mut self, items: &[SetOp], rows: &mut [Row]) -> XResult<()> {
        for row in rows.iter_mut() {
            for item in items {
                match item {
                    SetOp::Property { target, key, value } => {
                        let t = self.eval().eval(target, row)?;
                        let v = self.eval().eval(value, row)?;
                        let key = self.key(key);
                        self.set_property(&t, key, v)?;
                    }
                    SetOp::Replace { target, value } => {
                        let t = self.eval().eval(target, row)?;
                        let v = self.eval().eval(value, row)?;
                        self.set_all(&t, v, true)?;
                    }
                    SetOp::Merge { target, value } => {
                        let t = self.eval().eval(target, row)?;
                        let v = self.eval().eval(value, row)?;
                        self.set_all(&t, v, false)?;
                    }
                    SetOp::DynamicProperty { target, key, value } => {
                        let t = self.eval().eval(target, row)?;
                        let k = self.dynamic_key(key, row)?;
                        let v = self.eval().eval(value, row)?;
                        if t.is_null() {
                            continue;
                        }
                        let key = self.graph.intern_key(&k);
                        self.set_property(&t, key, v)?;
                    }
                    SetOp::Labels {
                        target,
                        labels,
                        dynamic,
                    } => match self.eval().eval(target, row)? {
                        Value::Null => {}
                        Value::Node(n) => {
                            let mut ids = self.labels(labels);
                            for d in dynamic {
                                for name in self.eval().dynamic_names(d, row)? {
                                    ids.push(self.graph.intern_label(&name));
                                }
                            }
                            for l in ids {
                                if self.graph.add_label(n, l).map_err(store_error)? {
                                    self.stats.labels_added += 1;
                                }
                            }
                        }
                        other => {
                            return Err(ExecError::type_error(format!(
                                "only nodes have labels, got {}",
                                other.type_name()
                            )))
                        }
                    },
                }
            }
        }
        Ok(())
    }

    fn set_property(&mut self, target: &Value, key: KeyId, v: Value) -> XResult<()> {
        check_storable(&self.graph.catalog().keys.name(key), &v)?;
        let removing = v.is_null();
        let old = match target {
            Value::Null => return Ok(()),
            Value::Node(n) => self.graph.set_node_property(*n, key, v).map_err(store_error)?,
            Value::Relationship(r) => self.graph.set_relationship_property(*r, key, v).map_err(store_error)?,
            other => {
                return Err(ExecError::type_error(format!(
                    "only nodes and relationships have properties to set, got {}",
                    other.type_name()
                )))
            }
        };
        // Counted as the user sees it: an overwrite is one property set.
        if removing {
            if old.is_some() {
                self.stats.properties_removed += 1;
            }
        } else {
            self.stats.properties_set += 1;
        }
        Ok(())
    }

    /// `n = map` (replace) and `n += map` (merge).
    fn set_all(&mut self, target: &Value, v: Value, replace: bool) -> XResult<()> {
        if target.is_null() {
            return Ok(());
        }
        let map = match &v {
            Value::Map(m) => m.clone(),
            Value::Node(_) | Value::Relationship(_) => self.eval().all_properties(&v)?,
            Value::Null if replace => std::sync::Arc::new(Default::default()),
            other => {
                return Err(ExecError::type_error(format!(
                    "SET needs a map (or an entity to copy properties from), got {}",
                    other.type_name()
                )))
            }
        };
        if replace {
            let existing: Vec<KeyId> = match target {
                Value::Node(n) => {
                    self.eval().node(*n)?;
                    self.graph.node_properties(*n).into_iter().map(|(k, _)| k).collect()
                }
                Value::Relationship(r) => {
                    self.eval().relationship(*r)?;
                    self.graph
                        .relationship_properties(*r)
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect()
                }
                _ => Vec::new(),
            };
            for k in existing {
                if !map.contains_key(&*self.graph.catalog().keys.name(k)) {
                    self.set_property(target, k, Value::Null)?;
                }
            }
        }
        for (k, val) in map.iter() {
            let key = self.graph.intern_key(k);
            self.set_property(target, key, val.clone())?;
        }
        Ok(())
    }

    pub fn remove(&mut self, items: &[RemoveOp], rows: &[Row]) -> XResult<()> {
        for row in rows {
            for item in items {
                match item {
                    RemoveOp::DynamicProperty { target, key } => {
                        let t = self.eval().eval(target, row)?;
                        let k = self.dynamic_key(key, row)?;
                        let key = NameRef::new(self.graph.catalog(), crate::store::Namespace::Key, &k);
                        self.remove_property(t, &key)?;
                    }
                    RemoveOp::Property { target, key } => {
                        let t = self.eval().eval(target, row)?;
                        self.remove_property(t, key)?;
                    }
                    RemoveOp::Labels {
                        target,
                        labels,
                        dynamic,
                    } => match self.eval().eval(target, row)? {
                        Value::Null => {}
                        Value::Node(n) => {
                            let mut names: Vec<NameRef> = labels.clone();
                            for d in dynamic {
                                for name in self.eval().dynamic_names(d, row)? {
                                    names.push(NameRef::new(
                                        self.graph.catalog(),
                                        crate::store::Namespace::Label,
                                        &name,
                                    ));
                                }
                            }
                            let catalog = self.graph.catalog();
                            let ids: Vec<u32> = names.iter().filter_map(|l| l.resolve(catalog)).collect();
                            for l in ids {
                                if self.graph.remove_label(n, l).map_err(store_error)? {
                                    self.stats.labels_removed += 1;
                                }
                            }
                        }
                        other => {
                            return Err(ExecError::type_error(format!(
                                "only nodes have labels, got {}",
                                other.type_name()
                            )))
                        }
                    },
                }
            }
        }
        Ok(())
    }

    /// A property key computed at run time (`n[$key]`): a string.
    fn dynamic_key(&self, key: &Expr, row: &Row) -> XResult<std::sync::Arc<str>> {
        match self.eval().eval(key, row)? {
            Value::String(k) => Ok(k),
            other => Err(ExecError::type_error(format!(
                "a property key must be a string, got {}",
                if other.is_null() { "null" } else { other.type_name() }
            ))),
        }
    }

    fn remove_property(&mut self, t: Value, key: &NameRef) -> XResult<()> {
        {
            {
                {
                    // A key the catalog lacks is on no entity: nothing to remove.
                    let key = key.resolve(self.graph.catalog());
                    let old = match (&t, key) {
                        (Value::Null, _) => None,
                        (Value::Node(n), None) => {
                            self.eval().node(*n)?;
                            None
                        }
                        (Value::Relationship(r), None) => {
                            self.eval().relationship(*r)?;
                            None
                        }
                        (Value::Node(n), Some(key)) => self
                            .graph
                            .set_node_property(*n, key, Value::Null)
                            .map_err(store_error)?,
                        (Value::Relationship(r), Some(key)) => self
                            .graph
                            .set_relationship_property(*r, key, Value::Null)
                            .map_err(store_error)?,
                        (other, _) => {
                            return Err(ExecError::type_error(format!(
                                "only nodes and relationships have properties to remove, got {}",
                                other.type_name()
                            )))
                        }
                    };
                    if old.is_some() {
                        self.stats.properties_removed += 1;
                    }
                }
            }
        }
        Ok(())
    }

    /// Creates or drops an index.
    pub fn schema(&mut self, op: &SchemaOp) -> XResult<()> {
        match op {
            SchemaOp::CreateIndex {
                name,
                label,
                key,
                if_not_exists,
            } => {
                if self.graph.constraints().iter().any(|c| c.name == *name) {
                    if *if_not_exists {
                        return Ok(());
                    }
                    return Err(ExecError::new(
                        crate::ErrorKind::Schema,
                        "ConstraintWithNameAlreadyExists",
                        format!("there is a constraint called `{name}`; an index needs a name of its own"),
                    ));
                }
                let (l, k) = (label.resolve(self.graph.catalog()), key.resolve(self.graph.catalog()));
                let indexes = self.graph.indexes();
                let clash = indexes
                    .iter()
                    .find(|i| i.name == *name || (Some(i.label) == l && Some(i.key) == k));
                if let Some(existing) = clash {
                    if *if_not_exists {
                        return Ok(());
                    }
                    let catalog = self.graph.catalog();
                    return Err(ExecError::new(
                        crate::ErrorKind::SemanticError,
                        "IndexAlreadyExists",
                        format!(
                            "an index `{}` on :{}({}) exists already",
                            existing.name,
                            catalog.labels.name(existing.label),
                            catalog.keys.name(existing.key)
                        ),
                    ));
                }
                let label = self.labels(std::slice::from_ref(label))[0];
                let key = self.key(key);
                self.graph.create_index(name, label, key);
                Ok(())
            }
            SchemaOp::DropIndex { name, if_exists } => {
                if let Some(owner) = super::constraints::owner_of_index(&*self.graph, name) {
                    return Err(ExecError::new(
                        crate::ErrorKind::Schema,
                        "DropIndexFailed",
                        format!("index `{name}` belongs to constraint `{owner}` and goes when it goes"),
                    )
                    .with_hint(format!("DROP CONSTRAINT `{owner}` drops both")));
                }
                if !self.graph.drop_index(name) && !*if_exists {
                    return Err(ExecError::new(
                        crate::ErrorKind::SemanticError,
                        "IndexNotFound",
                        format!("there is no index called `{name}` (SHOW INDEXES lists them)"),
                    ));
                }
                Ok(())
            }
            SchemaOp::CreateConstraint(p) => super::constraints::create(self.graph, p),
            SchemaOp::DropConstraint { name, if_exists } => super::constraints::drop(self.graph, name, *if_exists),
            SchemaOp::ShowIndexes | SchemaOp::ShowIndexesFull(_) | SchemaOp::ShowConstraints(_) => Ok(()),
        }
    }

    /// Deletes everything the rows name: relationships first, then nodes, so
    /// that `DELETE n, r` works in any order.
    pub fn delete(&mut self, exprs: &[Expr], detach: bool, rows: &[Row]) -> XResult<()> {
        let mut nodes: BTreeSet<NodeId> = BTreeSet::new();
        let mut rels: BTreeSet<RelId> = BTreeSet::new();
        for row in rows {
            for e in exprs {
                let v = self.eval().eval(e, row)?;
                collect_deletable(&v, &mut nodes, &mut rels)?;
            }
        }
        for r in rels {
            if self.graph.relationship(r).is_some() {
                self.graph.delete_relationship(r).map_err(store_error)?;
                self.stats.relationships_deleted += 1;
            }
        }
        for n in nodes {
            if self.graph.contains_node(n) {
                let removed = self.graph.delete_node(n, detach).map_err(store_error)?;
                self.stats.relationships_deleted += removed as u64;
                self.stats.nodes_deleted += 1;
            }
        }
        Ok(())
    }
}

fn collect_deletable(v: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) -> XResult<()> {
    match v {
        Value::Null => {}
        Value::Node(n) => {
            nodes.insert(*n);
        }
        Value::Relationship(r) => {
            rels.insert(*r);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().copied());
            rels.extend(p.rels.iter().copied());
        }
        Value::List(items) => {
            for i in items.iter() {
                collect_deletable(i, nodes, rels)?;
            }
        }
        other => {
            return Err(ExecError::type_error(format!(
                "DELETE takes nodes, relationships or paths, got {}",
                other.type_name()
            )))
        }
    }
    Ok(())
}

/// Properties hold scalars, temporals and homogeneous lists of them.
fn check_storable(key: &str, v: &Value) -> XResult<()> {
    if !v.is_storable() {
        return Err(ExecError::new(
            crate::ErrorKind::TypeError,
            "InvalidPropertyType",
            format!(
                "property `{key}` cannot hold a {}: properties hold numbers, strings, booleans, temporal values and lists of them",
                v.type_name()
            ),
        ));
    }
    if let Value::List(items) = v {
        let mut kinds = items.iter().map(|i| match i {
            Value::Int(_) | Value::Float(_) => "Number",
            other => other.type_name(),
        });
        if let Some(first) = kinds.next() {
            if kinds.any(|k| k != first) {
                return Err(ExecError::new(
                    crate::ErrorKind::TypeError,
                    "InvalidPropertyType",
                    format!("property `{key}` cannot hold a list of mixed types"),
                ));
            }
        }
    }
    Ok(())
}
