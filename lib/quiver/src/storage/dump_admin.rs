//! `quiver dump --format neo4j-admin`: the whole graph as the CSV files that
//! `neo4j-admin database import full` loads into a new Neo4j database.
//!
//! A directory gets `nodes.csv` (more as `nodes-2.csv`, ... when one key holds
//! values of different types, which one typed column cannot), likewise
//! `relationships.csv`, an `import.sh` with the `neo4j-admin` command that
//! loads them, and `indexes.cypher` with the graph's indexes (the import tool
//! creates none). Headers are typed (`name:string`, `born:date`,
//! `tags:string[]`, `:ID`, `:LABEL`, `:START_ID`, `:END_ID`, `:TYPE`); nodes
//! are numbered from 0 in id order. Strings are always quoted, so an empty
//! string stays one and an empty field means no property.
//!
//! What Neo4j cannot store is refused with the entity and key named: maps,
//! lists holding nulls, maps or values of different types. An empty list has
//! no field text (an empty field is no property): it is left out and counted.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::store::{GraphRead, PropRef};
use crate::value::{format_float, NodeId, Value};

/// What [`write`] wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AdminDump {
    /// The files written, in the directory, in the order the command reads them.
    pub node_files: Vec<PathBuf>,
    pub relationship_files: Vec<PathBuf>,
    pub nodes: usize,
    pub relationships: usize,
    /// Empty-list properties left out (the format has no text for them).
    pub empty_lists_left_out: usize,
    /// The separator of array fields and of labels (`--array-delimiter`).
    pub array_delimiter: char,
}

/// Why the graph cannot be written as import files.
#[derive(Debug)]
pub enum AdminDumpError {
    Io(io::Error),
    /// A value Neo4j cannot hold as a property.
    Unsupported {
        entity: String,
        key: String,
        why: String,
    },
    /// Every candidate separator occurs in some label or array string.
    NoDelimiter,
}

impl fmt::Display for AdminDumpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminDumpError::Io(e) => write!(f, "{e}"),
            AdminDumpError::Unsupported { entity, key, why } => write!(
                f,
                "{entity} has property `{key}`, {why}, which neo4j-admin import files cannot hold; change it or use --format cypher"
            ),
            AdminDumpError::NoDelimiter => f.write_str(
                "every array delimiter quiver can use (; | and the unit separator) occurs in a label or a list of strings; use --format cypher",
            ),
        }
    }
}

impl std::error::Error for AdminDumpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdminDumpError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for AdminDumpError {
    fn from(e: io::Error) -> Self {
        AdminDumpError::Io(e)
    }
}

/// A column's import type: `long`, `string[]`, ...
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Kind {
    scalar: &'static str,
    array: bool,
}

impl Kind {
    fn header(self) -> String {
        if self.array {
            format!("{}[]", self.scalar)
        } else {
            self.scalar.to_string()
        }
    }
}

fn scalar_kind(v: &Value) -> Option<&'static str> {
    Some(match v {
        Value::Bool(_) => "boolean",
        Value::Int(_) => "long",
        Value::Float(_) => "double",
        Value::String(_) => "string",
        Value::Date(_) => "date",
        Value::LocalTime(_) => "localtime",
        Value::Time(_) => "time",
        Value::LocalDateTime(_) => "localdatetime",
        Value::DateTime(_) => "datetime",
        Value::Duration(_) => "duration",
        _ => return None,
    })
}

/// The column type of a property value; `Ok(None)` for an empty list.
fn kind_of(v: &Value) -> Result<Option<Kind>, String> {
    if let Value::List(items) = v {
        let Some(first) = items.first() else { return Ok(None) };
        let Some(scalar) = scalar_kind(first) else {
            return Err(format!("a list holding {}", describe(first)));
        };
        if let Some(odd) = items.iter().find(|i| scalar_kind(i) != Some(scalar)) {
            return Err(format!("a list mixing {} and {}", describe(first), describe(odd)));
        }
        return Ok(Some(Kind { scalar, array: true }));
    }
    match scalar_kind(v) {
        Some(scalar) => Ok(Some(Kind { scalar, array: false })),
        None => Err(describe(v)),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Map(_) => "a map".into(),
        Value::List(_) => "a list".into(),
        other => match scalar_kind(other) {
            Some(k) => format!("a {k}"),
            None => "a graph element".into(),
        },
    }
}

