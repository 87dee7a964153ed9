"""quiver: an embedded property-graph database, in process.

quiver implements a subset of the openCypher query language, tested against
the openCypher TCK. Open a graph in memory or in a file, run statements,
read the rows::

    import quiver

    db = quiver.Database()                  # in memory; Database("my.qv") for a file
    conn = db.connect()
    conn.execute("CREATE (:Person {name: 'Ada'})-[:KNOWS]->(:Person {name: 'Alan'})")
    result = conn.execute(
        "MATCH (a:Person {name: $name})-[:KNOWS]->(b) RETURN b.name AS friend",
        {"name": "Ada"},
    )
    result.columns        # ['friend']
    result.fetchall()     # [('Alan',)]

Classes: Database, Connection, QueryResult, Transaction; the values results
carry: Node, Relationship, Path, Duration; the errors: Error and its
subclasses (see quiver.errors). QueryResult.to_df / to_polars / to_arrow /
to_networkx need pandas, polars, pyarrow or networkx, none of which quiver
itself requires. Kùzu's method names work as aliases.
"""

from . import errors
from ._quiver import (
    Connection,
    Database,
    Duration,
    Node,
    Path,
    QueryResult,
    Relationship,
    Transaction,
    __version__,
)
from .errors import (
    ArgumentError,
    ConstraintError,
    CypherSemanticError,
    CypherSyntaxError,
    CypherTypeError,
    DatabaseLocked,
    DataError,
    EntityNotFound,
    Error,
    Interrupted,
    ParameterMissing,
    ProcedureError,
    StorageError,
    TransientError,
)


__all__ = [
    "Database",
    "Connection",
    "QueryResult",
    "Transaction",
    "Node",
    "Relationship",
    "Path",
    "Duration",
    "Error",
    "CypherSyntaxError",
    "CypherSemanticError",
    "CypherTypeError",
    "ArgumentError",
    "ParameterMissing",
    "EntityNotFound",
    "ConstraintError",
    "ProcedureError",
    "Interrupted",
    "StorageError",
    "DatabaseLocked",
    "DataError",
    "TransientError",
    "errors",
    "__version__",
]
