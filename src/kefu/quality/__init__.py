"""Service quality (服务质量).

- ``language.py``: the pure service-language checker (服务禁语 and better-habit hints) and its
  phrase packs; ``PhraseOverride`` rows let an admin switch a rule off, change it or add one.
- ``checks.py``: every PUBLIC reply is checked before it is written (registered in
  ``kefu.tickets.checks``). A ``block`` finding refuses it — API 422 ``forbidden_phrase``
  with ``findings`` and ``may_override`` — unless the sender asks to override and
  ``QualityPolicy.allow_override_roles`` names their role (then a ``language_override``
  timeline event records it; otherwise 403 ``override_not_allowed``). Warnings and hints come
  back on the reply (``warnings``). Internal notes are not checked. A complaint cannot be
  resolved (or closed unresolved) until its root cause is recorded (``checks.py`` too).
- The complaint guide: the six steps of seed 003 per complaint ticket (each tick a
  ``complaint_step`` timeline event), the root cause from the seed taxonomy (``root_cause``
  event), and the confirm step's summary reply signed with the agent's name and phone.
- QA: scorecards on 7 procedure + 7 personal standards (1–5) placing agents and stores in the
  four service types; a weekly random sample of resolved tickets per agent (Huey task,
  deterministic keyed draw); queue and summaries scoped by role (``quality.*`` rights in ``kefu.org.roles``).
- Staff self-assessment: ten statements, 10–1, bands 80+ / 50–79 / under 50, kept over time.

Rules are data: ``phrasepacks/*.json`` (checker), ``data/complaint.v1.json`` (steps, do /
don't help, root causes, summary template), ``data/scorecard.v1.json`` (standards, service
types, default thresholds and sample size, self-assessment statements and bands).
"""
