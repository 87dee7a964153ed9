//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use quiver::import::{IdType, ImportSpec, InputGroup};

/// How results are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table of Cypher literals with a footer (rows, time, changes).
    #[default]
    Table,
    /// A header row, then one row per record; strings bare, null empty.
    Csv,
    /// One JSON object per statement, one per line.
    Json,
    /// A Graphviz digraph of the nodes and relationships each result mentions.
    Dot,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Dot => "dot",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        Format::from_str(s.trim(), true).ok()
    }
}

const AFTER_LONG_HELP: &str = "\
Without -c or -f, quiver reads statements from standard input: on a terminal
it starts an interactive shell (type :help there), otherwise it runs each
;-terminated statement as soon as it arrives and writes its result at once,
so another program can drive quiver through a pipe.

Statements run in command-line order in one process, on one graph: in memory,
or in the database file FILE (each statement is durable when quiver reports it
done). In scripts, lines :begin, :commit and :rollback group statements into
one transaction; see the README's \"Files and transactions\".
At the first error quiver reports it and exits with status 1, unless
--keep-going is given (then it exits 1 at the end if anything failed).
Usage errors (a bad option, a bad --param literal) exit with status 2.

The interactive shell keeps its history in $XDG_DATA_HOME/quiver/history
when XDG_DATA_HOME is set, else in ~/.quiver_history.

Examples:
  quiver -c \"CREATE (:Person {name: 'Ada'})\" -c 'MATCH (p:Person) RETURN p.name'
  quiver -f schema.cypher -f queries.cypher --keep-going
  quiver --load fixtures.cypher --format csv -c 'MATCH (n) RETURN n.name, n.age'
  quiver --param name=\"'Ada'\" --param ages='[36, 41]' \\
         -c 'MATCH (p {name: $name}) WHERE p.age IN $ages RETURN p'
  echo 'UNWIND range(1, 3) AS i RETURN i;' | quiver --format json
  quiver -f - < script.cypher
  quiver --load-nodes Person=persons.csv --load-relationships knows.csv \\
         -c 'MATCH (a:Person)-[:KNOWS]->(b) RETURN a.name, b.name'
  quiver my.qv -c \"CREATE (:Person {name: 'Ada'})\"
  quiver check my.qv
  quiver dump my.qv > my.cypher

With --format json each statement prints one line:
  {\"columns\":[...],\"rows\":[[...]],\"stats\":{\"nodes_created\":0,...}}
or, when it fails (also on standard output):
  {\"error\":{\"kind\":...,\"code\":...,\"phase\":...,\"message\":...,\"line\":...,\"column\":...}}";

/// quiver: an embedded property-graph database queried with a subset of the
/// openCypher query language.
#[derive(Debug, Parser)]
#[command(name = "quiver", version, about, long_about = None, after_long_help = AFTER_LONG_HELP, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Run statement Q (repeatable; runs in order with -f, on one graph)
    #[arg(short = 'c', long = "command", value_name = "Q")]
    pub command: Vec<String>,

    /// Run the ;-separated statements of file F ('-' reads standard input; repeatable)
    #[arg(short = 'f', long = "file", value_name = "F")]
    pub file: Vec<String>,

    /// Output format [default: table]
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,

    /// Set parameter $NAME to LIT, a Cypher literal such as 42, 'text', [1, 2] or {k: 'v'} (repeatable)
    #[arg(long = "param", value_name = "NAME=LIT")]
    pub param: Vec<String>,

    /// Run the Cypher script F before anything else, printing nothing unless it fails (repeatable)
    #[arg(long = "load", value_name = "F")]
    pub load: Vec<PathBuf>,

    /// Bulk-load node file(s) before anything else, as `quiver import --nodes` does (repeatable)
    #[arg(long = "load-nodes", value_name = "[LABELS=]FILES")]
    pub load_nodes: Vec<String>,

    /// Bulk-load relationship file(s) after the --load-nodes files (repeatable)
    #[arg(long = "load-relationships", value_name = "[TYPE=]FILES")]
    pub load_relationships: Vec<String>,

    /// The field delimiter of --load-nodes and --load-relationships CSV files
    #[arg(long = "load-delimiter", value_name = "C", default_value = ",")]
    pub load_delimiter: String,

    /// On error, report it and run the following statements (exit status 1 at the end)
    #[arg(long)]
    pub keep_going: bool,

    /// Open the database file FILE instead of an in-memory graph (created if missing)
    #[arg(value_name = "FILE")]
    pub database: Option<PathBuf>,

    /// Open FILE without writing, beside a writer in another process or none:
    /// each statement sees what was committed before it started
    #[arg(long, requires = "database")]
    pub read_only: bool,

    /// When another process has FILE open for writing, wait up to MS
    /// milliseconds for it to close it (instead of failing at once)
    #[arg(long, value_name = "MS", requires = "database")]
    pub busy_timeout: Option<u64>,

    /// Checkpoint once the log holds more than BYTES (and more than the snapshot); for tests
    #[arg(long, value_name = "BYTES", hide = true)]
    pub checkpoint_after: Option<u64>,

    #[command(subcommand)]
    pub tool: Option<Tool>,
}

/// What `quiver dump` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DumpFormat {
    Cypher,
    #[value(name = "neo4j-admin")]
    Neo4jAdmin,
}

