//! The binder alone, without a graph: what it refuses (with the TCK's codes)
//! and that what it accepts the planner plans.

use crate::procedure::Procedures;

fn bind_code(text: &str) -> Result<(), &'static str> {
    let statement = crate::parser::parse_statement(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let procedures = Procedures::with_builtins();
    crate::semantic::check(&statement, &procedures)
        .map(|_| ())
        .map_err(|e| e.code)
}

fn plans(text: &str) {
    let statement = crate::parser::parse_statement(text).unwrap_or_else(|e| panic!("{text}: {e:?}"));
    let procedures = Procedures::with_builtins();
    let bound = crate::semantic::check(&statement, &procedures).unwrap_or_else(|e| panic!("{text}: {e}"));
    let graph = crate::store::Snapshot::empty(Default::default());
    crate::plan::plan_query(bound, &graph, &procedures, Default::default()).unwrap_or_else(|e| panic!("{text}: {e}"));
}

#[test]
fn refuses_what_the_tck_calls_compile_time_errors() {
    let cases: &[(&str, &str)] = &[
        ("RETURN x", "UndefinedVariable"),
        ("MATCH (a) RETURN b", "UndefinedVariable"),
        ("WITH 1 AS a RETURN a, b", "UndefinedVariable"),
        ("MATCH (a) WITH a.x AS x RETURN a", "UndefinedVariable"),
        ("MATCH (n) RETURN n ORDER BY m", "UndefinedVariable"),
        ("CALL (x) { RETURN 1 AS y } RETURN y", "UndefinedVariable"),
        ("MATCH (a) WHERE (a)-->(b) RETURN a", "UndefinedVariable"),
        ("UNWIND [1] AS x UNWIND [2] AS x RETURN x", "VariableAlreadyBound"),
        ("MATCH (a) CREATE (a:L)", "VariableAlreadyBound"),
        ("MATCH p = (a) MATCH p = (b) RETURN p", "VariableAlreadyBound"),
        (
            "MATCH (a) RETURN COUNT { WITH 1 AS a RETURN a } AS c",
            "VariableAlreadyBound",
        ),
        ("MATCH (a)-[r]->() MATCH (r) RETURN r", "VariableTypeConflict"),
        ("WITH 1 AS n MATCH (n) RETURN n", "VariableTypeConflict"),
        ("MATCH (a)-[r]->()-[r]->() RETURN r", "RelationshipUniquenessViolation"),
        ("MATCH (n) WHERE count(n) > 1 RETURN n", "InvalidAggregation"),
        ("RETURN count(count(1))", "NestedAggregation"),
        ("MATCH (n) RETURN n.x, n.y + count(*)", "AmbiguousAggregationExpression"),
        ("RETURN [x IN [1] | count(x)] AS c", "InvalidAggregation"),
        (
            "MATCH (n) RETURN n.x AS x, count(n) AS c ORDER BY sum(n.x)",
            "InvalidAggregation",
        ),
        ("MATCH (n) RETURN count(n) AS c ORDER BY n.x", "UndefinedVariable"),
        ("RETURN *", "NoVariablesInScope"),
        ("RETURN 1 AS a, 2 AS a", "ColumnNameConflict"),
        ("WITH 1 + 1 RETURN 1", "NoExpressionAlias"),
        ("RETURN 1 AS a UNION RETURN 2 AS b", "DifferentColumnsInUnion"),
        (
            "RETURN 1 AS a UNION RETURN 2 AS a UNION ALL RETURN 3 AS a",
            "InvalidClauseComposition",
        ),
        ("RETURN 1 AS a RETURN 2 AS b", "InvalidClauseComposition"),
        ("MATCH (n)", "InvalidClauseComposition"),
        (
            "MATCH (n) RETURN EXISTS { CREATE (m) } AS e",
            "InvalidClauseComposition",
        ),
        (
            "MATCH (n) RETURN COUNT { MATCH (n) SET n.x = 1 RETURN n } AS c",
            "InvalidClauseComposition",
        ),
        ("OPTIONAL CALL { CREATE () } RETURN 1", "InvalidClauseComposition"),
        ("RETURN 1 LIMIT -1", "NegativeIntegerArgument"),
        ("MATCH (n) RETURN n LIMIT n.x", "NonConstantExpression"),
        ("RETURN NOT 1", "InvalidArgumentType"),
        ("RETURN 1 IN 2", "InvalidArgumentType"),
        ("WITH 'a' AS s RETURN s.x", "InvalidArgumentType"),
        ("MATCH (n) DELETE n:L", "InvalidDelete"),
        ("CREATE (a)-[:A|B]->(b)", "NoSingleRelationshipType"),
        ("CREATE (a)-[:T]-(b)", "RequiresDirectedRelationship"),
        ("CREATE (a)-[:T*2]->(b)", "CreatingVarLength"),
        ("CREATE (n:A|B)", "InvalidLabelExpression"),
        ("RETURN nosuchfunction(1)", "UnknownFunction"),
        ("RETURN abs(1, 2)", "InvalidNumberOfArguments"),
        ("RETURN abs(DISTINCT 1)", "InvalidAggregation"),
        ("CALL no.such.procedure()", "ProcedureNotFound"),
        ("CALL db.labels() YIELD nope RETURN nope", "UndefinedVariable"),
        ("MATCH (n) CALL db.labels RETURN n", "InvalidArgumentPassingMode"),
        (
            "CALL { CALL { CREATE () } IN TRANSACTIONS } RETURN 1",
            "InvalidClauseComposition",
        ),
        (
            "MATCH (a) CALL { MATCH (b) RETURN b } RETURN a, b, c",
            "UndefinedVariable",
        ),
        ("FOREACH (x IN 1 | CREATE ())", "InvalidArgumentType"),
        ("SHOW FUNCTIONS YIELD nope", "UndefinedVariable"),
        (
            "CREATE CONSTRAINT FOR (n:L) REQUIRE n.p IS :: NODE",
            "InvalidPropertyType",
        ),
    ];
    for (text, code) in cases {
        assert_eq!(bind_code(text), Err(*code), "{text}");
    }
}

