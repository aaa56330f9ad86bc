from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import ApiKey, Scope, default_scopes
from .services import create_api_key


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=Scope.choices, initial=default_scopes, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiKey
        fields = ("application", "jurisdiction", "scopes", "writes_per_minute")


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    form = ApiKeyForm
    list_display = ("application", "jurisdiction", "prefix", "scopes", "writes_per_minute", "created_at", "revoked_at")
    list_filter = ("jurisdiction", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("application", "prefix")
    fields = (
        "application",
        "jurisdiction",
        "scopes",
        "writes_per_minute",
        "consent_wording",
        "prefix",
        "created_at",
        "revoked_at",
    )
    readonly_fields = ("prefix", "created_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        key, raw = create_api_key(
            application=obj.application,
            jurisdiction=obj.jurisdiction,
            writes_per_minute=obj.writes_per_minute,
            scopes=obj.scopes,
        )
        obj.pk, obj.digest, obj.prefix = key.pk, key.digest, key.prefix
        # The raw key exists only in this message: we keep its digest.
        messages.warning(request, _("The new key is %(key)s. Copy it now: it will not be shown again.") % {"key": raw})

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, ngettext("%(n)d key revoked.", "%(n)d keys revoked.", count) % {"n": count})
