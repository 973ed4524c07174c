"""How activity entries read on a timeline: each app registers its verbs, core looks them up.

An activity's verb is dotted, `<subject>.<action>` ("lead.converted"). An app registers, at import of its
`display` module (every app's `display` is imported once at start-up, see `CoreConfig.ready`):

- `register_verbs({"lead.converted": lambda data: ..., ...})`: the sentence for each verb, built from the
  entry's data, in the user's language;
- `register_subject("lead", model=Lead, value=lead_value)`: which model the field names in a `lead.*`
  entry's `changes` belong to (for their labels), and how a stored value reads.

So the customer timeline can show any app's entries without importing that app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from kehu.core.activity import Activity

Sentence = Callable[[dict], str]
Change = tuple[str, str, str]


@dataclass(frozen=True)
class Subject:
    model: type[models.Model]
    # (field name, stored value) -> the value as the user reads it
    value: Callable[[str, Any], str]
    # Labels of names in `changes` that are not fields of the model (e.g. "tags").
    extra_labels: Mapping[str, Any] = field(default_factory=dict)


_sentences: dict[str, Sentence] = {}
_subjects: dict[str, Subject] = {}


def register_verbs(sentences: Mapping[str, Sentence]) -> None:
    """Register the sentence of each verb; registering a verb again replaces its sentence."""
    _sentences.update(sentences)


def register_subject(
    prefix: str,
    *,
    model: type[models.Model],
    value: Callable[[str, Any], str],
    extra_labels: Mapping[str, Any] | None = None,
) -> None:
    """Tell which model the `changes` of `<prefix>.*` entries belong to, and how their values read."""
    _subjects[prefix] = Subject(model=model, value=value, extra_labels=extra_labels or {})


def activity_sentence(activity: Activity) -> str:
    """What happened, as a sentence (the verb itself if no app describes it)."""
    render = _sentences.get(activity.verb)
    return render(activity.data) if render else activity.verb


def _sentence_case(label: str) -> str:
    return label.capitalize()


def activity_changes(
    activity: Activity, *, label_case: Callable[[str], str] = _sentence_case
) -> list[Change]:
    """(label, old, new) for each field an entry's `changes` records."""
    subject = _subjects.get(activity.verb.split(".")[0])
    rows = []
    for name, (old, new) in (activity.data.get("changes") or {}).items():
        try:
            if subject is None:
                raise FieldDoesNotExist(name)
            label = label_case(str(subject.model._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a field removed since the change was recorded, or "tags"
            extra = subject.extra_labels.get(name) if subject else None
            rows.append((str(extra) if extra else name, old or "", new or ""))
            continue
        rows.append((label, subject.value(name, old), subject.value(name, new)))
    return rows


def timeline_entries(
    activities: Iterable[Activity], *, label_case: Callable[[str], str] = _sentence_case
) -> list[tuple[Activity, str, list[Change]]]:
    """(activity, sentence, changes) for each entry: what `components/timeline.html` shows."""
    return [(a, activity_sentence(a), activity_changes(a, label_case=label_case)) for a in activities]
