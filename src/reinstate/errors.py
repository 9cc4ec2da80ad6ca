"""User-facing errors. The CLI prints them without a traceback and exits 2."""
from __future__ import annotations


class ReinstateError(Exception):
    """Base class for every error a user can fix (bad file, bad option, missing field)."""


class InputFileError(ReinstateError):
    """A file could not be read at all: empty, unknown format, wrong delimiter, missing column.

    The message names the file, and where known the line and the column, and says what was expected.
    """

    def __init__(self, path, problem: str, *, line: int | None = None, column: str | None = None,
                 expected: str | None = None):
        self.path, self.problem, self.line, self.column, self.expected = path, problem, line, column, expected
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        msg = f"{where}: {problem}"
        if expected:
            msg += f" (expected {expected})"
        super().__init__(msg)


class StrictModeError(ReinstateError):
    """--strict was given and at least one row was rejected."""


class TemplateError(ReinstateError):
    """A template is missing, or a required field was not supplied."""


class ConfigError(ReinstateError):
    """A policy/reference file or an option value is invalid."""
