"""考核评价: scoring schemes, scores, the red-blue boards, red-flag windows and service stars,
training. Models of each part live in their own module, imported at the end of this file."""

from .models_boards import *  # noqa: F403
from .models_schemes import *  # noqa: F403
from .models_selection import *  # noqa: F403
from .models_training import *  # noqa: F403
