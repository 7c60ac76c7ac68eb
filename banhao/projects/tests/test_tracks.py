"""Tracks as data: the merged stages 2+3 and the simple low-risk track are rows; a published
version is never edited, a new version is copied and published; a draft that does not cover the
four standard stages or exceeds its limits is not published."""

import pytest
from django.core.exceptions import ValidationError

from banhao.core.audit import AuditEvent
from banhao.demo import projects as demo_projects
from banhao.projects import services
from banhao.projects.models import Stage, StageItem, TrackVersion

from .conftest import SOCIAL_STAGES


def test_the_merged_and_the_low_risk_tracks_are_configurations(tracks, items):
    small = tracks["small"]
    stages = list(small.stages.order_by("order"))
    assert [s.covers for s in stages] == [[1], [2, 3], [4]]
    merged = stages[1]
    assert merged.name == "工程建设许可和施工许可" and merged.limit_days == 25
    main = set(merged.items.filter(parallel=False).values_list("implementation_id", flat=True))
    assert main == {items["plan"].pk, items["fire"].pk, items["works"].pk}
    assert list(merged.items.filter(parallel=True).values_list("implementation_id", flat=True)) == [
        items["drain"].pk
    ]
    low = tracks["low"]
    assert (low.main_limit_days, low.whole_limit_days) == (20, 20)
    assert sum(s.limit_days for s in low.stages.all()) == 20
    assert low.track.simple_low_risk


def test_a_published_version_is_never_edited_a_new_version_is(tracks, departments):
    social = tracks["social"]
    stage = social.stages.get(order=2)
    with pytest.raises(ValidationError, match="已发布的路线版本不能修改"):
        services.stage_change(actor="测试", stage=stage, limit_days=12)
    stage.refresh_from_db()
    assert stage.limit_days == 15

    draft = services.version_copy(actor="测试", version=social, note="第二阶段压缩至12个工作日")
    assert (draft.number, draft.status) == (2, "draft")
    assert draft.stages.count() == 4
    assert (
        StageItem.objects.filter(stage__version=draft).count()
        == StageItem.objects.filter(stage__version=social).count()
    )
    with pytest.raises(ValidationError, match="已有草稿"):
        services.version_copy(actor="测试", version=social)
    services.stage_change(actor="测试", stage=draft.stages.get(order=2), limit_days=12)
    services.version_publish(actor="测试", version=draft)
    social.refresh_from_db()
    draft.refresh_from_db()
    assert (social.status, draft.status) == ("retired", "published")
    assert social.stages.get(order=2).limit_days == 15  # the old version keeps its figures
    assert draft.stages.get(order=2).limit_days == 12
    with pytest.raises(ValidationError):
        services.version_publish(actor="测试", version=draft)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"projects.trackversion_copy", "projects.stage_change", "projects.trackversion_publish",
            "projects.trackversion_retire"} <= actions  # fmt: skip


def test_projects_keep_the_version_they_were_registered_under(register, tracks):
    p = register()
    draft = services.version_copy(actor="测试", version=tracks["social"])
    services.version_publish(actor="测试", version=draft)
    p.refresh_from_db()
    assert p.track_version == tracks["social"]
    assert register(code="2026-371302-48-03-000099").track_version == draft


def _stage_rows(**change):
    rows = [list(s) for s in SOCIAL_STAGES]
    for index, (field, value) in change.items():
        rows[int(index[1:])][field] = value
    return [tuple(r) for r in rows]


@pytest.mark.parametrize(
    ("stages", "main", "words"),
    [
        (SOCIAL_STAGES[:3], 45, "恰好覆盖"),
        (_stage_rows(s1=(1, [1, 2])), 45, "恰好覆盖"),
        (_stage_rows(s2=(3, 30)), 45, "超过主流程时限"),
        (_stage_rows(s3=(4, [])), 45, "主线事项"),
        (list(reversed(SOCIAL_STAGES)), 45, "先后一致"),
        (SOCIAL_STAGES, 120, "主流程时限不能超过全流程时限"),
    ],
)
def test_a_draft_that_breaks_the_rules_is_not_published(make_track, stages, main, words):
    version = make_track("broken", stages, main=main, publish=False)
    with pytest.raises(ValidationError) as e:
        services.version_publish(actor="测试", version=version)
    assert words in " ".join(e.value.messages)
    version.refresh_from_db()
    assert version.status == "draft"


def test_an_empty_draft_is_not_published(make_track):
    version = make_track("empty", [], publish=False)
    with pytest.raises(ValidationError, match="还没有阶段"):
        services.version_publish(actor="测试", version=version)


def test_one_published_version_per_track_is_a_database_rule(tracks):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TrackVersion.objects.create(
            track=tracks["social"].track,
            number=9,
            status="published",
            main_limit_days=45,
            whole_limit_days=100,
        )


def test_the_demo_tracks_meet_shandongs_limits():
    by_key = {t[0]: t for t in demo_projects.TRACKS}
    assert set(by_key) == {"government", "social", "social-small", "simple-low-risk"}
    limits = {k: (t[6], t[7]) for k, t in by_key.items()}
    assert limits == {"government": (70, 100), "social": (45, 100), "social-small": (45, 100),
                      "simple-low-risk": (20, 20)}  # fmt: skip
    for key, t in by_key.items():
        stages = t[8]
        assert sorted(c for s in stages for c in s[1]) == [1, 2, 3, 4], key
        assert sum(s[3] for s in stages) <= t[6], key
        assert all(s[4] for s in stages), key  # every stage has main-line items
    assert [s[1] for s in by_key["social-small"][8]] == [[1], [2, 3], [4]]
    assert by_key["simple-low-risk"][3] is True


def test_stage_covers_is_checked_on_values(make_track):
    version = make_track("bad-covers", _stage_rows(s0=(1, [0])), publish=False)
    assert any("1至4" in p for p in services.version_check(version))
    assert Stage.objects.filter(version=version).count() == 4
