"""The default pipeline (销售流程): 销售线索 → 机会建立 → 方案提供 → 方案评估 → 商务谈判 → 合同签定 → 项目实施,
plus the lost outcome 输单.

合同签定 is the won stage (the contract is signed: the deal counts as won). 项目实施 (implementation) follows
it; it is a won stage too, so a won deal may move on into implementation and still counts as won.
"""

from decimal import Decimal

from django.db import migrations

NAME = "标准销售流程"
# (name, probability %, won, lost, usual days in the stage before the deal is flagged idle)
STAGES = [
    ("销售线索", "10", False, False, 14),
    ("机会建立", "20", False, False, 14),
    ("方案提供", "40", False, False, 21),
    ("方案评估", "60", False, False, 21),
    ("商务谈判", "80", False, False, 30),
    ("合同签定", "100", True, False, None),
    ("项目实施", "100", True, False, None),
    ("输单", "0", False, True, None),
]


def create(apps, schema_editor):
    Pipeline = apps.get_model("opportunities", "Pipeline")
    Stage = apps.get_model("opportunities", "Stage")
    if Pipeline.objects.filter(name=NAME).exists():
        return
    is_default = not Pipeline.objects.filter(is_default=True).exists()
    pipeline = Pipeline.objects.create(name=NAME, is_default=is_default, active=True)
    Stage.objects.bulk_create(
        Stage(
            pipeline=pipeline,
            name=name,
            position=position,
            probability=Decimal(probability),
            is_won=won,
            is_lost=lost,
            usual_days=days,
        )
        for position, (name, probability, won, lost, days) in enumerate(STAGES, start=1)
    )


def remove(apps, schema_editor):
    Pipeline = apps.get_model("opportunities", "Pipeline")
    Opportunity = apps.get_model("opportunities", "Opportunity")
    pipeline = Pipeline.objects.filter(name=NAME).first()
    if pipeline and not Opportunity.objects.filter(pipeline=pipeline).exists():
        pipeline.delete()


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0001_add_opportunity")]

    operations = [migrations.RunPython(create, remove)]
