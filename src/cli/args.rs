//! The command line, as clap reads it.

use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

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

    /// On error, report it and run the following statements (exit status 1 at the end)
    #[arg(long)]
    pub keep_going: bool,

    /// Open the database file FILE instead of an in-memory graph (created if missing)
    #[arg(value_name = "FILE")]
    pub database: Option<PathBuf>,

    /// Open FILE without writing (refused while a writer has it open)
    #[arg(long, requires = "database")]
    pub read_only: bool,

    /// Checkpoint once the log holds more than BYTES (and more than the snapshot); for tests
    #[arg(long, value_name = "BYTES", hide = true)]
    pub checkpoint_after: Option<u64>,

    #[command(subcommand)]
    pub tool: Option<Tool>,
}

/// File tools: `quiver check FILE`, `quiver dump FILE`.
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
        /// Write the script to OUT instead of standard output
        #[arg(short = 'o', long = "output", value_name = "OUT")]
        output: Option<PathBuf>,
    },
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
        Self::from_matches(Args::command().get_matches())
    }

    #[cfg(test)]
    pub fn try_parse_from_with_actions<I, T>(args: I) -> Result<(Args, Vec<Action>), clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
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
    fn params_split_at_the_first_equals_sign() {
        assert_eq!(split_param("x=1"), Some(("x".into(), "1".into())));
        assert_eq!(split_param("$x='a=b'"), Some(("x".into(), "'a=b'".into())));
        assert_eq!(split_param("`a b`={k: 1}"), Some(("a b".into(), "{k: 1}".into())));
        assert_eq!(split_param("x"), None);
        assert_eq!(split_param("=1"), None);
        assert_eq!(split_param("x="), None);
    }
}
