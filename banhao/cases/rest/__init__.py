"""The cases JSON API (办件接口): applicants read their own cases, staff the cases in their scope
and act on them through the same commands.case_act the back-office pages use (and open cases with case_open)."""
