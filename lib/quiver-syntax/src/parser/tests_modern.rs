//! Unit tests of the newer forms: CALL subqueries, COUNT / COLLECT / EXISTS
//! subqueries, FOREACH, constraints, SHOW commands, quantified path patterns
//! and path selectors, label and type expressions, type predicates,
//! IS NORMALIZED, dynamic labels and properties. Each form: its tree, its
//! printed form (which must parse back to the same tree) and its errors.

use super::tests::strip_spans;
use super::*;
use crate::ast::*;

fn st(q: &str) -> Statement {
    match parse_statement(q) {
        Ok(s) => s,
        Err(e) => panic!("{q:?} failed: {e:?}"),
    }
}

fn err(q: &str) -> ParseError {
    match parse_statement(q) {
        Ok(s) => panic!("{q:?} parsed: {s:?}"),
        Err(e) => e,
    }
}

/// Parses, prints, parses the printed text: both trees must agree. Returns the printed text.
fn rt(q: &str) -> String {
    let s = st(q);
    let printed = s.to_string();
    let again = match parse_statement(&printed) {
        Ok(a) => a,
        Err(e) => panic!("{q:?} printed as {printed:?}, which does not parse: {e:?}"),
    };
    assert_eq!(strip_spans(&again), strip_spans(&s), "{q:?} printed as {printed:?}");
    printed
}

/// Round trip, and the printed text is `expected`.
fn prints(q: &str, expected: &str) {
    assert_eq!(rt(q), expected, "{q}");
}

fn ex(q: &str) -> Expr {
    match parse_expression(q) {
        Ok(e) => e,
        Err(e) => panic!("{q:?} failed: {e:?}"),
    }
}

/// An expression's round trip; returns its printed form.
fn ert(q: &str) -> String {
    let e = ex(q);
    let printed = e.to_string();
    let again = parse_expression(&printed).unwrap_or_else(|err| panic!("{q:?} printed as {printed:?}: {err:?}"));
    assert_eq!(strip_spans(&again), strip_spans(&e), "{q:?} printed as {printed:?}");
    printed
}

fn clause(q: &str, n: usize) -> Clause {
    st(q).query.first.clauses[n].clone()
}

fn first_part(q: &str) -> PatternPart {
    match clause(q, 0) {
        Clause::Match(m) => m.pattern.parts[0].clone(),
        c => panic!("not MATCH: {c:?}"),
    }
}

fn node_labels(q: &str) -> LabelExpr {
    first_part(q).element.start.labels.unwrap()
}

fn where_of(q: &str) -> Expr {
    match clause(q, 0) {
        Clause::Match(m) => m.where_.unwrap(),
        c => panic!("not MATCH: {c:?}"),
    }
}

fn names(l: &[&Ident]) -> Vec<String> {
    l.iter().map(|i| i.name.clone()).collect()
}

// ---- CALL subqueries --------------------------------------------------------

#[test]
fn call_subquery_forms() {
    let Clause::CallSubquery(c) = clause("MATCH (n) CALL { MATCH (m) RETURN m } RETURN n, m", 1) else {
        panic!()
    };
    assert!(c.import.is_none() && !c.optional && c.in_transactions.is_none());
    assert_eq!(c.body.first.clauses.len(), 2);
    prints(
        "MATCH (n) CALL { MATCH (m) RETURN m } RETURN n, m",
        "MATCH (n) CALL { MATCH (m) RETURN m } RETURN n, m",
    );
    let Clause::CallSubquery(c) = clause("WITH 1 AS x, 2 AS y CALL (x, y) { RETURN x + y AS z } RETURN z", 1) else {
        panic!()
    };
    let Some(ImportList::Variables(vs)) = &c.import else {
        panic!()
    };
    assert_eq!(vs.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), ["x", "y"]);
    let Clause::CallSubquery(c) = clause("WITH 1 AS x CALL (*) { RETURN x AS y } RETURN y", 1) else {
        panic!()
    };
    assert_eq!(c.import, Some(ImportList::All));
    let Clause::CallSubquery(c) = clause("WITH 1 AS x CALL () { RETURN 2 AS y } RETURN y", 1) else {
        panic!()
    };
    assert_eq!(c.import, Some(ImportList::Variables(vec![])));
    prints(
        "with 1 as x call (x) { return x as y } return y",
        "WITH 1 AS x CALL (x) { RETURN x AS y } RETURN y",
    );
    prints(
        "WITH 1 AS x CALL(*){RETURN x AS y} RETURN y",
        "WITH 1 AS x CALL (*) { RETURN x AS y } RETURN y",
    );
    prints("CALL () { CREATE (:A) } RETURN 1", "CALL () { CREATE (:A) } RETURN 1");
    // The older importing WITH is just the body's first clause.
    let Clause::CallSubquery(c) = clause("UNWIND [1] AS x CALL { WITH x RETURN x * 2 AS y } RETURN y", 1) else {
        panic!()
    };
    assert!(matches!(c.body.first.clauses[0], Clause::With(_)));
    rt("UNWIND [1] AS x CALL { WITH x RETURN x * 2 AS y } RETURN y");
}

#[test]
fn call_subquery_unit_union_writes_optional() {
    // A unit subquery (no RETURN), writing clauses inside.
    let Clause::CallSubquery(c) = clause("MATCH (n) CALL (n) { SET n.x = 1 CREATE (:B) } RETURN count(*)", 1) else {
        panic!()
    };
    assert!(matches!(c.body.first.clauses.last(), Some(Clause::Create(_))));
    rt("MATCH (n) CALL (n) { SET n.x = 1 CREATE (:B) } RETURN count(*)");
    // UNION inside the braces.
    let Clause::CallSubquery(c) = clause(
        "CALL { MATCH (a:A) RETURN a AS x UNION ALL MATCH (b:B) RETURN b AS x } RETURN x",
        0,
    ) else {
        panic!()
    };
    assert_eq!(c.body.unions.len(), 1);
    assert!(c.body.unions[0].all);
    rt("CALL { MATCH (a:A) RETURN a AS x UNION MATCH (b:B) RETURN b AS x } RETURN x");
    // Nested.
    rt("CALL { CALL { RETURN 1 AS x } RETURN x } RETURN x");
    // OPTIONAL CALL, for subqueries and procedures.
    let Clause::CallSubquery(c) = clause("MATCH (n) OPTIONAL CALL (n) { MATCH (n)-->(m) RETURN m } RETURN m", 1) else {
        panic!()
    };
    assert!(c.optional);
    assert_eq!(
        clause("MATCH (n) OPTIONAL CALL (n) { RETURN 1 AS x } RETURN x", 1).name(),
        "OPTIONAL CALL"
    );
    prints(
        "MATCH (n) optional call (n) { MATCH (n)-->(m) RETURN m } RETURN m",
        "MATCH (n) OPTIONAL CALL (n) { MATCH (n)-->(m) RETURN m } RETURN m",
    );
    let Clause::Call(c) = clause("OPTIONAL CALL db.labels() YIELD label RETURN label", 0) else {
        panic!()
    };
    assert!(c.optional);
    rt("OPTIONAL CALL db.labels() YIELD label RETURN label");
    // `OPTIONAL MATCH` is still a MATCH.
    assert!(matches!(clause("OPTIONAL MATCH (n) RETURN n", 0), Clause::Match(m) if m.optional));
}

#[test]
fn call_in_transactions() {
    let t = |q: &str| -> InTransactions {
        match clause(q, 1) {
            Clause::CallSubquery(c) => c.in_transactions.unwrap(),
            c => panic!("{c:?}"),
        }
    };
    let x = t("UNWIND [1] AS i CALL (i) { CREATE (:N {i: i}) } IN TRANSACTIONS");
    assert!(!x.concurrent && x.batch_size.is_none() && x.on_error.is_none() && x.report_status.is_none());
    let x = t("UNWIND [1] AS i CALL (i) { CREATE (:N {i: i}) } IN TRANSACTIONS OF 100 ROWS");
    assert_eq!(x.batch_size.unwrap().kind, ExprKind::Literal(Literal::Int(100)));
    let x =
        t("UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS OF $n ROWS ON ERROR CONTINUE REPORT STATUS AS s");
    assert_eq!(x.batch_size.unwrap().kind, ExprKind::Parameter("n".into()));
    assert_eq!(x.on_error, Some(OnError::Continue));
    assert_eq!(x.report_status.unwrap().name, "s");
    let x = t("UNWIND [1] AS i CALL (i) { CREATE (:N) } IN 3 CONCURRENT TRANSACTIONS OF 1 ROW ON ERROR BREAK");
    assert!(x.concurrent);
    assert_eq!(x.concurrency.unwrap().kind, ExprKind::Literal(Literal::Int(3)));
    assert_eq!(x.on_error, Some(OnError::Break));
    let x = t("UNWIND [1] AS i CALL (i) { CREATE (:N) } IN CONCURRENT TRANSACTIONS ON ERROR FAIL");
    assert!(x.concurrent && x.concurrency.is_none());
    assert_eq!(x.on_error, Some(OnError::Fail));
    // Any order; printed in the manual's order.
    prints(
        "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS REPORT STATUS AS s ON ERROR CONTINUE OF 2 ROWS",
        "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS OF 2 ROWS ON ERROR CONTINUE REPORT STATUS AS s",
    );
    prints(
        "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN $c CONCURRENT TRANSACTIONS OF $b ROWS",
        "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN $c CONCURRENT TRANSACTIONS OF $b ROWS",
    );
    rt("LOAD CSV FROM 'f.csv' AS row CALL (row) { CREATE (:R {v: row[0]}) } IN TRANSACTIONS OF 1000 ROWS");
}

