"""A Pakistani IBAN, as PSEB's payment instructions print it (issue 12 §6).

No Django import. A PK IBAN is 24 characters: ``PK``, two check digits, a 4-letter bank code
and a 16-digit account number (``PK36SCBL0000001123456702``), and passes the ISO 13616
mod-97 check: with the first four characters moved to the end and each letter written as
its number (A=10 … Z=35), the whole reads as an integer whose remainder by 97 is 1.
"""

from __future__ import annotations

import re

PK_IBAN_LENGTH = 24
_PK_IBAN = re.compile(r"^PK[0-9]{2}[A-Z]{4}[0-9]{16}$")


def normalise_iban(text: str) -> str:
    """The IBAN as stored and printed in groups: capitals, no spaces or dashes."""
    return re.sub(r"[\s-]+", "", text or "").upper()


def iban_mod97(iban: str) -> int:
    """ISO 13616's remainder: 1 for a valid IBAN."""
    moved = iban[4:] + iban[:4]
    digits = "".join(str(int(char, 36)) for char in moved)
    return int(digits) % 97


def pk_iban_problem(text: str) -> str | None:
    """Why ``text`` is not a Pakistani IBAN, or None (spaces and dashes are allowed)."""
    iban = normalise_iban(text)
    if not iban:
        return "Give the account's IBAN."
    if not iban.startswith("PK"):
        return "A Pakistani IBAN starts with PK."
    if len(iban) != PK_IBAN_LENGTH:
        return f"A Pakistani IBAN has {PK_IBAN_LENGTH} characters; this one has {len(iban)}."
    if not _PK_IBAN.match(iban):
        return (
            "A Pakistani IBAN is PK, 2 check digits, a 4-letter bank code and a 16-digit "
            "account number."
        )
    if iban_mod97(iban) != 1:
        return "This IBAN's check digits do not match: check it for a mistyped character."
    return None


def iban_grouped(iban: str) -> str:
    """The IBAN in groups of four, as banks print it: ``PK36 SCBL 0000 0011 2345 6702``."""
    iban = normalise_iban(iban)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def pk_iban(bank_code: str, account: str) -> str:
    """The IBAN of a 4-letter bank code and a 16-digit account, its check digits computed
    (ISO 13616: 98 less the remainder of the IBAN with ``00`` as check digits)."""
    body = f"{bank_code.upper()}{account}"
    check = 98 - iban_mod97(f"PK00{body}")
    return f"PK{check:02d}{body}"
