"""Staff self-assessment: ten statements 10–1, the 80 / 50 bands and their advice, history."""

import pytest

from kefu.errors import InvalidInput
from kefu.quality import rules, services
from kefu.quality.models import SelfAssessment

pytestmark = pytest.mark.django_db


def answers_for(total: int) -> list[int]:
    """Ten answers (each 1–10) adding up to total."""
    base, extra = divmod(total, 10)
    return [base + (1 if i < extra else 0) for i in range(10)] if total < 100 else [10] * 10


def test_ten_statements_in_chinese_with_both_poles():
    spec = rules.self_assessment()
    assert len(spec["statements"]) == 10
    assert spec["statements"][4]["high_zh"] == "即使不是我的错，我也不介意道歉"
    assert all(
        s["high_zh"] and s["low_zh"] and s["high_en"] and s["low_en"] for s in spec["statements"]
    )


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100, "excellent"),
        (80, "excellent"),
        (79, "training"),
        (50, "training"),
        (49, "other_role"),
        (10, "other_role"),
    ],
)
def test_bands(total, band):
    assert sum(answers_for(total)) == total
    assert rules.assessment_band(total)["code"] == band
    assert rules.assessment_band(total)["advice_zh"]


def test_answers_are_kept_per_person_over_time(users):
    services.submit_self_assessment(actor=users["staff_sh001"], answers=answers_for(62))
    latest = services.submit_self_assessment(actor=users["staff_sh001"], answers=answers_for(85))
    assert latest.total == 85 and latest.band == "excellent"
    history = list(
        SelfAssessment.objects.filter(staff=users["staff_sh001"].staff).values_list(
            "total", flat=True
        )
    )
    assert history == [85, 62]


@pytest.mark.parametrize(
    "answers", [[10] * 9, [11] + [5] * 9, [0] + [5] * 9, ["7"] * 10, [True] * 10]
)
def test_invalid_answers_are_refused(users, answers):
    with pytest.raises(InvalidInput) as refused:
        services.submit_self_assessment(actor=users["staff_sh001"], answers=answers)
    assert refused.value.field == "answers"
    assert not SelfAssessment.objects.exists()


def test_desk_form_history_and_advice(desk, users):
    client = desk("staff_sh001")
    page = client.get("/desk/quality/self-assessment/").content.decode()
    assert "我在多数情况下能控制自己的情绪" in page and "整洁和打扮根本不重要" in page
    form = {f"q{i + 1}": str(v) for i, v in enumerate(answers_for(45))}
    r = client.post("/desk/quality/self-assessment/", form)
    assert r.status_code == 302
    page = client.get("/desk/quality/self-assessment/").content.decode()
    assert 'data-band="other_role"' in page and "<strong>45</strong>" in page
    incomplete = client.post("/desk/quality/self-assessment/", {**form, "q10": ""})
    assert (
        incomplete.status_code == 422
        and 'value="4" required checked' in incomplete.content.decode()
    )


def test_coaches_see_their_scope_and_nobody_else_does(desk, users):
    services.submit_self_assessment(actor=users["staff_sh001"], answers=answers_for(70))
    sh001 = users["staff_sh001"].staff.pk
    assert desk("trainer").get(f"/desk/quality/team/{sh001}/").status_code == 200
    assert desk("manager_sh001").get(f"/desk/quality/team/{sh001}/").status_code == 200
    assert desk("manager_bj001").get(f"/desk/quality/team/{sh001}/").status_code == 404
    assert desk("staff_sh002").get(f"/desk/quality/team/{sh001}/").status_code == 404
    assert (
        desk("staff_sh001").get(f"/desk/quality/team/{sh001}/").status_code == 200
    )  # one's own history
    assert desk("staff_sh001").get("/desk/quality/team/").status_code == 403
    team = desk("manager_sh001").get("/desk/quality/team/").content.decode()
    assert "staff_sh001" in team and "staff_bj001" not in team and ">70<" in team
