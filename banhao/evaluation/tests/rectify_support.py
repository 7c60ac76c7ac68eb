"""Shared pieces of the 差评整改 tests: a real-name bad rating through the real rating service,
the rated department's reviewer and head, a supervisor of the city (imported as fixtures)."""

import pytest

from banhao.evaluation import ratings
from banhao.evaluation.models import Rectification


def bad_rating(rated_case, applicant, level=1, channel="mobile") -> Rectification:
    """A delivered case of the applicant rated 非常不满意 online; returns the rectification it opened."""
    case = rated_case()
    info = ratings.rating_record_case(
        case_id=case.pk,
        user=applicant["user"],
        channel=channel,
        level=level,
        reasons=["slow"],
        comment="跑了三次才办完",
    )
    return Rectification.objects.select_related("rating").get(rating_id=info.id)


@pytest.fixture
def rect(rated_case, applicant):
    return bad_rating(rated_case, applicant)


@pytest.fixture
def unit(published_implementation, make_staff):
    """The rated department's reviewer and head (兰山区行政审批服务局, in 兰山区)."""
    impl, _ = published_implementation
    dept = impl.department
    return {
        "department": dept,
        "reviewer": make_staff("reviewer", region="lanshan", department=dept),
        "head": make_staff("department_head", region="lanshan", department=dept),
    }


@pytest.fixture
def supervisor(make_staff):
    return make_staff("supervisor", region="city")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def pdf(name="监控截图说明.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def disguised(name="证明.pdf"):
    """An executable renamed to .pdf."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 60, content_type="application/pdf")
