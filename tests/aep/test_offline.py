"""Pure parts of the client: endpoints, error parsing, Retry-After, redaction, batch results."""

from __future__ import annotations

import pytest

from aep_console.aep import errors as E
from aep_console.aep import redact
from aep_console.aep.config import ClientCredentials, Endpoints, RetryPolicy
from aep_console.aep.ims import expires_in_seconds
from aep_console.aep.streaming import parse_message_results

# --- endpoints ---------------------------------------------------------------------------------


def test_real_aep_defaults():
    ep = Endpoints.aep()
    assert (ep.ims, ep.platform, ep.streaming) == (
        "https://ims-na1.adobelogin.com", "https://platform.adobe.io", "https://dcs.adobedc.net")
    assert Endpoints() == ep and not ep.is_local


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/platform", "http://localhost:1/ims", "http://[::1]:5/dcs",
                                 "http://127.1.2.3/x"])
def test_plain_http_to_loopback_is_allowed(url):
    ep = Endpoints(url, url, url + "/")
    assert ep.streaming == url and ep.is_local


@pytest.mark.parametrize("url", ["http://platform.adobe.io", "http://10.0.0.5:8080/platform",
                                 "http://example.com", "http://127.0.0.1.evil.com/x"])
def test_plain_http_to_other_hosts_is_refused(url):
    with pytest.raises(E.InsecureEndpointError) as info:
        Endpoints("https://ims-na1.adobelogin.com", url, "https://dcs.adobedc.net")
    assert "plain http" in str(info.value) and "platform" in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("url", ["ftp://x", "platform.adobe.io", "", "https://"])
def test_non_urls_are_refused(url):
    with pytest.raises(E.InsecureEndpointError):
        Endpoints(url, "https://platform.adobe.io", "https://dcs.adobedc.net")


def test_from_sandbox_layout():
    ep = Endpoints.from_sandbox("http://127.0.0.1:4567/")
    assert ep.ims.endswith(":4567/ims") and ep.platform.endswith("/platform") and ep.streaming.endswith("/dcs")


def test_secret_is_not_in_repr():
    creds = ClientCredentials("my-client", lambda: "canary-s3cret-value")
    assert "canary" not in repr(creds) and "my-client" in repr(creds)


def test_backoff_grows_and_is_capped():
    p = RetryPolicy(base_delay=1, max_delay=5)
    assert p.backoff(0, 0.0) == 0.5 and p.backoff(0, 0.999) < 1.0
    assert p.backoff(1, 0.0) == 1.0 and p.backoff(10, 0.999) <= 5


def test_expires_in_units():
    assert expires_in_seconds(86399) == 86399
    assert expires_in_seconds("86399992") == pytest.approx(86399.992)


# --- error shapes (../shared/docs/aep-api.md) ----------------------------------------------------


class H(dict):
    def get(self, k, d=None):
        return super().get(k.lower(), d)


def err(status, body, headers=None):
    return E.error_from_response(status, H(headers or {}), body, method="GET", url="https://platform.adobe.io/x")


def test_gateway_error():
    e = err(401, b'{"error_code":"401013","message":"Oauth token is not valid"}', {"x-request-id": "req-1"})
    assert isinstance(e, E.AuthError) and e.code == "401013" and e.message == "Oauth token is not valid"
    assert e.request_id == "req-1" and "request id req-1" in str(e) and "HTTP 401" in str(e)


def test_schema_registry_rfc7807_error():
    body = {"type": "http://ns.adobe.com/aep/errors/XDM-1007-400", "title": "Accept header invalid", "status": 400,
            "report": {"registryRequestId": "abc-123", "detailed-message": "The supplied Accept header…",
                       "sub-errors": []}, "detail": "The supplied Accept header is not valid"}
    e = err(400, body)
    assert type(e) is E.BadRequestError
    assert (e.code, e.title, e.message) == ("XDM-1007-400", "Accept header invalid",
                                            "The supplied Accept header is not valid")
    assert e.request_id == "abc-123" and e.report["sub-errors"] == []


def test_rfc7807_missing_content_type():
    e = err(400, {"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError",
                  "detail": "A valid content-type must be specified"})
    assert e.title == "BadRequestError" and e.message == "A valid content-type must be specified"


def test_flow_service_error_message():
    e = err(412, {"errorMessage": "Supplied version=[1] does not match the current version on entity=[x]"})
    assert isinstance(e, E.PreconditionFailed) and "does not match" in e.message


