import pytest

import quiver


@pytest.fixture
def db():
    d = quiver.Database()
    yield d
    d.close()


@pytest.fixture
def conn(db):
    c = db.connect()
    yield c
    c.close()


@pytest.fixture
def people(conn):
    conn.execute(
        "CREATE (ada:Person {name: 'Ada', born: 1815}), (alan:Person {name: 'Alan', born: 1912}), "
        "(grace:Person:Admiral {name: 'Grace', born: 1906}), "
        "(ada)-[:KNOWS {since: 1833}]->(alan), (alan)-[:KNOWS {since: 1940}]->(grace)"
    )
    return conn
