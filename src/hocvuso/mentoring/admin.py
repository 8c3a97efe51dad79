"""Back office: read-only. Mentors, mentorships and sessions change through the pages (audited)."""

from django.contrib import admin

from hocvuso.core.admin import ReadOnlyAdmin
from hocvuso.mentoring.models import Mentor, MentoringSession, Mentorship


@admin.register(Mentor)
class MentorAdmin(ReadOnlyAdmin):
    list_display = ["person", "user", "commune", "capacity", "active"]
    list_select_related = ["person", "user", "commune"]


@admin.register(Mentorship)
class MentorshipAdmin(ReadOnlyAdmin):
    list_display = ["mentor", "mentee", "started_on", "ended_on", "status"]
    list_select_related = ["mentor", "mentee"]


@admin.register(MentoringSession)
class MentoringSessionAdmin(ReadOnlyAdmin):
    list_display = ["mentor", "mentee", "happened_on"]
    list_select_related = ["mentor", "mentee"]
