import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from requests_app.models import Jurisdiction
from requests_app.progress import Progress
from routing.areas import InvalidGeometries, import_area_layer, prepare_area_features


class Command(BaseCommand):
    help = (
        "Import an area layer (neighborhoods, districts, ...) from a GeoJSON file. Invalid geometries are "
        "reported per feature and nothing is imported, unless --repair makes them valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON FeatureCollection of polygons")
        parser.add_argument("--jurisdiction", required=True, help="the jurisdiction id (slug)")
        parser.add_argument("--layer", required=True, help="layer code, e.g. neighborhoods")
        parser.add_argument("--layer-name", help="layer name (default: the code)")
        parser.add_argument("--name-field", default="name", help="feature property holding the area's name")
        parser.add_argument("--code-field", help="feature property holding the area's code (default: the name)")
        parser.add_argument("--repair", action="store_true", help="make invalid geometries valid instead of failing")

    def handle(self, *args, **options):
        jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(_("No jurisdiction %(slug)s.") % {"slug": options["jurisdiction"]})
        features = read_features(options["file"])
        try:
            areas = prepare_area_features(
                features, name_field=options["name_field"], code_field=options["code_field"], repair=options["repair"]
            )
        except InvalidGeometries as exc:
            report_invalid(self.stderr, exc)
            raise CommandError(
                _("%(n)d of %(total)d features are invalid; nothing was imported. Fix them or rerun with --repair.")
                % {"n": len(exc.problems), "total": len(features)}
            ) from exc
        progress = Progress(len(areas), _("areas"), self.stdout)
        layer, created = import_area_layer(
            jurisdiction,
            code=options["layer"],
            name=options["layer_name"] or options["layer"],
            areas=areas,
            progress=progress,
        )
        progress.finish()
        self.stdout.write(
            _("Layer %(layer)s: %(created)d new areas, %(updated)d updated.")
            % {"layer": layer.code, "created": created, "updated": len(areas) - created}
        )


def read_features(path) -> list[dict]:
    """The features of a GeoJSON file; raises CommandError for a file that is not GeoJSON."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise CommandError(_("Can't read %(path)s: %(error)s") % {"path": path, "error": exc}) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise CommandError(_("%(path)s is not a GeoJSON FeatureCollection.") % {"path": path})
    return features


def report_invalid(stderr, exc: InvalidGeometries) -> None:
    for number, label, problem in exc.problems:
        stderr.write(_("feature %(n)d (%(name)s): %(problem)s") % {"n": number, "name": label, "problem": problem})
