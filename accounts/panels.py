"""What an app above ``accounts`` adds to the user's own account page, registered in its
``AppConfig.ready`` so that accounts never imports it (the layers: core < audit < accounts <
… < subsidies). Billing adds a company's money (issue 12 §6: balance, arrears, where to pay,
receipts), which the page shows first."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    """A section of the account page: its template and what it reads."""

    template: str
    context: Mapping[str, Any]


Provider = Callable[[Any], Panel | None]
_providers: list[Provider] = []


def provide(provider: Provider) -> None:
    """Add a section (idempotent: a second ``ready`` does not add it twice)."""
    if provider not in _providers:
        _providers.append(provider)


def panels_for(user: Any) -> list[Panel]:
    """The sections the user's page shows, in the order the apps registered them."""
    return [panel for panel in (provider(user) for provider in _providers) if panel is not None]
