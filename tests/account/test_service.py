"""The account service checks what the account page sends (FieldErrors naming the field) and commits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from webapp.account.service import change_own_password, issue_token, revoke_token
from webapp.models import ApiToken, User
from webapp.validation import FieldErrors


def _pm(db, tenant):
    return db.session.scalar(select(User).where(User.tenant_id == tenant.id, User.username == "pm"))


def test_a_wrong_or_unchanged_password_is_refused_naming_the_field(db, tenant):
    pm = _pm(db, tenant)
    with pytest.raises(FieldErrors) as refused:
        change_own_password(pm, "not-my-password", "new-password-1", None)
    assert set(refused.value.errors) == {"current_password"}
    with pytest.raises(FieldErrors) as refused:
        change_own_password(pm, PASSWORD, PASSWORD, None)
    assert set(refused.value.errors) == {"new_password"}
    change_own_password(pm, PASSWORD, "new-password-1", None)
    db.session.rollback()
    assert db.session.get(User, pm.id).check_password("new-password-1")


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None, 5])
def test_a_token_needs_a_name_of_1_to_100_characters(db, tenant, name):
    with pytest.raises(FieldErrors) as refused:
        issue_token(_pm(db, tenant), name)
    assert set(refused.value.errors) == {"name"}


def test_issue_and_revoke_are_committed(db, tenant):
    pm = _pm(db, tenant)
    token, secret = issue_token(pm, " 배치 ")
    db.session.rollback()
    stored = db.session.get(ApiToken, token.id)
    assert stored.name == "배치" and secret
    revoke_token(pm, stored)
    db.session.rollback()
    assert db.session.get(ApiToken, token.id).is_revoked
