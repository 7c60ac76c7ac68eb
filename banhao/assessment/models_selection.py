"""红旗窗口 and 服务明星 selection (评选): a round per kind, period and region, its candidates
(ranked by the scheme's scores, with the facts and any exclusion), the nominations, the
reviewers' votes or the leader's sign-off, and the published notice. See docs/selection.md."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SelectionRound(models.Model):
    """One selection (评选) of red-flag windows or service stars for a quarter or a year."""

    class Kind(models.TextChoices):
        WINDOW = "window", "红旗窗口"
        STAFF = "staff", "服务明星"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        NOMINATING = "nominating", "提名中"
        REVIEWING = "reviewing", "评审中"
        DECIDED = "decided", "已决定"
        PUBLISHED = "published", "已发布"

    class ReviewMode(models.TextChoices):
        VOTE = "vote", "评审投票"
        SIGNOFF = "signoff", "领导签批"

    kind = models.CharField("评选类型", max_length=10, choices=Kind.choices)
    period = models.CharField("评选周期", max_length=8, help_text="YYYY-Q1…Q4 或 YYYY")
    region = models.ForeignKey(
        "org.Region", verbose_name="评选范围", on_delete=models.PROTECT, related_name="+"
    )
    scheme = models.ForeignKey(
        "assessment.Scheme", verbose_name="依据的考核方案", on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("评选名称", max_length=120)
    places = models.PositiveSmallIntegerField("名额")
    review_mode = models.CharField(
        "评审方式", max_length=10, choices=ReviewMode.choices, default=ReviewMode.VOTE
    )
    votes_needed = models.PositiveSmallIntegerField(
        "当选所需赞成票", default=2, help_text="评审投票时，赞成票达到此数且多于反对票的提名方可当选。"
    )
    issuing_office = models.CharField("发文单位", max_length=100)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.DRAFT)
    score_basis = models.CharField("得分口径", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice_number = models.CharField("通报文号", max_length=60, blank=True)
    published_on = models.DateField("发布日期", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = "红旗窗口/服务明星评选"
        verbose_name_plural = "红旗窗口/服务明星评选"
        ordering = ["-period", "kind", "region"]
        constraints = [
            # one round per kind, period and region: a double click on 发起评选 creates one
            models.UniqueConstraint(fields=["kind", "period", "region"], name="assessment_selection_unique"),
            models.CheckConstraint(condition=models.Q(places__gt=0), name="assessment_selection_places"),
            models.CheckConstraint(
                condition=models.Q(votes_needed__gt=0), name="assessment_selection_votes_needed"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SelectionCandidate(models.Model):
    """A subject ranked by the scheme's scores for the round's period, with the facts behind its
    score. An ineligible one (a substantiated complaint or an accountability record in the
    period, or excluded by the supervisor) keeps its place in the list with the reason."""

    round = models.ForeignKey(
        SelectionRound, verbose_name="评选", on_delete=models.CASCADE, related_name="candidates"
    )
    subject_id = models.PositiveIntegerField("考核对象编号")
    subject_label = models.CharField("候选对象", max_length=120)
    group_label = models.CharField("所属", max_length=120)
    region = models.ForeignKey("org.Region", verbose_name="区域", on_delete=models.PROTECT, related_name="+")
    department_id = models.PositiveIntegerField("部门编号", null=True, blank=True)
    hall_id = models.PositiveIntegerField("大厅编号", null=True, blank=True)
    score = models.DecimalField("评选得分", max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField("排名")
    periods_counted = models.PositiveSmallIntegerField("计入期数", default=1)
    facts = models.JSONField("得分依据", default=dict)
    eligible = models.BooleanField("符合条件", default=True)
    exclusion_reason = models.CharField("不符合条件的原因", max_length=300, blank=True)
    excluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="排除人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：按投诉、责任追究记录自动排除",
    )

    class Meta:
        verbose_name = "评选候选"
        verbose_name_plural = "评选候选"
        ordering = ["round", "rank", "subject_label"]
        constraints = [
            models.UniqueConstraint(fields=["round", "subject_id"], name="assessment_candidate_unique"),
            models.CheckConstraint(
                condition=models.Q(eligible=True) | ~models.Q(exclusion_reason=""),
                name="assessment_candidate_exclusion_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}（{self.score}）"


class Nomination(models.Model):
    """提名: a candidate put forward, with the reason (the citation of the notice)."""

    round = models.ForeignKey(
        SelectionRound, verbose_name="评选", on_delete=models.CASCADE, related_name="nominations"
    )
    candidate = models.OneToOneField(
        SelectionCandidate, verbose_name="候选", on_delete=models.CASCADE, related_name="nomination"
    )
    reason = models.CharField("推荐理由", max_length=300)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提名人", on_delete=models.PROTECT, related_name="+"
    )
    nominated_at = models.DateTimeField("提名时间", auto_now_add=True)
    selected = models.BooleanField("当选", default=False)
    outcome_note = models.CharField("评审结果说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "评选提名"
        verbose_name_plural = "评选提名"
        ordering = ["round", "candidate__rank"]

    def __str__(self) -> str:
        return f"提名：{self.candidate.subject_label}"


class SelectionReview(models.Model):
    """评审: one reviewer's vote on one nomination (once), or the leader's sign-off."""

    class Kind(models.TextChoices):
        VOTE = "vote", "投票"
        SIGNOFF = "signoff", "签批"

    nomination = models.ForeignKey(
        Nomination, verbose_name="提名", on_delete=models.CASCADE, related_name="reviews"
    )
    kind = models.CharField("方式", max_length=10, choices=Kind.choices)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评审人", on_delete=models.PROTECT, related_name="+"
    )
    reviewer_label = models.CharField("评审人", max_length=100)
    approve = models.BooleanField("同意")
    comment = models.CharField("意见", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "评审意见"
        verbose_name_plural = "评审意见"
        ordering = ["nomination", "created_at"]
        constraints = [
            # each reviewer votes once on a nomination; a nomination has at most one sign-off
            models.UniqueConstraint(fields=["nomination", "reviewer"], name="assessment_review_once"),
            models.UniqueConstraint(
                fields=["nomination"],
                condition=models.Q(kind="signoff"),
                name="assessment_review_one_signoff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer_label}：{'同意' if self.approve else '不同意'}"


__all__ = ["Nomination", "SelectionCandidate", "SelectionReview", "SelectionRound"]
