"""What runners record: screenings and referrals, session and exercise logs, check-ins, runs,
flare-ups (models.py) and questionnaires (questionnaire_models.py).

- services.py   every write: logs, screenings, referrals, starting a plan (plan_start_check
                refuses an open referral or a missing clear screening)
- weekly.py     the weekly evaluation: reads a week of logs (windows.py) and writes plan
                decisions through programs.plans; it lives here because logbook sits above
                plans, so reading logs and writing decisions both point downwards
- caseload.py   a physio's runners with their flags and trends
- tasks.py      the Celery tasks (weekly dispatch); demo_seed.py the demo data
"""
