"""Issue 10 fix 9 in a real browser: /api/docs/ draws the API under the platform's CSP (it was
blank when Redoc came from a CDN), and the Swagger UI beside it too."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_api_docs_render_under_the_csp(page, live_server):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "script-src" in m.text else None)
    page.goto(f"{live_server.url}/api/docs/")
    page.locator("h2", has_text="按工作日计算期限届满日").first.wait_for(timeout=15_000)
    assert "banhao 办好 API" in page.inner_text("body")
    page.goto(f"{live_server.url}/api/docs/swagger/")
    page.get_by_text("/api/v1/calendar/deadline/").first.wait_for(timeout=15_000)
    assert violations == []
