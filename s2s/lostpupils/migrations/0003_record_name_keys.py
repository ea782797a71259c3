# The record carries a copy of its surname variants (LostPupilName rows), so a UPN or DOB
# search reads its candidates in one query. Existing records are filled from their rows.

from itertools import groupby

from django.db import migrations, models

BATCH = 10_000


def fill_name_keys(apps, schema_editor):
    """Copy each record's LostPupilName rows, in their order, into its name_keys."""
    LostPupilName = apps.get_model("lostpupils", "LostPupilName")
    LostPupilRecord = apps.get_model("lostpupils", "LostPupilRecord")
    connection = schema_editor.connection
    table = connection.ops.quote_name(LostPupilRecord._meta.db_table)
    rows = (LostPupilName.objects.order_by("record_id", "id")
            .values_list("record_id", "kind", "name", "key").iterator(chunk_size=BATCH))
    batch = []
    with connection.cursor() as cursor:
        for record_id, names in groupby(rows, key=lambda row: row[0]):
            text = " ".join(f"{kind}:{name}:{key}" for _id, kind, name, key in names)
            batch.append((text, record_id))
            if len(batch) == BATCH:
                cursor.executemany(f"UPDATE {table} SET name_keys = %s WHERE id = %s", batch)
                batch = []
        if batch:
            cursor.executemany(f"UPDATE {table} SET name_keys = %s WHERE id = %s", batch)


class Migration(migrations.Migration):

    dependencies = [
        ('lostpupils', '0002_covering_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='lostpupilrecord',
            name='name_keys',
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
    ]
