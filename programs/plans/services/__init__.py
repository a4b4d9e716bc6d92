"""Writes for plans, one module per job. The clinical rules live in programs.engine; these
modules only store their results.

- state: a plan's stored context, policy and state as the engine's types.
- layout: sessions and prescriptions laid out from the planner, and again in place.
- lifecycle: generate a plan, pause, resume, refer, the progression policy, when the
  weekly evaluation is due.
- recording: store the engine's decisions (the weekly batch, a flare-up, a warning sign).
- approvals: a physiotherapist approves or rejects a pending change, or undoes one.
"""
