import pytest
from django.utils import translation

from kehu.core import verbs
from kehu.core.activity import Activity


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test, so the apps' own registrations stay untouched."""
    monkeypatch.setattr(verbs, "_sentences", {})
    monkeypatch.setattr(verbs, "_subjects", {})
    with translation.override("en"):
        yield verbs


def test_a_registered_verb_reads_as_its_sentence(registry):
    # given an app that describes its verb
    registry.register_verbs({"thing.moved": lambda d: f"moved the thing to {d['to']}"})

    # when an entry with that verb is shown
    sentence = registry.activity_sentence(Activity(verb="thing.moved", data={"to": "B"}))

    # then it reads as the app's sentence
    assert sentence == "moved the thing to B"


def test_an_unknown_verb_reads_as_itself(registry):
    assert registry.activity_sentence(Activity(verb="thing.vanished", data={})) == "thing.vanished"


def test_changes_take_labels_from_the_subjects_model_and_values_from_its_formatter(registry):
    # given changes recorded on a `thing.*` entry whose fields belong to the Activity model
    registry.register_subject(
        "thing", model=Activity, value=lambda name, value: f"<{value}>", extra_labels={"tags": "Tags"}
    )
    entry = Activity(
        verb="thing.updated", data={"changes": {"verb": ["a", "b"], "tags": ["x", ""], "gone": [None, "y"]}}
    )

    # when the changes are shown
    rows = registry.activity_changes(entry)

    # then fields get their verbose name and formatted values; other names their extra label or themselves
    assert rows == [("Action", "<a>", "<b>"), ("Tags", "x", ""), ("gone", "", "y")]


def test_changes_of_an_unregistered_subject_show_raw_names_and_values(registry):
    entry = Activity(verb="other.updated", data={"changes": {"verb": ["a", "b"]}})
    assert registry.activity_changes(entry) == [("verb", "a", "b")]


def test_timeline_entries_pair_each_activity_with_its_sentence_and_changes(registry):
    registry.register_verbs({"thing.updated": lambda d: "changed the thing"})
    registry.register_subject("thing", model=Activity, value=lambda name, value: str(value))
    entry = Activity(verb="thing.updated", data={"changes": {"verb": ["a", "b"]}})

    rows = registry.timeline_entries([entry], label_case=str.upper)

    assert rows == [(entry, "changed the thing", [("ACTION", "a", "b")])]


def test_every_apps_display_module_registers_at_start_up():
    # CoreConfig.ready imports each app's `display`, so a customer's timeline can read a lead's entries
    # without the customers app importing the leads app.
    assert {"customer.created", "contact.updated", "lead.created", "lead.converted"} <= set(verbs._sentences)
    assert {"customer", "contact", "lead"} <= set(verbs._subjects)
