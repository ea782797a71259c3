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


def _leaf(parent: etree._Element, tag: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        value = "true" if value else "false"
    etree.SubElement(parent, tag).text = str(value)


def header_element(*, header: HeaderData, version_tag: str = "CTFversion") -> etree._Element:
    """Return the `<Header>` element for a header."""
    root = etree.Element("Header")
    _leaf(root, "DocumentName", header.document_name)
    _leaf(root, version_tag, header.version)
    _leaf(root, "DateTime", header.date_time)
    _leaf(root, "DocumentQualifier", header.document_qualifier)
    _leaf(root, "DataQualifier", header.data_qualifier)
    _leaf(root, "DataDescriptor", header.data_descriptor)
    _leaf(root, "SupplierID", header.supplier_id)
    source = etree.SubElement(root, "SourceSchool")
    for tag, value in (
        ("LEA", header.source_la), ("Estab", header.source_establishment),
        ("URN", header.source_urn), ("SchoolName", header.source_name),
        ("AcademicYear", header.academic_year),
    ):
        _leaf(source, tag, value)
    dest = etree.SubElement(root, "DestSchool")
    for tag, value in (
        ("LEA", header.destination_la), ("Estab", header.destination_establishment),
        ("URN", header.destination_urn),
    ):
        _leaf(dest, tag, value)
    return root


def _phones(parent: etree._Element, phones: list[Phone]) -> None:
    if phones:
        holder = etree.SubElement(parent, "Phones")
        for phone in phones:
            element = etree.SubElement(holder, "Phone")
            _leaf(element, "TelephoneType", phone.kind)
            _leaf(element, "PhoneNo", phone.number)


def _basic_details(parent: etree._Element, pupil: PupilData) -> None:
    basic = etree.SubElement(parent, "BasicDetails")
    for tag, value in (
        ("FormerUPN", pupil.former_upn), ("PreferredSurname", pupil.preferred_surname),
        ("PreferredForename", pupil.preferred_forename), ("FormerSurname", pupil.former_surname),
        ("MiddleNames", pupil.middle_names), ("NCyearActual", pupil.nc_year),
        ("Ethnicity", pupil.ethnicity),
    ):
        _leaf(basic, tag, value)
    if pupil.language:
        kind = etree.SubElement(etree.SubElement(basic, "Languages"), "Type")
        _leaf(kind, "LanguageType", "F")
        _leaf(kind, "Language", pupil.language)
    _leaf(basic, "EnrolStatus", pupil.enrol_status)


def _address(parent: etree._Element, address: Address) -> None:
    element = etree.SubElement(parent, "Address")
    bs7666 = etree.SubElement(element, "BS7666Address")
    for tag, value in (
        ("SAON", address.saon), ("PAON", address.paon), ("Street", address.street),
        ("Locality", address.locality), ("Town", address.town),
    ):
        _leaf(bs7666, tag, value)
    _leaf(element, "County", address.county)
    _leaf(element, "PostCode", address.postcode)


def _contacts(parent: etree._Element, contacts: list[Contact]) -> None:
    holder = etree.SubElement(parent, "Contacts")
    for contact in contacts:
        element = etree.SubElement(holder, "Contact")
        for tag, value in (
            ("Order", contact.order), ("Title", contact.title), ("Surname", contact.surname),
            ("Forename", contact.forename), ("Relationship", contact.relationship),
            ("Responsibility", contact.responsibility),
        ):
            _leaf(element, tag, value)
        _leaf(etree.SubElement(element, "Address"), "AddressAsPupil", True)
        _phones(element, contact.phones)
        _leaf(element, "Email", contact.email)


def _attendance(parent: etree._Element, years: list[AttendanceYear]) -> None:
    holder = etree.SubElement(parent, "Attendance")
    for year in years:
        element = etree.SubElement(holder, "YearData")
        for tag, value in (
            ("Year", year.year), ("LEA", year.la), ("Estab", year.establishment),
            ("SessionsPossible", year.sessions_possible),
            ("SessionsAuthorised", year.sessions_authorised),
            ("SessionsAttended", year.sessions_attended),
            ("SessionsUnauthorised", year.sessions_unauthorised),
        ):
            _leaf(element, tag, value)


def _assessments(parent: etree._Element, assessments: list[Assessment]) -> None:
    holder = etree.SubElement(parent, "StageAssessments")
    stages: dict[str, etree._Element] = {}
    for item in assessments:
        if item.stage not in stages:
            stages[item.stage] = etree.SubElement(holder, "KeyStage")
            _leaf(stages[item.stage], "Stage", item.stage)
        element = etree.SubElement(stages[item.stage], "StageAssessment")
        for tag, value in (
            ("Locale", "ENG"), ("Year", item.year), ("Subject", item.subject),
            ("Method", item.method), ("Component", item.component), ("ResultStatus", "R"),
            ("Result", item.result), ("ResultDate", item.result_date),
        ):
            _leaf(element, tag, value)


def _schools(parent: etree._Element, schools: list[SchoolRecord]) -> None:
    holder = etree.SubElement(parent, "SchoolHistory")
    for school in schools:
        element = etree.SubElement(holder, "School")
        for tag, value in (
            ("LEA", school.la), ("Estab", school.establishment), ("SchoolName", school.name),
            ("EntryDate", school.entry_date), ("LeavingDate", school.leaving_date),
            ("LeavingReason", school.leaving_reason),
        ):
            _leaf(element, tag, value)


def pupil_element(*, pupil: PupilData, sex_tag: str = "Sex") -> etree._Element:
    """Return the `<Pupil>` element for a pupil, in the CTF's element order."""
    root = etree.Element("Pupil")
    for tag, value in (
        ("UPN", pupil.upn), ("UniqueLearnerNumber", pupil.uln), ("UCI", pupil.uci),
        ("Surname", pupil.surname), ("Forename", pupil.forename), ("DOB", pupil.dob),
        (sex_tag, pupil.sex),
    ):
        _leaf(root, tag, value)
    _basic_details(root, pupil)
    if pupil.address is not None:
        _address(root, pupil.address)
    _phones(root, pupil.phones)
    _leaf(root, "Email", pupil.email)
    if pupil.contacts:
        _contacts(root, pupil.contacts)
    if pupil.attendance:
        _attendance(root, pupil.attendance)
    if pupil.assessments:
        _assessments(root, pupil.assessments)
    if pupil.schools:
        _schools(root, pupil.schools)
    return root


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
