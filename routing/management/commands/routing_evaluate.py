from django.contrib.gis.geos import Point
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction, ServiceRequest, ServiceType
from requests_app.progress import Progress
from routing.evaluation import Case, evaluate, type_only
from routing.history import BadColumns, parse_columns, read_history
from routing.models import RuleSet

from .routing_learn import parse_day, report_skipped


class Command(BaseCommand):
    help = ("Replay history rows through a rule set without saving anything; print department and queue "
            "accuracy, the baseline of the type alone, and the top confusions.")

    def add_arguments(self, parser):
        parser.add_argument("--jurisdiction", required=True)
        parser.add_argument("--history", required=True)
        parser.add_argument("--columns", required=True, help="as for routing_learn")
        parser.add_argument("--since", help="only rows opened on or after this date (YYYY-MM-DD)")
        parser.add_argument("--rule-set", choices=["draft", "active"], default="active",
                            help="the newest draft or the active rule set (default)")

    def handle(self, *args, **options):
        jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(_("No jurisdiction %(slug)s.") % {"slug": options["jurisdiction"]})
        rule_set = RuleSet.objects.filter(jurisdiction=jurisdiction, state=options["rule_set"]).order_by(
            "-version").first()
        if rule_set is None:
            raise CommandError(_("%(j)s has no %(state)s rule set.") % {"j": jurisdiction.slug,
                                                                        "state": options["rule_set"]})
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
            skipped[_("opened before %(day)s (or no date)") % {"day": options["since"]}] += len(rows) - len(kept)
            rows = kept
        types = {st.name: st for st in ServiceType.objects.filter(jurisdiction=jurisdiction)}
        cases = []
        for r in rows:
            st = types.get(r.type)
            if st is None:
                skipped[_("unknown service type")] += 1
            elif r.lat is None:
                skipped[_("no location")] += 1
            else:
                sr = ServiceRequest(jurisdiction=jurisdiction, service_type=st, location=Point(r.lon, r.lat, srid=4326),
                                    description=r.text, submitted_at=r.opened or timezone.now())
                cases.append(Case(request=sr, department=r.department, queue=r.queue))
        progress = Progress(len(cases) * 2, _("replaying"), self.stdout)
        report = evaluate(rule_set, cases, progress=progress)
        baseline = evaluate(rule_set, cases, only=type_only, progress=progress)
        progress.finish()
        self.stdout.write(_("Rule set %(rs)s on %(n)d rows:") % {"rs": rule_set, "n": report.rows})
        report_skipped(self.stdout, skipped)
        self.stdout.write(_("  department accuracy %(d).3f, queue accuracy %(q).3f, %(t)d sent to triage") % {
            "d": report.department_accuracy, "q": report.queue_accuracy, "t": report.triage})
        self.stdout.write(_("  baseline, the service type alone: department accuracy %(d).3f, queue accuracy "
                            "%(q).3f") % {"d": baseline.department_accuracy, "q": baseline.queue_accuracy})
        self.stdout.write(_("  top confusions (actual queue → chosen queue):"))
        for (actual, chosen), n in report.confusions.most_common(5):
            self.stdout.write(f"    {n:5d}  {actual} → {chosen or '-'}")
        self.stdout.write(report.last_line())
