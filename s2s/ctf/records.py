"""The CTF as data: dataclasses for a header and its pupils, and their XML elements.

Element names and order follow DESIGN.md, "The CTF format, in brief". The writer turns these
into XML and the round-trip tests read them back; the hub's own index is `reader.PupilIndex`.
"""

from dataclasses import dataclass, field

from lxml import etree

# CTF 25 renamed the pupil's <Gender> to <Sex>.
FIRST_VERSION_WITH_SEX = 25


@dataclass(slots=True)
class HeaderData:
    """What a CTF header says: the document, the school it comes from and where it goes."""

    source_la: str
    source_establishment: str
    destination_la: str
    destination_establishment: str
    version: str = "26.0"
    date_time: str = "2026-11-27T09:00:00"
    document_qualifier: str = "full"
    data_qualifier: str | None = None
    data_descriptor: str | None = None
    supplier_id: str = "s2s"
    source_urn: str | None = None
    source_name: str | None = None
    academic_year: str | None = None
    destination_urn: str | None = None
    document_name: str = "Common Transfer File"

    @property
    def sex_tag(self) -> str:
        """Return the element name for the pupil's sex in this version: Sex or Gender."""
        try:
            major = int(self.version.split(".")[0])
        except ValueError:
            return "Sex"
        return "Sex" if major >= FIRST_VERSION_WITH_SEX else "Gender"


@dataclass(slots=True)
class Address:
    """A BS7666 address; PAON and SAON keep any padding they came with."""

    paon: str | None = None
    saon: str | None = None
    street: str | None = None
    locality: str | None = None
    town: str | None = None
    county: str | None = None
    postcode: str | None = None


@dataclass(slots=True)
class Phone:
    kind: str
    number: str


@dataclass(slots=True)
class Contact:
    """A parent or carer."""

    order: int
    title: str | None
    surname: str
    forename: str
    relationship: str
    responsibility: bool
    phones: list[Phone] = field(default_factory=list)
    email: str | None = None


@dataclass(slots=True)
class AttendanceYear:
    year: str
    la: str
    establishment: str
    sessions_possible: int
    sessions_authorised: int
    sessions_attended: int
    sessions_unauthorised: int


@dataclass(slots=True)
class Assessment:
    stage: str
    year: str
    subject: str
    method: str
    component: str
    result: str
    result_date: str | None = None


@dataclass(slots=True)
class SchoolRecord:
    la: str
    establishment: str
    name: str | None
    entry_date: str
    leaving_date: str | None = None
    leaving_reason: str | None = None


@dataclass(slots=True)
class PupilData:
    """One pupil's record as the writer writes it."""

    upn: str | None
    surname: str
    forename: str
    dob: str
    sex: str
    uln: str | None = None
    uci: str | None = None
    former_upn: str | None = None
    preferred_surname: str | None = None
    preferred_forename: str | None = None
    former_surname: str | None = None
    middle_names: str | None = None
    nc_year: str | None = None
    ethnicity: str | None = None
    language: str | None = None
    enrol_status: str | None = "C"
    address: Address | None = None
    phones: list[Phone] = field(default_factory=list)
    email: str | None = None
    contacts: list[Contact] = field(default_factory=list)
    attendance: list[AttendanceYear] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    schools: list[SchoolRecord] = field(default_factory=list)


# A node of the tree the writer renders: (tag, text) for a leaf, (tag, [nodes]) for a block.
Node = tuple[str, "str | list[Node]"]
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _leaves(*pairs: tuple[str, object]) -> list[Node]:
    nodes: list[Node] = []
    for tag, value in pairs:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        nodes.append((tag, str(value)))
    return nodes


def render(*, node: Node, indent: str = "") -> str:
    """Return a node as indented XML text, escaping its text."""
    tag, value = node
    if isinstance(value, str):
        return f"{indent}<{tag}>{value.translate(_ESCAPES)}</{tag}>\n"
    inner = "".join(render(node=child, indent=indent + "  ") for child in value)
    return f"{indent}<{tag}>\n{inner}{indent}</{tag}>\n"