#[test]
fn call_subquery_errors() {
    let q = "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS REPORT STATUS AS s";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find("IN TRANSACTIONS").unwrap());
    assert!(e.message.contains("REPORT STATUS"), "{}", e.message);
    assert!(e.hint.is_some());
    let q = "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS ON ERROR FAIL REPORT STATUS AS s";
    assert_eq!(err(q).code, "UnexpectedSyntax");
    let q = "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS OF 1 ROW OF 2 ROWS";
    let e = err(q);
    assert_eq!(e.offset, q.rfind("OF").unwrap());
    assert!(e.message.contains("more than once"), "{}", e.message);
    assert_eq!(err("CALL { RETURN 1 AS x RETURN x").code, "UnexpectedSyntax");
    let q = "CALL (x, ) { RETURN 1 AS y } RETURN y";
    assert_eq!(err(q).offset, q.find(')').unwrap());
    assert_eq!(err("CALL (1) { RETURN 1 AS y } RETURN y").code, "UnexpectedSyntax");
    let q = "UNWIND [1] AS i CALL (i) { CREATE (:N) } IN 2 TRANSACTIONS";
    let e = err(q);
    assert_eq!(e.offset, q.find("TRANSACTIONS").unwrap());
    assert!(e.message.contains("CONCURRENT"), "{}", e.message);
    assert_eq!(
        err("UNWIND [1] AS i CALL (i) { CREATE (:N) } IN TRANSACTIONS OF ROWS").code,
        "UnexpectedSyntax"
    );
    assert_eq!(err("CALL { } RETURN 1").code, "UnexpectedSyntax");
}

// ---- subquery expressions --------------------------------------------------

#[test]
fn count_collect_exists_subqueries() {
    let e = ex("COUNT { (n)-[:T]->(m) WHERE m.x > 1 }");
    let ExprKind::CountSubquery(q) = &e.kind else {
        panic!("{e:?}")
    };
    assert!(matches!(&q.first.clauses[0], Clause::Match(m) if m.where_.is_some()));
    assert_eq!(
        ert("COUNT { (n)-[:T]->(m) WHERE m.x > 1 }"),
        "COUNT { MATCH (n)-[:T]->(m) WHERE m.x > 1 }"
    );
    assert_eq!(
        ert("count{MATCH (n)-->(m) RETURN m}"),
        "COUNT { MATCH (n)-->(m) RETURN m }"
    );
    assert_eq!(
        ert("COUNT { MATCH (n)-->(m) RETURN m UNION MATCH (n)<--(m) RETURN m }"),
        "COUNT { MATCH (n)-->(m) RETURN m UNION MATCH (n)<--(m) RETURN m }"
    );
    assert_eq!(ert("COUNT { p = (n)-->() }"), "COUNT { MATCH p = (n)-->() }");
    assert!(matches!(ex("COUNT { (n) }").kind, ExprKind::CountSubquery(_)));
    let e = ex("COLLECT { MATCH (n)-->(m) RETURN m.name }");
    assert!(matches!(e.kind, ExprKind::CollectSubquery(_)));
    assert_eq!(
        ert("collect { MATCH (n)-->(m) WHERE m.x = 1 RETURN m.name ORDER BY m.name LIMIT 2 }"),
        "COLLECT { MATCH (n)-->(m) WHERE m.x = 1 RETURN m.name ORDER BY m.name LIMIT 2 }"
    );
    ert("COLLECT { MATCH (a:A) RETURN a.x AS x UNION MATCH (b:B) RETURN b.x AS x }");
    // EXISTS in the same forms, including full bodies.
    assert_eq!(ert("EXISTS { (n)-->(:B) }"), "EXISTS { MATCH (n)-->(:B) }");
    ert("EXISTS { MATCH (n)-->(m) WHERE m.x > 1 RETURN m }");
    ert("EXISTS { MATCH (n)-->(m) RETURN m UNION MATCH (n)<--(m) RETURN m }");
    ert("EXISTS { MATCH (a) ((x)-->(y)){1,3} (b) }");
    ert("EXISTS { MATCH SHORTEST 1 (a)-->+(b) }");
    // In WHERE, RETURN, nested, with outer variables.
    rt("MATCH (n) WHERE COUNT { (n)-->() } > 1 RETURN n, COUNT { (n)<--() } AS inc");
    rt("MATCH (n) RETURN COLLECT { MATCH (n)-->(m) WHERE EXISTS { (m)-->(n) } RETURN m.name } AS names");
    rt("MATCH (n) WHERE COUNT { MATCH (n)-->(m) WHERE COUNT { (m)-->() } = 0 RETURN m } = 2 RETURN n");
    // Map projections on variables named count/collect still work.
    assert!(matches!(ex("count {.name}").kind, ExprKind::MapProjection { .. }));
    assert!(matches!(ex("collect {x: 1}").kind, ExprKind::MapProjection { .. }));
    assert!(matches!(ex("count {}").kind, ExprKind::MapProjection { .. }));
    assert!(matches!(ex("count {MATCH: 1}").kind, ExprKind::MapProjection { .. }));
    assert!(matches!(ex("count(*)").kind, ExprKind::CountStar));
    assert!(matches!(ex("collect(x)").kind, ExprKind::FunctionCall { .. }));
}

#[test]
fn subquery_expression_errors() {
    let q = "RETURN COLLECT { MATCH (n) RETURN n.a, n.b } AS x";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find('{').unwrap());
    assert!(e.message.contains("exactly one column"), "{}", e.message);
    assert_eq!(err("RETURN COLLECT { MATCH (n) } AS x").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN COLLECT { (n)-->(m) } AS x").code, "UnexpectedSyntax");
    assert_eq!(
        err("RETURN COLLECT { MATCH (n) RETURN * } AS x").code,
        "UnexpectedSyntax"
    );
    let q = "MATCH (n) WHERE COUNT { (n)--> } RETURN n";
    assert_eq!(err(q).offset, q.find(" }").unwrap() + 1);
    assert_eq!(
        err("MATCH (n) WHERE COUNT { MATCH (n) RETURN n RETURN 1").code,
        "UnexpectedSyntax"
    );
}

// ---- FOREACH ------------------------------------------------------------------

#[test]
fn foreach_clauses() {
    let Clause::Foreach(f) = clause("MATCH p = (a)-->(b) FOREACH (n IN nodes(p) | SET n.marked = true)", 1) else {
        panic!()
    };
    assert_eq!(f.variable.name, "n");
    assert!(matches!(f.list.kind, ExprKind::FunctionCall { .. }));
    assert_eq!(f.clauses.len(), 1);
    prints(
        "MATCH p = (a)-->(b) foreach (n in nodes(p) | set n.marked = true)",
        "MATCH p = (a)-->(b) FOREACH (n IN nodes(p) | SET n.marked = true)",
    );
    // Every updating clause, several in a row, nested.
    let q = "FOREACH (x IN [1, 2] | CREATE (:A {x: x}) MERGE (b:B {x: x}) SET b.y = x REMOVE b.z \
             DELETE b DETACH DELETE b FOREACH (y IN [x] | CREATE (:C {y: y})))";
    let Clause::Foreach(f) = clause(q, 0) else { panic!() };
    assert_eq!(
        f.clauses.iter().map(|c| c.name()).collect::<Vec<_>>(),
        ["CREATE", "MERGE", "SET", "REMOVE", "DELETE", "DETACH DELETE", "FOREACH"]
    );
    rt(q);
    rt("MATCH (n) FOREACH (k IN keys(n) | REMOVE n:L SET n:M) RETURN n");
    rt("FOREACH (x IN null | CREATE ())");
    // A label predicate on the list ends before the bar.
    let Clause::Foreach(f) = clause("MATCH (n) FOREACH (x IN [n:A] | SET x.v = 1)", 1) else {
        panic!()
    };
    assert_eq!(f.clauses.len(), 1);
    assert_eq!(clause("FOREACH (x IN [] | CREATE ())", 0).name(), "FOREACH");
}

