"""The clinical domain, in layers that import downwards only (pyproject.toml
[tool.importlinter]):

    runner | physio | api     the surfaces: pages and REST views; they never import each other
    ui                        what two surfaces share: charts, form parts, PDF
    logbook                   what runners record and the weekly evaluation over it
    plans                     plans, their weeks and sessions, decisions, revisions
    content                   the library: exercises, templates, evidence, education
    (rehab.accounts, rehab.notifications, rehab.core: the platform)
    engine                    the pure clinical rules
"""
