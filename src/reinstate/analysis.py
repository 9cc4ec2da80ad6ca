"""One object that owns the pipeline: the loaded data, and every derived table computed once.

    a = reinstate.analyze("data/sample", as_of="2026-11-16")       # load (or take a Dataset / a Spark table)
    a.health()                      # account_health
    a.drilldown("order_defect_rate", channel="MFN")
    a.trend(metric="order_defect_rate", days=90)
    a.forecast(channel="MFN"); a.removable(); a.reconciliation()
    a.diagnosis()                   # reinstate.diagnose
    appeal = a.appeal("odr", answers="data/sample/answers.yaml")

The per-order facts (``metrics.flags.order_flags``, the one pass that runs the metric rules on the engine) are
computed once per (as_of, account, marketplace) selection and handed to every metric, the diagnosis and the
appeal through their ``flags=`` parameters; every result is cached on the object, keyed by its options, so a
notebook cell, a widget callback or a second plot never recomputes it. Results are pandas objects (the same
the stage functions return). ``at(as_of=..., account=..., marketplace=...)`` gives the analysis of another
selection of the same data (kept, so switching back costs nothing); the widget apps work that way.

This module sits between the stages and the front ends: it imports the stages (lazily), and no stage imports a
front end. ``appeal.pipeline.build_appeal`` accepts an Analysis in place of data.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .dataset import Dataset

ODR = "order_defect_rate"


def _day(value) -> dt.date:
    """An as-of day (ISO string, date or Timestamp; None = today), refusing ambiguous spellings."""
    from .metrics.windows import to_day
    return to_day(value if value is not None else dt.date.today(), "as_of")


def _key(value):
    """A hashable cache key for an option value (lists become tuples)."""
    if isinstance(value, (list, tuple, set)):
        return tuple(_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _key(v)) for k, v in value.items()))
    return value


class _Source:
    """What an Analysis and its siblings (``at``) share: the loaded Dataset, or the fast path's reader of a
    canonical orders CSV (``io.fast``) plus the loader that reads the file when something needs the rows."""

    def __init__(self, data: Dataset | None = None, fast=None, loader=None):
        self.data, self.fast, self.loader = data, fast, loader

    def dataset(self) -> Dataset:
        if self.data is None:
            self.data = self.loader()
            if self.fast is not None:
                self.fast.close()
                self.fast = None
        return self.data


def source_for(paths, *, loader, as_of=None, engine: str | None = None, **load_options) -> _Source:
    """The fast path's reader when ``paths`` is a canonical orders CSV in normal form and the engine DuckDB
    (checked now, so a file that fails the gate is loaded now, with today's errors); else the loaded data.
    The gate is decided in the same pass as the facts of ``as_of`` (the day the analysis is for)."""
    from .engine import resolve

    if resolve(engine) == "duckdb":
        from .io.fast import fast_source
        fast = fast_source(paths, **load_options)
        if fast is not None and fast.gate(_day(as_of)):
            return _Source(fast=fast, loader=loader)
    return _Source(data=loader())


class Analysis:
    """The analysis of one data set at one as-of day, for one account/marketplace selection (None = all).

    ``data``: the loaded ``Dataset``. ``engine``/``spark_master``: where the metric rules run (DuckDB
    in-process by default, ``"spark"``). Every method returns a cached result for the same options.
    """

    def __init__(self, data, *, as_of=None, account=None, marketplace=None, engine: str | None = None,
                 spark_master: str | None = None, _family: dict | None = None, _source: _Source | None = None):
        if _source is None:
            if isinstance(data, pd.DataFrame):
                data = Dataset(orders=data)
            if not isinstance(data, Dataset):
                raise TypeError("Analysis expects a reinstate Dataset (reinstate.load) or a canonical order "
                                "DataFrame")
            _source = _Source(data=data)
        self._source = _source
        self.as_of = _day(as_of)
        self.engine = engine
        self.spark_master = spark_master
        self._family = _family if _family is not None else {}   # selection -> Analysis, shared by siblings
        self._cache: dict = {}
        self.account, self.marketplace = self.selection(account, marketplace)
        self._family.setdefault((self.as_of, self.account, self.marketplace), self)

    def __repr__(self) -> str:
        rows = "not loaded" if self._source.data is None else f"{len(self.data.orders)} rows"
        return (f"Analysis(as_of={self.as_of}, account={self.account!r}, marketplace={self.marketplace!r}, "
                f"orders={rows}, engine={self.engine or 'duckdb'!r})")

    @property
    def data(self) -> Dataset:
        """The loaded ``Dataset`` (read by ``reinstate.load`` on first use when the fast path holds the file)."""
        return self._source.dataset()

    @property
    def performance(self) -> dict | None:
        """Amazon's own figures when a performance report was loaded (never with the fast path: it reads one
        orders CSV and nothing else)."""
        return None if self._fast_flags() is not None else self.data.performance

    def _fast_flags(self):
        """The fast path's per-order facts at ``as_of`` while the data is not loaded, else None."""
        fast = self._source.fast
        return fast.flags(self.as_of) if fast is not None and self._source.data is None else None

    # ---------------------------------------------------------------------------------------- selection
    def accounts(self) -> list[str]:
        """Every account in the data (sorted)."""
        def compute():
            table = self._fast_flags()
            table = self.data.orders if table is None else table
            return sorted(table["account"].dropna().astype(str).unique().tolist())
        return self._cached("accounts", (), compute)

    def marketplaces(self, account: str | None = None) -> list[str]:
        """The marketplaces in the data, of ``account`` when given (sorted)."""
        def compute():
            orders = self._fast_flags()
            orders = self.data.orders if orders is None else orders
            if account is not None:
                orders = orders[orders["account"].eq(account).fillna(False).to_numpy()]
            return sorted(orders["marketplace"].dropna().astype(str).unique().tolist())
        return self._cached("marketplaces", (account,), compute)

    def selection(self, account, marketplace) -> tuple:
        """(account, marketplace) with a value that is the data's only one dropped: the same result, and the
        metric stage keeps its unfiltered path (a filtered message table made message_events fail on a
        read-only array)."""
        if account is not None and self.accounts() == [str(account)]:
            account = None
        if marketplace is not None:
            marketplace = str(marketplace).upper().replace("GB", "UK")
            if self.marketplaces() == [marketplace]:
                marketplace = None
        return account, marketplace

    def at(self, *, as_of=None, account=None, marketplace=None) -> Analysis:
        """The analysis of the same data for another day or selection (as_of None = this one's day); kept, so
        asking again returns the same object with its results."""
        day = self.as_of if as_of is None else _day(as_of)
        acc, mkt = self.selection(account, marketplace)
        found = self._family.get((day, acc, mkt))
        if found is None:
            found = Analysis(None, as_of=day, account=acc, marketplace=mkt, engine=self.engine,
                             spark_master=self.spark_master, _family=self._family, _source=self._source)
        return found

    def _cached(self, kind, key, compute):
        full = (kind, *(_key(k) for k in key))
        if full not in self._cache:
            self._cache[full] = compute()
        return self._cache[full]

    def _where(self) -> dict:
        return {"as_of": self.as_of, "account": self.account, "marketplace": self.marketplace}

    # ------------------------------------------------------------------------------------- per-order facts
    @property
    def flags(self) -> pd.DataFrame:
        """The per-order facts (``order_flags``) of the selection at ``as_of``: computed once, then shared."""
        def compute():
            from .metrics.flags import order_flags
            from .metrics.health import select
            orders = select(self.data.orders, account=self.account, marketplace=self.marketplace)
            return order_flags(orders, as_of=self.as_of, engine=self.engine, spark_master=self.spark_master)
        # A shallow copy each time: a stage that adds a column to its input never changes the shared frame.
        return self._cached("flags", (), compute).copy(deep=False)

    # ----------------------------------------------------------------------------------------- metrics
    # Options go to the stage function as they are; an ``account=``/``marketplace=`` among them narrows the
    # selection further (the shared facts are narrowed with it), e.g. one account's rows of a multi-account
    # analysis.
    def health(self, **options) -> pd.DataFrame:
        """``account_health`` of the selection (options as there: metrics=, margin=, ...)."""
        def compute():
            from .metrics.health import account_health
            fast = self._fast_flags()
            if fast is not None:  # the file passed the fast path's gate: its facts came straight from DuckDB
                return account_health(self._source.fast.stub(), **{**self._where(), **options}, flags=fast)
            return account_health(self.data, **{**self._where(), **options}, flags=self.flags)
        return self._cached("health", (options,), compute)

    def drilldown(self, metric: str = ODR, *, channel: str | None = None, **options) -> pd.DataFrame:
        """``drilldown``: the orders behind ``metric`` (in ``channel``) in its window."""
        def compute():
            from .metrics.health import drilldown
            return drilldown(self.data, **{**self._where(), **options}, metric=metric, channel=channel,
                             flags=self.flags)
        return self._cached("drilldown", (metric, channel, options), compute)

    def trend(self, metric=ODR, *, days: int = 90, start=None, channel=None, **options) -> pd.DataFrame:
        """``metric_trend`` ending at ``as_of`` (``metric``: a name, a list, or "all")."""
        def compute():
            from .metrics.trend import ALL_METRICS, metric_trend
            wanted = list(ALL_METRICS) if metric == "all" else metric
            return metric_trend(self.data, metric=wanted, start=start, end=self.as_of, days=days, channel=channel,
                                account=self.account, marketplace=self.marketplace, flags=self.flags, **options)
        return self._cached("trend", (metric, days, start, channel, options), compute)

    def forecast(self, channel: str = "MFN", **options):
        """``recovery_forecast`` of the ODR in ``channel`` (a ``RecoveryForecast``)."""
        def compute():
            from .metrics.forecast import recovery_forecast
            return recovery_forecast(self.data, **{**self._where(), **options}, channel=channel, flags=self.flags)
        return self._cached("forecast", (channel, options), compute)

    def removable(self, channel: str | None = None, **options) -> pd.DataFrame:
        """``removable_defects``: ODR defects Amazon's policy removes (in ``channel``, or every one)."""
        def compute():
            from .metrics.removable import removable_defects
            return removable_defects(self.data, **{**self._where(), **options}, channel=channel, flags=self.flags)
        return self._cached("removable", (channel, options), compute)

    def reconciliation(self, **options) -> pd.DataFrame | None:
        """``reconcile`` against Amazon's performance report, or None when none was loaded."""
        def compute():
            if self.performance is None:
                return None
            from .metrics.reconcile import reconcile
            where = {"account": self.account, "marketplace": self.marketplace, **options}
            return reconcile(self.data, **where, flags=self.flags, flags_as_of=self.as_of)
        return self._cached("reconciliation", (options,), compute)

    # --------------------------------------------------------------------------------------- diagnosis
    def diagnosis(self, **options):
        """``reinstate.diagnose`` of the selection (a ``Diagnosis``)."""
        def compute():
            from .diagnosis.engine import diagnose
            data = self.data
            if self.marketplace is not None:
                # diagnose narrows by account only; the selection's marketplace is applied here, so its flags
                # (one marketplace) describe exactly the orders diagnosed.
                from .metrics.health import select
                data = Dataset(orders=select(data.orders, marketplace=self.marketplace),
                               messages=select(data.messages, marketplace=self.marketplace),
                               rejects=data.rejects, files=data.files, performance=data.performance,
                               unmatched=data.unmatched)
            # An unknown account: diagnose itself says so, naming the accounts there are.
            known = self.account is None or str(self.account) in self.accounts()
            return diagnose(data, **self._where(), flags=self.flags if known else None, **options)
        return self._cached("diagnosis", (options,), compute)

    # ------------------------------------------------------------------------------------------ appeal
    def argue(self, template: str, *, channel: str | None = None, causes=None) -> tuple:
        """(attribution, removable defects) the letter of ``template`` argues (``appeal.pipeline.argue``)."""
        from .appeal.registry import get_template
        info = get_template(template)
        chosen = tuple(causes) if causes else None

        def compute():
            from .appeal.pipeline import argue
            return argue(self.data, info, health=self.health(), diagnosis=self.diagnosis(), as_of=self.as_of,
                         channel=channel, account=self.account, marketplace=self.marketplace,
                         causes=list(chosen) if chosen else None, flags=self.flags)
        return self._cached("argue", (info.id, channel, chosen), compute)

    def appeal(self, template: str, **options):
        """``appeal.pipeline.build_appeal`` on this analysis (an ``Appeal``; options as there)."""
        from .appeal.pipeline import build_appeal
        return build_appeal(self, template=template, **options)


