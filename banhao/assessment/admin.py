"""The assessment app in the admin: each part registers its models in its own module."""

from .admin_training import *  # noqa: F403
