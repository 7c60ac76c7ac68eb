"""Masking filters for pages: {% load masking %} then {{ note|mask_identifiers }} (every ID and
mobile inside free text), {{ phone|mask_phone }}, {{ number|mask_resident_id }}. The result is
plain text, escaped as usual."""

from django import template

from banhao.core import masking

register = template.Library()

register.filter("mask_identifiers", masking.mask_identifiers)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_resident_id", masking.mask_resident_id)
