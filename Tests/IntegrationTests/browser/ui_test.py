"""Browser test of the web UI: Debian's chromium, headless, driven by Selenium.

usage: ui_test.py BASE_URL INSTANCE_ID
  BASE_URL     a running `bpm serve` with the examples deployed
  INSTANCE_ID  an approval instance waiting at its user task (group managers)

Completes the task through the inbox form, checks that the instance page (opened before,
and left open) follows the instance live, and that the definition page draws the diagram.
Prints one line per check; exit 1 on the first failure.
"""
import json
import os
import sys
import time
import urllib.request

from selenium.webdriver.common.action_chains import ActionChains
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

    markers = {m.get_attribute("data-marker") for m in svg.find_elements(By.CSS_SELECTOR, "g.marker")}
    check("BPMN markers tell the kinds apart (user task, exclusive gateway, timer): %s" % sorted(markers),
          {"user", "exclusive", "timer"} <= markers)

    # zoom and pan: the bar's buttons and the wheel change the viewBox; fit shows the whole diagram again
    def view():
        box = driver.execute_script("return arguments[0].getAttribute('viewBox')", svg)
        return [float(v) for v in box.split()]
    whole = view()
    check("the diagram starts whole, with a zoom bar", svg.get_attribute("data-zoom") == "1.00"
          and driver.find_elements(By.CSS_SELECTOR, ".zoombar button.zoom-in") != [])
    driver.find_element(By.CSS_SELECTOR, ".zoombar button.zoom-in").click()
    check("zoom in shows a part, 1.5 times larger", svg.get_attribute("data-zoom") == "1.50"
          and abs(view()[2] - whole[2] / 1.5) < 1)
    driver.execute_script("arguments[0].dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: 200,"
                          " clientY: 150, bubbles: true, cancelable: true}))", svg)
    check("the wheel zooms further about the pointer", float(svg.get_attribute("data-zoom")) > 1.8)
    zoomed = view()
    ActionChains(driver).move_to_element_with_offset(svg, 0, 0).click_and_hold().move_by_offset(-80, -40) \
        .release().perform()
    moved = view()
    check("a drag pans the zoomed diagram", moved[2] == zoomed[2] and (moved[0], moved[1]) != (zoomed[0], zoomed[1]))
    if os.environ.get("BPM_SCREENSHOTS"):  # renews docs/ui/diagram-zoomed.png (docs/ui.md)
        driver.save_screenshot(os.path.join(os.environ["BPM_SCREENSHOTS"], "diagram-zoomed.png"))
    driver.find_element(By.CSS_SELECTOR, ".zoombar button.zoom-fit").click()
    check("fit shows the whole diagram again", view() == whole and svg.get_attribute("data-zoom") == "1.00")

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
