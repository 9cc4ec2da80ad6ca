"""Appeal stage: template registry, context, render, lint and export of a Plan of Action.

Public entry points live in their own modules (see ``reinstate.__init__``): ``build_context``
(context.py), ``render_letter`` (render.py), ``lint`` (lint.py), ``export_letter`` and
``export_evidence_pack`` (export.py).
"""
