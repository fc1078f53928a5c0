"""Drives a live `bpm serve` with the real Camunda 8 Python SDK (camunda-orchestration-sdk 9.0.1, unmodified) over the
Orchestration Cluster REST API (v2), and checks every step against swift-bpm's own HTTP API.

Usage: sdk_test.py BASE_URL ADMIN_TOKEN RESERVE_WORKER_TOKEN CHARGE_WORKER_TOKEN
Prints one "ok: ..." line per check and "ALL OK" at the end; exits 1 on the first failure.
"""
import asyncio
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE, ADMIN, RESERVE_TOKEN, CHARGE_TOKEN = sys.argv[1:5]
HERE = os.path.dirname(os.path.abspath(__file__))
os.environ["CAMUNDA_REST_ADDRESS"] = BASE  # the SDK appends /v2
os.environ["CAMUNDA_AUTH_STRATEGY"] = "NONE"
os.environ["CAMUNDA_SDK_LOG_LEVEL"] = "error"

from camunda_orchestration_sdk import CamundaAsyncClient, CamundaClient  # noqa: E402
from camunda_orchestration_sdk.models import (  # noqa: E402
    JobActivationRequest, MessageCorrelationRequest, MessagePublicationRequest, ProcessCreationById,
    ProcessInstanceCreationInstructionByIdVariables, ProcessInstanceSearchQuery, ProcessInstanceSearchQueryFilter,
    SignalBroadcastRequest, UserTaskAssignmentRequest, UserTaskCompletionRequest, UserTaskSearchQuery,
    UserTaskSearchQueryFilter, IncidentSearchQuery, IncidentSearchQueryFilter, JobUpdateRequest, JobChangeset,
    SearchVariablesData, VariableSearchQueryFilter,
)
from camunda_orchestration_sdk import models  # noqa: E402
from camunda_orchestration_sdk.runtime.job_worker import JobError, JobFailure, WorkerConfig  # noqa: E402
from sdk_support import Bearer, check  # noqa: E402


