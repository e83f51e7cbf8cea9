"""New plans in, in real Chromium: an editor uploads a PDF, previews its outline and saves it; a
reviewer approves it; its passages appear on a place page with page citations; an unknown name
becomes a new place drawn on the map; once approved, an earlier plan's mentions of it appear.
The .docx, .html and GBK text go through the same page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_check import axe_violations
from browser_fixtures import Server, browser, guard_page, start_server  # noqa: F401
from db_fixtures import PASSWORDS, new_database_url
from plan_documents import (
    DOCX_TITLE,
    GBK_TITLE,
    HTML_TITLE,
    PDF_TITLE,
    UNKNOWN_ROAD,
    write_all,
)

from webmap.cli import main

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT = 60  # seconds for every server to serve a change (a rebuild under load)
# Predicates are given as functions: the pages' CSP allows no string evaluation ('unsafe-eval').


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    return write_all(tmp_path)


@pytest.fixture()
def site(request, tmp_path, base_store) -> Iterator[tuple[Server, str]]:
    url = new_database_url(request, "sqlite", tmp_path)
    srv, server, thread = start_server({"STORE": base_store, "DATABASE_URL": url,
                                        "SECRET_KEY": "browser-test", "CHANGE_CHECK_SECONDS": 1})
    yield srv, url
    server.shutdown()
    thread.join(timeout=5)
    srv.app.extensions["planmap.store"].close()  # type: ignore[attr-defined]


def signed_in(browser, server: Server, name: str):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.guard = guard_page(page)
    page.goto(f"{server.url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORDS[name])
    page.click("button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    return page


def until(check: Callable[[], bool], what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < WAIT:
        if check():
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"not within {WAIT} s: {what}")


def upload(page, server: Server, path: Path) -> str:
    """Pick the file, wait for the preview, save; the new plan's id."""
    page.goto(f"{server.url}/plans/upload")
    page.set_input_files("#pm-file", str(path))
    page.wait_for_selector("#pm-preview:not([hidden])", timeout=WAIT * 1000)
    page.click("#pm-save")
    page.wait_for_function(
        "() => document.querySelector('#pm-result').textContent.includes('haidian-')",
        timeout=WAIT * 1000)
    text = page.inner_text("#pm-result")
    return next(word.strip("，,.; ") for word in text.replace("，", " ").split()
                if word.startswith("haidian-"))


def approve(page, server: Server, plan_id: str) -> None:
    page.goto(f"{server.url}/plans/uploads")
    row = page.locator(f"tr[data-plan='{plan_id}']")
    row.locator("button[data-action=approve]").click()
    page.wait_for_selector(f"tr[data-plan='{plan_id}'][data-status=approved]")


def test_upload_review_and_a_new_place_found_in_earlier_plans(browser, site, files) -> None:  # noqa: F811
    server, db_url = site
    # an earlier plan (2022) naming the road, added at the command line
    assert main(["plans", "add", str(files["text"]), "--database", db_url]) == 0
    editor = signed_in(browser, server, "editor")
    editor.goto(f"{server.url}/plans/upload")
    editor.set_input_files("#pm-file", str(files["pdf"]))
    editor.wait_for_selector("#pm-preview:not([hidden])", timeout=WAIT * 1000)
    # the form holds what was read from the file, the preview the outline and citations
    assert editor.input_value("#pm-f-title") == PDF_TITLE
    assert editor.input_value("#pm-f-date") == "2025-03-18"
    assert editor.input_value("#pm-f-issuer") == "北京市海淀区人民政府"
    outline = editor.inner_text("#pm-outline")
    for heading in ("总体要求", "规划范围", "空间布局", "交通组织"):
        assert heading in outline
    assert "第2页" in editor.inner_text("#pm-citations") or "第1页" in editor.inner_text(
        "#pm-citations")
    assert UNKNOWN_ROAD in editor.inner_text("#pm-unknown")
    assert axe_violations(editor) == [], "the upload page with its preview"
    editor.fill("#pm-f-title_en", "Northern green heart plan")
    editor.click("#pm-save")
    editor.wait_for_function(
        "() => document.querySelector('#pm-result').textContent.includes('haidian-2025-')",
        timeout=WAIT * 1000)
    plan_id = next(w for w in editor.inner_text("#pm-result").replace("，", " ").split()
                   if w.startswith("haidian-2025-")).strip(",")

    reviewer = signed_in(browser, server, "reviewer")
    approve(reviewer, server, plan_id)

    def passage_shown() -> bool:
        reviewer.goto(f"{server.url}/places/beiqinglu")
        return f"《{PDF_TITLE}》空间布局 交通组织 (第2页)" in reviewer.content()

    seconds = until(passage_shown, "the new plan's passage on the place page")
    print(f"new plan on the place page {seconds:.1f} s after approval")

    # the unknown name becomes a new place, drawn on the map
    editor.goto(f"{server.url}/plans/{plan_id}/names")
    item = editor.locator(f".pm-name[data-name='{UNKNOWN_ROAD}']")
    assert item.count() == 1
    assert axe_violations(editor) == [], "the names review page"
    item.locator("summary").click()
    item.locator(".pm-kind").select_option("road")
    drawing = item.locator(".pm-draw-map")
    drawing.wait_for()
    editor.wait_for_timeout(300)
    drawing.click(position={"x": 120, "y": 140})
    drawing.click(position={"x": 220, "y": 120})
    item.locator("button[data-action=new-place]").click()
    item.locator(".pm-pending li").wait_for(timeout=WAIT * 1000)

    # a reviewer approves it on the same page
    reviewer.goto(f"{server.url}/plans/{plan_id}/names")
    reviewer.locator(f".pm-name[data-name='{UNKNOWN_ROAD}'] "
                     "button[data-action=approve-revision]").click()
    reviewer.wait_for_function(
        "() => document.querySelector('#pm-result').textContent.length > 0")

    def earlier_mention_shown() -> bool:
        response = reviewer.goto(f"{server.url}/places/jinxiuhulu")
        return response is not None and response.status == 200 and \
            f"《{GBK_TITLE}》" in reviewer.content()

    until(earlier_mention_shown, "the earlier plan's mention of the new place")
    page = reviewer.content()
    assert f"《{PDF_TITLE}》" in page, "the new plan names it too"
    assert page.index(f"《{GBK_TITLE}》") < page.index(f"《{PDF_TITLE}》"), "time order"
    for p in (editor, reviewer):
        assert not p.guard.off_host and not p.guard.page_errors, p.guard.problems()


