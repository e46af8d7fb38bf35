"""Fill the stored balances of the statements issued before they were stored (issue 9): the
sums of each statement's payments and credit notes, in one UPDATE (SQLite and PostgreSQL).

``manage.py check_balances`` proves the result against the ledger afterwards."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round

MONEY = models.DecimalField(max_digits=14, decimal_places=2)


def fill_stored_balances(apps, schema_editor):
    Statement = apps.get_model("subsidies", "Statement")

    def total(model_name):
        rows = (
            apps.get_model("subsidies", model_name)
            .objects.filter(statement=OuterRef("pk"))
            .order_by()
            .values("statement")
            .annotate(s=Sum("amount"))
            .values("s")
        )
        summed = Coalesce(
            Subquery(rows, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY
        )
        return Round(summed, 2, output_field=MONEY)

    Statement.objects.update(amount_paid=total("Payment"), amount_credited=total("CreditNote"))


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0009_stored_balances")]

    operations = [migrations.RunPython(fill_stored_balances, migrations.RunPython.noop)]
