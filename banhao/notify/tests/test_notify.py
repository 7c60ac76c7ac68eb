"""Each step of a case tells the applicant: a site message and an SMS, after the commit,
without ever breaking the case write."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from banhao.accounts import sms
from banhao.cases import services
from banhao.cases.models import Case, Status
from banhao.notify import services as notify
from banhao.notify.models import Notification
from conftest import PASSWORD

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


def _accept(case, capture):
    with capture(execute=True):
        return services.case_accept(actor="测试", case=case, on=D(2026, 2, 13))


def test_accepting_a_case_sends_a_site_message_and_an_sms(
    case, applicant, django_capture_on_commit_callbacks
):
    _accept(case, django_capture_on_commit_callbacks)
    message = Notification.objects.get(user=applicant, case_number=case.number)
    assert message.title == "申请已受理"
    assert "承诺于2026年2月27日前办结" in message.body
    assert "食品经营许可（新办）" in message.body
    assert "下一步：" in message.body
    assert message.read_at is None
    texts = [m.text for m in sms.outbox if m.phone == "13800000001"]
    assert len(texts) == 1
    assert case.number in texts[0] and "已受理" in texts[0] and "2026年2月27日" in texts[0]
    assert "13800000001" not in texts[0]


def test_nothing_is_sent_before_the_commit(case):
    services.case_accept(actor="测试", case=case, on=D(2026, 2, 13))  # the test transaction never commits
    assert not Notification.objects.exists() and not sms.outbox


def test_a_correction_lists_the_items_in_the_message(case, applicant, django_capture_on_commit_callbacks):
    items = [
        {"material": "营业执照", "reason": "已过有效期"},
        {"material": "授权委托书", "reason": "缺少签字"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.case_request_correction(actor="测试", case=case, items=items)
    message = Notification.objects.get(user=applicant)
    assert message.title == "请补正材料"
    assert "营业执照（已过有效期）" in message.body and "授权委托书（缺少签字）" in message.body
    assert len(sms.outbox) == 1


def test_the_office_internal_steps_tell_nobody(case, django_capture_on_commit_callbacks):
    reviewer = get_user_model().objects.create_user(username="rev", kind="staff")
    case = _accept(case, django_capture_on_commit_callbacks)
    Notification.objects.all().delete()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_claim(actor=reviewer, case=case)  # start_review: a site message only
        services.case_record_opinion(actor=reviewer, case=case, opinion="内部意见")
    assert list(Notification.objects.values_list("title", flat=True)) == ["办件审查中"]
    assert not sms.outbox
    assert "内部意见" not in Notification.objects.get().body


def test_a_window_case_without_an_account_gets_the_sms_only(make_case, django_capture_on_commit_callbacks):
    case = make_case()  # submitted by a clerk's name: no applicant account
    assert case.applicant_user_id is None
    _accept(case, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    assert len(sms.outbox) == 1


def test_an_sms_gateway_failure_never_breaks_the_case(
    case, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, phone, text):
        raise ConnectionError("gateway down")

    monkeypatch.setattr(sms.MemoryBackend, "send", refuse)
    case = _accept(case, django_capture_on_commit_callbacks)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert Notification.objects.filter(user=applicant).count() == 1  # the site message still went


def test_a_failing_notifier_never_breaks_the_case(case, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RuntimeError("database trouble")

    monkeypatch.setattr(notify, "_site_message", broken)
    case = _accept(case, django_capture_on_commit_callbacks)
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED
    assert len(sms.outbox) == 1  # the SMS still went
    monkeypatch.setattr(notify, "_render", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_withdraw(actor="测试", case=case)
    assert Case.objects.get(pk=case.pk).status == Status.WITHDRAWN


def test_one_message_per_event_however_often_the_notifier_runs(
    case, applicant, django_capture_on_commit_callbacks
):
    case = _accept(case, django_capture_on_commit_callbacks)
    event = case.events.get(action="accept")
    notify.notify_case_event(case.pk, event.pk)
    notify.notify_case_event(case, event)
    assert Notification.objects.filter(event_id=event.pk).count() == 1
    notify.notify_case_event(case.pk, 10**9)  # an event that does not exist: nothing, no error


# --- the messages page -------------------------------------------------------------------------


def test_the_messages_page_lists_mine_with_the_unread_count(
    client, case, applicant, django_capture_on_commit_callbacks
):
    _accept(case, django_capture_on_commit_callbacks)
    other = get_user_model().objects.create_user(username="13900000002", password=PASSWORD, kind="applicant")
    Notification.objects.create(user=other, case_number="X", title="别人的消息", body="…")
    client.force_login(applicant)
    response = client.get(reverse("notify:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "未读 1 条" in html
    assert "申请已受理" in html and "别人的消息" not in html
    assert notify.unread_count(applicant) == 1


def test_opening_a_message_marks_it_read_and_goes_to_the_case(
    client, case, applicant, django_capture_on_commit_callbacks
):
    _accept(case, django_capture_on_commit_callbacks)
    message = Notification.objects.get(user=applicant)
    client.force_login(applicant)
    response = client.post(reverse("notify:open", args=[message.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[case.number])
    message.refresh_from_db()
    assert message.read_at is not None
    assert "未读 0 条" in client.get(reverse("notify:list")).content.decode()


def test_read_all_and_nobody_opens_another_users_message(
    client, case, applicant, django_capture_on_commit_callbacks
):
    _accept(case, django_capture_on_commit_callbacks)
    message = Notification.objects.get(user=applicant)
    other = get_user_model().objects.create_user(username="13900000002", password=PASSWORD, kind="applicant")
    client.force_login(other)
    assert client.post(reverse("notify:open", args=[message.pk])).status_code == 404
    client.force_login(applicant)
    client.post(reverse("notify:read_all"))
    assert notify.unread_count(applicant) == 0


def test_the_messages_page_needs_a_login(client):
    response = client.get(reverse("notify:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
