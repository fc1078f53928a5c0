"""Process instance modification and start instructions through our Zeebe gRPC gateway with the
real pyzeebe client (its channel and generated protocol code: pyzeebe 4.7 has no method of its
own for these RPCs), checked against swift-bpm's own HTTP API. Run by ZeebeClientTests (Swift):

  zeebe_modify_test.py GRPC_ADDRESS HTTP_BASE BPMN_FILE

An instance waits at `fetch`; ModifyProcessInstance terminates that job's element instance and
activates `store` with a variable; a pyzeebe worker completes `store` and the instance ends. A
second instance is created with a start instruction at `store`. Prints `ok   …` per check;
exits 1 at the first failure.
"""
import asyncio
import json
import sys

import grpc
from pyzeebe import ZeebeClient, ZeebeWorker, create_insecure_channel
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from driver_support import fail, get, ok, until

GRPC, HTTP, BPMN = sys.argv[1], sys.argv[2], sys.argv[3]


async def main():
    channel = create_insecure_channel(grpc_address=GRPC)
    client = ZeebeClient(channel)
    await client.deploy_resource(BPMN)
    created = await client.run_process("repair", {"order": 7})
    stub = gateway_pb2_grpc.GatewayStub(channel)
    response = stub.ActivateJobs(gateway_pb2.ActivateJobsRequest(
        type="fetch", worker="raw", timeout=60000, maxJobsToActivate=1, requestTimeout=5000))
    jobs = [j async for r in response for j in r.jobs]
    if len(jobs) != 1:
        fail(f"ActivateJobs fetch: {jobs}")
    instance = next(i["id"] for i in get("/processes?definitionId=repair&limit=10")["items"])
    ok(f"instance {created.process_instance_key} waits at fetch")

    await stub.ModifyProcessInstance(gateway_pb2.ModifyProcessInstanceRequest(
        processInstanceKey=created.process_instance_key,
        activateInstructions=[gateway_pb2.ModifyProcessInstanceRequest.ActivateInstruction(
            elementId="store",
            variableInstructions=[gateway_pb2.ModifyProcessInstanceRequest.VariableInstruction(
                variables=json.dumps({"fetched": False}))])],
        terminateInstructions=[gateway_pb2.ModifyProcessInstanceRequest.TerminateInstruction(
            elementInstanceKey=jobs[0].elementInstanceKey)]))
    waiting = [w["elementId"] for w in get(f"/processes/{instance}")["waitingAt"]]
    if waiting != ["store"]:
        fail(f"after ModifyProcessInstance the instance waits at {waiting}")
    ok("ModifyProcessInstance: fetch terminated, store activated")

    try:
        await stub.ModifyProcessInstance(gateway_pb2.ModifyProcessInstanceRequest(
            processInstanceKey=created.process_instance_key,
            activateInstructions=[gateway_pb2.ModifyProcessInstanceRequest.ActivateInstruction(elementId="nope")]))
        fail("activating an unknown element was accepted")
    except grpc.aio.AioRpcError as e:
        if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
            fail(f"activating an unknown element: {e.code()} {e.details()}")
    ok("activating an unknown element is INVALID_ARGUMENT")

    started = await stub.CreateProcessInstance(gateway_pb2.CreateProcessInstanceRequest(
        bpmnProcessId="repair", variables="{}",
        startInstructions=[gateway_pb2.ProcessInstanceCreationStartInstruction(elementId="store")]))
    ok(f"CreateProcessInstance with a start instruction at store: {started.processInstanceKey}")

    worker = ZeebeWorker(channel, name="repairs", request_timeout=1000)
    stored = []

    @worker.task(task_type="store")
    async def store(fetched: bool = True):
        stored.append(fetched)
        return {"stored": True}

    task = asyncio.create_task(worker.work())
    await until("both instances complete", lambda: all(
        i["status"] == "completed" for i in get("/processes?definitionId=repair&limit=10")["items"]) or None)
    done = get(f"/processes/{instance}")
    if done["variables"].get("fetched") is not False or sorted(stored) != [False, True]:
        fail(f"variables {done['variables']}, store saw {stored}")
    ok("pyzeebe completed store in both instances: the modified one with fetched = false")
    await worker.stop()
    task.cancel()


asyncio.run(main())
