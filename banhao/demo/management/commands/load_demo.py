from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from banhao.demo import assessment, catalog, city, evaluation, hotline, licences
from banhao.demo import projects as demo_projects
from banhao.demo import training as demo_training
from banhao.licences.keys import KeyringError


class Command(BaseCommand):
    help = (
        "载入演示城市（临沂）：区域、部门、大厅、窗口、工作人员和办事群众，事项目录，证照目录，"
        "以及经真实办件流程签发的电子证照。可重复执行，已有数据保持不变。"
    )

    def handle(self, *args, **options):
        staff, applicants = city.load()
        counts = catalog.load()
        try:
            with transaction.atomic():
                types = licences.load()
                holdings = licences.load_holdings()
        except KeyringError as e:
            raise CommandError(f"电子证照签名密钥不可用：{e}") from None
        with transaction.atomic():
            hotline.load()
        loop = evaluation.load()
        with transaction.atomic():
            trained = demo_training.load()
        schemes = assessment.load()
        drafts = assessment.compute_this_month()
        tracks, new_projects = demo_projects.load(timezone.localdate())
        password = city.demo_password()
        out = self.stdout
        out.write(self.style.SUCCESS("演示城市已就绪。所有演示账号的密码：" + password))
        out.write("\n工作人员账号（用户名 · 角色 · 数据范围）：")
        for a in staff:
            out.write(f"  {a.username:<18} {a.role_label:<10} {a.scope}")
        out.write("\n办事账号（手机号 · 类型 · 主体）：")
        for a in applicants[:3] + applicants[10:12]:
            out.write(f"  {a.username:<18} {a.role_label:<14} {a.scope}")
        out.write(f"  ……共 {len(applicants)} 个办事账号，其余见「基础信息库」。")
        out.write(
            f"\n事项目录：{counts['standards']} 个标准化文本，{counts['implementations']} 个实施清单（市级和4个区县）。"
        )
        out.write(self._licences_block(types, holdings))
        out.write(
            f"\n12345热线：演示工单 {len(hotline.TICKETS)} 件（hotline 账号在 /hotline/tickets/ 派单、回访；"
            "reviewer_lanshan 在 /hotline/department/ 签收、答复）。"
        )
        out.write(self._evaluation_block(loop))
        out.write(
            f"\n工程建设项目：审批路线 {len(tracks)} 条（政府投资、社会投资、小型社会投资合并二三阶段、简易低风险），"
            f"本次新登记演示项目 {new_projects} 个；企业账户在 /projects/ 查看本单位项目和各阶段一次告知，"
            "工作人员在 /office/projects/ 查看，事项管理人员在 /office/projects/tracks/ 维护路线；"
            "用时报告：python manage.py projects_report --json。"
        )
        out.write(
            f"\n学习培训：演示课程 {trained['courses']} 门、集中学习 {trained['sessions']} 场"
            "（clerk 在 /assessment/training/mine/ 看本人学时；manager 在 /assessment/training/manage/ 登记考勤、"
            "supervisor 看学时统计和未完成必修课程的人员）。"
        )
        out.write(
            f"\n考核评价：示例考核方案 {schemes} 个（窗口、部门、人员月度，县区季度）；本月截至今日的考核草稿已计算"
            + (
                "（" + "、".join(f"{d.kind} {d.subjects}" for d in drafts if d.subjects) + "）"
                if drafts
                else ""
            )
            + "，supervisor 在 /assessment/scorecards/ 查看，manager 在 /assessment/boards/ 查看本月红蓝榜草稿（月度结束后审核、发布）；"
            "月度结果由 python manage.py assessment_compute --period YYYY-MM 计算（每月初自动运行）。"
        )

    @staticmethod
    def _evaluation_block(r: evaluation.Result) -> str:
        def counts(d: dict[str, int]) -> str:
            return "、".join(f"{k}{v}件" for k, v in d.items()) or "无"

        lines = [
            "\n好差评：",
            f"  评价 {r.ratings} 条（其中窗口评价器 {r.pad} 条，差评 {r.bad} 条），默认好评 {r.defaults} 条，申诉成立不计分 {r.excluded} 条；"
            f"本月公示 /evaluation/public/?month={timezone.localdate():%Y-%m}（无需登录，默认显示上月）。",
            f"  差评整改：{counts(r.rectifications)}；待复核申诉 {r.appeals_pending} 件。",
            f"  12345回访：待回访 {r.callbacks_pending} 件，已回访 {r.callbacks_done} 件（不满意的已退回重办）。",
            f"  效能投诉：{counts(r.complaints)}；责任追究 {r.accountability} 条。",
            "  supervisor：督查工作台 /evaluation/（整改、申诉复核、投诉、责任追究）；",
            f"  head、reviewer（{evaluation.RATED}）：/evaluation/rectify/ 办理差评整改、提出申诉；",
            "  hotline：/hotline/callbacks/ 回访名单；",
        ]
        if r.fed_back_login:
            lines.append(
                f"  {r.fed_back_login}：办事人，站内消息或 {r.fed_back_path} 查看整改反馈并追评（「我的评价」/rate/mine/）。"
            )
        return "\n".join(lines)

    @staticmethod
    def _licences_block(types: int, h: licences.Holdings) -> str:
        from banhao.licences.models import Status

        labels = dict(Status.choices)
        by_status = "、".join(f"{labels.get(k, k)}{v}本" for k, v in sorted(h.by_status.items()))
        lines = [
            "\n电子证照：",
            f"  证照目录 {types} 种；演示证照 {h.licences} 本（{by_status}），均经审批通过的演示办件签发并签名。",
        ]
        if h.new_cases or h.new_keys:
            lines.append(f"  本次新办结演示办件 {h.new_cases} 件，新建签名密钥 {h.new_keys} 把。")
        if h.sample_identifier:
            lines.append(f"  核验页 /licences/verify/ 可试：{h.sample_identifier}")
        lines.append("  持证账号（登录名 · 持证主体 · 证照）：")
        for username, holder, held in h.by_account:
            lines.append(f"  {username:<18} {holder}：{'、'.join(held)}")
        lines.append("  食品经营许可（免提交营业执照）可用未持有食品经营许可证的企业账号试办。")
        return "\n".join(lines)
