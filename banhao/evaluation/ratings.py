"""Ratings of a case on every channel but the pad (一事一评): online on the case page (PC and
phone), the SMS link and the QR code (a signed token), the 24-hour kiosk, the 12345 callback,
and the default rating of a case nobody rated in time.

One internal scale (models.Level: 5 = 非常满意 … 1 = 非常不满意); conversion to the national
upload codes and to GB/T 39046 happens only at the edges (export.py). A real-name bad rating
opens its rectification (rectification.rectification_open) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banhao.cases import api as cases_api
from banhao.core.audit import audit_record
from banhao.core.calendar import add_workdays

from .api import RatingInfo, _info
from .models import BAD_LEVELS, BAD_REASONS, ONLINE_DIMENSIONS, ONSITE_DIMENSIONS, Level, Rating

TOKEN_SALT = "banhao.evaluation.rating-token"  # noqa: S105 (a signing salt, not a secret)
COMMENT_MAX = 500

# the channels a case is rated on, and the dimensions each asks besides the overall level
CASE_CHANNELS = {
    Rating.Channel.PC: ONLINE_DIMENSIONS,
    Rating.Channel.MOBILE: ONLINE_DIMENSIONS,
    Rating.Channel.SMS: ONLINE_DIMENSIONS,
    Rating.Channel.QR: ONLINE_DIMENSIONS,
    Rating.Channel.KIOSK: ONSITE_DIMENSIONS,
    Rating.Channel.PHONE: {},
}


class AlreadyRated(Exception):
    """一事一评: the case has a rating already (the API answers 409)."""

    message = "该办件已评价，每件办件只能评价一次。"

    def __str__(self) -> str:
        return self.message


# --- the signed one-time token (SMS link, QR code on the result notice) -----------------------


def rating_token(case_id: int, channel: str = Rating.Channel.SMS) -> str:
    """A token that lets whoever holds it rate one case once: it names the case and the channel,
    is signed with the secret key, and stops working once the case is rated (一事一评)."""
    return signing.dumps({"c": case_id, "ch": channel}, salt=TOKEN_SALT, compress=True)


def token_case(token: str) -> tuple[int, str]:
    """(case id, channel) of a valid token; ValidationError in Chinese otherwise."""
    max_age = getattr(settings, "BANHAO_RATING_TOKEN_DAYS", 30) * 86400
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ValidationError("评价链接已过期。") from None
    except signing.BadSignature:
        raise ValidationError("评价链接无效，请核对短信或二维码。") from None
    return int(data["c"]), str(data.get("ch") or Rating.Channel.SMS)


# --- validation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RatingInput:
    level: int
    dimensions: dict[str, int]
    reasons: list[str]
    comment: str


def rating_check(*, channel: str, level, dimensions=None, reasons=None, comment: str = "") -> RatingInput:
    """The rating as the channel defines it, or ValidationError keyed by field (Chinese).

    A 不满意 or 非常不满意 must name at least one reason from the list and describe it."""
    errors: dict[str, str] = {}
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        errors["level"] = "请选择满意程度（非常满意、满意、基本满意、不满意、非常不满意）。"
    wanted = CASE_CHANNELS.get(channel, {})
    dims: dict[str, int] = {}
    for key, value in (dimensions or {}).items():
        if key not in wanted:
            errors[f"dimensions.{key}"] = f"本渠道没有“{key}”这一评价指标。"
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = 0
        if value not in Level.values:
            errors[f"dimensions.{key}"] = f"“{wanted[key]}”的评价无效。"
        else:
            dims[key] = value
    reasons = [r for r in (reasons or []) if r]
    unknown = [r for r in reasons if r not in BAD_REASONS]
    if unknown:
        errors["reasons"] = "差评原因不在列表中：" + "、".join(unknown)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"评价内容不得超过{COMMENT_MAX}字。"
    if level in BAD_LEVELS and not errors.get("level"):
        if not reasons:
            errors["reasons"] = "选择“不满意”或“非常不满意”时，请至少选择一项原因。"
        if not comment:
            errors["comment"] = "选择“不满意”或“非常不满意”时，请写明具体情况，以便整改。"
    if errors:
        raise ValidationError(errors)
    return RatingInput(level, dims, sorted(set(reasons)), comment)


# --- recording ----------------------------------------------------------------------------------


def _rater_for(facts: cases_api.CaseRatingFacts, user, token_channel: str | None):
    """Who rates: the applicant's own login (real name), or a token holder (the applicant reached
    by SMS or the QR code on their notice: real name as well, the token names their case)."""
    if token_channel is not None:
        # the token was sent to (or printed for) the applicant: their account, when they have one,
        # is recorded as the rater so the rating shows in their 我的评价
        return facts.applicant_user_id, True
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("请登录后评价，或使用短信、二维码中的评价链接。")
    if facts.applicant_user_id != user.pk:
        raise PermissionDenied("只有申请人本人可以评价该办件。")
    return user.pk, True


@transaction.atomic
def rating_record_case(
    *,
    case_id: int | None = None,
    token: str | None = None,
    channel: str | None = None,
    user=None,
    level,
    dimensions=None,
    reasons=None,
    comment: str = "",
) -> RatingInfo:
    """Records the one rating of a case (一事一评). The caller is the applicant's login or holds the
    case's signed token. Raises PermissionDenied, ValidationError (Chinese) or AlreadyRated."""
    token_channel = None
    if token:
        case_id, token_channel = token_case(token)
        channel = token_channel
    if case_id is None:
        raise ValidationError({"case": "请指明要评价的办件。"})
    channel = channel or Rating.Channel.PC
    if channel not in CASE_CHANNELS:
        raise ValidationError({"channel": "评价渠道无效。"})
    facts = cases_api.case_rating_facts(case_id)
    if facts is None:
        raise ValidationError({"case": "办件不存在。"})
    rater_id, real_name = _rater_for(facts, user, token_channel)
    if not facts.ratable:
        raise ValidationError({"case": "办件送达或办结后才能评价。"})
    if Rating.objects.filter(case_id=case_id, current=True).exists():
        raise AlreadyRated()
    data = rating_check(channel=channel, level=level, dimensions=dimensions, reasons=reasons, comment=comment)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                channel=channel,
                level=data.level,
                dimensions=data.dimensions,
                reasons=data.reasons,
                comment=data.comment,
                case_id=case_id,
                department_id=facts.department_id,
                region_id=facts.region_id,
                rater_id=rater_id,
                rater_person_id=facts.person_id,
                rater_phone=facts.contact_phone,
                real_name=real_name,
            )
    except IntegrityError:  # two submissions at once: the constraint keeps one
        raise AlreadyRated() from None
    Rating.cases.through.objects.create(rating_id=rating.pk, case_id=case_id)  # a new rating: no link yet
    audit_record(
        actor=user if token_channel is None else f"评价链接（{rating.get_channel_display()}）",
        obj=rating,
        action="evaluation.rate",
        after={"level": data.level, "channel": channel, "case": facts.number},
    )
    _after_record(rating, facts)
    return _info(rating, case_ids=(case_id,))


