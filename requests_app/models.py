"""The service-request domain: jurisdictions, service types and their questions, requests and their history.

Personal data has no place here: it lives in ``contacts`` and nothing here points to it.
"""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .public_ids import new_public_id, new_tracking_token, secret_digest, unissued_token_digest
from .querysets import PhotoQuerySet, ServiceRequestQuerySet
from .retention import WITH_THE_REQUEST, Stored
from .statuses import CLOSED_STATUSES, OPEN_STATUSES, Channel, PermitStep, Priority, RoutingState, Status
from .storage import configured

DESCRIPTION_MAX_LENGTH = 4000


class Translated(models.Model):
    """Mixin for rows with a name (and description) in the jurisdiction's languages."""

    name = models.CharField(_("name"), max_length=200)
    name_translations = models.JSONField(
        _("name in other languages"), default=dict, blank=True, help_text=_('For example {"zh-hans": "坑洞"}')
    )

    class Meta:
        abstract = True

    def localized_name(self, language: str | None = None) -> str:
        return self.name_translations.get(language or get_language() or "", "") or self.name

    def __str__(self):
        return self.name


class BlurStrength(models.IntegerChoices):
    # The values are requests_app.photo_detection.Strength's.
    PIXELATE = 1, _("Pixelated (8 cells across)")
    COARSE = 2, _("Coarse (4 cells across)")
    SOLID = 3, _("Solid colour")


