"""Browser tests of the web console, in real headless Chromium (Debian's, driven by
Playwright for Python), with axe-core checking accessibility.

Run by `ConsoleBrowserTests` (Tests/KheoAPITests), which starts `kheo serve` on a
seeded database and passes, in the environment:
  KHEO_BASE        http://127.0.0.1:PORT
  KHEO_FIXTURE     JSON: tokens and the ids of the seeded records
  KHEO_SCREENSHOTS where to save a PNG of each page (the CI artifacts)
Exits non-zero, naming the step, on the first failure; prints one line per step.
"""
import json
import os
import re
import sys
import time

from playwright.sync_api import sync_playwright, expect
from axe_playwright_python.sync_playwright import Axe

BASE = os.environ["KHEO_BASE"]
FIXTURE = json.loads(os.environ["KHEO_FIXTURE"])
SHOTS = os.environ.get("KHEO_SCREENSHOTS", ".build/console-screenshots")
CHROMIUM = os.environ.get("KHEO_CHROMIUM", "/usr/bin/chromium")
os.makedirs(SHOTS, exist_ok=True)
axe = Axe()
accessibility = []


def step(name):
    print(f"browser: {name}", flush=True)


def shot(page, name):
    page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def check_accessibility(page, name):
    """axe-core on the page as it stands: no serious or critical violation."""
    results = axe.run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    accessibility.append((name, len(results.response["violations"]), len(bad)))
    assert not bad, f"{name}: axe found " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )


def nav(page, name):
    """Follows a link of the navigation bar."""
    page.get_by_role("navigation", name="Chức năng").get_by_role("link", name=name, exact=True).click()


def sign_in(context, token, where=None):
    page = context.new_page()
    page.goto(f"{BASE}/console/sign-in" + (f"?next={where}" if where else ""))
    page.get_by_label("Mã truy cập (token)").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    expect(page.locator("header .who")).to_contain_text("Quyền")
    return page


