//! The catalog: every label, relationship type and property key the graph
//! has ever held, each named once and referred to by a small id.
//!
//! It is shared (`Send + Sync`) and append-only: an id, once given, names the
//! same thing for the life of the process, so a plan, a reader on another
//! thread or a result may hold ids without locking anything. Only a write
//! transaction adds names ([`NameTable::intern`] is for the store's write
//! side); planning resolves names against it and treats an unknown name as
//! one that nothing carries ([`NameRef`]).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock, RwLock};

pub type LabelId = u32;
pub type TypeId = u32;
pub type KeyId = u32;

/// One namespace of names (labels, types or keys).
#[derive(Default)]
pub struct NameTable {
    inner: RwLock<Names>,
}

#[derive(Default, Clone)]
struct Names {
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, u32>,
}

impl NameTable {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Names> {
        // A panic elsewhere while holding the lock cannot leave the table
        // half-changed (an insert is one push and one map insert after it).
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The id of `name` if the catalog has it.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.read().ids.get(name).copied()
    }

    /// The name of `id` (empty for an id the table never gave).
    pub fn name(&self, id: u32) -> Arc<str> {
        self.read().names.get(id as usize).cloned().unwrap_or_else(|| "".into())
    }

    pub fn len(&self) -> usize {
        self.read().names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every `(id, name)`, in id order.
    pub fn all(&self) -> Vec<(u32, Arc<str>)> {
        self.read()
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (i as u32, n.clone()))
            .collect()
    }

    /// The id of `name`, adding it if new. For the store's write side only:
    /// reading never adds a name.
    pub(crate) fn intern(&self, name: &str) -> u32 {
        if let Some(id) = self.get(name) {
            return id;
        }
        let mut w = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if let Some(&id) = w.ids.get(name) {
            return id;
        }
        let id = w.names.len() as u32;
        let name: Arc<str> = name.into();
        w.names.push(name.clone());
        w.ids.insert(name, id);
        id
    }
}

impl Clone for NameTable {
    fn clone(&self) -> Self {
        NameTable {
            inner: RwLock::new(self.read().clone()),
        }
    }
}

impl fmt::Debug for NameTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.read().names.iter()).finish()
    }
}

/// The three namespaces.
#[derive(Default, Debug, Clone)]
pub struct Catalog {
    pub labels: NameTable,
    pub types: NameTable,
    pub keys: NameTable,
}

/// Which namespace a [`NameRef`] names into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Namespace {
    Label,
    Type,
    Key,
}

impl Catalog {
    pub fn table(&self, ns: Namespace) -> &NameTable {
        match ns {
            Namespace::Label => &self.labels,
            Namespace::Type => &self.types,
            Namespace::Key => &self.keys,
        }
    }
}

/// A label, type or key as a plan holds it: the name as written, and its id
/// once the catalog has one. Resolving is one atomic load after the first
/// success, and a name unknown at planning is looked up again when used, so
/// that a statement that creates a label also finds it later on.
#[derive(Clone)]
pub struct NameRef {
    pub name: Arc<str>,
    pub ns: Namespace,
    id: OnceLock<u32>,
}

impl NameRef {
    /// `name` in `ns`, resolved now if the catalog has it.
    pub fn new(catalog: &Catalog, ns: Namespace, name: &str) -> NameRef {
        let r = NameRef {
            name: name.into(),
            ns,
            id: OnceLock::new(),
        };
        r.resolve(catalog);
        r
    }

    /// The id, if the catalog has the name (`None`: nothing carries it).
    #[inline]
    pub fn resolve(&self, catalog: &Catalog) -> Option<u32> {
        if let Some(id) = self.id.get() {
            return Some(*id);
        }
        let id = catalog.table(self.ns).get(&self.name)?;
        Some(*self.id.get_or_init(|| id))
    }

    /// The id as resolved so far (for planning decisions).
    pub fn known(&self) -> Option<u32> {
        self.id.get().copied()
    }
}

impl fmt::Debug for NameRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.name)?;
        if let Some(id) = self.id.get() {
            write!(f, "#{id}")?;
        }
        Ok(())
    }
}

impl PartialEq for NameRef {
    fn eq(&self, other: &Self) -> bool {
        self.ns == other.ns && self.name == other.name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_interned_once_and_resolved_late() {
        let c = Catalog::default();
        let r = NameRef::new(&c, Namespace::Label, "Person");
        assert_eq!(r.resolve(&c), None);
        let id = c.labels.intern("Person");
        assert_eq!(c.labels.intern("Person"), id);
        assert_eq!(r.resolve(&c), Some(id));
        assert_eq!(r.known(), Some(id));
        assert_eq!(&*c.labels.name(id), "Person");
        assert_eq!(c.types.get("Person"), None);
    }

    #[test]
    fn the_catalog_is_shared_across_threads() {
        let c = Arc::new(Catalog::default());
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let c = c.clone();
                std::thread::spawn(move || (0..100).map(|i| c.keys.intern(&format!("k{}", (i + t) % 50))).count())
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(c.keys.len(), 50);
    }
}
