"""What the project keeps about a person beyond Django's own user: their
preferences, on their account rather than in a browser."""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    """One person's own settings. Front-desk PCs are shared by the operators of
    every shift, so the browser is not the person: the language someone picks
    from the language menu is kept here and follows them to any PC. A blank
    language means "the company default" (the LANGUAGE_CODE setting)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="preference",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Blank: the company default language."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("user preference")
        verbose_name_plural = _("user preferences")
        ordering = ["user__username"]

    def __str__(self):
        return str(self.user)


@receiver(user_logged_in, dispatch_uid="switchboard-language-at-log-in")
def _language_at_log_in(sender, request, user, **kwargs):
    # Connected here, with the models, so it is in place before any log-in.
    from switchboard.locale import language_at_log_in

    language_at_log_in(request, user)
