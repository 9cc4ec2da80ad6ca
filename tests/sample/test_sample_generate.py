"""The synthetic sample generator: determinism, injected signals, background realism, consistency."""
import re

import pandas as pd
import pytest

from reinstate.errors import ConfigError
from reinstate.io.schema import BY_NAME
from reinstate.sample import CAUSES, generate_sample

DAMAGE = re.compile(r"broken|cracked|smashed|shattered|chipped|in pieces|damaged", re.I)


@pytest.fixture(scope="module")
def default():
    return generate_sample()  # 3000 orders, 120 days to 2026-11-15, seed 7, all causes


@pytest.fixture(scope="module")
def null():
    # Large enough that background rates are stable to about +-0.3 points.
    return generate_sample(orders=12000, causes="none", seed=11)


def _orders(sample):
    return sample.tables["orders"].drop_duplicates("order_id").set_index("order_id")


def _local_day(ts):
    return ts.dt.tz_convert("America/Los_Angeles").dt.tz_localize(None).dt.normalize()


def _defective_ids(sample):
    t = sample.tables
    fb, cl, cb = t["feedback"], t["claims"], t["chargebacks"]
    neg = fb.loc[(fb.feedback_rating <= 2) & ~fb.feedback_removed, "order_id"]
    claims = cl.loc[~cl.claim_status.isin(["denied", "withdrawn", "amazon_funded"]), "order_id"]
    cbs = cb.loc[(cb.chargeback_type == "service") & (cb.chargeback_outcome != "won"), "order_id"]
    return set(neg) | set(claims) | set(cbs)


def test_same_seed_same_data_other_seed_other_data():
    a, b = generate_sample(orders=400, seed=3), generate_sample(orders=400, seed=3)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name])
    assert a.truth == b.truth
    c = generate_sample(orders=400, seed=4)
    assert not a.tables["orders"]["order_id"].equals(c.tables["orders"]["order_id"])


def test_null_scenario_injects_nothing_and_keeps_the_background(default):
    none = generate_sample(causes="none")
    assert none.truth["injected"] == [] and none.truth["params"]["causes"] == []
    assert generate_sample(orders=50, causes=[]).truth["injected"] == []
    # Independent random streams: switching causes off leaves the orders themselves unchanged.
    assert none.tables["orders"]["order_id"].equals(default.tables["orders"]["order_id"])
    assert none.tables["orders"]["purchase_date"].equals(default.tables["orders"]["purchase_date"])


def test_causes_can_be_picked_and_unknown_ones_are_refused():
    s = generate_sample(orders=300, causes="carrier_delay,no_tracking")
    assert [e["cause"] for e in s.truth["injected"]] == ["carrier_delay", "no_tracking"]
    with pytest.raises(ConfigError, match="unknown cause 'vacation'"):
        generate_sample(orders=10, causes=["vacation"])
    with pytest.raises(ConfigError, match="end="):
        generate_sample(orders=10, end="15/11/2026")
    with pytest.raises(ConfigError, match="orders="):
        generate_sample(orders=0)


def test_injected_sku_has_a_much_higher_damage_rate(default):
    entry = next(e for e in default.truth["injected"] if e["cause"] == "transit_damage")
    sku = entry["scope"]["value"]
    t = default.tables
    fb, ret = t["feedback"], t["returns"]
    damaged = set(fb.loc[(fb.feedback_rating <= 2) & fb.feedback_text.fillna("").str.contains(DAMAGE), "order_id"])
    damaged |= set(ret.loc[ret.return_reason == "Item arrived damaged", "order_id"])
    items = t["orders"]
    with_sku = set(items.loc[items.sku == sku, "order_id"])
    others = set(items.order_id) - with_sku
    rate_sku = len(damaged & with_sku) / len(with_sku)
    rate_other = len(damaged & others) / len(others)
    assert rate_sku > 0.05
    assert rate_sku > 5 * rate_other


def test_order_level_fields_agree_on_every_item_row(default):
    items = default.tables["orders"]
    assert (items.groupby("order_id").size() > 1).sum() > 100  # multi-item orders exist
    level = [c for c in items.columns if BY_NAME[c].order_level or c in ("ship_from", "cancelled_by")]
    counts = items.groupby("order_id")[level].nunique(dropna=False)
    assert (counts <= 1).all().all(), counts.max()[counts.max() > 1]
    assert items.groupby("order_id").sku.apply(lambda s: s.is_unique).all()


def test_truth_scopes_and_order_ids(default):
    truth = default.truth
    assert truth["as_of"] == "2026-11-16"
    assert [e["cause"] for e in truth["injected"]] == list(CAUSES)
    ids = set(default.tables["orders"].order_id)
    by_cause = {e["cause"]: e for e in truth["injected"]}
    for entry in truth["injected"]:
        assert entry["count"] == len(entry["orders"]) > 0
        assert set(entry["orders"]) <= ids
        assert set(entry["scope"]) == {"dimension", "value", "start", "end"}
    assert by_cause["carrier_delay"]["scope"] == by_cause["no_tracking"]["scope"]
    assert by_cause["carrier_delay"]["scope"]["dimension"] == "carrier"
    vac = by_cause["late_shipment"]["scope"]
    assert vac["dimension"] == "period" and vac["value"] is None
    length = (pd.Timestamp(vac["end"]) - pd.Timestamp(vac["start"])).days + 1
    assert 7 <= length <= 10
    assert pd.Timestamp(vac["start"]) >= pd.Timestamp("2026-11-15") - pd.Timedelta(days=29)
    # no-tracking orders really have no valid tracking
    o = _orders(default)
    assert (~o.loc[by_cause["no_tracking"]["orders"], "tracking_valid"]).all()
    carrier = by_cause["no_tracking"]["scope"]["value"]
    assert (o.loc[by_cause["carrier_delay"]["orders"], "carrier"] == carrier).all()


