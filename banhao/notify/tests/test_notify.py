"""Each step of a case tells the applicant: a site message at once and an SMS through the
outbox, written in the step's own transaction and delivered by a worker (the real
django-tasks-db worker loop, run in this process by the ``run_tasks`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from banhao.accounts import sms
from banhao.cases import services
from banhao.cases.models import Case, Status
from banhao.notify import services as notify
from banhao.notify.models import Message, Notification
from conftest import PASSWORD, parse_source

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(autouse=True)
def _outbox():
    sms.get_backend.cache_clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()
    sms.get_backend.cache_clear()


@pytest.fixture
def applicant(db):
    return get_user_model().objects.create_user(
        username="13800000001", password=PASSWORD, kind="applicant", display_name="王芳"
    )


@pytest.fixture
def case(make_case, applicant):
    return make_case(key="k", user=applicant)


def _accept(case):
    return services.case_accept(actor="测试", case=case, on=D(2026, 2, 13))


def _clear():
    Notification.objects.all().delete()
    Message.objects.all().delete()
    DBTaskResult.objects.all().delete()
    sms.outbox.clear()


def test_accepting_a_case_writes_a_site_message_and_queues_an_sms_that_a_worker_sends(
    case, applicant, run_tasks
):
    _clear()
    _accept(case)
    message = Notification.objects.get(user=applicant)
    assert message.title == "申请已受理"
    assert "承诺于2026年2月27日前办结" in message.body
    assert "食品经营许可（新办）" in message.body
    assert "下一步：" in message.body
    assert message.link == reverse("cases:detail", args=[case.number])
    assert message.read_at is None
    queued = Message.objects.get(channel="sms")
    assert queued.status == "pending" and queued.phone == "13800000001" and not sms.outbox
    assert DBTaskResult.objects.get().status == "READY"  # the delivery task, in the same transaction

    run_tasks()
    texts = [m.text for m in sms.outbox if m.phone == "13800000001"]
    assert len(texts) == 1
    assert case.number in texts[0] and "已受理" in texts[0] and "2026年2月27日" in texts[0]
    assert texts[0].startswith("【办好】") and "13800000001" not in texts[0]
    assert sms.outbox[0].message_id == f"case-event:{case.events.get(action='accept').pk}:sms"
    queued.refresh_from_db()
    assert queued.status == "sent" and queued.attempts == 1 and queued.sent_at is not None
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_step_that_rolls_back_leaves_no_message_and_no_task(case):
    _clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        _accept(case)
        assert Message.objects.count() == 2
        raise RuntimeError("the step fails after its event")
    assert not Message.objects.exists() and not Notification.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED


def test_a_correction_lists_the_items_in_the_message(case, applicant, run_tasks):
    _clear()
    items = [
        {"material": "营业执照", "reason": "已过有效期"},
        {"material": "授权委托书", "reason": "缺少签字"},
    ]
    services.case_request_correction(actor="测试", case=case, items=items)
    message = Notification.objects.get(user=applicant)
    assert message.title == "请补正材料"
    assert "营业执照（已过有效期）" in message.body and "授权委托书（缺少签字）" in message.body
    run_tasks()
    assert len(sms.outbox) == 1 and "需要补正材料" in sms.outbox[0].text


def test_the_office_internal_steps_tell_nobody(case, run_tasks):
    reviewer = get_user_model().objects.create_user(username="rev", kind="staff")
    case = _accept(case)
    _clear()
    case = services.case_claim(actor=reviewer, case=case)  # start_review: a site message only
    services.case_record_opinion(actor=reviewer, case=case, opinion="内部意见")
    run_tasks()
    assert list(Notification.objects.values_list("title", flat=True)) == ["办件审查中"]
    assert not sms.outbox and not Message.objects.filter(channel="sms").exists()
    assert "内部意见" not in Notification.objects.get().body


def test_a_window_case_without_an_account_gets_the_sms_only(make_case, run_tasks):
    case = make_case()  # submitted by a clerk's name: no applicant account
    assert case.applicant_user_id is None
    _clear()
    _accept(case)
    run_tasks()
    assert not Notification.objects.exists()
    assert len(sms.outbox) == 1


def test_the_same_dedupe_key_twice_is_one_message_and_one_task(applicant):
    first = notify.message_send(recipient="13800000001", channel="sms", text="您好", dedupe_key="k-1")
    again = notify.message_send(recipient="13800000001", channel="sms", text="另一段", dedupe_key="k-1")
    assert first.created and not again.created and first.id == again.id
    assert Message.objects.filter(dedupe_key="k-1").count() == 1 and DBTaskResult.objects.count() == 1
    site = notify.message_send(
        recipient=applicant.pk, channel="site", title="标题", text="正文", dedupe_key="k-2"
    )
    notify.message_send(recipient=applicant.pk, channel="site", title="标题", text="正文", dedupe_key="k-2")
    assert site.status == "sent" and Notification.objects.filter(user=applicant).count() == 1


def test_announcing_one_event_twice_sends_one_message_per_channel(case, applicant, run_tasks):
    from banhao.cases.messages import case_event_notify

    case = _accept(case)
    event = case.events.get(action="accept")
    case_event_notify(case, event)
    case_event_notify(case, event)
    run_tasks()
    assert Message.objects.filter(dedupe_key__startswith=f"case-event:{event.pk}:").count() == 2
    assert Notification.objects.filter(message__dedupe_key=f"case-event:{event.pk}:site").count() == 1
    assert len([m for m in sms.outbox if m.message_id == f"case-event:{event.pk}:sms"]) == 1


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"recipient": "13800000001", "channel": "fax", "text": "x", "dedupe_key": "a"}, "未知的消息渠道"),
        ({"recipient": "13800000001", "channel": "sms", "text": "x", "dedupe_key": ""}, "去重键"),
        ({"recipient": "13800000001", "channel": "sms", "text": " ", "dedupe_key": "a"}, "内容"),
        ({"recipient": "王芳", "channel": "sms", "text": "x", "dedupe_key": "a"}, "手机号码"),
        (
            {"recipient": "13800000001", "channel": "site", "text": "x", "dedupe_key": "a", "title": "t"},
            "账户编号",
        ),
        ({"recipient": 1, "channel": "site", "text": "x", "dedupe_key": "a"}, "标题"),
        (
            {
                "recipient": 1,
                "channel": "site",
                "text": "x",
                "dedupe_key": "a",
                "title": "t",
                "link": "https://evil.example/",
            },
            "本站地址",
        ),
    ],
)
def test_bad_arguments_are_refused_in_chinese_and_write_nothing(kwargs, error):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=error):
        notify.message_send(**kwargs)
    assert not Message.objects.exists() and not DBTaskResult.objects.exists()


# --- delivery: retries, backoff, failed for good --------------------------------------------


def _refusing_gateway(monkeypatch, calls):
    def refuse(self, phone, text, *, message_id):
        calls.append(message_id)
        raise ConnectionError("gateway down")

    monkeypatch.setattr(sms.MemoryBackend, "send", refuse)


def test_the_backoff_doubles_from_the_base_and_is_capped(settings):
    settings.BANHAO_OUTBOX_BACKOFF_SECONDS = 30
    settings.BANHAO_OUTBOX_BACKOFF_MAX_SECONDS = 3600
    assert [notify.backoff(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_a_failed_attempt_is_retried_later_by_a_task_that_waits_for_the_backoff(
    case, monkeypatch, run_tasks, settings
):
    settings.BANHAO_OUTBOX_BACKOFF_SECONDS = 30
    calls: list[str] = []
    _refusing_gateway(monkeypatch, calls)
    _clear()
    case = _accept(case)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED  # the gateway never touches the step
    run_tasks()
    message = Message.objects.get(channel="sms")
    assert len(calls) == 1 and message.status == "pending" and message.attempts == 1
    assert "ConnectionError: gateway down" in message.last_error
    assert message.next_attempt_at - message.claimed_at >= dt.timedelta(seconds=30)
    retry = DBTaskResult.objects.get(status="READY")
    assert str(retry.id) == message.task_id and retry.run_after == message.next_attempt_at
    run_tasks()  # not due yet: the worker leaves it
    assert len(calls) == 1

    monkeypatch.undo()  # the gateway is back; time passes
    Message.objects.filter(pk=message.pk).update(
        next_attempt_at=message.next_attempt_at - dt.timedelta(seconds=31)
    )
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=retry.run_after - dt.timedelta(seconds=31))
    sms.get_backend.cache_clear()
    run_tasks()
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and len(sms.outbox) == 1


def test_after_the_last_attempt_a_message_is_failed_for_good_and_shown_to_administrators(
    case, monkeypatch, run_tasks, settings, client
):
    settings.BANHAO_OUTBOX_BACKOFF_SECONDS = 0  # every retry is due at once
    settings.BANHAO_OUTBOX_MAX_ATTEMPTS = 3
    calls: list[str] = []
    _refusing_gateway(monkeypatch, calls)
    _clear()
    _accept(case)
    run_tasks()
    message = Message.objects.get(channel="sms")
    assert message.status == "failed" and message.attempts == 3 and message.failed_at is not None
    assert calls == [message.dedupe_key] * 3  # one id, however often it is tried
    assert DBTaskResult.objects.filter(status="READY").count() == 0  # no more retries

    admin = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    assert "有 1 条消息多次发送失败后已停止重试" in html
    listing = client.get(
        reverse("admin:notify_message_changelist") + "?status__exact=failed"
    ).content.decode()
    assert "138****0001" in listing and "gateway down" in listing and "13800000001" not in listing

    monkeypatch.undo()
    sms.get_backend.cache_clear()
    notify.message_retry(actor=admin, message_id=message.pk)
    run_tasks()
    message.refresh_from_db()
    assert message.status == "sent" and len(sms.outbox) == 1
    from banhao.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="notify.message_retry").count() == 1


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_lease_with_the_same_id(run_tasks, settings):
    settings.BANHAO_OUTBOX_LEASE_SECONDS = 60
    info = notify.message_send(recipient="13800000001", channel="sms", text="您好", dedupe_key="lease-1")
    stale = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Message.objects.filter(pk=info.id).update(status="sending", claimed_at=stale, attempts=1)
    run_tasks()
    message = Message.objects.get(pk=info.id)
    assert message.status == "sent" and message.attempts == 2
    assert [m.message_id for m in sms.outbox] == ["lease-1"]

    fresh = notify.message_send(recipient="13800000001", channel="sms", text="您好", dedupe_key="lease-2")
    Message.objects.filter(pk=fresh.id).update(status="sending", claimed_at=dt.datetime.now(dt.UTC))
    assert notify.message_deliver(dedupe_key="lease-2") == "busy"  # a live claim is left alone


def test_the_sweep_requeues_a_message_whose_task_is_gone(settings):
    info = notify.message_send(recipient="13800000001", channel="sms", text="您好", dedupe_key="lost-1")
    long_ago = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Message.objects.filter(pk=info.id).update(next_attempt_at=long_ago)
    assert notify.outbox_sweep() == 0  # its task is still queued: nothing to do
    DBTaskResult.objects.all().delete()
    assert notify.outbox_sweep() == 1
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == ["lost-1"] and Message.objects.get().task_id == str(task.id)


def test_notify_knows_no_case():
    import ast
    from pathlib import Path

    root = Path(notify.__file__).parent
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(parse_source(path)):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not any(n.startswith("banhao.cases") for n in names), f"{path.name} imports {names}"


# --- the messages page -------------------------------------------------------------------------


def test_the_messages_page_lists_mine_with_the_unread_count(client, case, applicant):
    _accept(case)
    Notification.objects.exclude(title="申请已受理").delete()
    other = get_user_model().objects.create_user(username="13900000002", password=PASSWORD, kind="applicant")
    Notification.objects.create(user=other, title="别人的消息", body="…")
    client.force_login(applicant)
    response = client.get(reverse("notify:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "未读 1 条" in html
    assert "申请已受理" in html and "别人的消息" not in html
    assert notify.unread_count(applicant) == 1


def test_opening_a_message_marks_it_read_and_goes_to_the_case(client, case, applicant):
    _accept(case)
    message = Notification.objects.get(user=applicant, title="申请已受理")
    client.force_login(applicant)
    response = client.post(reverse("notify:open", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    message.refresh_from_db()
    assert message.read_at is not None


def test_a_message_never_opens_another_site(client, applicant):
    n = Notification.objects.create(user=applicant, title="t", body="b", link="//evil.example/")
    client.force_login(applicant)
    assert client.post(reverse("notify:open", args=[n.pk]))["Location"] == reverse("notify:list")


def test_read_all_and_nobody_opens_another_users_message(client, case, applicant):
    _accept(case)
    message = Notification.objects.filter(user=applicant).first()
    other = get_user_model().objects.create_user(username="13900000002", password=PASSWORD, kind="applicant")
    client.force_login(other)
    assert client.post(reverse("notify:open", args=[message.pk])).status_code == 404
    client.force_login(applicant)
    client.post(reverse("notify:read_all"))
    assert notify.unread_count(applicant) == 0


def test_the_messages_page_needs_a_login(client):
    response = client.get(reverse("notify:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
