import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
application = get_wsgi_application()

if os.environ.get("KEFU_WARM_UP", "1") == "1":
    # Load in the master process (gunicorn --preload) what every request needs sooner or later —
    # jieba and pypinyin (their dictionaries memory-mapped), the URL resolver and the views and API modules it imports — so the
    # workers share those pages copy-on-write and no request pays for loading them.
    from django.urls import get_resolver

    from kefu import search
    from kefu.customers import names

    search.warm_up()
    names.warm_up()  # pypinyin, which the first ticket of each worker used to load privately
    get_resolver().reverse_dict  # noqa: B018 - imports every view module, fills the URL maps
    # Then move everything loaded so far out of the garbage collector's reach: a collection in a
    # worker would otherwise write to every object's header and so copy every shared page into
    # the worker (issue 14: the workers grew from ~140 to ~235 MB RSS under load).
    gc.collect()
    gc.freeze()
    # No database connection may cross the fork (each worker opens its own).
    from django.db import connections

    connections.close_all()
