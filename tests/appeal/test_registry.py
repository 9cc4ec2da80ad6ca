import re

import pytest

from reinstate.appeal.registry import action_library, get_template, templates
from reinstate.errors import TemplateError

EXPECTED_IDS = {"odr", "odr-detailed", "odr-new-seller", "late-shipment-rate", "cancellation-rate",
                "valid-tracking-rate", "on-time-delivery", "damaged-items", "review-manipulation",
                "ip-design-patent-dispute", "listing-not-as-described", "used-sold-as-new",
                "restricted-product-misclassification", "inauthentic-supply-chain"}
CAUSES = ("late_shipment", "carrier_delay", "no_tracking", "amazon_fulfillment", "stockout_or_cancellation",
          "unresponsive_service", "transit_damage", "product_defect", "not_as_described", "wrong_item",
          "used_sold_as_new", "item_not_received", "late_delivery", "other")
IRREGULAR_PAST = {"set", "sent", "made", "put", "took", "wrote", "rewrote", "built", "paid", "ran", "found",
                  "bought", "kept", "held", "cut", "gave", "moved"}


def test_every_required_template_is_listed_with_metadata():
    infos = {i.id: i for i in templates()}
    assert EXPECTED_IDS <= set(infos)
    for info in infos.values():
        assert info.title_en and info.title_zh and info.appeal_type and info.when_to_use
        assert info.required, info.id
        assert info.example, info.id


def test_odr_concise_alias_and_unknown_id():
    assert get_template("odr-concise").id == "odr"
    with pytest.raises(TemplateError, match="unknown template 'nope'.*odr"):
        get_template("nope")


def test_chinese_titles_come_from_the_seed_headings(shared_dir):
    text = (shared_dir / "seed" / "000_bdf41b958d976688.txt").read_text(encoding="utf-8")
    headings = {m.group(2).rstrip(":：") for m in re.finditer(r"^(1[5-9]|2[0-2])\.(\S+)\s*$", text, re.MULTILINE)}
    titles = {i.title_zh for i in templates()}
    # Seven of the eight headings are distinct situations (15-17 share a stem but differ by number); all appear.
    assert headings and headings <= titles
    assert get_template("restricted-product-misclassification").title_zh.startswith("亚马逊Listing被误认为是农药")


def test_action_library_covers_every_diagnosis_cause_with_slots():
    lib = action_library()
    ids = []
    for cause in CAUSES:
        group = lib[cause]
        assert "account" in group["root_cause"]
        assert group["corrective"] and group["preventive"]
        for item in group["corrective"]:
            assert "{date}" in item["text"] and "{owner}" in item["text"], item["id"]
            # Past tense: the verb right after "On {date}, {owner}" is a completed action.
            verb = re.match(r"On \{date\}, \{owner\} ([\w-]+)", item["text"]).group(1)
            assert verb.endswith("ed") or verb in IRREGULAR_PAST, item["id"]
        for item in group["preventive"]:
            assert "{frequency}" in item["text"] and "{owner}" in item["text"], item["id"]
        ids += [i["id"] for i in group["corrective"] + group["preventive"]]
    assert len(ids) == len(set(ids))


def test_templates_dir_has_no_placeholder_strings():
    from reinstate.paths import TEMPLATES_DIR
    for path in TEMPLATES_DIR.rglob("*"):
        if path.is_file():
            assert not re.search(r"XXXX|BXXXXXXXX|TODO|FIXME", path.read_text(encoding="utf-8")), path
