import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_generates_and_validates(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")

    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/me/" in schema["paths"]

    # The token endpoint: hashed, expiring, per-device tokens; 429 when locked out.
    paths = schema["paths"]
    token = paths["/api/v1/auth/token/"]["post"]
    assert token["security"] == [{}]
    assert "429" in token["responses"]
    output = schema["components"]["schemas"]["TokenOutput"]
    assert set(output["required"]) == {"token", "expiry", "device"}
    device = schema["components"]["schemas"]["DeviceOutput"]["properties"]
    assert {"id", "name", "created", "last_used_at", "expiry", "current"} <= set(device)
    assert {"device", "code"} <= set(
        schema["components"]["schemas"]["TokenInputRequest"]["properties"]
    )
    assert set(paths["/api/v1/auth/devices/"]) >= {"get"}
    assert set(paths["/api/v1/auth/devices/{id}/"]) >= {"delete"}
    assert "post" in paths["/api/v1/auth/sign-out-everywhere/"]
    assert "post" in paths["/api/v1/me/password/"]
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "http" or scheme.get("in") == "header"
    assert {"tokenAuth": []} in paths["/api/v1/auth/devices/"]["get"]["security"]


@pytest.mark.django_db
def test_api_docs_page(client):
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
