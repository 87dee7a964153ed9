"""The official Python driver against quiver's Bolt server.

Run by server/tests/drivers.rs, which starts the server over the in-memory
test backend and sets:
  QUIVER_BOLT_ADDR    host:port of the server
  QUIVER_BOLT_EXPECT  the Bolt version the driver should negotiate, e.g. "5.8"
  QUIVER_BOLT_LARGE   "1" to also stream 100k rows
  QUIVER_BOLT_DB      the home database's name ("quiver" unless set)
Prints one line per check and "N passed, M failed"; exits non-zero on a failure.
"""

import datetime
import logging
import os
import sys
import threading
import time
import traceback

import pytz

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError, CypherSyntaxError, TransientError
from neo4j.graph import Node, Path, Relationship
from neo4j.time import Date, DateTime, Duration, Time

ADDR = os.environ["QUIVER_BOLT_ADDR"]
EXPECT = os.environ.get("QUIVER_BOLT_EXPECT")
LARGE = os.environ.get("QUIVER_BOLT_LARGE") == "1"
DB = os.environ.get("QUIVER_BOLT_DB", "quiver")
AUTH = ("neo4j", "quiver-test")

results = {"passed": 0, "failed": 0}


def check(fn):
    try:
        fn()
        results["passed"] += 1
        print(f"ok {fn.__name__}", flush=True)
    except Exception:
        results["failed"] += 1
        print(f"FAILED {fn.__name__}", flush=True)
        traceback.print_exc()
    return fn


driver = GraphDatabase.driver(f"bolt://{ADDR}", auth=AUTH)


@check
def connectivity_and_version():
    driver.verify_connectivity()
    info = driver.get_server_info()
    assert info.agent.startswith("Neo4j/") and "quiver" in info.agent, info.agent
    version = ".".join(map(str, info.protocol_version))
    assert EXPECT is None or version == EXPECT, (version, EXPECT)


@check
def routing_scheme():
    with GraphDatabase.driver(f"neo4j://{ADDR}", auth=AUTH) as d:
        d.verify_connectivity()
        with d.session() as s:
            assert s.run("RETURN 1 AS one").single()["one"] == 1
        records, _, _ = d.execute_query("RETURN 2 AS two", routing_="r")
        assert records[0]["two"] == 2


@check
def auto_commit():
    with driver.session() as s:
        result = s.run("CREATE (n:Auto {name: $name}) RETURN n.name AS name", name="a")
        assert result.single()["name"] == "a"
        summary = result.consume()
        assert summary.counters.nodes_created == 1, summary.counters
        assert summary.counters.labels_added == 1
        assert summary.counters.properties_set == 1
        assert summary.counters.contains_updates
        assert summary.query_type == "rw", summary.query_type
        assert summary.database == DB, summary.database
        assert s.last_bookmarks(), "auto-commit leaves a bookmark"


@check
def explicit_transactions():
    with driver.session() as s:
        tx = s.begin_transaction()
        tx.run("CREATE (:Explicit {v: 1})").consume()
        r1 = tx.run("UNWIND [1, 2, 3] AS x RETURN x")
        r2 = tx.run("UNWIND ['a', 'b'] AS y RETURN y")
        assert [r["y"] for r in r2] == ["a", "b"]
        assert [r["x"] for r in r1] == [1, 2, 3]
        tx.commit()
        tx = s.begin_transaction()
        tx.run("CREATE (:Explicit {v: 2})").consume()
        tx.rollback()
        n = s.run("MATCH (n:Explicit) RETURN collect(n.v) AS v").single()["v"]
        assert n == [1], n
        tx = s.begin_transaction()
        tx.run("CREATE (:Explicit {v: 3})").consume()
        tx.close()  # closed without commit: rolled back
        n = s.run("MATCH (n:Explicit) RETURN count(n) AS c").single()["c"]
        assert n == 1, n
        with s.begin_transaction() as tx:
            tx.run("CREATE (:Explicit {v: 4})")
            # the block ends without an error: committed
        n = s.run("MATCH (n:Explicit) RETURN count(n) AS c").single()["c"]
        assert n == 2, n


