"""The demo's approval tracks and projects: loaded from the demo catalog, published, idempotent."""

import datetime as dt

import pytest

from banhao.demo import catalog, city
from banhao.demo import projects as demo_projects
from banhao.projects.models import Project, StageItem, StageRun, TrackVersion
from banhao.projects.reports import report
from banhao.projects.services import version_check

pytestmark = pytest.mark.django_db


def test_the_demo_tracks_and_projects_load_once():
    city.load()
    catalog.load()
    today = dt.date(2026, 12, 4)
    tracks, made = demo_projects.load(today)
    assert set(tracks) == {"government", "social", "social-small", "simple-low-risk"}
    assert made == 2
    for key, version_id in tracks.items():
        version = TrackVersion.objects.get(pk=version_id)
        assert version.status == "published" and version_check(version) == [], key
    # every listed item exists in the demo catalog and became a member
    spec = {t[0]: t for t in demo_projects.TRACKS}
    for key, version_id in tracks.items():
        listed = sum(len(s[4]) + len(s[5]) for s in spec[key][8])
        assert StageItem.objects.filter(stage__version_id=version_id).count() == listed, key

    again, made_again = demo_projects.load(today)
    assert again == tracks and made_again == 0
    assert Project.objects.count() == 2 and TrackVersion.objects.count() == 4

    small = Project.objects.get(code="2026-371321-44-03-000027")
    assert small.track_version.track.key == "simple-low-risk" and small.region.code == "371321"
    logistics = Project.objects.get(code="2026-371302-48-03-000016")
    assert list(StageRun.objects.filter(project=logistics).values_list("status", flat=True).order_by("stage__order")) == [
        "done", "done", "open", "not_started",
    ]  # fmt: skip
    entries = {p["code"]: p for p in report(today=today)["projects"]}
    assert entries[logistics.code]["stages"][0]["used_days"] == 8
    assert entries[logistics.code]["stages"][2]["status"] == "open"


def test_without_the_demo_city_no_track_is_half_built():
    assert demo_projects.load(dt.date(2026, 12, 4)) == ({}, 0)
    assert not TrackVersion.objects.exists()
