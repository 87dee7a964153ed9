import pytest

import quiver


def test_syntax_error_has_position_hint_and_caret(conn):
    with pytest.raises(quiver.CypherSyntaxError) as e:
        conn.execute("MATCH (n)\nRETURN m")
    err = e.value
    assert isinstance(err, quiver.Error)
    assert (err.kind, err.code, err.phase) == ("SyntaxError", "UndefinedVariable", "compile")
    assert (err.line, err.column) == (2, 8)
    assert err.source_line == "RETURN m"
    assert err.hint and "`n`" in err.hint
    assert "m" in err.message and "line" not in err.message
    text = str(err)
    assert "line 2, column 8" in text and text.splitlines()[-2].strip() == "^"


def test_unparsable_text(conn):
    with pytest.raises(quiver.CypherSyntaxError) as e:
        conn.execute("MATCH (n RETURN n")
    assert e.value.line == 1 and e.value.column is not None


def test_type_error_at_runtime(conn):
    with pytest.raises(quiver.CypherTypeError) as e:
        conn.execute("RETURN 1 + true")
    assert e.value.kind == "TypeError" and isinstance(e.value, TypeError)


def test_argument_error(conn):
    with pytest.raises(quiver.ArgumentError) as e:
        conn.execute("RETURN range(1, 10, 0)")
    assert e.value.kind == "ArgumentError"


def test_constraint_error_and_nothing_changes(conn):
    conn.execute("CREATE (:A)-[:R]->(:B)")
    with pytest.raises(quiver.ConstraintError) as e:
        conn.execute("MATCH (a:A) DELETE a")
    assert e.value.kind == "ConstraintVerificationFailed"
    assert conn.execute("MATCH (n) RETURN count(n)").fetchone() == (2,)


def test_a_failing_statement_changes_nothing(conn):
    with pytest.raises(quiver.Error):
        conn.execute("UNWIND [1, 2, 0] AS x CREATE (:N {v: 10 / x})")
    assert conn.execute("MATCH (n:N) RETURN count(n)").fetchone() == (0,)


def test_semantic_error_class_exists_and_every_class_is_an_error():
    for name in [
        "CypherSyntaxError", "CypherSemanticError", "CypherTypeError", "ArgumentError", "EntityNotFound",
        "ConstraintError", "DatabaseLocked", "StorageError", "ParameterMissing", "ProcedureError",
        "Interrupted", "DataError", "TransientError",
    ]:
        assert issubclass(getattr(quiver, name), quiver.Error)
    assert issubclass(quiver.DatabaseLocked, quiver.StorageError)


def test_storage_error_for_a_bad_file(tmp_path):
    p = tmp_path / "not-a-db.qv"
    p.write_bytes(b"this is not a quiver database file at all" * 10)
    with pytest.raises(quiver.StorageError) as e:
        quiver.Database(p)
    assert e.value.kind == "IoError"


def test_procedure_error(conn):
    with pytest.raises(quiver.Error) as e:
        conn.execute("CALL no.such.procedure()")
    assert e.value.kind in ("ProcedureError", "SyntaxError")
