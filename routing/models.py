"""Who handles what: departments and teams, area layers, versioned rule sets, SLA targets, and the decisions made."""

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from requests_app.models import Jurisdiction, Translated
from requests_app.statuses import Priority, RoutingState


class Department(Translated):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="departments", verbose_name=_("jurisdiction")
    )
    code = models.SlugField(_("code"), max_length=60)
    # None: the jurisdiction's business hours (RoutingSettings); {} would mean around the clock.
    business_hours = models.JSONField(
        _("business hours"),
        null=True,
        blank=True,
        help_text=_('Monday is 0, for example {"0": ["08:00", "17:00"]}; leave empty for the city\'s business hours'),
    )
    # Off unless an operator turns it on (the admin keeps who did it and when, in the department's history).
    crew_may_call = models.BooleanField(
        _("crews may call requesters"),
        default=False,
        help_text=_(
            "A crew member assigned a request may see the requester's phone number, on a tap that is "
            "logged, if the requester agreed to a call from the crew."
        ),
    )
    # A department an import made stays inactive until the rule set that brought it is activated.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["jurisdiction", "name"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="unique_department_code")]


class Team(Translated):
    class Strategy(models.TextChoices):
        NONE = "none", _("Nobody: the team picks")
        ROUND_ROBIN = "round_robin", _("Round robin")
        LEAST_OPEN = "least_open", _("Least open work")

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="teams", verbose_name=_("department")
    )
    code = models.SlugField(_("code"), max_length=80)
    assignment_strategy = models.CharField(
        _("assignment"), max_length=20, choices=Strategy.choices, default=Strategy.NONE
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teams", verbose_name=_("members")
    )
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="led_teams", verbose_name=_("team leads")
    )
    # A team (queue) an import made stays inactive until the rule set that brought it is activated.
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["department", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "code"], name="unique_team_code")]


class AreaLayer(Translated):
    """A set of polygons that cover a jurisdiction one way: neighborhoods, districts, maintenance regions."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="area_layers", verbose_name=_("jurisdiction")
    )
    code = models.SlugField(_("code"), max_length=60)

    class Meta:
        verbose_name = _("area layer")
        verbose_name_plural = _("area layers")
        ordering = ["jurisdiction", "code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="unique_area_layer_code")]


class Area(Translated):
    layer = models.ForeignKey(AreaLayer, on_delete=models.CASCADE, related_name="areas", verbose_name=_("layer"))
    code = models.CharField(_("code"), max_length=120)
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)  # GiST-indexed by GeoDjango

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["layer", "name"]
        constraints = [models.UniqueConstraint(fields=["layer", "code"], name="unique_area_code")]


class RoutingSettings(models.Model):
    """A jurisdiction's routing defaults: where unmatched requests go, business hours, thresholds."""

    jurisdiction = models.OneToOneField(
        Jurisdiction, on_delete=models.CASCADE, related_name="routing_settings", verbose_name=_("jurisdiction")
    )
    triage_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("triage department")
    )
    triage_team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("triage team")
    )
    # {"0": ["09:00", "17:00"], ...} with Monday = "0"; a missing day is closed. Empty: open around the clock.
    business_hours = models.JSONField(
        _("business hours"),
        default=dict,
        blank=True,
        help_text=_('Monday is 0, for example {"0": ["08:00", "17:00"]}; leave empty for around the clock'),
    )
    holiday_country = models.CharField(
        _("holiday country"),
        max_length=3,
        blank=True,
        help_text=_("ISO code whose public holidays close the clocks, e.g. US or CN"),
    )
    holiday_subdivision = models.CharField(
        _("holiday region"),
        max_length=10,
        blank=True,
        help_text=_("State or province code, e.g. CA; empty for national only"),
    )
    general_type_codes = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        verbose_name=_("general service types"),
        help_text=_("Codes of catch-all types whose requests the classifier sorts"),
    )
    classifier_threshold = models.FloatField(_("classifier confidence threshold"), default=0.6)
    learn_from_history = models.BooleanField(
        _("learn from own history"),
        default=False,
        help_text=_(
            "Each week, learn a draft rule set from this city's closed requests and staff transfers "
            "(never activated by itself)"
        ),
    )
    learn_half_life_days = models.FloatField(
        _("learning half-life (days)"),
        null=True,
        blank=True,
        help_text=_("How fast old history fades when learning; empty: chosen on the newest training rows"),
    )
    duplicate_metres = models.PositiveIntegerField(_("duplicate radius (metres)"), default=150)
    duplicate_days = models.PositiveIntegerField(_("duplicate window (days)"), default=30)
    # Routers keep the city's configuration (rules, models, teams, hours, targets) in memory and read only this
    # number per batch; whatever changes that configuration raises it (routing.rulesets.configuration_changed).
    config_version = models.PositiveBigIntegerField(_("configuration version"), default=1, editable=False)

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self):
        return str(self.jurisdiction)


