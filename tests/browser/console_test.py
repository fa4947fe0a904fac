#!/usr/bin/env python3
"""The district console in a real headless browser (Debian's chromium + chromedriver, driven by
Selenium): the real server binary on loopback over a demo database, used as a supervisor and an
administrator would. Screenshots of the main pages in Indonesian and English go to
target/console-screens/.

Usage: tests/browser/console_test.py [SERVER_BINARY]   (default target/debug/desmig-sync-server)
Prints one line per test and `browser: N passed, M failed`; exits non-zero on a failure.
"""

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request
import zipfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/debug/desmig-sync-server"))
SHOTS = os.path.join(ROOT, "target/console-screens")
PASSWORD = "desmig-demo"


class Server:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="desmig-console-")
        self.db = "sqlite://" + os.path.join(self.dir, "server.db")
        self.admin("demo")
        self.proc = subprocess.Popen([BIN, "--database", self.db, "serve", "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        self.url = next(w for w in line.split() if w.startswith("http://"))

    def admin(self, *args):
        out = subprocess.run([BIN, "--database", self.db, *args], capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stdout + out.stderr
        return out.stdout

    def api(self, method, path, body=None, token=None):
        req = urllib.request.Request(self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None)
        req.add_header("x-desmig-protocol", "1")
        req.add_header("content-type", "application/json")
        if token:
            req.add_header("authorization", "Bearer " + token)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        shutil.rmtree(self.dir, ignore_errors=True)


def browser(download_dir):
    opts = webdriver.ChromeOptions()
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000", "--lang=id"]:
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"download.default_directory": download_dir, "download.prompt_for_download": False})
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    opts.binary_location = chromium
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
    driver = webdriver.Chrome(service=service, options=opts)
    driver.implicitly_wait(5)
    return driver


def go(b, element):
    """Clicks a link or a submit button and waits until the next page has replaced this one."""
    b.execute_script("window.__desmig_old_page = true")
    element.click()
    wait_new_page(b)


def wait_new_page(b):
    def loaded(d):
        try:
            return d.execute_script("return window.__desmig_old_page === undefined && document.readyState === 'complete'")
        except Exception:
            return False  # between two pages

    WebDriverWait(b, 15).until(loaded)


def sign_in(b, server, username):
    b.get(server.url + "/console")
    assert b.current_url.endswith("/console/login"), b.current_url
    b.find_element(By.NAME, "username").send_keys(username)
    b.find_element(By.NAME, "password").send_keys(PASSWORD)
    go(b, b.find_element(By.CSS_SELECTOR, "form.card button[type=submit]"))


def shot(b, name):
    os.makedirs(SHOTS, exist_ok=True)
    b.save_screenshot(os.path.join(SHOTS, name + ".png"))


def text(b):
    return b.find_element(By.TAG_NAME, "main").text


def test_supervisor_sees_the_synced_indicators_verifies_a_visit_and_resolves_a_conflict(b, server, downloads):
    sign_in(b, server, "koordinator")
    assert b.current_url.endswith("/console"), b.current_url
    beneficiaries = b.find_element(By.CSS_SELECTOR, "[data-indicator=ind_beneficiaries] b").text
    assert beneficiaries == "5", beneficiaries
    assert b.find_element(By.CSS_SELECTOR, "[data-indicator=ind_export] b").text == "1"
    assert "Rp 11.000.000" in b.find_element(By.CSS_SELECTOR, "[data-indicator=ind_capital] b").text
    assert "Sri Wahyuni" in b.find_element(By.ID, "facilitators").text
    shot(b, "dashboard-id")
    go(b, b.find_element(By.LINK_TEXT, "EN"))
    assert "Beneficiaries" in text(b) and "By facilitator" in text(b)
    shot(b, "dashboard-en")
    go(b, b.find_element(By.LINK_TEXT, "ID"))
    # On a 360-px phone the page fits its width: wide tables scroll inside their box.
    b.set_window_size(360, 800)
    b.refresh()
    width = b.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide on a 360-px screen"
    shot(b, "dashboard-360-id")
    b.set_window_size(1280, 1000)

    # A visit: opened, read, verified.
    go(b, b.find_element(By.LINK_TEXT, "Kunjungan"))
    rows = b.find_elements(By.CSS_SELECTOR, "#to-verify tr")
    waiting = len(rows) - 1
    assert waiting == 5, waiting
    shot(b, "visits-id")
    go(b, rows[1].find_element(By.TAG_NAME, "a"))
    assert "Kunjungan pertama" in b.find_element(By.ID, "notes").text
    assert "Asesmen Awal PMI Purna" in b.find_element(By.ID, "checklist").text
    assert len(b.find_elements(By.CSS_SELECTOR, "#answers tr")) > 5
    shot(b, "visit-id")
    go(b, b.find_element(By.ID, "verify"))
    assert b.find_element(By.ID, "status").text == "Terverifikasi"
    assert not b.find_elements(By.ID, "verify"), "verified once"
    go(b, b.find_element(By.LINK_TEXT, "Riwayat perubahan"))
    assert "Budi Santoso" in b.find_element(By.ID, "history").text
    go(b, b.find_element(By.LINK_TEXT, "Kunjungan"))
    assert len(b.find_elements(By.CSS_SELECTOR, "#to-verify tr")) - 1 == waiting - 1

    # The facilitator's phone sees the verification on its next pull.
    login = server.api("POST", "/v1/auth/login", {"username": "fasilitator", "password": PASSWORD, "device_id": "browser-test-phone"})
    page = server.api("GET", "/v1/sync/pull?cursor=&limit=5000", token=login["token"])
    verified = [c for c in page["changes"] if c.get("entity") == "visit" and c["state"]["fields"].get("verified_by")]
    assert len(verified) == 1, verified

    # The conflict: Warsini's two phone numbers; the other one is taken.
    go(b, b.find_element(By.LINK_TEXT, "Konflik data"))
    table = b.find_element(By.ID, "conflicts").text
    assert "Warsini" in table and "Telepon" in table, table
    row = b.find_elements(By.CSS_SELECTOR, "#conflicts tr")[1]
    kept, other = [td.text for td in row.find_elements(By.TAG_NAME, "td")[2:4]]
    assert {kept, other} == {"+6281270001111", "+6285711112222"}, (kept, other)
    shot(b, "conflicts-id")
    go(b, b.find_element(By.CSS_SELECTOR, "#conflicts button[value=other]"))
    assert "Warsini" not in b.find_element(By.ID, "conflicts").text
    go(b, b.find_element(By.LINK_TEXT, "Penerima manfaat"))
    go(b, b.find_element(By.LINK_TEXT, "Warsini"))
    shot(b, "file-id")
    page = server.api("GET", "/v1/sync/pull?cursor=&limit=5000", token=login["token"])
    warsini = [c for c in page["changes"] if c.get("entity") == "beneficiary" and c["state"]["fields"]["full_name"] == "Warsini"][0]
    assert warsini["state"]["fields"]["phone"] == other, (other, warsini["state"]["fields"])


def test_the_indicator_export_opens_with_one_row_per_village(b, server, downloads):
    sign_in(b, server, "koordinator")
    b.find_element(By.LINK_TEXT, "Unduh Excel (XLSX)").click()  # a download: the page stays
    path = None
    for _ in range(100):
        done = [f for f in os.listdir(downloads) if f.endswith(".xlsx")]
        if done:
            path = os.path.join(downloads, done[0])
            break
        time.sleep(0.1)
    assert path, os.listdir(downloads)
    # An XLSX is a zip of XML: the sheet's rows, read with the standard library.
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        strings = z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() else ""
    rows = re.findall(r"<row ", sheet)
    assert len(rows) == 3, f"a header and two villages: {len(rows)}"
    assert "Haurkolot" in strings and "Haurgeulis" in strings and "Penerima manfaat" in strings


def test_an_admin_creates_a_facilitator_whose_phone_then_syncs_the_new_scope(b, server, downloads):
    sign_in(b, server, "admin")
    go(b, b.find_element(By.LINK_TEXT, "Administrasi"))
    shot(b, "users-id")
    form = b.find_element(By.ID, "new-user")
    form.find_element(By.NAME, "username").send_keys("ayu")
    form.find_element(By.NAME, "name").send_keys("Ayu Lestari")
    form.find_element(By.CSS_SELECTOR, "select[name=role] option[value=facilitator]").click()
    form.find_element(By.NAME, "password").send_keys("rahasia-desa")
    form.find_element(By.NAME, "villages").send_keys("32.12.01.2008")
    form.find_element(By.NAME, "phone").send_keys("0812 3000 4000")
    go(b, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Dibuat: ayu" in text(b), text(b)[:300]
    login = server.api("POST", "/v1/auth/login", {"username": "ayu", "password": "rahasia-desa", "device_id": "ayu-phone"})
    assert login["identity"]["villages"] == ["32.12.01.2008"]
    page = server.api("GET", "/v1/sync/pull?cursor=&limit=5000", token=login["token"])
    names = sorted(c["state"]["fields"]["full_name"] for c in page["changes"] if c.get("entity") == "beneficiary")
    assert names == ["Agus Saputra", "Warsini"], names

    # Assigned another village: her next pull starts over in the new scope.
    row = b.find_element(By.CSS_SELECTOR, "tr[data-user=ayu]")
    row.find_element(By.TAG_NAME, "summary").click()
    field = row.find_element(By.CSS_SELECTOR, "form[action$='/assign'] input[name=value]")
    field.clear()
    field.send_keys("32.12.01.2007")
    go(b, row.find_element(By.CSS_SELECTOR, "form[action$='/assign'] button"))
    assert "Tersimpan: ayu" in text(b)
    again = server.api("GET", "/v1/sync/pull?cursor=" + page["next_cursor"] + "&limit=5000", token=login["token"])
    assert again["identity"]["villages"] == ["32.12.01.2007"], again.get("identity")
    names = sorted(c["state"]["fields"]["full_name"] for c in again["changes"] if c.get("entity") == "beneficiary")
    assert names == ["Eko Hidayat", "Kartini Rahayu", "Siti Aminah"], names

    # A worker account linked to a file by name.
    form = b.find_element(By.ID, "new-user")
    form.find_element(By.NAME, "username").send_keys("warsini")
    form.find_element(By.NAME, "name").send_keys("Warsini")
    form.find_element(By.CSS_SELECTOR, "select[name=role] option[value=worker]").click()
    form.find_element(By.NAME, "password").send_keys("rahasia-desa")
    form.find_element(By.NAME, "beneficiary").send_keys("warsini")
    go(b, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))
    assert "Dibuat: warsini" in text(b), text(b)[:300]
    go(b, b.find_element(By.LINK_TEXT, "EN"))
    shot(b, "users-en")
    go(b, b.find_element(By.LINK_TEXT, "ID"))


def test_a_facilitator_cannot_open_the_admin_pages_and_a_form_without_its_token_is_refused(b, server, downloads):
    sign_in(b, server, "fasilitator")
    assert not b.find_elements(By.LINK_TEXT, "Administrasi")
    b.get(server.url + "/console/admin/users")
    assert "not_admin" in text(b), text(b)
    # A form without the session's token, posted from the console's own origin with the
    # session's cookie (what a forged cross-site form would be if the browser sent the cookie).
    b.get(server.url + "/console/visits")
    b.execute_script("window.__desmig_old_page = true")
    b.execute_script(
        "const f = document.createElement('form'); f.method = 'post'; f.action = '/console/logout';"
        "const i = document.createElement('input'); i.name = 'csrf'; i.value = 'forged'; f.appendChild(i);"
        "document.body.appendChild(f); f.submit();"
    )
    wait_new_page(b)
    assert "csrf" in text(b), text(b)
    # The session still stands: the forged post did not sign her out.
    b.get(server.url + "/console")
    assert b.current_url.endswith("/console"), b.current_url


def main():
    server = Server()
    passed = failed = 0
    try:
        for name, test in [(n, f) for n, f in globals().items() if n.startswith("test_")]:
            downloads = tempfile.mkdtemp(prefix="desmig-downloads-")
            b = browser(downloads)
            try:
                test(b, server, downloads)
                passed += 1
                print(f"ok   {name}")
            except Exception:
                failed += 1
                print(f"FAIL {name}")
                traceback.print_exc()
                shot(b, "failed-" + name)
            finally:
                b.quit()
                shutil.rmtree(downloads, ignore_errors=True)
    finally:
        server.close()
    print(f"browser: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
