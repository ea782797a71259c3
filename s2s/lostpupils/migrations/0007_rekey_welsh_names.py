# The sound-alike key knows Welsh names (issue 17) and a Welsh patronymic gets a fused
# variant ("ap Rhys" as PRHYS): stored keys are rewritten with the current code, as
# `s2s rekey_lost_pupils` does.

from django.db import migrations


def rekey(apps, schema_editor):
    from s2s.lostpupils.services.rekey import lost_pupil_keys_recompute

    lost_pupil_keys_recompute(records=apps.get_model("lostpupils", "LostPupilRecord"),
                              names=apps.get_model("lostpupils", "LostPupilName"))


class Migration(migrations.Migration):

    dependencies = [
        ('lostpupils', '0006_name_kind_fused'),
    ]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True),
    ]
