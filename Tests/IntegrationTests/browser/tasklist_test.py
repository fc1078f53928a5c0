"""Browser test of the task inbox: Debian's chromium, headless, driven by Selenium.

usage: tasklist_test.py BASE_URL
  BASE_URL  a running `bpm serve --dry-run --clock-control` (auth off) with the examples (the
            script deploys forms/order-review.form and forms/forms.bpmn through /v2/deployments)

Drives every example with user tasks to each of its ends from the inbox (claiming, filling
each task's form, completing), moving the pinned clock for the timeouts; sorts the inbox;
assigns and unclaims; renders Camunda Forms (deployed and linked by formId, and embedded) with
their validation and the list of what is not rendered; sets variables on a task without a
form. Prints one line per check; exit 1 on the first failure.
"""
import json
import os
import sys
import urllib.request
from datetime import datetime, timedelta, timezone

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from harness import check, chrome, client

base = sys.argv[1]
api = client(base)


def start(process, variables):
    return api(f"/processes/{process}/start", {"variables": variables})["id"]


def open_task(instance, element):
    """The instance's open task at the element, shown in the detail pane."""
    # connectors run after the start returns: the task appears when the service tasks before it are done
    def found(_):
        return [t for t in api(f"/tasks?instanceId={instance}")["items"] if t["elementId"] == element]
    try:
        items = wait.until(found)
    except TimeoutException:
        items = []
    check(f"{instance} waits at {element}", len(items) == 1)
    driver.get(base + "/ui/tasks?task=" + items[0]["id"])
    wait.until(lambda d: d.find_element(By.ID, "task-detail").get_attribute("data-task") == items[0]["id"])
    return items[0]["id"]


def work(instance, element, fields, user="ann"):
    """Claims the task for `user`, sets the form's checkboxes (name: bool) and completes it."""
    task = open_task(instance, element)
    driver.get(base + f"/ui/tasks?user={user}&task={task}")
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    driver.find_element(By.ID, "claim").click()
    wait.until(lambda d: d.find_elements(By.ID, "task-assignee") and d.find_element(By.ID, "task-assignee").text == user
               or d.find_element(By.ID, "task-problem").text)
    problem = driver.find_element(By.ID, "task-problem").text
    check(f"{element} claimed by {user}" + (": " + problem if problem else ""), not problem)
    for name, on in fields.items():
        box = driver.find_element(By.CSS_SELECTOR, f"#task-form [name='{name}']")
        if box.is_selected() != on:
            box.click()
    driver.find_element(By.ID, "complete").click()
    # completing goes back to the list: wait for it, so that no late navigation overtakes the next page
    wait.until(lambda d: "task=" not in d.current_url and d.execute_script("return document.readyState") == "complete")
    check(f"{element} completed", api(f"/tasks/{task}")["status"] == "completed")


def ended(instance, end):
    wait.until(lambda d: api(f"/processes/{instance}")["status"] != "running")
    state = api(f"/processes/{instance}")
    path = [h["elementId"] for h in api(f"/processes/{instance}/history")]
    return state["status"] == "completed" and end in path


def later(hours):
    now = datetime.fromisoformat(api("/clock")["now"].replace("Z", "+00:00"))
    then = (now + timedelta(hours=hours)).astimezone(timezone.utc)
    api("/clock", {"timestamp": then.strftime("%Y-%m-%dT%H:%M:%SZ")}, "PUT")


