"""Every write to personal data goes through here."""
from dataclasses import dataclass, fields

from django.db import transaction
from django.utils import timezone

from .models import Contact


@dataclass(frozen=True)
class ContactDetails:
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    device_id: str = ""
    language: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self) if f.name != "language")


PERSONAL_FIELDS = ("first_name", "last_name", "email", "phone", "device_id")


def save_contact(*, service_request_id: int, details: ContactDetails) -> Contact | None:
    """Keep the contact details a resident gave with a request; nothing is stored when none were given."""
    if details.is_empty:
        return None
    contact, _ = Contact.objects.update_or_create(
        service_request_id=service_request_id,
        defaults={f.name: getattr(details, f.name).strip() for f in fields(details)},
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
