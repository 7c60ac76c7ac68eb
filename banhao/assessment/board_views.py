"""红蓝榜 pages: the boards a hall manager reviews and publishes (and a supervisor oversees),
one board with each window's score, rank, list and the link to its scorecard, the blue list's
rectification tasks, and the public board of a hall at /hall/<hall id>/honour-board/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from banhao.org.api import hall_info, staff_required

from . import board_states as states
from . import boards
from .models_boards import BoardRectification
from .periods import MONTH, parse_period

ACTION_DONE = {"review": "红蓝榜已审核，可以发布。", "publish": "红蓝榜已发布，蓝榜窗口的整改任务已派发。"}


def _month_or_404(code: str):
    try:
        period = parse_period(code)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from None
    if period.kind != MONTH:
        raise Http404("红蓝榜按月发布，请以 YYYY-MM 指定月份。")
    return period


def _errors(exc: ValidationError) -> str:
    return "；".join(exc.messages)


@staff_required("assessment.view")
def board_list(request):
    """GET /assessment/boards/ — the boards in the scope (a hall manager: their hall's; a
    supervisor: the halls of their regions), newest first, and the open blue-list tasks."""
    qs = boards.boards_in_scope(request.scope)
    period = None
    if request.GET.get("period", "").strip():
        period = _month_or_404(request.GET["period"])
        qs = qs.filter(period=period.code)
    status = request.GET.get("status", "")
    if status in dict(boards.B.choices):
        qs = qs.filter(status=status)
    tasks = boards.rectifications_in_scope(request.scope).exclude(status=BoardRectification.Status.CLOSED)
    today = timezone.localdate()
    return render(
        request,
        "assessment/boards/list.html",
        {
            "boards": qs.order_by("-period", "group_label", "scheme_id")[:200],
            "period": period,
            "status": status,
            "statuses": boards.B.choices,
            "tasks": [(t, boards.countdown(t, today)) for t in tasks[:200]],
        },
    )


def _board_or_404(request, pk: int):
    board = boards.boards_in_scope(request.scope).filter(pk=pk).first()
    if board is None:
        raise Http404("未找到该红蓝榜，或不在您的管辖范围内。")
    return board


def _detail_context(request, board, **extra):
    today = timezone.localdate()
    rows = boards.board_rows(board)
    tasks = {t.window_id: t for t in board.board_rectifications.all()}
    for r in rows:
        r["task"] = tasks.get(r["window_id"])
    return {
        "board": board,
        "rows": rows,
        "rules": boards.board_rules(board.scheme),
        "period": parse_period(board.period),
        "can_decide": boards.can_decide(request.scope, board),
        "actions": states.board_actions(board.status),
        "month_running": boards.month_running(board, today),
        "events": board.board_events.filter(rectification=None),
        "tasks": [(t, boards.countdown(t, today)) for t in tasks.values()],
        "must_differ": boards.publisher_must_differ(),
        "hall_id": boards.hall_of(board),
        **extra,
    }


@staff_required("assessment.view")
def board_detail(request, pk: int):
    """GET /assessment/boards/<pk>/ — the board: windows by rank with score, list and the link
    to each scorecard (the facts behind it); review and publish for the hall's manager."""
    board = _board_or_404(request, pk)
    return render(request, "assessment/boards/detail.html", _detail_context(request, board))


@require_POST
@staff_required("assessment.view")
def board_act(request, pk: int):
    """POST /assessment/boards/<pk>/act/ — action=review|publish with the status the page was
    shown with: a second click finds the status moved and changes nothing."""
    board = _board_or_404(request, pk)
    action = request.POST.get("action", "")
    shown = request.POST.get("status", "")
    if action not in ACTION_DONE:
        messages.error(request, "未知的操作。")
        return redirect("boards:detail", pk=board.pk)
    if shown and shown != board.status:
        messages.error(request, f"该红蓝榜已是“{board.get_status_display()}”，本次提交未处理。")
        return redirect("boards:detail", pk=board.pk)
    try:
        if action == "review":
            boards.board_review(actor=request.user, score_set=board, note=request.POST.get("note", ""))
        else:
            boards.board_publish(actor=request.user, score_set=board)
    except ValidationError as exc:
        board.refresh_from_db()
        ctx = _detail_context(request, board, error=_errors(exc))
        return render(request, "assessment/boards/detail.html", ctx, status=400)
    messages.success(request, ACTION_DONE[action])
    return redirect("boards:detail", pk=board.pk)


