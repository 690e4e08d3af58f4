"""The Redmine adapter: the only package that talks to the tracker (and imports redminelib).

It turns Redmine's JSON into `model.IssueSnapshot` / `model.People` (names, not ids; aware
UTC datetimes) and the core's decisions back into REST writes. Timeouts, retries and the
mapping of HTTP failures to `errors.py` live in one place, `transport`.

Its private modules, by concern:

- `transport`: python-redmine's engine with timeouts, retries with backoff, HTTP failures
  turned into `errors.py` exceptions, request counts (`RequestStats`);
- `convert`: issue JSON to `IssueSnapshot`, pure functions;
- `directory`: the tracker's names and ids (statuses, trackers, priorities, custom fields,
  projects, groups);
- `adapter`: `RedmineAdapter`, which reads and writes through them.

Import the names below from this package, not from those modules (but patch a module
constant such as `transport.PAGE_SIZE` in the module that reads it).
"""

from sup_sla_sync.adapters.redmine.adapter import (
    UNSET,
    UNSETTLED,
    USER_ACTIVE,
    USER_LOCKED,
    RedmineAdapter,
)
from sup_sla_sync.adapters.redmine.directory import (
    CustomField,
    Directory,
    IssuePriority,
    IssueStatus,
    ProjectSetup,
)
from sup_sla_sync.adapters.redmine.transport import (
    CONNECT_TIMEOUT_CAP,
    PAGE_SIZE,
    RETRY_STATUSES,
    Kind,
    RequestStats,
)

__all__ = [
    "CONNECT_TIMEOUT_CAP",
    "PAGE_SIZE",
    "RETRY_STATUSES",
    "UNSET",
    "UNSETTLED",
    "USER_ACTIVE",
    "USER_LOCKED",
    "CustomField",
    "Directory",
    "IssuePriority",
    "IssueStatus",
    "Kind",
    "ProjectSetup",
    "RedmineAdapter",
    "RequestStats",
]
