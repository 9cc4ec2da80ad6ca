"""Run the notebooks once per account and summarise every account on one page.

    run_batch("accounts/", out="out/batch")          # a folder with one sub-folder of exports per account
    run_batch("accounts.csv", out="out/batch")       # or a CSV: account,data_path[,as_of,marketplace,template]

Per account the data is loaded once into a ``reinstate.Analysis`` (metrics, diagnosis and letter computed once
from it), that day's Account Health rows are saved in the history store (``store``: default ``REINSTATE_STORE``,
else ``out/reinstate-history.duckdb``, so a batch folder keeps its own history across reruns and notebook 02 of
each account shows it), and the executed notebooks (papermill), metrics.json, diagnosis.json and the exported
letter are written under ``out/<account>/``, a folder of its own: accounts whose names sanitise alike, and reruns into the same
``out``, get numbered folders (and summary-2.csv ...); nothing is overwritten. One failing account does not stop
the others, whatever the cause (a bad row in the accounts CSV, a missing folder, a malformed truth.json, a
broken export): the summary says which failed and why.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
import sys
import traceback
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import session
from .errors import ConfigError, printable
from .files import claim_dir, safe_name, write_new_csv, write_new_text

NOTEBOOKS = ("01-load-and-validate.ipynb", "02-account-health.ipynb", "03-root-causes.ipynb",
             "04-appeal-builder.ipynb")
STATUS_ORDER = {"breached": 0, "at_risk": 1, "no_data": 2, "good": 3}


@dataclass
class AccountJob:
    account: str
    data_path: Path
    as_of: dt.date | None = None
    marketplace: str = "US"
    template: str = "odr"
    error: str | None = None      # why this account cannot run (a bad row in the accounts CSV, a bad truth.json)


@dataclass
class AccountResult:
    job: AccountJob
    ok: bool
    error: str | None = None
    folder: Path | None = None
    outputs: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)   # metric -> worst status over channels/windows
    figures: dict = field(default_factory=dict)    # metric -> {"rate", "target", "condition"} of that worst row
    days_to_recovery: float | None = None          # ODR (MFN) back under target in this many days (0 = already)


def _job(account, path: Path, as_of, marketplace, template, *, where: str) -> AccountJob:
    """One job; a problem with this account alone (missing folder, bad date, bad truth.json) is recorded on the
    job, so only this account fails."""
    job = AccountJob(str(account), path, None, marketplace or "US", template or "odr")
    try:
        if not str(account).strip():
            raise ConfigError("the account name is empty")
        if not path.exists():
            raise ConfigError(f"data path {path} does not exist")
        job.as_of = session.default_as_of(path, as_of)
    except ConfigError as exc:
        job.error = f"{where}: {exc}"
    except (ValueError, TypeError, KeyError, OSError) as exc:  # a bad as_of or truth.json
        job.error = f"{where}: {_as_of_problem(path, as_of, exc)}"
    return job


def _as_of_problem(path: Path, as_of, exc: Exception) -> str:
    if as_of not in (None, ""):
        return f"as_of {str(as_of)!r} is not a date (expected YYYY-MM-DD)"
    return f"{path / 'truth.json'} cannot be used ({type(exc).__name__}: {' '.join(str(exc).split())[:120]}); " \
           "give as_of in the accounts CSV or --as-of"


def discover(spec, *, as_of=None, marketplace="US", template="odr") -> list[AccountJob]:
    """Account jobs from a folder of per-account sub-folders or from a CSV (account,data_path[,as_of,...]).

    The whole batch is refused only when the spec itself is unusable (missing, no accounts, no header); a bad
    row or folder makes a job that fails alone.
    """
    spec = Path(spec)
    if as_of not in (None, ""):
        # The batch-wide default is checked once: a bad --as-of is the caller's error, not every account's.
        session.iso_day(as_of, "--as-of")
    if spec.is_dir():
        folders = sorted(p for p in spec.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not folders:
            raise ConfigError(f"{spec}: no account sub-folders found (expected one folder of exports per account)")
        return [_job(p.name, p, as_of, marketplace, template, where=str(p)) for p in folders]
    if spec.suffix.lower() == ".csv" and spec.is_file():
        rows = _accounts_csv(spec)
        jobs = []
        for line, row in rows:
            path = Path(row.get("data_path") or "")
            path = path if path.is_absolute() else (spec.parent / path)
            if not (row.get("data_path") or "").strip():
                job = AccountJob(row.get("account") or f"line {line}", path, error=f"{spec}, line {line}: "
                                 "data_path is empty")
            else:
                job = _job(row.get("account") or "", path, row.get("as_of") or as_of,
                           row.get("marketplace") or marketplace, row.get("template") or template,
                           where=f"{spec}, line {line}")
            jobs.append(job)
        return jobs
    raise ConfigError(f"{spec}: expected a folder of account folders or a .csv file")


def _accounts_csv(spec: Path) -> list[tuple[int, dict]]:
    """(line, row) of an accounts CSV; a header without rows, or without account/data_path, is refused."""
    try:
        text = spec.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{spec}: cannot be read ({exc})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
        records = []
        before = reader.line_num
        for record in reader:
            line = before + 1
            before = reader.line_num
            if not any(v.strip() for v in record):
                continue
            records.append((line, {h: (record[i].strip() if i < len(record) else "") for i, h in enumerate(header)}))
    except csv.Error as exc:
        raise ConfigError(f"{spec}, line {reader.line_num}: not a readable CSV ({exc})") from None
    for column in ("account", "data_path"):
        if column not in header:
            raise ConfigError(f"{spec}: missing column '{column}' (expected account,data_path"
                              "[,as_of,marketplace,template])")
    if not records:
        raise ConfigError(f"{spec}: the accounts CSV lists no accounts (expected one row per account under the "
                          "header account,data_path[,as_of,marketplace,template])")
    return records


def batch_store(out: Path, store=None) -> Path:
    """The history file a batch saves into: ``store``, else ``REINSTATE_STORE``, else ``out``/reinstate-history.duckdb."""
    import os

    from .history.store import STORE_NAME
    return Path(store or os.environ.get("REINSTATE_STORE") or Path(out) / STORE_NAME).expanduser()


def run_account(job: AccountJob, out: Path, *, notebooks=NOTEBOOKS, store=None) -> AccountResult:
    """Everything for one account, in a folder of its own (never shared, never reused); exceptions are caught
    and reported, never raised. ``store``: the history file its health rows are saved into (None: not saved)."""
    from .analysis import analyze
    from .appeal.pipeline import write_appeal
    from .history.store import save_snapshot

    result = AccountResult(job, ok=False)
    try:
        # Two accounts whose names sanitise alike ("../../evil", "evil"), or a rerun into the same --out,
        # get numbered folders (evil, evil-2): nothing is overwritten.
        target = result.folder = claim_dir(out / safe_name(job.account))
        if job.error:
            raise ConfigError(job.error)
        # a broken export fails here, clearly
        analysis = analyze(job.data_path, as_of=job.as_of, marketplace=job.marketplace)
        health = analysis.health()
        if store is not None:  # saved before the notebooks run, so notebook 02 shows this day too
            save_snapshot(health, job.as_of, store=store)
            result.outputs["history"] = Path(store)
        params = {"data_path": str(job.data_path.resolve()), "as_of": job.as_of.isoformat(),
                  "marketplace": job.marketplace, "account": None, "out_dir": str(target.resolve())}
        result.outputs.update(execute_notebooks(target / "notebooks", params, notebooks=notebooks, store=store))
        appeal = analysis.appeal(job.template, marketplace=job.marketplace)
        result.outputs.update(write_appeal(appeal, analysis, letter=target / "letter.docx",
                                           evidence=target / "evidence"))
        result.outputs["metrics"] = write_new_text(target / "metrics.json",
                                                   json.dumps(appeal.metrics_json(), indent=2))
        result.outputs["diagnosis"] = write_new_text(target / "diagnosis.json", appeal.diagnosis.to_json(indent=2))
        worst = (appeal.health.assign(rank=appeal.health["status"].map(STATUS_ORDER).fillna(9))
                 .sort_values("rank", kind="stable").drop_duplicates("metric"))
        result.statuses = dict(zip(worst["metric"], worst["status"]))
        result.figures = {r["metric"]: {"rate": r.get("rate"), "target": r.get("target"),
                                        "condition": r.get("condition")} for r in worst.to_dict("records")}
        result.days_to_recovery = _days_to_recovery(analysis)
        result.ok = True
    except Exception as exc:  # noqa: BLE001 - one account must never stop the others; the summary says why
        result.error = _reason(exc)
        try:
            folder = result.folder or claim_dir(out / safe_name(job.account))
            result.folder = folder
            result.outputs["error"] = write_new_text(folder / "error.txt", traceback.format_exc())
        except OSError:
            pass  # the summary still carries the reason
    return result


def _days_to_recovery(analysis) -> float | None:
    """Days until the MFN order defect rate is back under target (0 = it is; None = not within 120 days or
    no MFN orders)."""
    try:
        summary = analysis.forecast(channel="MFN").summary
    except Exception:  # noqa: BLE001 - the forecast is a summary extra; it never fails an account
        return None
    if summary.empty or "days_to_recovery" not in summary.columns:
        return None
    days = pd.to_numeric(summary["days_to_recovery"], errors="coerce")
    return None if days.isna().all() else float(days.max())


def execute_notebooks(folder: Path, params: dict, *, notebooks=NOTEBOOKS, store=None) -> dict:
    """Run each notebook top to bottom into ``folder`` (``session.execute_notebook``: plots, quiet kernels);
    returns {name: executed path}. ``store``: the history file notebook 02 shows."""
    if not notebooks:
        return {}
    source = session.notebook_dir()  # a clear error when the package is installed without its notebooks
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in notebooks:
        executed = folder / name
        extra = {"store": str(Path(store).resolve())} if store is not None and name.startswith("02") else {}
        session.execute_notebook(source / name, executed, {**params, **extra}, cwd=source, progress=False)
        written[name] = executed
    return written


def _reason(exc: Exception) -> str:
    """One line saying why an account failed (papermill errors carry the notebook's own exception)."""
    if getattr(exc, "ename", None):
        text = f"notebook cell failed: {exc.ename}: {exc.evalue}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


def summarise(results: list[AccountResult], out: Path | None = None) -> pd.DataFrame:
    """One row per account, worst accounts first (failed runs last): run, worst status, days to ODR recovery,
    the status, rate and target of every metric (its worst channel/window), and links to the outputs."""
    rows = []
    for r in results:
        worst = min((STATUS_ORDER.get(s, 9) for s in r.statuses.values()), default=9)
        row = {"account": r.job.account, "as_of": r.job.as_of.isoformat() if r.job.as_of else None,
               "run": "ok" if r.ok else "failed", "error": r.error or "",
               "worst_status": next((k for k, v in STATUS_ORDER.items() if v == worst), ""),
               "days_to_recovery": r.days_to_recovery}
        for metric, status in r.statuses.items():
            fig = r.figures.get(metric, {})
            row[metric] = status
            row[f"{metric}_rate"] = fig.get("rate")
            row[f"{metric}_target"] = fig.get("target")
        row["folder"] = _link(r.folder, out)
        row["letter"] = _link(r.outputs.get("letter"), out)
        row["notebooks"] = _link((r.folder / "notebooks") if r.folder and r.ok else None, out)
        row["_rank"] = (0 if r.ok else 1, worst, -(r.days_to_recovery or 0))
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def _link(path, out: Path | None) -> str:
    if not path:
        return ""
    path = Path(path)
    if out is not None:
        try:
            return path.resolve().relative_to(out.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


_SORT_SCRIPT = """<script>
document.querySelectorAll('th').forEach(function (th, col) {
  th.style.cursor = 'pointer';
  th.addEventListener('click', function () {
    var table = th.closest('table'), rows = Array.from(table.querySelectorAll('tr')).slice(1);
    var asc = th.dataset.dir !== 'asc'; th.dataset.dir = asc ? 'asc' : 'desc';
    var key = function (r) { var c = r.children[col]; return c.dataset.sort !== undefined ? c.dataset.sort : c.textContent; };
    rows.sort(function (a, b) {
      var x = key(a), y = key(b), nx = parseFloat(x), ny = parseFloat(y);
      var cmp = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? cmp : -cmp;
    });
    rows.forEach(function (r) { table.appendChild(r); });
  });
});
</script>"""
COLOURS = {"breached": "#f8d0d0", "at_risk": "#fde9c4", "good": "#d6efd6", "no_data": "#eeeeee", "failed": "#f8d0d0"}


def _html_cell(column: str, value) -> str:
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    text = "" if missing else str(value)
    if column in ("folder", "letter", "notebooks"):
        if not text:
            return "<td></td>"
        href = html.escape(urllib.parse.quote(text), quote=True)
        return f'<td><a href="{href}">{html.escape(column)}</a></td>'
    if text in STATUS_ORDER or column == "run" or column == "worst_status":
        sort = (0 if text == "ok" else 1) if column == "run" else STATUS_ORDER.get(text, 9)
        style = f' style="background:{COLOURS[text]}"' if text in COLOURS else ""
        return f'<td data-sort="{sort}"{style}>{html.escape(text)}</td>'
    if not missing and column.endswith(("_rate", "_target")):
        return f'<td data-sort="{float(value)!r}">{float(value):.2%}</td>'
    if not missing and column == "days_to_recovery":
        return f'<td data-sort="{float(value)!r}">{float(value):.0f}</td>'
    return f"<td>{html.escape(text)}</td>"


def write_summary(summary: pd.DataFrame, out: Path) -> tuple[Path, Path]:
    """summary.csv (formula-safe) and a one-page, sortable summary.html; never overwrites (summary-2.csv ...)."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in summary.columns)
    body = "".join(
        "<tr>" + "".join(_html_cell(str(c), v) for c, v in row.items()) + "</tr>"
        for row in summary.to_dict("records"))
    page = ("<!doctype html><meta charset='utf-8'><title>reinstate batch summary</title>"
            "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}th{background:#f4f4f4}</style>"
            f"<h1>Account health across {len(summary)} accounts</h1>"
            "<p>Worst status per metric over channels and windows, with its rate and target; days until the "
            "seller-fulfilled order defect rate is back under target (0 = it is; empty = not within 120 days "
            "or no such orders). Worst accounts first, failed runs last; click a column to sort.</p>"
            f"<table><tr>{head}</tr>{body}</table>{_SORT_SCRIPT}")
    csv_path = write_new_csv(out / "summary.csv", summary)
    html_path = write_new_text(out / "summary.html", page)
    return csv_path, html_path


def run_batch(spec, *, out, as_of=None, marketplace="US", template="odr", notebooks=NOTEBOOKS,
              progress=None, store=None, save: bool = True) -> pd.DataFrame:
    """Run every account, write the summary, and return it.

    Every account's health rows of its as_of day are saved in the history store (``batch_store``) unless
    ``save=False``.

    Progress goes to stderr: a tqdm bar and one line per account, or each line to ``progress(text)`` if given.
    """
    from tqdm import tqdm

    out = Path(out)
    history = batch_store(out, store) if save else None
    jobs = discover(spec, as_of=as_of, marketplace=marketplace, template=template)
    out.mkdir(parents=True, exist_ok=True)  # an --out that cannot be made fails the batch once, not each account
    bar = tqdm(total=len(jobs), file=sys.stderr, unit="account", disable=progress is not None)
    say = progress or (lambda text: tqdm.write(printable(text), file=sys.stderr))
    results = []
    try:
        for i, job in enumerate(jobs, 1):
            bar.set_description(printable(job.account)[:30])
            say(f"[{i}/{len(jobs)}] {job.account} (as_of {job.as_of}) ...")
            result = run_account(job, out, notebooks=notebooks, store=history)
            say(f"    {'ok' if result.ok else 'FAILED: ' + (result.error or '')}")
            results.append(result)
            bar.update(1)
    finally:
        bar.close()
    summary = summarise(results, out)
    csv_path, html_path = write_summary(summary, out)
    say(f"summary: {csv_path} and {html_path}" + (f"; history: {history}" if history is not None else ""))
    return summary
