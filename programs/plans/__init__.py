"""Plans: Plan -> PlanWeek -> PlanSession -> Prescription, with PlanRevision, Decision and
ProgressionRun (models.py).

- services/state.py      a plan's spec, context, policy and engine state
- services/lifecycle.py  generate, revise, pause/resume/refer, policy changes, evaluation times
- services/layout.py     store weeks and lay a plan out again in place (same ids, sequences)
- services/recording.py  turn engine decisions into rows; flare-ups and flags
- services/approvals.py  a physio approves or rejects a decision, or undoes a revision
- selectors.py           reused reads (outlook, plans using a template)
"""
