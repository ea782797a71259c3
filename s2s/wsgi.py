"""WSGI entry point, for gunicorn: Django behind the load shedder (core/shedding.py)."""

import os

from django.core.wsgi import get_wsgi_application

from s2s.core.shedding import shed_load

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "s2s.settings")
application = shed_load(get_wsgi_application())
