"""The API docs page works without internet: every asset it loads is served by this server."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_docs_page_loads_only_local_assets_and_they_are_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    for asset in assets:
        assert asset.startswith("/") and not asset.startswith("//"), asset  # no CDN, no other host
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])


def test_swagger_ui_licence_is_served_next_to_the_bundle(client):
    # The bundle's first line points to this file; Apache-2.0 asks the licence and notice be kept.
    for name in (
        "swagger-ui-bundle.js.LICENSE.txt",
        "swagger-ui-LICENSE.txt",
        "swagger-ui-NOTICE.txt",
    ):
        response = client.get(f"/static/ninja/{name}")
        assert response.status_code == 200, name
    bundle = b"".join(client.get("/static/ninja/swagger-ui-bundle.js").streaming_content)
    assert b"swagger-ui-bundle.js.LICENSE.txt" in bundle[:200]
