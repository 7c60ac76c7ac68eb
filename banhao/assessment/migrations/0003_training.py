# 学习培训 (issue 13 part 5): courses, sessions, study records, enrolments, attendance, credits.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):


    dependencies = [
        ('assessment', '0002_schemes_and_scores'),
        ('org', '0004_staff_role_hotline'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Course',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100, verbose_name='课程名称')),
                ('kind', models.CharField(choices=[('self_study', '日常自学'), ('session', '集中学习')], max_length=12, verbose_name='学习形式')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='课程简介')),
                ('content', models.TextField(blank=True, verbose_name='学习内容')),
                ('material', models.FileField(blank=True, upload_to='training/%Y/', verbose_name='学习材料（PDF）')),
                ('material_name', models.CharField(blank=True, max_length=120, verbose_name='材料文件名')),
                ('reading_minutes', models.PositiveSmallIntegerField(default=0, verbose_name='要求阅读时长（分钟）')),
                ('credit_hours', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='学时')),
                ('required', models.BooleanField(default=False, verbose_name='必修')),
                ('audience_roles', models.JSONField(blank=True, default=list, verbose_name='面向角色')),
                ('published', models.BooleanField(default=False, verbose_name='已发布')),
                ('submission_key', models.CharField(blank=True, max_length=40, null=True, unique=True, verbose_name='提交标识')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('audience_departments', models.ManyToManyField(blank=True, related_name='+', to='org.department', verbose_name='面向部门')),
                ('audience_regions', models.ManyToManyField(blank=True, related_name='+', to='org.region', verbose_name='面向区域')),
                ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.region', verbose_name='所属区域')),
            ],
            options={
                'verbose_name': '培训课程',
                'verbose_name_plural': '培训课程',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='StudyRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('started_at', models.DateTimeField(verbose_name='开始学习时间')),
                ('confirmed_at', models.DateTimeField(blank=True, null=True, verbose_name='确认学完时间')),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='studies', to='assessment.course', verbose_name='课程')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.staffmember', verbose_name='工作人员')),
            ],
            options={
                'verbose_name': '自学记录',
                'verbose_name_plural': '自学记录',
                'ordering': ['-started_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TrainingSession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('starts_at', models.DateTimeField(verbose_name='开始时间')),
                ('ends_at', models.DateTimeField(verbose_name='结束时间')),
                ('place', models.CharField(max_length=100, verbose_name='地点')),
                ('hours', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='学时')),
                ('capacity', models.PositiveSmallIntegerField(default=0, verbose_name='名额（0为不限）')),
                ('enrolment_open', models.BooleanField(default=True, verbose_name='开放报名')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='assessment.course', verbose_name='课程')),
                ('organiser', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.staffmember', verbose_name='组织人')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.region', verbose_name='所属区域')),
            ],
            options={
                'verbose_name': '集中学习场次',
                'verbose_name_plural': '集中学习场次',
                'ordering': ['-starts_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='TrainingCredit',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('hours', models.DecimalField(decimal_places=1, max_digits=4, verbose_name='学时')),
                ('earned_on', models.DateField(db_index=True, verbose_name='取得日期')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='记录时间')),
                ('course', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='assessment.course', verbose_name='课程')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='training_credits', to='org.staffmember', verbose_name='工作人员')),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='credits', to='assessment.trainingsession', verbose_name='场次')),
            ],
            options={
                'verbose_name': '学时记录',
                'verbose_name_plural': '学时记录',
                'ordering': ['-earned_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='Enrolment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='报名时间')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.staffmember', verbose_name='工作人员')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrolments', to='assessment.trainingsession', verbose_name='场次')),
            ],
            options={
                'verbose_name': '报名',
                'verbose_name_plural': '报名',
                'ordering': ['created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('present', '出席'), ('absent', '缺席'), ('leave', '请假')], max_length=8, verbose_name='考勤')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='请假事由')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.staffmember', verbose_name='工作人员')),
                ('session', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attendance', to='assessment.trainingsession', verbose_name='场次')),
            ],
            options={
                'verbose_name': '考勤记录',
                'verbose_name_plural': '考勤记录',
                'ordering': ['session', 'id'],
            },
        ),
        migrations.AddConstraint(
            model_name='course',
            constraint=models.CheckConstraint(condition=models.Q(('credit_hours__gt', 0), ('credit_hours__lte', 100)), name='assessment_course_hours_range', violation_error_message='学时应大于0且不超过100。'),
        ),
        migrations.AddConstraint(
            model_name='course',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('kind', 'self_study'), _negated=True), ('reading_minutes__gt', 0), _connector='OR'), name='assessment_course_self_study_minutes', violation_error_message='日常自学课程必须规定阅读时长。'),
        ),
        migrations.AddConstraint(
            model_name='course',
            constraint=models.UniqueConstraint(fields=('region', 'title'), name='assessment_course_unique_title'),
        ),
        migrations.AddConstraint(
            model_name='studyrecord',
            constraint=models.UniqueConstraint(fields=('course', 'staff'), name='assessment_study_once_per_course'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='assessment_session_ends_after_start', violation_error_message='结束时间应晚于开始时间。'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0), ('hours__lte', 24)), name='assessment_session_hours_range', violation_error_message='学时应大于0且不超过24。'),
        ),
        migrations.AddConstraint(
            model_name='trainingsession',
            constraint=models.UniqueConstraint(fields=('course', 'starts_at', 'place'), name='assessment_session_unique_sitting'),
        ),
        migrations.AddIndex(
            model_name='trainingcredit',
            index=models.Index(fields=['staff', 'earned_on'], name='assessment__staff_i_230356_idx'),
        ),
        migrations.AddConstraint(
            model_name='trainingcredit',
            constraint=models.UniqueConstraint(condition=models.Q(('session__isnull', True)), fields=('staff', 'course'), name='assessment_credit_once_per_course'),
        ),
        migrations.AddConstraint(
            model_name='trainingcredit',
            constraint=models.UniqueConstraint(condition=models.Q(('session__isnull', False)), fields=('staff', 'session'), name='assessment_credit_once_per_session'),
        ),
        migrations.AddConstraint(
            model_name='trainingcredit',
            constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0)), name='assessment_credit_hours_positive'),
        ),
        migrations.AddConstraint(
            model_name='enrolment',
            constraint=models.UniqueConstraint(fields=('session', 'staff'), name='assessment_enrol_once_per_session'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.UniqueConstraint(fields=('session', 'staff'), name='assessment_attendance_once'),
        ),
        migrations.AddConstraint(
            model_name='attendance',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'leave'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='assessment_attendance_leave_reason', violation_error_message='请假须写明事由。'),
        ),
    ]
