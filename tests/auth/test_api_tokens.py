"""Bearer API tokens: authentication, revocation, isolation."""

from sqlalchemy import select

from webapp.models import ApiToken, User


def _issue(db, username="pm", tenant_slug="acme"):
    from webapp.models import Tenant

    user = db.session.scalar(select(User).join(Tenant).where(User.username == username, Tenant.slug == tenant_slug))
    token, raw = ApiToken.issue(user, "test")
    db.session.commit()
    return token, raw


def test_api_needs_authentication(client, tenant):
    response = client.get("/api/me")
    assert response.status_code == 401 and response.get_json() == {"detail": "로그인이 필요합니다."}


def test_bearer_token_authenticates(client, db, tenant):
    token, raw = _issue(db)
    response = client.get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["username"] == "pm" and body["tenant"]["slug"] == "acme" and body["role"] == "PM"
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_wrong_or_malformed_token_is_401(client, db, tenant):
    _issue(db)
    for header in ("Bearer icr_wrong", "Basic abc", "Bearer ", "icr_x"):
        assert client.get("/api/me", headers={"Authorization": header}).status_code == 401


def test_token_is_stored_hashed(db, tenant):
    token, raw = _issue(db)
    assert raw not in (token.token_hash, token.prefix) and len(token.token_hash) == 64


def test_token_does_not_open_pages(client, db, tenant):
    _, raw = _issue(db)
    assert client.get("/dashboard", headers={"Authorization": f"Bearer {raw}"}).status_code == 302


def test_revoked_token_stops_working(client, auth, db, tenant):
    token, raw = _issue(db)
    auth.login("pm")
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    auth.logout()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_token_of_inactive_user_stops_working(client, db, tenant):
    token, raw = _issue(db)
    db.session.get(User, token.user_id).active = False
    db.session.commit()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_issue_token_in_the_page_shows_it_once(client, auth, db, tenant):
    auth.login("staff")
    page = client.post("/account/tokens", data={"name": "ITSM"}).get_data(as_text=True)
    assert "icr_" in page
    assert "icr_" not in client.get("/account/tokens").get_data(as_text=True).split("<table")[0]


def test_issue_token_without_name_names_the_field(client, auth, tenant):
    auth.login("pm")
    response = client.post("/account/tokens", data={"name": ""})
    assert response.status_code == 422 and "이름" in response.get_data(as_text=True)


def test_cannot_revoke_another_users_or_tenants_token(client, auth, db, tenant, other_tenant):
    foreign, foreign_raw = _issue(db, "admin", "other")
    colleague, colleague_raw = _issue(db, "admin", "acme")
    auth.login("pm")
    assert client.post(f"/account/tokens/{foreign.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{colleague.id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert db.session.get(ApiToken, foreign.id).revoked_at is None
    assert client.application.test_client().get("/api/me", headers={"Authorization": f"Bearer {foreign_raw}"}).status_code == 200
