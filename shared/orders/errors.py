"""Typed errors of the orders domain. All are ``ValidationError``s (HTTP 422): a platform payload
that cannot be read is rejected whole, nothing of it is written.

    DomainError
    └── ValidationError
        └── OrderPayloadError          every code below carries ``path`` (where in the payload)
              order.missing_field      a required key is absent or null
              order.bad_field          wrong JSON type, empty id, bad enum shape, bad envelope
              order.bad_money          not an exact amount (float-only, > 2 decimals, NaN, 1,000 ...)
              order.bad_time           not the platform's time format, naive, or implausible
              order.unknown_status     a status value the platform's table does not list
              order.amounts_mismatch   header amounts that do not add up
        └── PlatformError              order.platform_error: the platform answered with an error body
        └── PullWindowError            order.bad_window, order.bad_page_size, order.window_overfull

``order.unknown_platform`` is raised as a plain ``ValidationError`` by the adapter registry.
"""

from __future__ import annotations

from shared.core.errors import ValidationError


class OrderPayloadError(ValidationError):
    """A platform order payload is malformed at ``path``."""

    @property
    def path(self) -> str:
        return str(self.details.get("path", ""))


class PlatformError(ValidationError):
    """The platform returned an error envelope instead of data (bad token, rate limit, ...)."""


class PullWindowError(ValidationError):
    """A pull request asks for more than the platform serves in one query."""
