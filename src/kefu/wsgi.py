import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
application = get_wsgi_application()

if os.environ.get("KEFU_WARM_UP", "1") == "1":
    # Load jieba's dictionary in the master process (gunicorn --preload), so workers share it
    # and no request pays for it.
    from kefu import search

    search.warm_up()
