"""The demo city's first publications, so that `make demo`'s portal has something to show:
the catalogue's introduction and one application whose status can be looked up."""

from __future__ import annotations

from ducha.publication.models import Kind
from ducha.publication.publish import publish, shown
from ducha.publication.status import hash_query_code

DEMO_RECEIPT = "SP-DEMO-0001"
DEMO_QUERY_CODE = "DEMO2026"


def build_demo_publications() -> None:
    """Idempotent: publishes only what is not shown yet."""
    if shown(Kind.CATALOGUE, "current") is None:
        publish(Kind.CATALOGUE, "current", "政务服务事项目录", {"intro": {
            "zh": "本目录列出市级政务服务事项及其办事指南：受理条件、申请材料、办理时限、收费和办理地点。",
            "en": "The city's services with their guides: conditions, materials, time limits, fees and where "
                  "each is handled."}})
    if shown(Kind.APPLICATION_STATUS, DEMO_RECEIPT) is None:
        publish(Kind.APPLICATION_STATUS, DEMO_RECEIPT, DEMO_RECEIPT, {
            "query_code_hash": hash_query_code(DEMO_QUERY_CODE),
            "item": {"zh": "演示事项", "en": "Demo service"}, "state": "accepted",
            "state_words": {"zh": "已受理，正在办理", "en": "Accepted, being handled"},
            "steps": [{"words": {"zh": "演示数据", "en": "Demo data"}}]})