def test_dcs_validation_problem():
    body = {"type": "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet", "status": 400,
            "title": "Invalid XDM Message Format",
            "report": {"message": "inletId: [6a] imsOrgId: [7B@AdobeOrg] Message is invalid",
                       "cause": {"_streamingValidation": [{"schemaLocation": "#", "pointerToViolation": "#",
                                 "causingExceptions": [
                                     {"schemaLocation": "#/properties/_id", "pointerToViolation": "#/_id",
                                      "causingExceptions": [], "keyword": "type",
                                      "message": "expected type: String, found: Long"}],
                                 "message": "1 schema violations found"}]}}}
    e = err(400, body)
    assert isinstance(e, E.ValidationFailed) and e.title == "Invalid XDM Message Format"
    assert e.message.endswith("Message is invalid")
    assert e.violations == [{"pointerToViolation": "#/_id", "schemaLocation": "#/properties/_id",
                             "keyword": "type", "message": "expected type: String, found: Long"}]


def test_dcs_unauthorized_with_string_status():
    e = err(401, {"type": "https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization",
                  "status": "401", "title": "Authorization", "report": {"message": "[id] Ims service token is empty"}})
    assert isinstance(e, E.AuthError) and e.message == "[id] Ims service token is empty"


def test_ups_errors():
    e = err(403, {"message": "UPS-ACC-1000004: IMS Org is not provisioned.", "statusCode": "403"})
    assert isinstance(e, E.ForbiddenError) and e.code == "UPS-ACC-1000004"
    e = err(422, {"message": "UPS-ACC-1000022: Too many related identities", "cause": "graph", "statusCode": "422"})
    assert isinstance(e, E.UnprocessableError) and e.report == {"cause": "graph"}
    e = err(429, [{"message": "Too many requests", "cause": "x", "retryAfterMs": "500", "statusCode": "429"}])
    assert isinstance(e, E.RateLimited) and e.retry_after == 0.5


def test_ims_error():
    e = err(401, {"error": "invalid_client", "error_description": "invalid client_secret parameter"})
    assert e.code == "invalid_client" and e.message == "invalid client_secret parameter"


def test_identity_and_catalog_errors():
    e = err(409, {"timestamp": 1, "type": "http://ns.adobe.com/adobecloud/problem/namespacevalidation",
                  "status": 409, "title": "Conflict", "error": "Namespace code already exists"})
    assert isinstance(e, E.ConflictError) and e.message == "Namespace code already exists"
    e = err(404, {"type": "http://ns.adobe.com/aep/errors/CAT-404-1", "title": "Not Found", "status": 404,
                  "detail": "Dataset not found"})
    assert isinstance(e, E.NotFoundError) and e.code == "CAT-404-1"


def test_non_json_and_server_errors():
    e = err(502, b"<html>Bad gateway</html>")
    assert isinstance(e, E.ServerError) and "Bad gateway" in e.message
    e = err(503, b"", {"retry-after": "7"})
    assert isinstance(e, E.ServiceUnavailable) and e.retry_after == 7


def test_retry_after_forms():
    assert E.parse_retry_after("3") == 3 and E.parse_retry_after("0.5") == 0.5
    assert E.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0
    assert E.parse_retry_after("soon") is None and E.parse_retry_after(None) is None


# --- redaction ----------------------------------------------------------------------------------


def test_redact_headers_and_form_and_json():
    h = redact.redact_headers({"Authorization": "Bearer abc.def.ghi", "x-api-key": "client"})
    assert h == {"authorization": f"Bearer {redact.REDACTED}", "x-api-key": "client"}
    form = redact.redact_body(b"grant_type=client_credentials&client_id=a&client_secret=CANARY123",
                              "application/x-www-form-urlencoded")
    assert "CANARY123" not in form and "client_id=a" in form
    body = redact.redact_body(b'{"access_token":"tok-XYZ1","expires_in":5,"nested":[{"password":"pw12"}]}',
                              "application/json")
    assert "tok-XYZ1" not in body and "pw12" not in body and '"expires_in":5' in body


def test_redact_text_values_urls_and_curl():
    text = redact.redact_text("failed with secret LEAKME and Bearer eyJabc.def", values=["LEAKME"])
    assert "LEAKME" not in text and "eyJabc" not in text
    url = redact.redact_url("https://ims/ims/token/v2?client_id=a&client_secret=S3CRET")
    assert "S3CRET" not in url and "client_id=a" in url
    curl = redact.curl_command("GET", "https://x/y", {"authorization": "Bearer ***", "accept": "a"}, None)
    assert "${ACCESS_TOKEN}" in curl and "'accept: a'" in curl


def test_long_body_is_truncated():
    text = redact.redact_body(b'{"a":"' + b"x" * 5000 + b'"}', "application/json", limit=100)
    assert len(text) < 200 and "truncated" in text


# --- streaming batch results (both forms) ---------------------------------------------------------


