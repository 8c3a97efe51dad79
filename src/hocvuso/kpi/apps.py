from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KpiConfig(AppConfig):
    name = "hocvuso.kpi"
    label = "kpi"
    verbose_name = _("Indicators and dashboards")

    def ready(self) -> None:
        """Listen to the domain apps' hooks: every write that changes a figure brings the summary
        tables up to date in its own transaction."""
        from hocvuso.kpi import counters, jobs, listeners  # jobs: registers its background jobs

        listeners.connect()
        counters.connect()  # the worklists' lengths from the summaries (core.counts)
        del jobs
