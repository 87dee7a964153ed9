//! Constraints as the store keeps them: what a rule is on and what it
//! requires. The store only holds them (in the base, the layers, the log);
//! the executor checks them (`exec/constraints.rs`).

use std::fmt;
use std::sync::Arc;

use super::catalog::{Catalog, KeyId, LabelId, TypeId};
use super::changes::ConstraintDef;
use crate::ast::ValueType;

/// What a constraint is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// Nodes carrying a label.
    Node(LabelId),
    /// Relationships of a type.
    Relationship(TypeId),
}

/// What a constraint requires of the entities it is on.
#[derive(Clone, Debug)]
pub enum Requirement {
    /// No two entities have equal values for all the keys (entities missing
    /// one of them are not compared).
    Unique,
    /// Every entity has all the keys, and no two have equal values for them.
    Key,
    /// Every entity has the key.
    NotNull,
    /// Where an entity has the key, its value is of the type.
    Type(PropertyType),
}

/// The type of a property type constraint, with the text it prints as
/// (two types are the same when they print the same).
#[derive(Clone, Debug)]
pub struct PropertyType {
    pub ty: Arc<ValueType>,
    pub text: Arc<str>,
}

impl PropertyType {
    pub fn new(ty: ValueType) -> PropertyType {
        let text = ty.to_string().into();
        PropertyType { ty: Arc::new(ty), text }
    }

    /// A type from the text it printed as (in a file or a log record).
    pub fn parse(text: &str) -> Result<PropertyType, String> {
        let ty = quiver_syntax::parse_value_type(text).map_err(|e| format!("the type `{text}`: {e}"))?;
        Ok(PropertyType::new(ty))
    }
}

impl PartialEq for Requirement {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Requirement::Type(a), Requirement::Type(b)) => a.text == b.text,
            (a, b) => std::mem::discriminant(a) == std::mem::discriminant(b),
        }
    }
}

impl Requirement {
    /// The code of the requirement in files and log records.
    pub fn code(&self) -> u8 {
        match self {
            Requirement::Unique => 1,
            Requirement::Key => 2,
            Requirement::NotNull => 3,
            Requirement::Type(_) => 4,
        }
    }

    /// The requirement of `code` (`ty`: the type's text, for code 4).
    pub fn from_code(code: u8, ty: &str) -> Result<Requirement, String> {
        Ok(match code {
            1 => Requirement::Unique,
            2 => Requirement::Key,
            3 => Requirement::NotNull,
            4 => Requirement::Type(PropertyType::parse(ty)?),
            other => return Err(format!("an unknown constraint kind {other}")),
        })
    }

    /// The type's text, for a property type constraint.
    pub fn type_text(&self) -> &str {
        match self {
            Requirement::Type(t) => &t.text,
            _ => "",
        }
    }

    /// Whether entities must have the keys.
    pub fn requires_presence(&self) -> bool {
        matches!(self, Requirement::Key | Requirement::NotNull)
    }

    /// Whether values must be unique.
    pub fn requires_uniqueness(&self) -> bool {
        matches!(self, Requirement::Unique | Requirement::Key)
    }
}

/// One constraint, by catalog ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Constraint {
    pub name: String,
    pub target: Target,
    /// The property keys, in the order written; at least one.
    pub keys: Vec<KeyId>,
    pub requirement: Requirement,
}

impl Constraint {
    /// The constraint by names.
    pub fn def(&self, catalog: &Catalog) -> ConstraintDef {
        let (node, on) = match self.target {
            Target::Node(l) => (true, catalog.labels.name(l)),
            Target::Relationship(t) => (false, catalog.types.name(t)),
        };
        ConstraintDef {
            name: self.name.clone(),
            node,
            on: on.to_string(),
            keys: self.keys.iter().map(|k| catalog.keys.name(*k).to_string()).collect(),
            kind: self.requirement.code(),
            type_text: self.requirement.type_text().to_string(),
        }
    }

    /// The constraint of `def`, its names added to `catalog` where new.
    pub fn from_def(def: &ConstraintDef, catalog: &Catalog) -> Result<Constraint, String> {
        if def.keys.is_empty() {
            return Err(format!("constraint `{}` names no property", def.name));
        }
        Ok(Constraint {
            name: def.name.clone(),
            target: if def.node {
                Target::Node(catalog.labels.intern(&def.on))
            } else {
                Target::Relationship(catalog.types.intern(&def.on))
            },
            keys: def.keys.iter().map(|k| catalog.keys.intern(k)).collect(),
            requirement: Requirement::from_code(def.kind, &def.type_text)?,
        })
    }

    /// Whether both are the same rule (the names aside).
    pub fn same_rule(&self, other: &Constraint) -> bool {
        self.target == other.target && self.keys == other.keys && self.requirement == other.requirement
    }

    /// Whether a uniqueness rule of this constraint is backed by an index of its name
    /// (node constraints: the index is on the label and the first key).
    pub fn owns_index(&self) -> bool {
        matches!(self.target, Target::Node(_)) && self.requirement.requires_uniqueness()
    }

    /// `SHOW CONSTRAINTS`' `type` column.
    pub fn kind_name(&self) -> &'static str {
        let node = matches!(self.target, Target::Node(_));
        match (&self.requirement, node) {
            (Requirement::Unique, true) => "UNIQUENESS",
            (Requirement::Unique, false) => "RELATIONSHIP_UNIQUENESS",
            (Requirement::Key, true) => "NODE_KEY",
            (Requirement::Key, false) => "RELATIONSHIP_KEY",
            (Requirement::NotNull, true) => "NODE_PROPERTY_EXISTENCE",
            (Requirement::NotNull, false) => "RELATIONSHIP_PROPERTY_EXISTENCE",
            (Requirement::Type(_), true) => "NODE_PROPERTY_TYPE",
            (Requirement::Type(_), false) => "RELATIONSHIP_PROPERTY_TYPE",
        }
    }

    /// The constraint as a statement that makes it again (for `quiver dump`
    /// and `SHOW CONSTRAINTS`' `createStatement`).
    pub fn create_statement(&self, catalog: &Catalog) -> String {
        let (pattern, var) = match self.target {
            Target::Node(l) => (format!("(n:{})", quote(&catalog.labels.name(l))), "n"),
            Target::Relationship(t) => (format!("()-[r:{}]-()", quote(&catalog.types.name(t))), "r"),
        };
        let props: Vec<String> = self
            .keys
            .iter()
            .map(|k| format!("{var}.{}", quote(&catalog.keys.name(*k))))
            .collect();
        let props = if props.len() == 1 {
            props[0].clone()
        } else {
            format!("({})", props.join(", "))
        };
        let rule = match (&self.requirement, self.target) {
            (Requirement::Unique, _) => "IS UNIQUE".to_string(),
            (Requirement::Key, Target::Node(_)) => "IS NODE KEY".to_string(),
            (Requirement::Key, Target::Relationship(_)) => "IS RELATIONSHIP KEY".to_string(),
            (Requirement::NotNull, _) => "IS NOT NULL".to_string(),
            (Requirement::Type(t), _) => format!("IS :: {}", t.text),
        };
        format!(
            "CREATE CONSTRAINT {} FOR {pattern} REQUIRE {props} {rule}",
            quote(&self.name)
        )
    }
}

/// A name as an identifier (backquoted).
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(l) => write!(f, "label #{l}"),
            Target::Relationship(t) => write!(f, "type #{t}"),
        }
    }
}
