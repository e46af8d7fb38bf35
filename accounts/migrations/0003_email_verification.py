from django.db import migrations, models
from django.utils import timezone


def grandfather_existing_addresses(apps, schema_editor):
    # Accounts made before sign-up verified addresses keep working as they did.
    apps.get_model("accounts", "User").objects.filter(email_verified_at=None).update(
        email_verified_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_admin_only_pseb"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_verified_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(grandfather_existing_addresses, migrations.RunPython.noop),
        # API tokens were kept in plain text by rest_framework.authtoken; they are now hashed
        # by django-rest-knox, and the old ones must not linger in the database.
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
    ]
