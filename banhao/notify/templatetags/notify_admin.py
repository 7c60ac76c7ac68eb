"""The failed-messages notice on the admin home page."""

from django import template

from banhao.notify import services

register = template.Library()


@register.simple_tag
def outbox_failed_count() -> int:
    return services.failed_count()
