import datetime as dt
import math

import pytest

import quiver

try:
    from zoneinfo import ZoneInfo
except ImportError:  # pragma: no cover
    ZoneInfo = None


def roundtrip(conn, value):
    return conn.execute("RETURN $v AS v", {"v": value}).fetchone()[0]


@pytest.mark.parametrize(
    "value",
    [None, True, False, 0, -1, 2**63 - 1, -(2**63), 1.5, -0.0, "", "héllo ✓", [1, 2, 3], [1, "a", None],
     {"a": 1, "b": [True, {"c": "d"}]}, [], {}],
)
def test_scalars_and_collections_round_trip(conn, value):
    got = roundtrip(conn, value)
    assert got == value and type(got) is type(value)


def test_tuples_become_lists_and_nan_survives(conn):
    assert roundtrip(conn, (1, 2)) == [1, 2]
    assert math.isnan(roundtrip(conn, float("nan")))
    assert roundtrip(conn, float("inf")) == float("inf")


def test_types_keep_their_cypher_type(conn):
    r = conn.execute(
        "RETURN $i + 1 AS i, $f * 2 AS f, $s + '!' AS s, size($l) AS n, $m.k AS k, $b AND true AS b",
        {"i": 41, "f": 1.25, "s": "hi", "l": [1, 2], "m": {"k": "v"}, "b": True},
    )
    assert r.fetchone() == (42, 2.5, "hi!", 2, "v", True)


def test_int_beyond_64_bits_is_an_error_naming_the_parameter(conn):
    with pytest.raises(quiver.ArgumentError) as e:
        conn.execute("RETURN $big", {"big": 2**63})
    assert "$big" in str(e.value) and e.value.code == "InvalidParameterValue"
    assert isinstance(e.value, ValueError)
    with pytest.raises(quiver.ArgumentError, match=r"\$deep\.k\[1\]"):
        conn.execute("RETURN $deep", {"deep": {"k": [1, -(2**64)]}})


def test_unsupported_types_are_type_errors_naming_the_parameter(conn):
    with pytest.raises(quiver.CypherTypeError) as e:
        conn.execute("RETURN $blob", {"blob": b"bytes"})
    assert isinstance(e.value, TypeError)
    assert "$blob" in str(e.value) and "bytes" in str(e.value)
    assert e.value.code == "InvalidParameterType"
    with pytest.raises(quiver.CypherTypeError, match=r"\$m"):
        conn.execute("RETURN $m", {"m": {1: "int key"}})
    with pytest.raises(quiver.CypherTypeError, match="object"):
        conn.execute("RETURN $o", {"o": object()})
    with pytest.raises(quiver.CypherTypeError):
        conn.execute("RETURN 1", ["not", "a", "dict"])
    with pytest.raises(quiver.CypherTypeError):
        conn.execute("RETURN 1", {1: "name not a str"})


def test_entities_cannot_be_parameters(people):
    (a,) = people.execute("MATCH (a:Person {name: 'Ada'}) RETURN a").fetchone()
    with pytest.raises(quiver.CypherTypeError, match="id"):
        people.execute("RETURN $n", {"n": a})


def test_missing_parameter(conn):
    with pytest.raises(quiver.ParameterMissing) as e:
        conn.execute("RETURN $nope")
    assert e.value.kind == "ParameterMissing"


def test_date(conn):
    d = dt.date(2025, 11, 4)
    assert roundtrip(conn, d) == d
    assert conn.execute("RETURN date('2025-11-04') AS d").fetchone()[0] == d
    assert conn.execute("RETURN $d.year AS y, $d + duration('P1D') AS next", {"d": d}).fetchone() == (
        2025,
        dt.date(2025, 11, 5),
    )


def test_dates_python_cannot_hold_are_clear_errors(conn):
    with pytest.raises(quiver.Error, match="toString"):
        conn.execute("RETURN date('+10000-01-01')").fetchall()
    assert conn.execute("RETURN toString(date('+10000-01-01'))").fetchone() == ("+10000-01-01",)


def test_local_time_and_time(conn):
    t = dt.time(10, 11, 12, 345678)
    got = roundtrip(conn, t)
    assert got == t and got.tzinfo is None
    assert conn.execute("RETURN $t = localtime('10:11:12.345678') AS same", {"t": t}).fetchone() == (True,)
    tz = dt.timezone(dt.timedelta(hours=2))
    aware = dt.time(10, 0, tzinfo=tz)
    got = roundtrip(conn, aware)
    assert got == aware and got.utcoffset() == dt.timedelta(hours=2)
    assert conn.execute("RETURN $t.offset AS o", {"t": aware}).fetchone() == ("+02:00",)
    # Nanoseconds beyond microseconds are dropped (Python holds microseconds).
    assert conn.execute("RETURN localtime('10:00:00.123456789')").fetchone()[0] == dt.time(10, 0, 0, 123456)


