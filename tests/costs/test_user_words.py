"""Messages speak the user's words on pages (Korean labels and choices); the API keeps field names and codes."""

from sqlalchemy import func, select

from webapp.models import ApiToken, Budget, CostEntry, User
from webapp.validation import in_user_words

CATEGORY_LABELS = ("서버 운영비", "네트워크/통신비", "스토리지", "소프트웨어 라이선스", "유지보수", "인건비", "기타")


def test_the_cost_form_names_the_label_and_the_category_names(client, auth, db, tenant):
    auth.login("pm")
    response = client.post("/costs/", data={"year": "2026", "month": "3", "category": "", "service": "ERP", "amount": "1000"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    message = page.split('id="category-error">')[1].split("</p>")[0]
    assert message.startswith("분류: 필수 항목입니다. ")
    assert message.endswith(" 중에서 고르세요.")
    for label in CATEGORY_LABELS:
        assert label in message
    assert "SERVER" not in message and "category:" not in message
    assert db.session.scalar(select(func.count()).select_from(CostEntry)) == 0


def test_the_api_keeps_the_field_name_and_the_codes(client, db, tenant):
    pm = db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))
    _token, raw = ApiToken.issue(pm, "test")
    db.session.commit()
    response = client.post(
        "/api/finops/costs",
        headers={"Authorization": f"Bearer {raw}"},
        json={"year": 2026, "month": 3, "category": "", "service": "ERP", "amount": 1000},
    )
    assert response.status_code in (400, 422)
    message = response.get_json()["errors"]["category"]
    assert message.startswith("category:") and "SERVER" in message and "NETWORK" in message


def test_a_budget_for_the_institution_total_is_named_not_coded(client, auth, db, tenant):
    auth.login("admin")
    response = client.post("/budgets/", data={"year": "2026", "month": "3", "service": "ALL", "amount": "5000000"})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Budget)) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    flash = page.split('class="flash flash-success" role="status">')[1].split("</div>")[0]
    assert "기관 전체" in flash and "ALL" not in flash


def test_codes_inside_other_words_are_left_alone():
    class Label:
        text = "분류"

    class Field:
        label = Label()
        choices = [("SERVER", "서버 운영비"), ("OTHER", "기타")]

    text = in_user_words(Field(), "category", "category: unknown value 'SERVERS'; use one of SERVER, OTHER.")
    assert text == "분류: unknown value 'SERVERS'; use one of 서버 운영비, 기타."