#[test]
fn foreach_errors() {
    let q = "FOREACH (x IN [1] | MATCH (n) SET n.x = x)";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find("MATCH").unwrap());
    assert!(
        e.message.contains("MATCH cannot be used inside FOREACH"),
        "{}",
        e.message
    );
    assert!(e.hint.is_some());
    assert_eq!(err("FOREACH (x IN [1] | RETURN x)").offset, 20);
    assert_eq!(err("FOREACH (x IN [1] | WITH x CREATE ())").code, "UnexpectedSyntax");
    assert_eq!(err("FOREACH (x IN [1] | CALL { CREATE () })").code, "UnexpectedSyntax");
    assert_eq!(err("FOREACH (x IN [1] | )").code, "UnexpectedSyntax");
    assert_eq!(err("FOREACH (x IN [1] CREATE ())").code, "UnexpectedSyntax");
    assert_eq!(err("FOREACH (x [1] | CREATE ())").code, "UnexpectedSyntax");
    assert_eq!(err("FOREACH (x IN [1] | CREATE ()").code, "UnexpectedSyntax");
}

// ---- constraints and SHOW ---------------------------------------------------------

fn constraint(q: &str) -> CreateConstraint {
    match clause(q, 0) {
        Clause::Schema(Schema {
            command: SchemaCommand::CreateConstraint(c),
            ..
        }) => *c,
        c => panic!("{c:?}"),
    }
}

#[test]
fn constraints() {
    let c = constraint("CREATE CONSTRAINT book_isbn IF NOT EXISTS FOR (book:Book) REQUIRE book.isbn IS UNIQUE");
    assert_eq!(c.name.unwrap().name, "book_isbn");
    assert!(c.if_not_exists);
    assert_eq!(c.variable.name, "book");
    assert_eq!(
        c.entity,
        ConstraintEntity::Node {
            label: Ident::new("Book", Span::default())
        }
    );
    assert_eq!(names(&c.properties.iter().collect::<Vec<_>>()), ["isbn"]);
    assert_eq!(c.kind, ConstraintKind::Unique);
    prints(
        "create constraint book_isbn if not exists for (book:Book) require book.isbn is unique",
        "CREATE CONSTRAINT book_isbn IF NOT EXISTS FOR (book:Book) REQUIRE book.isbn IS UNIQUE",
    );
    let c = constraint("CREATE CONSTRAINT FOR (n:P) REQUIRE (n.first, n.last) IS NODE KEY");
    assert!(c.name.is_none() && !c.if_not_exists);
    assert_eq!(c.properties.len(), 2);
    assert_eq!(c.kind, ConstraintKind::Key);
    prints(
        "CREATE CONSTRAINT FOR (n:P) REQUIRE (n.first, n.last) IS KEY",
        "CREATE CONSTRAINT FOR (n:P) REQUIRE (n.first, n.last) IS NODE KEY",
    );
    prints(
        "CREATE CONSTRAINT c FOR (n:P) REQUIRE (n.a, n.b) IS UNIQUE",
        "CREATE CONSTRAINT c FOR (n:P) REQUIRE (n.a, n.b) IS UNIQUE",
    );
    prints(
        "CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS NODE UNIQUE",
        "CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS UNIQUE",
    );
    let c = constraint("CREATE CONSTRAINT FOR (n:P) REQUIRE n.name IS NOT NULL");
    assert_eq!(c.kind, ConstraintKind::NotNull);
    rt("CREATE CONSTRAINT FOR (n:P) REQUIRE n.name IS NOT NULL");
    // Relationships, either direction written.
    let c = constraint("CREATE CONSTRAINT owns FOR ()-[r:OWNS]-() REQUIRE r.id IS UNIQUE");
    assert!(
        matches!(c.entity, ConstraintEntity::Relationship { ref rel_type, direction: Direction::Both } if rel_type.name == "OWNS")
    );
    let c = constraint("CREATE CONSTRAINT FOR ()-[r:OWNS]->() REQUIRE r.id IS RELATIONSHIP UNIQUE");
    assert!(matches!(
        c.entity,
        ConstraintEntity::Relationship {
            direction: Direction::Outgoing,
            ..
        }
    ));
    assert_eq!(c.kind, ConstraintKind::Unique);
    prints(
        "CREATE CONSTRAINT FOR ()<-[r:OWNS]-() REQUIRE r.id IS REL UNIQUE",
        "CREATE CONSTRAINT FOR ()<-[r:OWNS]-() REQUIRE r.id IS UNIQUE",
    );
    prints(
        "CREATE CONSTRAINT FOR ()-[r:OWNS]-() REQUIRE (r.a, r.b) IS KEY",
        "CREATE CONSTRAINT FOR ()-[r:OWNS]-() REQUIRE (r.a, r.b) IS RELATIONSHIP KEY",
    );
    rt("CREATE CONSTRAINT FOR ()-[r:OWNS]-() REQUIRE r.since IS NOT NULL");
    // Property types.
    let c = constraint("CREATE CONSTRAINT FOR (n:P) REQUIRE n.age IS :: INTEGER");
    assert!(matches!(
        c.kind,
        ConstraintKind::Type(ValueType {
            kind: ValueTypeKind::Integer,
            not_null: false,
            ..
        })
    ));
    prints(
        "CREATE CONSTRAINT FOR (n:P) REQUIRE n.age IS TYPED INT",
        "CREATE CONSTRAINT FOR (n:P) REQUIRE n.age IS :: INTEGER",
    );
    prints(
        "CREATE CONSTRAINT FOR ()-[r:R]-() REQUIRE r.w IS :: INTEGER | FLOAT",
        "CREATE CONSTRAINT FOR ()-[r:R]-() REQUIRE r.w IS :: ANY<INTEGER | FLOAT>",
    );
    rt("CREATE CONSTRAINT FOR (n:P) REQUIRE n.tags IS :: LIST<STRING NOT NULL>");
    rt("CREATE CONSTRAINT c FOR (n:P) REQUIRE n.a IS UNIQUE OPTIONS {indexConfig: {}}");
    // Names that are keywords, quoted names.
    rt("CREATE CONSTRAINT `my constraint` FOR (n:`My Label`) REQUIRE n.`a key` IS UNIQUE");
    // DROP CONSTRAINT.
    let Clause::Schema(s) = clause("DROP CONSTRAINT book_isbn IF EXISTS", 0) else {
        panic!()
    };
    assert!(
        matches!(s.command, SchemaCommand::DropConstraint { ref name, if_exists: true } if name.name == "book_isbn")
    );
    prints("drop constraint c", "DROP CONSTRAINT c");
    assert_eq!(clause("DROP CONSTRAINT c", 0).name(), "DROP CONSTRAINT");
    assert_eq!(
        clause("CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS UNIQUE", 0).name(),
        "CREATE CONSTRAINT"
    );
    // DROP INDEX is unchanged.
    rt("DROP INDEX i IF EXISTS");
}

#[test]
fn constraint_errors() {
    let q = "CREATE CONSTRAINT FOR (n:P) REQUIRE m.a IS UNIQUE";
    let e = err(q);
    assert_eq!(e.code, "UndefinedVariable");
    assert_eq!(e.offset, q.find("m.a").unwrap());
    let q = "CREATE CONSTRAINT FOR (n:P) REQUIRE (n.a, n.b) IS NOT NULL";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find("IS NOT").unwrap());
    assert!(e.message.contains("one property"), "{}", e.message);
    assert_eq!(
        err("CREATE CONSTRAINT FOR (n:P) REQUIRE (n.a, n.b) IS :: INTEGER").code,
        "UnexpectedSyntax"
    );
    let q = "CREATE CONSTRAINT FOR ()-[r:R]-() REQUIRE r.a IS NODE KEY";
    let e = err(q);
    assert_eq!(e.offset, q.find("IS NODE").unwrap());
    assert!(e.message.contains("node constraint"), "{}", e.message);
    assert_eq!(
        err("CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS RELATIONSHIP UNIQUE").code,
        "UnexpectedSyntax"
    );
    let e = err("CREATE CONSTRAINT ON (n:P) ASSERT n.a IS UNIQUE");
    assert_eq!(e.offset, 18);
    assert!(e.hint.unwrap().contains("REQUIRE"));
    let q = "CREATE CONSTRAINT FOR (n:P) REQUIRE n.a IS UNIQ";
    assert_eq!(err(q).offset, q.find("UNIQ").unwrap());
    assert_eq!(
        err("CREATE CONSTRAINT FOR (n) REQUIRE n.a IS UNIQUE").code,
        "UnexpectedSyntax"
    );
    assert_eq!(
        err("CREATE CONSTRAINT FOR (n:P) n.a IS UNIQUE").code,
        "UnexpectedSyntax"
    );
    assert_eq!(err("DROP CONSTRAINT").code, "UnexpectedSyntax");
}