def _after_record(rating: Rating, facts: cases_api.CaseRatingFacts) -> None:
    """Every real-name bad rating opens its rectification, in the rating's transaction."""
    if rating.level in BAD_LEVELS and rating.real_name and not rating.is_default:
        from .rectification import rectification_open

        rectification_open(rating=rating, complex=facts.complex)


# --- the default rating ----------------------------------------------------------------------------


def default_level() -> int:
    level = int(getattr(settings, "BANHAO_RATING_DEFAULT_LEVEL", Level.SATISFIED))
    return level if level in Level.values else int(Level.SATISFIED)


def rating_default_sweep(today: dt.date | None = None) -> int:
    """Records the default level (满意 unless configured) for cases delivered or concluded
    ``BANHAO_RATING_DEFAULT_DAYS`` working days ago or earlier (within the last 90 days) that
    nobody rated: marked as default and counted separately. Returns how many were recorded."""
    today = today or timezone.localdate()
    days = int(getattr(settings, "BANHAO_RATING_DEFAULT_DAYS", 5))
    # the last finishing day whose cases are due: `days` working days before today
    cutoff = today
    while add_workdays(cutoff, days) > today:
        cutoff -= dt.timedelta(days=1)
    tz = timezone.get_current_timezone()
    end = dt.datetime.combine(cutoff + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    start = end - dt.timedelta(days=90)
    done = 0
    for facts in cases_api.cases_finished_between(start, end):
        if Rating.objects.filter(case_id=facts.id).exists():
            continue
        try:
            with transaction.atomic():
                rating = Rating.objects.create(
                    channel=Rating.Channel.DEFAULT,
                    level=default_level(),
                    case_id=facts.id,
                    department_id=facts.department_id,
                    region_id=facts.region_id,
                    rater_person_id=facts.person_id,
                    is_default=True,
                )
                rating.cases.set([facts.id])
        except IntegrityError:  # rated a moment ago
            continue
        done += 1
    return done
