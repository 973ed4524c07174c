"""Writes for pipelines and opportunities. Every rule about them lives here; pages and API call these."""

from kehu.sales.opportunities.services.opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_lose,
    opportunity_move,
    opportunity_reactivate,
    opportunity_suspend,
    opportunity_terminate,
    opportunity_update,
    opportunity_win,
)
from kehu.sales.opportunities.services.pipelines import pipeline_create, pipeline_default, pipeline_update
from kehu.sales.opportunities.services.team import (
    opportunities_pass_to_owner,
    opportunity_member_add,
    opportunity_member_remove,
    opportunity_transfer,
)

__all__ = [
    "opportunities_pass_to_owner",
    "opportunity_create",
    "opportunity_delete",
    "opportunity_lose",
    "opportunity_member_add",
    "opportunity_member_remove",
    "opportunity_move",
    "opportunity_reactivate",
    "opportunity_suspend",
    "opportunity_terminate",
    "opportunity_transfer",
    "opportunity_update",
    "opportunity_win",
    "pipeline_create",
    "pipeline_default",
    "pipeline_update",
]