class RuleSetQuerySet(models.QuerySet):
    def active(self):
        return self.filter(state=RuleSet.State.ACTIVE)


class RuleSet(models.Model):
    """A numbered version of a jurisdiction's rules. One is active; drafts are evaluated before they replace it."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="rule_sets", verbose_name=_("jurisdiction")
    )
    version = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    # Bumped whenever a rule changes, so routers drop their cached copy of the rules.
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Service types an import made for this version; residents see them only once it is activated.
    new_service_types = models.ManyToManyField(
        "requests_app.ServiceType", blank=True, related_name="+", verbose_name=_("new service types")
    )
    new_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("new departments")
    )
    new_teams = models.ManyToManyField(Team, blank=True, related_name="+", verbose_name=_("new teams"))

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["jurisdiction", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "version"], name="unique_rule_set_version"),
            models.UniqueConstraint(
                fields=["jurisdiction"], condition=models.Q(state="active"), name="one_active_rule_set"
            ),
        ]

    def __str__(self):
        return f"{self.jurisdiction} v{self.version} ({self.get_state_display()})"


class RoutingRule(models.Model):
    """One rule: every condition that is set must hold; the first matching rule in order decides."""

    class Hours(models.TextChoices):
        ANY = "any", _("Any time")
        INSIDE = "inside", _("Within business hours")
        OUTSIDE = "outside", _("Outside business hours")

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="rules", verbose_name=_("rule set"))
    order = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Conditions
    service_type = models.ForeignKey(
        "requests_app.ServiceType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service type"),
    )
    service_group = models.CharField(_("service group"), max_length=120, blank=True)
    area_layer = models.ForeignKey(
        AreaLayer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area layer"),
        help_text=_("Alone: the point must lie in some area of this layer"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    answer_code = models.CharField(_("question code"), max_length=60, blank=True)
    answer_value = models.CharField(_("answer"), max_length=200, blank=True)
    words = ArrayField(
        models.CharField(max_length=60),
        default=list,
        blank=True,
        verbose_name=_("words"),
        help_text=_("Any of these words in the description"),
    )
    hours = models.CharField(_("when"), max_length=10, choices=Hours.choices, default=Hours.ANY)
    hour_from = models.PositiveSmallIntegerField(_("from hour"), null=True, blank=True)
    hour_to = models.PositiveSmallIntegerField(
        _("to hour"), null=True, blank=True, help_text=_("Local time; 22 to 6 spans midnight")
    )
    min_priority = models.PositiveSmallIntegerField(
        _("lowest priority"), choices=Priority.choices, null=True, blank=True
    )
    # Actions
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="+", verbose_name=_("department"))
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    set_priority = models.PositiveSmallIntegerField(_("set priority"), choices=Priority.choices, null=True, blank=True)
    sla_hours = models.PositiveIntegerField(
        _("SLA target (business hours)"),
        null=True,
        blank=True,
        help_text=_("Overrides the SLA targets of the service type"),
    )
    assignment_strategy = models.CharField(
        _("assignment"),
        max_length=20,
        choices=Team.Strategy.choices,
        blank=True,
        help_text=_("Empty: the team's own strategy"),
    )
    # Made by learning from history: where the rule set's routing model decides, it decides in place of these.
    learned = models.BooleanField(_("learned"), default=False)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["rule_set", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hour_from__isnull=True) | models.Q(hour_from__lte=23), name="rule_hour_from_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(hour_to__isnull=True) | models.Q(hour_to__lte=24), name="rule_hour_to_valid"
            ),
        ]

    def __str__(self):
        return self.name or f"#{self.order}"

    @property
    def is_unconditional(self) -> bool:
        return not (
            self.service_type_id
            or self.service_group
            or self.area_layer_id
            or self.area_id
            or self.answer_code
            or self.words
            or self.hours != self.Hours.ANY
            or self.hour_from is not None
            or self.hour_to is not None
            or self.min_priority
        )


class CityHoliday(models.Model):
    """A day the city closes beyond its country's and region's public holidays (a local festival, a storm day)."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="city_holidays", verbose_name=_("jurisdiction")
    )
    day = models.DateField(_("day"))
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("city holiday")
        verbose_name_plural = _("city holidays")
        ordering = ["jurisdiction", "day"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "day"], name="unique_city_holiday")]

    def __str__(self):
        return f"{self.day} {self.name}"


