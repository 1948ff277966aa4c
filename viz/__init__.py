"""Drawing, replay viewer and plots for SafeMall (pygame and matplotlib)."""

import os as _os

_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