fn field_text(v: &Value, delimiter: char) -> String {
    match v {
        Value::Float(f) if f.is_nan() => "NaN".into(),
        Value::Float(f) if f.is_infinite() && *f > 0.0 => "Infinity".into(),
        Value::Float(f) if f.is_infinite() => "-Infinity".into(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => s.to_string(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(|i| field_text(i, delimiter)).collect();
            parts.join(&delimiter.to_string())
        }
        other => other.to_string(),
    }
}

/// One entity's properties by key name, with their column types.
struct Row<'g> {
    props: Vec<(Arc<str>, Kind, PropRef<'g>)>,
}

/// Files of rows whose columns agree on each key's type: a row goes to the
/// first file none of whose columns gives one of its keys another type.
struct Files<'g> {
    files: Vec<File<'g>>,
}

/// A file's columns (key and type) and its rows (numbered).
type File<'g> = (BTreeMap<Arc<str>, Kind>, Vec<(usize, Row<'g>)>);

impl<'g> Files<'g> {
    fn new() -> Self {
        Files { files: Vec::new() }
    }

    fn add(&mut self, number: usize, row: Row<'g>) {
        let fits = |columns: &BTreeMap<Arc<str>, Kind>| {
            row.props
                .iter()
                .all(|(k, kind, _)| columns.get(k).is_none_or(|c| c == kind))
        };
        let at = match self.files.iter().position(|(c, _)| fits(c)) {
            Some(at) => at,
            None => {
                self.files.push((BTreeMap::new(), Vec::new()));
                self.files.len() - 1
            }
        };
        let (columns, rows) = &mut self.files[at];
        for (k, kind, _) in &row.props {
            columns.entry(k.clone()).or_insert(*kind);
        }
        rows.push((number, row));
    }
}

