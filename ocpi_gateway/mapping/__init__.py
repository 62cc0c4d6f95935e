"""Domain ↔ OCPI rules that do not depend on an OCPI version (statuses, defaults, ids).

Each version's `vXYZ/mapping/` builds its wire models with these, so 2.1.1 and 2.3.0
folders share the decisions.
"""