fn show(q: &str) -> Show {
    match clause(q, 0) {
        Clause::Schema(Schema {
            command: SchemaCommand::Show(s),
            ..
        }) => *s,
        c => panic!("{c:?}"),
    }
}

#[test]
fn show_commands() {
    assert_eq!(show("SHOW INDEXES").what, ShowWhat::Indexes(IndexFilter::All));
    assert_eq!(show("SHOW INDEX").what, ShowWhat::Indexes(IndexFilter::All));
    assert_eq!(show("SHOW RANGE INDEXES").what, ShowWhat::Indexes(IndexFilter::Range));
    prints("show all indexes", "SHOW INDEXES");
    prints("SHOW TEXT INDEX", "SHOW TEXT INDEXES");
    assert_eq!(clause("SHOW INDEXES", 0).name(), "SHOW INDEXES");
    let s = show("SHOW INDEXES YIELD name, type AS t ORDER BY name DESC SKIP 1 LIMIT 2 WHERE t = 'RANGE' RETURN name");
    let y = s.yield_.as_ref().unwrap();
    assert_eq!(y.items.len(), 2);
    assert_eq!(y.items[1].1.as_ref().unwrap().name, "t");
    assert!(y.order_by[0].descending && y.skip.is_some() && y.limit.is_some());
    assert!(s.where_.is_some() && s.return_.is_some());
    rt("SHOW INDEXES YIELD name, type AS t ORDER BY name DESC SKIP 1 LIMIT 2 WHERE t = 'RANGE' RETURN name");
    rt("SHOW INDEXES WHERE name STARTS WITH 'a'");
    rt("SHOW INDEXES YIELD *");
    rt("SHOW INDEXES YIELD * RETURN name, count(*) AS n ORDER BY n");
    // Constraints.
    assert_eq!(
        show("SHOW CONSTRAINTS").what,
        ShowWhat::Constraints(ConstraintFilter::All)
    );
    assert_eq!(
        show("SHOW CONSTRAINT").what,
        ShowWhat::Constraints(ConstraintFilter::All)
    );
    for (q, f) in [
        ("SHOW UNIQUE CONSTRAINTS", ConstraintFilter::Unique),
        ("SHOW UNIQUENESS CONSTRAINTS", ConstraintFilter::Unique),
        ("SHOW NODE UNIQUE CONSTRAINTS", ConstraintFilter::NodeUnique),
        ("SHOW REL UNIQUENESS CONSTRAINTS", ConstraintFilter::RelationshipUnique),
        ("SHOW KEY CONSTRAINTS", ConstraintFilter::Key),
        ("SHOW NODE KEY CONSTRAINTS", ConstraintFilter::NodeKey),
        ("SHOW RELATIONSHIP KEY CONSTRAINTS", ConstraintFilter::RelationshipKey),
        ("SHOW EXISTENCE CONSTRAINTS", ConstraintFilter::Existence),
        (
            "SHOW NODE PROPERTY EXISTENCE CONSTRAINTS",
            ConstraintFilter::NodeExistence,
        ),
        ("SHOW REL EXIST CONSTRAINTS", ConstraintFilter::RelationshipExistence),
        ("SHOW PROPERTY TYPE CONSTRAINTS", ConstraintFilter::PropertyType),
        (
            "SHOW NODE PROPERTY TYPE CONSTRAINTS",
            ConstraintFilter::NodePropertyType,
        ),
        (
            "SHOW RELATIONSHIP PROPERTY TYPE CONSTRAINTS",
            ConstraintFilter::RelationshipPropertyType,
        ),
    ] {
        assert_eq!(show(q).what, ShowWhat::Constraints(f), "{q}");
        rt(q);
    }
    rt("SHOW CONSTRAINTS YIELD name, type WHERE type = 'UNIQUENESS' RETURN name");
    assert_eq!(clause("SHOW CONSTRAINTS", 0).name(), "SHOW CONSTRAINTS");
    // Procedures and functions.
    assert_eq!(show("SHOW PROCEDURES").what, ShowWhat::Procedures { executable: None });
    assert_eq!(
        show("SHOW PROCEDURE EXECUTABLE").what,
        ShowWhat::Procedures {
            executable: Some(ExecutableBy::CurrentUser)
        }
    );
    prints(
        "SHOW PROCEDURES EXECUTABLE",
        "SHOW PROCEDURES EXECUTABLE BY CURRENT USER",
    );
    prints(
        "SHOW PROCEDURES EXECUTABLE BY alice",
        "SHOW PROCEDURES EXECUTABLE BY alice",
    );
    rt("SHOW PROCEDURES YIELD name, description WHERE name STARTS WITH 'db.' RETURN name ORDER BY name");
    assert_eq!(
        show("SHOW FUNCTIONS").what,
        ShowWhat::Functions {
            filter: FunctionFilter::All,
            executable: None
        }
    );
    assert!(matches!(
        show("SHOW BUILT IN FUNCTIONS").what,
        ShowWhat::Functions {
            filter: FunctionFilter::BuiltIn,
            ..
        }
    ));
    assert!(matches!(
        show("SHOW USER DEFINED FUNCTION").what,
        ShowWhat::Functions {
            filter: FunctionFilter::UserDefined,
            ..
        }
    ));
    prints("show all functions", "SHOW FUNCTIONS");
    prints("show built in functions yield *", "SHOW BUILT IN FUNCTIONS YIELD *");
    rt("SHOW USER DEFINED FUNCTIONS EXECUTABLE BY CURRENT USER YIELD name");
    rt("SHOW FUNCTIONS YIELD name, category, description WHERE category = 'String' RETURN name SKIP 1 LIMIT 5");
    assert_eq!(clause("SHOW FUNCTIONS", 0).name(), "SHOW FUNCTIONS");
    assert_eq!(clause("SHOW PROCEDURES", 0).name(), "SHOW PROCEDURES");
}

#[test]
fn show_errors() {
    let q = "SHOW FUNCTIONS RETURN name";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find("RETURN").unwrap());
    assert!(e.message.contains("YIELD"), "{}", e.message);
    let e = err("SHOW THINGS");
    assert_eq!(e.offset, 5);
    assert!(e.message.contains("'FUNCTIONS'"), "{}", e.message);
    assert_eq!(err("SHOW FUNCTIONS YIELD").code, "UnexpectedSyntax");
    assert_eq!(err("SHOW FUNCTIONS YIELD name.x").code, "UnexpectedSyntax");
    assert_eq!(err("SHOW BUILT FUNCTIONS").code, "UnexpectedSyntax");
    assert_eq!(err("SHOW RANGE CONSTRAINTS").code, "UnexpectedSyntax");
}

// ---- quantified path patterns and selectors -------------------------------------

fn quantifier(min: u64, max: Option<u64>) -> (u64, Option<u64>) {
    (min, max)
}

#[test]
fn quantified_relationships() {
    let q = |text: &str| -> (u64, Option<u64>) {
        let p = first_part(&format!("MATCH (a){text}(b) RETURN a"));
        let (PathStep::Rel(r), _) = &p.element.chain[0] else {
            panic!()
        };
        let q = r.quantifier.clone().unwrap();
        (q.min, q.max)
    };
    assert_eq!(q("-[:R]->{1,3}"), quantifier(1, Some(3)));
    assert_eq!(q("-[:R]->+"), quantifier(1, None));
    assert_eq!(q("-[:R]-*"), quantifier(0, None));
    assert_eq!(q("<-[r:R]-{2}"), quantifier(2, Some(2)));
    assert_eq!(q("-->{2,}"), quantifier(2, None));
    assert_eq!(q("-->{,4}"), quantifier(0, Some(4)));
    assert_eq!(q("--{ 0 , 0 }"), quantifier(0, Some(0)));
    prints("MATCH (a)-[:R]->{1,3}(b) RETURN a", "MATCH (a)-[:R]->{1,3}(b) RETURN a");
    prints("MATCH (a)-[:R]-+(b) RETURN a", "MATCH (a)-[:R]-+(b) RETURN a");
    prints("MATCH (a)-->{1,}(b) RETURN a", "MATCH (a)-->+(b) RETURN a");
    prints("MATCH (a)-->{0,}(b) RETURN a", "MATCH (a)-->*(b) RETURN a");
    prints("MATCH (a)-->{,2}(b) RETURN a", "MATCH (a)-->{0,2}(b) RETURN a");
    prints("MATCH (a)-->{3}(b) RETURN a", "MATCH (a)-->{3}(b) RETURN a");
    prints(
        "MATCH (a)-[r:R WHERE r.w > 2]->{1,3}(b) RETURN a",
        "MATCH (a)-[r:R WHERE r.w > 2]->{1,3}(b) RETURN a",
    );
    // A simple chain has no quantified steps.
    assert!(first_part("MATCH (a)-->(b)<-[:T]-(c) RETURN a")
        .element
        .simple_rels()
        .is_some());
    assert!(first_part("MATCH (a)-->+(b) RETURN a").element.simple_rels().is_none());
}

