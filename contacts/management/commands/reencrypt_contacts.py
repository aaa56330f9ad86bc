from django.core.management.base import BaseCommand

from contacts.models import Contact
from contacts.services import reencrypt_contacts
from requests_app.progress import Progress


class Command(BaseCommand):
    help = (
        "Rewrite every stored contact with the newest key (the first of CIVIC311_CONTACT_KEYS). "
        "Run it after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args, **options):
        total = Contact.objects.filter(erased_at__isnull=True).count()
        progress = Progress(total, "Re-encrypting contacts", stream=self.stdout)
        reencrypt_contacts(progress=progress)
        progress.finish()
