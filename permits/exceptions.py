"""Permit errors: each says, in the words of the person who tried, why the change can't happen."""

from requests_app.exceptions import DomainError, InvalidSubmission


class PermitActionRefused(DomainError):
    """A permit action that can't apply now (wrong state or step, missing reason)."""


class InvalidApplication(InvalidSubmission):
    """Bad input for a permit application; ``errors`` maps each field to its messages."""