#[test]
fn quantified_path_patterns() {
    let p = first_part("MATCH ((a)-[r:R]->(b) WHERE r.x > 1){1,3} RETURN a");
    // The group alone gets empty nodes around it.
    assert!(p.element.start.variable.is_none() && p.element.start.labels.is_none());
    let (PathStep::Group(g), after) = &p.element.chain[0] else {
        panic!()
    };
    assert!(after.variable.is_none());
    assert!(g.where_.is_some());
    assert_eq!(
        (g.quantifier.as_ref().unwrap().min, g.quantifier.as_ref().unwrap().max),
        (1, Some(3))
    );
    assert_eq!(g.element.chain.len(), 1);
    prints(
        "MATCH ((a)-[r:R]->(b) WHERE r.x > 1){1,3} RETURN a",
        "MATCH () ((a)-[r:R]->(b) WHERE r.x > 1){1,3} () RETURN a",
    );
    let p = first_part("MATCH (x:Station) ((a)-[:NEXT]->(b))+ (y:Station) RETURN x");
    assert_eq!(p.element.start.variable.as_ref().unwrap().name, "x");
    let (PathStep::Group(_), y) = &p.element.chain[0] else {
        panic!()
    };
    assert_eq!(y.variable.as_ref().unwrap().name, "y");
    prints(
        "MATCH (x:Station)((a)-[:NEXT]->(b))+(y:Station) RETURN x",
        "MATCH (x:Station) ((a)-[:NEXT]->(b))+ (y:Station) RETURN x",
    );
    // Groups and relationships mixed, two groups in a row, path variables.
    rt("MATCH p = (s)-->(t) ((a)-[:R]->(b)){2,} (u)<-[:S]-(v) ((c)--(d))* RETURN p");
    rt("MATCH ((a)-->(b))+ ((c)-->(d))+ RETURN a");
    rt("MATCH (a) ((x)-->(y)-->(z)){0,5} (b) WHERE a.id = 1 RETURN b");
    // A group without a quantifier (and its WHERE).
    rt("MATCH (a) ((x)-->(y) WHERE x.v < y.v) (b) RETURN a");
    // The whole element in parentheses is still that element.
    let p = first_part("MATCH ((a)-->(b)) RETURN a");
    assert!(p.element.chain[0].0.rel().is_some());
    prints("MATCH ((a)-->(b)) RETURN a", "MATCH (a)-->(b) RETURN a");
    // In subqueries.
    rt("MATCH (n) WHERE EXISTS { (n) ((a)-->(b)){2} (m) } RETURN n");
}

#[test]
fn where_inside_patterns() {
    let p = first_part("MATCH (n:A WHERE n.x > 1)-[r WHERE r.w > 2]->(m {k: 1} WHERE m.y IS NULL) RETURN n");
    assert!(p.element.start.where_.is_some());
    let (PathStep::Rel(r), m) = &p.element.chain[0] else {
        panic!()
    };
    assert!(r.where_.is_some() && m.where_.is_some() && m.properties.is_some());
    rt("MATCH (n:A WHERE n.x > 1)-[r WHERE r.w > 2]->(m {k: 1} WHERE m.y IS NULL) RETURN n");
    prints("MATCH (n WHERE n.x = 1) RETURN n", "MATCH (n WHERE n.x = 1) RETURN n");
    prints("MATCH (WHERE true) RETURN 1", "MATCH (WHERE true) RETURN 1");
    prints(
        "MATCH ()-[WHERE true]->() RETURN 1",
        "MATCH ()-[ WHERE true]->() RETURN 1",
    );
    // Patterns are predicates there.
    rt("MATCH (n WHERE (n)-->()) RETURN n");
    rt("MATCH (n WHERE COUNT { (n)-->() } > 2) RETURN n");
}

#[test]
fn path_selectors() {
    let sel = |q: &str| first_part(q).selector.unwrap().kind;
    assert_eq!(
        sel("MATCH SHORTEST 1 (a)-->+(b) RETURN a"),
        SelectorKind::Shortest(ex("1"))
    );
    assert_eq!(
        sel("MATCH p = SHORTEST 2 (a)-[:R]-+(b) RETURN p"),
        SelectorKind::Shortest(ex("2"))
    );
    assert_eq!(sel("MATCH ALL SHORTEST (a)-->+(b) RETURN a"), SelectorKind::AllShortest);
    assert_eq!(
        sel("MATCH ANY SHORTEST PATH (a)-->+(b) RETURN a"),
        SelectorKind::AnyShortest
    );
    assert_eq!(
        sel("MATCH SHORTEST 2 GROUPS (a)-->+(b) RETURN a"),
        SelectorKind::ShortestGroups(Some(ex("2")))
    );
    assert_eq!(
        sel("MATCH SHORTEST GROUP (a)-->+(b) RETURN a"),
        SelectorKind::ShortestGroups(None)
    );
    assert_eq!(
        sel("MATCH SHORTEST 3 PATH GROUPS (a)-->+(b) RETURN a"),
        SelectorKind::ShortestGroups(Some(ex("3")))
    );
    assert_eq!(sel("MATCH ANY (a)-->+(b) RETURN a"), SelectorKind::Any(None));
    assert_eq!(
        sel("MATCH ANY 2 PATHS (a)-->+(b) RETURN a"),
        SelectorKind::Any(Some(ex("2")))
    );
    assert_eq!(sel("MATCH ALL PATHS (a)-->+(b) RETURN a"), SelectorKind::All);
    assert_eq!(
        sel("MATCH SHORTEST $k (a)-->+(b) RETURN a"),
        SelectorKind::Shortest(ex("$k"))
    );
    prints(
        "MATCH p = SHORTEST 2 (a)-[:R]-+(b) RETURN p",
        "MATCH p = SHORTEST 2 (a)-[:R]-+(b) RETURN p",
    );
    prints(
        "MATCH any shortest paths (a)-->+(b) RETURN a",
        "MATCH ANY SHORTEST (a)-->+(b) RETURN a",
    );
    prints("MATCH ALL PATHS (a)-->+(b) RETURN a", "MATCH ALL (a)-->+(b) RETURN a");
    prints(
        "MATCH SHORTEST 1 PATH GROUPS (a)-->+(b) RETURN a",
        "MATCH SHORTEST 1 GROUPS (a)-->+(b) RETURN a",
    );
    rt("MATCH p = ANY 3 (a) ((x)-->(y)){1,4} (b), q = ALL SHORTEST (a)--*(c) RETURN p, q");
    // Names that look like selectors are still variables.
    rt("MATCH any = (a)-->(b) RETURN any");
    rt("MATCH shortest = (a)-->(b) RETURN shortest");
    rt("MATCH (any)-->(shortest) RETURN any");
}

#[test]
fn match_modes() {
    let Clause::Match(m) = clause("MATCH REPEATABLE ELEMENTS p = (a)-->+(b) RETURN p", 0) else {
        panic!()
    };
    assert_eq!(m.mode, Some(MatchMode::RepeatableElements));
    let Clause::Match(m) = clause("MATCH DIFFERENT RELATIONSHIPS (a)-->(b) RETURN a", 0) else {
        panic!()
    };
    assert_eq!(m.mode, Some(MatchMode::DifferentRelationships));
    prints(
        "match repeatable element (a)-->{2}(b) return a",
        "MATCH REPEATABLE ELEMENTS (a)-->{2}(b) RETURN a",
    );
    rt("OPTIONAL MATCH DIFFERENT RELATIONSHIPS (a)-->(b) RETURN a");
    let Clause::Match(m) = clause("MATCH (a) RETURN a", 0) else {
        panic!()
    };
    assert_eq!(m.mode, None);
}

