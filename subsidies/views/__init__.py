"""Pages of statements, billing runs, subsidy schemes and other charges (domain.md §5–6), by
feature: ``statements``, ``billing_runs``, ``schemes`` and ``charges`` (subsidies/urls.py).

Thin, like tenants' pages: every object is looked up through a selector scoped to the user,
so anything outside their scope answers 404; a role that may see but not act gets 403; bad
input comes back on the form and changes nothing; a state conflict comes back as a message.
"""
