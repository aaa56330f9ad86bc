"""Take the messages of a mailbox file (mbox) or folder (Maildir) in, as the inbound webhook does."""

import mailbox
from pathlib import Path

from anymail.inbound import AnymailInboundMessage
from django.core.management.base import BaseCommand, CommandError

from integrations.email_intake import receive_email


class Command(BaseCommand):
    help = "File requests from the messages in a mailbox (mbox file or Maildir folder). Rerunning adds nothing twice."

    def add_arguments(self, parser):
        parser.add_argument("path", help="an mbox file or a Maildir folder")
        parser.add_argument("--remove", action="store_true", help="delete each message once it has been taken in")

    def handle(self, path, remove=False, **options):
        location = Path(path)
        if location.is_dir():
            box = mailbox.Maildir(location, factory=None, create=False)
        elif location.is_file():
            box = mailbox.mbox(location, factory=None, create=False)
        else:
            raise CommandError(f"no mailbox at {path}")
        counts: dict[str, int] = {}
        box.lock()
        try:
            for key in list(box.keys()):
                message = AnymailInboundMessage.parse_raw_mime_bytes(box.get_bytes(key))
                result = receive_email(message)
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
                if remove:
                    box.remove(key)
            box.flush()
        finally:
            box.unlock()
            box.close()
        self.stdout.write(", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items())) or "no messages")
