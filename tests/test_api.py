"""The public API names resolve to callables, whatever has been imported before."""
import importlib

import reinstate


def test_every_public_name_resolves():
    for name in reinstate.__all__:
        assert getattr(reinstate, name) is not None, name


def test_diagnose_stays_the_function_after_its_package_is_imported():
    # A subpackage named like an API function would replace it on the parent module once imported.
    importlib.import_module("reinstate.diagnosis.engine")
    assert callable(reinstate.diagnose)
    assert reinstate.diagnose.__module__ == "reinstate.diagnosis.engine"
    for name in ("load", "account_health", "render_letter", "lint"):
        assert callable(getattr(reinstate, name)), name
