"""User-facing errors. The CLI prints them without a traceback and exits 2."""
from __future__ import annotations

import re

# C0/C1 control characters other than tab and newline (ESC starts terminal escape sequences, BEL rings).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text) -> str:
    """``text`` safe for a terminal: control characters shown as ``\\xNN``, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))


def strip_control(text: str) -> str:
    """``text`` without control characters (tab and newline kept): what a document or an export may hold."""
    return _CONTROL.sub("", text)


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


class BadFilesError(InputFileError):
    """Several files could not be used; the message names every one (``errors`` holds each error)."""

    def __init__(self, errors):
        self.errors = list(errors)
        first = self.errors[0]
        ReinstateError.__init__(self, f"{len(self.errors)} files cannot be used: "
                                      + " | ".join(str(e) for e in self.errors)
                                      + " (fix or remove them, or give --skip-bad-files)")
        self.path, self.problem, self.line, self.column, self.expected = (
            getattr(first, "path", None), "several files cannot be used", None, None, None)


class StrictModeError(ReinstateError):
    """--strict was given and at least one row was rejected."""


class TemplateError(ReinstateError):
    """A template is missing, or a required field was not supplied."""


class ConfigError(ReinstateError):
    """A policy/reference file or an option value is invalid."""