#[test]
fn path_pattern_errors() {
    let q = "MATCH (a)-[:R*1..2]->{1,2}(b) RETURN a";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find('{').unwrap());
    assert!(e.message.contains("variable length"), "{}", e.message);
    let q = "MATCH (a)-->{3,1}(b) RETURN a";
    let e = err(q);
    assert_eq!(e.offset, q.find('{').unwrap());
    assert!(e.message.contains("lower bound"), "{}", e.message);
    assert_eq!(err("MATCH (a)-->{}(b) RETURN a").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (a)-->{-1}(b) RETURN a").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (a)-->{1.5}(b) RETURN a").code, "UnexpectedSyntax");
    assert_eq!(
        err("MATCH (a)-->{99999999999999999999}(b) RETURN a").code,
        "IntegerOverflow"
    );
    let q = "MATCH (((a)-->(b))+)+ RETURN a";
    let e = err(q);
    assert_eq!(e.offset, q.find("((a").unwrap() - 1);
    assert!(e.message.contains("nested"), "{}", e.message);
    let q = "MATCH ((a)-->(b))+-->(c) RETURN a";
    let e = err(q);
    assert_eq!(e.offset, q.find("-->(c)").unwrap());
    assert!(e.hint.is_some());
    let q = "MATCH SHORTEST (a)-->+(b) RETURN a";
    let e = err(q);
    assert_eq!(e.offset, 6);
    assert!(e.message.contains("SHORTEST"), "{}", e.message);
    assert_eq!(err("MATCH SHORTEST 1.5 (a)-->+(b) RETURN a").code, "UnexpectedSyntax");
    // Node patterns side by side are not a path.
    assert_eq!(err("MATCH (a)(b) RETURN a").code, "UnexpectedSyntax");
    // Quantifiers and groups are not allowed where a simple pattern is.
    assert_eq!(
        err("MATCH p = shortestPath((a)-->+(b)) RETURN p").code,
        "UnexpectedSyntax"
    );
    assert_eq!(err("MATCH (a) RETURN [(a)-->+(b) | b]").code, "UnexpectedSyntax");
}

// ---- label and type expressions --------------------------------------------------

fn kind_names(l: &LabelExpr) -> String {
    match &l.kind {
        LabelExprKind::Label(i) => i.name.clone(),
        LabelExprKind::Dynamic { expr, any } => format!("${}({expr})", if *any { "any" } else { "" }),
        LabelExprKind::Wildcard => "%".into(),
        LabelExprKind::Not(x) => format!("not({})", kind_names(x)),
        LabelExprKind::And(v) => format!("and({})", v.iter().map(kind_names).collect::<Vec<_>>().join(",")),
        LabelExprKind::Or(v) => format!("or({})", v.iter().map(kind_names).collect::<Vec<_>>().join(",")),
        LabelExprKind::Colon(v) => format!("colon({})", v.iter().map(kind_names).collect::<Vec<_>>().join(",")),
    }
}

#[test]
fn label_expressions_in_node_patterns() {
    let l = |q: &str| kind_names(&node_labels(&format!("MATCH (n{q}) RETURN n")));
    assert_eq!(l(":A"), "A");
    assert_eq!(l(":A|B"), "or(A,B)");
    assert_eq!(l(":A&B"), "and(A,B)");
    assert_eq!(l(":!A"), "not(A)");
    assert_eq!(l(":%"), "%");
    assert_eq!(l(":(A|B)&!C"), "and(or(A,B),not(C))");
    assert_eq!(l(":A|B&C"), "or(A,and(B,C))");
    assert_eq!(l(":!A&!B|%"), "or(and(not(A),not(B)),%)");
    assert_eq!(l(":!!A"), "not(not(A))");
    assert_eq!(l(":A:B"), "colon(A,B)");
    assert_eq!(l(":A:B:C"), "colon(A,B,C)");
    assert_eq!(l(":((A))"), "A");
    assert_eq!(l(":A&B&C"), "and(A,B,C)");
    assert_eq!(l(":(A&B)&C"), "and(and(A,B),C)");
    prints("MATCH (n:A|B) RETURN n", "MATCH (n:A|B) RETURN n");
    prints("MATCH (n:(A|B)&!C) RETURN n", "MATCH (n:(A|B)&!C) RETURN n");
    prints("MATCH (n:A | B & C) RETURN n", "MATCH (n:A|(B&C)) RETURN n");
    prints("MATCH (n:A:B {x: 1}) RETURN n", "MATCH (n:A:B {x: 1}) RETURN n");
    prints("MATCH (n:%) RETURN n", "MATCH (n:%) RETURN n");
    prints("MATCH (n:!%) RETURN n", "MATCH (n:!%) RETURN n");
    prints("MATCH (:`A b`|`c`) RETURN 1", "MATCH (:`A b`|c) RETURN 1");
    // The old form converts to the list the planner knew.
    let c = node_labels("MATCH (n:A:B) RETURN n");
    assert_eq!(names(&c.as_conjunction().unwrap()), ["A", "B"]);
    assert_eq!(
        names(&node_labels("MATCH (n:A&B) RETURN n").as_conjunction().unwrap()),
        ["A", "B"]
    );
    assert!(node_labels("MATCH (n:A|B) RETURN n").as_conjunction().is_none());
    assert_eq!(
        names(&first_part("MATCH (n:A:B) RETURN n").element.start.label_names()),
        ["A", "B"]
    );
}

#[test]
fn type_expressions_in_relationship_patterns() {
    let t = |q: &str| -> RelPattern {
        let p = first_part(&format!("MATCH (a){q}(b) RETURN a"));
        p.element.chain[0].0.rel().unwrap().clone()
    };
    assert_eq!(kind_names(t("-[r:A|B]->").types.as_ref().unwrap()), "or(A,B)");
    assert_eq!(kind_names(t("-[r:!T]->").types.as_ref().unwrap()), "not(T)");
    assert_eq!(kind_names(t("-[:%]->").types.as_ref().unwrap()), "%");
    assert_eq!(kind_names(t("-[:A|:B|C]->").types.as_ref().unwrap()), "or(A,B,C)");
    assert_eq!(kind_names(t("-[:!(A|B)]->").types.as_ref().unwrap()), "not(or(A,B))");
    assert_eq!(names(&t("-[:A|:B]->").type_names().unwrap()), ["A", "B"]);
    assert_eq!(names(&t("-[:A|B]->").type_list()), ["A", "B"]);
    assert_eq!(t("-->").type_names(), Some(vec![]));
    assert_eq!(t("-[:!A]->").type_names(), None);
    prints("MATCH (a)-[r:A|B]->(b) RETURN a", "MATCH (a)-[r:A|B]->(b) RETURN a");
    prints(
        "MATCH (a)-[:A|:B *1..2]->(b) RETURN a",
        "MATCH (a)-[:A|B*1..2]->(b) RETURN a",
    );
    prints("MATCH (a)-[:!T]->(b) RETURN a", "MATCH (a)-[:!T]->(b) RETURN a");
    prints("MATCH (a)-[:%]->(b) RETURN a", "MATCH (a)-[:%]->(b) RETURN a");
    rt("MATCH (a)-[r:(A&!B)|%]->(b) RETURN a");
}

#[test]
fn label_expressions_as_predicates() {
    let w = |q: &str| where_of(&format!("MATCH (n) WHERE {q} RETURN n"));
    let ExprKind::HasLabels(_, l) = w("n:A|B").kind else {
        panic!()
    };
    assert_eq!(kind_names(&l), "or(A,B)");
    let ExprKind::HasLabels(_, l) = w("n:(A&B)").kind else {
        panic!()
    };
    assert_eq!(kind_names(&l), "and(A,B)");
    let ExprKind::HasLabels(_, l) = w("n:A:B").kind else {
        panic!()
    };
    assert_eq!(kind_names(&l), "colon(A,B)");
    assert_eq!(ert("n:A|B"), "n:(A|B)");
    assert_eq!(ert("n:A&!B"), "n:A&!B");
    assert_eq!(ert("n:%"), "n:%");
    assert_eq!(ert("n:A:B"), "n:A:B");
    assert_eq!(ert("NOT n:A|B AND m:C"), "(NOT (n:(A|B))) AND (m:C)");
    rt("MATCH (n) WHERE n:A|B RETURN n:(A&B) AS both");
    // In a comprehension's WHERE a bar ends the predicate, unless parenthesised.
    let e = ex("[x IN l WHERE x:A | x.name]");
    let ExprKind::ListComprehension {
        predicate, projection, ..
    } = &e.kind
    else {
        panic!()
    };
    assert!(matches!(&predicate.as_ref().unwrap().kind, ExprKind::HasLabels(_, l) if kind_names(l) == "A"));
    assert!(projection.is_some());
    let e = ex("[x IN l WHERE x:(A|B) | x]");
    let ExprKind::ListComprehension { predicate, .. } = &e.kind else {
        panic!()
    };
    assert!(matches!(&predicate.as_ref().unwrap().kind, ExprKind::HasLabels(_, l) if kind_names(l) == "or(A,B)"));
    assert_eq!(ert("[x IN l WHERE x:A|B]"), "[x IN l WHERE x:A | B]");
    ert("[(a)-->(b) WHERE b:A | b]");
    ert("[(a)-->(b:A|B) WHERE b:C | b]");
    ert("reduce(s = 0, x IN [n:A] | s + 1)");
    // Elsewhere the bar is "or".
    ert("[n:A|B, m:C]");
    ert("CASE WHEN n:A|B THEN 1 END");
}