class Jurisdiction(Translated):
    slug = models.SlugField(
        _("jurisdiction id"), max_length=60, unique=True, help_text=_("Open311 jurisdiction_id, e.g. sfgov.org")
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    languages = ArrayField(
        models.CharField(max_length=10),
        default=list,
        verbose_name=_("languages"),
        help_text=_("Language codes, the default first"),
    )
    contact_retention_days = models.PositiveIntegerField(
        _("contact retention (days)"),
        default=30,
        help_text=_("How long a resident's contact data is kept after their request closes"),
    )
    public_id_prefix = models.CharField(_("public id prefix"), max_length=6, blank=True)
    # What public text masking looks for (masking/): the phone numbers, IDs and plates of these
    # countries, and what it keeps: the city's own published numbers and addresses.
    regions = ArrayField(
        models.CharField(max_length=2),
        default=list,
        blank=True,
        verbose_name=_("regions served"),
        help_text=_(
            "ISO country codes whose phone numbers, ID numbers and licence plates residents write, e.g. US or CN, HK"
        ),
    )
    published_contacts = ArrayField(
        models.CharField(max_length=254),
        default=list,
        blank=True,
        verbose_name=_("published numbers and emails"),
        help_text=_(
            "The city's own phone numbers and email addresses, kept in public text (e.g. 311, 415-701-2311, 12345)"
        ),
    )
    # What the public copy of a resident's photo hides (requests_app.photos). Off, the public copy is the
    # cleaned photo itself; the original still stays private.
    photo_blurring = models.BooleanField(_("blur photos before publishing"), default=True)
    photo_blur_faces = models.BooleanField(_("blur faces"), default=True)
    photo_blur_plates = models.BooleanField(_("blur licence plates"), default=True)
    photo_blur_strength = models.PositiveSmallIntegerField(
        _("blur strength"), choices=BlurStrength.choices, default=BlurStrength.PIXELATE
    )

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        ordering = ["slug"]

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else settings.LANGUAGE_CODE


class ServiceType(Translated):
    class Kind(models.TextChoices):
        PROBLEM = "problem", _("Problem report")
        PERMIT = "permit", _("Permit application")

    class Delivery(models.TextChoices):
        # Open311's "type": realtime answers with an id, batch with a token resolved once routed.
        REALTIME = "realtime", _("Real time")
        BATCH = "batch", _("Batch")
        BLACKBOX = "blackbox", _("Black box")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="service_types", verbose_name=_("jurisdiction")
    )
    code = models.CharField(_("code"), max_length=60)
    description = models.TextField(_("description"), blank=True)
    description_translations = models.JSONField(_("description in other languages"), default=dict, blank=True)
    group = models.CharField(_("group"), max_length=120, blank=True)
    group_translations = models.JSONField(_("group in other languages"), default=dict, blank=True)
    keywords = ArrayField(models.CharField(max_length=60), default=list, blank=True, verbose_name=_("keywords"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PROBLEM)
    delivery = models.CharField(_("Open311 type"), max_length=10, choices=Delivery.choices, default=Delivery.REALTIME)
    sensitive = models.BooleanField(
        _("sensitive location"), default=False, help_text=_("Shown at a coarsened location in every public output")
    )
    notice = models.TextField(_("notice shown before filing"), blank=True)
    stops_filing = models.BooleanField(
        _("notice stops filing"), default=False, help_text=_("For example: danger to life, call the emergency number")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        ordering = ["jurisdiction", "group", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="unique_service_code")]

    def localized_description(self, language: str | None = None) -> str:
        return self.description_translations.get(language or get_language() or "", "") or self.description

    def localized_group(self, language: str | None = None) -> str:
        return self.group_translations.get(language or get_language() or "", "") or self.group


class Question(models.Model):
    """One question of a service type's definition, with an Open311 datatype."""

    class Datatype(models.TextChoices):
        STRING = "string", _("Short text")
        NUMBER = "number", _("Number")
        DATETIME = "datetime", _("Date and time")
        TEXT = "text", _("Long text")
        SINGLEVALUELIST = "singlevaluelist", _("One choice from a list")
        MULTIVALUELIST = "multivaluelist", _("Several choices from a list")

    LIST_TYPES = (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST)

    service_type = models.ForeignKey(
        ServiceType, on_delete=models.CASCADE, related_name="questions", verbose_name=_("service type")
    )
    code = models.CharField(_("code"), max_length=60)
    datatype = models.CharField(_("datatype"), max_length=20, choices=Datatype.choices)
    description = models.CharField(_("question"), max_length=300)
    description_translations = models.JSONField(_("question in other languages"), default=dict, blank=True)
    datatype_description = models.CharField(_("answer hint"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=False)
    variable = models.BooleanField(
        _("asked of the resident"), default=True, help_text=_("Unticked: informational only, no answer expected")
    )
    order = models.PositiveIntegerField(_("order"))
    values = models.JSONField(
        _("allowed values"),
        default=list,
        blank=True,
        help_text=_('For list types: [{"key": "a", "name": "A", "name_translations": {}}]'),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["service_type", "order"]
        constraints = [
            models.UniqueConstraint(fields=["service_type", "code"], name="unique_question_code"),
            models.UniqueConstraint(fields=["service_type", "order"], name="unique_question_order"),
        ]

    def __str__(self):
        return f"{self.service_type.code}/{self.code}"

    @property
    def allowed_keys(self) -> list[str]:
        return [str(v["key"]) for v in self.values]

    def localized_description(self, language: str | None = None) -> str:
        return self.description_translations.get(language or get_language() or "", "") or self.description


class ServiceRequest(models.Model):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="requests", verbose_name=_("jurisdiction")
    )
    public_id = models.CharField(_("public id"), max_length=12, unique=True, default=new_public_id, editable=False)
    # The private link's secret, kept only as its digest (public_ids.secret_digest) so that a copy of the database
    # opens no resident's tracking and data pages. Set ``tracking_token`` to issue one.
    tracking_token_digest = models.CharField(max_length=64, unique=True, default=unissued_token_digest, editable=False)
    service_type = models.ForeignKey(
        ServiceType, on_delete=models.PROTECT, related_name="requests", verbose_name=_("service type")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)
    zipcode = models.CharField(_("postal code"), max_length=20, blank=True)
    description = models.TextField(
        _("description"), blank=True, validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)]
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # What the public sees of the resident's own words: masked once when written (requests_app.public_text)
    # and redacted further by staff; every public output reads these, never description or answers.
    public_description = models.TextField(_("public description"), blank=True)
    public_answers = models.JSONField(_("public answers"), default=dict, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    department = models.ForeignKey(
        "routing.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("department"),
    )
    team = models.ForeignKey(
        "routing.Team",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("team"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name=_("assignee"),
    )
    routing_state = models.CharField(
        _("routing"), max_length=10, choices=RoutingState.choices, default=RoutingState.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    me_too_count = models.PositiveIntegerField(_('"me too" count'), default=0)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    on_hold_until = models.DateField(_("on hold until"), null=True, blank=True)
    overdue = models.BooleanField(_("overdue"), default=False, db_index=True)
    permit_step = models.CharField(_("permit step"), max_length=20, choices=PermitStep.choices, blank=True)
    # Where an imported request came from (e.g. the source system's case number), so imports can be rerun.
    external_id = models.CharField(_("external id"), max_length=60, blank=True)

    objects = ServiceRequestQuerySet.as_manager()

    STORED_ABOUT_YOU = (
        Stored(
            ("description", "answers", "location", "address", "address_id", "zipcode"),
            _(
                "What you reported and where, for the staff who handle it. Published only as below; for a "
                "sensitive type (noise, anything at a home) the place is published only as a ~220 m grid cell "
                "and never its address."
            ),
            _("as long as the request; erasing your data can also withdraw your words from public view"),
        ),
        Stored(
            ("public_description", "public_answers"),
            _(
                "What the public sees of your words: masked when written (phone numbers, emails, messaging ids, "
                "ID, card and bank numbers, your name, licence plates removed) and redacted by staff where "
                "needed."
            ),
            WITH_THE_REQUEST,
        ),
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "external_id"], condition=~models.Q(external_id=""), name="unique_external_id"
            ),
            # What the status pipeline promises, held by the database whatever writes the row (services.record_change
            # keeps them; a raw update or an import that breaks one is refused).
            models.CheckConstraint(
                condition=models.Q(status__in=sorted(CLOSED_STATUSES), closed_at__isnull=False)
                | (~models.Q(status__in=sorted(CLOSED_STATUSES)) & models.Q(closed_at__isnull=True)),
                name="sr_closed_at_exactly_when_closed",
            ),
            models.CheckConstraint(
                condition=models.Q(duplicate_of__isnull=True) | models.Q(status=Status.DUPLICATE),
                name="sr_duplicate_of_only_on_duplicates",
            ),
            models.CheckConstraint(
                condition=~models.Q(duplicate_of=models.F("pk")), name="sr_never_a_duplicate_of_itself"
            ),
            models.CheckConstraint(
                condition=models.Q(on_hold_until__isnull=True) | models.Q(status=Status.ON_HOLD),
                name="sr_hold_date_only_on_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(acknowledged_at__isnull=True)
                | models.Q(acknowledged_at__gte=models.F("submitted_at")),
                name="sr_acknowledged_after_filing",
            ),
        ]
        indexes = [
            models.Index(fields=["jurisdiction", "status", "submitted_at"], name="sr_jur_status_submitted"),
            models.Index(fields=["department", "status"], name="sr_department_status"),
            # The resident form's place search finds addresses by any part (iregex, which trigrams can serve).
            GinIndex(fields=["address"], opclasses=["gin_trgm_ops"], name="sr_address_trgm"),
            # The staff queue's order (overdue, SLA clock, priority, age) over open requests, so a page of a
            # department's queue reads its 50 rows from the index instead of sorting every open request.
            models.Index(
                fields=["department", "-overdue", "expected_at", "-priority", "submitted_at", "id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="sr_open_queue_order",
            ),
            # The staff queue newest first (its default, and the tie-break of every sort) over open requests: a
            # page reads its rows from the index after the last row of the page before (keyset pagination),
            # per department, per city for operators, per team, per assignee, and overdue only.
            *(
                models.Index(
                    fields=[field, "-submitted_at", "-id"],
                    condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                    name=name,
                )
                for field, name in [
                    ("department", "sr_open_department_newest"),
                    ("jurisdiction", "sr_open_jurisdiction_newest"),
                    ("team", "sr_open_team_newest"),
                    ("assignee", "sr_open_assignee_newest"),
                ]
            ),
            models.Index(
                fields=["department", "-submitted_at", "-id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES), overdue=True),
                name="sr_open_overdue_newest",
            ),
            # The queue sorted by due time (soonest first, then newest).
            models.Index(
                fields=["department", "expected_at", "-submitted_at", "-id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="sr_open_department_due",
            ),
            # Lists newest first (Open311 GET requests, keyset paging on (submitted_at, id)): each filter has an
            # index that holds the order too (open requests: sr_open_jurisdiction_newest above, read either way),
            # so a page reads its rows from the index and stops, whatever the table's size.
            models.Index(fields=["jurisdiction", "submitted_at", "id"], name="sr_jur_submitted_id"),
            models.Index(fields=["service_type", "submitted_at", "id"], name="sr_type_submitted_id"),
            # Duplicate detection looks only at open requests near a point: a small index, few heap pages.
            GistIndex(
                fields=["location"], name="sr_open_location", condition=models.Q(status__in=sorted(OPEN_STATUSES))
            ),
        ]

    def __str__(self):
        return self.public_id

    @property
    def tracking_token(self) -> str:
        """The plain token, known only to this Python object: the one that filed the request (to show or send the
        link once) or one looked up by it; "" otherwise. The database keeps its digest alone."""
        return getattr(self, "_tracking_token", "")

    @tracking_token.setter
    def tracking_token(self, token: str) -> None:
        self._tracking_token = token
        self.tracking_token_digest = secret_digest(token)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class StatusChange(models.Model):
    """One step in a request's history: who moved it, when, and what they said."""

    service_request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="status_changes")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    old_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    new_status = models.CharField(_("to"), max_length=20, choices=Status.choices)
    public_note = models.TextField(_("public note"), blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["service_request", "at"], name="statuschange_request_at"),
            # The update feed reads a time window in (at, id) order, in keyset chunks.
            models.Index(fields=["at", "id"], name="statuschange_at_id"),
        ]

    def __str__(self):
        return f"{self.service_request_id}: {self.old_status or '-'} → {self.new_status}"


def photo_path(photo, filename):
    # Never the uploaded name: it can carry personal data (a phone's file names often do). A fresh name for
    # every public copy, too: a link to a copy that moderation replaced stops working.
    return f"photos/{photo.service_request.public_id}/{new_tracking_token()[:16]}.jpg"


def private_storage():
    return configured["private"]


class Photo(models.Model):
    """A resident's or crew's photo. The original is private; the public sees only ``public_image``, the copy
    with faces and plates blurred, and only while ``state`` is PUBLIC."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for blurring")
        PUBLIC = "public", _("Public (blurred copy)")
        FAILED = "failed", _("Not published: could not be checked")
        HIDDEN = "hidden", _("Hidden by staff")

    class Failure(models.TextChoices):
        UNREADABLE = "unreadable", _("The file could not be read as an image.")
        TOO_LARGE = "too_large", _("The image is too large to check.")
        MISSING = "missing", _("The original file is missing.")
        FORMAT = "format", _("The file is not in a format we can check.")
        ERROR = "error", _("Face and plate detection failed.")

    class Source(models.TextChoices):
        RESIDENT = "resident", _("Sent with the request")
        CREW = "crew", _("Taken on site by a crew")  # a working photo: staff only
        AFTER = "after", _("After the fix")  # shown to the requester with the crew's public note

    service_request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="photos")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.RESIDENT)
    original = models.ImageField(_("original"), upload_to=photo_path, storage=private_storage, blank=True)
    public_image = models.ImageField(_("public copy"), upload_to=photo_path, blank=True)
    # A photo the source system hosts elsewhere (imported data, Open311 media_url): linked, never copied.
    external_url = models.URLField(blank=True, max_length=500)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    failure = models.CharField(_("why not published"), max_length=12, choices=Failure.choices, blank=True)
    # Where faces and plates were found, and boxes staff added: [{"x", "y", "w", "h", "kind"}] in the
    # original's pixels.
    detected_boxes = models.JSONField(default=list, blank=True)
    manual_boxes = models.JSONField(default=list, blank=True)
    # Bumped by every moderation step: a blurring job that started before it must not publish its result.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = PhotoQuerySet.as_manager()

    STORED_ABOUT_YOU = (
        Stored(
            ("original", "public_image", "external_url"),
            _(
                "The photos you sent, re-encoded without their metadata and kept privately; the public sees only a "
                "copy with faces and licence plates blurred, and never one of a sensitive type."
            ),
            _("as long as the request; erasing your data can also remove them"),
        ),
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="public", public_image="", external_url=""),
                name="public_photo_has_a_public_copy",
            ),
        ]

    @property
    def failure_message(self) -> str:
        return self.get_failure_display() if self.failure else ""


class PhotoModeration(models.Model):
    """One staff step on a photo: who, what, why."""

    class Action(models.TextChoices):
        BLUR_BOX = "blur_box", _("Added a blur box")
        HIDE = "hide", _("Hid the photo")
        SHOW = "show", _("Showed the photo again")
        RETRY = "retry", _("Checked the photo again")

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="moderation")
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    reason = models.CharField(_("reason"), max_length=300)
    box = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("photo moderation")
        verbose_name_plural = _("photo moderation")
        ordering = ["at", "id"]


class IdempotentWrite(models.Model):
    """The first answer to a write that a client may retry (the resident's form, Open311 filings and updates).

    Only keyed hashes are kept (HMAC with the server's secret, requests_app.idempotency): of the client and its
    Idempotency-Key, and of the content, so nothing a resident typed can be read or guessed back from them.
    Rows expire after IDEMPOTENCY_KEEP_HOURS and a beat task removes them.
    """

    key_digest = models.CharField(max_length=64, unique=True)
    fingerprint = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotent write")
        verbose_name_plural = _("idempotent writes")

    def __str__(self):
        return self.key_digest[:12]


class StreetSegment(Translated):
    """A piece of street centreline with the house numbers along each side, as cities publish them: enough to
    find "2000 Mission St" and to name the address nearest a point, with no outside geocoder."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="street_segments", verbose_name=_("jurisdiction")
    )
    left_from = models.PositiveIntegerField(_("left side, first number"), null=True, blank=True)
    left_to = models.PositiveIntegerField(_("left side, last number"), null=True, blank=True)
    right_from = models.PositiveIntegerField(_("right side, first number"), null=True, blank=True)
    right_to = models.PositiveIntegerField(_("right side, last number"), null=True, blank=True)
    centreline = models.LineStringField(_("centreline"), srid=4326)

    class Meta:
        verbose_name = _("street segment")
        verbose_name_plural = _("street segments")
        indexes = [
            GistIndex(fields=["centreline"], name="streetsegment_centreline"),
            GinIndex(fields=["name"], name="streetsegment_name_trgm", opclasses=["gin_trgm_ops"]),
        ]


class ResidentComment(models.Model):
    """What the requester adds from the tracking page after filing. Like the description it is for staff: it
    is never published, and staff read it masked where they publish anything from it."""

    service_request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="resident_comments", verbose_name=_("service request")
    )
    text = models.TextField(_("text"), validators=[MaxLengthValidator(DESCRIPTION_MAX_LENGTH)])
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("comment from the requester")
        verbose_name_plural = _("comments from the requester")
        ordering = ["created_at", "id"]