def deploy(name):
    """Deploys a file of forms/ through Camunda's REST API (/v2/deployments, multipart)."""
    content = open(os.path.join(os.path.dirname(__file__), "forms", name), encoding="utf-8").read()
    boundary = "tasklist-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"resources\"; filename=\"{name}\"\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n").encode()
    req = urllib.request.Request(base + "/v2/deployments", data=body, method="POST",
                                 headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        check(f"{name} deployed", r.status == 200)


driver, wait = chrome()
try:
    request = {"request_id": "r1", "requester": "ann@example.com", "action_text": "buy pump"}

    # approval: approved, rejected, two approvers, and the escalation after 48 hours
    small = start("approval", {**request, "amount": 500})
    work(small, "wait_for_approval", {"approved": True})
    check("approval: approved from the inbox ends at approved_end", ended(small, "approved_end"))
    denied = start("approval", {**request, "amount": 500})
    work(denied, "wait_for_approval", {"approved": False})
    check("approval: rejected from the inbox ends at rejected_end", ended(denied, "rejected_end"))
    large = start("approval", {**request, "amount": 20000})
    work(large, "finance_approval", {"finance_approved": True}, user="fay")
    work(large, "operations_approval", {"operations_approved": True}, user="otto")
    check("approval: 20,000 approved by finance and operations ends approved", ended(large, "approved_end")
          and api(f"/processes/{large}")["variables"]["request_status"] == "approved")
    split = start("approval", {**request, "amount": 20000})
    work(split, "finance_approval", {"finance_approved": False}, user="fay")
    work(split, "operations_approval", {"operations_approved": True}, user="otto")
    check("approval: one approver saying no ends rejected", ended(split, "rejected_end"))
    late = start("approval", {**request, "amount": 700})
    later(49)
    wait.until(lambda d: any(t["elementId"] == "director_approval" for t in api(f"/tasks?instanceId={late}")["items"]))
    work(late, "director_approval", {"approved": True}, user="dora")
    check("approval: escalated after 48 h, approved by a director", ended(late, "approved_end"))

    # maintenance-alert: a critical alarm not fixed at first, then fixed
    alarm = start("maintenance-alert", {"device_id": "pump-7", "severity_level": 9, "alarm_code": "E42",
                                        "alarm_active": True})
    work(alarm, "wait_for_resolution", {"fixed": False}, user="tim")
    work(alarm, "wait_for_resolution", {"fixed": True}, user="tim")
    check("maintenance-alert: not fixed, then fixed, ends closed", ended(alarm, "closed")
          and [h["elementId"] for h in api(f"/processes/{alarm}/history")].count("close_ticket") >= 1)

    # scheduled-maintenance: completion verified, and overdue after 7 days
    devices = [{"id": "a", "status": "ok"}, {"id": "b", "status": "error"}]
    check_run = start("scheduled-maintenance", {"devices": devices})
    work(check_run, "create_maintenance_tasks", {"all_fixed": False}, user="tim")
    work(check_run, "create_maintenance_tasks", {"all_fixed": True}, user="tim")
    check("scheduled-maintenance: verified after the second round ends at log_completed",
          ended(check_run, "log_completed"))
    overdue = start("scheduled-maintenance", {"devices": devices})
    open_task(overdue, "create_maintenance_tasks")
    later(24 * 8)
    check("scheduled-maintenance: left for 7 days ends overdue", ended(overdue, "maintenance_overdue"))

    # sorting, dates, detail pane, assign and unclaim
    a = start("approval", {**request, "amount": 100})
    b = start("maintenance-alert", {"device_id": "fan-1", "severity_level": 9, "alarm_code": "E1",
                                    "alarm_active": True})
    # the alert's task appears once the connectors before it have run: the list is read after both exist
    wait.until(lambda _: api(f"/tasks?instanceId={a}")["items"] and api(f"/tasks?instanceId={b}")["items"])
    driver.get(base + "/ui/tasks?sort=priority")
    rows = [r.get_attribute("data-task") for r in driver.find_elements(By.CSS_SELECTOR, "table#tasks tr[data-task]")]
    check("sorted by priority the technicians' task (90) is first",
          rows[0] == api(f"/tasks?instanceId={b}")["items"][0]["id"])
    driver.find_element(By.ID, "sort-created").click()
    wait.until(lambda d: "sort=created" in d.current_url)
    rows = [r.get_attribute("data-task") for r in driver.find_elements(By.CSS_SELECTOR, "table#tasks tr[data-task]")]
    by_api = [t["id"] for t in api("/tasks?sort=created&limit=200")["items"]]
    check("sorted by creation as the API sorts", rows == by_api)
    driver.find_element(By.ID, "sort-due").click()
    wait.until(lambda d: "sort=due" in d.current_url)
    check("the due column is offered", "due ▼" in driver.find_element(By.ID, "tasks").text)
    first = driver.find_elements(By.CSS_SELECTOR, "table#tasks tr[data-task] a")[0]
    first.click()
    wait.until(lambda d: "task=" in d.current_url)
    pane = driver.find_element(By.ID, "task-detail").text
    check("the detail pane shows the task's dates and candidates", "created" in pane and "candidates" in pane)
    task_a = open_task(a, "wait_for_approval")
    driver.find_element(By.ID, "assign-to").send_keys("bob")
    driver.find_element(By.ID, "assign").click()
    wait.until(lambda d: api(f"/tasks/{task_a}").get("assignee") == "bob")
    wait.until(lambda d: d.find_element(By.ID, "task-assignee").text == "bob")
    check("assigned to bob from the pane", True)
    driver.find_element(By.ID, "unclaim").click()
    wait.until(lambda d: api(f"/tasks/{task_a}").get("assignee") is None)
    check("unclaimed from the pane", True)

    # Camunda Forms: deployed (formId) and embedded (zeebe:userTaskForm)
    deploy("order-review.form")
    deploy("forms.bpmn")
    order = start("forms", {"customer": "Ann"})
    open_task(order, "review")
    listed = driver.find_element(By.ID, "not-rendered").text
    check("what is not rendered is listed: " + listed.replace("\n", " / "), "filepicker 'attachment'" in listed
          and "button 'Submit'" in listed and "taglist" not in listed and "checklist" not in listed)
    heading = driver.find_element(By.CSS_SELECTOR, ".form-text h3").text
    check("the markdown text is rendered", heading == "Review the order")
    filled = driver.find_element(By.NAME, "customer").get_attribute("value")
    check("a field is filled from the instance", filled == "Ann")
    amount = driver.find_element(By.NAME, "amount")
    check("number bounds are the browser's",
          amount.get_attribute("min") == "1" and amount.get_attribute("max") == "100")
    driver.find_element(By.NAME, "customer").clear()
    driver.find_element(By.ID, "complete").click()
    check("a required field left empty stops completion",
          driver.execute_script("return document.querySelector('[name=customer]').matches(':invalid')")
          and api(f"/tasks?instanceId={order}")["items"][0]["status"] == "open")
    driver.find_element(By.NAME, "customer").send_keys("Ann Smith")
    amount.send_keys("7")
    reason = driver.find_element(By.NAME, "reason")
    check("a conditional field is shown while its condition is false", reason.is_displayed())
    driver.find_element(By.NAME, "approved").click()
    wait.until(lambda d: not d.find_element(By.NAME, "reason").is_displayed())
    check("checking 'approved' hides the reason (conditional.hide evaluated as the form is filled in)",
          driver.find_element(By.NAME, "reason").get_attribute("disabled") is not None)
    Select(driver.find_element(By.NAME, "tags")).select_by_visible_text("A")
    driver.find_element(By.CSS_SELECTOR, "input[name=checks][value='\"stock\"']").click()
    Select(driver.find_element(By.NAME, "channel")).select_by_visible_text("E-mail")
    driver.find_element(By.CSS_SELECTOR, "input[name=priority][value='\"high\"']").click()
    driver.find_element(By.NAME, "notes").send_keys("deliver Monday")
    driver.execute_script("document.querySelector('[name=deliver]').value = '2027-01-04'")
    driver.find_element(By.ID, "complete").click()
    wait.until(lambda d: api(f"/processes/{order}")["variables"].get("approved") is True)
    v = api(f"/processes/{order}")["variables"]
    check("the form's values arrive typed: " + json.dumps(v, sort_keys=True),
          v["customer"] == "Ann Smith" and v["amount"] == 7 and v["channel"] == "email" and v["priority"] == "high"
          and v["notes"] == "deliver Monday" and v["deliver"] == "2027-01-04" and v["tags"] == ["a"]
          and v["checks"] == ["stock"] and "reason" not in v)
    open_task(order, "confirm")
    check("the embedded form is rendered",
          driver.find_element(By.NAME, "confirmed").get_attribute("type") == "checkbox")
    driver.find_element(By.NAME, "confirmed").click()
    driver.find_element(By.ID, "complete").click()
    wait.until(lambda d: api(f"/processes/{order}")["variables"].get("confirmed") is True)
    check("the embedded form completed the task", True)

    # a task without a form: variables as name/value rows and as JSON
    open_task(order, "note")
    driver.find_element(By.CSS_SELECTOR, ".var-name").send_keys("score")
    driver.find_element(By.CSS_SELECTOR, ".var-value").send_keys("42")
    driver.find_element(By.ID, "add-variable").click()
    driver.find_elements(By.CSS_SELECTOR, ".var-name")[1].send_keys("remark")
    driver.find_elements(By.CSS_SELECTOR, ".var-value")[1].send_keys("all good")
    driver.find_element(By.ID, "save-variables").click()
    wait.until(lambda d: api(f"/processes/{order}")["variables"].get("score") == 42)
    check("set on the instance without completing (42 as a number, text as text)",
          api(f"/processes/{order}")["variables"].get("remark") == "all good"
          and api(f"/tasks?instanceId={order}")["items"][0]["status"] == "open")
    driver.find_element(By.ID, "task-json").send_keys('{"tags": ["a", "b"]')
    driver.find_element(By.ID, "complete").click()
    wait.until(lambda d: "not valid JSON" in d.find_element(By.ID, "task-problem").text)
    check("bad JSON is a problem on the page", True)
    driver.find_element(By.ID, "task-json").send_keys("}")
    driver.find_element(By.ID, "complete").click()
    check("JSON variables complete the task", ended(order, "done")
          and api(f"/processes/{order}")["variables"].get("tags") == ["a", "b"])
finally:
    driver.quit()
