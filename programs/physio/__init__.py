"""The physiotherapist's pages (views/: caseload and invitations, one runner's page, commands
on a plan, decisions), their forms and urls. Templates: templates/physio/."""
