def test_target_entries_read_as_sentences():
    from kehu.core.activity import Activity
    from kehu.core.verbs import activity_sentence

    entry = Activity(verb="target.changed", data={"before": "100.00", "after": "120.00"})
    assert activity_sentence(entry) == "changed a target from 100.00 to 120.00"
