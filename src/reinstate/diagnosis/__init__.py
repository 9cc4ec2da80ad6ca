"""Root-cause diagnosis: per-order cause tags -> cause x scope hypotheses with evidence -> sentences.

``reinstate.diagnose(data, as_of=...)`` (in ``engine``) is the entry point.
"""
