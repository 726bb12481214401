"""The portal as a WSGI application, for a server other than `ducha portal`."""

import os

from django.core.wsgi import get_wsgi_application

from ducha.environment import ensure_data_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.portal_settings")
ensure_data_dir()
application = get_wsgi_application()