def test_batch_results_both_forms():
    responses = [{"xactionId": "1565650704337:2124:92:3"},
                 {"statusCode": 400, "message": "Message has unknown xdm format"},
                 {"xactionId": "u-2", "status": 400, "message": "The 'header' field is mandatory."},
                 {"xactionId": "u-3", "status": "503"}]
    results = parse_message_results(responses, 5)
    assert [r.ok for r in results] == [True, False, False, False, False]
    assert [r.status for r in results] == [200, 400, 400, 503, 0]
    assert results[1].message == "Message has unknown xdm format" and results[2].xaction_id == "u-2"
    assert "no per-message answer" in results[4].message


# --- redaction fast path (texts without a secret-like word skip the patterns) ----------------------

_CLEAN = '{"header":{"schemaRef":{"id":"https://ns.adobe.com/t/schemas/1"},"datasetId":"d1"},' \
         '"body":{"xdmEntity":{"person":{"name":{"firstName":"Zoë"}}}}}'


def _slow_redact_text(text: str) -> str:
    """What ``redact_text`` did before the fast path: every pattern, always."""
    text = redact._BEARER.sub(lambda m: f"{m.group(1)} {redact.REDACTED}", text)
    text = redact._KV.sub(lambda m: m.group(1) + redact.REDACTED, text)
    return redact._JWT.sub(redact.REDACTED, text)


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJlLWNhbmFyeQ"
SECRET_SHAPES = [
    "Authorization: Bearer CANARYtok123", "authorization: BEARER CANARYtok123", f"token {JWT}", f"x={JWT}",
    "client_secret=CANARY123&x=1", "CLIENT_SECRET = CANARY123", '"access_token": "CANARY123"',
    "refresh_token=CANARY123", "id_token:CANARY123", "Password=CANARY123", "jwt_token=CANARY123",
    '"private_key":"CANARY123"', "client_\u017fecret=CANARY123", "acce\u017fs_to\u212aen=CANARY123",  # (?i) folds ſ, K
    "PASSWORD=CANARY123",
]


@pytest.mark.parametrize("shape", SECRET_SHAPES)
def test_fast_path_still_redacts_each_secret_shape(shape):
    big = _CLEAN * 2000  # a streaming-batch sized text: the shape is the only secret-like word in it
    for text in (shape, big + " " + shape, shape + " " + big, big[:70_000] + shape + big[:70_000]):
        out = redact.redact_text(text)
        assert "CANARY" not in out and "c2lnbmF0dXJl" not in out, shape
        assert out == _slow_redact_text(text)
    body = redact.redact_body((big + " " + shape).encode(), "text/plain", limit=len(big) + 1000)
    assert "CANARY" not in body and "c2lnbmF0dXJl" not in body


def test_fast_path_skips_clean_text_and_matches_the_slow_path():
    big = _CLEAN * 2000
    assert not redact.may_hold_secret(big) and redact.redact_text(big) is big
    assert redact.redact_text(big, values=["schemas/1"]).count(redact.REDACTED) == 2000  # literals always go
    samples = [_CLEAN, "Bearer", "bearer x", "eyJ", "tokenizer", "TOKEN: abc", "secretary", "passwords=1",
               "x" * 100 + "Bearer abc.def" + "y" * 100, f"{JWT}", "jwt=abc", "privately", "\u017fecret=1",
               "\u0130d_token=2", "to\u212aen=3"]
    for text in samples:
        assert redact.redact_text(text) == _slow_redact_text(text), text


@pytest.mark.parametrize("key", [*sorted(redact.SENSITIVE_KEYS), "Client-Secret", "X_API_SECRET", "refresh-Token",
                                 "userPassword", "to\u212aen", "\u0130d_token", "\\u0074oken", "\\u0053ecret"])
def test_fast_path_still_redacts_sensitive_json_keys(key):
    doc = b'{"messages":[' + b",".join([_CLEAN.encode()] * 200) + b'],"nested":{"' + key.encode() \
        + b'":"CANARY123"}}'
    out = redact.redact_body(doc, "application/json")
    assert "CANARY123" not in out and redact.REDACTED in out
    clean = b'{"messages":[' + b",".join([_CLEAN.encode()] * 200) + b"]}"
    assert redact.redact_body(clean, "application/json") == clean.decode()  # untouched, not re-encoded


def test_the_ascii_folds_of_the_fast_path_are_complete():
    """``(?i)`` and ``str.lower`` map only these non-ASCII characters onto ASCII letters: the fast path
    must map them too, or a secret spelt with one of them would slip through."""
    import re
    import string
    import sys

    every = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    folds = set()
    for letter in string.ascii_lowercase:
        folds |= set(re.findall(f"(?i){letter}", every))
    folds |= {c for c in every if any(ch in string.ascii_letters for ch in c.lower())}
    assert {chr(k) for k in redact._ASCII_FOLDS} == folds
