"""The dev SMS outbox that Keycloak's dev-outbox sender posts to."""

from __future__ import annotations

import httpx
from starlette.testclient import TestClient

from devstack.sms_outbox import OutboxState, SmsOutbox, code_of, create_app


def test_a_posted_message_is_listed_for_its_number_and_its_code_can_be_read() -> None:
    client = TestClient(create_app())
    assert (
        client.post("/messages", json={"to": "+8613800138000", "text": "验证码 042917,5 分钟内有效"}).status_code == 201
    )
    client.post("/messages", json={"to": "+8613900000000", "text": "验证码 111111"})
    found = client.get("/api/messages", params={"to": "+8613800138000"}).json()["messages"]
    assert [code_of(m) for m in found] == ["042917"]


def test_the_page_lists_messages_newest_first_and_escapes_them() -> None:
    client = TestClient(create_app())
    client.post("/messages", json={"to": "+8613800138000", "text": "first <b>"})
    client.post("/messages", json={"to": "+8613800138000", "text": "second"})
    page = client.get("/").text
    assert page.index("second") < page.index("first &lt;b&gt;")


def test_messages_without_to_or_text_are_refused_and_delete_forgets_everything() -> None:
    client = TestClient(create_app())
    assert client.post("/messages", json={"text": "no number"}).status_code == 400
    assert client.post("/messages", content=b"not json").status_code == 400
    client.post("/messages", json={"to": "+8613800138000", "text": "x 123456"})
    assert client.delete("/api/messages").status_code == 204
    assert client.get("/api/messages").json() == {"messages": []}


def test_a_failing_gateway_answers_503() -> None:
    state = OutboxState(failing=True)
    client = TestClient(create_app(state))
    assert client.post("/messages", json={"to": "+8613800138000", "text": "x"}).status_code == 503


def test_the_outbox_runs_on_a_free_port_in_a_thread() -> None:
    outbox = SmsOutbox().start()
    try:
        httpx.post(f"{outbox.url}/messages", json={"to": "+8613800138000", "text": "验证码 654321", "code": "654321"})
        assert outbox.wait_for_code("+8613800138000") == "654321"
    finally:
        outbox.stop()