@check
def managed_transactions():
    with driver.session() as s:
        def create(tx, v):
            return tx.run("CREATE (m:Managed {v: $v}) RETURN m.v AS v", v=v).single()["v"]

        assert s.execute_write(create, 7) == 7
        count = s.execute_read(lambda tx: tx.run("MATCH (m:Managed) RETURN count(m) AS c").single()["c"])
        assert count == 1


@check
def retry_after_transient_error():
    # Session A holds the writer; B's managed transaction times out on the
    # lock (a TransientError) and is retried until A commits.
    a = driver.session()
    tx_a = a.begin_transaction()
    tx_a.run("CREATE (:Holder)").consume()
    timer = threading.Timer(1.0, tx_a.commit)
    retries = []

    class Retries(logging.Handler):
        def emit(self, record):
            if "will be retried" in record.getMessage():
                retries.append(record.getMessage())

    handler = Retries(logging.WARNING)
    logging.getLogger("neo4j").addHandler(handler)
    started = time.monotonic()
    timer.start()
    try:
        with driver.session() as b:
            b.execute_write(lambda tx: tx.run("CREATE (:Retried)").consume())
    finally:
        timer.join()
        a.close()
        logging.getLogger("neo4j").removeHandler(handler)
    assert retries and "LockAcquisitionTimeout" in retries[0], retries
    assert time.monotonic() - started >= 0.9
    with driver.session() as s:
        assert s.run("MATCH (n:Retried) RETURN count(n) AS c").single()["c"] == 1
    # The error itself is a TransientError with the lock code.
    a = driver.session()
    tx_a = a.begin_transaction()
    tx_a.run("CREATE (:Holder2)").consume()
    try:
        with driver.session() as b:
            b.run("CREATE (:Blocked)").consume()
        raise AssertionError("expected a transient error")
    except TransientError as e:
        assert e.code == "Neo.TransientError.Transaction.LockAcquisitionTimeout", e.code
        assert e.is_retryable()
    finally:
        tx_a.rollback()
        a.close()


def roundtrip(value):
    with driver.session() as s:
        return s.run("RETURN $v AS v", v=value).single()["v"]


@check
def scalars_lists_and_maps():
    values = [
        None, True, False, 0, -1, 127, -17, 128, 2**31, -(2**63), 2**63 - 1, 1.5, -0.0, float("inf"),
        "", "x", "Größenmaßstäbe", "a" * 70000,
        [1, "a", None, [2.5]], {"k": [1, {"x": 2}], "e": {}},
        list(range(1000)),
    ]
    for v in values:
        got = roundtrip(v)
        assert got == v and type(got) == type(v), (v, got)
    nan = roundtrip(float("nan"))
    assert nan != nan


@check
def temporal_values():
    stockholm = pytz.timezone("Europe/Stockholm")
    plus = pytz.FixedOffset(90)
    values = [
        Date(2024, 2, 29),
        Date(1, 1, 1),
        Time(12, 34, 56, 789000000),
        Time(23, 59, 59, 999999999, tzinfo=plus),
        Time(1, 2, 3, tzinfo=pytz.FixedOffset(-300)),
        DateTime(2024, 1, 2, 3, 4, 5, 123456789),
        DateTime(1969, 12, 31, 23, 59, 59, 500000000, tzinfo=pytz.utc),
        plus.localize(DateTime(2024, 6, 30, 23, 59, 59, 1)),
        stockholm.localize(DateTime(2024, 7, 1, 12, 0, 0, 0)),
        stockholm.localize(DateTime(2024, 1, 1, 12, 0, 0, 0)),
        Duration(years=1, months=2, days=3, hours=4, minutes=5, seconds=6, nanoseconds=7),
        Duration(seconds=-1, nanoseconds=500000000),
        Duration(),
    ]
    for v in values:
        got = roundtrip(v)
        assert got == v, (v, got)
        if getattr(v, "tzinfo", None) is not None and hasattr(v.tzinfo, "zone"):
            assert getattr(got.tzinfo, "zone", None) == v.tzinfo.zone, (v, got)
    # Python's own types.
    assert roundtrip(datetime.date(2020, 5, 17)) == Date(2020, 5, 17)
    assert roundtrip(datetime.timedelta(days=2, seconds=3)) == Duration(days=2, seconds=3)
    dt = datetime.datetime(2021, 3, 4, 5, 6, 7, 890000, tzinfo=datetime.timezone.utc)
    assert roundtrip(dt).to_native() == dt
    # Values made by the engine.
    with driver.session() as s:
        r = s.run(
            "RETURN date('2025-11-04') AS d, time('10:00+02:00') AS t, localtime('10:00:00.5') AS lt, "
            "datetime('2025-11-04T10:00:00[Europe/Paris]') AS dtz, datetime('2025-11-04T10:00:00-03:30') AS dto, "
            "localdatetime('2025-11-04T10:00') AS ldt, duration('P1M2DT3H') AS dur"
        ).single()
        assert r["d"] == Date(2025, 11, 4)
        assert r["t"] == Time(10, 0, 0, tzinfo=pytz.FixedOffset(120))
        assert r["lt"] == Time(10, 0, 0, 500000000)
        assert r["dtz"] == pytz.timezone("Europe/Paris").localize(DateTime(2025, 11, 4, 10, 0, 0))
        assert r["dtz"].tzinfo.zone == "Europe/Paris"
        assert r["dto"] == pytz.FixedOffset(-210).localize(DateTime(2025, 11, 4, 10, 0, 0))
        assert r["ldt"] == DateTime(2025, 11, 4, 10, 0, 0)
        assert r["dur"] == Duration(months=1, days=2, hours=3)