def analyze(source=None, *, as_of=None, engine: str | None = None, spark_master: str | None = None,
            marketplace: str | None = None, account: str | None = None, keep_pii: bool = False,
            skip_bad_files: bool = False, table: str | None = None, **load_options) -> Analysis:
    """Load the data once and return its ``Analysis`` at ``as_of`` (default today).

    ``source``: export files or folders (a path or a list), a loaded ``Dataset`` or a canonical order
    DataFrame. One canonical orders CSV already in normal form takes the fast path (``reinstate.io.fast``:
    DuckDB reads it and ``health()`` never loads it into pandas); ``reinstate.load`` reads it only when a step
    needs the rows (drill-down, trend, diagnosis, ...), and any file outside the normal form is loaded now, as
    always (``REINSTATE_FAST_PATH=0`` turns the fast path off). ``table``: instead, the name of an existing Spark table (or view) holding the canonical order
    table (``engine="spark"``). ``marketplace``/``account`` select what is analysed (and name the
    marketplace / account of rows without one when loading). ``keep_pii``, ``skip_bad_files`` and
    ``load_options`` go to ``reinstate.load``.
    """
    if table is not None:
        if source is not None:
            raise TypeError("analyze takes data or table=, not both")
        data = read_table(table, engine=engine, spark_master=spark_master, marketplace=marketplace,
                          account=account)
    elif isinstance(source, (Dataset, pd.DataFrame)):
        data = source
    elif source is None:
        raise TypeError("analyze needs data: paths, a Dataset, a DataFrame, or table=")
    else:
        from .io.load import load
        options = dict(marketplace=marketplace or "US", account=account, keep_pii=keep_pii,
                       skip_bad_files=skip_bad_files, **load_options)
        src = source_for(source, loader=lambda: load(source, **options), as_of=as_of, engine=engine, **options)
        return Analysis(None, as_of=as_of, account=account, marketplace=marketplace, engine=engine,
                        spark_master=spark_master, _source=src)
    return Analysis(data, as_of=as_of, account=account, marketplace=marketplace, engine=engine,
                    spark_master=spark_master)


