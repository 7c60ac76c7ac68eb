"""Cases for the 24-hour self-service area: looking up a case and printing a decision.

Re-exported by banhao.cases.api; other apps import them from there.
"""

__all__: list[str] = []