class SlaTarget(models.Model):
    """Business hours to acknowledge and to resolve a request; the most specific target (type and priority) wins."""

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="sla_targets", verbose_name=_("jurisdiction")
    )
    service_type = models.ForeignKey(
        "requests_app.ServiceType",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sla_targets",
        verbose_name=_("service type"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, null=True, blank=True)
    hours = models.PositiveIntegerField(_("business hours to resolve"))
    acknowledge_hours = models.PositiveIntegerField(_("business hours to acknowledge"), null=True, blank=True)

    class Meta:
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "service_type", "priority"], name="unique_sla_target", nulls_distinct=False
            )
        ]


class DuplicateWindow(models.Model):
    """How near and how recent an open request of the same type must be to count as a possible duplicate."""

    service_type = models.OneToOneField(
        "requests_app.ServiceType",
        on_delete=models.CASCADE,
        related_name="duplicate_window",
        verbose_name=_("service type"),
    )
    metres = models.PositiveIntegerField(_("radius (metres)"))
    days = models.PositiveIntegerField(_("window (days)"))

    class Meta:
        verbose_name = _("duplicate window")
        verbose_name_plural = _("duplicate windows")


class RoutingDecision(models.Model):
    """Why a request went where it went: everything the engine saw and chose, kept for staff."""

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="routing_decisions",
        verbose_name=_("service request"),
    )
    created_at = models.DateTimeField(_("decided"), default=timezone.now)
    state = models.CharField(_("routing"), max_length=10, choices=RoutingState.choices)
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("rule set")
    )
    rule_set_version = models.PositiveIntegerField(_("rule set version"), null=True, blank=True)
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("rule")
    )
    rule_label = models.CharField(_("rule"), max_length=220, blank=True)
    areas = models.ManyToManyField(Area, blank=True, related_name="+", verbose_name=_("areas"))
    inputs = models.JSONField(_("inputs"), default=dict)
    routed_service_type = models.ForeignKey(
        "requests_app.ServiceType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("routed as"),
    )
    suggested_service_type = models.ForeignKey(
        "requests_app.ServiceType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested service type"),
    )
    suggested_department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested department"),
    )
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("department")
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    expected_at = models.DateTimeField(_("expected"), null=True, blank=True)
    reason = models.TextField(_("reason"), help_text=_("For staff; the public reason is rendered without it"))

    class Meta:
        verbose_name = _("routing decision")
        verbose_name_plural = _("routing decisions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["team", "-created_at"], name="decision_team_recent")]


class PossibleDuplicate(models.Model):
    """Found on routing for staff to look at; merging is the staff queue's job."""

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="possible_duplicates",
        verbose_name=_("service request"),
    )
    candidate = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("possible duplicate of"),
    )
    metres = models.FloatField(_("distance (metres)"))
    found_at = models.DateTimeField(_("found"), default=timezone.now)

    class Meta:
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")
        ordering = ["service_request", "metres"]
        constraints = [
            models.UniqueConstraint(fields=["service_request", "candidate"], name="unique_possible_duplicate")
        ]


