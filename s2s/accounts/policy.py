"""The one place that decides who may do what.

Every view, API endpoint, command and template asks here:
- `can(user, action, obj=None)`: may this user do this (to this object)?
- `scope(user, queryset, action)`: the rows of a list this user may see for this action;
- `get_for(user, queryset, action, **lookup)`: one object, or 404 when it is outside scope, so
  nobody learns that something they may not see exists.

Each model's scope is written once, in `_SCOPE_RULES`: a function of (user, action) returning
a `Q` of the rows that user may act on (see `accounts/conditions.py` for what a rule may say).
`scope` filters a list with it; `can` answers the same Q for one object in Python, so the two
cannot disagree (`accounts/tests/test_policy_scope.py` checks it for every rule). A new area
adds its capabilities to `CAPABILITIES`, one rule function and one `_SCOPE_RULES` line.
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from s2s.accounts.conditions import as_filter, holds
from s2s.accounts.roles import LA_ROLES, Role


class Action:
    """Capability names. A role holds a capability in `CAPABILITIES`; scope is checked apart."""

    USE_PAGES = "pages.use"
    USE_API = "api.use"
    MANAGE_LAS = "las.manage"  # create LAs and their DBAs
    VIEW_LA = "la.view"
    MANAGE_LA = "la.manage"  # name, email, the copies switch
    VIEW_USERS = "users.view"
    MANAGE_USERS = "users.manage"  # add, change role, delete, reset password, annual review
    RESET_TWO_FACTOR = "users.two_factor_reset"  # remove a lost authenticator (not one's own)
    VIEW_SCHOOLS = "schools.view"
    MANAGE_SCHOOLS = "schools.manage"
    MANAGE_ESTABLISHMENTS = "establishments.manage"  # national register, successors
    VIEW_AGENCIES = "agencies.view"
    MANAGE_AGENCIES = "agencies.manage"  # add an agency of its LA
    # Agency exchange agreements (issue 16): who may exchange files with an agency, until when.
    VIEW_AGREEMENTS = "agreements.view"
    MANAGE_AGREEMENTS = "agreements.manage"
    # Operation Encompass notifications (police -> school; issue 16): the police agency sends
    # and follows its own, the school reads its own (the read receipt), the LA follows its
    # schools' (no pupil data) and their escalations.
    SEND_ENCOMPASS = "encompass.send"
    READ_ENCOMPASS = "encompass.read"
    FOLLOW_ENCOMPASS = "encompass.follow"
    VIEW_AUDIT = "audit.view"
    TRANSFER_FILES = "files.transfer"  # CTFs and statutory files
    GENERIC_FILES = "files.generic"  # generic zips
    # On one transfer (for the types the role may send: TRANSFER_FILES, GENERIC_FILES):
    VIEW_TRANSFERS = "files.view"  # see it: its sender, its destination, the service
    RECEIVE_FILES = "files.receive"  # download, collect, reject: its destination only
    WITHDRAW_FILES = "files.withdraw"  # delete an upload: its sender, never from the LPD
    # LA oversight of its schools' CTFs (seed 003, 5.3; 1.5; 3.9), for its own LA only:
    MONITOR_LA_FILES = "files.la_monitor"  # the monitoring and not-collected views
    MANAGE_LA_FILES = "files.la_manage"  # delete or forward a CTF awaiting at its schools or
    # mailboxes; split a bulk CTF at its LLLL mailbox (phase transfer)
    LA_COPIES = "files.la_copies"  # copies of its schools' CTFs, while its switch is on
    SEARCH_LPD = "lpd.search"
    DOWNLOAD_LPD = "lpd.download"  # download and forward LPD files
    REMOVE_LPD = "lpd.remove"  # see and remove the LPD records its own schools uploaded
    REPORTS = "reports.view"  # the LA reports, for its own LA (the service: any LA)
    SERVICE_REPORTS = "reports.service"  # the national service reports (issue 7)
    MESSAGES = "messages.use"
    MESSAGE_REPORT = "messages.report"  # which schools of an LA have unread messages (7.7)
    CME_DASHBOARD = "cme.dashboard"
    VIEW_CME_SIGNALS = "cme.signals"  # read CME signals (issue 14): see the CME block below
    VIEW_CME_CASES = "cme.cases.view"  # read CME cases (issue 14): see the CME block below
    MANAGE_CME_CASES = "cme.cases.manage"  # open CME cases and act on them
    VIEW_CME_RETURNS = "cme.returns"  # the returns a school owes its LA (issue 14)
    RECEIVE_CME_RETURNS = "cme.returns_receive"  # mark a return received: the LA's CME officer
    # MIS feeds (issue 13):
    SEND_FEEDS = "feeds.send"  # send a school's roll, attendance, exclusions (its own, or its LA's)
    VIEW_FEEDS = "feeds.view"  # read feed reports: the senders, and the LA for its schools
    FEED_HEALTH = "feeds.health"  # the LA's feed health: last feed per school, lag, gaps
    # School calendars (issue 13), on an establishment or an LA:
    REVIEW_MATCHES = "matches.review"  # review the matcher's proposed pairs (issue 15)
    MATCH_RUNS = "matches.runs"  # the matcher's runs and model; start a full run
    VIEW_CALENDAR = "calendars.view"
    SET_CALENDAR = "calendars.set"
    # Partnerships (issue 16), for a member institution's school users and MIS connector:
    PARTNERSHIPS = "partnerships.use"  # create, see its own, sign, link pupils
    PARTNERSHIP_OBJECTION = "partnerships.objection"  # the main institution, for its pupils
    PARTNERSHIP_RECORDS = "partnerships.records"  # push and read shared records


_LA_COMMON = {Action.USE_PAGES, Action.USE_API, Action.VIEW_LA, Action.REPORTS, Action.MESSAGES}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({
        Action.USE_PAGES, Action.USE_API, Action.MANAGE_LAS, Action.VIEW_LA, Action.MANAGE_LA,
        Action.VIEW_USERS, Action.MANAGE_USERS, Action.VIEW_SCHOOLS, Action.MANAGE_SCHOOLS,
        Action.MANAGE_ESTABLISHMENTS, Action.VIEW_AGENCIES, Action.VIEW_AUDIT, Action.REPORTS,
        Action.SERVICE_REPORTS, Action.SEARCH_LPD,
    }),
    Role.LA_DBA: frozenset({
        *_LA_COMMON, Action.MANAGE_LA, Action.VIEW_USERS, Action.MANAGE_USERS,
        Action.VIEW_SCHOOLS, Action.MANAGE_SCHOOLS, Action.VIEW_AGENCIES, Action.VIEW_AUDIT,
        Action.TRANSFER_FILES,
    }),
    Role.LA_DBA_VIEW: frozenset({
        Action.USE_PAGES, Action.VIEW_LA, Action.VIEW_USERS, Action.VIEW_SCHOOLS,
        Action.VIEW_AGENCIES, Action.REPORTS,
    }),
    Role.LA_USER: frozenset({*_LA_COMMON, Action.TRANSFER_FILES, Action.GENERIC_FILES}),
    Role.LA_SCHOOL: frozenset({*_LA_COMMON, Action.TRANSFER_FILES, Action.GENERIC_FILES}),
    Role.LA_LOST_PUPIL: frozenset({
        *_LA_COMMON, Action.SEARCH_LPD, Action.REMOVE_LPD, Action.GENERIC_FILES,
    }),
    Role.LA_LOST_PUPIL_TRANSFER: frozenset({
        *_LA_COMMON, Action.SEARCH_LPD, Action.DOWNLOAD_LPD, Action.REMOVE_LPD,
        Action.TRANSFER_FILES, Action.GENERIC_FILES,
    }),
    Role.LA_CENSUS: frozenset({*_LA_COMMON, Action.TRANSFER_FILES}),
    Role.LA_ADMISSIONS: frozenset({*_LA_COMMON, Action.TRANSFER_FILES, Action.GENERIC_FILES}),
    Role.LA_CME: frozenset({*_LA_COMMON, Action.CME_DASHBOARD}),
    Role.SCHOOL: frozenset({
        Action.USE_PAGES, Action.USE_API, Action.TRANSFER_FILES, Action.GENERIC_FILES,
        Action.MESSAGES,
    }),
    Role.AGENCY: frozenset({
        Action.USE_PAGES, Action.USE_API, Action.GENERIC_FILES, Action.VIEW_AGREEMENTS,
        Action.SEND_ENCOMPASS,
    }),
    Role.CONNECTOR: frozenset({Action.USE_API, Action.TRANSFER_FILES}),
}
# Whoever may send files may see, receive and withdraw them (in scope); the service may see.
_FILE_ACTIONS = {Action.VIEW_TRANSFERS, Action.RECEIVE_FILES, Action.WITHDRAW_FILES}
CAPABILITIES = {
    role: capabilities | _FILE_ACTIONS
    if capabilities & {Action.TRANSFER_FILES, Action.GENERIC_FILES} else capabilities
    for role, capabilities in CAPABILITIES.items()
}
CAPABILITIES[Role.ADMIN] |= {Action.VIEW_TRANSFERS}
# The LA's CTF people (its LLLL mailbox's, seed 003, 1.6) watch, tidy and copy its schools'
# CTFs. Census, admissions, lost-pupil-only, CME and view-only roles do not.
LA_FILE_MONITORS = (Role.LA_DBA, Role.LA_USER, Role.LA_SCHOOL, Role.LA_LOST_PUPIL_TRANSFER)
for _role in LA_FILE_MONITORS:
    CAPABILITIES[_role] |= {Action.MONITOR_LA_FILES, Action.MANAGE_LA_FILES, Action.LA_COPIES}

# A person who lost the phone with their authenticator asks an administrator: their LA's
# DBA (for the LA's and its schools' users) or the service. Not the view-only DBA.
for _role in (Role.ADMIN, Role.LA_DBA):
    CAPABILITIES[_role] |= {Action.RESET_TWO_FACTOR}

# LA administrators see which of their schools have unread messages, never content or
# sender (seed 003, 7.7); the service sees it for any LA.
for _role in (Role.ADMIN, Role.LA_DBA, Role.LA_DBA_VIEW):
    CAPABILITIES[_role] |= {Action.MESSAGE_REPORT}

# Agencies (issue 16): an LA's DBA adds its agencies and makes their exchange agreements; the
# view-only DBA reads the agreements; a school reads its Operation Encompass notifications;
# the LA's DBA and LA users follow their schools' and the escalations.
CAPABILITIES[Role.LA_DBA] |= {Action.MANAGE_AGENCIES, Action.VIEW_AGREEMENTS,
                              Action.MANAGE_AGREEMENTS, Action.FOLLOW_ENCOMPASS}
CAPABILITIES[Role.LA_DBA_VIEW] |= {Action.VIEW_AGREEMENTS}
CAPABILITIES[Role.LA_USER] |= {Action.FOLLOW_ENCOMPASS}
CAPABILITIES[Role.SCHOOL] |= {Action.READ_ENCOMPASS}

# MIS feeds (issue 13): the school's connector or school user for its own school; LA census
# and LA CME users for the schools of their LA. Every LA role sees its schools' feed reports
# and feed health.
for _role in (Role.CONNECTOR, Role.SCHOOL, Role.LA_CENSUS, Role.LA_CME):
    CAPABILITIES[_role] |= {Action.SEND_FEEDS, Action.VIEW_FEEDS}
for _role in LA_ROLES:
    CAPABILITIES[_role] |= {Action.VIEW_FEEDS, Action.FEED_HEALTH}


def _feed_rule(user, action: str) -> Q:
    """Return the feeds this user may see: its school's, or its LA's schools'."""
    if user.establishment_id:
        return Q(establishment_id=user.establishment_id)
    if user.la_id:
        return Q(establishment__la_id=user.la_id)
    return _NOTHING


