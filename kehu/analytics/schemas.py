"""Input and output shapes of the sales funnel API. Money, rates and days travel as decimal strings."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator

from kehu.core.api import DecimalText, Id
from kehu.core.scopes import ViewFilter

# A decimal string ("12.50"), or null when it has no base (nothing reached the stage, nobody left it).
OptionalDecimalText = Annotated[
    str | None, BeforeValidator(lambda value: None if value is None else f"{Decimal(value):.2f}")
]


class FunnelFilterSchema(Schema):
    pipeline: Id | None = Field(None, description="The pipeline (default: the default pipeline).")
    date_from: date | None = Field(None, description="Created from (default: 1 January of this year).")
    date_to: date | None = Field(None, description="Created until (default: 31 December of that year).")
    view: ViewFilter | None = Field(None, description="mine, team or all (default) that you may see.")
    department: Id | None = Field(None, description="A department, with its sub-departments.")
    owner: Id | None = Field(None, description="The rep (owner, user id).")

    def filter_data(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class FunnelStageOut(Schema):
    stage: str = Field(alias="name", description="The stage's name.")
    reached: int = Field(description="Opportunities of the period that reached this stage or a later one.")
    amount: DecimalText = Field(description="Their amount.")
    conversion_rate: OptionalDecimalText = Field(
        description="Reached of the next stage / reached of this one, in per cent; null for the last stage."
    )
    avg_days: OptionalDecimalText = Field(description="Average days in the stage of those that left it.")


class LostGroupOut(Schema):
    name: str = Field(alias="label")
    count: int
    amount: DecimalText


class LostOut(Schema):
    count: int
    amount: DecimalText
    by_reason: list[LostGroupOut]
    by_competitor: list[LostGroupOut]
    by_stage: list[LostGroupOut] = Field(description="By the stage the deals were lost from.")


class PipelineRefOut(Schema):
    id: int
    name: str


class FunnelOut(Schema):
    pipeline: PipelineRefOut
    date_from: date
    date_to: date
    created: int = Field(description="Opportunities created in the period (the cohort).")
    stages: list[FunnelStageOut]
    lost: LostOut
