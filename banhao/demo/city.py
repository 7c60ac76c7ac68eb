"""The demo city: Linyi's regions, departments, halls, staff and applicants.

Everything here is loaded through the apps' services, so it is validated and audited like
any other write. Identifiers are generated with valid check digits; they are demo values,
not the departments' real codes. Loading twice changes nothing the second time.
"""

from __future__ import annotations

import hashlib
import os
import random
from dataclasses import dataclass

from django.db import transaction

from banhao.core.identifiers import make_org_code, make_resident_id, make_uscc
from banhao.org import services as org
from banhao.org.models import Region
from banhao.org.roles import Role
from banhao.registry import services as registry
from banhao.registry.models import Organization, Person

ACTOR = "系统（演示数据）"
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

CITY = ("371300", "临沂市")
# GB/T 2260 codes (domain.md §3); the three functional zones use statistical codes.
DISTRICTS = [
    ("371302", "兰山区", "district"),
    ("371311", "罗庄区", "district"),
    ("371312", "河东区", "district"),
    ("371321", "沂南县", "county"),
    ("371322", "郯城县", "county"),
    ("371323", "沂水县", "county"),
    ("371324", "兰陵县", "county"),
    ("371325", "费县", "county"),
    ("371326", "平邑县", "county"),
    ("371327", "莒南县", "county"),
    ("371328", "蒙阴县", "county"),
    ("371329", "临沭县", "county"),
    ("371371", "临沂高新技术产业开发区", "zone"),
    ("371372", "临沂经济技术开发区", "zone"),
    ("371373", "临沂临港经济开发区", "zone"),
]

# (name, short name, registration+type characters of the credit code)
CITY_DEPARTMENTS = [
    ("临沂市行政审批服务局", "审批局", "11"),
    ("临沂市发展和改革委员会", "发改委", "11"),
    ("临沂市教育局", "教育局", "11"),
    ("临沂市公安局", "公安局", "11"),
    ("临沂市民政局", "民政局", "11"),
    ("临沂市司法局", "司法局", "11"),
    ("临沂市财政局", "财政局", "11"),
    ("临沂市人力资源和社会保障局", "人社局", "11"),
    ("临沂市自然资源和规划局", "自然资源和规划局", "11"),
    ("临沂市生态环境局", "生态环境局", "11"),
    ("临沂市住房和城乡建设局", "住建局", "11"),
    ("临沂市交通运输局", "交通运输局", "11"),
    ("临沂市水利局", "水利局", "11"),
    ("临沂市农业农村局", "农业农村局", "11"),
    ("临沂市商务局", "商务局", "11"),
    ("临沂市文化和旅游局", "文旅局", "11"),
    ("临沂市卫生健康委员会", "卫健委", "11"),
    ("临沂市退役军人事务局", "退役军人局", "11"),
    ("临沂市应急管理局", "应急局", "11"),
    ("临沂市市场监督管理局", "市场监管局", "11"),
    ("临沂市医疗保障局", "医保局", "11"),
    ("临沂市城市管理局", "城管局", "11"),
    ("临沂市大数据局", "大数据局", "11"),
    ("临沂市住房公积金管理中心", "公积金中心", "12"),
    ("国家税务总局临沂市税务局", "税务局", "11"),
]
# Departments of the counties that implement the demo catalog; a city department's items go
# to the county department of the same name, else to the county's 行政审批服务局.
COUNTY_DEPARTMENTS = [
    "行政审批服务局",
    "市场监督管理局",
    "人力资源和社会保障局",
    "民政局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "农业农村局",
    "卫生健康局",
    "医疗保障局",
    "教育和体育局",
    "公安分局",
]
CATALOG_COUNTIES = ["371302", "371311", "371312", "371321"]