#[test]
fn label_expression_errors() {
    let q = "MATCH (n:A:B|C) RETURN n";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find('|').unwrap());
    assert!(e.message.contains("mixing"), "{}", e.message);
    assert!(e.hint.is_some());
    let q = "MATCH (n:A|B:C) RETURN n";
    assert_eq!(err(q).offset, q.rfind(':').unwrap());
    assert_eq!(err("MATCH (n:A&B:C) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n:A:!B) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n:A|) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n:(A|B) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n:A|:B) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n) WHERE n:!  RETURN n").code, "UnexpectedSyntax");
}

// ---- dynamic labels, types and properties ------------------------------------------

#[test]
fn dynamic_labels_and_types() {
    let l = node_labels("MATCH (n:$($label)) RETURN n");
    assert!(
        matches!(&l.kind, LabelExprKind::Dynamic { expr, any: false } if expr.kind == ExprKind::Parameter("label".into()))
    );
    assert!(l.as_conjunction().is_none());
    assert_eq!(
        kind_names(&node_labels("MATCH (n:$any($labels)) RETURN n")),
        "$any($labels)"
    );
    assert_eq!(
        kind_names(&node_labels("MATCH (n:$all($labels)) RETURN n")),
        "$($labels)"
    );
    assert_eq!(kind_names(&node_labels("MATCH (n:$(x):A) RETURN n")), "colon($(x),A)");
    assert_eq!(kind_names(&node_labels("MATCH (n:$(x)|A) RETURN n")), "or($(x),A)");
    prints("MATCH (n:$($label)) RETURN n", "MATCH (n:$($label)) RETURN n");
    prints(
        "MATCH (n:$all(['A', 'B'])) RETURN n",
        "MATCH (n:$(['A', 'B'])) RETURN n",
    );
    prints("MATCH (n:$ANY($l)) RETURN n", "MATCH (n:$any($l)) RETURN n");
    rt("CREATE (n:$($l) {x: 1})");
    rt("CREATE (n:$(row.label):Fixed)");
    rt("MATCH (a)-[r:$($t)]->(b) RETURN r");
    rt("MATCH (a)-[r:$any(['T', 'U'])]->(b) RETURN r");
    rt("CREATE (a)-[:$(toUpper('t'))]->(b)");
    rt("MATCH (n) WHERE n:$($l) RETURN n");
    // SET and REMOVE.
    let Clause::Set(s) = clause("MATCH (n) SET n:$($l), n:A:$(x)", 1) else {
        panic!()
    };
    assert!(
        matches!(&s.items[0], SetItem::Labels { labels, .. } if matches!(labels.kind, LabelExprKind::Dynamic { .. }))
    );
    assert!(matches!(&s.items[1], SetItem::Labels { labels, .. } if kind_names(labels) == "colon(A,$(x))"));
    rt("MATCH (n) SET n:$($l), n:A:$(x)");
    let Clause::Remove(r) = clause("MATCH (n) REMOVE n:$($l)", 1) else {
        panic!()
    };
    assert!(matches!(&r.items[0], RemoveItem::Labels { .. }));
    rt("MATCH (n) REMOVE n:$($l):B");
}

#[test]
fn dynamic_properties() {
    let Clause::Set(s) = clause("MATCH (n) SET n[$key] = 1, n['a' + 'b'] = n.x, n.p = 2", 1) else {
        panic!()
    };
    assert!(
        matches!(&s.items[0], SetItem::DynamicProperty { target, key, .. } if target.kind == ExprKind::Variable("n".into()) && key.kind == ExprKind::Parameter("key".into()))
    );
    assert!(matches!(&s.items[1], SetItem::DynamicProperty { .. }));
    assert!(matches!(&s.items[2], SetItem::Property { .. }));
    prints(
        "MATCH (n) SET n[$key] = 1, n['a' + 'b'] = n.x",
        "MATCH (n) SET n[$key] = 1, n['a' + 'b'] = n.x",
    );
    let Clause::Remove(r) = clause("MATCH (n) REMOVE n[$key], n.x", 1) else {
        panic!()
    };
    assert!(
        matches!(&r.items[0], RemoveItem::DynamicProperty { key, .. } if key.kind == ExprKind::Parameter("key".into()))
    );
    rt("MATCH (n) REMOVE n[$key], n.x");
    rt("MATCH (n)-[r]->() SET r[k] = 1 REMOVE r[k]");
    // A read is an index expression.
    assert!(matches!(ex("n[$key]").kind, ExprKind::Index(..)));
    rt("MATCH (n) RETURN n[$key] AS v");
    // ON CREATE / ON MATCH SET take them too.
    rt("MERGE (n:A {id: 1}) ON CREATE SET n[$k] = 1 ON MATCH SET n[$k] = 2");
}

#[test]
fn dynamic_errors() {
    let q = "MATCH (n:$label) RETURN n";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find('$').unwrap());
    assert!(e.hint.unwrap().contains("$($label)"));
    assert_eq!(err("MATCH (n:$foo($x)) RETURN n").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n:$()) RETURN n").code, "UnexpectedSyntax");
    let q = "MATCH (n) SET n:A|B";
    let e = err(q);
    assert_eq!(e.offset, q.find(":A").unwrap());
    assert!(e.message.contains("SET"), "{}", e.message);
    assert_eq!(err("MATCH (n) REMOVE n:!A").code, "UnexpectedSyntax");
    assert_eq!(err("MATCH (n) SET n[$k] += {a: 1}").code, "UnexpectedSyntax");
}

// ---- type predicates and IS NORMALIZED -------------------------------------------------

fn ty(text: &str) -> ValueType {
    match ex(&format!("x IS :: {text}")).kind {
        ExprKind::IsType(_, t, false) => t,
        k => panic!("{k:?}"),
    }
}

#[test]
fn type_predicates() {
    let e = ex("x IS :: INTEGER");
    assert!(matches!(
        &e.kind,
        ExprKind::IsType(
            _,
            ValueType {
                kind: ValueTypeKind::Integer,
                not_null: false,
                ..
            },
            false
        )
    ));
    assert!(matches!(ex("x IS NOT :: STRING").kind, ExprKind::IsType(_, _, true)));
    assert!(matches!(ex("x :: FLOAT").kind, ExprKind::IsType(_, _, false)));
    assert!(matches!(ex("x IS TYPED BOOL").kind, ExprKind::IsType(_, _, false)));
    assert!(matches!(ex("x IS NOT TYPED BOOL").kind, ExprKind::IsType(_, _, true)));
    assert_eq!(ert("x :: INT"), "x IS :: INTEGER");
    assert_eq!(ert("x IS NOT TYPED BOOL"), "x IS NOT :: BOOLEAN");
    assert_eq!(ert("x IS :: INTEGER NOT NULL"), "x IS :: INTEGER NOT NULL");
    assert_eq!(ert("x IS :: INTEGER!"), "x IS :: INTEGER NOT NULL");
    assert_eq!(ert("x IS :: INTEGER | FLOAT"), "x IS :: ANY<INTEGER | FLOAT>");
    assert_eq!(
        ert("x IS :: ANY<INTEGER | STRING> NOT NULL"),
        "x IS :: ANY<INTEGER | STRING> NOT NULL"
    );
    // Precedence: as IS NULL.
    assert_eq!(
        ert("x IS :: INTEGER AND y IS NOT :: STRING"),
        "(x IS :: INTEGER) AND (y IS NOT :: STRING)"
    );
    assert_eq!(ert("NOT x :: INTEGER"), "NOT (x IS :: INTEGER)");
    assert_eq!(ert("a + b :: FLOAT"), "(a + b) IS :: FLOAT");
    assert_eq!(ert("n:A::INTEGER"), "(n:A) IS :: INTEGER");
    // A label after a type predicate's operand is still a label.
    rt("MATCH (n) RETURN n.x IS :: INTEGER AS isInt, n:A AS a");
    rt("UNWIND [42, true, 'abc', null] AS val RETURN val, val IS :: INTEGER AS isInteger");
    // A bar ends the type inside a comprehension's WHERE.
    let e = ex("[x IN l WHERE x IS :: INTEGER | x * 2]");
    assert!(matches!(
        e.kind,
        ExprKind::ListComprehension {
            projection: Some(_),
            ..
        }
    ));
    ert("[x IN l WHERE x IS :: ANY<INTEGER | FLOAT> | x * 2]");
}

