"""Aliyun's and Tencent Cloud's SendSms, faked on loopback: each request is checked as the vendor checks it.

The extension's senders reach these through the server's ``WUYE_ALIYUN_SMS_ENDPOINT`` /
``WUYE_TENCENT_SMS_ENDPOINT``. The signatures are recomputed here, independently of the Java signers, from the
documented algorithms (Aliyun POP HMAC-SHA1, Tencent TC3-HMAC-SHA256); a request that fails the check is
recorded as refused and answered as the vendor would.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

ALIYUN_KEY_ID = "fake-aliyun-id"
ALIYUN_SECRET = "fake-aliyun-secret"
TENCENT_ID = "AKIDfaketencent"
TENCENT_KEY = "fake-tencent-key"
TENCENT_HOST = "sms.tencentcloudapi.com"


@dataclass(frozen=True)
class Sent:
    """One SendSms the fake accepted: which vendor, template, parameters (in the vendor's own shape) and number."""

    vendor: str
    template: str
    params: Any
    to: str
    sign_name: str


def _aliyun_encode(value: str) -> str:
    return quote(value, safe="~")


def aliyun_signature_ok(params: dict[str, str]) -> bool:
    """Aliyun POP signature v1.0: sorted, specially encoded query; HMAC-SHA1 with ``secret&``; Base64."""
    query = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(params.items()) if k != "Signature")
    to_sign = f"GET&{_aliyun_encode('/')}&{_aliyun_encode(query)}"
    mac = hmac.new(f"{ALIYUN_SECRET}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return hmac.compare_digest(base64.b64encode(mac).decode(), params.get("Signature", ""))


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def tencent_signature_ok(headers: dict[str, str], body: bytes) -> bool:
    """TC3-HMAC-SHA256 over content-type, host (the documented host) and x-tc-action, as the documentation says."""
    authorization = headers.get("authorization", "")
    timestamp = headers.get("x-tc-timestamp", "0")
    date = dt.datetime.fromtimestamp(int(timestamp), dt.UTC).strftime("%Y-%m-%d")
    signed = {
        "content-type": headers.get("content-type", ""),
        "host": TENCENT_HOST,
        "x-tc-action": headers.get("x-tc-action", "").lower(),
    }
    canonical = "POST\n/\n\n" + "".join(f"{k}:{v}\n" for k, v in sorted(signed.items()))
    canonical += "\n" + ";".join(sorted(signed)) + "\n" + _sha256_hex(body)
    scope = f"{date}/sms/tc3_request"
    to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{_sha256_hex(canonical.encode())}"
    key = _hmac256(_hmac256(_hmac256(f"TC3{TENCENT_KEY}".encode(), date), "sms"), "tc3_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    expected = f"TC3-HMAC-SHA256 Credential={TENCENT_ID}/{scope}, SignedHeaders={';'.join(sorted(signed))}, "
    return hmac.compare_digest(authorization, expected + f"Signature={signature}")


@dataclass
class FakeVendors:
    """Both fakes on one loopback port: GET is Aliyun's RPC style, POST is Tencent's JSON API."""

    sent: list[Sent] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def start(self) -> FakeVendors:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                params = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                if params.get("AccessKeyId") != ALIYUN_KEY_ID or not aliyun_signature_ok(params):
                    fake.refused.append("aliyun: signature")
                    self._answer({"Code": "SignatureDoesNotMatch"})
                    return
                fake.sent.append(
                    Sent(
                        "aliyun",
                        params["TemplateCode"],
                        json.loads(params["TemplateParam"]),
                        params["PhoneNumbers"],
                        params["SignName"],
                    )
                )
                self._answer({"Code": "OK", "Message": "OK"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not tencent_signature_ok(headers, body):
                    fake.refused.append("tencent: signature")
                    self._answer({"Response": {"Error": {"Code": "AuthFailure.SignatureFailure"}}})
                    return
                request = json.loads(body)
                fake.sent.append(
                    Sent(
                        "tencent",
                        request["TemplateId"],
                        request["TemplateParamSet"],
                        request["PhoneNumberSet"][0],
                        request["SignName"],
                    )
                )
                self._answer({"Response": {"SendStatusSet": [{"Code": "Ok"}], "RequestId": "fake"}})

            def _answer(self, reply: dict[str, Any]) -> None:
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # requests carry numbers: nothing to stderr

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def server_env(self) -> dict[str, str]:
        """What the Keycloak under test needs to send to these fakes."""
        return {
            "WUYE_ALIYUN_SMS_ACCESS_KEY_ID": ALIYUN_KEY_ID,
            "WUYE_ALIYUN_SMS_ACCESS_KEY_SECRET": ALIYUN_SECRET,
            "WUYE_ALIYUN_SMS_ENDPOINT": self.url,
            "TENCENTCLOUD_SECRET_ID": TENCENT_ID,
            "TENCENTCLOUD_SECRET_KEY": TENCENT_KEY,
            "WUYE_TENCENT_SMS_ENDPOINT": self.url,
        }