@check
def nodes_relationships_and_paths():
    with driver.session() as s:
        r = s.run(
            "CREATE p = (a:Person:Dev {name: 'Ada'})-[k:KNOWS {since: 2020}]->(b:Person {name: 'Alan'}) "
            "RETURN a, k, b, p"
        ).single()
        a, k, b, p = r["a"], r["k"], r["b"], r["p"]
        assert isinstance(a, Node) and a.labels == {"Person", "Dev"} and a["name"] == "Ada"
        assert isinstance(k, Relationship) and k.type == "KNOWS" and k["since"] == 2020
        if EXPECT is None or not EXPECT.startswith("4."):
            assert a.element_id.startswith("n") and k.element_id.startswith("r"), (a.element_id, k.element_id)
        assert k.start_node.element_id == a.element_id and k.end_node.element_id == b.element_id
        assert isinstance(p, Path) and len(p) == 1
        assert p.start_node == a and p.end_node == b
        # Walked against the relationship's direction.
        r = s.run("MATCH p = (b:Person {name: 'Alan'})<-[:KNOWS]-(a:Person) RETURN p").single()["p"]
        assert [n["name"] for n in r.nodes] == ["Alan", "Ada"]
        rels = r.relationships
        assert len(rels) == 1 and rels[0].start_node["name"] == "Ada" and rels[0].end_node["name"] == "Alan"
        # Longer, with a node visited twice.
        s.run("MATCH (a:Person {name: 'Ada'}), (b:Person {name: 'Alan'}) CREATE (b)-[:KNOWS {since: 2021}]->(a)")
        r = s.run(
            "MATCH p = (a:Person {name: 'Ada'})-[:KNOWS]->(b)-[:KNOWS]->(a2) RETURN p"
        ).single()["p"]
        assert [n["name"] for n in r.nodes] == ["Ada", "Alan", "Ada"]
        assert [x["since"] for x in r.relationships] == [2020, 2021]
        ids = s.run("MATCH (n:Person {name: 'Ada'}) RETURN elementId(n) AS e, id(n) AS i").single()
        assert ids["i"] == a.id
        if EXPECT is None or not EXPECT.startswith("4."):
            assert ids["e"] == a.element_id
        # Lists and maps of entities.
        r = s.run("MATCH (n:Person) RETURN collect(n) AS ns, {first: head(collect(n))} AS m").single()
        assert all(isinstance(n, Node) for n in r["ns"]) and isinstance(r["m"]["first"], Node)


