from datetime import date, datetime, time, timezone as dt_timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction
from requests_app.progress import Progress
from routing.history import BadColumns, parse_columns, read_history
from routing.learning import learn_rule_set
from routing.services import InvalidGeometries, import_area_layer, prepare_area_features

from .import_areas import read_features, report_invalid


def parse_day(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=dt_timezone.utc)
    except ValueError as exc:
        raise CommandError(_("%(text)s is not a date like 2019-06-30.") % {"text": text}) from exc


def report_skipped(stdout, skipped) -> None:
    for reason, n in skipped.most_common():
        stdout.write(_("  skipped or left out: %(n)d × %(reason)s") % {"n": n, "reason": reason})


class Command(BaseCommand):
    help = "Learn a draft rule set, departments, queues, service types and a text classifier from 311 history."

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True, help="jurisdiction id (slug); made if missing")
        parser.add_argument("--timezone", help="time zone of a new jurisdiction, e.g. America/Los_Angeles")
        parser.add_argument("--history", required=True, help="CSV export of past requests")
        parser.add_argument("--columns", required=True,
                            help="type=COL,lat=COL,long=COL,department=COL,queue=COL,opened=COL,text=COL1+COL2")
        parser.add_argument("--areas", help="GeoJSON of the area layer that routing may depend on")
        parser.add_argument("--area-field", default="name", help="feature property naming each area")
        parser.add_argument("--layer", default="areas", help="code of the area layer")
        parser.add_argument("--repair", action="store_true", help="make invalid area geometries valid")
        parser.add_argument("--until", help="learn only from rows opened before this date (YYYY-MM-DD)")

    def handle(self, *args, **options):
        try:
            columns = parse_columns(options["columns"])
            rows, skipped = read_history(options["history"], columns)
        except BadColumns as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        if options["until"]:
            until = parse_day(options["until"])
            if "opened" not in columns:
                raise CommandError(_("--until needs the opened column."))
            kept = [r for r in rows if r.opened is not None and r.opened < until]
            skipped[_("opened on or after %(day)s (or no date)") % {"day": options["until"]}] += len(rows) - len(kept)
            rows = kept
        if not rows:
            raise CommandError(_("No usable rows in %(path)s.") % {"path": options["history"]})
        jurisdiction = self._jurisdiction(options)
        layer = None
        if options["areas"]:
            features = read_features(options["areas"])
            try:
                areas = prepare_area_features(features, name_field=options["area_field"], repair=options["repair"])
            except InvalidGeometries as exc:
                report_invalid(self.stderr, exc)
                raise CommandError(_("Invalid area geometries; nothing was made. Rerun with --repair.")) from exc
            progress = Progress(len(areas), _("areas"), self.stdout)
            layer, _created = import_area_layer(jurisdiction, code=options["layer"], name=options["layer"],
                                                areas=areas, progress=progress)
            progress.finish()
        progress = Progress(len({r.type for r in rows}), _("service types"), self.stdout)
        learned = learn_rule_set(jurisdiction, rows, layer=layer, progress=progress)
        progress.finish()
        self.stdout.write(_("Learned from %(rows)d rows for %(j)s:") % {"rows": learned.rows, "j": jurisdiction.slug})
        report_skipped(self.stdout, skipped)
        self.stdout.write(_("  %(d)d departments, %(t)d queues (teams), %(s)d service types (%(new)d new)") % {
            "d": learned.departments, "t": learned.teams, "s": learned.service_types, "new": len(learned.new_types)})
        self.stdout.write(_("  draft rule set version %(v)d: %(type)d type rules, %(area)d area rules, 1 fallback") % {
            "v": learned.rule_set.version, "type": learned.type_rules, "area": learned.area_rules})
        self.stdout.write(_("  text classifier trained on %(n)d rows") % {"n": learned.classifier_rows})

    def _jurisdiction(self, options) -> Jurisdiction:
        found = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if found:
            return found
        if not options["timezone"]:
            raise CommandError(_("Jurisdiction %(slug)s is new: give its --timezone.") % {
                "slug": options["jurisdiction"]})
        try:
            ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(_("Unknown time zone %(tz)s.") % {"tz": options["timezone"]}) from exc
        return Jurisdiction.objects.create(slug=options["jurisdiction"][:60], name=options["jurisdiction"], timezone=options["timezone"])
