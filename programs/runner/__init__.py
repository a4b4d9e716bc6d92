"""The runner's pages (views/: screening, setup, week, session player, logs, progress,
settings), their forms, urls and the calendar feed (ical.py). Templates: templates/runner/."""
