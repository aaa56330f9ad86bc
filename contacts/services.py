"""Every write to personal data goes through here."""
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import Contact


PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "device_id")


@dataclass(frozen=True)
class ContactDetails:
    """What a resident gave, and what they consented to use it for (``contacts.purposes.Purpose`` values)."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    language: str = ""
    purposes: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in PERSONAL_FIELDS)


def save_contact(*, service_request_id: int, details: ContactDetails) -> Contact | None:
    """Keep the contact details a resident gave with a request, only for a purpose they consented to.

    Returns None (and stores nothing) when no details were given or no purpose was consented to.
    """
    if details.is_empty or not details.purposes:
        return None
    contact, _ = Contact.objects.update_or_create(
        service_request_id=service_request_id,
        defaults={name: getattr(details, name).strip() for name in PERSONAL_FIELDS + ("language",)},
    )
    return contact


def has_contact(*, service_request_id: int) -> bool:
    return Contact.objects.filter(service_request_id=service_request_id, erased_at__isnull=True).exists()


@transaction.atomic
def erase_contact(*, service_request_id: int) -> bool:
    """Scrub the person from a request, keeping the request itself as the public record.

    Returns whether there was anything to erase.
    """
    contact = Contact.objects.select_for_update().filter(service_request_id=service_request_id).first()
    if contact is None or contact.erased_at:
        return False
    for name in PERSONAL_FIELDS:
        setattr(contact, name, "")
    contact.erased_at = timezone.now()
    contact.save()
    return True
