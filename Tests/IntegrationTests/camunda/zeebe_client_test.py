"""Drives a live `bpm serve` through its Zeebe gRPC gateway with the real pyzeebe client and
checks every step against swift-bpm's own HTTP API. Run by ZeebeClientTests (Swift) in two phases:

  zeebe_client_test.py GRPC_ADDRESS HTTP_BASE run BPMN_FILE
      deploy, start three orders, a worker completing check-stock jobs (and throwing the BPMN
      error OUT_OF_STOCK for one), a message published before its instance waits (with TTL and a
      messageId), a signal broadcast, a cancellation, and a ship-order job failed to an incident;
      prints `state {json}` for the second phase.
  zeebe_client_test.py GRPC_ADDRESS HTTP_BASE resolve INSTANCE_ID JOB_KEY INCIDENT_KEY
      ResolveIncident refused before the retries are raised, UpdateJobRetries, ResolveIncident,
      and the worker completing the job: the order ships.

Prints `ok   …` per check; exits 1 at the first failure.
"""
import asyncio
import json
import os
import sys

import grpc
from pyzeebe import Job, ZeebeClient, ZeebeWorker, create_insecure_channel, errors
from pyzeebe.proto import gateway_pb2, gateway_pb2_grpc

from driver_support import fail, get, ok, until

GRPC, HTTP, PHASE = sys.argv[1], sys.argv[2], sys.argv[3]


def instance_by_order(order_id):
    for item in get("/processes?definitionId=order-fulfilment&limit=100")["items"]:
        full = get(f"/processes/{item['id']}")
        if full["variables"].get("orderId") == order_id:
            return full
    fail(f"our API lists no instance for order {order_id}")


def history(instance_id):
    return [e.get("elementId") for e in get(f"/processes/{instance_id}/history")]


async def run_phase(client, channel, bpmn):
    topology = await client.topology()
    if not topology.brokers or topology.brokers[0].partitions[0].role != 0:
        fail(f"topology: {topology}")
    ok(f"Topology: {len(topology.brokers)} broker leading partition 1 (gateway {topology.gateway_version})")
    health = await client.healthcheck()
    if health.status != 1:
        fail(f"health: {health}")
    ok("the gRPC health check answers SERVING")

    deployed = await client.deploy_resource(bpmn)
    process = deployed.deployments[0]
    if process.bpmn_process_id != "order-fulfilment" or process.process_definition_key <= 0:
        fail(f"DeployResource: {deployed}")
    if get("/definitions/order-fulfilment")["id"] != "order-fulfilment":
        fail("our API does not list the deployed definition")
    ok(f"DeployResource: order-fulfilment version {process.version}, key {process.process_definition_key}")

    await evaluate_decision(client, channel, bpmn)

    # the message comes before its instance waits: buffered for its TTL, then correlated
    await client.publish_message("payment-received", "o-1", {"paid": 42.5},
                                 time_to_live_in_milliseconds=60000, message_id="pay-o-1")
    try:
        await client.publish_message("payment-received", "o-1", {"paid": 1},
                                     time_to_live_in_milliseconds=60000, message_id="pay-o-1")
        fail("a second message with the same messageId was accepted")
    except errors.MessageAlreadyExistsError:
        ok("PublishMessage: a second message with the same messageId is ALREADY_EXISTS")

    keys = {}
    for order, item in (("o-1", "book"), ("o-2", "unicorn"), ("o-3", "lamp")):
        created = await client.run_process("order-fulfilment", {"orderId": order, "item": item})
        keys[order] = created.process_instance_key
    ok(f"CreateProcessInstance: three orders, keys {sorted(keys.values())}")

    shipped_job = {}
    stock = ZeebeWorker(channel, name="stock-worker", stream_enabled=True, request_timeout=1000)
    shipping = ZeebeWorker(channel, name="shipping-worker", request_timeout=1000)

    @stock.task(task_type="check-stock")
    async def check_stock(item: str):
        if item == "unicorn":
            raise errors.BusinessError("OUT_OF_STOCK", "no unicorns left")
        return {"reserved": True}

    @shipping.task(task_type="ship-order")
    async def ship_order(job: Job):
        shipped_job["key"] = job.key
        raise RuntimeError("the carrier is unavailable")

    workers = [asyncio.create_task(stock.work()), asyncio.create_task(shipping.work())]
    ids = {o: instance_by_order(o)["id"] for o in keys}

    await until("o-2 ends at the error boundary", lambda: (
        get(f"/processes/{ids['o-2']}")["status"] == "completed" and "Event_rejected" in history(ids["o-2"])))
    ok("ThrowError: the boundary caught OUT_OF_STOCK and order o-2 ended rejected")

    waiting = await until("o-1 waits for the signal", lambda: next((
        s for s in [get(f"/processes/{ids['o-1']}")]
        if any(w["elementId"] == "Event_warehouse_open" for w in s["waitingAt"])), None))
    if waiting["variables"].get("paid") != 42.5 or waiting["variables"].get("reserved") is not True:
        fail(f"o-1's variables: {waiting['variables']}")
    ok("CompleteJob + the buffered message: o-1 has reserved=true and paid=42.5 and waits for the signal")

    await until("o-3 waits for its payment", lambda: any(
        w["elementId"] == "Event_payment_received" for w in get(f"/processes/{ids['o-3']}")["waitingAt"]))
    await client.cancel_process_instance(keys["o-3"])
    await until("o-3 is terminated", lambda: get(f"/processes/{ids['o-3']}")["status"] == "terminated")
    ok("CancelProcessInstance: our API shows o-3 terminated")

    await client.broadcast_signal("warehouse-open")
    incident = await until("the ship-order job fails to an incident", lambda: next(iter(
        get(f"/incidents?instanceId={ids['o-1']}")["items"]), None))
    if "carrier is unavailable" not in json.dumps(incident):
        fail(f"the incident does not carry the worker's message: {incident}")
    ok("BroadcastSignal, then FailJob with no retries left: an incident with the worker's message")

    for w in (stock, shipping):
        await w.stop()
    for t in workers:
        await t
    print("state " + json.dumps({"instance": ids["o-1"], "jobKey": str(shipped_job["key"]),
                                 "incident": incident["id"]}), flush=True)


