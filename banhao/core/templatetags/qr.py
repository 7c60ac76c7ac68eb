"""{% load qr %} {{ url|qr_data_uri }}: a QR code of an address as an inline SVG (banhao.core.qr)."""

from django import template

from banhao.core.qr import qr_data_uri

register = template.Library()
register.filter("qr_data_uri", qr_data_uri)