class TextClassifier(models.Model):
    """A jurisdiction's multinomial naive Bayes over its own request texts, kept in the database.

    It belongs to one rule-set version: learning a draft trains the draft's model and leaves live routing alone;
    activating the draft switches rules and model together.
    """

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="text_classifiers", verbose_name=_("jurisdiction")
    )
    rule_set = models.OneToOneField(
        RuleSet,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="text_classifier",
        verbose_name=_("rule set"),
        help_text=_("Empty only for a model trained before models had versions"),
    )
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    rows = models.PositiveIntegerField(_("training rows"))
    model = models.JSONField(_("model"))

    class Meta:
        verbose_name = _("text classifier")
        verbose_name_plural = _("text classifiers")


class RoutingModel(models.Model):
    """A rule set's learned routing model (routing/dispatch_model.py) and where it decides.

    It belongs to one rule-set version, like the rules: learning a draft leaves live routing alone, and
    activating the draft switches both. ``decides`` names, per target, the method that won on the validation
    slice: {"department": "model" | "rules", "queue": "model" | "rules"}.
    """

    rule_set = models.OneToOneField(
        RuleSet, on_delete=models.CASCADE, related_name="routing_model", verbose_name=_("rule set")
    )
    trained_at = models.DateTimeField(_("trained"), default=timezone.now)
    rows = models.PositiveIntegerField(_("training rows"))
    half_life_days = models.FloatField(_("half-life (days)"), null=True, blank=True)
    decides = models.JSONField(_("decides"), default=dict)
    validation = models.JSONField(_("validation figures"), default=dict)
    # Written only by this server's own learning (joblib); never loaded from an upload.
    data = models.BinaryField(_("model"))

    class Meta:
        verbose_name = _("routing model")
        verbose_name_plural = _("routing models")

    def __str__(self):
        return f"{self.rule_set}"


class SlaClock(models.Model):
    """A request's working-time clock: when it must be acknowledged and resolved, and whether it is paused.

    The resolve due time is mirrored in ServiceRequest.expected_at, which the staff queue sorts by.
    """

    service_request = models.OneToOneField(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="sla_clock",
        verbose_name=_("service request"),
    )
    started_at = models.DateTimeField(_("started"))
    acknowledge_hours = models.PositiveIntegerField(_("business hours to acknowledge"), null=True, blank=True)
    resolve_hours = models.PositiveIntegerField(_("business hours to resolve"), null=True, blank=True)
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    resolve_due_at = models.DateTimeField(_("resolve by"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level reached"), default=0)

    class Meta:
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")


class EscalationLevel(models.Model):
    """Who hears of an overdue request, and how many business hours after its due time."""

    class Level(models.IntegerChoices):
        TEAM_LEAD = 1, _("Team lead")
        DEPARTMENT_HEAD = 2, _("Department head")
        OPERATOR = 3, _("Operator")

    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="escalation_levels", verbose_name=_("jurisdiction")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    after_hours = models.PositiveIntegerField(_("business hours past due"), default=0)

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["jurisdiction", "level"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "level"], name="unique_escalation_level")]


class EscalationNotice(models.Model):
    """One message to one person about one overdue request; kept until it is delivered, retried if it fails."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed; will be retried")
        GAVE_UP = "gave_up", _("Given up after retries")

    service_request = models.ForeignKey(
        "requests_app.ServiceRequest",
        on_delete=models.CASCADE,
        related_name="escalation_notices",
        verbose_name=_("service request"),
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=EscalationLevel.Level.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    # The due time this notice is about: a reopened request's fresh clock escalates anew.
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("delivery"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation notice")
        verbose_name_plural = _("escalation notices")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_request", "level", "recipient", "due_at"], name="unique_escalation_notice"
            )
        ]
