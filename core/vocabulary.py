"""The domain's words (domain.md), stated once as ``StrEnum``s with a label each.

The models' fields take their choices from these (``choices=ApplicationStatus.choices``),
the pure rule modules compare against them, and templates and the API print their labels.
No Django import: a member is a ``str``, so it is stored, compared and serialised as its
value.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import EnumMeta, StrEnum
from typing import Self, cast


class _VocabularyType(EnumMeta):
    """Gives a vocabulary the ``choices``/``values``/``labels`` that Django's choices have."""

    def _members(cls) -> list[Vocabulary]:
        # EnumMeta.__iter__ is typed for an enum class, and ``cls`` here is typed as the
        # metaclass: every class of this metaclass is a Vocabulary.
        return list(cast("Iterable[Vocabulary]", cls))

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls._members()]

    @property
    def values(cls) -> list[str]:
        return [member.value for member in cls._members()]

    @property
    def labels(cls) -> list[str]:
        return [member.label for member in cls._members()]

    @property
    def do_not_call_in_templates(cls) -> bool:
        # A template that is handed the enum class reads its members instead of calling it.
        return True


class Vocabulary(StrEnum, metaclass=_VocabularyType):
    """A word of the domain: its value is stored, its label is shown."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    def __str__(self) -> str:
        return str(self.value)


# --- People (domain.md §1) ------------------------------------------------------------------------
class Role(Vocabulary):
    """Public visitors have no account; every account has exactly one role."""

    COMPANY = "company", "Company user"
    PARK_MANAGER = "park_manager", "Park manager"
    PSEB = "pseb", "PSEB staff"


# --- Parks and units (§2) ---------------------------------------------------------------------
class Province(Vocabulary):
    PUNJAB = "punjab", "Punjab"
    SINDH = "sindh", "Sindh"
    KHYBER_PAKHTUNKHWA = "kp", "Khyber Pakhtunkhwa"
    BALOCHISTAN = "balochistan", "Balochistan"
    GILGIT_BALTISTAN = "gb", "Gilgit-Baltistan"
    AZAD_JAMMU_KASHMIR = "ajk", "Azad Jammu and Kashmir"
    ISLAMABAD = "ict", "Islamabad Capital Territory"


class Tier(Vocabulary):
    METRO = "metro", "Metro"
    SECONDARY = "secondary", "Secondary"
    TERTIARY = "tertiary", "Tertiary"


class ParkStatus(Vocabulary):
    EXISTING = "existing", "Existing"
    UPCOMING = "upcoming", "Upcoming"
    PLANNED = "planned", "Planned"


class UnitKind(Vocabulary):
    OFFICE = "office", "Private office"
    DESK = "desk", "Coworking desk"


class Amenity(Vocabulary):
    """What a park offers besides its units (issue 12 §5), as PSEB ticks them on its page.
    A fixed list, so a visitor can compare parks and each is shown the same way everywhere."""

    FIBRE = "fibre", "Fibre internet"
    BACKUP_POWER = "backup_power", "Backup power"
    FURNISHED = "furnished", "Furnished offices"
    MEETING_ROOMS = "meeting_rooms", "Meeting rooms"
    CONFERENCE_HALL = "conference_hall", "Conference hall"
    TRAINING_ROOM = "training_room", "Training room"
    CAFETERIA = "cafeteria", "Cafeteria"
    PRAYER_AREA = "prayer_area", "Prayer area"
    DAYCARE = "daycare", "Daycare"
    WOMENS_ROOM = "womens_room", "Women's common room"
    PARKING = "parking", "Parking"
    SECURITY = "security", "Security 24/7"
    OPEN_24_7 = "open_24_7", "Open 24/7"
    AIR_CONDITIONING = "air_conditioning", "Air conditioning"
    STEP_FREE = "step_free", "Step-free access"


class UnitStatus(Vocabulary):
    """Derived on a date from leases and the maintenance flag (§2)."""

    VACANT = "vacant", "Vacant"
    RESERVED = "reserved", "Reserved"
    LEASED = "leased", "Leased"
    MAINTENANCE = "maintenance", "Under maintenance"


# --- Companies, applications and leases (§3, §4) ----------------------------------------------
class CompanyKind(Vocabulary):
    COMPANY = "company", "IT / ITeS company"
    FREELANCER = "freelancer", "Freelancer"


class MemberRole(Vocabulary):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class ApplicationStatus(Vocabulary):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# An application waits for PSEB from its submission until a decision or a return (domain.md
# §3, §7.5): the queue, the pipeline, the demand report and a park's page count these.
APPLICATION_WAITING = (ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


class LeaseStatus(Vocabulary):
    """Derived on a date (§4): scheduled before the start, active while it runs, then ended,
    or terminated when PSEB ended it early."""

    SCHEDULED = "scheduled", "Scheduled"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    TERMINATED = "terminated", "Terminated"


class Actor(Vocabulary):
    """Which side takes a step of the application workflow (§3)."""

    COMPANY = "company", "The applying company"
    PSEB = "pseb", "PSEB staff"


# --- Subsidies and billing (§5, §6) -----------------------------------------------------------
class WindowAnchor(Vocabulary):
    LEASE_START = "lease_start", "First lease start in the park"
    PARK_OPENING = "park_opening", "Park opening date"


class LineKind(Vocabulary):
    RENT = "rent", "Rent"
    INTERNET = "internet", "Internet"
    RENT_SUBSIDY = "rent_subsidy", "Rent subsidy"
    INTERNET_SUBSIDY = "internet_subsidy", "Internet subsidy"
    CHARGE = "charge", "Other charge"


CHARGED_KINDS = (LineKind.RENT, LineKind.INTERNET, LineKind.CHARGE)
SUBSIDY_KINDS = (LineKind.RENT_SUBSIDY, LineKind.INTERNET_SUBSIDY)
SUBSIDISES = {LineKind.RENT_SUBSIDY: LineKind.RENT, LineKind.INTERNET_SUBSIDY: LineKind.INTERNET}


class StatementStatus(Vocabulary):
    """Derived from payments, credit notes and the due date (§6)."""

    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"
    VOID = "void", "Void"


class PaymentReference(Vocabulary):
    """What a company quotes when it pays a park (its payment instructions, issue 12 §6)."""

    STATEMENT = "statement", "The statement number"
    COMPANY = "company", "The company's PSEB registration number"


class RunStatus(Vocabulary):
    """A billing run: queued, running, then done (every park billed) or failed (one or more
    parks could not be billed; the run's errors say which, and a re-run adds what is
    missing)."""

    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# --- Progress returns (§4a) -----------------------------------------------------------------------
class ReturnStatus(Vocabulary):
    """An owed return is ``due`` until its due date passes, then ``overdue``; once a version
    is filed it is ``filed`` (§4a)."""

    DUE = "due", "Due"
    FILED = "filed", "Filed"
    OVERDUE = "overdue", "Overdue"


class ReminderKind(Vocabulary):
    """The two e-mails a company's owners get about a return not yet filed (§4a)."""

    BEFORE_DUE = "before_due", "Due in 5 days"
    OVERDUE = "overdue", "Overdue"