def header_node(*, header: HeaderData, version_tag: str = "CTFversion") -> Node:
    """Return the `<Header>` tree of a header."""
    source = _leaves(
        ("LEA", header.source_la), ("Estab", header.source_establishment),
        ("URN", header.source_urn), ("SchoolName", header.source_name),
        ("AcademicYear", header.academic_year),
    )
    dest = _leaves(
        ("LEA", header.destination_la), ("Estab", header.destination_establishment),
        ("URN", header.destination_urn),
    )
    return ("Header", [
        *_leaves(
            ("DocumentName", header.document_name), (version_tag, header.version),
            ("DateTime", header.date_time), ("DocumentQualifier", header.document_qualifier),
            ("DataQualifier", header.data_qualifier), ("DataDescriptor", header.data_descriptor),
            ("SupplierID", header.supplier_id),
        ),
        ("SourceSchool", source), ("DestSchool", dest),
    ])


def _phones(phones: list[Phone]) -> list[Node]:
    if not phones:
        return []
    return [("Phones", [
        ("Phone", _leaves(("TelephoneType", p.kind), ("PhoneNo", p.number))) for p in phones
    ])]


def _basic_details(pupil: PupilData) -> Node:
    nodes = _leaves(
        ("FormerUPN", pupil.former_upn), ("PreferredSurname", pupil.preferred_surname),
        ("PreferredForename", pupil.preferred_forename), ("FormerSurname", pupil.former_surname),
        ("MiddleNames", pupil.middle_names), ("NCyearActual", pupil.nc_year),
        ("Ethnicity", pupil.ethnicity),
    )
    if pupil.language:
        nodes.append(("Languages", [
            ("Type", [("LanguageType", "F"), ("Language", pupil.language)])
        ]))
    nodes += _leaves(("EnrolStatus", pupil.enrol_status))
    return ("BasicDetails", nodes)


def _address(address: Address) -> Node:
    bs7666 = _leaves(
        ("SAON", address.saon), ("PAON", address.paon), ("Street", address.street),
        ("Locality", address.locality), ("Town", address.town),
    )
    return ("Address", [
        ("BS7666Address", bs7666),
        *_leaves(("County", address.county), ("PostCode", address.postcode)),
    ])


def _contact(contact: Contact) -> Node:
    return ("Contact", [
        *_leaves(
            ("Order", contact.order), ("Title", contact.title), ("Surname", contact.surname),
            ("Forename", contact.forename), ("Relationship", contact.relationship),
            ("Responsibility", contact.responsibility),
        ),
        ("Address", [("AddressAsPupil", "true")]),
        *_phones(contact.phones),
        *_leaves(("Email", contact.email)),
    ])


def _year(year: AttendanceYear) -> Node:
    return ("YearData", _leaves(
        ("Year", year.year), ("LEA", year.la), ("Estab", year.establishment),
        ("SessionsPossible", year.sessions_possible),
        ("SessionsAuthorised", year.sessions_authorised),
        ("SessionsAttended", year.sessions_attended),
        ("SessionsUnauthorised", year.sessions_unauthorised),
    ))


def _assessments(assessments: list[Assessment]) -> Node:
    stages: dict[str, list[Node]] = {}
    for item in assessments:
        stages.setdefault(item.stage, [("Stage", item.stage)]).append(("StageAssessment", _leaves(
            ("Locale", "ENG"), ("Year", item.year), ("Subject", item.subject),
            ("Method", item.method), ("Component", item.component), ("ResultStatus", "R"),
            ("Result", item.result), ("ResultDate", item.result_date),
        )))
    return ("StageAssessments", [("KeyStage", nodes) for nodes in stages.values()])


def _school(school: SchoolRecord) -> Node:
    return ("School", _leaves(
        ("LEA", school.la), ("Estab", school.establishment), ("SchoolName", school.name),
        ("EntryDate", school.entry_date), ("LeavingDate", school.leaving_date),
        ("LeavingReason", school.leaving_reason),
    ))


def pupil_node(*, pupil: PupilData, sex_tag: str = "Sex") -> Node:
    """Return the `<Pupil>` tree of a pupil, in the CTF's element order."""
    nodes = _leaves(
        ("UPN", pupil.upn), ("UniqueLearnerNumber", pupil.uln), ("UCI", pupil.uci),
        ("Surname", pupil.surname), ("Forename", pupil.forename), ("DOB", pupil.dob),
        (sex_tag, pupil.sex),
    )
    nodes.append(_basic_details(pupil))
    if pupil.address is not None:
        nodes.append(_address(pupil.address))
    nodes += _phones(pupil.phones) + _leaves(("Email", pupil.email))
    if pupil.contacts:
        nodes.append(("Contacts", [_contact(c) for c in pupil.contacts]))
    if pupil.attendance:
        nodes.append(("Attendance", [_year(y) for y in pupil.attendance]))
    if pupil.assessments:
        nodes.append(_assessments(pupil.assessments))
    if pupil.schools:
        nodes.append(("SchoolHistory", [_school(s) for s in pupil.schools]))
    return ("Pupil", nodes)


