"""Pure rules about applications and leases (no Django import)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import IntEnum
from typing import TypeVar

from core.calendar import add_months
from core.vocabulary import APPLICATION_WAITING, Actor, ApplicationStatus, LeaseStatus, ParkStatus

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
# Readers look for the header anywhere in a file's first 1,024 bytes: a file that carries
# something else before it there is read as a PDF by some programs and as another kind of
# file by others (a polyglot).
PDF_HEADER_WINDOW = 1024
# PDF's own whitespace (ISO 32000-1 §7.2.2): the only bytes allowed after the end marker.
PDF_WHITESPACE = b"\x00\t\n\x0c\r "
# The default limit of settings.UPLOAD_MAX_BYTES, which the portal passes in.
# What a supporting document may not carry (issue 7): each kind as the refusal names it.
PDF_ACTIVE_CONTENT = {
    "javascript": "JavaScript",
    "launch": "an action that starts another program (Launch)",
    "data_action": "an action that sends or imports data (SubmitForm or ImportData)",
    "rich_media": "embedded media (RichMedia)",
    "embedded_file": "an embedded file or attachment",
    "xfa": "an XFA form, which can carry scripts",
    "remote_action": "an action that opens another file (GoToR)",
}
# A ZIP archive is found by its end record, which ZIP readers look for in the last 64 KB
# (its comment may be up to 65,535 bytes): one there makes the file a ZIP as well as a PDF,
# even when the ZIP comment imitates a PDF ending.
ZIP_END_RECORD = b"PK\x05\x06"
ZIP_END_WINDOW = 65_535 + 22
PDF_UNREADABLE = "The file cannot be read as a PDF: it is damaged or not really a PDF."
PDF_ENCRYPTED = (
    "The PDF is password-protected or encrypted, so its content cannot be checked. "
    "Upload it without protection."
)


def lease_status_on(day: date, *, start: date, end: date | None, terminated: bool) -> LeaseStatus:
    """domain.md §4: scheduled before the start, active while it runs, then ended — or
    terminated when PSEB ended it early with a termination."""
    if day < start:
        return LeaseStatus.SCHEDULED
    if end is None or day <= end:
        return LeaseStatus.ACTIVE
    return LeaseStatus.TERMINATED if terminated else LeaseStatus.ENDED


def document_name(uploaded: str | None) -> str:
    """The name a supporting document is shown and downloaded under: the uploaded file's own
    name without any folder or control characters, always ending in ``.pdf`` (the content
    was checked to be a PDF, so ``x.html`` would only mislead the one who downloads it)."""
    name = (uploaded or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable()).strip(" .") or "document"
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    return name[-255:]


def lease_end_for(start: date, months: int) -> date:
    """The last day of a lease of ``months`` calendar months from ``start``, inclusive: the
    day before the same day ``months`` later, clipped to the month's end (as the subsidy
    window of domain.md §5 rule 1 counts months)."""
    return add_months(start, months) - timedelta(days=1)


def pdf_problem(head: bytes, size: int, *, limit: int) -> str | None:
    """Why a supporting document is refused, or None: PDFs only, judged by their content
    (the %PDF- signature), never by their name, and no larger than ``limit`` bytes."""
    if size == 0:
        return "The file is empty."
    if size > limit:
        return f"The file is {size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB."
    if not head.startswith(PDF_MAGIC):
        if PDF_MAGIC in head[:PDF_HEADER_WINDOW]:
            return (
                "The file has other content before its PDF header, as files disguised as a "
                "PDF do. Only plain PDF files are accepted."
            )
        return "Only PDF documents are accepted; this file is not a PDF."
    return None


def pdf_end_problem(content: bytes) -> str | None:
    """Why a PDF's end is refused, or None: it ends with the end marker (%%EOF), followed by
    nothing but whitespace. Anything after it is another file riding along (a polyglot)."""
    end = content.rfind(PDF_END)
    if end < 0:
        return "The file is not a complete PDF: it does not end with the PDF end marker (%%EOF)."
    if content[end + len(PDF_END) :].strip(PDF_WHITESPACE) or (
        ZIP_END_RECORD in content[-ZIP_END_WINDOW:]
    ):
        return (
            "The file has other content after the end of the PDF, as files hiding another "
            "file do. Only plain PDF files are accepted."
        )
    return None


def pdf_active_content_problem(found: set[str]) -> str | None:
    """Why a PDF is refused for what it carries (``PDF_ACTIVE_CONTENT`` keys found in it),
    or None: a supporting document is read by PSEB staff, so it may run nothing, start
    nothing, send nothing and hide no other file."""
    parts = [words for kind, words in PDF_ACTIVE_CONTENT.items() if kind in found]
    if not parts:
        return None
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return (
        f"The PDF contains {listed}, which a supporting document may not carry. Save or "
        "print it again as a plain PDF and upload that."
    )


def application_problems(
    *,
    seats: int | None,
    area_sqft: Decimal | None,
    desired_start: date | None,
    today: date,
    park_status: ParkStatus | str | None,
    park_name: str = "",
) -> dict[str, str]:
    """What is wrong with an application's request for space, by field (domain.md §3): the
    park must take applications (planned ones do not yet, §2), it asks for seats, an area or
    both, and the desired start is not in the past.

    ``None`` stands for a value not known (a form field that did not parse): its rule is
    not judged, so a bad field is reported once, by its own check. The form and the
    service both ask this one function, so the page and the API can never disagree.
    """
    problems: dict[str, str] = {}
    if park_status == ParkStatus.PLANNED:
        name = park_name or "This park"
        problems["park"] = f"{name} is planned and does not take applications yet."
    if seats is not None and area_sqft is not None and not seats > 0 and not area_sqft > 0:
        problems["seats"] = "Ask for seats, an area, or both."
    if desired_start is not None and desired_start < today:
        problems["desired_start"] = "The desired start cannot be in the past."
    return problems


# --- Application workflow (domain.md §3) ------------------------------------------------------
DRAFT, SUBMITTED, UNDER_REVIEW = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
)
APPROVED, REJECTED, WITHDRAWN = (
    ApplicationStatus.APPROVED,
    ApplicationStatus.REJECTED,
    ApplicationStatus.WITHDRAWN,
)
COMPANY, PSEB = Actor.COMPANY, Actor.PSEB


@dataclass(frozen=True)
class Transition:
    """One step of the application workflow (domain.md §3), with every word the portal says
    about it: the pages, the history, the refusals and the e-mails all read them here.

    Most steps are told by their past participle ("rejected": "Application #7 is
    rejected.", "Rejected" in the history); a step whose words differ states them.
    """

    action: str
    sources: frozenset[ApplicationStatus]
    target: ApplicationStatus
    actor: Actor  # which side may take it: the applying company or PSEB staff
    needs_reason: bool = False
    # Asked again before it is taken (issue 12 §7): it ends the company's request or sends
    # it back, and the company is told at once.
    confirm: bool = False
    label: str = ""  # its button: "Start review"
    past: str = ""  # a refusal's "… cannot be put under review"
    told: str = ""  # its e-mail's sentence; {actor} and {lease} are filled in
    outcome: str = ""  # the page's "Application #7 is under review." (default: past)
    history_event: str = ""  # the application's history: "Review started" (default: Past)
    subject: str = ""  # the end of its e-mail's subject (default: the new status)

    def __post_init__(self) -> None:
        derived = {
            "outcome": self.past,
            "history_event": self.past.capitalize(),
            "subject": self.target.label.lower(),
        }
        for name, words in derived.items():
            if not getattr(self, name):
                object.__setattr__(self, name, words)  # frozen: set once, here

    @property
    def comment_label(self) -> str:
        """What the comment that goes with it is: the reason, where one is required."""
        return "Reason" if self.needs_reason else "Comment"


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "submit",
            frozenset({DRAFT}),
            SUBMITTED,
            COMPANY,
            label="Submit",
            past="submitted",
            told="It was submitted by {actor} and waits for PSEB's review.",
        ),
        Transition(
            "withdraw",
            frozenset({DRAFT, SUBMITTED, UNDER_REVIEW}),
            WITHDRAWN,
            COMPANY,
            label="Withdraw",
            past="withdrawn",
            told="The company withdrew it.",
        ),
        Transition(
            "review",
            frozenset({SUBMITTED}),
            UNDER_REVIEW,
            PSEB,
            label="Start review",
            past="put under review",
            outcome="under review",
            history_event="Review started",
            told="PSEB staff have started reviewing it.",
        ),
        Transition(
            "approve",
            frozenset({UNDER_REVIEW}),
            APPROVED,
            PSEB,
            label="Approve",
            past="approved",
            told="It was approved{lease}.",
        ),
        Transition(
            "reject",
            frozenset({UNDER_REVIEW}),
            REJECTED,
            PSEB,
            needs_reason=True,
            confirm=True,
            label="Reject",
            past="rejected",
            told="It was rejected.",
        ),
        Transition(
            "return",
            frozenset({UNDER_REVIEW}),
            DRAFT,
            PSEB,
            needs_reason=True,
            confirm=True,
            label="Return for changes",
            past="returned",
            outcome="returned to the company",
            history_event="Returned to the company for changes",
            subject="returned for changes",
            told="It was returned to the company for changes; edit it and submit it again.",
        ),
    )
}


def transition_problem(action: str, status: str, reason: str = "") -> str | None:
    """Why ``action`` cannot be taken on an application in ``status``, or None.

    domain.md §3: draft → submitted → under_review → approved or rejected; a reviewer may
    return it to draft; the company may withdraw it before a decision; rejecting and
    returning need a reason.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        return f"Unknown action {action!r}."
    if status not in transition.sources:
        allowed = " or ".join(
            sorted(ApplicationStatus(s).label.lower() for s in transition.sources)
        )
        return (
            f"An application that is {_status_label(status).lower()} cannot be "
            f"{transition.past}; only one that is {allowed} can."
        )
    if transition.needs_reason and not reason.strip():
        return "Give a reason: the company sees it."
    return None


def approval_steps(status: str) -> list[str]:
    """The workflow steps one approval takes from ``status`` (issue 12 §7: approving a
    submitted application starts its review on the way, so PSEB approves in one step), or
    none when it cannot be approved from there. Each step keeps the state machine's rule and
    is recorded in the history."""
    if status in TRANSITIONS["approve"].sources:
        return ["approve"]
    if status in TRANSITIONS["review"].sources and TRANSITIONS["review"].target in (
        TRANSITIONS["approve"].sources
    ):
        return ["review", "approve"]
    return []


WAITING = frozenset(APPLICATION_WAITING)


def days_waiting(status: str, submitted_on: date | None, today: date) -> int | None:
    """How many days a submitted or under-review application has waited since it was
    submitted (issue 12 §8; domain.md §7.5: "those waiting, with days waiting"); None for
    any other (a draft, a decision, a withdrawal)."""
    if status not in WAITING or submitted_on is None:
        return None
    return max((today - submitted_on).days, 0)


def actions_from(status: str) -> list[str]:
    """The actions the workflow allows from ``status``, in a stable order."""
    return [a for a, t in TRANSITIONS.items() if status in t.sources]


def _status_label(status: str) -> str:
    try:
        return ApplicationStatus(status).label
    except ValueError:
        return status


# --- Best fits for an approval (issue 12 §7) ----------------------------------------------------
@dataclass(frozen=True)
class SpaceRequest:
    """What an application asks for (domain.md §3): a kind of unit, seats and/or an area
    (0 stands for none wanted)."""

    kind: str
    seats: int
    area_sqft: Decimal


@dataclass(frozen=True)
class UnitSize:
    """A free unit as the ranking reads it."""

    code: str
    kind: str
    seats: int
    area_sqft: Decimal


class FitClass(IntEnum):
    """How one unit alone meets a request, best first."""

    EXACT = 0
    FITS = 1
    SHORT = 2


FIT_LABELS = {FitClass.EXACT: "Exact fit", FitClass.FITS: "Fits", FitClass.SHORT: "Too small alone"}


@dataclass(frozen=True)
class Fit:
    """One unit against the request: its class, and how far off it is, as a share of what
    was asked (the spare share for a unit that fits, the missing share for one too small;
    seats and area added where both are asked)."""

    kind_asked: bool
    fit: FitClass
    off_by: Decimal

    @property
    def label(self) -> str:
        return FIT_LABELS[self.fit]


def unit_fit(unit: UnitSize, request: SpaceRequest) -> Fit:
    """How ``unit`` alone meets ``request``: exact when it has just the seats and area
    asked, fits when it has at least them, else too small; with the share spare or missing."""
    asked = [
        (Decimal(unit.seats), Decimal(request.seats)) if request.seats > 0 else None,
        (unit.area_sqft, request.area_sqft) if request.area_sqft > 0 else None,
    ]
    pairs = [pair for pair in asked if pair is not None]
    short = sum((max(want - has, Decimal(0)) / want for has, want in pairs), Decimal(0))
    spare = sum((max(has - want, Decimal(0)) / want for has, want in pairs), Decimal(0))
    if short > 0:
        fit, off_by = FitClass.SHORT, short
    else:
        fit, off_by = (FitClass.FITS, spare) if spare > 0 else (FitClass.EXACT, Decimal(0))
    return Fit(kind_asked=unit.kind == request.kind, fit=fit, off_by=off_by)


T = TypeVar("T")


def rank_by_fit(units: Iterable[tuple[T, UnitSize]], request: SpaceRequest) -> list[tuple[T, Fit]]:
    """Free units best fit first (issue 12 §7): the kind asked for before any other; then an
    exact fit, then the smallest unit that is enough alone (least waste of seats and area),
    then those too small alone, the nearest to enough first (several may be allocated
    together); by code among equals."""
    fits = [(item, size, unit_fit(size, request)) for item, size in units]
    fits.sort(key=lambda f: (not f[2].kind_asked, f[2].fit, f[2].off_by, f[1].code))
    return [(item, fit) for item, _, fit in fits]
