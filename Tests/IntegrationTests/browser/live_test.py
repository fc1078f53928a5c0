"""Browser test of the live lists: Debian's chromium, headless, driven by Selenium.

usage: live_test.py BASE_URL
  BASE_URL  a running `bpm serve` (auth off, `--live-poll 60`) with `waiter` (a user task)
            and `payment` (a service task of job type charge-card) deployed

Opens the instance list, the task inbox and the incident list; changes each through the API
(a started instance, a new task, a failed job) and checks that the open page shows the change
without reloading (a marker set in the page survives), within five seconds: the server's
commits push the change, long before its 60-second fallback poll. Prints one line per check; exit 1 on
the first failure.
"""
import sys
import time

from selenium.webdriver.common.by import By

from harness import check, chrome, client

base = sys.argv[1]
api = client(base)


def live(path, selector, change, expect):
    """Opens the page, marks it, makes the change and waits for `expect(rows)` without a reload."""
    driver.get(base + path)
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    before = [r.get_attribute("data-instance") or r.get_attribute("data-task") or r.get_attribute("data-incident")
              for r in driver.find_elements(By.CSS_SELECTOR, selector)]
    driver.execute_script("window.notReloaded = true")
    # the stream has connected (its first comment came) before the change is made
    wait.until(lambda d: d.execute_script("return document.getElementById('live').dataset.connected === 'true'"))
    subject = change()
    changed = time.monotonic()
    wait.until(lambda d: expect(subject, [r.get_attribute("data-instance") or r.get_attribute("data-task")
                                          or r.get_attribute("data-incident")
                                          for r in d.find_elements(By.CSS_SELECTOR, selector)], before))
    seconds = time.monotonic() - changed
    print(f"     {path} updated {seconds:.2f} s after the change", flush=True)
    return driver.execute_script("return window.notReloaded === true") and seconds < 5


driver, wait = chrome()
try:
    check("the instance list shows a started instance without a reload",
          live("/ui/instances", "tr[data-instance]", lambda: api("/processes/waiter/start", {})["id"],
               lambda new, rows, before: rows and rows[0] == new and new not in before))
    check("the inbox shows a new task without a reload",
          live("/ui/tasks", "tr[data-task]",
               lambda: api("/tasks?instanceId=" + api("/processes/waiter/start", {})["id"])["items"][0]["id"],
               lambda new, rows, before: new in rows and new not in before))

    def fail_a_job():
        instance = api("/processes/payment/start", {})["id"]
        job = api("/jobs/activate", {"type": "charge-card", "worker": "w", "maxJobsToActivate": 1,
                                     "timeout": 60000})["jobs"][0]
        api(f"/jobs/{job['key']}/fail", {"retries": 0, "errorMessage": "card declined"})
        return instance
    check("the incident list shows a new incident without a reload",
          live("/ui/incidents", "tr[data-incident]", fail_a_job,
               lambda new, rows, before: len(rows) == len(before) + 1))
    check("the instance page of a list row still links", driver.find_elements(By.CSS_SELECTOR,
          "table#incidents a[href^='/ui/instances/']") != [])
finally:
    driver.quit()
