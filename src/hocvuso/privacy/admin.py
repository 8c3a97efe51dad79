"""Consents and data-subject requests in the back office: read-only (writes go through the
services, which check scope and write the audit log)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from hocvuso.core.admin import ReadOnlyAdmin, column
from hocvuso.privacy.models import Consent, DataRequest


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = [
        column("person_id", _("person")),
        "purpose",
        "method",
        "given_at",
        "withdrawn_at",
    ]
    list_filter = ["purpose", "method"]
    fields = [
        "person",
        "purpose",
        "method",
        "witness",
        "given_at",
        "recorded_by",
        "withdrawn_at",
        "withdrawn_by",
    ]


@admin.register(DataRequest)
class DataRequestAdmin(ReadOnlyAdmin):
    list_display = [
        column("person_id", _("person")),
        "kind",
        "channel",
        "received_at",
        "acknowledged_at",
        "completed_at",
    ]
    list_filter = ["kind", "channel"]
    fields = [
        "person",
        "kind",
        "channel",
        "received_at",
        "requested_by",
        "acknowledged_at",
        "acknowledged_by",
        "completed_at",
        "completed_by",
        "notes",
    ]