fn entity_row<'g>(
    graph: &'g dyn GraphRead,
    props: Vec<(crate::store::KeyId, PropRef<'g>)>,
    entity: &dyn Fn() -> String,
    empty_lists: &mut usize,
) -> Result<Row<'g>, AdminDumpError> {
    let keys = &graph.catalog().keys;
    let mut out = Vec::with_capacity(props.len());
    for (key, value) in props {
        let name = keys.name(key);
        if name.contains(':') {
            return Err(AdminDumpError::Unsupported {
                entity: entity(),
                key: name.to_string(),
                why: "a key with ':' in it (an import header reads it as a type)".into(),
            });
        }
        match kind_of(&value) {
            Ok(Some(kind)) => out.push((name, kind, value)),
            Ok(None) => *empty_lists += 1,
            Err(why) => {
                return Err(AdminDumpError::Unsupported {
                    entity: entity(),
                    key: name.to_string(),
                    why,
                })
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(Row { props: out })
}

const DELIMITERS: [char; 3] = [';', '|', '\u{1f}'];

/// Writes the import files into `dir` (made if absent; it must hold none of
/// the files this writes).
pub fn write(graph: &dyn GraphRead, dir: &Path) -> Result<AdminDump, AdminDumpError> {
    let catalog = graph.catalog();
    let node_ids: Vec<NodeId> = graph.nodes().collect();
    let mut number: HashMap<NodeId, usize> = HashMap::with_capacity(node_ids.len());
    let mut empty_lists = 0;
    let mut used = [false; DELIMITERS.len()];
    let mut note = |s: &str| {
        for (i, d) in DELIMITERS.iter().enumerate() {
            used[i] |= s.contains(*d);
        }
    };

    let mut node_files = Files::new();
    let mut labels_of: Vec<String> = Vec::with_capacity(node_ids.len());
    for (i, id) in node_ids.iter().enumerate() {
        number.insert(*id, i);
        let labels: Vec<Arc<str>> = graph
            .node_labels(*id)
            .unwrap_or_default()
            .iter()
            .map(|l| catalog.labels.name(*l))
            .collect();
        for l in &labels {
            note(l);
        }
        labels_of.push(labels.join("\u{0}"));
        let row = entity_row(
            graph,
            graph.node_properties(*id),
            &|| format!("node {i}"),
            &mut empty_lists,
        )?;
        note_strings(&row, &mut note);
        node_files.add(i, row);
    }
    let mut rel_files = Files::new();
    let mut rels = Vec::new();
    for id in graph.relationships() {
        let Some(rel) = graph.relationship(id) else { continue };
        let n = rels.len();
        let row = entity_row(
            graph,
            graph.relationship_properties(id),
            &|| format!("relationship {n} ({})", catalog.types.name(rel.rel_type)),
            &mut empty_lists,
        )?;
        note_strings(&row, &mut note);
        rels.push((number[&rel.start], number[&rel.end], catalog.types.name(rel.rel_type)));
        rel_files.add(n, row);
    }
    let delimiter = DELIMITERS
        .iter()
        .zip(used)
        .find(|(_, used)| !used)
        .map(|(d, _)| *d)
        .ok_or(AdminDumpError::NoDelimiter)?;

    std::fs::create_dir_all(dir)?;
    let mut dump = AdminDump {
        nodes: node_ids.len(),
        relationships: rels.len(),
        empty_lists_left_out: empty_lists,
        array_delimiter: delimiter,
        ..AdminDump::default()
    };
    let names = |stem: &str, count: usize| -> Vec<String> {
        (0..count.max(1))
            .map(|i| {
                if i == 0 {
                    format!("{stem}.csv")
                } else {
                    format!("{stem}-{}.csv", i + 1)
                }
            })
            .collect()
    };
    let node_names = names("nodes", node_files.files.len());
    let rel_names = if rels.is_empty() {
        Vec::new()
    } else {
        names("relationships", rel_files.files.len())
    };
    for name in node_names
        .iter()
        .chain(&rel_names)
        .map(String::as_str)
        .chain(["import.sh", "indexes.cypher"])
    {
        if dir.join(name).exists() {
            return Err(AdminDumpError::Io(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists already; dump into an empty directory",
                    dir.join(name).display()
                ),
            )));
        }
    }

    // With no nodes at all, one file of just a header keeps the command valid.
    if node_files.files.is_empty() {
        node_files.files.push((BTreeMap::new(), Vec::new()));
    }
    for ((columns, rows), name) in node_files.files.iter().zip(&node_names) {
        let path = dir.join(name);
        let mut w = writer(&path)?;
        let mut header = vec![Some(":ID".to_string())];
        header.extend(columns.iter().map(|(k, kind)| Some(format!("{k}:{}", kind.header()))));
        header.push(Some(":LABEL".into()));
        record(&mut w, &header)?;
        for (i, row) in rows {
            let mut fields = vec![Some(i.to_string())];
            fields.extend(row_fields(columns, row, delimiter));
            let labels = &labels_of[*i];
            fields.push((!labels.is_empty()).then(|| labels.replace('\u{0}', &delimiter.to_string())));
            record(&mut w, &fields)?;
        }
        finish(w)?;
        dump.node_files.push(path);
    }
    for ((columns, rows), name) in rel_files.files.iter().zip(&rel_names) {
        let path = dir.join(name);
        let mut w = writer(&path)?;
        let mut header = vec![Some(":START_ID".to_string()), Some(":END_ID".into())];
        header.extend(columns.iter().map(|(k, kind)| Some(format!("{k}:{}", kind.header()))));
        header.push(Some(":TYPE".into()));
        record(&mut w, &header)?;
        for (n, row) in rows {
            let (s, e, t) = &rels[*n];
            let mut fields = vec![Some(s.to_string()), Some(e.to_string())];
            fields.extend(row_fields(columns, row, delimiter));
            fields.push(Some(t.to_string()));
            record(&mut w, &fields)?;
        }
        finish(w)?;
        dump.relationship_files.push(path);
    }

    let mut script = io::BufWriter::new(std::fs::File::create(dir.join("import.sh"))?);
    writeln!(script, "#!/bin/sh")?;
    writeln!(
        script,
        "# Loads this quiver dump ({} nodes, {} relationships) into a new Neo4j database",
        dump.nodes, dump.relationships
    )?;
    writeln!(
        script,
        "# (default neo4j; stop it first), then run indexes.cypher in it."
    )?;
    writeln!(script, "cd \"$(dirname \"$0\")\" || exit 1")?;
    write!(script, "exec neo4j-admin database import full")?;
    for name in &node_names {
        write!(script, " --nodes={name}")?;
    }
    for name in &rel_names {
        write!(script, " --relationships={name}")?;
    }
    let shown = if delimiter == '\u{1f}' {
        "\"$(printf '\\037')\"".to_string()
    } else {
        format!("'{delimiter}'")
    };
    writeln!(
        script,
        " --array-delimiter={shown} --multiline-fields=true --overwrite-destination=false \"${{1:-neo4j}}\""
    )?;
    script.flush()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.join("import.sh"), std::fs::Permissions::from_mode(0o755))?;
    }

    let mut indexes = io::BufWriter::new(std::fs::File::create(dir.join("indexes.cypher"))?);
    writeln!(
        indexes,
        "// The indexes and constraints of the dumped graph, to run once the import is done."
    )?;
    let constraints = graph.constraints();
    let owned = |index: &str| constraints.iter().any(|c| c.owns_index() && c.name == index);
    for index in graph.indexes().into_iter().filter(|i| !owned(&i.name)) {
        writeln!(
            indexes,
            "CREATE INDEX {} IF NOT EXISTS FOR (n:{}) ON (n.{});",
            quoted(&index.name),
            quoted(&catalog.labels.name(index.label)),
            quoted(&catalog.keys.name(index.key))
        )?;
    }
    for c in constraints.iter() {
        let create = c.create_statement(catalog);
        let create = create.replacen(" FOR ", " IF NOT EXISTS FOR ", 1);
        writeln!(indexes, "{create};")?;
    }
    indexes.flush()?;
    Ok(dump)
}

