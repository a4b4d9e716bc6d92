"""The content library in the admin: the library records and the programme templates.
Every form runs the same pure checks as the loader (programs.engine.validation)."""

from programs.content.admin import library, templates  # noqa: F401  (registers the admins)
