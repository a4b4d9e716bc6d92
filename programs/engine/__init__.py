"""The clinical engine: plain Python, no database, no app (import-linter and
tests/programs/engine/test_purity.py keep it so). Read it beside
../shared/reference/clinical-evidence.md; every rule names its section there, so
`grep -rn "§D2" programs/engine` finds the code for a section.

- specs.py          the shapes: templates, phases, slots, a runner's context, policy, plan state
- rules.py          the rule table: one row per automatic decision (id, section, sources,
                    physio summary, runner text in English and Dutch)
- planner.py        template + runner context -> a dated plan (§C phases, §E load, §F running)
- progression.py    plan so far + a window of logs -> decisions (§D2 pain monitoring, §E, §G)
- screening.py      red flags and pathway questions -> refer or a pathway (§G, §A)
- questionnaires.py outcome scoring and minimal important changes
- validation.py     the checks content must pass (used by the loader and the admin)
- serialize.py      the dataclasses to JSON and back, for storage
- vocabulary.py     the engine's codes named in the active language
- samples.py        a typical runner, for demo data and benchmarks only
"""