fn quoted(n: &str) -> String {
    format!("`{}`", n.replace('`', "``"))
}

fn note_strings(row: &Row<'_>, note: &mut impl FnMut(&str)) {
    for (_, kind, value) in &row.props {
        if let (true, Value::List(items)) = (kind.array, value.as_ref()) {
            for item in items.iter() {
                if let Value::String(s) = item {
                    note(s);
                }
            }
        }
    }
}

/// A row's fields in column order: `None` where it has no such property.
fn row_fields(columns: &BTreeMap<Arc<str>, Kind>, row: &Row<'_>, delimiter: char) -> Vec<Option<String>> {
    let mut at = row.props.iter().peekable();
    columns
        .keys()
        .map(|k| match at.peek() {
            Some((name, _, value)) if name == k => {
                let text = field_text(value, delimiter);
                at.next();
                Some(text)
            }
            _ => None,
        })
        .collect()
}

/// Writes one CSV record: every field there is quoted (so an empty string
/// is `""`), a missing one left empty (no property).
fn record(w: &mut impl Write, fields: &[Option<String>]) -> io::Result<()> {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        if let Some(text) = field {
            write!(w, "\"{}\"", text.replace('"', "\"\""))?;
        }
    }
    w.write_all(b"\n")
}

fn writer(path: &Path) -> io::Result<io::BufWriter<std::fs::File>> {
    Ok(io::BufWriter::new(std::fs::File::create(path)?))
}

