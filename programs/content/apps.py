from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContentConfig(AppConfig):
    """The clinical content library: evidence, exercises, education and programme
    templates, edited in the admin in English and Dutch and loaded from YAML."""

    name = "programs.content"
    label = "content"
    verbose_name = _("Content library")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from programs.content.outline import content_changed

        # Any write to the library empties the process's content memo (content.outline);
        # the loader's bulk writes, which send no signals, call content_changed itself.
        for model in self.get_models(include_auto_created=True):
            for signal in (post_save, post_delete, m2m_changed):
                signal.connect(content_changed, sender=model, dispatch_uid=f"outline-{model}")
