"""Settings for the test suite: the normal settings with ``MITWIRKEN_ENV=test``."""

import os

os.environ.setdefault("MITWIRKEN_ENV", "test")

from mitwirken.settings import *  # noqa: F403
