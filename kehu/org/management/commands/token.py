"""`kehu token create USERNAME [--name NAME] [--days N]`: issue a personal API token from the shell."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from kehu.core.exceptions import DomainError
from kehu.org.models import User
from kehu.org.services import api_token_create


class Command(BaseCommand):
    help = "Manage personal API tokens. `token create USERNAME` prints a new token once."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create an API token for a user and print it.")
        create.add_argument("username", help="The user the token acts as.")
        create.add_argument("--name", default="command line", help="A label to recognise the token by.")
        create.add_argument(
            "--days", type=int, default=None, help="Expire after this many days (default: never)."
        )

    def handle(self, *args, action: str, **options):
        if action == "create":
            self.create(options["username"], options["name"], options["days"])

    def create(self, username: str, name: str, days: int | None) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive; an API token for them would not work.")
        if days is not None and days < 1:
            raise CommandError("--days must be 1 or more.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, raw = api_token_create(actor=user, user=user, name=name, expires_at=expires_at)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(
            f"API token {token.name!r} for {username} created"
            + (f", expires {expires_at:%Y-%m-%d}" if expires_at else "")
            + ". It is shown only now: store it safely. Send it as `Authorization: Bearer <token>`."
        )
        self.stdout.write(raw)
