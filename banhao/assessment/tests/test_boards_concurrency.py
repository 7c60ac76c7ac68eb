"""Two publications of the same board at once on PostgreSQL (a double click reaching two
workers): one wins, the other is refused, and the blue windows get one task each.

SQLite serialises writers by design, so the race that matters is PostgreSQL's (as in
banhao/hall/tests/test_concurrency.py)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from banhao.assessment import boards
from banhao.assessment.models import BoardEvent, BoardRectification

from .test_boards import world  # noqa: F401  (the fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the row-locking race needs PostgreSQL"),
]


def test_two_publications_at_once_publish_once_and_open_each_task_once(world):  # noqa: F811
    board, manager = world["board"], world["manager"]
    boards.board_review(actor=manager, score_set=board)
    barrier = threading.Barrier(4)
    outcomes, errors = [], []

    def publish():
        try:
            barrier.wait()
            boards.board_publish(actor=manager, score_set=board.pk)
            outcomes.append("published")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert outcomes.count("published") == 1 and len(outcomes) == 4
    assert all("已发布" in o for o in outcomes if o != "published")
    assert BoardEvent.objects.filter(score_set=board, action="publish").count() == 1
    assert BoardRectification.objects.filter(score_set=board).count() == 2
