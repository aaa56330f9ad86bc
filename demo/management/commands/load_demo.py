from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the demo jurisdictions (San Francisco with 10,000 real requests, Shenzhen). Safe to rerun."

    def add_arguments(self, parser):
        parser.add_argument("--sf-rows", type=int, default=None, help="Load only the first N San Francisco rows")
        parser.add_argument(
            "--logins-file",
            default=str(Path(settings.BASE_DIR) / ".state" / "demo-logins.txt"),
            help="Where new demo accounts' passwords are appended (printed by make run)",
        )
        parser.add_argument("--no-accounts", action="store_true", help="Do not create demo staff accounts")

    def handle(self, *args, **options):
        loader = DemoLoader(self.stdout, sf_rows=options["sf_rows"])
        sf = loader.load_san_francisco()
        self.stdout.write(f"San Francisco: {sf['created']} new requests of {sf['rows']} rows")
        loader.load_shenzhen()
        self.stdout.write("Shenzhen: districts, departments and service types")
        loader.load_permits()
        if options["no_accounts"]:
            return
        path = Path(options["logins_file"])
        known = (
            {line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()} if path.exists() else set()
        )
        logins = loader.ensure_demo_accounts(known)
        if logins:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as f:
                for username, password, role in logins:
                    f.write(f"{username}\t{password}\t{role}\n")
            path.chmod(0o600)
            self.stdout.write(f"{len(logins)} demo accounts created; logins in {path}")
