"""Domain errors. Each edge (Open311, staff API, forms) maps them to its own error format once."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    pass


class InvalidTransition(DomainError):
    def __init__(self, old: str, new: str):
        self.old, self.new = old, new
        super().__init__(_("A request can't go from %(old)s to %(new)s.") % {"old": old, "new": new})


class InvalidSubmission(DomainError):
    """Bad input for a new request; ``errors`` maps each field (or question code) to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class RequestNotOpen(DomainError):
    """A "me too" for a request that is already closed."""


class ReopenWindowClosed(DomainError):
    """The requester asked to reopen a request closed too long ago."""


class InvalidAction(DomainError):
    """A change that can't apply to this request (the message says why, for the person who tried)."""