# School calendars (issue 13): a school's own users and MIS connector keep its calendar; the
# roles of its LA keep their schools' and the LA's own (the view-only DBA reads them). The
# scope is the establishment's or the LA's own rule below; everyone else gets 404.
for _role in (*LA_ROLES, Role.SCHOOL, Role.CONNECTOR):
    CAPABILITIES[_role] |= {Action.VIEW_CALENDAR}
    if _role != Role.LA_DBA_VIEW:
        CAPABILITIES[_role] |= {Action.SET_CALENDAR}

# Children missing education (issue 14): CME signals are read by the LA's CME officers and LA
# users for their LA's schools, by a school (its user and MIS connector) for its own pupils,
# and by the service administrator; everyone else gets 404 (`_cme_signal_rule`).
# The returns a school owes its LA are seen by the same people; the LA's CME officer marks
# them received (`_cme_return_rule`).
for _role in (Role.ADMIN, Role.LA_CME, Role.LA_USER, Role.SCHOOL, Role.CONNECTOR):
    CAPABILITIES[_role] |= {Action.VIEW_CME_SIGNALS, Action.VIEW_CME_RETURNS}
CAPABILITIES[Role.LA_CME] |= {Action.RECEIVE_CME_RETURNS}
# The LA's lost-pupil officers are told of a joiner with no CTF and what the hub found: they
# read those signals of their LA's schools, and no other kind.
CME_LOST_PUPIL_ROLES = (Role.LA_LOST_PUPIL, Role.LA_LOST_PUPIL_TRANSFER)
CME_LOST_PUPIL_KINDS = ["joiner_no_ctf"]
for _role in CME_LOST_PUPIL_ROLES:
    CAPABILITIES[_role] |= {Action.VIEW_CME_SIGNALS}


