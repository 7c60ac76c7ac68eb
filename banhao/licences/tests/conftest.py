"""Fixtures of the licences suite: a licence catalog over the sample catalog item, an enterprise
that applies, and approved cases that issue through the real path."""

import pytest


@pytest.fixture
def enterprise(make_person, regions):
    """临沂某餐饮有限公司 with its agent 李明 (a person with an account and a live mandate)."""
    from banhao.core.identifiers import make_org_code, make_uscc
    from banhao.registry import services

    agent = make_person("371302", name="李明", phone="13900000002")
    org = services.organization_register(
        actor="测试",
        name="临沂某餐饮有限公司",
        credit_code=make_uscc("9", "1", "371302", make_org_code("MA1234AB")),
        legal_representative="李明",
        phone="13900000002",
        address="兰山区金雀山路1号",
    )
    user = services.applicant_account_open(
        actor="测试", person=agent, organization=org, password="Pass@12345"
    ).user
    services.mandate_grant(actor="测试", organization=org, agent=agent, scope="全部事项")
    return {"org": org, "agent": agent, "user": user}


@pytest.fixture
def licence_types(published_implementation):
    """营业执照 (organisation, long term, one per holder) and 食品经营许可证 (organisation, 5 years,
    one per holder), the latter yielded by the sample item; 施工许可 allows several."""
    from banhao.licences import services

    _, version = published_implementation
    f = lambda key, label, *sources, required=False, public=False: {  # noqa: E731
        "key": key,
        "label": label,
        "required": required,
        "public": public,
        "sources": list(sources) or [key],
    }
    business, _ = services.licence_type_upsert(
        actor="测试",
        name="营业执照",
        code="11100000000013338W001",
        authority_name="国家市场监督管理总局",
        holder_kind="organization",
        fields=[
            f("number", "统一社会信用代码", "holder.code", required=True, public=True),
            f("name", "名称", "org_name", "holder.name", required=True, public=True),
            f("scope", "经营范围", "business_scope"),
        ],
    )
    food, _ = services.licence_type_upsert(
        actor="测试",
        name="食品经营许可证",
        code="11100000000013338W027",
        authority_name="国家市场监督管理总局",
        holder_kind="organization",
        validity="years",
        validity_years=5,
        item_codes=[version.item.code],
        fields=[
            f("operator", "经营者名称", "org_name", "holder.name", required=True, public=True),
            f("site", "经营场所", "address", public=True),
            f("items", "经营项目", "category"),
        ],
    )
    works, _ = services.licence_type_upsert(
        actor="测试",
        name="建筑工程施工许可证",
        code="11100000000013020201" + "2",
        authority_name="住房和城乡建设部",
        holder_kind="organization",
        several_allowed=True,
        fields=[f("project", "工程名称", "project_name", required=True, public=True)],
    )
    return {"business": business, "food": food, "works": works}


@pytest.fixture
def enterprise_case(published_implementation, enterprise):
    """enterprise_case(**traits): a case of the sample item applied for by the enterprise."""
    from banhao.cases import services
    from banhao.cases.tests.factories import advance

    impl, version = published_implementation

    def make(key="", form=None, **traits):
        case, _ = services.case_create(
            actor=enterprise["user"],
            implementation=impl,
            version=version,
            region_id=impl.region_id,
            region_code="371302",
            department_id=impl.department_id,
            person_id=enterprise["agent"].pk,
            organization_id=enterprise["org"].pk,
            contact_phone="13900000002",
            form_data=form
            or {"org_name": "临沂某餐饮有限公司", "address": "兰山区金雀山路1号", "category": "热食类"},
            idempotency_key=key,
        )
        return advance(case, **traits)

    return make


@pytest.fixture
def issue(enterprise, licence_types, regions):
    """issue(type_key="business", **face) -> a licence issued to the enterprise by 临沂市行政审批服务局."""
    from banhao.licences import services
    from banhao.org.models import Department

    dept = Department.objects.get(name="临沂市行政审批服务局")

    def make(type_key="business", **face):
        return services.licence_issue(
            actor="测试",
            licence_type=licence_types[type_key],
            issuer_id=dept.pk,
            organization_id=enterprise["org"].pk,
            face=face,
        )

    return make
