"""The `reinstate` command line: a thin front door over the package.

Each subcommand lives in its own module here with two functions:
``add_parser(subparsers)`` registers its arguments and ``run(args) -> int`` does the work.
User errors (``ReinstateError``) and operating-system errors (a folder that cannot be read or written, a
parent that is a file, a name too long) are printed as one clear line on stderr with exit code 2, no
traceback; control characters in them are shown escaped, never sent to the terminal.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from ..errors import ReinstateError, printable

# Subcommand modules, in the order `reinstate --help` lists them.
COMMANDS = ("validate", "sample", "metrics", "history", "diagnose", "templates", "lint", "letter", "batch")
# Subcommands that read appeal templates (and so take --templates DIR).
TEMPLATE_COMMANDS = ("templates", "letter", "batch")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reinstate",
        description="Amazon account-health analysis and Plan of Action toolkit.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"{__name__}.{name}")
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run)
        if name in TEMPLATE_COMMANDS:
            p.add_argument("--templates", dest="templates_dir", metavar="DIR",
                           help="a folder of your own templates (adds to and overrides the package's; "
                                "./templates is read too when it exists)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "templates_dir", None):
        # One place decides where templates come from (paths.template_dirs); batch's notebooks inherit it.
        os.environ["REINSTATE_TEMPLATES"] = str(os.path.abspath(args.templates_dir))
    try:
        return int(args._run(args) or 0)
    except ReinstateError as exc:
        print(printable(f"reinstate {args.command}: error: {' '.join(str(exc).splitlines())}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `reinstate metrics … --json | head`: the reader left; say nothing more (and nothing at exit)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        print(printable(f"reinstate {args.command}: error: {os_error_text(exc)}"), file=sys.stderr)
        return 2


def day_option(value, flag: str):
    """A date option (``--as-of``, ``--start``, ``--end``): ISO ``YYYY-MM-DD`` only (``01/11/2026`` is refused with
    both readings shown, never guessed), as the metrics' day type; None stays None."""
    from ..metrics.windows import to_day
    from ..session import iso_day

    return None if value in (None, "") else to_day(iso_day(value, flag), flag)


def add_skip_bad_files(parser) -> None:
    """The --skip-bad-files option of the commands that analyse (metrics, diagnose)."""
    parser.add_argument("--skip-bad-files", action="store_true",
                        help="leave out files that cannot be used (named on stderr) instead of stopping")


def load_for(args, **options):
    """``reinstate.load`` for a command: stops naming every bad file unless --skip-bad-files, then names
    each file left out on stderr."""
    import warnings

    from ..io.encoding import LoadWarning
    from ..io.load import load

    skip = bool(getattr(args, "skip_bad_files", False))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LoadWarning)
        data = load(args.paths, skip_bad_files=skip, **options)
    for w in caught:  # what the loader repaired or left out, one line each (not Python's warning format)
        if issubclass(w.category, LoadWarning):
            print(printable(f"reinstate {args.command}: warning: {w.message}"), file=sys.stderr)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for f in data.files:
        if f.status == "error":
            print(printable(f"reinstate {args.command}: warning: left out {f.reason}"), file=sys.stderr)
    note = rejects_note(data.rejects)
    if note:
        print(printable(f"reinstate {args.command}: warning: {note}"), file=sys.stderr)
    return data


def rejects_note(rejects, *, examples: int = 3) -> str:
    """One line saying how many rows were rejected (so they are not counted), with the first few places and
    reasons, and where to get them all; '' when none was."""
    if rejects is None or rejects.empty:
        return ""
    rows = rejects.drop_duplicates(["file", "line"])
    shown = "; ".join(f"{r.file} line {r.line}, {r.column}: {r.reason}" for r in rows.head(examples).itertuples())
    more = f"; and {len(rows) - examples} more" if len(rows) > examples else ""
    n = len(rows)
    return (f"{n} row{'s' if n != 1 else ''} rejected and not counted ({shown}{more}); "
            f"`reinstate validate` writes them all to a rejects file")


def add_source_arguments(parser) -> None:
    """--engine/--spark-master (where the metric rules run) and --table (a Spark table instead of files)."""
    parser.add_argument("--engine", choices=("duckdb", "spark"), default=None,
                        help="where the metric rules run (default duckdb, in-process; spark needs .[spark])")
    parser.add_argument("--spark-master", metavar="URL", help="Spark master for --engine spark (default local[*] "
                                                              "or REINSTATE_SPARK_MASTER)")
    parser.add_argument("--table", metavar="NAME", help="read the canonical order table from this Spark table "
                                                        "or view instead of files (implies --engine spark)")


def analysis_for(args, *, as_of, fast: bool = False, **options):
    """The ``reinstate.Analysis`` a command works on: the files loaded by `load_for`, or the Spark table of
    --table; --engine/--spark-master say where the metric rules run; --account/--marketplace select.
    ``fast``: let a canonical orders CSV in normal form take the fast path (``io.fast``; the rows are loaded
    only if a step needs them)."""
    from ..analysis import Analysis, _Source, read_table, source_for
    from ..errors import ConfigError

    engine = getattr(args, "engine", None)
    master = getattr(args, "spark_master", None)
    table = getattr(args, "table", None)
    if table and args.paths:
        raise ConfigError("give export files or --table, not both")
    if table:
        engine = engine or "spark"
        data = read_table(table, engine=engine, spark_master=master, marketplace=args.marketplace,
                          account=options.get("account"))
    elif not args.paths:
        raise ConfigError("give export files or folders (or --table NAME with --engine spark)")
    elif fast:
        # A canonical orders CSV in normal form takes the fast path (io.fast); load_for reads it, with its
        # warnings, only if a step needs the rows.
        src = source_for(args.paths, loader=lambda: load_for(args, **options), as_of=as_of, engine=engine,
                         skip_bad_files=bool(getattr(args, "skip_bad_files", False)), **options)
        return Analysis(None, as_of=as_of, account=args.account, marketplace=args.marketplace, engine=engine,
                        spark_master=master, _source=src)
    else:
        data = load_for(args, **options)
    return Analysis(data, as_of=as_of, account=args.account, marketplace=args.marketplace, engine=engine,
                    spark_master=master, _source=_Source(data=data))


def os_error_text(exc: OSError) -> str:
    """'/out/x.csv: permission denied' from an OSError (the path(s) first, then what the system said)."""
    where = " -> ".join(str(p) for p in (exc.filename, exc.filename2) if p is not None)
    what = (exc.strerror or str(exc) or type(exc).__name__).lower()
    return f"{where}: {what}" if where else what


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
