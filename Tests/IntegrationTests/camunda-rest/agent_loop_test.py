"""Drives an AI-agent model (Tests/Fixtures/camunda8/ai-agent.bpmn: an ad-hoc sub-process with a job worker
implementation) on a live `bpm serve` with the real Camunda 8 Python SDK (camunda-orchestration-sdk 9.0.1,
unmodified) over REST v2. The script is the agent: its first job result activates a tool, the second another,
the third declares the completion condition fulfilled; a result naming an element the sub-process cannot activate
is a 400 problem that changes nothing. Every step is checked against swift-bpm's own HTTP API.

Usage: agent_loop_test.py BASE_URL ADMIN_TOKEN MODEL_FILE
Prints one "ok: ..." line per check and "ALL OK" at the end; exits 1 on the first failure.
"""
import os
import sys
import time

BASE, ADMIN, MODEL = sys.argv[1:4]
os.environ["CAMUNDA_REST_ADDRESS"] = BASE
os.environ["CAMUNDA_AUTH_STRATEGY"] = "NONE"
os.environ["CAMUNDA_SDK_LOG_LEVEL"] = "error"

from camunda_orchestration_sdk import CamundaClient  # noqa: E402
from camunda_orchestration_sdk.models import (  # noqa: E402
    JobActivationRequest, JobCompletionRequest, JobCompletionRequestVariables, JobResultActivateElement,
    JobResultActivateElementVariables, JobResultAdHocSubProcess, ProcessCreationById,
    ProcessInstanceCreationInstructionByIdVariables,
)

from sdk_support import Bearer, check, get_ours  # noqa: E402

AGENT = "io.camunda.agenticai:aiagent-job-worker:1"


def ours(path):
    return get_ours(BASE, ADMIN, path)


def one_job(client, job_type):
    """Activates the one job of the type (long polling, bounded by the request timeout)."""
    for _ in range(20):
        jobs = client.activate_jobs(data=JobActivationRequest(
            type_=job_type, timeout=30000, max_jobs_to_activate=5, request_timeout=2000)).jobs
        if jobs:
            check(len(jobs) == 1, f"one {job_type} job at a time")
            return jobs[0]
    check(False, f"a {job_type} job within 40 s")


def variables(job):
    return job.variables.to_dict() if hasattr(job.variables, "to_dict") else dict(job.variables)


def complete(client, job, result=None, **vars):
    client.complete_job(job_key=job.job_key, data=JobCompletionRequest(
        variables=JobCompletionRequestVariables.from_dict(vars), result=result))


def call(tool, call_id, **args):
    return JobResultActivateElement(element_id=tool, variables=JobResultActivateElementVariables.from_dict(
        {"toolCall": {"_meta": {"id": call_id, "name": tool}, **args}}))


def main():
    client = CamundaClient(auth_provider=Bearer(ADMIN))
    deployment = client.deploy_resources_from_files([MODEL])
    check([p.process_definition_id for p in deployment.processes] == ["support-agent-loop"], "the agent model deploys")
    created = client.create_process_instance(data=ProcessCreationById(
        process_definition_id="support-agent-loop",
        variables=ProcessInstanceCreationInstructionByIdVariables.from_dict({"ticket": "order 42?"})))
    instance = ours(f"/processes?definitionId=support-agent-loop")["items"][0]["id"]

    first = one_job(client, AGENT)
    check(str(first.kind.value if hasattr(first.kind, "value") else first.kind) == "AD_HOC_SUB_PROCESS",
          "the agent's job is of kind AD_HOC_SUB_PROCESS")
    tools = [t["elementId"] for t in variables(first)["adHocSubProcessElements"]]
    check(tools == ["lookupOrder", "refund", "askHuman"], f"the job lists the tools: {tools}")
    check(variables(first)["provider"]["type"] == "anthropic", "the static provider input reaches the agent")

    # a bad decision: refused with a problem, nothing changes
    try:
        complete(client, first, JobResultAdHocSubProcess(activate_elements=[call("nope", "x")]))
        check(False, "a result naming an unknown element is refused")
    except Exception as e:
        check("400" in str(e) or "nope" in str(e) or "Bad" in type(e).__name__,
              f"a result naming an unknown element is a 400 problem ({type(e).__name__})")
    check(ours(f"/processes/{instance}")["status"] == "running", "the refused result changed nothing")

    # turn 1: look up the order
    complete(client, first, JobResultAdHocSubProcess(activate_elements=[call("lookupOrder", "c1", orderNumber="42")],
                                                     type_="adHocSubProcess"), agentContext={"turn": 1})
    lookup = one_job(client, "io.camunda:http-json:1")
    check(variables(lookup)["orderNumber"] == "42", "the tool sees its tool call")
    complete(client, lookup, response={"body": "shipped"})

    # turn 2: refund it
    second = one_job(client, AGENT)
    results = variables(second)["toolCallResults"]
    check(results == [{"id": "c1", "name": "lookupOrder", "content": "shipped"}], f"turn 2 sees the result: {results}")
    complete(client, second, JobResultAdHocSubProcess(activate_elements=[call("refund", "c2")]),
             agentContext={"turn": 2})
    refund = one_job(client, "refund-payment")
    complete(client, refund, refunded=True)

    # turn 3: done
    third = one_job(client, AGENT)
    check(len(variables(third)["toolCallResults"]) == 2, "turn 3 sees both results")
    complete(client, third, JobResultAdHocSubProcess(is_completion_condition_fulfilled=True),
             agent={"responseText": "Refunded order 42"})
    deadline = time.monotonic() + 30
    while ours(f"/processes/{instance}")["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.1)  # the server commits the completion asynchronously
    final = ours(f"/processes/{instance}")
    check(final["status"] == "completed", "the agent loop completed the instance")
    check(final["variables"]["agent"] == {"responseText": "Refunded order 42"}, "the agent's answer is mapped out")
    check([r["name"] for r in final["variables"]["toolCallResults"]] == ["lookupOrder", "refund"],
          "the tool call results are collected")
    print("ALL OK", flush=True)


if __name__ == "__main__":
    main()
