"""/api/v1/docs works offline: Swagger UI from our own static files, nothing from a CDN."""

from django.contrib.staticfiles import finders


def test_the_api_docs_use_the_vendored_swagger_ui(client, db):
    html = client.get("/api/v1/docs").content.decode()
    assert "cdn.jsdelivr" not in html and "django-ninja.dev" not in html
    for name in ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js"):
        assert f"/static/ninja/{name}" in html
        assert finders.find(f"ninja/{name}"), name
