"""Run the notebooks once per account and summarise every account on one page.

    run_batch("accounts/", out="out/batch")          # a folder with one sub-folder of exports per account
    run_batch("accounts.csv", out="out/batch")       # or a CSV: account,data_path[,as_of,marketplace,template]

Per account the executed notebooks (papermill), metrics.json, diagnosis.json and the exported letter are written
under ``out/<account>/``. One failing account does not stop the others: the summary says which failed and why.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import session
from .errors import ConfigError
from .files import safe_name
from .paths import NOTEBOOKS_DIR

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


@dataclass
class AccountResult:
    job: AccountJob
    ok: bool
    error: str | None = None
    outputs: dict = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)   # metric -> worst status over channels/windows


def discover(spec, *, as_of=None, marketplace="US", template="odr") -> list[AccountJob]:
    """Account jobs from a folder of per-account sub-folders or from a CSV (account,data_path[,as_of,...])."""
    spec = Path(spec)
    if spec.is_dir():
        folders = sorted(p for p in spec.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not folders:
            raise ConfigError(f"{spec}: no account sub-folders found (expected one folder of exports per account)")
        return [AccountJob(p.name, p, session.default_as_of(p, as_of), marketplace, template) for p in folders]
    if spec.suffix.lower() == ".csv" and spec.is_file():
        table = pd.read_csv(spec, dtype=str).fillna("")
        for column in ("account", "data_path"):
            if column not in table.columns:
                raise ConfigError(f"{spec}: missing column '{column}' (expected account,data_path"
                                  "[,as_of,marketplace,template])")
        jobs = []
        for row in table.to_dict("records"):
            path = Path(row["data_path"])
            path = path if path.is_absolute() else (spec.parent / path)
            jobs.append(AccountJob(row["account"], path, session.default_as_of(path, row.get("as_of") or as_of),
                                   row.get("marketplace") or marketplace, row.get("template") or template))
        return jobs
    raise ConfigError(f"{spec}: expected a folder of account folders or a .csv file")


def run_account(job: AccountJob, out: Path, *, notebooks=NOTEBOOKS) -> AccountResult:
    """Everything for one account; exceptions are caught and reported, never raised."""
    from .appeal.pipeline import build_appeal, write_appeal
    from .io.load import load

    target = out / safe_name(job.account)
    result = AccountResult(job, ok=False)
    try:
        data = load(job.data_path, marketplace=job.marketplace)  # a broken export fails here, clearly
        params = {"data_path": str(job.data_path.resolve()), "as_of": job.as_of.isoformat(),
                  "marketplace": job.marketplace, "account": None, "out_dir": str(target.resolve())}
        result.outputs.update(execute_notebooks(target / "notebooks", params, notebooks=notebooks))
        appeal = build_appeal(data, template=job.template, as_of=job.as_of, marketplace=job.marketplace)
        result.outputs.update(write_appeal(appeal, data, letter=target / "letter.docx", evidence=target / "evidence"))
        (target / "metrics.json").write_text(json.dumps(appeal.metrics_json(), indent=2), encoding="utf-8")
        (target / "diagnosis.json").write_text(appeal.diagnosis.to_json(indent=2), encoding="utf-8")
        result.outputs.update(metrics=target / "metrics.json", diagnosis=target / "diagnosis.json")
        result.statuses = (appeal.health.assign(rank=appeal.health["status"].map(STATUS_ORDER))
                           .sort_values("rank").groupby("metric", sort=False)["status"].first().to_dict())
        result.ok = True
    except Exception as exc:  # one account must never stop the others; the summary carries the reason
        result.error = _reason(exc)
        target.mkdir(parents=True, exist_ok=True)
        (target / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
    return result


def execute_notebooks(folder: Path, params: dict, *, notebooks=NOTEBOOKS) -> dict:
    """Run each notebook top to bottom with papermill into ``folder``; returns {name: executed path}."""
    import papermill as pm

    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in notebooks:
        executed = folder / name
        pm.execute_notebook(str(NOTEBOOKS_DIR / name), str(executed), parameters=params, kernel_name="python3",
                            cwd=str(NOTEBOOKS_DIR), progress_bar=False)
        written[name] = executed
    return written


def _reason(exc: Exception) -> str:
    """One line saying why an account failed (papermill errors carry the notebook's own exception)."""
    if getattr(exc, "ename", None):
        text = f"notebook cell failed: {exc.ename}: {exc.evalue}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


def summarise(results: list[AccountResult]) -> pd.DataFrame:
    """One row per account: ok/failed, the worst status per metric, worst accounts first, failures last."""
    rows = []
    for r in results:
        worst = min((STATUS_ORDER.get(s, 9) for s in r.statuses.values()), default=9)
        rows.append({"account": r.job.account, "as_of": r.job.as_of.isoformat() if r.job.as_of else None,
                     "run": "ok" if r.ok else "failed", "error": r.error or "",
                     "worst_status": next((k for k, v in STATUS_ORDER.items() if v == worst), ""),
                     **r.statuses, "_rank": (0 if r.ok else 1, worst)})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)


def write_summary(summary: pd.DataFrame, out: Path) -> tuple[Path, Path]:
    """summary.csv and a one-page summary.html (status cells coloured)."""
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / "summary.csv", out / "summary.html"
    summary.to_csv(csv_path, index=False)
    colours = {"breached": "#f8d0d0", "at_risk": "#fde9c4", "good": "#d6efd6", "no_data": "#eeeeee",
               "failed": "#f8d0d0"}
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in summary.columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="background:{colours.get(str(v), "white")}">{html.escape(str(v))}</td>'
                         for v in row) + "</tr>"
        for row in summary.fillna("").itertuples(index=False))
    html_path.write_text(
        "<!doctype html><meta charset='utf-8'><title>reinstate batch summary</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px}</style>"
        f"<h1>Account health across {len(summary)} accounts</h1>"
        "<p>Worst status per metric over channels and windows; worst accounts first, failed runs last.</p>"
        f"<table><tr>{head}</tr>{body}</table>", encoding="utf-8")
    return csv_path, html_path


def run_batch(spec, *, out, as_of=None, marketplace="US", template="odr", notebooks=NOTEBOOKS,
              progress=print) -> pd.DataFrame:
    """Run every account, write the summary, and return it."""
    out = Path(out)
    jobs = discover(spec, as_of=as_of, marketplace=marketplace, template=template)
    results = []
    for i, job in enumerate(jobs, 1):
        progress(f"[{i}/{len(jobs)}] {job.account} (as_of {job.as_of}) ...")
        result = run_account(job, out, notebooks=notebooks)
        progress(f"    {'ok' if result.ok else 'FAILED: ' + (result.error or '')}")
        results.append(result)
    summary = summarise(results)
    csv_path, html_path = write_summary(summary, out)
    progress(f"summary: {csv_path} and {html_path}")
    return summary

