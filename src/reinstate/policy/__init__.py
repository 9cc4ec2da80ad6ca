"""Policy shipped as package data: appeal templates and actions (templates/), reference tables (reference/).

Read through :mod:`reinstate.paths` so an installed wheel finds them wherever it lives.
"""
