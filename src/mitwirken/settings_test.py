"""Settings for the test suite: the normal settings with ``MITWIRKEN_ENV=test``."""

import copy
import os

os.environ.setdefault("MITWIRKEN_ENV", "test")

from mitwirken.settings import *  # noqa: F403
from mitwirken.settings import DATABASES, MIDDLEWARE

# The replica (core/replica.py) as a second alias of the same test database, so a test can see which alias a
# query went to. Nothing is routed to it unless a test installs the router (tests/test_replica_routing.py): the
# suite runs as without a replica, also when DATABASE_REPLICA_URL is set, as the tests have no second database.
DATABASES["replica"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}
DATABASE_ROUTERS = []
MIDDLEWARE = [name for name in MIDDLEWARE if name != "mitwirken.core.replica.PinPrimaryMiddleware"]