def test_docx_html_and_gbk_through_the_upload_page(browser, site, files) -> None:  # noqa: F811
    server, _ = site
    admin = signed_in(browser, server, "admin")
    ids = {kind: upload(admin, server, files[kind]) for kind in ("docx", "html", "text")}
    for plan_id in ids.values():
        approve(admin, server, plan_id)  # an admin may approve their own
    assert axe_violations(admin) == [], "the documents-added page"

    def listed() -> bool:
        admin.goto(f"{server.url}/plans")
        content = admin.content()
        return all(plan_id in content for plan_id in ids.values())

    until(listed, "the three plans in the plan list")
    expected = {  # a heading of each outline, a known place it names, that place's page
        "docx": (DOCX_TITLE, "第二章 重点任务", "温泉镇", "wenquanzhen"),
        "html": (HTML_TITLE, "二、主要任务", "中关村大街", "zhongguancundajie"),
        "text": (GBK_TITLE, "第二节 规划目标", "北清路", "beiqinglu"),
    }
    for kind, (title, heading, place, place_id) in expected.items():
        admin.goto(f"{server.url}/plans/{ids[kind]}")
        assert admin.inner_text(".pm-plan-title") == title
        admin.click(".pm-outline summary")  # the outline is folded until asked for
        assert heading in admin.inner_text(".pm-outline"), kind
        assert place in admin.inner_text(".pm-named"), kind
        assert admin.locator(f".pm-plan-text a.pm-mention[data-place='{place_id}']").count() >= 1
        admin.goto(f"{server.url}/places/{place_id}")
        assert f"《{title}》" in admin.content(), f"{kind}: citation on the place page"
    admin.goto(f"{server.url}/plans/{ids['docx']}")
    assert "完善交通网络" in admin.text_content(".pm-outline")
    admin.goto(f"{server.url}/plans/{ids['html']}")
    assert "版权所有" not in admin.content() and "无障碍浏览" not in admin.content()
    admin.goto(f"{server.url}/layers/plan-{ids['text']}")
    assert admin.locator("a[download]").count() >= 6
    refused = admin.goto(f"{server.url}/plans/upload")
    assert refused is not None
    admin.set_input_files("#pm-file", str(files["scan"]))
    admin.wait_for_function(
        "() => document.querySelector('#pm-reading').textContent.includes('OCR')")
    assert "no text layer: run OCR first" in admin.inner_text("#pm-reading")
    refusals = [e for e in admin.guard.http_errors if "/api/plans/uploads/preview" in e]
    assert refusals and all(e.startswith("4") for e in refusals), admin.guard.http_errors
    assert not admin.guard.off_host and not admin.guard.page_errors, admin.guard.problems()
