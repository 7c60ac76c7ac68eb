"""Cases for the hall's comprehensive windows (前台综合受理) and the unified pickup window (统一出件).

Re-exported by banhao.cases.api; other apps import them from there.
"""

__all__: list[str] = []
