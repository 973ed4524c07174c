"""manage.py send_digests [--dry-run]: send today's digests now (the worker does it at 07:30 every day)."""

from django.core.management.base import BaseCommand

from kehu.workbench.digest import digests_send


class Command(BaseCommand):
    help = "Send each user's daily digest now; with --dry-run, only list who would get one."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Build the digests but send nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        addresses = digests_send(dry_run=dry_run)
        for address in addresses:
            self.stdout.write(address)
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(self.style.SUCCESS(f"{len(addresses)} digests {verb}."))