def pupil_element(*, pupil: PupilData, sex_tag: str = "Sex") -> etree._Element:
    """Return the `<Pupil>` element for a pupil."""
    return etree.fromstring(render(node=pupil_node(pupil=pupil, sex_tag=sex_tag)))


def _int(text: str | None) -> int:
    return int(text) if text else 0


def _read_phones(element: etree._Element) -> list[Phone]:
    return [
        Phone(kind=p.findtext("TelephoneType"), number=p.findtext("PhoneNo"))
        for p in element.iterfind("Phones/Phone")
    ]


def _read_address(element: etree._Element | None) -> Address | None:
    if element is None:
        return None
    return Address(
        paon=element.findtext("BS7666Address/PAON"),
        saon=element.findtext("BS7666Address/SAON"),
        street=element.findtext("BS7666Address/Street"),
        locality=element.findtext("BS7666Address/Locality"),
        town=element.findtext("BS7666Address/Town"),
        county=element.findtext("County"),
        postcode=element.findtext("PostCode"),
    )


def _read_contact(element: etree._Element) -> Contact:
    return Contact(
        order=_int(element.findtext("Order")), title=element.findtext("Title"),
        surname=element.findtext("Surname"), forename=element.findtext("Forename"),
        relationship=element.findtext("Relationship"),
        responsibility=element.findtext("Responsibility") == "true",
        phones=_read_phones(element), email=element.findtext("Email"),
    )


def _read_attendance(element: etree._Element) -> AttendanceYear:
    return AttendanceYear(
        year=element.findtext("Year"), la=element.findtext("LEA"),
        establishment=element.findtext("Estab"),
        sessions_possible=_int(element.findtext("SessionsPossible")),
        sessions_authorised=_int(element.findtext("SessionsAuthorised")),
        sessions_attended=_int(element.findtext("SessionsAttended")),
        sessions_unauthorised=_int(element.findtext("SessionsUnauthorised")),
    )


def _read_assessments(element: etree._Element) -> list[Assessment]:
    return [
        Assessment(
            stage=stage.findtext("Stage"), year=item.findtext("Year"),
            subject=item.findtext("Subject"), method=item.findtext("Method"),
            component=item.findtext("Component"), result=item.findtext("Result"),
            result_date=item.findtext("ResultDate"),
        )
        for stage in element.iterfind("StageAssessments/KeyStage")
        for item in stage.iterfind("StageAssessment")
    ]


def _read_school(element: etree._Element) -> SchoolRecord:
    return SchoolRecord(
        la=element.findtext("LEA"), establishment=element.findtext("Estab"),
        name=element.findtext("SchoolName"), entry_date=element.findtext("EntryDate"),
        leaving_date=element.findtext("LeavingDate"),
        leaving_reason=element.findtext("LeavingReason"),
    )


def pupil_from_element(*, element: etree._Element) -> PupilData:
    """Return the data of a `<Pupil>` element, the inverse of `pupil_element`."""
    basic = element.find("BasicDetails")

    def detail(tag: str) -> str | None:
        return basic.findtext(tag) if basic is not None else None

    return PupilData(
        upn=element.findtext("UPN"), uln=element.findtext("UniqueLearnerNumber"),
        uci=element.findtext("UCI"), surname=element.findtext("Surname"),
        forename=element.findtext("Forename"), dob=element.findtext("DOB"),
        sex=element.findtext("Sex") or element.findtext("Gender"),
        former_upn=detail("FormerUPN"), preferred_surname=detail("PreferredSurname"),
        preferred_forename=detail("PreferredForename"), former_surname=detail("FormerSurname"),
        middle_names=detail("MiddleNames"), nc_year=detail("NCyearActual"),
        ethnicity=detail("Ethnicity"), language=detail("Languages/Type/Language"),
        enrol_status=detail("EnrolStatus"), address=_read_address(element.find("Address")),
        phones=_read_phones(element), email=element.findtext("Email"),
        contacts=[_read_contact(c) for c in element.iterfind("Contacts/Contact")],
        attendance=[_read_attendance(y) for y in element.iterfind("Attendance/YearData")],
        assessments=_read_assessments(element),
        schools=[_read_school(s) for s in element.iterfind("SchoolHistory/School")],
    )
