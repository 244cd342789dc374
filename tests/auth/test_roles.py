"""The role decorator and the answers for forbidden and foreign requests."""

import pytest


@pytest.mark.parametrize(
    "username, path, expected",
    [
        ("admin", "/dashboard", 200),
        ("pm", "/dashboard", 200),
        ("staff", "/dashboard", 403),
        ("admin", "/admin/users", 200),
        ("pm", "/admin/users", 403),
        ("staff", "/admin/users", 403),
        ("staff", "/", 200),
        ("staff", "/account/tokens", 200),
    ],
)
def test_role_decides_access(client, auth, tenant, username, path, expected):
    auth.login(username)
    assert client.get(path).status_code == expected


def test_forbidden_page_is_friendly(client, auth, tenant):
    auth.login("staff")
    response = client.get("/dashboard")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "권한이 없습니다" in page and "<nav" in page


def test_signed_out_visitor_is_sent_to_login(client, tenant):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_htmx_request_when_signed_out_gets_hx_redirect(client, tenant):
    response = client.get("/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")


def test_unknown_page_is_404_page(client, auth, tenant):
    auth.login("pm")
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "찾을 수 없습니다" in response.get_data(as_text=True)


def test_decorator_marks_allowed_roles():
    from webapp.auth.roles import role_required

    @role_required("ADMIN")
    def view():
        return "ok"

    assert view.allowed_roles == ("ADMIN",)


def test_responses_vary_on_hx_request(client, tenant):
    assert "HX-Request" in client.get("/login").headers["Vary"]


def test_server_error_page_is_friendly(app, tenant):
    def boom():
        raise RuntimeError("kaput")

    app.add_url_rule("/boom", "boom", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "서버에서 문제가 발생했습니다" in response.get_data(as_text=True)
    assert "kaput" not in response.get_data(as_text=True)
