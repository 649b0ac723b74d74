"""Typed errors of the handheld services. These are programming or set-up errors a screen should not
cause (an operator's wrong scan is a refused ``Feedback``, never an exception):

    DomainError (shared.core.errors)
    ├── RuleViolation
    │   ├── NotSignedIn        handheld.not_signed_in    a flow was opened with nobody signed in
    │   ├── NotEnrolledYet     handheld.not_enrolled     the device has no enrolment yet
    │   └── FlowStateError     handheld.bad_flow_state   a method called in a state where it means nothing
    └── NotFoundError
        └── DocumentNotFound   handheld.document_not_found  a task/receipt/transfer/stocktake id the replica lacks

Also raised as they are: ``ValidationError`` (``invalid.enum`` for a short-pick reason outside the list).
"""

from __future__ import annotations

from shared.core.errors import NotFoundError, RuleViolation


class NotSignedIn(RuleViolation):
    def __init__(self) -> None:
        super().__init__("handheld.not_signed_in")


class NotEnrolledYet(RuleViolation):
    def __init__(self) -> None:
        super().__init__("handheld.not_enrolled")


class FlowStateError(RuleViolation):
    """``action`` was asked of a flow in ``state``."""

    def __init__(self, action: str, state: str) -> None:
        super().__init__("handheld.bad_flow_state", action=action, state=state)


class DocumentNotFound(NotFoundError):
    def __init__(self, kind: str, ref: str) -> None:
        super().__init__("handheld.document_not_found", kind=kind, ref=ref)