def _task_or_404(request, pk: int) -> BoardRectification:
    task = boards.rectifications_in_scope(request.scope).filter(pk=pk).first()
    if task is None:
        raise Http404("未找到该蓝榜整改任务，或不在您的管辖范围内。")
    return task


def _task_context(request, task, **extra):
    scope = request.scope
    return {
        "task": task,
        "board": task.score_set,
        "countdown": boards.countdown(task),
        "events": task.events.all(),
        "can_measure": scope.role == "hall_manager" and scope.hall_id == task.hall_id,
        "can_supervise": scope.can("assessment.manage") and scope.allows(task.region_id),
        "actions": states.rect_actions(task.status),
        **extra,
    }


@staff_required("assessment.view")
def task_detail(request, pk: int):
    """GET /assessment/boards/tasks/<pk>/ — a blue window's rectification with its countdown."""
    task = _task_or_404(request, pk)
    return render(request, "assessment/boards/task.html", _task_context(request, task))


TASK_DONE = {
    "measures": "整改措施已填报，等待督查人员确认。",
    "close": "蓝榜整改已办结。",
    "return": "已退回重新整改。",
}


@require_POST
@staff_required("assessment.view")
def task_act(request, pk: int):
    task = _task_or_404(request, pk)
    action = request.POST.get("action", "")
    shown = request.POST.get("status", "")
    if action not in TASK_DONE:
        messages.error(request, "未知的操作。")
        return redirect("boards:task", pk=task.pk)
    if shown and shown != task.status:
        messages.error(request, f"该整改任务已是“{task.get_status_display()}”，本次提交未处理。")
        return redirect("boards:task", pk=task.pk)
    try:
        if action == "measures":
            boards.rectification_measures(
                actor=request.user, rectification=task, measures=request.POST.get("measures", "")
            )
        elif action == "close":
            boards.rectification_close(
                actor=request.user, rectification=task, note=request.POST.get("note", "")
            )
        else:
            boards.rectification_return(
                actor=request.user, rectification=task, note=request.POST.get("note", "")
            )
    except ValidationError as exc:
        task.refresh_from_db()
        ctx = _task_context(
            request,
            task,
            error=_errors(exc),
            posted={k: request.POST.get(k, "")[:2000] for k in ("measures", "note")},
        )
        return render(request, "assessment/boards/task.html", ctx, status=400)
    messages.success(request, TASK_DONE[action])
    return redirect("boards:task", pk=task.pk)


# --- public ------------------------------------------------------------------------------------------


def public_board(request, hall_id: int):
    """GET /hall/<hall id>/honour-board/ (?period=YYYY-MM) — no login. Only a published board
    is shown; without a period, the latest published one."""
    hall = hall_info(hall_id, windows=False)
    if hall is None:
        raise Http404("未找到该政务服务大厅。")
    code = request.GET.get("period", "").strip()
    period = _month_or_404(code) if code else None
    board = boards.published_board(hall_id, period.code if period else None)
    rows = boards.board_rows(board) if board else []
    return render(
        request,
        "assessment/boards/public.html",
        {
            "hall": hall,
            "board": board,
            "period": parse_period(board.period) if board else period,
            "red": [r for r in rows if r["list"] == boards.RED],
            "blue": [r for r in rows if r["list"] == boards.BLUE],
            "rows": rows,
            "history": boards.all_boards()
            .filter(group=f"hall:{hall_id}", status=boards.B.PUBLISHED)
            .order_by("-period")
            .values_list("period", flat=True)
            .distinct()[:12],
        },
    )
