"""The production web server's configuration (``hocvuso serve`` starts gunicorn with it).

Settings come from the environment: ``HOCVUSO_BIND`` (default ``127.0.0.1:8000``: a reverse proxy
in front terminates TLS), ``HOCVUSO_WEB_WORKERS`` (default 2 × cores + 1), ``HOCVUSO_WEB_THREADS``
(default 1) and ``HOCVUSO_WEB_TIMEOUT`` (seconds, default 60). Access and error lines go through
the project's logging (``settings.LOGGING``): redacted, with request ids, JSON in production.
"""

import multiprocessing
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hocvuso.config.settings")

bind = os.environ.get("HOCVUSO_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HOCVUSO_WEB_WORKERS", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("HOCVUSO_WEB_THREADS", 1))
timeout = int(os.environ.get("HOCVUSO_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = 5000  # recycle workers now and then
max_requests_jitter = 500
preload_app = False  # each worker opens its own connections and key material
accesslog = "-"
# No query string (a search term may be in it), no referer, no user agent: the path, status,
# size and time in microseconds.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(D)sus'


def _logging() -> dict:  # type: ignore[type-arg]
    import django
    from django.conf import settings

    django.setup()
    return dict(settings.LOGGING)


logconfig_dict = _logging()
