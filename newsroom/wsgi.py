"""WSGI entry point: `gunicorn newsroom.wsgi:application`.

Django's application behind the page cache's front (newsroom/pagecache/wsgi.py), which answers
anonymous readers' stored pages before Django's handler runs.
"""

import os

from django.core.wsgi import get_wsgi_application

from newsroom.pagecache.wsgi import StoredPages

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = StoredPages(get_wsgi_application())
