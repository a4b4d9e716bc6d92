from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rehab.accounts.fields import validate_timezone
from rehab.accounts.models import AlertKind, Language
from rehab.accounts.services import user_welcome


class SignupForm(forms.Form):
    """Extra sign-up fields, used by allauth's signup form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        initial="Europe/Amsterdam",
        validators=[validate_timezone],
        help_text=_("Filled in from your browser; change it if it is wrong."),
        widget=forms.TextInput(attrs={"data-guess-timezone": "1", "autocomplete": "off"}),
    )
    health_data_consent = forms.BooleanField(
        label=_(
            "I agree that my pain scores, training logs and answers are processed to "
            "plan my rehabilitation, as described in the privacy notice."
        ),
        required=True,
    )

    def signup(self, request, user):
        user.language = self.cleaned_data["language"]
        user.timezone = self.cleaned_data["timezone"]
        user.health_data_consent_at = timezone.now()
        user.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
        user.save(
            update_fields=[
                "language",
                "timezone",
                "health_data_consent_at",
                "privacy_notice_version",
            ]
        )
        user_welcome(user=user)


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    timezone = forms.CharField(label=_("Time zone"), max_length=64, validators=[validate_timezone])


class EraseAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and all my data will be deleted for good."),
        required=True,
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not correct."))
        return password


class AlertPreferencesForm(forms.Form):
    """A physiotherapist's alerts: which kinds, and when the daily summary comes."""

    kinds = forms.MultipleChoiceField(
        label=_("Email me about"),
        choices=AlertKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Warning signs and flare-ups are emailed at once; the rest comes together in "
            "one daily summary. Emails never name the runner or say what happened."
        ),
    )
    digest_time = forms.TimeField(
        label=_("Daily summary at (your local time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    @classmethod
    def initial_for(cls, preferences) -> dict:
        return {"kinds": list(preferences.kinds), "digest_time": preferences.digest_time}
