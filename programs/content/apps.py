from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """The clinical content library: evidence, exercises, education and programme
    templates, edited in the admin in English and Dutch and loaded from YAML."""

    name = "programs.content"
    label = "content"
    verbose_name = _("Content library")
