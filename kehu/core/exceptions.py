"""Errors raised by services; views and the API turn them into messages and 400/409 responses."""

from django.core.exceptions import PermissionDenied, ValidationError


class DomainError(Exception):
    """A business rule refused the action. `field` names the input at fault, if one is."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(DomainError):
    """The action clashes with the current state (already done, taken by someone else)."""

    status_code = 409


class PermissionDeniedError(DomainError):
    """The actor may see the record but not do this to it."""

    status_code = 403


class FilterError(ValidationError):
    """A list filter's value was not understood; `message_dict` names the parameter."""


def raise_if_forbidden(exc: DomainError) -> None:
    """For views: a refusal of the actor's rights becomes Django's 403 page; the view shows the others."""
    if exc.status_code == 403:
        raise PermissionDenied(exc.message) from exc
