"""The permissions data migration grants by role name: reps work their deals, managers also delete and
transfer, directors and operations also configure pipelines."""

import pytest


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("rep", {"view_opportunity", "add_opportunity", "change_opportunity", "view_pipeline"}),
        (
            "team_lead",
            {
                "view_opportunity",
                "add_opportunity",
                "change_opportunity",
                "view_pipeline",
                "delete_opportunity",
                "transfer_opportunity",
            },
        ),
        (
            "director",
            {
                "view_opportunity",
                "add_opportunity",
                "change_opportunity",
                "view_pipeline",
                "delete_opportunity",
                "transfer_opportunity",
                "add_pipeline",
                "change_pipeline",
            },
        ),
        ("outsider", set()),
    ],
)
def test_standard_roles_get_the_opportunity_permissions(org, persona, expected):
    user = getattr(org, persona)
    granted = {p.split(".")[1] for p in user.get_all_permissions() if p.startswith("opportunities.")}
    assert granted == expected