HALLS = [
    # (region code, hall name, address, windows per kind zone)
    ("371300", "临沂市政务服务中心", "临沂市兰山区北京路与上海路交汇处（演示地址）"),
    ("371302", "兰山区政务服务中心", "临沂市兰山区（演示地址）"),
    ("371321", "沂南县政务服务中心", "临沂市沂南县（演示地址）"),
]
ZONES = [
    ("investment", "A", "一楼东区"),
    ("construction", "B", "一楼西区"),
    ("market", "C", "二楼东区"),
    ("agriculture", "D", "二楼西区"),
    ("social", "E", "三楼"),
    ("self_service", "F", "一楼大门东侧"),
    ("pickup", "G", "一楼大厅西侧"),
]
# Zones that take no bookings (self-service, pickup) and that take no tickets (self-service).
NOT_BOOKABLE = {"self_service", "pickup"}
NO_TICKETS = {"self_service"}
OPENING_HOURS = "工作日 上午9:00—12:00，下午13:30—17:00；周六延时服务 9:00—12:00"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅志飞鹏辉斌宇浩凯晨欣怡佳琪雪婷子涵梓轩宏博文彬亮晶晓东海峰"
STREETS = [
    "北京路",
    "上海路",
    "沂蒙路",
    "通达路",
    "金雀山路",
    "银雀山路",
    "解放路",
    "临西八路",
    "蒙山大道",
    "滨河大道",
]
BUSINESS_WORDS = [
    "商贸",
    "物流",
    "建材",
    "食品",
    "机械",
    "电子",
    "纺织",
    "木业",
    "医药",
    "农业科技",
    "文化传媒",
    "餐饮管理",
]
BUSINESS_SUFFIX = ["有限公司", "有限责任公司", "股份有限公司"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    scope: str


def demo_password() -> str:
    return os.environ.get("BANHAO_DEMO_PASSWORD", "Banhao@2026")


def _org_code_for(name: str) -> str:
    """A stable demo organisation code derived from the name (adding departments shifts nothing)."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    return make_org_code(str(int(digest[:12], 16) % 10**8).zfill(8))


def _mobile(rng: random.Random) -> str:
    return rng.choice(["133", "135", "138", "150", "158", "177", "186", "189"]) + "".join(
        rng.choice("0123456789") for _ in range(8)
    )


def load_regions() -> dict[str, Region]:
    city = org.region_ensure(actor=ACTOR, code=CITY[0], name=CITY[1], level=Region.Level.CITY, order=0)
    regions = {CITY[0]: city}
    for i, (code, name, level) in enumerate(DISTRICTS, start=1):
        regions[code] = org.region_ensure(
            actor=ACTOR, code=code, name=name, level=level, parent=city, order=i
        )
    return regions


def load_departments(regions):
    depts = {}
    for i, (name, short, head) in enumerate(CITY_DEPARTMENTS):
        code = make_uscc(head[0], head[1], "371300", _org_code_for(name))
        depts[name] = org.department_ensure(
            actor=ACTOR,
            name=name,
            short_name=short,
            credit_code=code,
            region=regions["371300"],
            phone="0539-12345",
            order=i,
        )
    for region_code in CATALOG_COUNTIES:
        region = regions[region_code]
        for i, suffix in enumerate(COUNTY_DEPARTMENTS):
            name = f"{region.name}{suffix}"
            code = make_uscc("1", "1", region_code, _org_code_for(name))
            depts[name] = org.department_ensure(
                actor=ACTOR, name=name, short_name=suffix, credit_code=code, region=region, order=i
            )
    return depts


def load_halls(regions, depts):
    halls = {}
    for region_code, name, address in HALLS:
        hall = org.hall_ensure(
            actor=ACTOR,
            name=name,
            region=regions[region_code],
            address=address,
            phone="0539-12345",
            opening_hours=OPENING_HOURS,
        )
        zones = {
            kind: org.zone_ensure(
                actor=ACTOR,
                hall=hall,
                kind=kind,
                letter=letter,
                floor=floor,
                order=i,
                bookable=kind not in NOT_BOOKABLE,
                takes_tickets=kind not in NO_TICKETS,
            )
            for i, (kind, letter, floor) in enumerate(ZONES)
        }
        number = 0
        per_zone = 4 if region_code == "371300" else 2
        for kind in ("investment", "construction", "market", "agriculture", "social"):
            for _ in range(per_zone):
                number += 1
                org.window_ensure(
                    actor=ACTOR, hall=hall, zone=zones[kind], number=number, kind="comprehensive"
                )
        if region_code == "371300":
            specialised = [
                ("市场监督管理局", "market"),
                ("住房公积金管理中心", "social"),
                ("公安局", "social"),
            ]
            for dept_suffix, kind in specialised:
                number += 1
                org.window_ensure(
                    actor=ACTOR,
                    hall=hall,
                    zone=zones[kind],
                    number=number,
                    kind="specialised",
                    departments=[depts[f"临沂市{dept_suffix}"]],
                )
        for _ in range(2 if region_code == "371300" else 1):
            number += 1
            org.window_ensure(actor=ACTOR, hall=hall, zone=zones["pickup"], number=number, kind="pickup")
        halls[region_code] = hall
    return halls


def load_staff(regions, depts, halls) -> list[DemoAccount]:
    from banhao.org.models import StaffMember, Window

    password = demo_password()
    city, lanshan, yinan = regions["371300"], regions["371302"], regions["371321"]
    city_hall, lanshan_hall, yinan_hall = halls["371300"], halls["371302"], halls["371321"]

    def window(hall, number):
        return Window.objects.get(hall=hall, number=number)

    people = [
        # username, name, role, region, department, hall, window
        ("admin", "管理员", Role.ADMINISTRATOR, city, None, None, None),
        ("admin_lanshan", "兰山区管理员", Role.ADMINISTRATOR, lanshan, None, None, None),
        ("clerk", "王晓燕", Role.WINDOW_CLERK, city, None, city_hall, window(city_hall, 9)),
        ("clerk2", "李明辉", Role.WINDOW_CLERK, city, None, city_hall, window(city_hall, 10)),
        ("clerk_lanshan", "张丽娟", Role.WINDOW_CLERK, lanshan, None, lanshan_hall, window(lanshan_hall, 5)),
        ("clerk_yinan", "刘建国", Role.WINDOW_CLERK, yinan, None, yinan_hall, window(yinan_hall, 5)),
        ("reviewer", "陈志强", Role.REVIEWER, city, depts["临沂市行政审批服务局"], None, None),
        ("reviewer_amr", "赵雪婷", Role.REVIEWER, city, depts["临沂市市场监督管理局"], None, None),
        ("reviewer_lanshan", "孙鹏飞", Role.REVIEWER, lanshan, depts["兰山区行政审批服务局"], None, None),
        ("head", "周海峰", Role.DEPARTMENT_HEAD, city, depts["临沂市行政审批服务局"], None, None),
        ("manager", "吴晓东", Role.HALL_MANAGER, city, None, city_hall, None),
        ("manager_lanshan", "郑梅", Role.HALL_MANAGER, lanshan, None, lanshan_hall, None),
        ("supervisor", "冯宏博", Role.SUPERVISOR, city, None, None, None),
        ("helper", "何佳琪", Role.HELPER, city, None, city_hall, None),
        ("catalog", "林晓峰", Role.CATALOG_OFFICER, city, None, None, None),
        ("catalog_lanshan", "高雪", Role.CATALOG_OFFICER, lanshan, None, None, None),
        # appended, so that employee numbers of existing demo databases stay as they were
        ("clerk_pickup", "钱佳怡", Role.WINDOW_CLERK, city, None, city_hall, window(city_hall, 24)),
        # the reviewers who took the demo's approved licence cases (banhao.demo.licences)
        ("reviewer_health", "沈雨桐", Role.REVIEWER, city, depts["临沂市卫生健康委员会"], None, None),
        ("reviewer_land", "曹文斌", Role.REVIEWER, city, depts["临沂市自然资源和规划局"], None, None),
        ("reviewer_civil_lanshan", "蒋晓梅", Role.REVIEWER, lanshan, depts["兰山区民政局"], None, None),
        # the 12345 hotline's callback and ticket desk (city-wide)
        ("hotline", "韩晓彤", Role.HOTLINE, city, None, None, None),
    ]
    accounts = []
    for i, (username, name, role, region, dept, hall, win) in enumerate(people, start=1):
        if not StaffMember.objects.filter(user__username=username).exists():
            member = org.staff_member_create(
                actor=ACTOR,
                username=username,
                password=password,
                name=name,
                employee_no=f"LY{i:04d}",
                role=role,
                region=region,
                department=dept,
                hall=hall,
                window=win,
            )
            if username == "admin":
                member.user.is_superuser = True
                member.user.save(update_fields=["is_superuser"])
        scope = region.name + (f" · {dept.name}" if dept else "") + (f" · {hall.name}" if hall else "")
        if win:
            scope += f" · {win.number}号窗口"
        accounts.append(DemoAccount(username, Role(role).label, scope))
    return accounts


def load_applicants(regions, rng) -> list[DemoAccount]:
    password = demo_password()
    county_codes = [code for code, _, level in DISTRICTS if level != "zone"]
    outside = ["110105", "320106", "370102", "440305"]  # a few applicants from outside the city
    persons = []
    for i in range(60):
        division = outside[i % 4] if i % 15 == 14 else county_codes[i % len(county_codes)]
        year = rng.randint(1950, 2004)
        birth = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        number = make_resident_id(f"{division}{birth}{rng.randint(1, 999):03d}")
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        # Draw every random value before looking for an existing record, so that a second
        # run draws the same sequence and finds the same records.
        phone = _mobile(rng)
        address = f"临沂市{regions.get(division, regions['371300']).name}{rng.choice(STREETS)}{rng.randint(1, 300)}号"
        person = Person.objects.filter(resident_id=number).first() or registry.person_register(
            actor=ACTOR,
            name=name,
            resident_id=number,
            phone=phone,
            address=address,
        )
        persons.append(person)
    orgs = []
    for i in range(24):
        division = ["371302", "371311", "371312", "371371", "371321", "371323"][i % 6]
        code = make_uscc(
            "9", "1", division, make_org_code("MA" + "".join(rng.choice(USCC_CHARS) for _ in range(6)))
        )
        rep = persons[i]
        name = f"临沂{rng.choice('鲁沂蒙兰华泰鑫恒盛达')}{rng.choice('源通宇丰辰晟瑞祥')}{rng.choice(BUSINESS_WORDS)}{rng.choice(BUSINESS_SUFFIX)}"
        address = f"临沂市{regions[division].name}{rng.choice(STREETS)}{rng.randint(1, 500)}号"
        existing = Organization.objects.filter(credit_code=code).first()
        if existing is None and Organization.objects.filter(name=name).exists():
            name = name.replace("临沂", f"临沂{regions[division].name[:2]}", 1)
        org_obj = existing or registry.organization_register(
            actor=ACTOR,
            name=name,
            credit_code=code,
            legal_representative=rep.name,
            legal_representative_id=rep.resident_id,
            phone=rep.phone,
            address=address,
        )
        orgs.append(org_obj)

    accounts = []
    for person in persons[:10]:
        if not person.accounts.exists():
            registry.applicant_account_open(actor=ACTOR, person=person, password=password)
        accounts.append(DemoAccount(person.phone, "个人办事账户", person.name))
    for i, org_obj in enumerate(orgs[:5]):
        agent = persons[30 + i]
        if not org_obj.accounts.exists():
            registry.applicant_account_open(
                actor=ACTOR, person=agent, organization=org_obj, password=password
            )
        if not registry.mandate_active(org_obj.pk, agent.pk):  # the agent's recorded mandate (经办人授权)
            registry.mandate_grant(actor=ACTOR, organization=org_obj, agent=agent, scope="全部事项")
        accounts.append(DemoAccount(agent.phone, "企业办事账户（经办人）", org_obj.name))
    return accounts


@transaction.atomic
def load() -> tuple[list[DemoAccount], list[DemoAccount]]:
    rng = random.Random(2026)  # deterministic: a second run finds the same records
    regions = load_regions()
    depts = load_departments(regions)
    halls = load_halls(regions, depts)
    staff = load_staff(regions, depts, halls)
    applicants = load_applicants(regions, rng)
    return staff, applicants
