"""通办: which regions' halls may accept an implementation (the cross-region rule).

A hall always accepts the implementations of its own region. One of another region of the city
is accepted when its 通办范围 is 全市 or wider (全市通办), or 全县 when the hall lies inside that
county (全县通办): the county's own hall or one of a region below it, never a hall above or
beside it. Everything else is refused with the reason in Chinese, naming where to go instead.
"""

from __future__ import annotations

# 通办范围 wide enough for another region of the city to accept the item.
CITY_WIDE_SCOPES = {"全国通办", "全省通办", "全市通办"}
COUNTY_SCOPE = "全县通办"


def _chain(region) -> list:
    """The region and its ancestors, nearest first."""
    out, seen = [], set()
    while region is not None and region.pk not in seen:
        seen.add(region.pk)
        out.append(region)
        region = region.parent
    return out


def cross_region_acceptance(impl, version, hall_region_id: int) -> tuple[str, str]:
    """(label, "") when the hall may accept the implementation, ("", reason) when it may not."""
    from banhao.org.api import city_region_code

    if impl.region_id == hall_region_id:
        return "本级受理", ""
    chain = _chain(impl.region)
    scope = version.scope or ""
    city = city_region_code()
    in_city = bool(chain) and chain[-1].code == city
    if in_city and scope in CITY_WIDE_SCOPES:
        return "全市通办", ""
    if scope == COUNTY_SCOPE:
        # 全县通办: any hall inside that county (its own, or one of a region below it); a hall
        # above or beside the county is not inside it.
        hall_region = type(impl.region).objects.filter(pk=hall_region_id).first()
        if impl.region_id in {r.pk for r in _chain(hall_region)}:
            return "全县通办", ""
    shown = scope or "未设置通办范围"
    if not in_city:
        why = "该事项不属于本市的实施清单"
    else:
        why = f"该事项的通办范围为“{shown}”，只能在{impl.region.name}办理，不能全市通办"
    return "", (
        f"“{version.display_name}”由{impl.region.name}{impl.department.name}实施，{why}。"
        f"请引导办事人到{impl.region.name}的政务服务大厅办理，或选择本区域的实施清单。"
    )
