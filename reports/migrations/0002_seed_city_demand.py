"""The brochure's registered IT/ITeS companies per city (domain.md §7.7), as PSEB's first
figures: Faisalabad 455, Gilgit 87, Quetta 113, Sukkur 40. A city PSEB already recorded is
left as it is."""

from django.db import migrations

BROCHURE = [
    ("Faisalabad", "punjab", 455),
    ("Gilgit", "gb", 87),
    ("Quetta", "balochistan", 113),
    ("Sukkur", "sindh", 40),
]


def seed(apps, schema_editor):
    CityDemand = apps.get_model("reports", "CityDemand")
    for city, province, registered in BROCHURE:
        if not CityDemand.objects.filter(city__iexact=city).exists():
            CityDemand.objects.create(city=city, province=province, registered_companies=registered)


def unseed(apps, schema_editor):
    CityDemand = apps.get_model("reports", "CityDemand")
    for city, _, registered in BROCHURE:
        CityDemand.objects.filter(city=city, registered_companies=registered).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