def test_default_sample_tells_the_appeal_story(default):
    o = _orders(default)
    defective = o.index.isin(list(_defective_ids(default)))
    # ODR window for as_of 2026-11-16: purchase days 2026-09-03 .. 2026-11-01 (60 days ending as_of - 15).
    day = _local_day(o.purchase_date)
    window = (day >= "2026-09-03") & (day <= "2026-11-01") & (o.fulfillment_channel == "MFN")
    assert defective[window].mean() > 0.01
    # LSR over the 30 days of ship-by dates ending with the vacation's last day.
    vac = next(e for e in default.truth["injected"] if e["cause"] == "late_shipment")["scope"]
    mfn = o[(o.fulfillment_channel == "MFN") & (o.order_status != "Cancelled")]
    due = _local_day(mfn.latest_ship_date)
    end = pd.Timestamp(vac["end"])
    in30 = (due > end - pd.Timedelta(days=30)) & (due <= end)
    late = mfn.ship_confirmed_at > mfn.latest_ship_date
    assert late[in30].mean() > 0.04


def test_background_rates_are_plausible(null):
    o = _orders(null)
    mfn = o[o.fulfillment_channel == "MFN"]
    assert 0.65 < len(mfn) / len(o) < 0.75                       # catalog afn_share 0.30
    assert 1.10 < len(null.tables["orders"]) / len(o) < 1.25     # items 1/2/3 at 86/10/4 % minus duplicates
    assert null.tables["orders"].sku.nunique() == 13
    assert null.tables["orders"].product_category.nunique() == 5
    defective = o.index.isin(list(_defective_ids(null)))
    day = _local_day(o.purchase_date)
    window = (day >= "2026-09-03") & (day <= "2026-11-01") & (o.fulfillment_channel == "MFN")
    assert 0.001 < defective[window].mean() < 0.008              # well under Amazon's 1 %
    shipped = mfn[mfn.ship_confirmed_at.notna()]
    lsr = (shipped.ship_confirmed_at > shipped.latest_ship_date).mean()
    assert 0.004 < lsr < 0.02                                    # catalog late_confirm 1 %
    assert 0.002 < (o.order_status == "Cancelled").mean() < 0.01  # buyer 0.4 % + seller 0.15 %
    vtr = shipped.tracking_valid.dropna().mean()
    assert 0.975 < vtr < 0.997                                   # ~1 % unscanned / no tracking id
    done = shipped[shipped.delivered_at.notna()]
    otdr = (_local_day(done.delivered_at) <= _local_day(done.latest_delivery_date)).mean()
    assert 0.92 < otdr < 0.98
    m = null.tables["messages"]
    need = ~m.no_response_needed
    late = (m.responded_at - m.received_at > pd.Timedelta(hours=24)) | m.responded_at.isna()
    assert late[need].mean() < 0.08                              # 4 % late + 1.5 % never, by the catalog


def test_background_has_the_varied_texts_downstream_tests_need(default):
    t = default.tables
    texts = pd.concat([t["feedback"].feedback_text, t["returns"].return_comment]).dropna()
    assert texts.str.contains(r"@example\.(?:com|net)|555", regex=True).any()       # fake PII to mask
    assert texts.str.contains(r"^Not damaged, but|nothing was broken|Not damaged, not late", regex=True).any()
    assert t["feedback"].feedback_removed.any()
    assert set(t["claims"].claim_status) & {"denied", "withdrawn", "amazon_funded"}
    cb = t["chargebacks"]
    assert (cb.chargeback_type == "fraud").any() and (cb.chargeback_outcome == "won").any()
    afn = set(t["orders"].loc[t["orders"].fulfillment_channel == "AFN", "order_id"])
    assert t["feedback"].loc[t["feedback"].order_id.isin(afn) & (t["feedback"].feedback_rating <= 2),
                             "feedback_text"].str.contains("Amazon").any()
    assert texts.nunique() > 0.5 * len(texts)  # varied, not a handful of fixed strings


def test_strength_scales_the_injected_excess():
    weak = generate_sample(orders=2000, seed=5, strength=0.3, causes="carrier_delay")
    strong = generate_sample(orders=2000, seed=5, strength=1.5, causes="carrier_delay")
    off = generate_sample(orders=2000, seed=5, strength=0.0, causes="carrier_delay")
    assert off.truth["injected"][0]["count"] == 0
    assert strong.truth["injected"][0]["count"] > 3 * weak.truth["injected"][0]["count"] > 0


def test_positions_vary_with_the_seed():
    scopes = {tuple(sorted((e["cause"], str(e["scope"])) for e in generate_sample(orders=200, seed=s)
                           .truth["injected"])) for s in range(6)}
    assert len(scopes) > 1


def test_other_marketplaces_use_their_offsets():
    s = generate_sample(orders=200, marketplace="de", end="2026-03-31", days=30)
    assert s.truth["params"]["marketplace"] == "DE"
    assert set(s.tables["orders"].carrier.dropna()) <= {"DHL", "Hermes", "GLS", "AMZL"}
    with pytest.raises(ConfigError, match="unknown marketplace"):
        generate_sample(orders=10, marketplace="XX")
