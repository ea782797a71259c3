"""Seeded pupils for the matcher's quality tests and benchmark: a roll, lost pupils, the truth.

The pupils come from the CTF library's generator (`ctf/synthetic.PupilFactory`: its names,
dates of birth, UPNs and addresses). A lost pupil is a child on the roll as the old school
wrote them, the roll row as the new school did, with realistic differences between the two
(`NOISE`): a typo in either name, a nickname, a day/month swap or a digit off in the DOB, a
surname change (the roll's former surname sometimes kept), a hyphenated surname on one side
only, forename and surname swapped, a missing UPN, a moved home (new postcode, often in the
same district), a blank sex. Some lost pupils are on no roll at all, and some roll pupils are
the lost pupils' twins (same surname, DOB and address, another forename and UPN): the pairs a
matcher must not take.
"""

import random
from dataclasses import dataclass, field
from datetime import date

from s2s.ctf.synthetic import PupilFactory

NOISE = ("typo", "nickname", "day_month_swap", "digit_off", "surname_change", "hyphenated",
         "names_swapped", "missing_upn", "moved", "moved_district", "blank_sex")


@dataclass
class Sample:
    """Two lists of pupil dicts (`engine.RAW_COLUMNS`) and the true pairs between them."""

    lost: list[dict] = field(default_factory=list)
    roll: list[dict] = field(default_factory=list)
    truth: set[tuple[str, str]] = field(default_factory=set)
    noise: dict[str, list[str]] = field(default_factory=dict)


def _record(pupil, ident: str) -> dict:
    address = pupil.address
    return {
        "id": ident, "upn": pupil.upn or "", "former_upn": "", "forename": pupil.forename,
        "middle_names": pupil.middle_names or "", "surname": pupil.surname,
        "preferred_surname": "", "former_surname": "", "dob": pupil.dob, "sex": pupil.sex,
        "postcode": address.postcode if address else "", "town": address.town if address else "",
    }


class Noiser:
    """Writes the differences between two records of one child."""

    def __init__(self, factory: PupilFactory, rng: random.Random):
        self.factory = factory
        self.random = rng
        self.nicknames = {}
        from s2s.ctf.synthetic import _table

        for formal, nicks in _table("nicknames.txt"):
            self.nicknames[formal] = nicks.split(",")

    def typo(self, lost: dict, roll: dict) -> None:
        target = self.random.choice((lost, roll))
        name = self.random.choice(("forename", "surname"))
        target[name] = self.factory._typo(target[name])

    def nickname(self, lost: dict, roll: dict) -> None:
        nicks = self.nicknames.get(lost["forename"])
        if nicks:
            roll["forename"] = self.random.choice(nicks)
        else:
            self.typo(lost, roll)

    def day_month_swap(self, lost: dict, roll: dict) -> None:
        dob = lost["dob"]
        if int(dob[8:10]) <= 12 and dob[5:7] != dob[8:10]:
            roll["dob"] = f"{dob[:4]}-{dob[8:10]}-{dob[5:7]}"

    def digit_off(self, lost: dict, roll: dict) -> None:
        dob = date.fromisoformat(lost["dob"])
        day = dob.day + self.random.choice((-1, 1))
        if 1 <= day <= 28:
            roll["dob"] = dob.replace(day=day).isoformat()

    def surname_change(self, lost: dict, roll: dict) -> None:
        old = roll["surname"]
        while roll["surname"] == old:
            roll["surname"] = self.factory.surname()
        if self.random.random() < 0.5:
            roll["former_surname"] = old

    def hyphenated(self, lost: dict, roll: dict) -> None:
        other = self.factory.surname()
        target = self.random.choice((lost, roll))
        if other != target["surname"]:
            target["surname"] = f"{target['surname']}-{other}"

    def names_swapped(self, lost: dict, roll: dict) -> None:
        roll["forename"], roll["surname"] = roll["surname"], roll["forename"]

    def missing_upn(self, lost: dict, roll: dict) -> None:
        self.random.choice((lost, roll))["upn"] = ""

    def moved(self, lost: dict, roll: dict) -> None:
        address = self.factory._address()
        roll["postcode"], roll["town"] = address.postcode, address.town

    def moved_district(self, lost: dict, roll: dict) -> None:
        outward = roll["postcode"].split(" ")[0]
        roll["postcode"] = f"{outward} {self.random.randrange(10)}" + "".join(
            self.random.choices("ABDEFGHJLNPQRSTUWXYZ", k=2))

    def blank_sex(self, lost: dict, roll: dict) -> None:
        self.random.choice((lost, roll))["sex"] = ""

    def apply(self, lost: dict, roll: dict) -> list[str]:
        """Write one to three differences (weighted towards one) and return their kinds."""
        kinds = self.random.sample(NOISE, self.random.choice((1, 1, 1, 2, 2, 3)))
        for kind in kinds:
            getattr(self, kind)(lost, roll)
        return kinds


def sample(*, lost: int, roll: int, seed: int, found: float = 0.8, twins: float = 0.02,
           today: date = date(2026, 12, 6)) -> Sample:
    """Return `lost` lost pupils (`found` of them on the roll) and a roll of `roll` pupils."""
    rng = random.Random(seed)
    factory = PupilFactory(seed=seed, source="8381234", today=today)
    noiser = Noiser(factory, rng)
    result = Sample()
    n_found = int(lost * found)
    taken = set()
    for i in range(roll):
        result.roll.append(_record(factory.pupil(), f"r{i}"))
    for i in range(lost):
        ident = f"l{i}"
        if i < n_found:
            roll_row = result.roll[rng.randrange(roll)]
            while roll_row["id"] in taken:
                roll_row = result.roll[rng.randrange(roll)]
            taken.add(roll_row["id"])
            lost_row = dict(roll_row, id=ident)
            result.noise[ident] = noiser.apply(lost_row, roll_row)
            result.truth.add((ident, roll_row["id"]))
            if rng.random() < twins:
                twin = _record(factory.pupil(), f"r{len(result.roll)}")
                for name in ("surname", "dob", "postcode", "town", "former_surname"):
                    twin[name] = roll_row[name]
                while twin["forename"][:1] in (roll_row["forename"][:1], lost_row["forename"][:1]):
                    twin["forename"] = factory.pupil().forename
                result.roll.append(twin)
        else:
            lost_row = _record(factory.pupil(), ident)
        result.lost.append(lost_row)
    return result


def scores(pairs: list[dict], truth: set[tuple[str, str]]) -> dict:
    """Return precision of "match", recall of match+possible, and F1, against the truth."""
    matches = {(p["left_id"], p["right_id"]) for p in pairs if p["band"] == "match"}
    proposed = {(p["left_id"], p["right_id"]) for p in pairs}
    precision = len(matches & truth) / len(matches) if matches else 1.0
    recall = len(proposed & truth) / len(truth) if truth else 1.0
    all_precision = len(proposed & truth) / len(proposed) if proposed else 1.0
    f1 = (2 * all_precision * recall / (all_precision + recall)
          if all_precision + recall else 0.0)
    match_recall = len(matches & truth) / len(truth) if truth else 1.0
    return {"match_precision": precision, "recall": recall, "precision": all_precision,
            "f1": f1, "match_recall": match_recall, "matches": len(matches),
            "proposed": len(proposed), "true": len(truth)}