# Partnerships (issue 16): a member institution's school users and MIS connector. Need to know
# (the rules below): its own partnerships; while one is active (all signed, review date not
# passed), the pupils linked to it and the agreement's kinds of their records; the main
# institution alone records an objection. The date window of a partner's link (records made
# while the pupil was linked to it) is a range, which a rule cannot say: `partnerships.
# selectors` (`records_visible`, `pupil_view`) narrow by it, and every read goes through them.
for _role in (Role.SCHOOL, Role.CONNECTOR):
    CAPABILITIES[_role] |= {Action.PARTNERSHIPS, Action.PARTNERSHIP_OBJECTION,
                            Action.PARTNERSHIP_RECORDS}


def _partnership_rule(user, action: str) -> Q:
    """Return the partnerships the user's institution is a member of."""
    from s2s.partnerships.selectors import member_of

    if action != Action.PARTNERSHIPS or not user.establishment_id:
        return _NOTHING
    return Q(pk__in=member_of(establishment_id=user.establishment_id))


def _pupil_place_rule(user, action: str) -> Q:
    """Return the user's institution's places of pupils not objected, in active partnerships.

    A member sees the pupils linked to it; an objection is for the main institution's place.
    """
    from s2s.partnerships.selectors import active_agreements

    if action not in (Action.PARTNERSHIP_RECORDS, Action.PARTNERSHIP_OBJECTION):
        return _NOTHING
    if not user.establishment_id:
        return _NOTHING
    active = list(active_agreements(establishment_id=user.establishment_id))
    places = Q(establishment_id=user.establishment_id, partnership_id__in=active,
               link__objected_at__isnull=True)
    return places & Q(role="main") if action == Action.PARTNERSHIP_OBJECTION else places


