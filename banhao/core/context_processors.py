from django.conf import settings


def site(request):
    """The deploying government's site facts and the elder-mode flag, for every template."""
    return {
        "site": settings.BANHAO_SITE,
        "elder_mode": getattr(request, "elder_mode", False),
    }
