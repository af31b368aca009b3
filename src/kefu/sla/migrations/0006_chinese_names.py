"""Seeded policies and calendars get their Chinese names (shown on the ticket page's SLA panel).

Only rows still carrying the seed's English name (or an empty description) are changed: what the
admins renamed stays as they wrote it."""

from django.db import migrations

POLICIES = {
    "vip": ("VIP customers", "VIP 顾客"),
    "complaint-urgent": ("Complaints, high or urgent", "紧急投诉（高/紧急优先级）"),
    "complaint": ("Complaints", "投诉"),
    "fault-urgent": ("Urgent fault reports", "紧急故障报修"),
    "fault-report": ("Fault reports and repairs", "故障报修与维修"),
    "return-exchange": ("Returns and exchanges", "退换货"),
    "delivery-installation": ("Delivery and installation", "送货与安装"),
    "default": ("Everything else", "其他工单"),
}
CALENDARS = {
    "store": "门店营业时间",
    "hotline": "客服热线时间",
    "backoffice": "办公时间（工作日）",
    "always": "全天候（自然时间）",
}


def forwards(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    Calendar = apps.get_model("sla", "Calendar")
    for code, (english, chinese) in POLICIES.items():
        SlaPolicy.objects.filter(code=code, name=english).update(name=chinese)
    for name, description in CALENDARS.items():
        Calendar.objects.filter(name=name, description="").update(description=description)


def backwards(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for code, (english, chinese) in POLICIES.items():
        SlaPolicy.objects.filter(code=code, name=chinese).update(name=english)


class Migration(migrations.Migration):
    dependencies = [("sla", "0005_business_seconds")]
    operations = [migrations.RunPython(forwards, backwards)]
