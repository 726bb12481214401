"""The number register (发文字号与编号登记): the one table every numbered thing draws from.

The rendering modules of this package import no Django; this model and ``register.py`` are
its only database part, on the ground floor so that matters, letters, the ledger and the
reports all number through it without importing one another.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSequence(models.Model):
    """The per-year numbering under one prefix: 宛督〔2026〕N号 for the office's documents, DB2026-N
    for matters.

    Shared by every kind of document the supervision office issues (通报, 督查通知, 督办函):
    they draw from the same prefix, so they must draw from the same row.
    """

    prefix = models.CharField(_("prefix"), max_length=20)  # 机关代字, or DB for matters
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        # The table keeps the name it had under reports, so installations keep their numbers.
        db_table = "reports_documentsequence"
        verbose_name = _("document number sequence")  # 发文字号序列
        verbose_name_plural = _("document number sequences")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="documentsequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.last}"