def read_table(name: str, *, engine: str | None = "spark", spark_master: str | None = None,
               marketplace: str | None = None, account: str | None = None) -> Dataset:
    """The canonical order table from an existing Spark table or view ``name`` as a ``Dataset``.

    Columns are cast to the canonical dtypes the same way a canonical CSV is (a value that does not parse is
    a rejected row with its reason, as for a file). Only Spark holds named tables here (``engine="spark"``).
    """
    from .engine import resolve, spark_session
    from .errors import ConfigError
    from .io.validate import coerce_frame

    if resolve(engine or "spark") != "spark":
        raise ConfigError("a table name needs the Spark engine (--engine spark)")
    session = spark_session(spark_master)
    try:
        frame = session.table(name)
    except Exception as exc:  # AnalysisException: the table does not exist
        raise ConfigError(f"Spark table '{name}' not found ({str(exc).splitlines()[0]})") from exc
    raw = frame.toArrow().to_pandas()
    # Read as strings like a file's cells, so the loader's parsing (time zones, enums, booleans) applies.
    raw = raw.astype(object).where(raw.notna(), None)
    raw = pd.DataFrame({c: pd.array([None if v is None else _cell(v) for v in raw[c]], dtype="string")
                        for c in raw.columns})
    missing = [c for c in ("order_id", "purchase_date", "fulfillment_channel", "order_status") if c not in raw]
    if missing:
        raise ConfigError(f"Spark table '{name}': missing column(s) {', '.join(missing)} "
                          "(expected the canonical order table, see reinstate.io.schema)")
    typed, problems = coerce_frame(raw, marketplace=(marketplace or "US").upper(), account=account or "default")
    bad = problems["_row"].unique() if len(problems) else []
    if len(bad):
        typed = typed.drop(index=bad).reset_index(drop=True)
    rejects = problems.assign(file=f"table:{name}", line=problems["_row"] + 1)[
        ["file", "line", "column", "value", "reason"]] if len(problems) else Dataset(orders=typed).rejects
    from .dataset import FileReport
    files = [FileReport(f"table:{name}", "canonical", len(raw), len(raw) - len(bad), len(bad))]
    return Dataset(orders=typed, rejects=rejects, files=files)


def _cell(value) -> str:
    """One table value as a file cell would read (timestamps in ISO with their offset)."""
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        return (ts if ts.tzinfo else ts.tz_localize("UTC")).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
