"""One kind of event for the hall (decision 0009): TicketEvent becomes HallEvent, which may be
about a ticket, an appointment or a window; the desk's rating fields become the plain fact
'the ticket it finished last'."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("hall", "0002_ticket_sources_in_use"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RenameModel("TicketEvent", "HallEvent"),
        migrations.AlterModelOptions(
            name="hallevent",
            options={"ordering": ["id"], "verbose_name": "大厅记录", "verbose_name_plural": "大厅记录"},
        ),
        migrations.AlterField(
            model_name="hallevent",
            name="ticket",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="hall.ticket",
                verbose_name="排队号",
            ),
        ),
        migrations.AddField(
            model_name="hallevent",
            name="appointment",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="events",
                to="hall.appointment",
                verbose_name="预约",
            ),
        ),
        migrations.RenameField("desk", "rating_ticket", "last_finished"),
        migrations.RenameField("desk", "rating_requested_at", "last_finished_at"),
        migrations.AlterField(
            model_name="desk",
            name="last_finished",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="hall.ticket",
                verbose_name="刚办结号",
            ),
        ),
        migrations.AlterField(
            model_name="desk",
            name="last_finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="办结时间"),
        ),
        migrations.AlterField(
            model_name="hallevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("issue", "取号"),
                    ("call", "呼叫"),
                    ("recall", "重呼"),
                    ("skip", "过号"),
                    ("transfer", "转移"),
                    ("finish", "办结"),
                    ("cancel", "取消"),
                    ("book", "预约"),
                    ("reschedule", "改约"),
                    ("check_in", "预约签到"),
                    ("no_show", "爽约"),
                    ("sign_in", "窗口签到"),
                    ("pause", "暂停服务"),
                    ("resume", "恢复叫号"),
                ],
                max_length=10,
                verbose_name="动作",
            ),
        ),
    ]