def _shared_record_rule(user, action: str) -> Q:
    """Return the records of pupils linked to the user's institution, of the agreed kinds.

    Per active partnership: the kinds its agreement lists, of the pupils whose main it is or
    whose place (as a partner) it has; never a pupil with an objection.
    """
    from s2s.partnerships.selectors import active_agreements, partner_links

    if action != Action.PARTNERSHIP_RECORDS or not user.establishment_id:
        return _NOTHING
    school = user.establishment_id
    rule = _NOTHING
    for partnership_id, kinds in active_agreements(establishment_id=school).items():
        pupils = (Q(link__main_id=school)
                  | Q(link_id__in=partner_links(establishment_id=school,
                                                partnership_id=partnership_id)))
        rule |= Q(partnership_id=partnership_id, kind__in=kinds) & pupils
    return rule & Q(link__objected_at__isnull=True)
# The matcher (issue 15): an LA's lost pupil officers review the pairs whose roll record is at
# one of their LA's schools (the LA that now has the child); the service sees every pair and
# the runs. Everyone else gets 404 (`_match_pair_rule`).
for _role in (Role.ADMIN, Role.LA_LOST_PUPIL, Role.LA_LOST_PUPIL_TRANSFER):
    CAPABILITIES[_role] |= {Action.REVIEW_MATCHES}
CAPABILITIES[Role.ADMIN] |= {Action.MATCH_RUNS}


def _match_pair_rule(user, action: str) -> Q:
    """Return the proposed pairs this user may review: those at its LA's schools."""
    if action != Action.REVIEW_MATCHES or not user.la_id:
        return _NOTHING
    return Q(roll_record__establishment__la_id=user.la_id)


def _cme_signal_rule(user, action: str) -> Q:
    """Return the CME signals this user may see: its school's, or its LA's schools'.

    An LA also sees the signals whose pupil it is the home LA of (`Signal.home_la`: set on
    the 6th day of a permanent exclusion only, its duty to provide education). Its
    lost-pupil officers see only its schools' joiners with no CTF.
    """
    if action != Action.VIEW_CME_SIGNALS:
        return _NOTHING
    if user.establishment_id:
        return Q(establishment_id=user.establishment_id)
    if user.la_id and user.role in CME_LOST_PUPIL_ROLES:
        return Q(establishment__la_id=user.la_id, kind__in=CME_LOST_PUPIL_KINDS)
    if user.la_id:
        return Q(establishment__la_id=user.la_id) | Q(home_la_id=user.la_id)
    return _NOTHING


