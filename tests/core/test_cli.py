"""The operator CLI: names and flags are scripted by operators, so they are fixed."""

from sqlalchemy import func, select

from webapp.models import ApiToken, AuditLog, Tenant, User


def test_tenant_and_user_and_token_lifecycle(runner, db):
    result = runner.invoke(
        args=["tenants", "create", "--slug", "mois", "--name", "행정기관", "--timezone", "Asia/Seoul", "--currency", "KRW"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--tenant",
            "mois",
            "--username",
            "lee",
            "--email",
            "lee@mois.kr",
            "--role",
            "PM",
            "--password",
            "secret-pass-1",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "lee"))
    assert user.role == "PM" and user.check_password("secret-pass-1")

    result = runner.invoke(args=["tokens", "create", "--tenant", "mois", "--username", "lee"])
    assert result.exit_code == 0
    raw = result.output.strip().splitlines()[-1]
    assert raw.startswith("icr_") and " " not in raw
    client = runner.app.test_client()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200

    result = runner.invoke(args=["tokens", "revoke", "--tenant", "mois", "--username", "lee"])
    assert result.exit_code == 0 and "revoked 1" in result.output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 401


def test_user_password_is_prompted_when_omitted(runner, db):
    runner.invoke(args=["tenants", "create", "--slug", "t1", "--name", "T1"])
    result = runner.invoke(
        args=["users", "create", "--tenant", "t1", "--username", "u", "--email", "u@t1.kr", "--role", "STAFF"],
        input="prompted-pass\nprompted-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "u")).check_password("prompted-pass")


def test_cli_refuses_bad_input(runner, db):
    assert runner.invoke(args=["tenants", "create", "--slug", "x", "--name", "X", "--timezone", "Mars/Base"]).exit_code != 0
    assert runner.invoke(args=["tenants", "create", "--slug", "x", "--name", "X"]).exit_code == 0
    assert runner.invoke(args=["tenants", "create", "--slug", "x", "--name", "X"]).exit_code != 0
    args = ["users", "create", "--tenant", "x", "--username", "a", "--email", "a@x.kr", "--password", "long-enough"]
    assert runner.invoke(args=args + ["--role", "BOSS"]).exit_code != 0
    assert (
        runner.invoke(
            args=[
                "users",
                "create",
                "--tenant",
                "nope",
                "--username",
                "a",
                "--email",
                "a@x.kr",
                "--role",
                "PM",
                "--password",
                "long-enough",
            ]
        ).exit_code
        != 0
    )
    assert (
        runner.invoke(
            args=[
                "users",
                "create",
                "--tenant",
                "x",
                "--username",
                "a",
                "--email",
                "bad",
                "--role",
                "PM",
                "--password",
                "long-enough",
            ]
        ).exit_code
        != 0
    )
    assert runner.invoke(args=args + ["--role", "PM"]).exit_code == 0
    duplicate = runner.invoke(args=args + ["--role", "PM"])
    assert duplicate.exit_code != 0 and "already used" in duplicate.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(Tenant)) == 1


def test_demo_seed_twice_duplicates_nothing(runner, db):
    first = runner.invoke(args=["demo", "seed"])
    assert first.exit_code == 0, first.output
    assert "demo-pm-1234" in first.output
    counts = {model: db.session.scalar(select(func.count()).select_from(model)) for model in (Tenant, User)}
    second = runner.invoke(args=["demo", "seed"])
    assert second.exit_code == 0
    assert {model: db.session.scalar(select(func.count()).select_from(model)) for model in (Tenant, User)} == counts
    assert counts[User] == 3


def test_jobs_ping_runs_in_process(runner, db):
    runner.invoke(args=["demo", "seed"])
    result = runner.invoke(args=["jobs", "ping", "--message", "hello"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "job.ping"))
    assert row is not None and row.details == {"message": "hello"}


def test_tokens_revoke_single_id(runner, db):
    runner.invoke(args=["demo", "seed"])
    first = runner.invoke(args=["tokens", "create", "--tenant", "demo", "--username", "pm"]).output.splitlines()[-1]
    runner.invoke(args=["tokens", "create", "--tenant", "demo", "--username", "pm"])
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.prefix == first[:10]))
    result = runner.invoke(args=["tokens", "revoke", "--tenant", "demo", "--username", "pm", "--id", str(token_id)])
    assert "revoked 1" in result.output
    assert db.session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None))) == 1


def test_users_created_by_the_cli_are_audited_like_the_admin_page(runner, db):
    runner.invoke(args=["tenants", "create", "--slug", "x", "--name", "X"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--tenant",
            "x",
            "--username",
            "kim",
            "--email",
            "Kim@X.kr",
            "--role",
            "staff",
            "--password",
            "long-enough",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "kim"))
    assert user.role == "STAFF" and user.email == "Kim@x.kr"  # the domain part of the address is normalised
    row = db.session.scalar(select(AuditLog).where(AuditLog.entity == "user", AuditLog.action == "create"))
    assert row is not None and row.entity_id == str(user.id) and row.details["via"] == "cli"


def test_cli_refusals_name_the_field_in_english(runner, db):
    runner.invoke(args=["tenants", "create", "--slug", "x", "--name", "X"])
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--tenant",
            "x",
            "--username",
            "bad name",
            "--email",
            "nope",
            "--role",
            "PM",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "Username:" in result.output and "email:" in result.output and "Password:" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
