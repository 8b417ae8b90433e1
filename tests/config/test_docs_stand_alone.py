"""The project's docs stand alone: a clone has no ../shared/, so every citation of the field's rules
points to docs/domain.md, and the sections and anchors cited exist; the README tells a new user
where the portal is, how to move the demo server, and how long the first run takes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = ROOT / "docs" / "domain.md"


def texts():
    for folder in ("docs", "src", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".md", ".py", ".json", ".html") and "egg-info" not in str(path):
                yield path, path.read_text(encoding="utf-8")
    yield ROOT / "README.md", (ROOT / "README.md").read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Section number → GitHub anchor of each `## n. Title` of docs/domain.md."""
    found = {}
    for title in re.findall(r"^## (.+)$", DOMAIN.read_text(encoding="utf-8"), re.M):
        number = title.split(".", 1)[0]
        anchor = re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")
        found[number] = anchor
    return found


def test_nothing_cites_the_reference_outside_the_project():
    this = Path(__file__)
    for path, text in texts():
        if path == this:
            continue
        assert "shared/domain.md" not in text, path
        # Every "domain.md §n" is the project's page.
        for match in re.finditer(r"(\S*)domain\.md §", text):
            assert match.group(1).endswith(("docs/", "[")), (path, match.group(0))


def test_every_cited_section_and_anchor_exists():
    known = sections()
    assert {"2", "4", "5", "6", "7", "8", "9", "10"} <= set(known)
    for path, text in texts():
        for number in re.findall(r"domain\.md §(\d+)", text):
            assert number in known, (path, number)
        for anchor in re.findall(r"\(domain\.md#([^)]+)\)", text):
            assert anchor in known.values(), (path, anchor)


def test_the_readme_gives_a_new_user_the_addresses_the_variables_and_the_first_run_time():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "http://127.0.0.1:8000/cong-dich-vu/" in readme
    assert "`HOST`" in readme and "`PORT`" in readme
    assert re.search(r"measured at \*\*\d+ min \d+ s\*\*", readme)
    assert "[docs/domain.md](docs/domain.md)" in readme
