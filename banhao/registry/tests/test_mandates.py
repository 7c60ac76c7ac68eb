"""Enterprise agents (经办人): an organisation's mandate decides whether its agent may act for it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.core.audit import history
from banhao.core.identifiers import make_org_code, make_uscc
from banhao.registry import api, services
from banhao.registry.models import Mandate
from conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(regions):
    return services.organization_register(
        actor="测试",
        name="临沂鲁源商贸有限公司",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA000001")),
        legal_representative="孙立",
    )


@pytest.fixture
def agent(make_person):
    return make_person(name="周经办", phone="13800000021")


def today() -> dt.date:
    return timezone.localdate()


def test_a_grant_is_recorded_with_the_legal_representative_and_audited(org, agent):
    mandate = services.mandate_grant(actor="测试", organization=org, agent=agent)
    assert mandate.granted_by == "孙立"
    assert mandate.scope == "全部事项" and mandate.item_codes == []
    assert mandate.valid_from == today() and mandate.valid_until is None
    assert services.mandate_active(org.pk, agent.pk)
    event = history(mandate).get()
    assert event.action == "registry.mandate_grant"
    assert event.after["granted_by"] == "孙立"


def test_a_limited_scope_lists_item_codes(org, agent):
    mandate = services.mandate_grant(
        actor="测试", organization=org, agent=agent, scope="371301002301、371301002302"
    )
    assert mandate.item_codes == ["371301002301", "371301002302"]


def test_a_second_grant_while_one_is_live_is_refused(org, agent):
    services.mandate_grant(actor="测试", organization=org, agent=agent)
    with pytest.raises(ValidationError) as err:
        services.mandate_grant(actor="测试", organization=org, agent=agent)
    assert "已有未撤销的授权" in err.value.messages[0]
    assert Mandate.objects.count() == 1


def test_the_database_keeps_one_unrevoked_mandate_per_agent(org, agent):
    Mandate.objects.create(organization=org, agent=agent, granted_by="孙立", valid_from=today())
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(organization=org, agent=agent, granted_by="孙立", valid_from=today())


def test_an_end_date_before_the_start_is_refused(org, agent):
    with pytest.raises(ValidationError) as err:
        services.mandate_grant(
            actor="测试", organization=org, agent=agent, valid_until=today() - dt.timedelta(days=1)
        )
    assert "授权截止日不能早于起始日或今天" in str(err.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        Mandate.objects.create(
            organization=org,
            agent=agent,
            granted_by="孙立",
            valid_from=today(),
            valid_until=today() - dt.timedelta(days=1),
        )


def test_a_revoked_mandate_is_no_longer_active_and_the_reason_is_audited(org, agent):
    mandate = services.mandate_grant(actor="测试", organization=org, agent=agent)
    services.mandate_revoke(actor="测试", mandate=mandate, reason="经办人离职")
    mandate.refresh_from_db()
    assert mandate.revoked_at is not None and mandate.revoke_reason == "经办人离职"
    assert not services.mandate_active(org.pk, agent.pk)
    event = history(mandate).filter(action="registry.mandate_revoke").get()
    assert event.reason == "经办人离职"
    # A new grant after the revocation is allowed.
    services.mandate_grant(actor="测试", organization=org, agent=agent)
    assert services.mandate_active(org.pk, agent.pk)


def test_a_revocation_needs_a_reason_and_happens_once(org, agent):
    mandate = services.mandate_grant(actor="测试", organization=org, agent=agent)
    with pytest.raises(ValidationError) as err:
        services.mandate_revoke(actor="测试", mandate=mandate, reason=" ")
    assert "请填写撤销原因" in str(err.value)
    services.mandate_revoke(actor="测试", mandate=mandate, reason="经办人离职")
    with pytest.raises(ValidationError) as err:
        services.mandate_revoke(actor="测试", mandate=mandate, reason="再次撤销")
    assert "该授权已撤销" in err.value.messages[0]


def test_a_mandate_is_active_from_its_first_through_its_last_day(org, agent):
    start, end = today(), today() + dt.timedelta(days=30)
    services.mandate_grant(actor="测试", organization=org, agent=agent, valid_until=end)
    assert not services.mandate_active(org.pk, agent.pk, on=start - dt.timedelta(days=1))
    assert services.mandate_active(org.pk, agent.pk, on=start)
    assert services.mandate_active(org.pk, agent.pk, on=end)
    assert not services.mandate_active(org.pk, agent.pk, on=end + dt.timedelta(days=1))


def test_a_mandate_starting_later_is_not_active_yet(org, agent):
    services.mandate_grant(
        actor="测试", organization=org, agent=agent, valid_from=today() + dt.timedelta(days=3)
    )
    assert not services.mandate_active(org.pk, agent.pk)
    assert services.mandate_active(org.pk, agent.pk, on=today() + dt.timedelta(days=3))


def test_an_expired_mandate_is_closed_when_a_new_one_is_granted(org, agent, monkeypatch):
    old = services.mandate_grant(
        actor="测试", organization=org, agent=agent, valid_until=today() + dt.timedelta(days=1)
    )
    later = timezone.now() + dt.timedelta(days=5)
    monkeypatch.setattr(services.timezone, "now", lambda: later)
    assert not services.mandate_active(org.pk, agent.pk)
    new = services.mandate_grant(actor="测试", organization=org, agent=agent)
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoke_reason == "授权期满，重新授权"
    assert new.valid_from == timezone.localdate(later)
    assert services.mandate_active(org.pk, agent.pk)


def test_mandates_are_per_organisation_and_per_agent(org, agent, make_person):
    other = make_person(name="吴其他")
    services.mandate_grant(actor="测试", organization=org, agent=agent)
    assert not services.mandate_active(org.pk, other.pk)


# --- enterprise accounts and who the applicant acts for ---------------------------------------


def test_an_enterprise_account_is_opened_with_its_agents_mandate(org, agent):
    account = services.enterprise_account_open(
        actor="测试", person=agent, organization=org, password=PASSWORD, scope="全部事项"
    )
    assert account.organization == org and account.person == agent
    mandate = Mandate.objects.get()
    assert (mandate.organization, mandate.agent, mandate.granted_by) == (org, agent, "孙立")


def test_an_enterprise_account_keeps_a_mandate_granted_beforehand(org, agent):
    services.mandate_grant(actor="测试", organization=org, agent=agent, scope="371301002301")
    services.enterprise_account_open(actor="测试", person=agent, organization=org, password=PASSWORD)
    assert Mandate.objects.get().scope == "371301002301"


def test_an_agent_acts_for_the_organisation_only_while_the_mandate_is_live(org, agent):
    account = services.enterprise_account_open(
        actor="测试", person=agent, organization=org, password=PASSWORD
    )
    acting = api.acting_for(account.user)
    assert acting.organization.credit_code == org.credit_code
    assert acting.person.name == "周经办"
    services.mandate_revoke(actor="测试", mandate=Mandate.objects.get(), reason="授权终止")
    acting = api.acting_for(account.user)
    assert acting.organization is None and acting.person.name == "周经办"
    # The older reading is unchanged for its callers (the workbench shows the account's organisation).
    assert api.applicant_for_user(account.user).organization is not None


def test_an_enterprise_account_without_any_mandate_acts_as_the_person_alone(org, agent):
    account = services.applicant_account_open(actor="测试", person=agent, organization=org, password=PASSWORD)
    assert api.acting_for(account.user).organization is None


def test_acting_for_a_mandate_that_ends_checks_the_day_asked(org, agent):
    end = today() + dt.timedelta(days=10)
    account = services.enterprise_account_open(
        actor="测试", person=agent, organization=org, password=PASSWORD, valid_until=end
    )
    assert api.acting_for(account.user, on=end).organization is not None
    assert api.acting_for(account.user, on=end + dt.timedelta(days=1)).organization is None


def test_acting_for_a_personal_account_staff_or_nobody(make_person, make_staff):
    from django.contrib.auth.models import AnonymousUser

    person = make_person(name="郑个人", phone="13800000022")
    account = services.applicant_account_open(actor="测试", person=person, password=PASSWORD)
    acting = api.acting_for(account.user)
    assert acting.organization is None and acting.person.masked_id == person.masked_id
    assert api.acting_for(make_staff("window_clerk")) is None
    assert api.acting_for(AnonymousUser()) is None


def test_the_profile_of_an_agent_shows_the_mandate_and_its_state(client, org, agent):
    account = services.enterprise_account_open(
        actor="测试", person=agent, organization=org, password=PASSWORD, scope="全部事项"
    )
    assert client.login(username="13800000021", password=PASSWORD)
    html = client.get("/accounts/profile/").content.decode()
    assert org.name in html and "孙立" in html and "全部事项" in html and "有效" in html
    assert agent.resident_id not in html
    services.mandate_revoke(actor="测试", mandate=Mandate.objects.get(), reason="授权终止")
    html = client.get("/accounts/profile/").content.decode()
    assert "已失效" in html
    profile = api.applicant_profile(account.user)
    assert profile.mandate is not None and not profile.mandate.active


@pytest.mark.django_db
def test_an_agent_without_a_live_mandate_applies_only_as_a_person(regions, make_person):
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.registry import services
    from banhao.registry.api import applicant_identity

    agent = make_person("371302", name="经办人", phone="13900000009")
    org = services.organization_register(
        actor="测试",
        name="临沂某公司",
        legal_representative="法人",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA3C4K7P")),
    )
    account = services.applicant_account_open(
        actor="测试", person=agent, organization=org, password="Test@Pass2026"
    )
    assert applicant_identity(account.user).organization is None  # no mandate recorded
    mandate = services.mandate_grant(actor="测试", organization=org, agent=agent, scope="全部事项")
    assert applicant_identity(account.user).organization.credit_code == org.credit_code
    services.mandate_revoke(actor="测试", mandate=mandate, reason="离职")
    assert applicant_identity(account.user).organization is None
