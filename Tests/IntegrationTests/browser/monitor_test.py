"""Browser test of the monitoring pages: Debian's chromium, headless, driven by Selenium.

usage: monitor_test.py BASE_URL
  BASE_URL  a running `bpm serve --clock-control` (auth off) with forms/parent.bpmn and
            forms/child.bpmn deployed (parent calls child; child waits on a 1 h timer and a job
            of type ship-parcel with 5 retries (Zeebe's count of attempts), in parallel)

Starts three parents; the instance page of a child shows its parent, when its timer fires and
its job's type, retries and worker; the parent's shows the child. Clicking the job's element on the
child's diagram lists the three children waiting there. After one job is completed and the
timers fire, the heat map gives per-element activations and average durations. Prints one line
per check; exit 1 on the first failure.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

from selenium.webdriver.common.by import By

from harness import check, chrome, client

base = sys.argv[1]
api = client(base)


driver, wait = chrome()
try:
    parents = [api("/processes/parent/start", {})["id"] for _ in range(3)]
    children = api("/processes?definitionId=child&limit=10")["items"]
    check("three children run", len(children) == 3)
    child = children[0]["id"]

    driver.get(base + "/ui/instances/" + child)
    parent = driver.find_element(By.ID, "parent").text
    check("the child's page links its parent", parent in parents)
    waiting = driver.find_element(By.ID, "waiting").text
    check("the timer says when it fires: " + waiting.replace("\n", " / "),
          "timer fires at" in waiting and driver.find_elements(By.CSS_SELECTOR, "#waiting .timer time") != [])
    check("the job shows its type and retries", driver.find_element(By.CSS_SELECTOR, "#waiting .job-type").text
          == "ship-parcel" and "5 retries left" in driver.find_element(By.CSS_SELECTOR, "#waiting .retries").text)
    driver.find_element(By.ID, "parent").click()
    wait.until(lambda d: d.current_url.endswith("/ui/instances/" + parent))
    check("the parent's page links the child", driver.find_element(By.CSS_SELECTOR, "#family a.child").text == child)

    driver.get(base + "/ui/definitions/child")
    driver.find_element(By.CSS_SELECTOR, "a g[data-element='ship']").click()
    wait.until(lambda d: "waitingAt=ship" in d.current_url)
    rows = {r.get_attribute("data-instance") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-instance]")}
    check("clicking the job's element lists the three children waiting there",
          rows == {c["id"] for c in children})

    activate = {"type": "ship-parcel", "worker": "w", "maxJobsToActivate": 1, "timeout": 60000}
    job = api("/jobs/activate", activate)["jobs"][0]
    driver.get(base + "/ui/instances/" + job["processInstanceKey"])
    check("an activated job names its worker", "locked by w" in driver.find_element(By.ID, "waiting").text)
    api(f"/jobs/{job['key']}/complete", {"variables": {}})
    now = datetime.fromisoformat(api("/clock")["now"].replace("Z", "+00:00"))
    later = (now + timedelta(hours=2)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    api("/clock", {"timestamp": later}, "PUT")
    wait.until(lambda d: len(api("/processes?definitionId=child&status=completed")["items"]) == 1)
    driver.get(base + "/ui/definitions/child")
    stats = {r.get_attribute("data-stat"): r.text for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-stat]")}
    check("per-element activations: " + json.dumps(stats), stats.get("ship", "").startswith("ship 3 1")
          and stats.get("pause", "").startswith("pause 3 3"))
    check("the timer's average duration is about 2 h", "2 h" in stats.get("pause", ""))
    check("the heat map labels the diagram", any("3×" in t.text for t in driver.find_elements(By.CSS_SELECTOR,
          "g[data-element='pause'] text.heat")))
    driver.find_element(By.CSS_SELECTOR, "a g[data-element='ship']").click()
    wait.until(lambda d: "waitingAt=ship" in d.current_url)
    check("two children still wait at the job",
          len(driver.find_elements(By.CSS_SELECTOR, "tr[data-instance]")) == 2)
finally:
    driver.quit()
