"""Every URL has a role rule: a view says who may open it (`role_required`, read by the menus), or it is public on purpose.

A new endpoint without a rule fails here instead of quietly admitting anyone; to make a page
public, add it to PUBLIC with the reason.
"""

from __future__ import annotations

from webapp.auth.roles import EVERYONE
from webapp.navigation import roles_allowed

PUBLIC = {
    "static": "stylesheets, scripts and images, needed by the sign-in page",
    "auth.login": "the sign-in page itself",
    "main.set_language": "the language switch works before sign-in too",
    "schedules.download_link": "the signed link e-mailed with a report: the token is the permission",
}


def _endpoints(app) -> dict[str, list[str]]:
    endpoints: dict[str, list[str]] = {}
    for rule in app.url_map.iter_rules():
        endpoints.setdefault(rule.endpoint, []).append(rule.rule)
    return endpoints


def test_every_endpoint_has_a_role_rule_or_is_public_on_purpose(bare_app):
    missing = []
    for endpoint, rules in sorted(_endpoints(bare_app).items()):
        roles = getattr(bare_app.view_functions[endpoint], "allowed_roles", None)
        if endpoint in PUBLIC:
            assert roles is None, f"{endpoint} is listed as public but has a role rule {roles}"
            continue
        if not roles:
            missing.append(f"{endpoint} ({', '.join(rules)})")
    assert not missing, "endpoints without role_required(...) and not in PUBLIC: " + "; ".join(missing)


def test_every_role_rule_names_known_roles(bare_app):
    for endpoint in _endpoints(bare_app):
        if endpoint not in PUBLIC:
            assert set(roles_allowed(bare_app, endpoint)) <= set(EVERYONE), endpoint


def test_the_public_list_names_only_real_endpoints(bare_app):
    assert set(PUBLIC) <= set(_endpoints(bare_app))


def test_a_signed_out_visitor_is_sent_to_sign_in_from_a_role_ruled_page(client, tenant):
    for url in ("/", "/account/", "/costs/", "/service-requests/"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url
    assert client.get("/api/me").status_code == 401
    assert client.get("/login").status_code == 200
