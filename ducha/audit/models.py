"""The audit trail (安全审计, GB/T 22239-2019 §8.1.4.3): append-only, SM3 hash-chained.

Each event's `hash` is SM3(canonical JSON of the event, its `seq` and `prev_hash`
included); `prev_hash` is the previous event's hash, so editing, inserting or deleting
a row breaks the chain at that row. `seq` is unique and gap-free, so a lost append shows
as a gap and two writers can never fork the chain. The head (last seq and hash) is kept
beside the chain with an HMAC-SM3 under a key outside the database: a person who can
rewrite the table but not read the key cannot rebuild a chain that verifies.

There is deliberately no foreign key to the user: records outlive the accounts they name.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Result(models.TextChoices):
    OK = "ok", _("succeeded")  # 成功
    FAIL = "fail", _("failed")  # 失败
    DENIED = "denied", _("denied")  # 拒绝


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("sequence number"), unique=True)
    ts = models.DateTimeField(_("time"), db_index=True)
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user name"), max_length=150, blank=True, db_index=True)
    user_name = models.CharField(_("full name"), max_length=60, blank=True)
    role = models.CharField(_("role"), max_length=30, blank=True)
    src_ip = models.CharField(_("source address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    action = models.CharField(_("event type"), max_length=60, db_index=True)
    obj_type = models.CharField(_("object type"), max_length=60, blank=True)
    obj_id = models.CharField(_("object id"), max_length=64, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=Result.choices, default=Result.OK)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")  # 审计记录
        verbose_name_plural = _("audit events")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["obj_type", "obj_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.username}"


class AuditChainHead(models.Model):
    """The chain's last (seq, hash), MAC'd with the data key: catches a truncated or rebuilt tail."""

    seq = models.BigIntegerField(_("sequence number"))
    hash = models.CharField(_("hash"), max_length=64)
    mac = models.CharField(_("MAC"), max_length=64)
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditAnchor(models.Model):
    """Where a prune cut the chain: the last pruned event's (seq, hash), MAC'd like the head.

    Verification starts from the newest anchor, so the remaining chain still verifies and
    a prune that deleted more (or fewer) rows than it says is detected.
    """

    seq = models.BigIntegerField(_("sequence number"), unique=True)
    hash = models.CharField(_("hash"), max_length=64)
    mac = models.CharField(_("MAC"), max_length=64)
    pruned_before = models.DateTimeField(_("pruned events before"))
    rows_deleted = models.PositiveIntegerField(_("rows deleted"))
    created_at = models.DateTimeField(_("created at"))
    archive_sm3 = models.CharField(_("archive SM3"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"anchor #{self.seq}"
