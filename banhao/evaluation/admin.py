"""The evaluation app in the admin: each part registers its models in its own module."""

from .admin_complaints import *  # noqa: F403
from .admin_hotline import *  # noqa: F403
from .admin_rate import *  # noqa: F403
