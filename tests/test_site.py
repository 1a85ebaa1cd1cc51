"""The whole path: records -> `kb build` (mkdocs --strict) -> HTML pages."""
import html
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from helpers import FIXTURES, ROOT, read


def kb(*args, env=None, **kwargs):
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=ROOT, env=environment,
                          capture_output=True, text=True, **kwargs)


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory):
    site = tmp_path_factory.mktemp("site") / "site"
    completed = kb("build", "--signatures", str(FIXTURES / "valid"), "--site-dir", str(site))
    assert completed.returncode == 0, completed.stderr
    return site


def test_record_page_has_sections_structured_data_and_edit_link(fixture_site):
    page = read(fixture_site, "errors/demo-tool-widget-timeout/index.html")
    headings = [html.unescape(h) for h in re.findall(r'<h2 id="[^"]*">([^<]+)', page)]
    assert headings == ["What this error means", "Common causes", "How to fix it", "Checks by platform",
                        "How to prevent it", "FAQ", "Sources", "Related errors"]
    head = page.split("</head>")[0]
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', head, re.S)
    assert [item["@type"] for item in json.loads(scripts[0])] == ["TechArticle", "FAQPage", "BreadcrumbList"]
    assert '<meta name="description" content="The demo tool asked a widget' in head
    # The wording's source, as a link under its signature block, and a facts table with a real header.
    assert '<p class="kb-seen" data-pagefind-ignore="all">Wording from <a href="https://example.org/issues/1">' in page
    assert re.search(r"<thead>\s*<tr>\s*<th><span data-pagefind-ignore=\"all\">Fact</span></th>\s*<th><span data-pagefind-ignore=\"all\">Details</span></th>", page)
    edit = "https://github.com/error-atlas/error-atlas/edit/main/signatures/demo-tool/demo-tool-widget-timeout.yaml"
    assert f'href="{edit}"' in page
    assert "md-clipboard" in page or "content.code.copy" in page  # copy buttons on code blocks


def test_record_urls_do_not_depend_on_the_folder(tmp_path):
    records = tmp_path / "signatures"
    (records / "elsewhere").mkdir(parents=True)
    for path in (FIXTURES / "valid" / "demo-tool").glob("*.yaml"):
        (records / "elsewhere" / path.name).write_text(path.read_text())
    site = tmp_path / "site"
    assert kb("build", "--signatures", str(records), "--site-dir", str(site)).returncode == 0
    assert (site / "errors" / "demo-tool-widget-timeout" / "index.html").exists()


def test_home_page_browses_by_category_and_tool(fixture_site):
    page = read(fixture_site, "index.html")
    assert 'href="categories/test-fixtures/"' in page
    assert 'href="tools/demo-tool/"' in page
    assert 'id="home-paste"' in page and "lookup/" in page


def test_navigation_stays_small(fixture_site):
    """Record pages are not in the nav, so no page carries the list of every record."""
    page = read(fixture_site, "about/index.html")
    assert "errors/demo-tool-widget-timeout" not in page


def test_invalid_record_fails_the_build_and_keeps_the_previous_site(tmp_path, valid_records):
    site = tmp_path / "site"
    assert kb("build", "--signatures", str(valid_records), "--site-dir", str(site)).returncode == 0
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    broken = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    broken.write_text(broken.read_text().replace("causes:", "casues:"))
    completed = kb("build", "--signatures", str(valid_records), "--site-dir", str(site))
    assert completed.returncode == 1
    assert "unknown field 'casues' (did you mean 'causes'?)" in completed.stderr
    assert "Traceback" not in completed.stderr
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert not list(tmp_path.glob(".site-*"))  # no half-built staging folder left behind


def test_plain_mkdocs_build_also_refuses_invalid_records(tmp_path, valid_records):
    broken = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    broken.write_text(broken.read_text().replace("updated: 2026-02-03", "updated: 2026-02-30"))
    site = tmp_path / "site"
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)], cwd=ROOT,
        env=dict(os.environ, KB_SIGNATURES=str(valid_records), NO_MKDOCS_2_WARNING="1"),
        capture_output=True, text=True)
    assert completed.returncode != 0
    assert "EA013 '2026-02-30' is not a date" in completed.stderr + completed.stdout
    assert not site.exists()


def test_the_real_knowledge_base_builds_strictly(tmp_path):
    completed = kb("build", "--site-dir", str(tmp_path / "site"))
    assert completed.returncode == 0, completed.stderr
    assert list((tmp_path / "site" / "errors").iterdir())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_mkdocs_serve_rerenders_a_page_when_its_yaml_changes(valid_records):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=ROOT, env=dict(os.environ, KB_SIGNATURES=str(valid_records), NO_MKDOCS_2_WARNING="1"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/error-atlas/errors/demo-tool-widget-refused/"
    try:
        page = _poll(url, lambda text: "The widget is not listening." in text)
        assert page
        record = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
        record.write_text(record.read_text().replace("The widget is not listening.", "Nobody is listening now."))
        assert _poll(url, lambda text: "Nobody is listening now." in text)
    finally:
        server.terminate()
        server.wait(timeout=10)


def _poll(url, condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            text = _fetch(url)
            if condition(text):
                return text
        except OSError:
            pass
        time.sleep(0.5)
    return None


def test_the_build_writes_the_lookup_index(fixture_site):
    index = json.loads(read(fixture_site, "lookup-index.json"))
    assert (index["format"], index["version"]) == ("error-atlas-lookup-index", 1)
    assert [r["id"] for r in index["records"]] == ["demo-tool-widget-refused", "demo-tool-widget-timeout"]


def test_paged_listings_build_strictly_with_working_links(tmp_path):
    """120 records of one tool: the pager's links must resolve (mkdocs --strict checks them)."""
    folder = tmp_path / "signatures" / "big-tool"
    folder.mkdir(parents=True)
    template = (FIXTURES / "valid" / "demo-tool" / "demo-tool-widget-refused.yaml").read_text()
    template = template.replace("related: [demo-tool-widget-timeout]\n", "").replace("Demo Tool", "Big Tool")
    for n in range(120):
        text = template.replace("widget {widget} refused", f"gadget{n} {{widget}} refused")
        text = text.replace("widget 'alpha' refused", f"gadget{n} 'alpha' refused")
        (folder / f"big-{n:03d}.yaml").write_text(text)
    site = tmp_path / "site"
    done = kb("build", "--signatures", str(tmp_path / "signatures"), "--site-dir", str(site))
    assert done.returncode == 0, done.stderr
    assert (site / "tools" / "big-tool" / "page-3" / "index.html").exists()
