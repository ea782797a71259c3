"""Who may reach the partnership pages: the school users of a member institution.

The world's school (8383321) is in a signed partnership with 6812345 and is the main
institution of a linked pupil; a partnership of 6812345 and 8384512 is nobody's of LA 838's.
MIS connectors use the API only; no LA role or agency has partnerships.
"""

from s2s.core.tests.matrix import Row

MEMBERS = frozenset({"school"})
NOBODY = frozenset()


def _own(world) -> dict:
    from s2s.partnerships.services import partnership_sign, pupil_link
    from s2s.partnerships.tests.conftest import UPN, create

    if not hasattr(world, "partnership"):
        school = world.users["school"]
        world.partnership = create(school, members=["6812345"])
        for user in (school, world.outsider_school_user):
            partnership_sign(user=user, partnership_id=world.partnership.pk)
        pupil_link(user=school, partnership_id=world.partnership.pk, upn=UPN, main="8383321",
                   links=[{"school": "6812345", "role": "guest", "courses": ["Welsh"]}])
    return {"pk": world.partnership.pk}


def _own_pupil(world) -> dict:
    from s2s.partnerships.tests.conftest import UPN

    return {**_own(world), "upn": UPN}


def _others(world) -> dict:
    from s2s.partnerships.tests.conftest import create

    if not hasattr(world, "others"):
        world.others = create(world.outsider_school_user, members=["8384512"])
    return {"pk": world.others.pk}


def _others_pupil(world) -> dict:
    from s2s.partnerships.tests.conftest import UPN

    return {**_others(world), "upn": UPN}


ROWS = [
    Row("partnerships:list", allowed=MEMBERS),
    Row("partnerships:detail", allowed=MEMBERS, kwargs=_own, label="own"),
    Row("partnerships:detail", allowed=NOBODY, kwargs=_others, label="another's"),
    Row("partnerships:sign", allowed=MEMBERS, kwargs=_own, method="post", label="own",
        redirect="partnerships:detail"),
    Row("partnerships:sign", allowed=NOBODY, kwargs=_others, method="post", label="another's"),
    Row("partnerships:renew", allowed=MEMBERS, kwargs=_own, label="own"),
    Row("partnerships:renew", allowed=NOBODY, kwargs=_others, label="another's"),
    Row("partnerships:end", allowed=MEMBERS, kwargs=_own, label="own"),
    Row("partnerships:end", allowed=NOBODY, kwargs=_others, label="another's"),
    Row("partnerships:pupils", allowed=MEMBERS, kwargs=_own, label="own"),
    Row("partnerships:pupils", allowed=NOBODY, kwargs=_others, label="another's"),
    Row("partnerships:pupil", allowed=MEMBERS, kwargs=_own_pupil, label="own pupil"),
    Row("partnerships:pupil", allowed=NOBODY, kwargs=_others_pupil, label="another's pupil"),
    Row("partnerships:pupil-csv", allowed=MEMBERS, kwargs=_own_pupil, label="own pupil"),
    Row("partnerships:pupil-csv", allowed=NOBODY, kwargs=_others_pupil,
        label="another's pupil"),
]
