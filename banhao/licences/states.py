"""The licence life cycle as data: valid → suspended ⇄ valid → revoked; expired by date;
superseded when a newer version (变更/换发) is issued."""

from .models import Status as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.VALID, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "resume"): S.VALID,
    (S.VALID, "revoke"): S.REVOKED,
    (S.SUSPENDED, "revoke"): S.REVOKED,
    (S.VALID, "expire"): S.EXPIRED,
    (S.SUSPENDED, "expire"): S.EXPIRED,
    (S.VALID, "supersede"): S.SUPERSEDED,
    (S.SUSPENDED, "supersede"): S.SUPERSEDED,
}

ACTION_LABELS = {
    "issue": "签发",
    "suspend": "暂停使用",
    "resume": "恢复使用",
    "revoke": "注销",
    "expire": "到期失效",
    "supersede": "换发新版本",
}

# what the holder is told (title, text); {name} and {number} are filled in
NOTICES = {
    "issue": (
        "电子证照已签发",
        "您的《{name}》（编号 {number}）电子证照已签发，可在“我的证照”中查看、出示和下载。",
    ),
    "suspend": ("电子证照已暂停使用", "您的《{name}》（编号 {number}）电子证照已暂停使用，原因：{reason}。"),
    "resume": ("电子证照已恢复使用", "您的《{name}》（编号 {number}）电子证照已恢复使用。"),
    "revoke": ("电子证照已注销", "您的《{name}》（编号 {number}）电子证照已注销，原因：{reason}。"),
    "expire": (
        "电子证照已到期",
        "您的《{name}》（编号 {number}）电子证照已超过有效期，如需继续使用请及时办理延续。",
    ),
    "supersede": ("电子证照已换发", "您的《{name}》（编号 {number}）已换发新版本，旧版本不再有效。"),
}


def next_status(status: str, action: str) -> str | None:
    return TRANSITIONS.get((status, action))
