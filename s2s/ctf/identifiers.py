"""Pupil and place identifiers: UPN, ULN and UCI check characters, and the LA code list.

Sources: DESIGN.md, "The CTF format, in brief" (the check rules and their test vectors) and
the DfE's list of local authority numbers (England) and the Welsh Government's (660-681).
"""

from dataclasses import dataclass

from s2s.ctf.words import _

# The 23 letters of the UPN check table; I, O and S are left out to avoid misreading.
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# The 17 letters of the UCI check table (JCQ).
UCI_LETTERS = "ABCDEFGHKLMRTVWXY"

# Local authorities in England and Wales, by number. Names are for people reading reports.
LA_NAMES: dict[str, str] = {
    "201": "City of London", "202": "Camden", "203": "Greenwich", "204": "Hackney",
    "205": "Hammersmith and Fulham", "206": "Islington", "207": "Kensington and Chelsea",
    "208": "Lambeth", "209": "Lewisham", "210": "Southwark", "211": "Tower Hamlets",
    "212": "Wandsworth", "213": "Westminster",
    "301": "Barking and Dagenham", "302": "Barnet", "303": "Bexley", "304": "Brent",
    "305": "Bromley", "306": "Croydon", "307": "Ealing", "308": "Enfield", "309": "Haringey",
    "310": "Harrow", "311": "Havering", "312": "Hillingdon", "313": "Hounslow",
    "314": "Kingston upon Thames", "315": "Merton", "316": "Newham", "317": "Redbridge",
    "318": "Richmond upon Thames", "319": "Sutton", "320": "Waltham Forest",
    "330": "Birmingham", "331": "Coventry", "332": "Dudley", "333": "Sandwell",
    "334": "Solihull", "335": "Walsall", "336": "Wolverhampton",
    "340": "Knowsley", "341": "Liverpool", "342": "St Helens", "343": "Sefton", "344": "Wirral",
    "350": "Bolton", "351": "Bury", "352": "Manchester", "353": "Oldham", "354": "Rochdale",
    "355": "Salford", "356": "Stockport", "357": "Tameside", "358": "Trafford", "359": "Wigan",
    "370": "Barnsley", "371": "Doncaster", "372": "Rotherham", "373": "Sheffield",
    "380": "Bradford", "381": "Calderdale", "382": "Kirklees", "383": "Leeds",
    "384": "Wakefield",
    "390": "Gateshead", "391": "Newcastle upon Tyne", "392": "North Tyneside",
    "393": "South Tyneside", "394": "Sunderland",
    "420": "Isles of Scilly",
    "660": "Isle of Anglesey", "661": "Gwynedd", "662": "Conwy", "663": "Denbighshire",
    "664": "Flintshire", "665": "Wrexham", "666": "Powys", "667": "Ceredigion",
    "668": "Pembrokeshire", "669": "Carmarthenshire", "670": "Swansea",
    "671": "Neath Port Talbot", "672": "Bridgend", "673": "Vale of Glamorgan",
    "674": "Rhondda Cynon Taf", "675": "Merthyr Tydfil", "676": "Caerphilly",
    "677": "Blaenau Gwent", "678": "Torfaen", "679": "Monmouthshire", "680": "Newport",
    "681": "Cardiff",
    "800": "Bath and North East Somerset", "801": "Bristol", "802": "North Somerset",
    "803": "South Gloucestershire", "805": "Hartlepool", "806": "Middlesbrough",
    "807": "Redcar and Cleveland", "808": "Stockton-on-Tees", "810": "Kingston upon Hull",
    "811": "East Riding of Yorkshire", "812": "North East Lincolnshire",
    "813": "North Lincolnshire", "815": "North Yorkshire", "816": "York", "821": "Luton",
    "822": "Bedford", "823": "Central Bedfordshire", "825": "Buckinghamshire",
    "826": "Milton Keynes", "830": "Derbyshire", "831": "Derby",
    "838": "Dorset", "839": "Bournemouth, Christchurch and Poole",
    "840": "County Durham", "841": "Darlington", "845": "East Sussex",
    "846": "Brighton and Hove", "850": "Hampshire", "851": "Portsmouth",
    "852": "Southampton", "855": "Leicestershire", "856": "Leicester", "857": "Rutland",
    "860": "Staffordshire", "861": "Stoke-on-Trent", "865": "Wiltshire", "866": "Swindon",
    "867": "Bracknell Forest", "868": "Windsor and Maidenhead", "869": "West Berkshire",
    "870": "Reading", "871": "Slough", "872": "Wokingham", "873": "Cambridgeshire",
    "874": "Peterborough", "876": "Halton", "877": "Warrington", "878": "Devon",
    "879": "Plymouth", "880": "Torbay", "881": "Essex", "882": "Southend-on-Sea",
    "883": "Thurrock", "884": "Herefordshire", "885": "Worcestershire", "886": "Kent",
    "887": "Medway", "888": "Lancashire", "889": "Blackburn with Darwen", "890": "Blackpool",
    "891": "Nottinghamshire", "892": "Nottingham", "893": "Shropshire",
    "894": "Telford and Wrekin", "895": "Cheshire East", "896": "Cheshire West and Chester",
    "908": "Cornwall", "916": "Gloucestershire", "919": "Hertfordshire",
    "921": "Isle of Wight", "925": "Lincolnshire", "926": "Norfolk", "929": "Northumberland",
    "931": "Oxfordshire", "933": "Somerset", "935": "Suffolk", "936": "Surrey",
    "937": "Warwickshire", "938": "West Sussex",
    "940": "North Northamptonshire", "941": "West Northamptonshire", "942": "Cumberland",
    "943": "Westmorland and Furness",
}

