from django.core.management.base import BaseCommand, CommandError

from frontend.public.services import rebuild_map_cells
from requests_app.models import Jurisdiction


class Command(BaseCommand):
    help = "Count every request into the public map's cells anew (after a bulk import, or to repair them)."

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", help="The jurisdiction's slug (default: every jurisdiction)")

    def handle(self, *args, **options):
        jurisdictions = Jurisdiction.objects.order_by("id")
        if options["jurisdiction"]:
            jurisdictions = jurisdictions.filter(slug=options["jurisdiction"])
            if not jurisdictions.exists():
                raise CommandError(f"No jurisdiction {options['jurisdiction']!r}")
        for jurisdiction in jurisdictions:
            rebuild_map_cells(jurisdiction)
            self.stdout.write(f"{jurisdiction.slug}: map cells rebuilt")
