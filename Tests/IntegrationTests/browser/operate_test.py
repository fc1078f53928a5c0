"""Browser test of the operator pages: Debian's chromium, headless, driven by Selenium.

usage: operate_test.py BASE_URL INCIDENT_INSTANCE
  BASE_URL           a running `bpm serve` (auth off) with `waiter` (a user task) deployed and
                     at least 60 waiter instances
  INCIDENT_INSTANCE  an instance with an open incident whose message contains "declined"

Starts an instance with variables from the definition page (bad JSON first: a problem on the
page), pages the instance list past 50, finds the incident from the incident list and
retries it. Prints one line per check; exit 1 on the first failure.
"""
import json
import os
import sys
import urllib.request

from selenium.webdriver.common.by import By

from harness import check, chrome

base, incident_instance = sys.argv[1], sys.argv[2]


def api(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return json.load(r)


driver, wait = chrome()
try:

    # start an instance from the definition page: bad JSON is a problem on the page
    driver.get(base + "/ui/definitions/waiter")
    area = driver.find_element(By.ID, "start-variables")
    area.clear()
    area.send_keys('{"amount": }')
    driver.find_element(By.ID, "start-instance").click()
    wait.until(lambda d: d.find_element(By.ID, "start-problem").text != "")
    problem = driver.find_element(By.ID, "start-problem").text
    check("bad JSON shows a problem on the page: " + problem, "not valid JSON" in problem)
    check("and stays on the definition page", driver.current_url.endswith("/ui/definitions/waiter"))
    area.clear()
    area.send_keys('{"amount": 700, "requester": "ann"}')
    driver.find_element(By.ID, "start-business-key").send_keys("order-4711")
    driver.find_element(By.ID, "start-instance").click()
    wait.until(lambda d: "/ui/instances/" in d.current_url)
    started = driver.current_url.rsplit("/", 1)[-1]
    state = api("/processes/" + started)
    check("the started instance has the variables", state["variables"].get("amount") == 700
          and state["variables"].get("requester") == "ann")
    check("and the business key", state.get("businessKey") == "order-4711")

    # the instance list pages past 50 with next and previous links
    driver.get(base + "/ui/instances?definitionId=waiter")
    rows = driver.find_elements(By.CSS_SELECTOR, "table#instances tr[data-instance]")
    check("the first page has 50 instances", len(rows) == 50)
    first_page = {r.get_attribute("data-instance") for r in rows}
    check("the newest (just started) is first", rows[0].get_attribute("data-instance") == started)
    check("business key, end and duration are shown", "order-4711" in rows[0].text and " so far" in rows[0].text)
    driver.find_element(By.ID, "next-page").click()
    wait.until(lambda d: "offset=50" in d.current_url)
    check("the next page is a keyset page (a cursor at the last row)", "after=" in driver.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "table#instances tr[data-instance]")
    second_page = {r.get_attribute("data-instance") for r in rows}
    total = len(api("/processes?definitionId=waiter&limit=1000")["items"])
    check(f"the second page has the other {total - 50}", len(rows) == total - 50 and not (first_page & second_page))
    check("it says which rows these are", driver.find_element(By.ID, "shown").text == f"instances 51–{total}")
    driver.find_element(By.ID, "previous-page").click()
    wait.until(lambda d: "offset=0" in d.current_url)
    check("previous goes back to the first page",
          {r.get_attribute("data-instance") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-instance]")} == first_page)
    # sorting by business key: the only instance with one first
    driver.find_element(By.LINK_TEXT, "business key").click()
    wait.until(lambda d: "sort=businessKey" in d.current_url)
    check("sorted by business key", driver.find_elements(By.CSS_SELECTOR, "tr[data-instance]")[0].get_attribute("data-instance") == started)

    # the instance list marks the instance with the incident
    driver.get(base + "/ui/instances")
    marked = [r.get_attribute("data-instance") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-instance]")
              if r.find_elements(By.CSS_SELECTOR, ".incident-marker")]
    check("the instance list marks the instance with an incident", marked == [incident_instance])

    # the incident list: filter by message text, select, retry
    driver.get(base + "/ui/incidents")
    driver.find_element(By.NAME, "message").send_keys("DECLINED")
    driver.find_element(By.ID, "filter").click()
    wait.until(lambda d: "message=DECLINED" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "table#incidents tr[data-incident]")
    check("the incident is found by its message", len(rows) == 1 and incident_instance in rows[0].text)
    if os.environ.get("BPM_SCREENSHOTS"):  # renews docs/ui/incidents.png (docs/ui.md)
        driver.save_screenshot(os.path.join(os.environ["BPM_SCREENSHOTS"], "incidents.png"))
    driver.get(base + "/ui/incidents?message=no-such-text")
    check("a filter that matches nothing says so", driver.find_elements(By.ID, "no-incidents") != [])
    driver.get(base + "/ui/incidents?message=declined")
    driver.find_element(By.ID, "pick-all").click()
    driver.find_element(By.ID, "retry-selected").click()
    wait.until(lambda d: d.find_elements(By.ID, "no-incidents"))
    check("after the retry the incident list is empty", api("/incidents")["items"] == [])
    state = api("/processes/" + incident_instance)
    check("the instance runs again, waiting for its job", state["status"] == "running" and state.get("incidents", []) == [])
finally:
    driver.quit()
