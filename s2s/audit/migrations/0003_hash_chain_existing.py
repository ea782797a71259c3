"""Link the audit rows written before the hash chain, in the order they were written."""

from django.db import migrations

from s2s.audit.chain import CONTENT_FIELDS, chain_content, chain_hash

BATCH = 2000


def link_existing(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous, seq, batch = "", 0, []
    rows = AuditEvent.objects.order_by("pk").values("id", *CONTENT_FIELDS).iterator(BATCH)
    for row in rows:
        seq += 1
        digest = chain_hash(previous_hash=previous, seq=seq, content=chain_content(row))
        batch.append(AuditEvent(id=row["id"], seq=seq, previous_hash=previous, hash=digest))
        previous = digest
        if len(batch) == BATCH:
            AuditEvent.objects.bulk_update(batch, ["seq", "previous_hash", "hash"])
            batch = []
    AuditEvent.objects.bulk_update(batch, ["seq", "previous_hash", "hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"length": seq, "hash": previous})


class Migration(migrations.Migration):

    dependencies = [("audit", "0002_hash_chain")]

    operations = [migrations.RunPython(link_existing, migrations.RunPython.noop)]
