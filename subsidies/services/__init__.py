"""Writes on subsidy schemes and billing (domain.md §5–6), by feature:

- ``schemes``: subsidy schemes and their one statement of editable fields (``SchemeInput``);
- ``statements``: computing and issuing statements (windows, numbers, lines);
- ``runs``: billing runs, their chunks, and what the beat finds stalled;
- ``preview``: a billing run computed without writing, and its fingerprinted confirmation;
- ``delivery``: statement PDFs and e-mail, sent to the worker in batches;
- ``corrections``: other charges and credit notes;
- ``payments``: payments received, allocated oldest first, their receipts, and the parks'
  payment instructions.

Callers use ``from subsidies import services`` and ``services.<name>``; the names are those
below. A test that replaces a name does it in the module that looks it up.
"""

from tenants.services import leases_lock

from .corrections import (
    ChargeRecorded,
    charge_record,
    credit_note_issue,
    credit_notes_for_ended_lease,
)
from .delivery import RENDER_BATCH, statement_email, statements_deliver, statements_render
from .payments import (
    INSTRUCTION_FIELDS,
    InstructionInput,
    PaymentReceived,
    payment_allocation_preview,
    payment_instruction_save,
    payment_receive,
    payment_record,
    receipt_email,
)
from .preview import BillingPreview, ParkPreview, billing_preview, billing_run_confirm
from .runs import (
    RESEND_FOR,
    billing_chunk_bill,
    billing_chunk_give_up,
    billing_run_dispatch,
    billing_run_execute,
    billing_run_plan,
    billing_run_start,
    billing_runs_resume_stalled,
    statements_left_unfinished,
    statements_undelivered_resend,
)
from .schemes import SCHEME_FIELDS, SchemeInput, scheme_create, scheme_update
from .statements import (
    as_period,
    compute_statements,
    drafts_to_issue,
    numbers_reserve,
    statements_create,
    statements_issue,
    subsidy_windows_fix,
)

__all__ = [
    "INSTRUCTION_FIELDS",
    "RENDER_BATCH",
    "RESEND_FOR",
    "SCHEME_FIELDS",
    "BillingPreview",
    "ChargeRecorded",
    "InstructionInput",
    "ParkPreview",
    "PaymentReceived",
    "SchemeInput",
    "as_period",
    "billing_chunk_bill",
    "billing_chunk_give_up",
    "billing_preview",
    "billing_run_confirm",
    "billing_run_dispatch",
    "billing_run_execute",
    "billing_run_plan",
    "billing_run_start",
    "billing_runs_resume_stalled",
    "charge_record",
    "compute_statements",
    "credit_note_issue",
    "credit_notes_for_ended_lease",
    "drafts_to_issue",
    "leases_lock",
    "numbers_reserve",
    "payment_allocation_preview",
    "payment_instruction_save",
    "payment_receive",
    "payment_record",
    "receipt_email",
    "scheme_create",
    "scheme_update",
    "statement_email",
    "statements_create",
    "statements_deliver",
    "statements_issue",
    "statements_left_unfinished",
    "statements_render",
    "statements_undelivered_resend",
    "subsidy_windows_fix",
]
