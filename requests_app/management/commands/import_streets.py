"""Load a city's street centrelines with address ranges (open data in most cities) for address search."""

from django.contrib.gis.gdal import CoordTransform, DataSource, SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import LineString
from django.core.management.base import BaseCommand, CommandError

from requests_app.models import Jurisdiction
from requests_app.services import replace_street_segments

RANGE_FIELDS = ("left_from", "left_to", "right_from", "right_to")


def _number(value):
    try:
        return int(float(value)) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class Command(BaseCommand):
    help = (
        "Replace a jurisdiction's street centrelines from a file GDAL reads (GeoJSON, Shapefile, GeoPackage). "
        "Field options name the file's columns, for example DataSF's: --name streetname --left-from lf_fadd "
        "--left-to lf_toadd --right-from rt_fadd --right-to rt_toadd."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--jurisdiction", required=True, help="the jurisdiction id (slug), e.g. sfgov.org")
        parser.add_argument("--name", default="name", help="field with the street name")
        parser.add_argument("--name-zh", default="", help="field with the street name in Chinese, if any")
        for field in RANGE_FIELDS:
            parser.add_argument(f"--{field.replace('_', '-')}", default=field, dest=field)

    def handle(self, *args, **options):
        jurisdiction = Jurisdiction.objects.filter(slug=options["jurisdiction"]).first()
        if jurisdiction is None:
            raise CommandError(f"No jurisdiction {options['jurisdiction']!r}.")
        try:
            layer = DataSource(options["path"])[0]
        except (GDALException, IndexError) as error:
            raise CommandError(f"Cannot read {options['path']}: {error}") from error
        fields = set(layer.fields)
        if options["name"] not in fields:
            raise CommandError(f"The file has no field {options['name']!r}; it has {sorted(fields)}.")
        to_wgs84 = CoordTransform(layer.srs, SpatialReference(4326)) if layer.srs and layer.srs.srid != 4326 else None
        segments, skipped = [], 0
        for feature in layer:
            geometry = feature.geom
            if to_wgs84:
                geometry.transform(to_wgs84)
            lines = (
                [geometry.geos]
                if geometry.geom_type.name == "LineString"
                else (list(geometry.geos) if geometry.geom_type.name == "MultiLineString" else [])
            )
            name = str(feature.get(options["name"]) or "").strip()
            if not lines or not name:
                skipped += 1
                continue
            ranges = {
                field: _number(feature.get(options[field])) if options[field] in fields else None
                for field in RANGE_FIELDS
            }
            translations = {}
            if options["name_zh"] and options["name_zh"] in fields and feature.get(options["name_zh"]):
                translations["zh-hans"] = str(feature.get(options["name_zh"])).strip()
            for line in lines:
                segments.append(
                    {
                        "name": name[:200],
                        "name_translations": translations,
                        "centreline": LineString(line.coords, srid=4326),
                        **ranges,
                    }
                )
        count = replace_street_segments(jurisdiction, segments)
        self.stdout.write(f"{count} street segments loaded for {jurisdiction.slug}; {skipped} features skipped.")
