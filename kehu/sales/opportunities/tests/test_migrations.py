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


@pytest.mark.django_db(transaction=True)
def test_line_product_ids_become_a_foreign_key_and_dangling_ids_are_dropped():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("opportunities", "0004_board_cards_index"), ("products", "0002_grant_product_permissions")]
    after = [("opportunities", "0005_line_product")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    product = apps.get_model("products", "Product").objects.create(
        code="P1", name="产品", list_price=1, cost=0
    )
    user = apps.get_model("org", "User").objects.create(username="m")
    customer = apps.get_model("customers", "Customer").objects.create(name="客户", owner=user)
    pipeline = apps.get_model("opportunities", "Pipeline").objects.create(name="迁移测试")
    stage = apps.get_model("opportunities", "Stage").objects.create(
        pipeline=pipeline, name="初步接触", position=1
    )
    opportunity = apps.get_model("opportunities", "Opportunity").objects.create(
        title="T", customer=customer, pipeline=pipeline, stage=stage, owner=user
    )
    line_model = apps.get_model("opportunities", "OpportunityLine")
    kept = line_model.objects.create(opportunity=opportunity, product_id=product.pk, product_name="产品")
    dangling = line_model.objects.create(opportunity=opportunity, product_id=99999, product_name="旧产品")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    lines = executor.loader.project_state(after).apps.get_model("opportunities", "OpportunityLine").objects
    assert lines.get(pk=kept.pk).product_id == product.pk
    assert (lines.get(pk=dangling.pk).product_id, lines.get(pk=dangling.pk).product_name) == (None, "旧产品")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
