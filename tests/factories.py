import factory
from django.utils import timezone as dj_timezone

from rehab.accounts.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    role = Role.RUNNER
    language = "en"
    timezone = "Europe/Amsterdam"
    health_data_consent_at = factory.LazyFunction(dj_timezone.now)
    password = factory.django.Password("correct-horse-battery")
