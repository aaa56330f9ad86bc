"""What Open311 clients send (validated here) and the shapes we answer with (documented in the OpenAPI schema).

Inbound serializers turn wire parameters into checked Python values; the views hand those to services.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contacts.purposes import Purpose
from contacts.wording import CURRENT_WORDING_VERSION, WORDING
from open311_format.mapping import parse_w3c
from open311_format.records import MAX_WINDOW_DAYS

from .errors import bad_request

MAX_PAGE_SIZE = 1000
MAX_PAGE = 100_000
TRUE_WORDS = {"true", "1", "yes", "on"}


def present_params(*sources: QueryDict) -> QueryDict:
    """The parameters that carry a value: an empty optional parameter counts as absent (GeoReport v2).

    Later sources add to earlier ones; NUL characters, which no database text column takes, are dropped.
    """
    params = QueryDict(mutable=True)
    for source in sources:
        for name in source:
            for value in source.getlist(name):
                if isinstance(value, str):
                    value = value.replace("\x00", "")
                    if value.strip():
                        params.appendlist(name, value.strip())
    return params


def checked(serializer_class, params: QueryDict) -> dict:
    """Validate ``params`` with ``serializer_class``; raises Open311Error 400 naming each bad parameter."""
    serializer = serializer_class(data=params)
    if serializer.is_valid():
        return serializer.validated_data
    descriptions = []
    for field, details in serializer.errors.items():
        for detail in details:
            code = getattr(detail, "code", "")
            descriptions.append(f"{field} required" if code == "required" else f"{field}: {detail}")
    raise bad_request(*descriptions)


@extend_schema_field(OpenApiTypes.DATETIME)
class W3CDateTimeField(serializers.Field):
    default_error_messages = {"invalid": gettext_lazy("Use a W3C datetime such as 2024-05-01T14:30:00Z.")}

    def to_internal_value(self, data):
        parsed = parse_w3c(str(data))
        if parsed is None:
            self.fail("invalid")
        return parsed

    def to_representation(self, value):
        return value


@extend_schema_field(OpenApiTypes.STR)
class CommaListField(serializers.Field):
    """A parameter given as ``a,b`` or repeated (``x=a&x=b``), or both."""

    def __init__(self, *, choices=None, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist"):
            values = dictionary.getlist(self.field_name)
            return values if values else serializers.empty
        return super().get_value(dictionary)

    def to_internal_value(self, data):
        raw = data if isinstance(data, list) else [data]
        items = [part.strip() for value in raw for part in str(value).split(",") if part.strip()]
        if self.choices is not None:
            unknown = [item for item in items if item not in self.choices]
            if unknown:
                raise serializers.ValidationError(
                    _("%(values)s: use one of %(choices)s.")
                    % {"values": ", ".join(unknown), "choices": ", ".join(self.choices)}
                )
        return items

    def to_representation(self, value):
        return value


def check_window(start, end) -> None:
    """Raises Open311Error 400 unless start_date..end_date is a window of at most 90 days."""
    if start and end and end < start:
        raise bad_request(_("end_date must not be before start_date."))
    if start and end and (end - start).total_seconds() > MAX_WINDOW_DAYS * 86400:
        raise bad_request(_("start_date and end_date may be at most %(n)d days apart.") % {"n": MAX_WINDOW_DAYS})


class JurisdictionParams(serializers.Serializer):
    jurisdiction_id = serializers.CharField(required=False, max_length=200)


class RequestSearchIn(JurisdictionParams):
    service_request_id = CommaListField(required=False, help_text="Comma list; overrides every other filter.")
    service_code = CommaListField(required=False, help_text="Comma list, or repeated.")
    status = CommaListField(required=False, choices=("open", "closed"), help_text="open, closed; comma list.")
    start_date = W3CDateTimeField(required=False)
    end_date = W3CDateTimeField(required=False)
    # Not in GeoReport v2: paging, update-time sync and the extended fields.
    page = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=MAX_PAGE_SIZE)
    updated_after = W3CDateTimeField(required=False)
    updated_before = W3CDateTimeField(required=False)
    extensions = serializers.BooleanField(required=False, default=False)
    after = serializers.CharField(
        required=False,
        max_length=12,
        help_text="Keyset paging: the requests after this service_request_id, in the list's order (the Link "
        "header's rel=next gives it).",
    )

    def validate(self, attrs):
        check_window(attrs.get("start_date"), attrs.get("end_date"))
        after, before = attrs.get("updated_after"), attrs.get("updated_before")
        if after and before and before < after:
            raise bad_request(_("updated_before must not be before updated_after."))
        return attrs


class UpdateSearchIn(JurisdictionParams):
    start_date = W3CDateTimeField(required=False)
    end_date = W3CDateTimeField(required=False)
    api_key = serializers.CharField(required=False, help_text="Accepted and not needed: updates are public.")

    def validate(self, attrs):
        check_window(attrs.get("start_date"), attrs.get("end_date"))
        return attrs


class RequestIn(JurisdictionParams):
    api_key = serializers.CharField(help_text="In the body or the query string.")
    service_code = serializers.CharField(max_length=60)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    long = serializers.FloatField(required=False, min_value=-180, max_value=180)
    address_string = serializers.CharField(required=False, max_length=300)
    address_id = serializers.CharField(required=False, max_length=100)
    zipcode = serializers.CharField(required=False, max_length=20)
    description = serializers.CharField(required=False, max_length=4000)
    media_url = serializers.ListField(
        child=serializers.URLField(max_length=500),
        required=False,
        max_length=10,
        help_text="A link to a photo; may be repeated.",
    )
    media = serializers.FileField(required=False, help_text="A photo (multipart); photo1..N and file_* also work.")
    email = serializers.CharField(
        required=False, max_length=254, help_text="Kept only with a consented purpose; never shown."
    )
    phone = serializers.CharField(required=False, max_length=40)
    first_name = serializers.CharField(required=False, max_length=100)
    last_name = serializers.CharField(required=False, max_length=100)
    device_id = serializers.CharField(required=False, max_length=200)
    deviceid = serializers.CharField(required=False, max_length=200, help_text="FixMyStreet's spelling of device_id.")
    account_id = serializers.CharField(required=False, help_text="Accepted and not kept.")
    # Not in GeoReport v2: the explicit asks that let us keep a contact (FixMyStreet's flag and ours).
    email_alerts_requested = serializers.CharField(required=False, help_text="true: keep the contact for updates.")
    # The purposes of the wording an Open311 consent is recorded on (a permit's decision is asked on its own form).
    contact_purposes = CommaListField(
        required=False,
        choices=tuple(str(p) for p in WORDING[CURRENT_WORDING_VERSION]),
        help_text="Civic311: comma list of status_updates, department_questions.",
    )

    def validate(self, attrs):
        if ("lat" in attrs) != ("long" in attrs):
            raise bad_request(_("Give both lat and long."))
        purposes = set(attrs.get("contact_purposes", []))
        if attrs.get("email_alerts_requested", "").lower() in TRUE_WORDS:
            purposes.add(Purpose.STATUS_UPDATES)
        attrs["purposes"] = frozenset(purposes)
        if purposes and attrs.get("email"):
            try:
                validate_email(attrs["email"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"email": exc.messages}) from None
        return attrs


class UpdateIn(JurisdictionParams):
    # FixMyStreet's service request updates. Not in GeoReport v2.
    api_key = serializers.CharField()
    service_request_id = serializers.CharField(max_length=40)
    update_id = serializers.CharField(max_length=150)
    updated_datetime = W3CDateTimeField()
    status = serializers.CharField(max_length=40, help_text="Upper case, e.g. FIXED, IN_PROGRESS, REOPEN.")
    description = serializers.CharField(max_length=4000)
    media_url = serializers.ListField(child=serializers.CharField(), required=False, help_text="Accepted, not kept.")


# Output shapes, for the OpenAPI document. The views build these as plain dicts (see selectors.py).


class ErrorOut(serializers.Serializer):
    code = serializers.IntegerField()
    description = serializers.CharField()


class ServiceOut(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    metadata = serializers.BooleanField()
    type = serializers.ChoiceField(choices=["realtime", "batch", "blackbox"])
    keywords = serializers.CharField(allow_null=True)
    group = serializers.CharField(allow_null=True)
    groups = serializers.ListField(child=serializers.CharField(), help_text="FixMyStreet extension.")


class ValueOut(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()


class AttributeOut(serializers.Serializer):
    variable = serializers.BooleanField()
    code = serializers.CharField()
    datatype = serializers.CharField()
    required = serializers.BooleanField()
    datatype_description = serializers.CharField(allow_null=True)
    order = serializers.IntegerField()
    description = serializers.CharField()
    values = ValueOut(many=True, required=False)


class ServiceDefinitionOut(serializers.Serializer):
    service_code = serializers.CharField()
    attributes = AttributeOut(many=True)


class NoteOut(serializers.Serializer):
    datetime = serializers.CharField()
    type = serializers.CharField()
    summary = serializers.CharField()
    description = serializers.CharField(allow_null=True)


class ExtendedAttributesOut(serializers.Serializer):
    channel = serializers.CharField()
    detailed_status = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    media_urls = serializers.ListField(child=serializers.CharField())


class AnswerOut(serializers.Serializer):
    code = serializers.CharField()
    value = serializers.JSONField()


class RequestOut(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_null=True)
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.CharField(help_text="W3C datetime, UTC, whole seconds.")
    updated_datetime = serializers.CharField()
    expected_datetime = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True, help_text="Coarsened for sensitive service types.")
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_null=True)
    extended_attributes = ExtendedAttributesOut(required=False, help_text="With extensions=true only.")
    attributes = AnswerOut(many=True, required=False, help_text="With extensions=true only.")
    notes = NoteOut(many=True, required=False, help_text="With extensions=true only.")


class CreatedOut(serializers.Serializer):
    service_request_id = serializers.CharField(required=False, help_text="Realtime service types.")
    token = serializers.CharField(required=False, help_text="Batch service types.")
    service_notice = serializers.CharField(allow_null=True)


class TokenOut(serializers.Serializer):
    service_request_id = serializers.CharField(required=False, help_text="Once the request is routed.")
    token = serializers.CharField()


class UpdateOut(serializers.Serializer):
    update_id = serializers.CharField()
    service_request_id = serializers.CharField()
    status = serializers.CharField(help_text="FixMyStreet's extended statuses, lower case.")
    updated_datetime = serializers.CharField()
    description = serializers.CharField()
    media_url = serializers.CharField(allow_null=True)


class UpdateCreatedOut(serializers.Serializer):
    update_id = serializers.CharField()


class EndpointOut(serializers.Serializer):
    specification = serializers.CharField()
    url = serializers.CharField()
    changeset = serializers.CharField()
    type = serializers.CharField()
    formats = serializers.ListField(child=serializers.CharField())


class DiscoveryOut(serializers.Serializer):
    changeset = serializers.CharField()
    contact = serializers.CharField()
    key_service = serializers.CharField()
    endpoints = EndpointOut(many=True)
