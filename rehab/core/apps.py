from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "rehab.core"
    label = "core"
    verbose_name = "Core"