#[test]
fn type_names_and_synonyms() {
    use ValueTypeKind as K;
    for (text, kind) in [
        ("ANY", K::Any),
        ("ANY VALUE", K::Any),
        ("NOTHING", K::Nothing),
        ("NULL", K::Null),
        ("BOOLEAN", K::Boolean),
        ("BOOL", K::Boolean),
        ("STRING", K::String),
        ("VARCHAR", K::String),
        ("INTEGER", K::Integer),
        ("INT", K::Integer),
        ("SIGNED INTEGER", K::Integer),
        ("FLOAT", K::Float),
        ("DATE", K::Date),
        ("LOCAL TIME", K::LocalTime),
        ("TIME WITHOUT TIME ZONE", K::LocalTime),
        ("ZONED TIME", K::ZonedTime),
        ("TIME WITH TIME ZONE", K::ZonedTime),
        ("LOCAL DATETIME", K::LocalDateTime),
        ("TIMESTAMP WITHOUT TIME ZONE", K::LocalDateTime),
        ("ZONED DATETIME", K::ZonedDateTime),
        ("TIMESTAMP WITH TIME ZONE", K::ZonedDateTime),
        ("DURATION", K::Duration),
        ("POINT", K::Point),
        ("NODE", K::Node),
        ("ANY NODE", K::Node),
        ("VERTEX", K::Node),
        ("ANY VERTEX", K::Node),
        ("RELATIONSHIP", K::Relationship),
        ("ANY RELATIONSHIP", K::Relationship),
        ("EDGE", K::Relationship),
        ("ANY EDGE", K::Relationship),
        ("MAP", K::Map),
        ("ANY MAP", K::Map),
        ("PATH", K::Path),
        ("PROPERTY VALUE", K::PropertyValue),
        ("ANY PROPERTY VALUE", K::PropertyValue),
        ("integer", K::Integer),
        ("local datetime", K::LocalDateTime),
    ] {
        let t = ty(text);
        assert_eq!(t.kind, kind, "{text}");
        assert!(!t.not_null);
        // Printed canonically, and back.
        ert(&format!("x IS :: {text}"));
    }
    let list = |t: ValueType| match t.kind {
        K::List(inner) => (*inner, t.not_null),
        k => panic!("{k:?}"),
    };
    let (inner, nn) = list(ty("LIST<INTEGER>"));
    assert_eq!((inner.kind, nn), (K::Integer, false));
    let (inner, nn) = list(ty("ARRAY<STRING NOT NULL> NOT NULL"));
    assert_eq!((inner.kind, inner.not_null, nn), (K::String, true, true));
    let (inner, nn) = list(ty("INTEGER LIST"));
    assert_eq!((inner.kind, nn), (K::Integer, false));
    let (inner, nn) = list(ty("INTEGER NOT NULL ARRAY NOT NULL"));
    assert_eq!((inner.kind, inner.not_null, nn), (K::Integer, true, true));
    let (inner, _) = list(ty("LIST<LIST<FLOAT>>"));
    assert!(matches!(inner.kind, K::List(_)));
    assert_eq!(ert("x IS :: INTEGER LIST"), "x IS :: LIST<INTEGER>");
    assert_eq!(
        ert("x :: LIST<LIST<INT!>>!"),
        "x IS :: LIST<LIST<INTEGER NOT NULL>> NOT NULL"
    );
    assert_eq!(
        ert("x :: ARRAY<TIMESTAMP WITH TIME ZONE>"),
        "x IS :: LIST<ZONED DATETIME>"
    );
    let u = ty("INTEGER | FLOAT | STRING NOT NULL");
    let K::Union(items) = &u.kind else { panic!() };
    assert_eq!(items.len(), 3);
    assert!(items[2].not_null);
    assert_eq!(ty("ANY<INTEGER>").kind, K::Integer);
    let u = ty("ANY VALUE<INTEGER | STRING>");
    assert!(matches!(u.kind, K::Union(_)));
    assert_eq!(
        ert("x :: LIST<INTEGER | STRING>"),
        "x IS :: LIST<ANY<INTEGER | STRING>>"
    );
    assert_eq!(
        ert("x :: ANY<INTEGER | ANY<FLOAT | STRING>>"),
        "x IS :: ANY<INTEGER | ANY<FLOAT | STRING>>"
    );
}

#[test]
fn type_predicate_errors() {
    let q = "RETURN x IS :: INTEGR";
    let e = err(q);
    assert_eq!(e.code, "UnexpectedSyntax");
    assert_eq!(e.offset, q.find("INTEGR").unwrap());
    assert!(e.message.contains("a type"), "{}", e.message);
    assert_eq!(err("RETURN x IS :: LIST<INTEGER").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN x IS :: LIST").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN x IS :: TIME WITH ZONE").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN x IS :: INTEGER |").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN x :: ").code, "UnexpectedSyntax");
    let e = err("RETURN x IS NUL");
    assert!(
        e.message.contains("'::'") && e.message.contains("'NULL'"),
        "{}",
        e.message
    );
}

#[test]
fn is_normalized() {
    let e = ex("s IS NORMALIZED");
    assert!(matches!(e.kind, ExprKind::IsNormalized(_, NormalForm::Nfc, false)));
    assert!(matches!(
        ex("s IS NOT NFKD NORMALIZED").kind,
        ExprKind::IsNormalized(_, NormalForm::Nfkd, true)
    ));
    assert!(matches!(
        ex("s IS NFD NORMALIZED").kind,
        ExprKind::IsNormalized(_, NormalForm::Nfd, false)
    ));
    assert!(matches!(
        ex("s IS nfkc normalized").kind,
        ExprKind::IsNormalized(_, NormalForm::Nfkc, false)
    ));
    assert_eq!(ert("s IS NORMALIZED"), "s IS NFC NORMALIZED");
    assert_eq!(ert("s IS NOT NFD NORMALIZED AND t"), "(s IS NOT NFD NORMALIZED) AND t");
    assert_eq!(ert("normalize(s, NFKC) = s"), "normalize(s, NFKC) = s");
    rt("RETURN 'é' IS NORMALIZED AS a, normalize('é', NFD) IS NFD NORMALIZED AS b");
    assert_eq!(err("RETURN s IS NFC").code, "UnexpectedSyntax");
    assert_eq!(err("RETURN s IS NFX NORMALIZED").code, "UnexpectedSyntax");
}

// ---- the old forms are unchanged --------------------------------------------------------

#[test]
fn old_forms_unchanged() {
    prints(
        "MATCH (n:A:B)-[:T|:U]->(m) WHERE n:C:D RETURN n",
        "MATCH (n:A:B)-[:T|U]->(m) WHERE n:C:D RETURN n",
    );
    prints("MATCH (n) SET n:A:B REMOVE n:C", "MATCH (n) SET n:A:B REMOVE n:C");
    prints(
        "MATCH p = shortestPath((a)-[*]-(b)) RETURN p",
        "MATCH p = shortestPath((a)-[*]-(b)) RETURN p",
    );
    prints(
        "MATCH (n) WHERE n.x IS NOT NULL RETURN n",
        "MATCH (n) WHERE n.x IS NOT NULL RETURN n",
    );
    prints("MATCH (n) RETURN n {.x, k: 1}", "MATCH (n) RETURN n {.x, k: 1}");
    prints("MATCH (a)-[r*1..3]->(b) RETURN r", "MATCH (a)-[r*1..3]->(b) RETURN r");
    prints("RETURN [x IN [1, 2] | x * 2] AS l", "RETURN [x IN [1, 2] | x * 2] AS l");
    prints("RETURN {a: 1}['a'] AS v", "RETURN {a: 1}['a'] AS v");
    prints("CREATE INDEX i FOR (n:A) ON (n.k)", "CREATE INDEX i FOR (n:A) ON (n.k)");
    // 1 * 2: an operator, not a quantifier.
    prints("MATCH (a)-->(b) RETURN 1 * 2 AS x", "MATCH (a)-->(b) RETURN 1 * 2 AS x");
    prints("MATCH (a)-->(b) WITH * RETURN a", "MATCH (a)-->(b) WITH * RETURN a");
}

#[test]
fn trim_with_leading_trailing_both_from() {
    // Read as the function each form means (the column keeps the text as written).
    let call = |q: &str| match ex(q).kind {
        ExprKind::FunctionCall { name, args, .. } => (name[0].name.clone(), args.len()),
        other => panic!("{q}: {other:?}"),
    };
    assert_eq!(call("trim(BOTH 'x' FROM s)"), ("btrim".to_string(), 2));
    assert_eq!(call("trim(LEADING 'x' FROM s)"), ("ltrim".to_string(), 2));
    assert_eq!(call("trim(TRAILING FROM s)"), ("rtrim".to_string(), 1));
    assert_eq!(call("trim(' ' FROM s)"), ("btrim".to_string(), 2));
    assert_eq!(call("trim(s)"), ("trim".to_string(), 1));
    rt("RETURN trim(BOTH 'x' FROM s) AS t, trim(LEADING FROM s)");
    err("RETURN trim(LEADING 'x' s)");
}
