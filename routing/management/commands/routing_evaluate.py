import io
import json

from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.progress import Progress
from routing.decisions import type_and_area, type_only
from routing.evaluation import Case, classifier_accuracy, evaluate
from routing.history import BadColumns, parse_columns, read_history
from routing.learning import areas_at_every_layer, areas_of_rows
from routing.models import AreaLayer, RuleSet
from routing.validation import choose

from .routing_learn import parse_day, report_choice, report_skipped

# Each way of routing that is replayed, with evaluate's arguments; "chosen" is what live routing would do.
VARIANTS = {
    "chosen": {},
    "rules": {"use_model": False},
    "model": {"decides": {"department": "model", "queue": "model"}},
    "type_only": {"only": type_only, "use_model": False},
    "type_and_area": {"only": type_and_area, "use_model": False},
}


class Command(BaseCommand):
    help = (
        "Replay history rows through a rule set without saving anything; print department and queue "
        "accuracy next to two baselines (the type alone, the type in each area), the text model's accuracy, "
        "precision and recall per department and the top confusions; --json for machines."
    )

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True)
        parser.add_argument("--history", required=True)
        parser.add_argument("--columns", required=True, help="as for routing_learn")
        parser.add_argument("--since", help="only rows opened on or after this date (YYYY-MM-DD)")
        parser.add_argument(
            "--rule-set",
            choices=["draft", "active"],
            default="active",
            help="the newest draft or the active rule set (default)",
        )
        parser.add_argument(
            "--choose-decay",
            action="store_true",
            help="also score each half-life on the newest fifth of the rows before --since "
            "(the training period) and say which routing_learn should use",
        )
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON document")

    def handle(self, *args, **options):
        jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(_("No jurisdiction %(slug)s.") % {"slug": options["jurisdiction"]})
        rule_set = (
            RuleSet.objects.filter(jurisdiction=jurisdiction, state=options["rule_set"]).order_by("-version").first()
        )
        if rule_set is None:
            raise CommandError(
                _("%(j)s has no %(state)s rule set.") % {"j": jurisdiction.slug, "state": options["rule_set"]}
            )
        try:
            columns = parse_columns(options["columns"])
            rows, skipped = read_history(options["history"], columns)
        except (BadColumns, OSError) as exc:
            raise CommandError(str(exc)) from exc
        if options["since"]:
            if "opened" not in columns:
                raise CommandError(_("--since needs the opened column."))
            since = parse_day(options["since"])
            kept = [r for r in rows if r.opened is not None and r.opened >= since]
            training = [r for r in rows if r.opened is not None and r.opened < since]
            skipped[_("opened before %(day)s (or no date)") % {"day": options["since"]}] += len(rows) - len(kept)
            rows = kept
        elif options["choose_decay"]:
            raise CommandError(_("--choose-decay needs --since: the decay is chosen before the test period."))
        else:
            training = []
        types = {st.name: st for st in ServiceType.objects.filter(jurisdiction=jurisdiction)}
        cases = []
        for r in rows:
            st = types.get(r.type)
            if st is None:
                skipped[_("unknown service type")] += 1
            elif r.lat is None:
                skipped[_("no location")] += 1
            else:
                sr = ServiceRequest(
                    jurisdiction=jurisdiction,
                    service_type=st,
                    location=Point(r.lon, r.lat, srid=4326),
                    description=r.text,
                    submitted_at=r.opened or timezone.now(),
                )
                cases.append(Case(request=sr, department=r.department, queue=r.queue))
        stream = io.StringIO() if options["json"] else self.stdout
        progress = Progress(len(cases) * len(VARIANTS), _("replaying"), stream)
        reports = {key: evaluate(rule_set, cases, progress=progress, **kwargs) for key, kwargs in VARIANTS.items()}
        progress.finish()
        report = reports["chosen"]
        text_accuracy, text_rows = classifier_accuracy(rule_set, cases)
        decay = self._decay(training, jurisdiction) if options["choose_decay"] else None
        figures = {
            "rule_set": {"version": rule_set.version, "state": rule_set.state, "note": rule_set.note},
            "learned": report.as_dict(),
            "methods": {"rules": reports["rules"].as_dict(), "model": reports["model"].as_dict()},
            "baselines": {
                "type_only": reports["type_only"].as_dict(),
                "type_and_area": reports["type_and_area"].as_dict(),
            },
            "classifier": {"accuracy": round(text_accuracy, 4), "rows": text_rows},
            "departments": [
                {**d, "precision": round(d["precision"], 4), "recall": round(d["recall"], 4)}
                for d in report.per_department()
            ],
            "confusions": [{"actual": a, "chosen": c, "count": n} for (a, c), n in report.confusions.most_common(20)],
            "department_confusions": [
                {"actual": a, "chosen": c, "count": n} for (a, c), n in report.departments.most_common() if a != c
            ][:20],
            "skipped": dict(skipped),
        }
        if decay is not None:
            figures["decay"] = decay.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(figures, ensure_ascii=False, indent=2))
            return
        self._print(rule_set, reports, text_accuracy, text_rows, skipped, decay)

    def _decay(self, training, jurisdiction):
        """Half-lives and methods scored on the training period only: learned on its older part, judged on its
        newest fifth. The rows from --since on are never passed here."""
        layer = AreaLayer.objects.filter(jurisdiction=jurisdiction).order_by("pk").first()
        area_of = areas_of_rows(training, layer)
        area_ids = areas_at_every_layer(training, jurisdiction, known={layer.pk: area_of} if layer else None)
        return choose(training, area_of, area_ids, jurisdiction.timezone)

    def _print(self, rule_set, reports, text_accuracy, text_rows, skipped, decay):
        out, report = self.stdout, reports["chosen"]
        out.write(_("Rule set %(rs)s on %(n)d rows:") % {"rs": rule_set, "n": report.rows})
        report_skipped(out, skipped)
        out.write(
            _("  department accuracy %(d).3f, queue accuracy %(q).3f, %(t)d sent to triage")
            % {"d": report.department_accuracy, "q": report.queue_accuracy, "t": report.triage}
        )
        for key, label in (
            ("rules", _("the learned rule table alone")),
            ("model", _("the learned model alone")),
            ("type_only", _("baseline, the service type alone")),
            ("type_and_area", _("baseline, the type in each area")),
        ):
            out.write(
                _("  %(label)s: department accuracy %(d).3f, queue accuracy %(q).3f")
                % {"label": label, "d": reports[key].department_accuracy, "q": reports[key].queue_accuracy}
            )
        out.write(
            _("  text model, the type from the words alone (as for untyped requests): accuracy %(a).3f on %(n)d rows")
            % {"a": text_accuracy, "n": text_rows}
        )
        if decay is not None:
            report_choice(out, decay)
        out.write(_("  per department (requests, precision, recall):"))
        for d in report.per_department()[:25]:
            out.write(f"    {d['requests']:6d}  {d['precision']:.3f}  {d['recall']:.3f}  {d['department']}")
        out.write(_("  top confusions (actual queue → chosen queue):"))
        for (actual, chosen), n in report.confusions.most_common(10):
            out.write(f"    {n:5d}  {actual} → {chosen or '-'}")
        out.write(report.last_line())
