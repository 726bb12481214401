"""Account security state: password age and history, lockouts, second factors, sessions, policy.

Kept beside the `org.User` model rather than on it, so the organisation app stays about
people and posts; every row here is keyed by the user and cascades with the account.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountSecurity(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security",
                                verbose_name=_("person"))
    must_change_password = models.BooleanField(_("must change password"), default=False)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)  # 演示账号: published password

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history")
    encoded = models.CharField(_("password hash"), max_length=256)
    created_at = models.DateTimeField(_("set at"))

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class LoginThrottle(models.Model):
    """Failed log-ins per user name (ip '') and per (user name, source address).

    Keyed by the account the typed name resolves to (``lockout.normalise``), so every
    spelling the log-in form accepts for it shares one counter; an unknown name is keyed on
    its normalised form and throttled exactly like a real one, so the reply cannot tell them apart.
    """

    username = models.CharField(_("user name"), max_length=150)
    ip = models.CharField(_("source address"), max_length=45, blank=True)
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("failed log-in counter")
        verbose_name_plural = _("failed log-in counters")
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="loginthrottle_unique")]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip or '*'}"


class TOTPDevice(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device")
    secret_encrypted = models.CharField(_("secret (SM4-GCM)"), max_length=200)
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The newest 30-second step already used: a code is accepted once (RFC 6238 §5.2).
    last_used_step = models.BigIntegerField(_("last used step"), default=0)

    class Meta:
        verbose_name = _("authenticator")  # 动态口令
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"TOTP {self.user_id}"


class UserSession(models.Model):
    """A live log-in; lets the security administrator and account changes end sessions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="live_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(_("logged in at"))
    src_ip = models.CharField(_("source address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class SecurityPolicy(models.Model):
    """The security administrator's policy (one row); absent fields fall back to settings.

    Bounds follow level 3: idle timeout at most 30 minutes, lock after at most 10 failures.
    """

    password_max_age_days = models.PositiveSmallIntegerField(
        _("password expiry (days, 0 = never)"), validators=[MaxValueValidator(365)])
    lockout_attempts = models.PositiveSmallIntegerField(
        _("failures before a lock (per user name and address)"),
        validators=[MinValueValidator(3), MaxValueValidator(10)])
    account_lockout_attempts = models.PositiveSmallIntegerField(
        _("failures before a lock (per user name, any address)"),
        validators=[MinValueValidator(3), MaxValueValidator(100)])
    lockout_minutes = models.PositiveSmallIntegerField(
        _("lock duration (minutes)"), validators=[MinValueValidator(10), MaxValueValidator(1440)])
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("idle timeout (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(30)])
    session_absolute_hours = models.PositiveSmallIntegerField(
        _("longest session (hours)"), validators=[MinValueValidator(1), MaxValueValidator(24)])
    mfa_for_everyone = models.BooleanField(_("second factor required for every account"), default=False)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policy")

    def __str__(self) -> str:
        return "security policy"


class RateCounter(models.Model):
    """A fixed-window hit counter shared by all processes (the database is what they share)."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=150)
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key", "window"], name="ratecounter_unique")]
        indexes = [models.Index(fields=["scope", "window"], name="ratecounter_window_idx")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}@{self.window}"
