//! The PackStream value model (PackStream version 1, "Data types"): what a
//! decoded message is made of, before Bolt gives structures their meaning.

/// One PackStream value. `Dictionary` keeps its entries in wire order;
/// a key that appears twice keeps the last value (PackStream, "Dictionary").
#[derive(Clone, Debug, PartialEq)]
pub enum PackValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    String(String),
    List(Vec<PackValue>),
    Dict(Dict),
    Struct(Structure),
}

/// A structure: a tag byte and up to 15 fields (PackStream, "Structure").
/// Bolt messages are structures, and so are nodes, temporals and the rest
/// (see the Bolt "Structure Semantics").
#[derive(Clone, Debug, PartialEq)]
pub struct Structure {
    pub tag: u8,
    pub fields: Vec<PackValue>,
}

/// A dictionary with string keys, in insertion order, keys unique.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dict {
    entries: Vec<(String, PackValue)>,
}

impl Dict {
    pub fn new() -> Dict {
        Dict::default()
    }

    pub fn with_capacity(n: usize) -> Dict {
        Dict {
            entries: Vec::with_capacity(n),
        }
    }

    /// Appends an entry whose key the caller knows to be new (no duplicate check).
    pub fn push(&mut self, key: impl Into<String>, value: impl Into<PackValue>) {
        self.entries.push((key.into(), value.into()));
    }

    /// Builder form of [`Dict::push`].
    pub fn with(mut self, key: impl Into<String>, value: impl Into<PackValue>) -> Dict {
        self.push(key, value);
        self
    }

    /// Sets `key`, replacing an earlier value (linear: for small dictionaries).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<PackValue>) {
        let key = key.into();
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&PackValue> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value of `key` unless it is absent or null.
    pub fn get_some(&self, key: &str) -> Option<&PackValue> {
        self.get(key).filter(|v| !matches!(v, PackValue::Null))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &PackValue)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn into_entries(self) -> Vec<(String, PackValue)> {
        self.entries
    }

    pub(crate) fn from_unique_entries(entries: Vec<(String, PackValue)>) -> Dict {
        Dict { entries }
    }
}

impl PackValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            PackValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            PackValue::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_dict(&self) -> Option<&Dict> {
        match self {
            PackValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[PackValue]> {
        match self {
            PackValue::List(l) => Some(l),
            _ => None,
        }
    }

    /// The PackStream type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            PackValue::Null => "Null",
            PackValue::Bool(_) => "Boolean",
            PackValue::Int(_) => "Integer",
            PackValue::Float(_) => "Float",
            PackValue::Bytes(_) => "Bytes",
            PackValue::String(_) => "String",
            PackValue::List(_) => "List",
            PackValue::Dict(_) => "Dictionary",
            PackValue::Struct(_) => "Structure",
        }
    }
}

impl From<bool> for PackValue {
    fn from(b: bool) -> Self {
        PackValue::Bool(b)
    }
}
impl From<i64> for PackValue {
    fn from(i: i64) -> Self {
        PackValue::Int(i)
    }
}
impl From<f64> for PackValue {
    fn from(f: f64) -> Self {
        PackValue::Float(f)
    }
}
impl From<&str> for PackValue {
    fn from(s: &str) -> Self {
        PackValue::String(s.to_string())
    }
}
impl From<String> for PackValue {
    fn from(s: String) -> Self {
        PackValue::String(s)
    }
}
impl From<Dict> for PackValue {
    fn from(d: Dict) -> Self {
        PackValue::Dict(d)
    }
}
impl From<Structure> for PackValue {
    fn from(s: Structure) -> Self {
        PackValue::Struct(s)
    }
}
impl<T: Into<PackValue>> From<Vec<T>> for PackValue {
    fn from(v: Vec<T>) -> Self {
        PackValue::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<PackValue>> From<Option<T>> for PackValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(PackValue::Null, Into::into)
    }
}
