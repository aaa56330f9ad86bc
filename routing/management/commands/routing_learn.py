from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction
from requests_app.progress import Progress
from routing.areas import InvalidGeometries, import_area_layer, prepare_area_features
from routing.history import BadColumns, parse_columns, read_history, rows_from_requests
from routing.learning import area_steps, areas_at_every_layer, areas_of_rows, learn_rule_set
from routing.models import AreaLayer
from routing.validation import HALF_LIVES, METHODS, choose, chunks, steps

from .import_areas import read_features, report_invalid


def parse_day(text: str) -> datetime:
    try:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=UTC)
    except ValueError as exc:
        raise CommandError(_("%(text)s is not a date like 2019-06-30.") % {"text": text}) from exc


def parse_half_life(text: str) -> float | None | str:
    """ "auto" (chosen on held-out training rows), "none" (every year alike) or a number of days."""
    if text in ("auto", "none"):
        return None if text == "none" else text
    try:
        days = float(text)
    except ValueError as exc:
        raise CommandError(_("--half-life-days takes a number of days, auto or none.")) from exc
    if days <= 0:
        raise CommandError(_("--half-life-days takes a number of days, auto or none."))
    return days


def report_skipped(stdout, skipped) -> None:
    for reason, n in skipped.most_common():
        stdout.write(_("  skipped or left out: %(n)d × %(reason)s") % {"n": n, "reason": reason})


def method_label(method: str) -> str:
    return {
        "type": _("baseline: the type alone"),
        "type_area": _("baseline: the type in each area"),
        "rules": _("learned rule table"),
        "model": _("learned model"),
    }[method]


def report_choice(stdout, choice) -> None:
    """The validation table: each method at each half-life, on the newest fifth of the training rows."""
    stdout.write(
        _("  chosen on the newest fifth of the training rows (%(n)d rows; department / queue accuracy):")
        % {"n": choice.rows}
    )
    for half_life in dict.fromkeys(s.half_life_days for s in choice.scores):
        label = _("no decay") if half_life is None else _("half-life %(days)s days") % {"days": f"{half_life:g}"}
        mark = "  ←" if half_life == choice.half_life_days else ""
        stdout.write(f"    {label}{mark}")
        for method in METHODS:
            score = next(s for s in choice.scores if s.half_life_days == half_life and s.method == method)
            stdout.write(f"      {method_label(method):<34} {score.department:.3f} / {score.queue:.3f}")
    stdout.write(
        _("  department decided by: %(d)s; queue decided by: %(q)s")
        % {"d": method_label(choice.decides["department"]), "q": method_label(choice.decides["queue"])}
    )


