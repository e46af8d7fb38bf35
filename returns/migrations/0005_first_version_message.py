# The first-version constraint's message: returns.domain.already_filed (no database change).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0004_owed_return_order"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name="progressreturn",
            name="return_one_first_version",
            constraint=models.UniqueConstraint(
                condition=models.Q(("amends__isnull", True)),
                fields=("company", "park", "quarter"),
                name="return_one_first_version",
                violation_error_message="This return has already been filed: amend it instead.",
            ),
        ),
    ]
