"""Browser test of the definition editor: Debian's chromium, headless, driven by Selenium.

usage: editor_test.py BASE_URL SCREENSHOT_DIR
  BASE_URL        a running `bpm serve` (auth off) with the YAML definition `waiter` and the BPMN `review`
  SCREENSHOT_DIR  where the editor's screenshots go (docs/ui/)

Typing an invalid line shows a marker at that line; fixing it updates the diagram; deploying lists the new
version; a test run shows the path; a bpmn-js edit (a task renamed through the modeler's API) is deployed and
served by GET /definitions. Prints one line per check; exit 1 on the first failure.
"""
import json
import os
import sys
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from harness import check, chrome

base, shots = sys.argv[1], sys.argv[2]


def get(path):
    with urllib.request.urlopen(base + path) as r:
        return r.read().decode()


def checks(d):
    return int(d.execute_script("return Number(document.body.dataset.checks || 0)"))


driver, wait = chrome()
try:
    driver.get(base + "/ui/definitions/waiter")
    check("the definition's page links to starting an instance",
          driver.find_element(By.ID, "start-link").get_attribute("href").endswith("#start-form"))
    driver.find_element(By.ID, "edit-link").click()
    wait.until(lambda d: checks(d) >= 1)
    check("the editor opens the deployed source in CodeMirror", driver.execute_script(
        "return window.editor.getValue().includes('id: waiter')"))
    check("and draws it", "look" in driver.find_element(By.ID, "preview").get_attribute("innerHTML"))
    before = checks(driver)

    # type a line with an unknown activity type after the last line
    last = driver.execute_script("""
        const cm = window.editor; let n = cm.lineCount() - 1;
        while (n > 0 && cm.getLine(n).trim() === '') n--;
        cm.focus(); cm.setCursor({line: n, ch: cm.getLine(n).length}); return n;""")
    typed = driver.find_element(By.CSS_SELECTOR, ".CodeMirror textarea")
    typed.send_keys(Keys.ENTER, "- {id: recheck, type: usr}")
    line = last + 2
    wait.until(lambda d: checks(d) > before and d.find_elements(By.CSS_SELECTOR, ".problem-marker.error"))
    marker = driver.find_element(By.CSS_SELECTOR, ".problem-marker.error")
    check(f"typing an invalid line shows a marker at line {line}: {marker.get_attribute('title')}",
          marker.get_attribute("data-line") == str(line)
          and driver.execute_script(f"return !!(window.editor.lineInfo({line - 1}).gutterMarkers || {{}}).problems"))
    item = driver.find_element(By.CSS_SELECTOR, "#problems li.error")
    check("the problem list names the line: " + item.text, item.text.startswith(f"line {line}, column"))
    check("deploying is off while it is invalid", not driver.find_element(By.ID, "deploy").is_enabled())
    os.makedirs(shots, exist_ok=True)
    driver.save_screenshot(os.path.join(shots, "editor-problem.png"))

    before = checks(driver)
    typed.send_keys(Keys.BACKSPACE * 4, "user, candidate_groups: [clerks]}")
    wait.until(lambda d: checks(d) > before and not d.find_elements(By.CSS_SELECTOR, ".problem-marker.error"))
    check("fixing it clears the marker and updates the diagram",
          "recheck" in driver.find_element(By.ID, "preview").get_attribute("innerHTML"))
    check("the diff shows the added line", f"+ {line}:" in driver.find_element(By.ID, "diff").text)
    driver.save_screenshot(os.path.join(shots, "editor.png"))

    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "run-result").text.startswith("status"))
    result = driver.find_element(By.ID, "run-result").text
    check("a test run on the simulated clock shows the path: " + result.split("\n")[1], "status: waiting" in result)

    driver.find_element(By.ID, "deploy").click()
    wait.until(lambda d: d.find_elements(By.ID, "deployed"))
    check("deploying says so: " + driver.find_element(By.ID, "deployed").text,
          "deployed waiter v2" in driver.find_element(By.ID, "deployed").text)
    driver.find_element(By.ID, "deployed").click()
    wait.until(lambda d: "Versions" in d.page_source)
    check("the definition's page lists the new version", "<td>v2</td>" in driver.page_source)
    check("and GET /definitions serves it", any(d["id"] == "waiter" and d["version"] == 2
                                                for d in json.loads(get("/definitions"))))

    driver.get(base + "/ui/editor?template=approval&id=buy-pump")
    wait.until(lambda d: checks(d) >= 1)
    check("a new definition from a template validates", driver.find_element(By.ID, "status").text.startswith(
        "valid: buy-pump"))

    # bpmn-js: rename a task through the modeler's API, deploy, and find the name in the new version
    driver.get(base + "/ui/definitions/review/model")
    wait.until(lambda d: d.execute_script("return document.body.dataset.imported === 'true'"))
    check("the modeler opens the deployed BPMN, watermark kept",
          driver.find_elements(By.CSS_SELECTOR, ".bjs-powered-by") != [])
    driver.execute_script("""
        const registry = window.modeler.get('elementRegistry');
        window.modeler.get('modeling').updateLabel(registry.get('review_task'), 'Review twice');""")
    driver.save_screenshot(os.path.join(shots, "modeler.png"))
    driver.find_element(By.ID, "deploy").click()
    wait.until(lambda d: d.find_elements(By.ID, "deployed"))
    check("the edited model deploys: " + driver.find_element(By.ID, "deployed").text,
          "deployed review v2" in driver.find_element(By.ID, "deployed").text)
    versions = json.loads(get("/definitions/review/versions"))
    source = get("/definitions/review/versions/2/source")
    check("GET /definitions lists it with the new label",
          [v["version"] for v in versions] == [1, 2] and 'name="Review twice"' in source
          and any(d["id"] == "review" and d["version"] == 2 for d in json.loads(get("/definitions"))))
finally:
    driver.quit()
