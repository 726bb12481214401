import os

from django.core.wsgi import get_wsgi_application

from ducha.environment import ensure_data_dir

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ducha.settings")
ensure_data_dir()  # the keys, on the first start of an installation served by a WSGI server
application = get_wsgi_application()
