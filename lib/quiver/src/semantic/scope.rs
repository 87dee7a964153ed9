//! Which variables are visible at a point of the query, and in which row slot
//! each lives.

/// What a variable holds, as far as the semantic stage can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    Node,
    Relationship,
    /// A list of relationships bound by a variable-length pattern.
    RelationshipList,
    Path,
    /// Anything else, with what the planner knows of its type.
    Value(super::types::Ty),
}

#[derive(Clone, Debug, Default)]
pub struct Scope {
    vars: Vec<(String, usize, VarKind)>,
    /// Number of slots in the row (including anonymous ones).
    pub width: usize,
}

impl Scope {
    pub fn new() -> Scope {
        Scope::default()
    }

    pub fn lookup(&self, name: &str) -> Option<usize> {
        self.get(name).map(|(s, _)| s)
    }

    pub fn get(&self, name: &str) -> Option<(usize, VarKind)> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _, _)| n == name)
            .map(|(_, s, k)| (*s, *k))
    }

    /// Binds `name` to a new slot (shadowing any earlier binding).
    pub fn bind(&mut self, name: &str, kind: VarKind) -> usize {
        let slot = self.fresh();
        self.vars.push((name.to_string(), slot, kind));
        slot
    }

    /// Binds `name` to an existing slot.
    pub fn alias(&mut self, name: &str, slot: usize, kind: VarKind) {
        self.vars.push((name.to_string(), slot, kind));
    }

    /// A slot for an anonymous entity.
    pub fn fresh(&mut self) -> usize {
        self.width += 1;
        self.width - 1
    }

    /// Visible variable names, in the order they were bound, without shadowed duplicates.
    pub fn names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (n, _, _) in &self.vars {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    pub fn set_kind(&mut self, name: &str, kind: VarKind) {
        if let Some(v) = self.vars.iter_mut().rev().find(|(n, _, _)| n == name) {
            v.2 = kind;
        }
    }
}
