from django.core.management.base import BaseCommand

from banhao.demo import catalog, city


class Command(BaseCommand):
    help = "载入演示城市（临沂）：区域、部门、大厅、窗口、工作人员和办事群众。可重复执行，已有数据保持不变。"

    def handle(self, *args, **options):
        staff, applicants = city.load()
        counts = catalog.load()
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
