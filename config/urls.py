from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from banhao.assessment import board_views
from banhao.core import views as core_views

admin.site.site_header = "办好 · 政务服务平台管理后台"
admin.site.site_title = "办好管理后台"
admin.site.index_title = "平台数据管理"

urlpatterns = [
    path("healthz/", core_views.healthz, name="healthz"),
    path("readyz/", core_views.readyz, name="readyz"),
    path("", include("banhao.portal.urls")),
    path("accounts/", include("banhao.accounts.urls")),
    path("org/", include("banhao.org.urls")),
    path("catalog/manage/", include("banhao.catalog.manage_urls")),
    path("office/cases/", include("banhao.cases.office_urls")),
    path("registry/", include("banhao.registry.urls")),
    path("search/", include("banhao.catalog.search_urls")),
    path("guide/", include("banhao.catalog.guide_urls")),
    path("cases/", include("banhao.cases.applicant_urls")),
    path("notices/", include("banhao.notify.urls")),
    path("apply/", include("banhao.cases.apply_urls")),
    path("hall/desk/", include("banhao.evaluation.pad_urls")),  # the rating pad keeps its device URLs
    # the public 红蓝榜 of a hall (an assessment view: hall cannot import assessment)
    path("hall/<int:hall_id>/honour-board/", board_views.public_board, name="honour_board"),
    path("hall/", include("banhao.hall.urls")),
    path("licences/", include("banhao.licences.urls")),
    path("office/projects/", include("banhao.projects.office_urls")),
    path("projects/", include("banhao.projects.urls")),
    path("evaluation/rectify/", include("banhao.evaluation.rectify_urls")),
    path("rate/feedback/", include("banhao.evaluation.feedback_urls")),  # the rater's page (before /rate/)
    path("complaints/", include("banhao.evaluation.complaint_urls")),
    path("evaluation/public/", include("banhao.evaluation.public_urls")),
    path("evaluation/", include("banhao.evaluation.workbench_urls")),
    path("rate/", include("banhao.evaluation.rating_urls")),
    path("hotline/", include("banhao.evaluation.hotline_urls")),
    path("assessment/training/", include("banhao.assessment.training_urls")),  # before any "assessment/"
    path("assessment/selection/", include("banhao.assessment.selection_urls")),  # 红旗窗口/服务明星
    path("assessment/boards/", include("banhao.assessment.board_urls")),
    path("assessment/", include("banhao.assessment.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Redoc and Swagger UI come from drf-spectacular-sidecar (static files, no CDN, no inline
    # script). Both style their widgets inline: only these two pages, which show no personal
    # data, allow inline styles (and Redoc its search worker); scripts stay 'self' only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE], "worker-src": ["'self'", "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html")
        ),
        name="api-docs",
    ),
    path(
        "api/docs/swagger/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-swagger",
    ),
    path("api/v1/catalog/", include("banhao.catalog.rest.urls")),
    path("api/v1/cases/", include("banhao.cases.rest.urls")),
    path("api/v1/licences/", include("banhao.licences.rest.urls")),
    path("api/v1/ratings/", include("banhao.evaluation.rest.urls")),
    path("api/v1/hotline/", include("banhao.evaluation.rest.hotline_urls")),
    path("api/v1/assessment/", include("banhao.assessment.rest.urls")),
    path("api/v1/", include("banhao.core.rest.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "banhao.core.views.bad_request"
