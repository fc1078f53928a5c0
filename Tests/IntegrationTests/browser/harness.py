"""What the browser scripts share: Debian's chromium, headless, under Selenium; a JSON API
client; one printed line per check (exit 1 on the first failure)."""
import json
import sys
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        sys.exit(1)


def client(base):
    """`api(path, body=None, method=None)`: GET, or POST (another method if named) with a JSON body."""
    def api(path, body=None, method=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(base + path, data=data, method=method or ("POST" if data else "GET"),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.load(r)
    return api


def chrome():
    """The browser and a 20-second wait that looks again past missing and replaced elements."""
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return driver, WebDriverWait(driver, 20, ignored_exceptions=ignored)
