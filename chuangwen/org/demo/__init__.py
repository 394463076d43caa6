"""The demo city: an invented prefecture-level city after the seed report, loaded through the
services by `manage.py load_demo` (or `chuangwen demo`).

    data.py      the tables (units, posts, working groups, linkages, demo logins)
    build.py     builds the city from the tables through the services
    accounts.py  demo logins' passwords, the accounts file, the printed table
    loader.py    load once, idempotently
"""

from .accounts import Account, format_table
from .loader import DemoRefused, DemoResult, load

__all__ = ["Account", "DemoRefused", "DemoResult", "format_table", "load"]