/// Subcommands: `quiver check FILE`, `quiver dump FILE`, `quiver import ... FILE`,
/// `quiver serve [FILE]`, `quiver mcp [FILE]`.
#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Tool {
    /// Verify a database file and its log (every checksum) and say what it holds
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Write the whole graph as a Cypher script that rebuilds it (here or in another Cypher database)
    Dump {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Write the script to OUT instead of standard output (with --format neo4j-admin: the directory to write the files into)
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
        /// cypher: a script of CREATE statements; neo4j-admin: CSV files and the `neo4j-admin database import full` command that loads them
        #[arg(long = "format", value_enum, default_value_t = DumpFormat::Cypher)]
        format: DumpFormat,
    },
    /// Bulk-load node and relationship files (CSV with typed headers, or JSON lines) into a database file
    #[command(after_long_help = IMPORT_HELP)]
    Import(ImportArgs),
    /// Serve the graph to the Neo4j drivers (Bolt) and over Neo4j's HTTP Query API, until SIGINT or SIGTERM
    #[command(after_long_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Serve the graph to AI agents over the Model Context Protocol (on standard input and output)
    #[command(after_long_help = MCP_HELP)]
    Mcp(McpArgs),
}

const SERVE_HELP: &str = "\
The first lines of standard output are the addresses listened on:
  bolt://127.0.0.1:7687
  http://127.0.0.1:7474
(port 0 picks a free port). Connect with any Neo4j driver, e.g. in Python
  GraphDatabase.driver('bolt://127.0.0.1:7687', auth=('neo4j', 'secret'))
or send statements to Neo4j's HTTP Query API:
  curl -u neo4j:secret -H 'Content-Type: application/json' \\
       -d '{\"statement\": \"MATCH (n) RETURN count(n) AS n\"}' \\
       http://127.0.0.1:7474/db/neo4j/query/v2
The database is called neo4j (and, for a FILE, also by its file stem).
Listening on anything but a loopback address requires --auth.
SIGINT (Ctrl-C) or SIGTERM stops the server: open transactions are rolled
back, the file is checkpointed, and quiver exits with status 0.

A web browser pointed at the HTTP address gets the graph browser page (an
editor, results as a picture, a table and JSON, the schema); --open starts the
system's browser on it.

Examples:
  quiver serve --load fixtures/gaza_isf.cypher --open
  quiver serve my.qv --auth neo4j:secret --bolt 0.0.0.0:7687 --http 0.0.0.0:7474
  quiver serve my.qv --read-only --bolt 127.0.0.1:0 --http off";

