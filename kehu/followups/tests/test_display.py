"""How follow-up entries read on the customer timeline, in English and in Chinese."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from kehu.core.activity import Activity
from kehu.core.verbs import activity_sentence

WHEN = datetime(2026, 3, 2, 1, 30, tzinfo=ZoneInfo("UTC")).isoformat()  # 09:30 in Shanghai


@pytest.mark.parametrize(
    ("verb", "data", "sentence"),
    [
        ("followup.recorded", {"method": "visit", "excerpt": "演示"}, "recorded a follow-up (Visit): 演示"),
        (
            "followup.recorded",
            {"method": "phone", "excerpt": "x", "next_at": WHEN},
            "recorded a follow-up (Phone): x; next contact 2026-03-02 09:30",
        ),
        ("followup.deleted", {"method": "email", "excerpt": "y"}, "deleted a follow-up (Email): y"),
        ("followup_plan.completed", {"due_at": WHEN}, "marked the contact planned for 2026-03-02 09:30 done"),
        ("followup_plan.cancelled", {"due_at": "garbled"}, "cancelled the contact planned for garbled"),
        (
            "followup_plan.rescheduled",
            {"from": WHEN, "to": None},
            "moved the planned contact from 2026-03-02 09:30 to —",
        ),
    ],
)
def test_sentences(verb, data, sentence):
    assert activity_sentence(Activity(verb=verb, data=data)) == sentence


def test_sentences_in_chinese():
    with translation.override("zh-hans"):
        text = activity_sentence(
            Activity(
                verb="followup.recorded", data={"method": "wechat", "excerpt": "发了报价", "next_at": WHEN}
            )
        )
    assert text == "记录了跟进（微信）：发了报价；下次联系 2026-03-02 09:30"
