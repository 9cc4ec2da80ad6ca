from reinstate.appeal.contacts import NOTICE, contacts, contacts_for
from reinstate.paths import REFERENCE_DIR


def test_current_routes_first_then_legacy():
    rows = contacts_for("DE", "account_metrics")
    statuses = rows["status"].tolist()
    assert statuses[0] == "current" and statuses == sorted(statuses)   # "current" < "legacy"
    assert "Reactivate your account" in rows.iloc[0]["route"]
    assert "verkaeufer-performance@amazon.de" in rows["route"].tolist()
    assert "seller-performance@amazon.com" not in rows["route"].tolist()    # another marketplace


def test_ip_routes_include_retraction_address():
    routes = contacts_for("FR", "ip_complaint")["route"].tolist()
    assert "notification@amazon.fr" in routes
    assert any("Product Policy Compliance" in r for r in routes)


def test_table_is_clean_and_says_account_health_is_the_route():
    table = contacts()
    assert not table["route"].str.contains(r"@amazon \.").any()            # seed's spaced addresses normalised
    assert set(table["status"]) == {"current", "legacy"}
    assert (table.loc[table["kind"] == "email", "status"] == "legacy").all()
    readme = (REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    assert "Account Health" in readme and "legacy" in readme
    assert "Reactivate your account" in NOTICE and "legacy" in NOTICE
