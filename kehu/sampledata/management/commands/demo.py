"""`kehu demo`: migrate, then load the demo organisation and customers into a new or empty database."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kehu.sampledata.generator import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    DEMO_PASSWORD,
    LOGINS,
    database_has_data,
    demo_load,
)

REFUSAL = (
    "This database already holds users or customers, so the demo data was not loaded: "
    "it must never be mixed into real data. To ERASE EVERYTHING in this database and load the "
    "demo, run `kehu demo --reset`."
)


class Command(BaseCommand):
    help = "Migrate the database, then load demo data (departments, users, ~2,000 customers). DEMO ONLY."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Erase every row in the database first (manage.py flush), then load the demo.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="If the database already holds data, keep it and exit successfully (for `make demo`).",
        )
        parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS, help="How many customers.")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="Random seed (same seed, same data)."
        )

    def handle(
        self, *args, reset: bool, if_empty: bool, customers: int, seed: int, verbosity: int, **options
    ):
        if customers < 0:
            raise CommandError("--customers must be 0 or more.")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        if database_has_data():
            if reset:
                self.stdout.write("Erasing every row in the database (--reset)…")
                call_command("flush", interactive=False, verbosity=0)
            elif if_empty:
                self.stdout.write("The database already holds data; kept as it is (no demo data loaded).")
                self.print_logins(intro="If it holds the demo data, these logins work:")
                return
            else:
                raise CommandError(REFUSAL)
        summary = demo_load(customers=customers, seed=seed)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {summary.seconds:.1f} s: {summary.departments} departments, "
                f"{summary.users} users, {summary.customers:,} customers, {summary.contacts:,} contacts, "
                f"{summary.activities:,} activities, {summary.leads:,} leads, "
                f"{summary.followups:,} follow-ups, {summary.pooled:,} customers in the shared pools, "
                f"{summary.opportunities:,} opportunities, {summary.products} products, "
                f"{summary.quotes} quotes, {summary.orders:,} sales orders, {summary.contracts} contracts."
            )
        )
        self.print_logins(intro="Demo logins:")

    def print_logins(self, *, intro: str) -> None:
        warning = (
            "DEMO ONLY: these logins and their password are public. Never use them on a real installation."
        )
        self.stdout.write("")
        self.stdout.write(self.style.WARNING(warning))
        self.stdout.write(intro)
        self.stdout.write(f"  {'username':<10} {'password':<11} who")
        for username, who in LOGINS:
            self.stdout.write(f"  {username:<10} {DEMO_PASSWORD:<11} {who}")
        self.stdout.write(
            "  (more: director, east, south, north, lead_sh2 … lead_bj, rep3 … rep12, ops, service)"
        )
        self.stdout.write("")
