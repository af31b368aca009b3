"""The build refuses what the architecture forbids: tools/private_names.py, the custom
import-linter contract (make lint runs all the contracts in .ci/run before the tests)."""

import textwrap
from pathlib import Path

from tools.private_names import violations

ROOT = Path(__file__).resolve().parents[1]


def check(tmp_path, module: str, source: str) -> list[str]:
    path = tmp_path / "mod.py"
    path.write_text(textwrap.dedent(source), "utf-8")
    return violations(module, path, "kefu", 2)


def test_a_private_name_of_another_app_is_refused(tmp_path):
    found = check(tmp_path, "kefu.sla.views", "from kefu.web.desk_views import _act, queue\n")
    assert found == ["kefu.sla.views:1 imports kefu.web.desk_views._act"]


def test_a_private_name_reached_through_a_module_is_refused(tmp_path):
    source = """
        from kefu.tickets import services
        import kefu.web.desk_views as desk

        def f():
            return services._require, desk._ticket_context, services.assign
    """
    assert check(tmp_path, "kefu.quality.views", source) == [
        "kefu.quality.views:6 uses kefu.tickets.services._require",
        "kefu.quality.views:6 uses kefu.web.desk_views._ticket_context",
    ]


def test_own_private_names_public_names_and_dunders_pass(tmp_path):
    source = """
        from . import _helpers
        from .services import _event
        from kefu.sla.selectors import _cache
        from kefu.tickets.timeline import record_event
        from kefu.tickets import __doc__
    """
    assert check(tmp_path, "kefu.sla.services", source) == []


def test_the_contracts_are_configured_for_every_app():
    config = (ROOT / ".importlinter").read_text("utf-8")
    for app in ("org", "catalog", "customers", "tickets", "sla", "aftersales", "quality"):
        assert f"kefu.{app}" in config
    assert "type = private_names" in config and "type = acyclic_siblings" in config
    assert "lint-imports" in (ROOT / "Makefile").read_text("utf-8")
    assert "make lint" in (ROOT / ".ci" / "run").read_text("utf-8")


def test_the_layer_diagram_numbers_each_layer_once():
    import re

    text = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    diagram = text.split("## Layers", 1)[1].split("```")[1]
    boxes = re.findall(r"^\| (\d+½?)\s+(.+?)\s*\|$", diagram, re.M)
    numbers = [n for n, _ in boxes]
    assert numbers == [str(i) for i in range(1, len(numbers) + 1)], numbers
    contents = [c for _, c in boxes]
    assert len(set(contents)) == len(contents), "a layer box is repeated"