# Authorities that have been replaced. UPNs are for life, so a UPN they allocated stays valid,
# but no file is addressed to them any more.
FORMER_LA_NAMES: dict[str, str] = {
    "835": "Dorset (until 2019)", "836": "Poole (until 2019)",
    "837": "Bournemouth (until 2019)", "909": "Cumbria (until 2023)",
    "928": "Northamptonshire (until 2021)",
}

WELSH_LA_CODES = frozenset(str(n) for n in range(660, 682))


def is_la_code(*, code: str) -> bool:
    """Return whether `code` is the number of a current LA in England or Wales."""
    return code in LA_NAMES


def la_name(*, code: str) -> str | None:
    """Return the name of the LA with this number, current or former, or None."""
    return LA_NAMES.get(code) or FORMER_LA_NAMES.get(code)


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of checking one identifier: ok, or a problem a person can act on."""

    value: str
    ok: bool
    problem: str = ""  # a Text when not ok
    temporary: bool = False


def _digits(text: str) -> bool:
    # str.isdigit() also accepts digits of other scripts, which no identifier uses.
    return text.isascii() and text.isdigit()


# Each character's value in the UPN check: digits their own, letters their place in the table.
_UPN_VALUES = {str(digit): digit for digit in range(10)} | {
    letter: place for place, letter in enumerate(UPN_LETTERS)
}


def upn_check_letter(*, body: str) -> str:
    """Return the check letter for UPN characters 2-13 (DESIGN.md, CTF format: UPN)."""
    if len(body) != 12:
        raise ValueError("a UPN body is 12 characters")
    try:
        total = sum(map(int.__mul__, range(2, 14), map(_UPN_VALUES.__getitem__, body)))
    except KeyError:
        raise ValueError(f"'{body}' holds a character a UPN never has") from None
    return UPN_LETTERS[total % 23]


def make_upn(
    *, la: str, establishment: str, year: int, serial: int, temporary: bool = False
) -> str:
    """Return a UPN with its check letter; a temporary one ends in a letter (serial 0-22)."""
    last = UPN_LETTERS[serial % 23] if temporary else ""
    width = 2 if temporary else 3
    body = f"{la}{establishment}{year % 100:02d}{serial % 10**width:0{width}d}{last}"
    return upn_check_letter(body=body) + body


def upn_check(*, upn: str) -> Check:
    """Check a UPN: 13 characters, the LA code, and the check letter (DESIGN.md, CTF format)."""
    if len(upn) != 13:
        return Check(upn, False, _("UPN '%(upn)s' is %(length)s characters; a UPN has 13",
                                       upn=upn, length=len(upn)))
    temporary = upn[12] in UPN_LETTERS
    digits = upn[1:12] if temporary else upn[1:13]
    if upn[0] not in UPN_LETTERS or not _digits(digits):
        return Check(
            upn, False,
            _("UPN '%(upn)s' must be a check letter, 11 digits and a final digit or letter "
              "(no I, O or S)", upn=upn),
            temporary,
        )
    la = upn[1:4]
    if la_name(code=la) is None:
        return Check(upn, False, _("UPN '%(upn)s' has '%(la)s' in characters 2-4, which is "
                                   "not an LA number in England or Wales", upn=upn, la=la),
                     temporary)
    expected = upn_check_letter(body=upn[1:])
    if upn[0] != expected:
        return Check(upn, False, _("UPN '%(upn)s' has the wrong check letter: '%(letter)s' "
                                   "where the digits give '%(expected)s'", upn=upn,
                                   letter=upn[0], expected=expected), temporary)
    return Check(upn, True, temporary=temporary)


# For the fast checks: the LA numbers a UPN may carry, and the weights of the check sums.
_UPN_LAS = frozenset(LA_NAMES) | frozenset(FORMER_LA_NAMES)
_UPN_WEIGHTS = range(2, 14)
_ULN_WEIGHTS = range(10, 1, -1)


def upn_valid(upn: str) -> bool:
    """Return `upn_check(upn=upn).ok` without building the Check: the valid case, made fast."""
    if len(upn) != 13 or upn[0] not in UPN_LETTERS or upn[1:4] not in _UPN_LAS:
        return False
    last = upn[12]
    digits = upn[1:12] if last in UPN_LETTERS else upn[1:13]
    if not (digits.isascii() and digits.isdigit()):
        return False
    # An ASCII digit's code is 48 more than its value; a temporary UPN's last letter has its
    # value from the table.
    total = sum(map(int.__mul__, upn[1:12].encode(), _UPN_WEIGHTS)) - 48 * 77
    total += 13 * _UPN_VALUES[last]
    return upn[0] == UPN_LETTERS[total % 23]


def uln_check_digit(*, body: str) -> int | None:
    """Return the ULN check digit for its first 9 digits, or None if none can be valid."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    remainder = total % 11
    return None if remainder == 0 else 10 - remainder


