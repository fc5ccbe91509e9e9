"""A password set by any way Keycloak offers activates the account, not only our 首次登录 / 忘记密码 flow.

Before the ``wuye-activated-by-password`` listener, a one-time-password joiner who passed Keycloak's own
UPDATE_PASSWORD required action, or an account whose admin set a password, stayed ``wuyeActivation=sent``: the
help desk said "not yet activated" of someone who signs in daily. Real Keycloak, admin API and sign-in pages.
"""

from __future__ import annotations

from collections.abc import Callable

from devstack.form_login import LoginPage
from devstack.sms_outbox import SmsOutbox
from sso.workbench.helpdesk.activation import State, status
from tests.extension.conftest import PASSWORD
from tests.security.attacks import NEW_PASSWORD
from tests.security.code_driver import CODE_FORM, Visitor, code_realm
from tests.support.activation_users import ACTIVATION, Joiner, attributes_of, queue_joiner
from tests.support.realms import TestRealm

Realms = Callable[..., TestRealm]
ACTIVATED_AT = "wuyeActivatedAt"
UPDATE_PASSWORD_FORM = "kc-passwd-update-form"


def told(username: str, phone: str) -> Joiner:
    """A joiner whose activation SMS already left and who has not activated yet."""
    return Joiner(username, phone, attributes={ACTIVATION: ["sent"]})


def help_desk_state(realm: TestRealm, user_id: str) -> State:
    """What the help desk's person page reads: the account and its credentials, as they are."""
    admin = realm.admin()
    return status(admin.get_user(user_id), admin.get_credentials(user_id)).state


def test_a_password_an_admin_sets_activates_the_account(realm_factory: Realms, sms_outbox: SmsOutbox) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    user_id = queue_joiner(realm.realm, told("wy7801", "+8613900007801"))
    assert help_desk_state(realm.realm, user_id) is State.SENT

    realm.realm.admin().set_user_password(user_id, PASSWORD, temporary=False)

    attributes = attributes_of(realm.realm, user_id)
    assert ACTIVATION not in attributes, f"still queued after an admin set the password: {attributes.get(ACTIVATION)}"
    assert int(attributes[ACTIVATED_AT][0]) > 0, attributes
    assert help_desk_state(realm.realm, user_id) is State.ACTIVATED, "the help desk shows 已激活"


def test_a_one_time_password_activates_only_when_the_person_replaces_it(
    realm_factory: Realms, sms_outbox: SmsOutbox
) -> None:
    realm = code_realm(realm_factory, sms_outbox)
    joiner = told("wy7802", "+8613900007802")
    user_id = queue_joiner(realm.realm, joiner)
    realm.realm.admin().set_user_password(user_id, PASSWORD, temporary=True)  # IT's one-time password
    assert attributes_of(realm.realm, user_id).get(ACTIVATION) == ["sent"], "a one-time password is not the person's"

    visitor = Visitor(realm)
    visitor.sign_in_page()
    before = sms_outbox.last_id()
    step = visitor.password(joiner.username)
    assert isinstance(step, LoginPage) and step.form_id == CODE_FORM, "expected the SMS code page"
    step = visitor.code(sms_outbox.wait_for_code(joiner.phone, after=before))
    assert isinstance(step, LoginPage) and step.form_id == UPDATE_PASSWORD_FORM, f"expected UPDATE_PASSWORD: {step}"
    done = visitor.submit(**{"password-new": NEW_PASSWORD, "password-confirm": NEW_PASSWORD})
    assert not (isinstance(done, LoginPage) and done.form_id == UPDATE_PASSWORD_FORM), f"refused: {done.error}"

    attributes = attributes_of(realm.realm, user_id)
    assert ACTIVATION not in attributes, f"still queued after UPDATE_PASSWORD: {attributes.get(ACTIVATION)}"
    assert int(attributes[ACTIVATED_AT][0]) > 0, attributes
    assert help_desk_state(realm.realm, user_id) is State.ACTIVATED, "the help desk shows 已激活"
