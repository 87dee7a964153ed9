"""quiver's exceptions: one class per kind of error, all under ``quiver.Error``.

Every error carries what went wrong and where: ``kind`` (the openCypher TCK's
error class, e.g. ``"SyntaxError"``), ``code`` (e.g. ``"UndefinedVariable"``),
``phase`` (``"compile"`` or ``"runtime"``), ``message``, and for errors in the
query text ``line`` and ``column`` (1-based), ``source_line`` and ``hint``.
``str(error)`` shows it all, with a caret under the spot.
"""

from __future__ import annotations

from typing import Optional


class Error(Exception):
    """Base class of every error quiver raises."""

    kind: str
    code: str
    phase: str
    message: str
    line: Optional[int]
    column: Optional[int]
    offset: Optional[int]
    hint: Optional[str]
    source_line: Optional[str]

    def __init__(
        self,
        text: str = "",
        *,
        kind: str = "",
        code: str = "",
        phase: str = "runtime",
        message: Optional[str] = None,
        line: Optional[int] = None,
        column: Optional[int] = None,
        offset: Optional[int] = None,
        hint: Optional[str] = None,
        source_line: Optional[str] = None,
    ) -> None:
        super().__init__(text)
        self.kind = kind
        self.code = code
        self.phase = phase
        self.message = text if message is None else message
        self.line = line
        self.column = column
        self.offset = offset
        self.hint = hint
        self.source_line = source_line

    def __reduce__(self):
        return (
            _rebuild,
            (
                type(self),
                str(self),
                dict(
                    kind=self.kind,
                    code=self.code,
                    phase=self.phase,
                    message=self.message,
                    line=self.line,
                    column=self.column,
                    offset=self.offset,
                    hint=self.hint,
                    source_line=self.source_line,
                ),
            ),
        )


def _rebuild(cls, text, fields):
    return cls(text, **fields)


class CypherSyntaxError(Error):
    """The query text does not parse, or names something it does not define
    (the TCK's SyntaxError: ``UndefinedVariable``, ``UnexpectedSyntax``, ...)."""


class CypherSemanticError(Error):
    """The query parses but means nothing quiver can run."""


class CypherTypeError(Error, TypeError):
    """A value of the wrong type: in the query, or a parameter Python gave
    that has no quiver value (``code == "InvalidParameterType"``)."""


class ArgumentError(Error, ValueError):
    """A value out of range or otherwise wrong for where it is used (also a
    Python int beyond 64 bits, ``code == "InvalidParameterValue"``)."""


class ParameterMissing(Error):
    """The query uses ``$name`` and no such parameter was given."""


class EntityNotFound(Error):
    """The statement needs a node or relationship that is gone."""


class ConstraintError(Error):
    """The change would break a constraint (e.g. deleting a node that still
    has relationships without ``DETACH``)."""


class ProcedureError(Error):
    """A procedure called with ``CALL`` failed."""


class Interrupted(Error):
    """The statement was cancelled (``Connection.interrupt()``); the graph is
    as it was. Ctrl-C raises KeyboardInterrupt instead."""


class StorageError(Error):
    """The database file cannot be read or written, or is open read-only."""


class DatabaseLocked(StorageError):
    """Another process has the database file open for writing."""


class DataError(Error):
    """A file or frame being imported holds a bad row (the error names it)."""


class TransientError(Error):
    """Another connection's write transaction held the write lock too long:
    nothing was done, and the statement can be tried again."""


__all__ = [
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
]