#[test]
fn accepts_and_the_planner_plans() {
    for text in [
        "MATCH (a)-[r:T]->(b) WHERE a.x > 1 RETURN a, r, b ORDER BY a.x LIMIT 3",
        "MATCH (n) WITH n.x AS x, count(*) AS c WHERE c > 1 RETURN x, c ORDER BY c DESC",
        "MATCH (n) RETURN n.x AS x, count(*) AS c ORDER BY x, count(*)",
        "MATCH (n) WITH n ORDER BY n.x RETURN n.x",
        "MATCH (n) WITH DISTINCT n.x AS x ORDER BY x RETURN x",
        "UNWIND [1, 2] AS x WITH x WHERE x > 1 RETURN x",
        "MATCH p = (a)-[*1..3]->(b) RETURN length(p), [n IN nodes(p) | n.x] AS xs",
        "MATCH (a)-[:R]->{1,3}(b) RETURN count(*)",
        "MATCH ((x)-[r:R]->(y) WHERE r.w > 1){1,2} RETURN x, r, y",
        "MATCH SHORTEST 2 (a)-[:R]->+(b) RETURN a, b",
        "MATCH (n WHERE n.x > 1)-[r WHERE r.y = 2]->(m) RETURN n, m",
        "MATCH (n) WHERE n:A|B RETURN n",
        "MATCH (n) RETURN COUNT { (n)--() } AS degree, COLLECT { MATCH (n)-->(m) RETURN m.x } AS xs",
        "MATCH (n) WHERE EXISTS { MATCH (n)-->(m) WHERE m.x = n.x } RETURN n",
        "CALL { RETURN 1 AS x } RETURN x",
        "UNWIND [1, 2] AS x CALL (x) { RETURN x * 2 AS y } RETURN x, y",
        "UNWIND [1, 2] AS x CALL { WITH x RETURN x + 1 AS y } RETURN y",
        "UNWIND [1] AS x CALL (*) { CREATE (:T {v: x}) } RETURN x",
        "FOREACH (x IN [1, 2] | CREATE (:T {v: x}) FOREACH (y IN [x] | MERGE (:U {v: y})))",
        "MERGE (n:P {id: 1}) ON CREATE SET n.new = true ON MATCH SET n.seen = true",
        "MATCH (a), (b) CREATE (a)-[:KNOWS {since: 1}]->(b)",
        "MATCH (n) SET n:$('A'), n[$k] = 1 REMOVE n.x",
        "MATCH (n) DETACH DELETE n",
        "LOAD CSV WITH HEADERS FROM 'file:///x.csv' AS row RETURN row.a, linenumber()",
        "CALL db.labels() YIELD label WHERE label <> 'X' RETURN label",
        "CALL db.labels",
        "SHOW FUNCTIONS YIELD name WHERE name STARTS WITH 'a' RETURN name",
        "RETURN 1 IS :: INTEGER, normalize('a', NFD), [x IN [1] WHERE x > 0] AS l",
        "RETURN reduce(s = 0, x IN [1, 2] | s + x) AS s, all(x IN [1] WHERE x > 0) AS a",
        "MATCH (n) RETURN [(n)-->(m) WHERE m.x > 1 | m.x] AS xs, n {.x, y: 1} AS map",
        "RETURN 1 AS a UNION RETURN 2 AS a",
        "CREATE CONSTRAINT FOR (p:Person) REQUIRE p.name IS UNIQUE",
    ] {
        plans(text);
    }
}
