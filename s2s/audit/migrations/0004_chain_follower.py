"""The chain's follower (audit/chain.py): its unchained rows, and verify's walk by position."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_hash_chain_existing'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq__gt', 0)), fields=['seq'], name='audit_chained_seq_idx'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('seq', 0)), fields=['id'], name='audit_unchained_idx'),
        ),
    ]
