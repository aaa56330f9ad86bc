"""Create, list and revoke Open311 API keys."""

from django.core.management.base import BaseCommand, CommandError

from requests_app.models import Jurisdiction

from ...models import ApiKey, Scope, default_scopes
from ...services import create_api_key, revoke_api_key, set_api_key_scopes


class Command(BaseCommand):
    help = "Create, list or revoke Open311 API keys. The raw key is printed once, at creation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key for an application")
        create.add_argument("--application", required=True, help="the client application's name")
        create.add_argument("--jurisdiction", required=True, help="the jurisdiction_id, e.g. sfgov.org")
        create.add_argument(
            "--writes-per-minute",
            type=int,
            default=None,
            help="this key's write limit (default: the OPEN311_WRITES_PER_MINUTE setting)",
        )
        create.add_argument(
            "--consent-wording",
            default="",
            help="the sentence the application shows its users when it asks to contact them",
        )
        create.add_argument(
            "--scopes",
            default=",".join(default_scopes()),
            help="comma-separated, of: read, file, update (default: read,file); update lets the "
            "application close, reopen and reclassify requests",
        )
        sub.add_parser("list", help="list keys (never the keys themselves)")
        scopes = sub.add_parser("scopes", help="set the scopes of a key")
        scopes.add_argument("prefix", help="the first characters of the key, as `list` shows them")
        scopes.add_argument("scopes", help="comma-separated, of: read, file, update")
        revoke = sub.add_parser("revoke", help="revoke a key")
        revoke.add_argument("prefix", help="the first characters of the key, as `list` shows them")

    def handle(self, *args, action, **options):
        if action == "create":
            jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
            if jurisdiction is None:
                raise CommandError(f"No jurisdiction {options['jurisdiction']!r}.")
            if options["writes_per_minute"] is not None and options["writes_per_minute"] < 1:
                raise CommandError("--writes-per-minute must be at least 1.")
            key, raw = create_api_key(
                application=options["application"],
                jurisdiction=jurisdiction,
                writes_per_minute=options["writes_per_minute"],
                consent_wording=options["consent_wording"],
                scopes=_scopes(options["scopes"]),
            )
            self.stderr.write(f"Key for {key.application} ({jurisdiction.slug}); shown only now:")
            self.stdout.write(raw)
        elif action == "list":
            for key in ApiKey.objects.select_related("jurisdiction"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                self.stdout.write(
                    f"{key.prefix}  {key.jurisdiction.slug}  {key.application}  {','.join(key.scopes)}  {state}"
                )
        elif action == "scopes":
            key = _one_key(options["prefix"])
            set_api_key_scopes(key, _scopes(options["scopes"]))
            self.stdout.write(f"{key} may now: {','.join(key.scopes)}.")
        else:
            key = _one_key(options["prefix"])
            revoke_api_key(key)
            self.stdout.write(f"Revoked {key}.")


def _one_key(prefix: str) -> ApiKey:
    matches = list(ApiKey.objects.filter(prefix__startswith=prefix)) if prefix else []
    if len(matches) != 1:
        raise CommandError(f"{len(matches)} keys start with {prefix!r}; give more characters.")
    return matches[0]


def _scopes(text: str) -> list[str]:
    scopes = {s.strip() for s in text.split(",") if s.strip()}
    unknown = scopes - set(Scope.values)
    if unknown or not scopes:
        raise CommandError(
            f"Scopes are a comma-separated list of {', '.join(Scope.values)}; "
            f"not {', '.join(sorted(unknown)) or 'empty'}."
        )
    return sorted(scopes)
