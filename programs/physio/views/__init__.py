"""The physiotherapist's pages: the caseload at a glance, one runner's plan, and the
commands on it (approve or reject a change, set the progression policy, pause, resume,
undo), plus inviting runners.

Parse input, call one service or selector, render. Runners are looked up among the
physio's consenting, linked runners only (rehab.accounts.selectors.runners_of): anything
else answers 404. Every page that shows a runner's data records the read in the access
log, as the API does."""
