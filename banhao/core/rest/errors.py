"""Chinese error messages for DRF fields, shared by every API."""

_INT_ERRORS = {
    "invalid": "应为整数。",
    "min_value": "不能小于{min_value}。",
    "max_value": "不能大于{max_value}。",
    "max_string_length": "数字过大。",
}


def int_errors(label: str) -> dict[str, str]:
    """error_messages for an IntegerField, each prefixed with the field's Chinese label."""
    return {k: label + v for k, v in _INT_ERRORS.items()}
