"""Execution listeners worked by the real pyzeebe client through our Zeebe gRPC gateway, checked
against swift-bpm's own HTTP API. Run by ZeebeClientTests (Swift):

  zeebe_listener_test.py GRPC_ADDRESS HTTP_BASE BPMN_FILE

The start listener's job is activated with a raw ActivateJobs call first (its kind and
listenerEventType, fields 15 and 16, are unknown to pyzeebe's older generated code, so they are
read as unknown fields); then pyzeebe workers complete the start listener, the service task and
the end listener, and the process goes on to its end. Prints `ok   …` per check; exits 1 at the
first failure.
"""
import asyncio
import sys

from google.protobuf import unknown_fields
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from driver_support import fail, get, ok, until

GRPC, HTTP, BPMN = sys.argv[1], sys.argv[2], sys.argv[3]


async def main():
    channel = create_insecure_channel(grpc_address=GRPC)
    client = ZeebeClient(channel)
    await client.deploy_resource(BPMN)
    created = await client.run_process("audited-payment", {"amount": 30})
    instance = next(i["id"] for i in get("/processes?definitionId=audited-payment&limit=10")["items"])
    ok(f"CreateProcessInstance {created.process_instance_key}: the instance waits at its start listener")

    stub = gateway_pb2_grpc.GatewayStub(channel)
    response = stub.ActivateJobs(gateway_pb2.ActivateJobsRequest(
        type="fraud-check", worker="raw", timeout=1000, maxJobsToActivate=1, requestTimeout=5000))
    jobs = [j async for r in response for j in r.jobs]
    if len(jobs) != 1 or jobs[0].retries != 2:
        fail(f"ActivateJobs fraud-check: {jobs}")
    extra = {f.field_number: f.data for f in unknown_fields.UnknownFieldSet(jobs[0])}
    if extra.get(15) != 1 or extra.get(16) != 1:
        fail(f"the listener job's kind and listenerEventType (15, 16) are {extra}, not EXECUTION_LISTENER, START")
    ok("ActivatedJob kind EXECUTION_LISTENER (15 = 1), listenerEventType START (16 = 1), retries 2")
    pending = [w["elementId"] for w in get(f"/processes/{instance}")["waitingAt"]]
    await stub.FailJob(gateway_pb2.FailJobRequest(jobKey=jobs[0].key, retries=1, errorMessage="retry me"))
    ok(f"FailJob with a retry left: the listener job is created again (waiting at {pending})")

    worker = ZeebeWorker(channel, name="payments", request_timeout=1000)
    seen = []

    @worker.task(task_type="fraud-check")
    async def fraud_check(amount: int):
        seen.append("fraud-check")
        return {"risk": "low" if amount < 100 else "high"}

    @worker.task(task_type="charge-card")
    async def charge_card(risk: str):
        seen.append("charge-card")
        return {"charged": risk == "low"}

    @worker.task(task_type="audit-log")
    async def audit_log(charged: bool):
        seen.append("audit-log")
        return {"audited": charged}

    task = asyncio.create_task(worker.work())
    done = await until("the instance completes", lambda: next((
        s for s in [get(f"/processes/{instance}")] if s["status"] == "completed"), None))
    if seen != ["fraud-check", "charge-card", "audit-log"]:
        fail(f"jobs ran in the order {seen}")
    if done["variables"].get("audited") is not True or done["variables"].get("risk") != "low":
        fail(f"variables: {done['variables']}")
    events = [(e.get("elementId"), e.get("event")) for e in get(f"/processes/{instance}/history")]
    if ("charge", "listener_failed") not in events or events.index(("charge", "activated")) > \
            events.index(("charge", "completing")):
        fail(f"history: {events}")
    ok("pyzeebe completed the start listener, the service task and the end listener in order; the process ended")
    await worker.stop()
    await task
    await channel.close()


asyncio.run(main())