def main():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])

        step("sign in as a commune editor and register a model")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
        page = sign_in(context, FIXTURE["communeEditor"])
        expect(page.locator("header .who")).to_contain_text("biên tập")
        expect(page.locator("header .who")).to_contain_text("Xã Mỹ Cẩm")
        check_accessibility(page, "unit")
        shot(page, "01-unit")
        nav(page, "Mô hình")
        page.get_by_role("link", name="Đăng ký mô hình").click()
        expect(page.locator("table")).to_contain_text("Thời hạn đăng ký")
        check_accessibility(page, "model-form")
        shot(page, "02-model-form")
        title = "Mô hình “Dân vận khéo” thử nghiệm trên trình duyệt"
        page.get_by_label("Lĩnh vực", exact=True).select_option("culture_society")
        page.get_by_label("Chủ thể", exact=True).select_option("collective")
        page.get_by_label("Tên tập thể hoặc cá nhân").fill("Chi đoàn Thanh niên ấp Mỹ Cẩm B")
        page.get_by_label("Tên mô hình", exact=True).fill(title)
        with page.expect_navigation():
            page.get_by_role("button", name="Đăng ký").click()
        expect(page.get_by_role("status")).to_contain_text("Đã đăng ký mô hình")
        expect(page.locator("h1")).to_have_text(title)
        evidence = os.path.join(SHOTS, "bien-ban-hop.pdf")
        with open(evidence, "wb") as file:
            file.write(b"%PDF-1.4\n% bien ban hop chi hoi\n")
        page.get_by_label("Tệp minh chứng", exact=False).set_input_files(evidence)
        with page.expect_navigation():
            page.get_by_role("button", name="Đính kèm").click()
        expect(page.get_by_role("status")).to_contain_text("Đã đính kèm")
        expect(page.get_by_role("link", name="bien-ban-hop.pdf")).to_be_visible()
        check_accessibility(page, "model")
        shot(page, "03-model")
        nav(page, "Mô hình")
        expect(page.locator("table")).to_contain_text(title)
        check_accessibility(page, "models")
        shot(page, "04-models")
        # The inbox, on a phone.
        page.set_viewport_size({"width": 390, "height": 844})
        nav(page, "Hộp thư")
        expect(page.locator("main")).to_contain_text("chưa đọc")
        check_accessibility(page, "inbox-phone")
        shot(page, "05-inbox-phone")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, f"the inbox is {width}px wide on a 390px phone"
        context.close()

        step("sign in as a district viewer: the commune's model, and no form to change it")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = sign_in(context, FIXTURE["districtViewer"])
        page.goto(f"{BASE}/console/models?unit={FIXTURE['district']}")
        expect(page.locator("table")).to_contain_text(title)
        expect(page.get_by_role("link", name="Đăng ký mô hình")).to_have_count(0)
        page.get_by_role("link", name=title).click()
        expect(page.locator("h1")).to_have_text(title)
        assert page.locator("form[action$='/transition']").count() == 0, "a viewer sees the transition form"
        assert page.locator("form[action$='/evidence']").count() == 0, "a viewer sees the evidence form"
        shot(page, "06-model-as-viewer")

        step("the inspection calendar of a scheduled plan")
        page.goto(f"{BASE}/console/inspections/{FIXTURE['plan']}")
        expect(page.locator(".calendar .day").first).to_be_visible()
        expect(page.locator(".calendar")).to_contain_text("Sáng")
        expect(page.locator(".calendar")).to_contain_text("Trưởng đoàn: Nguyễn Văn Bình")
        check_accessibility(page, "inspection-calendar")
        shot(page, "07-inspection-calendar")

        step("deadlines and statistics of the subtree")
        page.goto(f"{BASE}/console/deadlines?unit={FIXTURE['district']}")
        expect(page.locator("table")).to_contain_text("Báo cáo sơ kết 6 tháng")
        check_accessibility(page, "deadlines")
        shot(page, "08-deadlines")
        page.goto(f"{BASE}/console/statistics?unit={FIXTURE['district']}")
        expect(page.locator("svg.chart")).to_be_visible()
        check_accessibility(page, "statistics")
        shot(page, "09-statistics")

        step("download a report")
        page.goto(f"{BASE}/console/reports?unit={FIXTURE['district']}")
        check_accessibility(page, "reports")
        shot(page, "10-reports")
        with page.expect_download() as download:
            page.get_by_role("link", name="CSV").first.click()
        path = download.value.path()
        text = open(path, encoding="utf-8").read()
        assert len(text) > 20 and "," in text or ";" in text, f"the downloaded CSV is {text[:200]!r}"
        context.close()

        step("as the commune's admin: write a draft's parts, issue it, download the .docx")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN", accept_downloads=True)
        page = sign_in(context, FIXTURE["communeAdmin"])
        page.on("dialog", lambda dialog: dialog.accept())
        nav(page, "Văn bản")
        expect(page.locator("table")).to_contain_text("Dự thảo")
        check_accessibility(page, "documents")
        shot(page, "10b-documents")
        page.goto(f"{BASE}/console/documents/{FIXTURE['document']}")
        page.get_by_label("Đề xuất, kiến nghị", exact=True).fill("Đề nghị mở lớp tập huấn cho cán bộ ấp.")
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu dự thảo").click()
        expect(page.get_by_role("status")).to_contain_text("Đã lưu dự thảo")
        check_accessibility(page, "document-draft")
        shot(page, "10c-document-draft")
        page.get_by_label("Tôi đã đọc lại dự thảo và đồng ý ban hành").check()
        with page.expect_navigation():
            page.get_by_role("button", name="Ban hành").click()
        expect(page.get_by_role("status")).to_contain_text("Đã ban hành")
        expect(page.locator("dl.facts")).to_contain_text("1-BC/ĐU")
        assert page.locator("form[action$='/edit']").count() == 0, "an issued document still offers the edit form"
        check_accessibility(page, "document-issued")
        shot(page, "10d-document-issued")
        with page.expect_download() as download:
            page.get_by_role("link", name="Word").first.click()
        data = open(download.value.path(), "rb").read()
        assert data[:2] == b"PK" and b"word/document.xml" in data, "the download is not a .docx"
        context.close()

        step("as an operator: pause and resume a queue")
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = sign_in(context, FIXTURE["operator"])
        page.on("dialog", lambda dialog: dialog.accept())
        nav(page, "Hàng đợi")
        check_accessibility(page, "queues")
        shot(page, "11-queues")
        row = page.locator("tr", has=page.locator("th", has_text=re.compile(r"^danvan$")))
        row.get_by_role("link", name="Tạm dừng…").click()
        expect(page.locator("h1")).to_contain_text("Tạm dừng hàng đợi danvan")
        shot(page, "12-pause-confirm")
        with page.expect_navigation():
            page.get_by_role("button", name="Tạm dừng").click()
        expect(page.get_by_role("status")).to_contain_text("Đã tạm dừng")
        expect(row).to_contain_text("tạm dừng từ")
        row.get_by_role("link", name="Cho chạy lại…").click()
        with page.expect_navigation():
            page.get_by_role("button", name="Cho chạy lại").click()
        expect(row).to_contain_text("đang chạy")

        step("as an operator: retry a discarded job")
        page.goto(f"{BASE}/console/ops/jobs?state=discarded")
        check_accessibility(page, "jobs")
        shot(page, "13-jobs")
        page.get_by_role("link", name=str(FIXTURE["discardedJob"]), exact=True).click()
        expect(page.locator("main")).to_contain_text("kheo.fail fails its first 5 attempts")
        check_accessibility(page, "job")
        shot(page, "14-job")
        with page.expect_navigation():
            page.get_by_role("button", name="Chạy lại").click()
        expect(page.get_by_role("status")).to_contain_text("chạy lại")
        expect(page.locator("dl.facts")).to_contain_text("available")

        step("as an operator: a chart of throughput after the test's jobs ran")
        page.goto(f"{BASE}/console/ops")
        deadline = time.time() + 20
        while True:
            done = int(page.locator(".card .value").nth(2).inner_text().replace(".", ""))
            if done >= FIXTURE["completedJobs"] or time.time() > deadline:
                break
            time.sleep(1)
            page.reload()
        assert done >= FIXTURE["completedJobs"], f"the overview shows {done} jobs done in the hour, not {FIXTURE['completedJobs']}"
        heights = page.locator("svg.chart").first.locator("rect.bar").evaluate_all("rs => rs.map(r => parseFloat(r.getAttribute('height')))")
        assert max(heights) > 0, "the hour's chart has no bar above zero"
        check_accessibility(page, "overview")
        shot(page, "15-overview")
        for name, path in [("periodic", "/console/ops/periodic"), ("nodes", "/console/ops/nodes")]:
            page.goto(BASE + path)
            check_accessibility(page, name)
            shot(page, f"16-{name}")

        step("without JavaScript the forms still work")
        context.close()
        context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
        page = sign_in(context, FIXTURE["communeEditor"])
        page.goto(f"{BASE}/console/inbox")
        expect(page.locator("main h1")).to_contain_text("Hộp thư")
        context.close()
        browser.close()

    for name, violations, serious in accessibility:
        print(f"browser: axe {name}: {violations} violation(s), {serious} serious or critical")
    print(f"browser: screenshots in {os.path.abspath(SHOTS)}")
    print("browser: all steps passed")


if __name__ == "__main__":
    try:
        main()
    except Exception as error:  # noqa: BLE001 - the whole failure is the message
        print(f"browser: FAILED: {error}", file=sys.stderr, flush=True)
        sys.exit(1)
