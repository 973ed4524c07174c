"""Writes for pipelines and their stages: administrators rename, reorder and add stages; none is removed,
so history keeps pointing at them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kehu.core.activity import activity_record
from kehu.core.exceptions import ConflictError, DomainError
from kehu.core.money import CENT
from kehu.core.permissions import ensure_perm
from kehu.org.models import User
from kehu.sales.opportunities.models import Pipeline, Stage

STAGE_FIELDS = frozenset({"id", "name", "probability", "is_won", "is_lost", "usual_days"})


# Pipelines -------------------------------------------------------------------------------------------------


def pipeline_default() -> Pipeline:
    pipeline = Pipeline.objects.filter(is_default=True, active=True).first()
    if pipeline is None:
        pipeline = Pipeline.objects.filter(active=True).first()
    if pipeline is None:
        raise DomainError(_("No active pipeline exists: an administrator must create one."), field="pipeline")
    return pipeline


def _clean_stage(row: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(row) - STAGE_FIELDS
    if unknown:
        raise ValidationError(
            {"stages": _("A stage cannot carry %(f)s.") % {"f": ", ".join(sorted(unknown))}}
        )
    name = (row.get("name") or "").strip()
    if not name:
        raise ValidationError({"stages": _("Every stage needs a name.")})
    probability = Decimal(row.get("probability", 0) or 0).quantize(CENT, rounding=ROUND_HALF_UP)
    if not Decimal(0) <= probability <= Decimal(100):
        raise ValidationError({"stages": _("A probability lies between 0 and 100.")})
    if row.get("is_won") and row.get("is_lost"):
        raise ValidationError({"stages": _("A stage cannot be both won and lost.")})
    return {
        "name": name[:50],
        "probability": probability,
        "is_won": bool(row.get("is_won")),
        "is_lost": bool(row.get("is_lost")),
        "usual_days": row.get("usual_days"),
    }


def _save_stages(pipeline: Pipeline, rows: Sequence[Mapping[str, Any]]) -> None:
    """Stages in the order given: rows with an id are updated (renamed, moved), rows without one added.

    Every existing stage must be listed: stages are never dropped, so history keeps pointing at them."""
    existing = {s.pk: s for s in pipeline.stages.all()}
    listed = [row["id"] for row in rows if row.get("id")]
    if set(listed) - set(existing):
        raise ValidationError({"stages": _("A stage id does not belong to this pipeline.")})
    if set(existing) - set(listed) or len(listed) != len(set(listed)):
        raise ValidationError({"stages": _("List every existing stage once: stages cannot be removed.")})
    if not rows:
        raise ValidationError({"stages": _("A pipeline needs at least one stage.")})
    for position, row in enumerate(rows, start=1):
        values = _clean_stage(row)
        stage = existing.get(row.get("id")) or Stage(pipeline=pipeline)
        for field, value in values.items():
            setattr(stage, field, value)
        stage.position = position
        stage.save()
    if not pipeline.stages.filter(is_won=False, is_lost=False).exists():
        raise ValidationError({"stages": _("A pipeline needs at least one stage that is not an outcome.")})


def _set_default(pipeline: Pipeline) -> None:
    Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)


@transaction.atomic
def pipeline_create(
    *, actor: User, name: str, stages: Sequence[Mapping[str, Any]], is_default: bool = False
) -> Pipeline:
    ensure_perm(actor, "opportunities.add_pipeline")
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the pipeline a name.")})
    if Pipeline.objects.filter(name=name).exists():
        raise ConflictError(_("A pipeline named %(name)s exists already.") % {"name": name}, field="name")
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    pipeline = Pipeline.objects.create(name=name, is_default=is_default)
    _save_stages(pipeline, [{k: v for k, v in row.items() if k != "id"} for row in stages])
    activity_record(actor=actor, subject=pipeline, verb="pipeline.created", data={"name": name})
    return pipeline


@transaction.atomic
def pipeline_update(
    *,
    actor: User,
    pipeline: Pipeline,
    data: Mapping[str, Any],
    stages: Sequence[Mapping[str, Any]] | None = None,
) -> Pipeline:
    """Rename, (de)activate or make default; `stages` (optional) renames, reorders and adds stages."""
    ensure_perm(actor, "opportunities.change_pipeline")
    unknown = set(data) - {"name", "active", "is_default"}
    if unknown:
        raise ValidationError({f: _("This field cannot be set here.") for f in sorted(unknown)})
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise ValidationError({"name": _("Give the pipeline a name.")})
        if Pipeline.objects.filter(name=name).exclude(pk=pipeline.pk).exists():
            raise ConflictError(_("A pipeline named %(name)s exists already.") % {"name": name}, field="name")
        pipeline.name = name
    if "active" in data:
        pipeline.active = bool(data["active"])
    if data.get("is_default"):
        _set_default(pipeline)
        pipeline.is_default = True
    if pipeline.is_default and not pipeline.active:
        raise DomainError(_("The default pipeline cannot be deactivated."), field="active")
    pipeline.save()
    if stages is not None:
        _save_stages(pipeline, stages)
    activity_record(actor=actor, subject=pipeline, verb="pipeline.updated", data={"name": pipeline.name})
    return pipeline