@check
def errors_and_codes():
    with driver.session() as s:
        cases = [
            ("RETURN 1 +", "Neo.ClientError.Statement.SyntaxError"),
            ("RETURN $missing", "Neo.ClientError.Statement.ParameterMissing"),
            ("CREATE (a)-[:R]->(b) WITH a DELETE a", "Neo.ClientError.Schema.ConstraintValidationFailed"),
            ("CALL no.such.procedure()", "Neo.ClientError.Procedure.ProcedureNotFound"),
        ]
        for query, code in cases:
            try:
                s.run(query).consume()
                raise AssertionError(f"{query} succeeded")
            except ClientError as e:
                assert e.code == code, (query, e.code, e.message)
                assert e.message
        try:
            s.run("RETURN 1 +").consume()
        except CypherSyntaxError:
            pass
        # The session is usable after a failure.
        assert s.run("RETURN 1 AS x").single()["x"] == 1
    with driver.session(database="nope") as s:
        try:
            s.run("RETURN 1").consume()
            raise AssertionError("unknown database accepted")
        except ClientError as e:
            assert e.code == "Neo.ClientError.Database.DatabaseNotFound", e.code
    # A failure inside an explicit transaction rolls it back.
    with driver.session() as s:
        tx = s.begin_transaction()
        tx.run("CREATE (:Doomed)").consume()
        try:
            tx.run("RETURN 1 +").consume()
        except ClientError:
            pass
        tx.close()
        assert s.run("MATCH (n:Doomed) RETURN count(n) AS c").single()["c"] == 0


@check
def explain_and_profile():
    with driver.session() as s:
        summary = s.run("EXPLAIN MATCH (n) RETURN n").consume()
        assert summary.plan is not None
        summary = s.run("PROFILE MATCH (n) RETURN n").consume()
        assert summary.profile is not None


@check
def bad_credentials():
    with GraphDatabase.driver(f"bolt://{ADDR}", auth=("neo4j", "wrong")) as d:
        try:
            d.verify_connectivity()
            raise AssertionError("wrong password accepted")
        except AuthError as e:
            assert e.code == "Neo.ClientError.Security.Unauthorized", e.code


def version_at_least(major, minor):
    if EXPECT is None:
        return True
    got = tuple(int(x) for x in EXPECT.split("."))
    return got >= (major, minor)


@check
def notification_filters_and_user_agent():
    # Sent in HELLO and BEGIN/RUN from 5.2 on: accepted and ignored.
    if not version_at_least(5, 2):
        return
    with GraphDatabase.driver(
        f"bolt://{ADDR}",
        auth=AUTH,
        user_agent="quiver-tests/1.0",
        notifications_min_severity="WARNING",
        notifications_disabled_classifications=["HINT", "GENERIC"],
    ) as d:
        with d.session(notifications_min_severity="OFF") as s:
            assert s.run("RETURN 1 AS x").single()["x"] == 1


@check
def session_auth_and_reauthentication():
    # 5.1+: a session with its own credentials re-authenticates a pooled
    # connection with LOGOFF and LOGON.
    if not version_at_least(5, 1):
        return
    with driver.session() as s:
        assert s.run("RETURN 0 AS x").single()["x"] == 0
    with driver.session(auth=("reader", "reader-test")) as s:
        assert s.run("RETURN 1 AS x").single()["x"] == 1
    with driver.session() as s:
        assert s.run("RETURN 2 AS x").single()["x"] == 2
    try:
        with driver.session(auth=("neo4j", "wrong")) as s:
            s.run("RETURN 1").consume()
        raise AssertionError("wrong session credentials accepted")
    except AuthError as e:
        assert e.code == "Neo.ClientError.Security.Unauthorized", e.code
    assert driver.verify_authentication(auth=AUTH)
    assert driver.verify_authentication(auth=("reader", "reader-test"))
    assert not driver.verify_authentication(auth=("neo4j", "wrong"))


if LARGE:

    @check
    def large_streamed_result():
        with driver.session(fetch_size=1000) as s:
            n = 0
            total = 0
            for record in s.run("UNWIND range(1, 100000) AS i RETURN i, 'row ' + toString(i) AS s"):
                n += 1
                total += record["i"]
            assert n == 100000 and total == 100000 * 100001 // 2, (n, total)
        records, summary, _ = driver.execute_query("UNWIND range(1, 100000) AS i RETURN i")
        assert len(records) == 100000


driver.close()
print(f"python driver {neo4j.__version__}: {results['passed']} passed, {results['failed']} failed", flush=True)
sys.exit(1 if results["failed"] else 0)
