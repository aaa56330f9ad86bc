from django.core.management.base import BaseCommand

from contacts.privacy_notice import privacy_notice


class Command(BaseCommand):
    help = "Print README's \"What we store about you, and for how long\" from the models' declarations."

    def handle(self, *args, **options):
        self.stdout.write(privacy_notice(), ending="")