def _cme_return_rule(user, action: str) -> Q:
    """Return the returns this user may see (its school's, its LA's schools') or receive."""
    if action not in (Action.VIEW_CME_RETURNS, Action.RECEIVE_CME_RETURNS):
        return _NOTHING
    if user.establishment_id and action == Action.VIEW_CME_RETURNS:
        return Q(establishment_id=user.establishment_id)
    if user.la_id:
        return Q(establishment__la_id=user.la_id)
    return _NOTHING


# CME cases (issue 14): the LA's CME officers open and work them; the LA's users read them
# (the case's LA), and the service administrator reads any; everyone else gets 404.
for _role in (Role.ADMIN, Role.LA_CME, Role.LA_USER):
    CAPABILITIES[_role] |= {Action.VIEW_CME_CASES}
CAPABILITIES[Role.LA_CME] |= {Action.MANAGE_CME_CASES}


def _cme_case_rule(user, action: str) -> Q:
    """Return the CME cases this user may read or work: its own LA's."""
    if action not in (Action.VIEW_CME_CASES, Action.MANAGE_CME_CASES) or not user.la_id:
        return _NOTHING
    return Q(la_id=user.la_id)


# The LA mailbox each LA role sends from and receives at (DESIGN.md, Words: 333LLLL,
# 333PLAS, 333ADMS). Schools and MIS connectors send and receive as their establishment.
LA_MAILBOX_OF_ROLE: dict[str, str] = {
    Role.LA_USER: "LLLL", Role.LA_SCHOOL: "LLLL", Role.LA_DBA: "LLLL",
    Role.LA_LOST_PUPIL_TRANSFER: "LLLL", Role.LA_LOST_PUPIL: "LLLL",
    Role.LA_CENSUS: "PLAS", Role.LA_ADMISSIONS: "ADMS",
}


def _is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def has_capability(user, action: str) -> bool:
    """Return whether the user's role carries this capability, whatever the object."""
    return _is_signed_in(user) and action in CAPABILITIES.get(user.role, frozenset())


def can(user, action: str, obj: Model | None = None) -> bool:
    """Return whether the user may do this action, to this object when one is given."""
    if not has_capability(user, action):
        return False
    if obj is None or user.role == Role.ADMIN:
        return True
    rule = _SCOPE_RULES.get(obj._meta.label_lower)
    return rule is not None and holds(obj, rule(user, action))


def transfer_box(user) -> str | None:
    """Return the 7-character code this user sends from and receives at, if it has one.

    A school user or connector: its establishment number (8383321); an LA role: its LA's
    mailbox for that role (838LLLL, 838PLAS, 838ADMS); an agency user: its agency's
    reference (838HLTH); anyone else: None.
    """
    if not _is_signed_in(user):
        return None
    if user.establishment_id:
        return user.establishment.code
    if user.agency_id:
        return user.agency.reference
    mailbox = LA_MAILBOX_OF_ROLE.get(user.role)
    if user.la_id and mailbox:
        return f"{user.la.number}{mailbox}"
    return None


_NOTHING = Q(pk__in=[])


def _la_rule(user, action: str) -> Q:
    """Return the user's own LA; for its copies, only while the LA's switch is on (3.9)."""
    if not user.la_id:
        return _NOTHING
    own = Q(pk=user.la_id)
    return own & Q(receive_ctf_copies=True) if action == Action.LA_COPIES else own


def _place_rule(user, action: str) -> Q:
    """Return the user's own establishment, or the establishments of its LA."""
    if user.establishment_id:
        return Q(pk=user.establishment_id)
    return Q(la_id=user.la_id) if user.la_id else _NOTHING


def _agency_rule(user, action: str) -> Q:
    """Return the user's own agency, or the agencies of its LA."""
    if user.agency_id:
        return Q(pk=user.agency_id)
    return Q(la_id=user.la_id) if user.la_id else _NOTHING


