"""The demo's example schemes: one per subject kind, each published from 2026-01-01, every
indicator's formula fits its kind; a second load adds nothing; a month computes over the demo city."""

from io import StringIO

import pytest
from django.core.management import call_command

from banhao.assessment.indicators import FORMULAS
from banhao.assessment.models import Indicator, Scheme
from banhao.demo import assessment, city

pytestmark = pytest.mark.django_db


def test_the_example_schemes_load_once_and_fit_their_kinds():
    assert assessment.load() == 4
    assert assessment.load() == 4 and Scheme.objects.count() == 4
    assert set(Scheme.objects.values_list("subject_kind", "period_kind")) == {
        ("window", "month"),
        ("department", "month"),
        ("county", "quarter"),
        ("staff", "month"),
    }
    assert all(s.example and str(s).endswith("（示例）") for s in Scheme.objects.all())
    for ind in Indicator.objects.select_related("version__scheme"):
        assert ind.version.scheme.subject_kind in FORMULAS[ind.key].kinds, ind.key
    for s in Scheme.objects.all():
        assert sum(i.weight for i in Indicator.objects.filter(version__scheme=s)) == 100


def test_a_month_computes_over_the_demo_city():
    city.load()
    assessment.load()
    out = StringIO()
    call_command("assessment_compute", "--period", "2026-11", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 5 and all(line.startswith("kind=") for line in lines)
    window = next(line for line in lines if line.startswith("kind=window"))
    assert int(window.split()[1].split("=")[1]) > 0
