from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import RequestFactory

from kehu.core.activity import Activity
from kehu.customers.choices import CustomerKind
from kehu.customers.models import Contact, Customer
from kehu.customers.services import customer_refresh_search_text
from kehu.customers.tests.factories import CustomerFactory
from kehu.customers.validators import normalize_credit_code, normalize_phone
from kehu.leads.models import Lead
from kehu.org.models import Department, User
from kehu.org.tests.factories import UserFactory
from kehu.sampledata.generator import DEMO_PASSWORD


def run_demo(**options) -> str:
    out = StringIO()
    call_command("demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def small_demo(db):
    run_demo(customers=300)


@pytest.mark.django_db
def test_demo_loads_into_an_empty_database():
    # when the demo is loaded with its defaults into an empty database
    output = run_demo()

    # then there are 2,000 customers with contacts, each with a "created" activity, and the logins are shown;
    # a few more customers came from converted demo leads
    assert Customer.objects.filter(converted_leads__isnull=True).count() == 2000
    converted = Lead.objects.filter(status="converted")
    assert converted.count() == Customer.objects.filter(converted_leads__isnull=False).count() > 0
    assert Customer.objects.filter(kind=CustomerKind.PERSON).exists()
    assert Contact.objects.count() > 2000
    assert Activity.objects.filter(verb="customer.created").count() == Customer.objects.count()
    assert Customer.history.filter(history_type="+").count() == Customer.objects.count()
    assert "DEMO ONLY" in output
    assert all(name in output for name in ("admin", "manager", "rep1", "rep2", DEMO_PASSWORD))


@pytest.mark.django_db
def test_demo_refuses_a_database_that_holds_users():
    # given a database with a real user in it
    UserFactory(username="real")

    # when the demo is loaded without --reset, then it refuses and writes nothing
    with pytest.raises(CommandError, match="--reset"):
        run_demo(customers=10)
    assert list(User.objects.values_list("username", flat=True)) == ["real"]
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_demo_if_empty_keeps_existing_data():
    owner = UserFactory(username="real")
    CustomerFactory(owner=owner)

    output = run_demo(customers=10, if_empty=True)

    assert "kept" in output
    assert Customer.objects.count() == 1
    assert list(User.objects.values_list("username", flat=True)) == ["real"]


@pytest.mark.django_db(
    transaction=True
)  # --reset flushes every table; PostgreSQL TRUNCATE wants no open trigger events
def test_demo_reset_replaces_existing_data():
    CustomerFactory(owner=UserFactory(username="real"), name="真实客户")

    run_demo(customers=50, reset=True)

    assert not User.objects.filter(username="real").exists()
    assert not Customer.objects.filter(name="真实客户").exists()
    assert Customer.objects.filter(converted_leads__isnull=True).count() == 50


def test_demo_logins_work_with_the_demo_password(small_demo):
    request = RequestFactory().post("/login/")

    for username in ("admin", "manager", "rep1", "rep2"):
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.username == username
    assert authenticate(request, username="rep1", password="wrong") is None


def test_rep1_and_rep2_are_reps_in_different_departments(small_demo):
    rep1, rep2 = User.objects.get(username="rep1"), User.objects.get(username="rep2")

    assert rep1.role.name == rep2.role.name == "Sales rep"
    assert rep1.department_id != rep2.department_id
    assert User.objects.filter(role__name="Sales rep").count() >= 8


def test_manager_heads_a_department_with_sub_departments(small_demo):
    manager = User.objects.get(username="manager")

    assert manager.role.name == "Sales manager"
    assert manager.department.name == "销售部"
    assert manager.department.manager == manager
    assert set(manager.department.children.values_list("name", flat=True)) >= {"华东区", "华南区"}
    assert Department.objects.get(name="上海一组").parent.name == "华东区"
    assert Department.objects.filter(name="客服部", parent=None).exists()


def test_admin_is_a_superuser(small_demo):
    admin = User.objects.get(username="admin")

    assert admin.is_superuser
    assert admin.is_staff


def test_every_customer_is_filed_under_its_owners_department(small_demo):
    # or sits in a shared pool, with neither owner nor department
    assert Customer.objects.filter(owner__isnull=True, pool__isnull=True).count() == 0
    assert Customer.objects.filter(pool__isnull=False).exclude(owner=None, department=None).count() == 0
    owned = Customer.objects.filter(pool__isnull=True)
    assert owned.exclude(department=F("owner__department")).count() == 0


def test_identifiers_are_valid(small_demo):
    companies = Customer.objects.filter(kind=CustomerKind.COMPANY)
    persons = Customer.objects.filter(kind=CustomerKind.PERSON)
    phones = [
        *Customer.objects.exclude(phone="").values_list("phone", flat=True),
        *Contact.objects.exclude(mobile="").values_list("mobile", flat=True),
    ]

    assert all(
        normalize_credit_code(code) == code
        for code in companies.exclude(credit_code="").values_list("credit_code", flat=True)
    )
    assert not companies.filter(credit_code="", converted_leads__isnull=True).exists()
    with_code = companies.exclude(credit_code="")
    assert with_code.values("credit_code").distinct().count() == with_code.count()
    assert not persons.exclude(credit_code="").exists()
    assert all(normalize_phone(phone) == phone for phone in phones)
    assert all(Contact.objects.filter(customer=c, is_primary=True).count() == 1 for c in companies)


def test_invalid_credit_code_would_be_caught():
    # a sanity check of the check above: a wrong check character fails
    with pytest.raises(ValidationError):
        normalize_credit_code("91310115MA1K3YJ12X")


def test_search_text_matches_what_the_service_computes(small_demo):
    for customer in Customer.objects.all():
        stored = customer.search_text
        customer_refresh_search_text(customer)
        assert customer.search_text == stored, customer.name


def test_activities_have_the_shapes_the_timeline_reads(small_demo):
    created = Activity.objects.filter(verb="customer.created").first()
    updated = Activity.objects.filter(verb="customer.updated")
    transferred = Activity.objects.filter(verb="customer.transferred")

    assert set(created.data) == {"name", "owner"}
    assert updated.exists()
    assert transferred.exists()
    for activity in updated:
        old, new = activity.data["changes"]["status"]
        # the history the demo writes, and a signed contract's approval (any status → deal)
        assert (old, new) in {
            ("potential", "intent"),
            ("intent", "deal"),
            ("potential", "deal"),
            ("lost", "deal"),
        }
    pooled = Customer.objects.filter(pool__isnull=False).values("pk")
    for activity in transferred.exclude(customer_id__in=pooled):  # not in a pool since
        customer = Customer.objects.get(pk=activity.subject_id)
        assert set(activity.data) == {"from", "to", "reason"}
        assert activity.data["to"] == str(customer.owner)
        assert activity.data["from"] != activity.data["to"]


def test_demo_leads_come_from_several_sources_and_a_new_lead_is_assigned_at_once(small_demo):
    from kehu.leads.models import AssignmentRule, WebForm
    from kehu.leads.services import lead_capture

    assert Lead.objects.values("source").distinct().count() >= 5
    assert Lead.objects.in_pool().exists()
    assert Lead.objects.exclude(duplicate_key="").exists()
    assert {"new", "assigned", "contacted", "qualified", "converted", "invalid"} <= set(
        Lead.objects.values_list("status", flat=True)
    )
    catch_all = AssignmentRule.objects.get(name="全部线索（默认）")
    assert catch_all.is_active
    assert not (catch_all.match_sources)
    assert not (catch_all.match_provinces)
    assert WebForm.objects.filter(slug="contact", is_active=True).exists()

    lead = lead_capture(actor=None, data={"name": "新客户", "phone": "13511112222", "source": "other"})
    assert lead.owner is not None
    assert lead.owner.username.startswith("rep")