async def evaluate_decision(client, channel, bpmn):
    """Deploys Tests/Fixtures/camunda8/dinner.dmn and evaluates `dish` (a FIRST table requiring `season`)."""
    dmn = os.path.join(os.path.dirname(bpmn), "..", "..", "Fixtures", "camunda8", "dinner.dmn")
    deployed = await client.deploy_resource(dmn)
    keys = {d.dmn_decision_id: d.decision_key for d in deployed.deployments if hasattr(d, "dmn_decision_id")}
    e = await client.evaluate_decision(keys["dish"], None, {"month": 9, "guests": 4})
    evaluated = [(d.decision_id, d.decision_type, d.decision_key) for d in e.evaluated_decisions]
    if e.decision_output != "Ribs" or e.failed_decision_id or evaluated != [
            ("season", "LITERAL_EXPRESSION", keys["season"]), ("dish", "DECISION_TABLE", keys["dish"])]:
        fail(f"EvaluateDecision: {e}")
    table = e.evaluated_decisions[1]
    inputs = [(i.input_id, i.input_name, i.input_value) for i in table.evaluated_inputs]
    rules = [(r.rule_id, r.rule_index, [(o.output_id, o.output_name, o.output_value) for o in r.evaluated_outputs])
             for r in table.matched_rules]
    if inputs != [("inSeason", "Season of the year", "Autumn"), ("inGuests", "guests", 4)] \
            or rules != [("rule-ribs", 2, [("outDish", "dish", "Ribs")])]:
        fail(f"EvaluateDecision's table: inputs {inputs}, rules {rules}")
    failed = await client.evaluate_decision(None, "strict", {"guests": 1})
    if failed.failed_decision_id != "strict" or "UNIQUE" not in failed.failure_message:
        fail(f"EvaluateDecision of a failing decision: {failed}")
    ok("EvaluateDecision: season, then dish with its inputs and matched rule rule-ribs (index 2); "
       "a failure names its decision")


async def resolve_phase(client, channel, instance_id, job_key, incident_key):
    stub = gateway_pb2_grpc.GatewayStub(channel)
    try:
        await stub.ResolveIncident(gateway_pb2.ResolveIncidentRequest(incidentKey=incident_key))
        fail("ResolveIncident was accepted with no retries left")
    except grpc.aio.AioRpcError as e:
        if e.code() != grpc.StatusCode.FAILED_PRECONDITION:
            fail(f"ResolveIncident before UpdateJobRetries: {e.code()} {e.details()}")
        ok("ResolveIncident before UpdateJobRetries is FAILED_PRECONDITION, as Zeebe answers")
    try:
        await stub.CompleteJob(gateway_pb2.CompleteJobRequest(jobKey=job_key, variables="[1, 2]"))
        fail("CompleteJob took variables that are not an object")
    except grpc.aio.AioRpcError as e:
        if e.code() != grpc.StatusCode.INVALID_ARGUMENT:
            fail(f"CompleteJob with a list as variables: {e.code()}")
        ok("CompleteJob with variables that are not a JSON object is INVALID_ARGUMENT")
    await stub.UpdateJobRetries(gateway_pb2.UpdateJobRetriesRequest(jobKey=job_key, retries=1))
    await stub.ResolveIncident(gateway_pb2.ResolveIncidentRequest(incidentKey=incident_key))
    ok("UpdateJobRetries, then ResolveIncident")

    shipping = ZeebeWorker(channel, name="shipping-worker", request_timeout=1000)

    @shipping.task(task_type="ship-order")
    async def ship_order(orderId: str):
        return {"tracking": f"T-{orderId}"}

    worker = asyncio.create_task(shipping.work())
    done = await until("o-1 ships", lambda: next((
        s for s in [get(f"/processes/{instance_id}")] if s["status"] == "completed"), None))
    if done["variables"].get("tracking") != "T-o-1" or "Event_shipped" not in history(instance_id):
        fail(f"o-1 did not end shipped: {done}")
    if get(f"/incidents?instanceId={instance_id}")["items"]:
        fail("the incident is still open")
    ok("the job runs again and completes: o-1 ends shipped with tracking T-o-1, no open incident")
    await shipping.stop()
    await worker


async def main():
    channel = create_insecure_channel(grpc_address=GRPC)
    client = ZeebeClient(channel)
    if PHASE == "run":
        await run_phase(client, channel, sys.argv[4])
    else:
        await resolve_phase(client, channel, sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    await channel.close()


asyncio.run(main())