const MCP_HELP: &str = "\
An MCP client starts quiver as a subprocess and talks to it over standard
input and output. The tools: query (run a statement; read-only unless
--allow-writes: the engine refuses any statement whose plan writes), schema
(labels, relationship types, patterns, property keys with their value types
and counts) and explain (a statement's plan).

A client configuration (Claude Desktop and others):
  {\"mcpServers\": {\"quiver\": {\"command\": \"quiver\",
      \"args\": [\"mcp\", \"--load\", \"fixtures/gaza_isf.cypher\"]}}}";

/// `quiver serve`'s options.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct ServeArgs {
    /// The database file to serve (created if missing); without it, an in-memory graph
    #[arg(value_name = "FILE")]
    pub database: Option<PathBuf>,

    /// Where Bolt listens: HOST:PORT (port 0: a free one), or `off`
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7687")]
    pub bolt: String,

    /// Where the HTTP Query API listens: HOST:PORT (port 0: a free one), or `off`
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:7474")]
    pub http: String,

    /// Require these credentials (Bolt basic auth and HTTP basic auth); repeat for more users
    #[arg(long, value_name = "USER:PASSWORD")]
    pub auth: Vec<String>,

    /// Refuse every statement that would change the graph (a FILE is opened
    /// read-only, beside a writer in another process or none)
    #[arg(long)]
    pub read_only: bool,

    /// Run the Cypher script F before serving (repeatable)
    #[arg(long = "load", value_name = "F")]
    pub load: Vec<PathBuf>,

    /// How long a write waits for another transaction's write lock before it
    /// fails with a transient error (which the drivers retry)
    #[arg(long, value_name = "MS", default_value_t = 10_000)]
    pub lock_timeout: u64,

    /// Connections served at once, for Bolt and HTTP each
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,

    /// Close a Bolt connection that sent nothing for SECS seconds (0: never)
    #[arg(long, value_name = "SECS", default_value_t = 3600)]
    pub idle_timeout: u64,

    /// Open the browser page (http://ADDR/) in the system's web browser
    /// ($BROWSER, else xdg-open, open, sensible-browser or x-www-browser)
    #[arg(long)]
    pub open: bool,
}

/// `quiver mcp`'s options.
#[derive(Clone, Debug, PartialEq, Eq, clap::Args)]
pub struct McpArgs {
    /// The database file to serve; without it, an in-memory graph (a FILE is
    /// opened read-only, beside a writer or none, unless --allow-writes or --load)
    #[arg(value_name = "FILE")]
    pub database: Option<PathBuf>,

    /// Run the Cypher script F before serving (repeatable)
    #[arg(long = "load", value_name = "F")]
    pub load: Vec<PathBuf>,

    /// Let the `query` tool change the graph
    #[arg(long)]
    pub allow_writes: bool,
}

const IMPORT_HELP: &str = "\
CSV headers name the columns: id:ID (or :ID, or id:ID(Group) for an id group),
:LABEL (labels separated by ;), :START_ID, :END_ID, :TYPE, :IGNORE, and
properties as name or name:type, where type is string, int, float, boolean,
date, localtime, time, localdatetime, datetime, duration, or an array such as
int[] (elements separated by ;). An empty field sets no property.

Files ending in .jsonl, .ndjson or .json hold one JSON object a line:
  {\"id\": 1, \"labels\": [\"Person\"], \"properties\": {\"name\": \"Ada\"}}
  {\"start\": 1, \"end\": 2, \"type\": \"KNOWS\", \"properties\": {\"since\": 1833}}

The import is all or nothing: a bad row is reported as FILE:LINE and nothing
is loaded.

Examples:
  quiver import --nodes Person=persons.csv --relationships KNOWS=knows.csv graph.db
  quiver import --nodes=Person persons.csv --nodes movies.jsonl --relationships acted.csv graph.db";

/// `quiver import`'s options (also what the shell's `:import` takes).
#[derive(Clone, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct ImportArgs {
    /// Node file(s), with labels every row gets: [LABEL[:LABEL...]=]FILE[,FILE...] (repeatable)
    #[arg(long = "nodes", value_name = "[LABELS=]FILES")]
    pub nodes: Vec<String>,

    /// Relationship file(s), with the type of rows that name none: [TYPE=]FILE[,FILE...] (repeatable)
    #[arg(long = "relationships", value_name = "[TYPE=]FILES")]
    pub relationships: Vec<String>,

    /// The CSV field delimiter (one character; \\t for a tab)
    #[arg(long, value_name = "C", default_value = ",")]
    pub delimiter: String,

    /// What separates array elements and labels inside a field
    #[arg(long, value_name = "C", default_value = ";")]
    pub array_delimiter: String,

    /// Whether ids are compared (and stored) as strings or integers
    #[arg(long, value_enum, value_name = "TYPE", default_value = "string")]
    pub id_type: IdTypeArg,

    /// The database file to import into
    #[arg(value_name = "FILE")]
    pub database: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum IdTypeArg {
    #[default]
    String,
    Integer,
}

/// One delimiter character given on the command line (`\t` or `tab` for a tab).
pub fn delimiter(s: &str, what: &str) -> Result<u8, String> {
    let c = match s {
        "\\t" | "tab" | "TAB" => "\t",
        other => other,
    };
    match c.as_bytes() {
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\n' | b'\r') => Ok(*b),
        _ => Err(format!(
            "invalid {what} '{s}': it must be one ASCII character other than a quote or a line end"
        )),
    }
}

impl ImportArgs {
    /// The library's spec for these options.
    pub fn spec(&self) -> Result<ImportSpec, String> {
        let groups = |args: &[String]| -> Result<Vec<InputGroup>, String> {
            args.iter().map(|a| InputGroup::parse(a)).collect()
        };
        let spec = ImportSpec {
            nodes: groups(&self.nodes)?,
            relationships: groups(&self.relationships)?,
            delimiter: delimiter(&self.delimiter, "--delimiter")?,
            array_delimiter: delimiter(&self.array_delimiter, "--array-delimiter")?,
            id_type: match self.id_type {
                IdTypeArg::String => IdType::String,
                IdTypeArg::Integer => IdType::Integer,
            },
        };
        if spec.is_empty() {
            return Err("nothing to import: give --nodes FILE (and --relationships FILE)".into());
        }
        Ok(spec)
    }
}

/// The shell's `:import` line, in the words of `quiver import` (without FILE).
#[derive(Debug, Parser)]
#[command(name = ":import", no_binary_name = true, disable_version_flag = true)]
struct ImportCommand {
    #[command(flatten)]
    args: ImportArgs,
}

/// Reads the arguments of `:import` (quoted with '...' or "..." where they hold spaces).
pub fn parse_import_command(line: &str) -> Result<ImportSpec, String> {
    let words = shell_words(line)?;
    let words = join_group_values(words.into_iter().map(Into::into).collect());
    let cmd = ImportCommand::try_parse_from(words).map_err(|e| e.render().to_string())?;
    if let Some(f) = &cmd.args.database {
        return Err(format!(
            ":import loads into the graph of this session; it takes no database FILE ('{}')",
            f.display()
        ));
    }
    cmd.args.spec()
}

/// Splits a line into words; quotes group words and are removed.
fn shell_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unterminated quote".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

/// The option names whose value may be written `--nodes=Label FILE`.
const GROUP_OPTIONS: &[&str] = &["--nodes", "--relationships", "--load-nodes", "--load-relationships"];

/// Rewrites `--nodes=Label FILE` (labels attached, the file as the next
/// argument) to `--nodes Label=FILE`; other arguments are kept as they are.
pub fn join_group_values(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut it = args.into_iter().peekable();
    while let Some(a) = it.next() {
        let joined = a.to_str().and_then(|s| {
            let (opt, value) = s.split_once('=')?;
            if !GROUP_OPTIONS.contains(&opt) || value.contains(['=', '/', '\\', '.', ',']) || value.is_empty() {
                return None;
            }
            let next = it.peek()?.to_str()?;
            if next.starts_with('-') {
                return None;
            }
            Some((opt.to_string(), format!("{value}={next}")))
        });
        match joined {
            Some((opt, value)) => {
                it.next();
                out.push(opt.into());
                out.push(value.into());
            }
            None => out.push(a),
        }
    }
    out
}

/// One `-c` or `-f`, in command-line order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    Command(String),
    File(String),
}

impl Args {
    /// Parses the process's arguments (exits with status 2 on a usage error).
    pub fn parse_with_actions() -> (Args, Vec<Action>) {
        let args = join_group_values(std::env::args_os().collect());
        Self::from_matches(Args::command().get_matches_from(args))
    }

    #[cfg(test)]
    pub fn try_parse_from_with_actions<I, T>(args: I) -> Result<(Args, Vec<Action>), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let args = join_group_values(args.into_iter().map(Into::into).collect());
        Ok(Self::from_matches(Args::command().try_get_matches_from(args)?))
    }

    fn from_matches(m: clap::ArgMatches) -> (Args, Vec<Action>) {
        let args = Args::from_arg_matches(&m).unwrap_or_else(|e| e.exit());
        let mut actions: Vec<(usize, Action)> = Vec::new();
        if let Some(idx) = m.indices_of("command") {
            actions.extend(idx.zip(&args.command).map(|(i, c)| (i, Action::Command(c.clone()))));
        }
        if let Some(idx) = m.indices_of("file") {
            actions.extend(idx.zip(&args.file).map(|(i, f)| (i, Action::File(f.clone()))));
        }
        actions.sort_by_key(|(i, _)| *i);
        (args, actions.into_iter().map(|(_, a)| a).collect())
    }
}

/// Splits `NAME=LIT` (a leading `$` on the name is allowed).
pub fn split_param(s: &str) -> Option<(String, String)> {
    let (name, lit) = s.split_once('=')?;
    let name = name.trim();
    let name = name.strip_prefix('$').unwrap_or(name);
    let name = match name.strip_prefix('`').and_then(|n| n.strip_suffix('`')) {
        Some(quoted) => quoted.replace("``", "`"),
        None => name.to_string(),
    };
    if name.is_empty() || lit.trim().is_empty() {
        return None;
    }
    Some((name, lit.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        Args::command().debug_assert();
    }

    #[test]
    fn commands_and_files_keep_their_order() {
        let (args, actions) = Args::try_parse_from_with_actions([
            "quiver",
            "-f",
            "a.cypher",
            "-c",
            "RETURN 1",
            "--file",
            "-",
            "--command=RETURN 2",
        ])
        .unwrap();
        assert_eq!(
            actions,
            vec![
                Action::File("a.cypher".into()),
                Action::Command("RETURN 1".into()),
                Action::File("-".into()),
                Action::Command("RETURN 2".into()),
            ]
        );
        assert_eq!(args.format, None);
        assert!(args.database.is_none());
    }

    #[test]
    fn options_parse() {
        let (args, actions) = Args::try_parse_from_with_actions([
            "quiver",
            "--format",
            "json",
            "--param",
            "x=1",
            "--load",
            "init.cypher",
            "--keep-going",
            "graph.db",
        ])
        .unwrap();
        assert!(actions.is_empty());
        assert_eq!(args.format, Some(Format::Json));
        assert_eq!(args.param, vec!["x=1"]);
        assert!(args.keep_going);
        assert_eq!(args.database.unwrap().to_str(), Some("graph.db"));
        assert!(Args::try_parse_from_with_actions(["quiver", "--format", "xml"]).is_err());
    }

    #[test]
    fn the_import_subcommand_parses() {
        let (args, _) = Args::try_parse_from_with_actions([
            "quiver",
            "import",
            "--nodes=Person",
            "persons.csv",
            "--nodes",
            "Film:Movie=films.csv,more.csv",
            "--relationships=KNOWS=knows.csv",
            "--delimiter",
            "\\t",
            "--id-type",
            "integer",
            "graph.db",
        ])
        .unwrap();
        let Some(Tool::Import(imp)) = args.tool else {
            panic!("no import subcommand: {args:?}")
        };
        assert_eq!(imp.database.as_deref().and_then(|p| p.to_str()), Some("graph.db"));
        let spec = imp.spec().unwrap();
        assert_eq!(spec.nodes[0], InputGroup::file("persons.csv").with_names(["Person"]));
        assert_eq!(spec.nodes[1].names, vec!["Film", "Movie"]);
        assert_eq!(spec.nodes[1].files.len(), 2);
        assert_eq!(
            spec.relationships[0],
            InputGroup::file("knows.csv").with_names(["KNOWS"])
        );
        assert_eq!(spec.delimiter, b'\t');
        assert_eq!(spec.id_type, IdType::Integer);
        // Labels attached with '=' and the file next; a path with '=' is left alone.
        assert_eq!(
            join_group_values(vec!["--nodes=./a=b.csv".into(), "x".into()]),
            vec![std::ffi::OsString::from("--nodes=./a=b.csv"), "x".into()]
        );
        let (args, _) =
            Args::try_parse_from_with_actions(["quiver", "--load-nodes", "p.csv", "-c", "RETURN 1"]).unwrap();
        assert_eq!(args.load_nodes, vec!["p.csv"]);
        assert!(args.tool.is_none());
        assert!(delimiter("ab", "--delimiter").is_err());
        assert!(ImportArgs::default().spec().is_err());
    }

    #[test]
    fn the_shell_import_command_parses() {
        let spec = parse_import_command("--nodes 'Person=my files/p.csv' --relationships=KNOWS k.csv").unwrap();
        assert_eq!(spec.nodes[0], InputGroup::file("my files/p.csv").with_names(["Person"]));
        assert_eq!(spec.relationships[0], InputGroup::file("k.csv").with_names(["KNOWS"]));
        assert!(parse_import_command("--nodes p.csv graph.db")
            .unwrap_err()
            .contains("no database FILE"));
        assert!(parse_import_command("--bogus").unwrap_err().contains("--bogus"));
        assert!(parse_import_command("").unwrap_err().contains("nothing to import"));
        assert!(parse_import_command("--nodes 'p.csv").is_err());
    }

    #[test]
    fn params_split_at_the_first_equals_sign() {
        assert_eq!(split_param("x=1"), Some(("x".into(), "1".into())));
        assert_eq!(split_param("$x='a=b'"), Some(("x".into(), "'a=b'".into())));
        assert_eq!(split_param("`a b`={k: 1}"), Some(("a b".into(), "{k: 1}".into())));
        assert_eq!(split_param("x"), None);
        assert_eq!(split_param("=1"), None);
        assert_eq!(split_param("x="), None);
    }
}
