import pytest
import yaml

pytestmark = pytest.mark.django_db

OPERATIONS = {
    ("/open311/v2/discovery.{fmt}", "get"): set(),
    ("/open311/v2/services.{fmt}", "get"): {"jurisdiction_id"},
    ("/open311/v2/services/{service_code}.{fmt}", "get"): {"service_code", "jurisdiction_id"},
    ("/open311/v2/requests.{fmt}", "get"): {
        "service_request_id",
        "service_code",
        "status",
        "start_date",
        "end_date",
        "page",
        "page_size",
        "updated_after",
        "updated_before",
        "extensions",
        "after",
        "jurisdiction_id",
    },
    ("/open311/v2/requests.{fmt}", "post"): {"api_key", "jurisdiction_id", "Idempotency-Key"},
    ("/open311/v2/requests/{service_request_id}.{fmt}", "get"): {"service_request_id", "jurisdiction_id"},
    ("/open311/v2/tokens/{token}.{fmt}", "get"): {"token", "jurisdiction_id"},
    ("/open311/v2/servicerequestupdates.{fmt}", "get"): {"start_date", "end_date", "jurisdiction_id"},
    ("/open311/v2/servicerequestupdates.{fmt}", "post"): {"api_key", "jurisdiction_id"},
}


def test_every_open311_operation_and_parameter_is_in_the_openapi_document(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    for (path, method), names in OPERATIONS.items():
        operation = schema["paths"][path][method]
        params = {p["name"]: p for p in operation.get("parameters", [])}
        assert names | {"fmt"} <= set(params), (path, method)
        assert params["fmt"]["schema"]["enum"] == ["json", "xml"]
        assert "format" not in params
        ok = operation["responses"]["200"]["content"]
        assert set(ok) == {"application/json", "text/xml"}, path
        assert "404" in operation["responses"] or method == "post" or path.endswith("discovery.{fmt}")


def test_the_write_operations_document_their_form_fields_and_key_errors(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    create = schema["paths"]["/open311/v2/requests.{fmt}"]["post"]
    assert set(create["requestBody"]["content"]) == {"application/x-www-form-urlencoded", "multipart/form-data"}
    fields = schema["components"]["schemas"]["RequestIn"]["properties"]
    assert {
        "api_key",
        "service_code",
        "lat",
        "long",
        "address_string",
        "media_url",
        "media",
        "email_alerts_requested",
        "contact_purposes",
    } <= set(fields)
    assert {"400", "403", "404", "429"} <= set(create["responses"])
    request_out = schema["components"]["schemas"]["RequestOut"]["properties"]
    assert {"service_request_id", "requested_datetime", "lat", "long", "media_url", "notes"} <= set(request_out)


def test_the_interactive_api_page_loads_its_assets_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in page and "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower() and "https://" not in page