def _user_rule(user, action: str) -> Q:
    """Return the LA's own users and its schools' users and connectors, for its LA DBAs.

    Never the service's administrators, agencies' users or another LA's people. A DBA cannot
    delete, demote or reset itself: another DBA or the service does that.
    """
    if not user.la_id:
        return _NOTHING
    people = (Q(la_id=user.la_id, role__in=LA_ROLES)
              | Q(establishment__la_id=user.la_id, role__in=[Role.SCHOOL, Role.CONNECTOR]))
    if action in (Action.MANAGE_USERS, Action.RESET_TWO_FACTOR):
        return people & ~Q(pk=user.pk)
    return people


def _transfer_inbox(user) -> Q:
    if user.establishment_id:
        return Q(destination_establishment_id=user.establishment_id)
    if user.agency_id:
        return Q(destination_agency_id=user.agency_id)
    mailbox = LA_MAILBOX_OF_ROLE.get(user.role)
    if user.la_id and mailbox:
        return Q(destination_la_id=user.la_id, destination_mailbox=mailbox)
    return _NOTHING


def _transfer_outbox(user) -> Q:
    if user.establishment_id:
        return Q(source_establishment_id=user.establishment_id)
    if user.agency_id:
        return Q(source_agency_id=user.agency_id)
    mailbox = LA_MAILBOX_OF_ROLE.get(user.role)
    if user.la_id and mailbox:
        return Q(source_la_id=user.la_id, source_mailbox=mailbox)
    return _NOTHING


def _transfer_types(user) -> Q:
    ctfs = has_capability(user, Action.TRANSFER_FILES)
    zips = has_capability(user, Action.GENERIC_FILES)
    if ctfs and zips:
        return Q()
    if ctfs or zips:
        return ~Q(file_type="ZIP") if ctfs else Q(file_type="ZIP")
    return _NOTHING


def _la_places(la_id: int, side: str, mailboxes: bool = True) -> Q:
    """Return the transfers whose source or destination is a place of this LA."""
    places = Q(**{f"{side}_establishment__la_id": la_id})
    return places | Q(**{f"{side}_la_id": la_id}) if mailboxes else places


def _la_ctfs(user) -> Q:
    """Return the CTFs to or from places of the user's LA (not the Lost Pupil Database)."""
    if not user.la_id:
        return _NOTHING
    places = _la_places(user.la_id, "source") | _la_places(user.la_id, "destination")
    return places & Q(file_type="CTF", destination_kind__in=["school", "la_mailbox"])


def _la_held_ctfs(user) -> Q:
    """Return the CTFs delivered to the user's LA's schools and mailboxes."""
    if not user.la_id or not has_capability(user, Action.MANAGE_LA_FILES):
        return _NOTHING
    return Q(file_type="CTF") & _la_places(user.la_id, "destination")


def _la_copies(user) -> Q:
    """Return the CTFs the LA's schools sent or received, while the LA's switch is on."""
    if not user.la_id or not user.la.receive_ctf_copies:
        return _NOTHING
    schools = (_la_places(user.la_id, "source", mailboxes=False)
               | _la_places(user.la_id, "destination", mailboxes=False))
    return schools & Q(file_type="CTF", destination_kind__in=["school", "la_mailbox"])


def _transfer_rule(user, action: str) -> Q:
    """Return the transfers this user may act on (the service's pass before any rule).

    The destination sees and receives its files; the sender sees its outbox and may withdraw
    an upload, except one sent to the Lost Pupil Database (XXXXXXX, MMMMMMM), which it sees
    as sent but can neither download nor withdraw. The LA's CTF people (`LA_FILE_MONITORS`)
    also see the CTFs to and from its places, may delete (withdraw) or forward a CTF held at
    its schools or mailboxes (seed 003, 5.3), and copy its schools' CTFs (seed 003, 3.9).
    """
    if action == Action.RECEIVE_FILES:
        boxes = _transfer_inbox(user)
    elif action == Action.WITHDRAW_FILES:
        boxes = (_transfer_outbox(user)
                 & Q(destination_kind__in=["school", "la_mailbox", "agency"])
                 | _la_held_ctfs(user))
    elif action == Action.VIEW_TRANSFERS:
        boxes = _transfer_inbox(user) | _transfer_outbox(user)
    else:
        boxes = _LA_RULES.get(action, lambda _user: _NOTHING)(user)
    return boxes & _transfer_types(user)


_LA_RULES = {
    Action.MONITOR_LA_FILES: _la_ctfs, Action.MANAGE_LA_FILES: _la_held_ctfs,
    Action.LA_COPIES: _la_copies,
}