def ours(path):
    """GET on swift-bpm's own API (not the v2 one), as the admin."""
    req = urllib.request.Request(BASE + path, headers={"Authorization": f"Bearer {ADMIN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def our_instance(order_id):
    items = ours(f"/processes?definitionId=rest-order&var.orderId=%22{order_id}%22")["items"]
    if len(items) != 1:
        check(False, f"our API lists one instance for order {order_id}, not {len(items)}")
    return ours(f"/processes/{items[0]['id']}")


def until(what, probe, seconds=30):
    """Polls `probe` (a cheap read) until it returns a truthy value; bounded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.1)  # polling the server's state, which the workers change asynchronously
    check(False, f"{what} within {seconds} s")


def raw_v2(method, path, body=None, token=None):
    """A request the SDK would not send (no token, a bad key): status and problem detail."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + "/v2" + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def main():
    client = CamundaClient(auth_provider=Bearer(ADMIN))
    topology = client.get_topology()
    check(topology.cluster_size == 1 and topology.brokers[0].partitions[0].role.value == "leader",
          "topology: one broker leading one partition")

    status, problem = raw_v2("GET", "/topology")
    check(status == 401 and problem["status"] == 401 and problem["instance"] == "/v2/topology",
          "no token: 401 problem detail with instance")

    deployment = client.deploy_resources_from_files([os.path.join(HERE, "order.bpmn"),
                                                     os.path.join(HERE, "restock.bpmn")])
    ids = sorted(p.process_definition_id for p in deployment.processes)
    check(ids == ["rest-order", "rest-restock"], f"deployed both processes: {ids}")
    check(all(str(p.process_definition_key).isdigit() for p in deployment.processes), "keys are decimal strings")
    check(ours("/definitions/rest-order")["id"] == "rest-order", "our API has the deployed definition")

    evaluate_decision(client)

    # a message published before its instance waits, kept by its TTL
    published = client.publish_message(data=MessagePublicationRequest(
        name="payment-received", correlation_key="A", time_to_live=120000,
        variables=models.MessagePublicationRequestVariables.from_dict({"paidBy": "card"})))
    check(str(published.message_key).isdigit(), "message published before the instance waits")

    keys = {}
    for order, card in [("A", "ok"), ("B", "declined"), ("C", "ok"), ("D", "ok"), ("E", "broken")]:
        created = client.create_process_instance(data=ProcessCreationById(
            process_definition_id="rest-order",
            variables=ProcessInstanceCreationInstructionByIdVariables.from_dict(
                {"orderId": order, "card": card, "amount": 42})))
        keys[order] = str(created.process_instance_key)
    check(len(set(keys.values())) == 5, "five instances created with variables")
    check(our_instance("A")["variables"]["amount"] == 42, "our API sees the instance's variables")

    # a worker token may activate only its job types
    reserve_client = CamundaClient(auth_provider=Bearer(RESERVE_TOKEN))
    try:
        reserve_client.activate_jobs(data=JobActivationRequest(type_="charge", timeout=1000, max_jobs_to_activate=1))
        check(False, "the reserve worker may not activate charge jobs")
    except Exception as e:  # the SDK's typed error for a 403
        check("403" in str(e) or "Forbidden" in type(e).__name__ or "forbidden" in str(e).lower(),
              f"the reserve worker may not activate charge jobs ({type(e).__name__})")

    asyncio.run(run_workers(client, keys))

    check(our_instance("B")["status"] == "completed", "B: the BPMN error ended it at the boundary")
    b_history = ours(f"/processes/{our_instance('B')['id']}/history")
    check(any(h.get("elementId") == "Rejected" for h in b_history), "B: our history shows the Rejected end event")

    # user tasks: search, assign, complete
    tasks = client.search_user_tasks(data=UserTaskSearchQuery(
        filter_=UserTaskSearchQueryFilter(process_instance_key=keys["A"]))).items
    check(len(tasks) == 1 and tasks[0].element_id == "Approve", "A: one user task found by instance key")
    client.assign_user_task(user_task_key=str(tasks[0].user_task_key), data=UserTaskAssignmentRequest(assignee="alice"))
    check(our_instance("A")["waitingAt"][0]["elementId"] == "Approve", "A: our API sees it waiting at Approve")
    client.complete_user_task(user_task_key=str(tasks[0].user_task_key),
                              data=UserTaskCompletionRequest(
                                  variables=models.UserTaskCompletionRequestVariables.from_dict({"approved": True})))
    a = until("A completes with the buffered message", lambda: (lambda s: s if s["status"] == "completed" else None)(
        our_instance("A")))
    check(a["variables"].get("paidBy") == "card" and a["variables"].get("approved") is True,
          "A: completed with the message's and the task's variables")

    # correlate a message to a waiting instance
    c_task = client.search_user_tasks(data=UserTaskSearchQuery(
        filter_=UserTaskSearchQueryFilter(process_instance_key=keys["C"]))).items[0]
    client.complete_user_task(user_task_key=str(c_task.user_task_key), data=UserTaskCompletionRequest())
    until("C waits for the message", lambda: our_instance("C")["waitingAt"] and
          our_instance("C")["waitingAt"][0]["elementId"] == "Paid")
    correlated = client.correlate_message(data=MessageCorrelationRequest(name="payment-received", correlation_key="C"))
    check(str(correlated.process_instance_key) == keys["C"], "C: correlation names the instance it reached")
    check(our_instance("C")["status"] == "completed", "C: our API sees it completed")

    # cancel
    client.cancel_process_instance(process_instance_key=keys["D"], data=models.CancelProcessInstanceData())
    check(our_instance("D")["status"] == "terminated", "D: cancelled (our API: terminated)")

    # signal start
    signal = client.broadcast_signal(data=SignalBroadcastRequest(signal_name="restock"))
    check(str(signal.signal_key).isdigit(), "signal broadcast")
    restocks = until("the signal starts rest-restock", lambda: ours("/processes?definitionId=rest-restock")["items"])
    check(len(restocks) == 1 and restocks[0]["status"] == "completed", "our API sees one restock instance completed")

    # searches
    found = client.search_process_instances(data=ProcessInstanceSearchQuery(
        filter_=ProcessInstanceSearchQueryFilter(process_instance_key=keys["D"])))
    check(len(found.items) == 1 and found.items[0].state.value == "TERMINATED", "D: instance search says TERMINATED")
    variables = client.search_variables(data=SearchVariablesData(
        filter_=VariableSearchQueryFilter(process_instance_key=keys["A"], name="orderId")))
    check([v.value for v in variables.items] == ['"A"'], "A: variable search gives orderId as JSON text")
    status, problem = raw_v2("POST", "/process-instances/not-a-key/cancellation", {}, token=ADMIN)
    check(status == 400 and problem["title"] == "INVALID_ARGUMENT", "a malformed key: 400 INVALID_ARGUMENT")
    print("ALL OK", flush=True)


def evaluate_decision(client):
    """Deploys Tests/Fixtures/camunda8/dinner.dmn and evaluates `dish` (FIRST, requires `season`) by key."""
    dmn = os.path.join(HERE, "..", "..", "Fixtures", "camunda8", "dinner.dmn")
    deployed = client.deploy_resources_from_files([dmn])
    keys = {d.decision_definition_id: str(d.decision_definition_key) for d in deployed.decisions}
    result = client.evaluate_decision(data=models.DecisionEvaluationByKey(
        decision_definition_key=keys["dish"],
        variables=models.DecisionEvaluationByIdVariables.from_dict({"month": 9, "guests": 4})))
    evaluated = [(d.decision_definition_id, d.decision_definition_type, str(d.decision_definition_key))
                 for d in result.evaluated_decisions]
    check(json.loads(result.output) == "Ribs" and evaluated == [
        ("season", "LITERAL_EXPRESSION", keys["season"]), ("dish", "DECISION_TABLE", keys["dish"])],
        f"decision evaluation: season, then dish ({evaluated})")
    table = result.evaluated_decisions[1]
    inputs = [(i.input_id, i.input_name, json.loads(i.input_value)) for i in table.evaluated_inputs]
    rules = [(r.rule_id, r.rule_index, [(o.output_id, o.output_name, json.loads(o.output_value))
                                        for o in r.evaluated_outputs]) for r in table.matched_rules]
    check(inputs == [("inSeason", "Season of the year", "Autumn"), ("inGuests", "guests", 4)]
          and rules == [("rule-ribs", 2, [("outDish", "dish", "Ribs")])],
          f"decision evaluation: the table's inputs and matched rule ({inputs}, {rules})")


async def run_workers(client, keys):
    """A reserve worker completes every reserve job; a charge worker throws card-declined for B, fails E's first
    job to an incident (which the test resolves) and completes the rest."""
    reserve = CamundaAsyncClient(auth_provider=Bearer(RESERVE_TOKEN))
    charge = CamundaAsyncClient(auth_provider=Bearer(CHARGE_TOKEN))
    failed_once = set()

    async def do_reserve(job):
        return {"reserved": True}

    async def do_charge(job):
        variables = job.variables.to_dict()
        check(job.custom_headers.to_dict().get("currency") == "EUR", "the charge job carries its task header")
        if variables["card"] == "declined":
            raise JobError("card-declined", "insufficient funds")
        if variables["card"] == "broken" and variables["orderId"] not in failed_once:
            failed_once.add(variables["orderId"])
            raise JobFailure("card reader broken", retries=0)
        return {"charged": variables["amount"]}

    reserve.create_job_worker(WorkerConfig(job_type="reserve", job_timeout_milliseconds=30000,
                                           request_timeout_milliseconds=1000, worker_name="reserver"), do_reserve)
    charge.create_job_worker(WorkerConfig(job_type="charge", job_timeout_milliseconds=30000,
                                          request_timeout_milliseconds=1000, worker_name="charger"), do_charge)
    runner = asyncio.gather(reserve.run_workers(), charge.run_workers())

    async def until_async(what, probe, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            await asyncio.sleep(0.2)  # the workers run on this loop meanwhile
        check(False, f"{what} within {seconds} s")

    def at_approve(order):
        return [w for w in our_instance(order)["waitingAt"] if w["elementId"] == "Approve"]

    for order in "ACD":
        await until_async(f"{order} reaches its user task", lambda order=order: at_approve(order))
    await until_async("B ends at the boundary", lambda: our_instance("B")["status"] == "completed")
    incidents = await until_async("E's job fails to an incident", lambda: client.search_incidents(
        data=IncidentSearchQuery(filter_=IncidentSearchQueryFilter(process_instance_key=keys["E"]))).items)
    check(incidents[0].error_type.value == "JOB_NO_RETRIES" and incidents[0].error_message == "card reader broken",
          "E: a JOB_NO_RETRIES incident with the worker's message")
    check(len(our_instance("E")["incidents"]) == 1, "E: our API sees the incident")
    client.update_job(job_key=str(incidents[0].job_key), data=JobUpdateRequest(changeset=JobChangeset(retries=1)))
    client.resolve_incident(incident_key=str(incidents[0].incident_key))
    await until_async("E reaches its user task once resolved",
                      lambda: [w for w in our_instance("E")["waitingAt"] if w["elementId"] == "Approve"])
    e = our_instance("E")
    check(e["incidents"] == [] or all(i.get("resolvedAt") for i in e["incidents"]), "E: no open incident left")
    check(e["variables"].get("charged") == 42, "E: charged after the incident was resolved")
    runner.cancel()
    try:
        await runner
    except asyncio.CancelledError:
        pass


if __name__ == "__main__":
    main()