def uln_check(*, uln: str) -> Check:
    """Check a ULN: 10 digits, the first not 0, and the mod-11 check digit (DESIGN.md)."""
    if len(uln) != 10 or not _digits(uln) or uln[0] == "0":
        return Check(uln, False, _("ULN '%(uln)s' must be 10 digits, the first not 0", uln=uln))
    expected = uln_check_digit(body=uln[:9])
    if expected is None or str(expected) != uln[9]:
        return Check(uln, False, _("ULN '%(uln)s' has the wrong check digit", uln=uln))
    return Check(uln, True)


def uln_valid(uln: str) -> bool:
    """Return `uln_check(uln=uln).ok` without building the Check: the valid case, made fast."""
    if len(uln) != 10 or not (uln.isascii() and uln.isdigit()) or uln[0] == "0":
        return False
    remainder = (sum(map(int.__mul__, uln[:9].encode(), _ULN_WEIGHTS)) - 48 * 54) % 11
    return remainder != 0 and uln[9] == "9876543210"[remainder - 1]


def uci_check_letter(*, body: str) -> str:
    """Return the UCI check letter for its first 12 digits (weights 16 to 5, mod 17)."""
    total = sum(int(d) * w for d, w in zip(body, range(16, 4, -1), strict=True))
    return UCI_LETTERS[total % 17]


def uci_check(*, uci: str) -> Check:
    """Check a UCI: 13 characters, the last a check letter over the first 12 (DESIGN.md)."""
    if len(uci) != 13 or not _digits(uci[:5]) or not _digits(uci[6:12]):
        return Check(uci, False, _("UCI '%(uci)s' must be 13 characters: 12 digits and a letter",
                                   uci=uci))
    if not _digits(uci[5]):
        # Some awarding bodies put a letter in character 6; its weight is not published.
        return Check(uci, True)
    expected = uci_check_letter(body=uci[:12])
    if uci[12] != expected:
        return Check(uci, False, _("UCI '%(uci)s' has the wrong check letter: '%(letter)s' "
                                   "where the digits give '%(expected)s'", uci=uci,
                                   letter=uci[12], expected=expected))
    return Check(uci, True)