def _messaging_rule(field: str, **extra):
    """Return a rule giving a messaging row to one user only: its recipient, sender or owner.

    Messages are personal: nobody, the service included, reads another user's inbox, sent
    items, groups or templates (issue 6), so no role gets `MESSAGES` without its own rows.
    """

    def rule(user, action: str) -> Q:
        if action != Action.MESSAGES:
            return _NOTHING
        return Q(**{field: user.pk}, **extra)

    return rule


def _lost_pupil_rule(user, action: str) -> Q:
    """Return the LPD records this user may act on (the service's pass before any rule).

    The LPD is national (issue 5): searchers find, view, and (with DOWNLOAD_LPD) download or
    forward any record whose file is still held, whichever LA uploaded it. Removing is for
    the LA whose schools uploaded the record (seed 003, 1.3). No school role holds these
    capabilities, so `scope` gives a school nothing before this rule is asked.
    """
    held = Q(status__in=["open", "downloaded"])
    if action in (Action.SEARCH_LPD, Action.DOWNLOAD_LPD):
        return held
    if action == Action.REMOVE_LPD and user.la_id:
        return held & Q(uploading_la_id=user.la_id)
    return _NOTHING


def _agreement_rule(user, action: str) -> Q:
    """Return the exchange agreements of the user's own agency, or of its LA's agencies."""
    if user.agency_id:
        return Q(agency_id=user.agency_id) if action == Action.VIEW_AGREEMENTS else _NOTHING
    return Q(agency__la_id=user.la_id) if user.la_id else _NOTHING


def _encompass_rule(user, action: str) -> Q:
    """Return the Operation Encompass notifications this user may act on.

    The police agency that sent one; the school it went to (reading it is the receipt); the
    LA's DBA and LA users for its schools' (their times and state, never the pupil).
    """
    if action == Action.SEND_ENCOMPASS and user.agency_id:
        return Q(agency_id=user.agency_id)
    if action == Action.READ_ENCOMPASS and user.establishment_id:
        return Q(establishment_id=user.establishment_id)
    if action == Action.FOLLOW_ENCOMPASS and user.la_id:
        return Q(establishment__la_id=user.la_id)
    return _NOTHING


# Each model's scope rule: a Q of the rows this user may act on, per action (`can` and `scope`).
_SCOPE_RULES = {
    "directory.localauthority": _la_rule,
    "directory.establishment": _place_rule,
    "directory.agency": _agency_rule,
    "accounts.user": _user_rule,
    "transfers.transfer": _transfer_rule,
    "lostpupils.lostpupilrecord": _lost_pupil_rule,
    # A recipient's copy (inbox, read, delete); a message its sender sent (sent items).
    "messaging.recipient": _messaging_rule("user_id", deleted_at__isnull=True),
    "messaging.message": _messaging_rule("sender_id"),
    "messaging.messagegroup": _messaging_rule("owner_id"),
    "messaging.messagetemplate": _messaging_rule("owner_id"),
    "feeds.feed": _feed_rule,
    "cme.signal": _cme_signal_rule,
    "cme.case": _cme_case_rule,
    "cme.schoolreturn": _cme_return_rule,
    "partnerships.partnership": _partnership_rule,
    "partnerships.pupilplace": _pupil_place_rule,
    "partnerships.sharedrecord": _shared_record_rule,
    "agencies.exchangeagreement": _agreement_rule,
    "agencies.encompassnotification": _encompass_rule,
    "matching.matchpair": _match_pair_rule,
}


def scope(user, queryset: QuerySet, action: str) -> QuerySet:
    """Narrow a queryset to the rows this user may see for this action."""
    if not has_capability(user, action):
        return queryset.none()
    if user.role == Role.ADMIN:
        return queryset
    model = queryset.model
    rule = _SCOPE_RULES.get(model._meta.label_lower)
    if rule is None:
        return queryset.none()
    return queryset.filter(as_filter(model, rule(user, action)))


def get_for(user, queryset: QuerySet, action: str, **lookup):
    """Return the one object matching lookup that the user may act on, or raise Http404.

    `scope` and `can` read the same rule, so the scoped lookup is the whole check.
    """
    try:
        return scope(user, queryset, action).get(**lookup)
    except (queryset.model.DoesNotExist, queryset.model.MultipleObjectsReturned, ValueError):
        raise Http404 from None
