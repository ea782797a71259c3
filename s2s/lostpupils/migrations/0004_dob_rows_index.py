# A DOB search now reads its candidates' whole rows (with name_keys) in one query: on
# PostgreSQL the DOB index carries those columns (INCLUDE), so the read is index-only. The
# swapped DOB is searched as a second DOB (dob IN ...), so its own index goes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('lostpupils', '0003_record_name_keys'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='lostpupilrecord',
            name='lpd_dob_swapped',
        ),
        migrations.RemoveIndex(
            model_name='lostpupilrecord',
            name='lpd_dob_keys',
        ),
        migrations.AddIndex(
            model_name='lostpupilrecord',
            index=models.Index(fields=['dob', 'status'], include=('id', 'upn', 'former_upn', 'surname', 'forename', 'sex', 'town', 'uploading_la', 'uploading_school', 'uploaded_at', 'surname_norm', 'forename_norm', 'forename_key', 'name_keys', 'town_norm', 'postcode_norm'), name='lpd_dob_rows'),
        ),
    ]
