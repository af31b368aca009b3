import gc
import os
import sys
import types

from django.core import signals
from django.core.wsgi import get_wsgi_application


def _application_without_the_test_package():
    """Django's WSGI application, set up without importing the package `django.test`.

    django-ninja imports `setting_changed` from `django.test.signals`, a re-export of
    `django.core.signals.setting_changed`; importing it first imports the package `django.test`
    (its test client, test cases, unittest, xml.dom.minidom, urllib.request: 39 modules, 2.3 MB
    in every web process, which no request uses; issue 14). While Django sets up, that module
    name answers with the same signal; afterwards it is gone again, so a later
    `import django.test` loads the real package and module as it always did."""
    name = "django.test.signals"
    if "django.test" in sys.modules or name in sys.modules:
        return get_wsgi_application()
    stand_in = types.ModuleType(name)
    stand_in.setting_changed = signals.setting_changed
    sys.modules[name] = stand_in
    try:
        return get_wsgi_application()
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kefu.settings")
application = _application_without_the_test_package()

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
