"""Browser test of the web UI: Debian's chromium, headless, driven by Selenium.

usage: ui_test.py BASE_URL INSTANCE_ID
  BASE_URL     a running `bpm serve` with the examples deployed
  INSTANCE_ID  an approval instance waiting at its user task (group managers)

Completes the task through the inbox form, checks that the instance page (opened before,
and left open) follows the instance live, and that the definition page draws the diagram.
Prints one line per check; exit 1 on the first failure.
"""
import json
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

from harness import check, chrome

base, instance = sys.argv[1], sys.argv[2]


def api(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.load(r)


# pages reload after actions: the wait looks again past an element that went stale
driver, wait = chrome()
try:

    # the definition page draws the diagram with the waiting instance on it
    driver.get(base + "/ui/definitions/approval")
    svg = driver.find_element(By.CSS_SELECTOR, "svg.diagram")
    check("the approval diagram is drawn", len(svg.find_elements(By.CSS_SELECTOR, "g[data-element]")) >= 10)
    check("a waiting-instance badge is on it", len(driver.find_elements(By.CSS_SELECTOR, "g.badge.waiting")) >= 1)

    # a second tab follows the instance live (server-sent events reload it)
    driver.get(base + "/ui/instances/" + instance)
    check("the instance page shows it running", "running" in driver.find_element(By.ID, "status").text)
    live = driver.current_window_handle
    driver.switch_to.new_window("tab")

    # the inbox: the task in the detail pane, claim, then complete with the form from the JSON Schema
    task_id = api("/tasks?instanceId=" + instance)["items"][0]["id"]
    driver.get(base + "/ui/tasks?user=ann&group=managers")
    driver.find_element(By.CSS_SELECTOR, f"tr[data-task='{task_id}'] a").click()
    wait.until(lambda d: d.find_element(By.ID, "task-detail").get_attribute("data-task") == task_id)
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: d.find_elements(By.ID, "task-assignee")
               and d.find_element(By.ID, "task-assignee").text == "ann")
    check("claiming assigns the task", "ann" in api("/tasks?instanceId=" + instance)["items"][0].get("assignee", ""))
    driver.find_element(By.NAME, "approved").click()
    driver.find_element(By.NAME, "comment").send_keys("fine")
    driver.find_element(By.ID, "complete").click()
    wait.until(lambda d: api("/processes/" + instance)["variables"].get("approved") is True)
    check("completing the form approves the request",
          api("/processes/" + instance)["variables"].get("comment") == "fine")

    # back to the first tab: it moved on without a manual reload
    driver.switch_to.window(live)
    wait.until(lambda d: "running" not in d.find_element(By.ID, "status").text
               or "execute_action" in d.page_source or "incident" in d.page_source.lower())
    check("the open instance page followed the instance", "approved_check" in driver.page_source)
finally:
    driver.quit()
