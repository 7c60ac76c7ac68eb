"""A root URLconf for the wallet's and the sharing API's tests while the public verification page
(licences:verify, another piece of issue 11) is not on this branch: the same URLs plus a
placeholder under the name the QR codes point to. Used only when that name does not resolve
(``wallet_support.verify_route``); once the real page is merged it is never loaded."""

from django.http import HttpResponse
from django.urls import include, path

from banhao.licences import urls as licences_urls
from config import urls as root


def _placeholder(request):
    return HttpResponse("verification page placeholder (tests only)", content_type="text/plain")


_licences = [path("verify/", _placeholder, name="verify"), *licences_urls.urlpatterns]

urlpatterns = [
    path("licences/", include((_licences, "licences"))),
    *[p for p in root.urlpatterns if str(p.pattern) != "licences/"],
]
