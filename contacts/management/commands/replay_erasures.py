"""Erase again every contact in the erasure ledger: run by `make restore` after a database is restored."""

from django.core.management.base import BaseCommand

from contacts.ledger import erasures
from contacts.models import Contact
from contacts.services import erase_contact
from requests_app.models import ServiceRequest
from requests_app.services import withdraw_requesters_words


class Command(BaseCommand):
    help = "Replay the erasure ledger, so a restored backup brings no erased contact back."

    def handle(self, *args, **options):
        contacts = words = 0
        for entry in erasures():
            pk = entry["service_request_id"]
            if not ServiceRequest.objects.filter(pk=pk).exists():
                continue
            if Contact.objects.filter(service_request_id=pk, erased_at__isnull=True).exists():
                # Scrubs and ends the consents; records the erasure again, which replaying ignores.
                contacts += erase_contact(service_request_id=pk)
            if entry["words"]:
                withdraw_requesters_words(pk)
                words += 1
        self.stdout.write(
            f"Erasure ledger replayed: {contacts} contacts erased again, {words} requests' words withdrawn again"
        )