class Command(BaseCommand):
    help = (
        "Learn a draft rule set, departments, queues, service types and a text classifier from 311 history "
        "(a CSV export, or --from-history: this installation's own closed requests and staff transfers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True, help="jurisdiction id (slug); made if missing")
        parser.add_argument("--timezone", help="time zone of a new jurisdiction, e.g. America/Los_Angeles")
        parser.add_argument("--history", help="CSV export of past requests")
        parser.add_argument(
            "--from-history",
            action="store_true",
            help="learn from this installation's closed requests instead of a CSV",
        )
        parser.add_argument(
            "--columns", help="type=COL,lat=COL,long=COL,department=COL,queue=COL,opened=COL,text=COL1+COL2"
        )
        parser.add_argument("--areas", help="GeoJSON of the area layer that routing may depend on")
        parser.add_argument("--area-field", default="name", help="feature property naming each area")
        parser.add_argument("--layer", default="areas", help="code of the area layer")
        parser.add_argument("--repair", action="store_true", help="make invalid area geometries valid")
        parser.add_argument("--until", help="learn only from rows opened before this date (YYYY-MM-DD)")
        parser.add_argument(
            "--half-life-days",
            default="auto",
            help="how fast old history fades: days, 'none', or 'auto' (default: chosen on the "
            "newest 20%% of the training rows)",
        )

    def handle(self, *args, **options):
        half_life = parse_half_life(options["half_life_days"])
        if options["from_history"]:
            jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
            if jurisdiction is None:
                raise CommandError(_("No jurisdiction %(slug)s.") % {"slug": options["jurisdiction"]})
            rows, skipped = rows_from_requests(jurisdiction.pk)
            has_dates = True
        else:
            if not options["history"] or not options["columns"]:
                raise CommandError(_("Give --history and --columns, or --from-history."))
            try:
                columns = parse_columns(options["columns"])
                rows, skipped = read_history(options["history"], columns)
            except (BadColumns, OSError) as exc:
                raise CommandError(str(exc)) from exc
            has_dates = "opened" in columns
            jurisdiction = None
        if options["until"]:
            until = parse_day(options["until"])
            if not has_dates:
                raise CommandError(_("--until needs the opened column."))
            kept = [r for r in rows if r.opened is not None and r.opened < until]
            skipped[_("opened on or after %(day)s (or no date)") % {"day": options["until"]}] += len(rows) - len(kept)
            rows = kept
        if not rows:
            raise CommandError(_("No usable rows to learn from."))
        jurisdiction = jurisdiction or self._jurisdiction(options)
        layer = self._layer(jurisdiction, options)
        if half_life == "auto" and not has_dates:
            half_life = None  # without dates there is no newest fifth to choose on, and nothing to decay
        choice = None
        layers = AreaLayer.objects.filter(jurisdiction=jurisdiction).count()
        progress = Progress(area_steps(rows) * layers, _("locating the rows in their areas"), self.stdout)
        area_of = areas_of_rows(rows, layer, progress)
        area_ids = areas_at_every_layer(
            rows, jurisdiction, known={layer.pk: area_of} if layer else None, progress=progress
        )
        progress.finish()
        if has_dates:
            progress = Progress(
                steps(len(rows), len(HALF_LIVES) if half_life == "auto" else 1),
                _("choosing the decay and the method"),
                self.stdout,
            )
            choice = choose(
                rows,
                area_of,
                area_ids,
                jurisdiction.timezone,
                progress=progress,
                **({} if half_life == "auto" else {"half_lives": (half_life,)}),
            )
            progress.finish()
        progress = Progress(len({r.type for r in rows}), _("service types"), self.stdout)
        model_progress = Progress(len(chunks(range(len(rows)))), _("learning the model"), self.stdout)
        learned = learn_rule_set(
            jurisdiction,
            rows,
            layer=layer,
            half_life_days=half_life,
            area_of=area_of,
            area_ids=area_ids,
            choice=choice,
            progress=progress,
            model_progress=model_progress,
        )
        progress.finish()
        model_progress.finish()
        self.stdout.write(_("Learned from %(rows)d rows for %(j)s:") % {"rows": learned.rows, "j": jurisdiction.slug})
        report_skipped(self.stdout, skipped)
        if choice is not None:
            report_choice(self.stdout, choice)
        self.stdout.write(
            _("  %(d)d departments, %(t)d queues (teams), %(s)d service types (%(new)d new)")
            % {"d": learned.departments, "t": learned.teams, "s": learned.service_types, "new": len(learned.new_types)}
        )
        self.stdout.write(
            _(
                "  draft rule set version %(v)d: %(type)d type rules, %(area)d area rules, %(word)d word "
                "rules, 1 fallback"
            )
            % {
                "v": learned.rule_set.version,
                "type": learned.type_rules,
                "area": learned.area_rules,
                "word": learned.word_rules,
            }
        )
        self.stdout.write(_("  text classifier trained on %(n)d rows") % {"n": learned.classifier_rows})
        self.stdout.write(
            _(
                "  nothing is live yet: evaluate it with routing_evaluate --rule-set draft, then "
                "activate it in the admin"
            )
        )

    def _layer(self, jurisdiction, options) -> AreaLayer | None:
        if not options["areas"]:
            return AreaLayer.objects.filter(jurisdiction=jurisdiction, code=options["layer"]).first()
        features = read_features(options["areas"])
        try:
            areas = prepare_area_features(features, name_field=options["area_field"], repair=options["repair"])
        except InvalidGeometries as exc:
            report_invalid(self.stderr, exc)
            raise CommandError(_("Invalid area geometries; nothing was made. Rerun with --repair.")) from exc
        progress = Progress(len(areas), _("areas"), self.stdout)
        layer, _created = import_area_layer(
            jurisdiction, code=options["layer"], name=options["layer"], areas=areas, progress=progress
        )
        progress.finish()
        return layer

    def _jurisdiction(self, options) -> Jurisdiction:
        found = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if found:
            return found
        if not options["timezone"]:
            raise CommandError(
                _("Jurisdiction %(slug)s is new: give its --timezone.") % {"slug": options["jurisdiction"]}
            )
        try:
            ZoneInfo(options["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(_("Unknown time zone %(tz)s.") % {"tz": options["timezone"]}) from exc
        return Jurisdiction.objects.create(
            slug=options["jurisdiction"][:60], name=options["jurisdiction"], timezone=options["timezone"]
        )