def test_local_datetime_and_datetime(conn):
    naive = dt.datetime(2025, 11, 4, 9, 30, 15, 500)
    got = roundtrip(conn, naive)
    assert got == naive and got.tzinfo is None
    assert conn.execute("RETURN $d = localdatetime('2025-11-04T09:30:15.0005') AS same", {"d": naive}).fetchone() == (True,)
    fixed = dt.datetime(2025, 11, 4, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    got = roundtrip(conn, fixed)
    assert got == fixed and got.utcoffset() == dt.timedelta(hours=-5)
    utc = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    assert conn.execute("RETURN $d.epochSeconds AS s", {"d": utc}).fetchone() == (1735689600,)


@pytest.mark.skipif(ZoneInfo is None, reason="no zoneinfo")
def test_named_zones_through_zoneinfo(conn):
    try:
        zone = ZoneInfo("Europe/Stockholm")
    except Exception:  # pragma: no cover - no tz database on this machine
        pytest.skip("no time zone database")
    d = dt.datetime(2025, 7, 1, 12, 0, tzinfo=zone)
    r = conn.execute("RETURN $d.timezone AS tz, $d.offset AS off, $d AS d", {"d": d}).fetchone()
    assert r[0] == "Europe/Stockholm" and r[1] == "+02:00"
    assert r[2] == d and r[2].tzinfo.key == "Europe/Stockholm"
    got = conn.execute("RETURN datetime('2025-11-04T10:00[Europe/Stockholm]') AS d").fetchone()[0]
    assert got == dt.datetime(2025, 11, 4, 10, 0, tzinfo=zone)
    assert got.utcoffset() == dt.timedelta(hours=1)
    # The repeated hour when clocks go back: fold picks the later offset.
    first = conn.execute("RETURN datetime('2025-10-26T02:30+02:00[Europe/Stockholm]') AS d").fetchone()[0]
    second = conn.execute("RETURN datetime('2025-10-26T02:30+01:00[Europe/Stockholm]') AS d").fetchone()[0]
    assert first.utcoffset() == dt.timedelta(hours=2) and second.utcoffset() == dt.timedelta(hours=1)
    assert second.timestamp() - first.timestamp() == 3600
    assert conn.execute("RETURN $d.offset", {"d": second}).fetchone() == ("+01:00",)


def test_duration(conn):
    d = quiver.Duration(months=14, days=3, seconds=3661, nanoseconds=5)
    assert (d.months, d.days, d.seconds, d.nanoseconds) == (14, 3, 3661, 5)
    assert roundtrip(conn, d) == d
    assert str(d) == conn.execute("RETURN toString($d)", {"d": d}).fetchone()[0]
    got = conn.execute("RETURN duration({years: 1, months: 2, days: 3, hours: 4, seconds: 1.5}) AS d").fetchone()[0]
    assert got == quiver.Duration(months=14, days=3, seconds=4 * 3600 + 1, nanoseconds=500_000_000)
    assert repr(got) == "Duration(months=14, days=3, seconds=14401, nanoseconds=500000000)"
    assert quiver.Duration(seconds=-1, nanoseconds=500_000_000) == quiver.Duration(nanoseconds=-500_000_000)
    assert -quiver.Duration(days=1) == quiver.Duration(days=-1)
    assert hash(quiver.Duration(days=1)) == hash(quiver.Duration(days=1))
    assert not quiver.Duration() and quiver.Duration(days=1)


def test_duration_and_timedelta(conn):
    td = dt.timedelta(days=2, hours=3, microseconds=7)
    d = quiver.Duration.from_timedelta(td)
    assert (d.months, d.days, d.seconds, d.nanoseconds) == (0, 2, 3 * 3600, 7000)
    assert d.to_timedelta() == td
    # A timedelta parameter is a duration.
    assert roundtrip(conn, td) == d
    assert conn.execute("RETURN date('2025-01-01') + $td AS d", {"td": dt.timedelta(days=31)}).fetchone() == (
        dt.date(2025, 2, 1),
    )
    with pytest.raises(ValueError, match="months"):
        quiver.Duration(months=1).to_timedelta()
    with pytest.raises(ValueError, match="microsecond"):
        quiver.Duration(nanoseconds=1).to_timedelta()
    with pytest.raises(TypeError):
        quiver.Duration.from_timedelta(5)


def test_properties_store_temporal_values(conn):
    when = dt.datetime(2025, 11, 4, 15, 0, tzinfo=dt.timezone.utc)
    conn.execute("CREATE (:Event {when: $w, on: $d, lasts: $l})", {"w": when, "d": when.date(), "l": quiver.Duration(seconds=90)})
    (e,) = conn.execute("MATCH (e:Event) RETURN e").fetchone()
    assert e["when"] == when and e["on"] == dt.date(2025, 11, 4) and e["lasts"] == quiver.Duration(seconds=90)


def test_numpy_scalars_when_numpy_is_there(conn):
    np = pytest.importorskip("numpy")
    assert roundtrip(conn, np.int64(5)) == 5
    assert roundtrip(conn, np.float64(2.5)) == 2.5
    assert roundtrip(conn, np.bool_(True)) is True
