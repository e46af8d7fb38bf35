"""The shared core every app builds on, and which builds on no app of ours.

- ``core.money``: one rounding of amounts, and the rule for an amount someone enters;
- ``core.figures``: rates and percentages with one rounding (occupancy, shares);
- ``core.calendar``: months (billing periods), Pakistan's fiscal years and quarters, dates;
- ``core.vocabulary``: the domain's words as ``StrEnum``s, which the models' choices use;
- ``core.permissions``: ``Verdict``, ``rule``, ``has_permission`` and ``ensure``, with a DRF
  adapter (``core.drf``) and a template tag (``{% may %}``).

The first four are plain Python (no Django import) and are tested without a database.
"""
