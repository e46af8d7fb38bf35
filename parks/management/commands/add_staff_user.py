from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.vocabulary import Role
from parks.services import staff_user_create_with_parks


class Command(BaseCommand):
    help = "Create a PSEB staff account, or a park manager of one or more parks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument("--role", required=True, choices=[Role.PSEB, Role.PARK_MANAGER])
        parser.add_argument("--park", action="append", default=[], metavar="CODE")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options) -> None:
        try:
            user = staff_user_create_with_parks(
                username=options["username"],
                password=options["password"],
                role=options["role"],
                park_codes=options["park"],
                email=options["email"],
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise CommandError("; ".join(" ".join(v) for v in messages.values())) from exc
        parks = ", ".join(user.park_assignments.values_list("park__code", flat=True))
        suffix = f" of {parks}" if parks else ""
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.get_role_display()} {user.username}{suffix}.")
        )
