"""Case numbers stay unique when many windows create cases at the same moment."""

import datetime as dt
import threading

import pytest
from django.db import connection, connections

from banhao.cases.services import case_number_next


@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_never_hands_out_the_same_number():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith("file:memorydb"):
        pytest.skip(
            "SQLite's in-memory test database answers concurrent writers with table locks at once; "
            "this race is checked on PostgreSQL (CI runs both)"
        )
    day, got, errors = dt.date(2026, 11, 24), [], []
    lock = threading.Lock()

    def worker():
        try:
            for _ in range(10):
                number = case_number_next("371302", day)
                with lock:
                    got.append(number)
        except Exception as exc:  # reported below: the test must see every failure
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(got) == len(set(got)) == 10 * len(threads)
    assert sorted(got)[-1].endswith(f"-{10 * len(threads):05d}")  # no gaps, none skipped