fn finish(w: io::BufWriter<std::fs::File>) -> io::Result<()> {
    let file = w.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use crate::import::{ImportSpec, InputGroup};
    use crate::{Database, Params, Value};

    fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
        db.execute(q, &Params::new()).unwrap().rows
    }

    const EVERYTHING: &str = "MATCH (n) OPTIONAL MATCH (n)-[r]->(m) \
        RETURN n.k AS k, labels(n) AS labels, properties(n) AS props, type(r) AS t, properties(r) AS rp, m.k AS mk \
        ORDER BY k, t, mk";

    fn reimport(dir: &std::path::Path, dump: &super::AdminDump) -> Database {
        let spec = ImportSpec {
            nodes: dump.node_files.iter().map(|f| InputGroup::file(f.clone())).collect(),
            relationships: dump
                .relationship_files
                .iter()
                .map(|f| InputGroup::file(f.clone()))
                .collect(),
            array_delimiter: dump.array_delimiter as u8,
            ..ImportSpec::default()
        };
        let back = Database::in_memory();
        back.import(&spec)
            .unwrap_or_else(|e| panic!("{e}\n{}", std::fs::read_to_string(dir.join("nodes.csv")).unwrap()));
        back
    }

    #[test]
    fn every_property_type_comes_back_through_an_import() {
        let db = Database::in_memory();
        db.execute("CREATE INDEX person_name FOR (p:Person) ON (p.name)", &Params::new())
            .unwrap();
        db.execute(
            "CREATE (a:Person:Admin {k: 1, name: 'Ada, \"the first\"', note: '', born: date('1815-12-10'), \
               t: localtime('12:30:01.5'), tz: time('10:00+02:00'), ldt: localdatetime('2020-01-02T03:04:05'), \
               dt: datetime('2015-07-04T19:32:24[Europe/Berlin]'), d: duration('P1Y2M3DT4H'), \
               f: 1.5, big: -9223372036854775807 - 1, yes: true, tags: ['x', 'y'], nums: [1, 2], \
               lines: 'one\ntwo'}) \
             CREATE (b:Person {k: 2, name: 'Alan'}) \
             CREATE (c {k: 3}) \
             CREATE (a)-[:KNOWS {since: 1833, w: 0.5}]->(b), (b)-[:KNOWS]->(a), (c)-[:SELF]->(c)",
            &Params::new(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dump = db.dump_neo4j_admin(dir.path()).unwrap();
        assert_eq!((dump.nodes, dump.relationships), (3, 3));
        assert_eq!((dump.node_files.len(), dump.relationship_files.len()), (1, 1));
        assert_eq!(dump.array_delimiter, ';');
        let nodes = std::fs::read_to_string(dir.path().join("nodes.csv")).unwrap();
        let header = nodes.lines().next().unwrap();
        assert_eq!(
            header,
            "\":ID\",\"big:long\",\"born:date\",\"d:duration\",\"dt:datetime\",\"f:double\",\"k:long\",\"ldt:localdatetime\",\
             \"lines:string\",\"name:string\",\"note:string\",\"nums:long[]\",\"t:localtime\",\"tags:string[]\",\"tz:time\",\
             \"yes:boolean\",\":LABEL\""
        );
        assert!(nodes.contains("\"Person;Admin\""), "{nodes}");
        assert!(nodes.contains("\"Ada, \"\"the first\"\"\",\"\""), "{nodes}");
        let script = std::fs::read_to_string(dir.path().join("import.sh")).unwrap();
        assert!(
            script.contains(
                "neo4j-admin database import full --nodes=nodes.csv --relationships=relationships.csv --array-delimiter=';'"
            ),
            "{script}"
        );
        let indexes = std::fs::read_to_string(dir.path().join("indexes.cypher")).unwrap();
        assert!(
            indexes.contains("CREATE INDEX `person_name` IF NOT EXISTS FOR (n:`Person`) ON (n.`name`);"),
            "{indexes}"
        );

        let back = reimport(dir.path(), &dump);
        assert_eq!(rows(&back, EVERYTHING), rows(&db, EVERYTHING));
        // A node with no properties but `k` misses the others: no property, not an empty one.
        assert_eq!(
            rows(&back, "MATCH (n {k: 3}) RETURN keys(n)"),
            vec![vec![Value::list(vec![Value::from("k")])]]
        );
    }

    #[test]
    fn a_key_of_two_types_splits_the_files_and_odd_values_are_refused() {
        let db = Database::in_memory();
        db.execute(
            "CREATE (:A {k: 1, v: 'text'}), (:A {k: 2, v: 2}), (:B {k: 3, v: 'more', tags: ['a;b']}), (:C {k: 4, e: []})",
            &Params::new(),
        )
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let dump = db.dump_neo4j_admin(dir.path()).unwrap();
        assert_eq!(dump.node_files.len(), 2);
        assert!(dump.relationship_files.is_empty());
        assert_eq!(dump.empty_lists_left_out, 1);
        // `;` is in a string of a list: another delimiter is chosen.
        assert_eq!(dump.array_delimiter, '|');
        let back = reimport(dir.path(), &dump);
        let q = "MATCH (n) RETURN n.k, n.v, n.tags, labels(n) ORDER BY n.k";
        assert_eq!(rows(&back, q), rows(&db, q));
        // Dumping again into the same directory is refused, and nothing is overwritten.
        let again = db.dump_neo4j_admin(dir.path()).unwrap_err().to_string();
        assert!(again.contains("exists already"), "{again}");

        let odd = Database::in_memory();
        odd.execute("CREATE (:A {k: 1}), (:A {`a:b`: 1})", &Params::new())
            .unwrap();
        let e = odd.dump_neo4j_admin(&dir.path().join("odd")).unwrap_err().to_string();
        assert!(e.contains("node 1 has property `a:b`, a key with ':' in it"), "{e}");
        assert!(!dir.path().join("odd").exists());
    }

    #[test]
    fn an_empty_graph_dumps_a_header() {
        let dir = tempfile::tempdir().unwrap();
        let dump = Database::in_memory().dump_neo4j_admin(dir.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&dump.node_files[0]).unwrap(),
            "\":ID\",\":LABEL\"\n"
        );
        assert!(dump.relationship_files.is_empty());
    }
}
