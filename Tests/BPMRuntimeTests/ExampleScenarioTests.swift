import BPMEngine
import BPMExpressions
import BPMModel
import BPMRuntime
import Foundation
import Testing

let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let simStart = Date(timeIntervalSince1970: 1_800_000_000)

func example(_ name: String) throws -> ProcessDefinition {
    try DefinitionLoader.load(path: repoRoot.appendingPathComponent("examples/\(name).yaml").path).0
}

/// A simulation of an example with a recording connector for every action.
func simulation(_ name: String, _ configure: (RecordingConnector) -> Void = { _ in }) throws -> (Simulation, RecordingConnector) {
    let recorder = RecordingConnector()
    configure(recorder)
    return (Simulation(definition: try example(name), connectors: ConnectorRegistry(fallback: recorder), start: simStart), recorder)
}

func telemetry(_ device: String, _ temp: Double) -> Value {
    ["name": "heatpump", "tags": ["device_id": .string(device)], "fields": ["flow_temp_c": .number(temp)], "timestamp": "2026-11-26T10:00:00Z"]
}

extension Simulation {
    var actions: [String] { effects.map(\.action) }
}

@Suite struct TemperatureControlScenarios {
    @Test func normalOperationDoesNotStartAnInstance() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.deliver(event: telemetry("hp1", 22.0))
        #expect(sim.statusWord == "not_started")
    }

    @Test func normalTemperatureStartedByHandLogsNormal() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.start(variables: ["device_id": "hp1", "temperature": 22.0, "threshold": 25.0])
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["start", "check_temp", "log_normal", "end"])
        #expect(sim.effects.map(\.payload) == [["message": "Temperature normal: 22°C"]])
    }

    @Test func thresholdExceededActivatesCoolingAndWaits() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.deliver(event: telemetry("hp1", 27.5))
        #expect(sim.statusWord == "waiting")
        #expect(sim.state?.currentActivities == ["wait_recheck"])
        #expect(sim.effects.first?.action == "mqtt_publish")
        #expect(sim.effects.first?.payload == ["topic": "home/heatpump/control", "payload": ["device_id": "hp1", "command": "activate_cooling"]])
        #expect(sim.timers.first?.dueAt == simStart + 300)
    }

    @Test func coolingWorksWhenTheNextReadingIsNormal() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.deliver(event: telemetry("hp1", 27.5))
        await sim.deliver(event: telemetry("hp1", 22.0))
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
        #expect(sim.path == ["start", "check_temp", "activate_cooling", "wait_recheck", "recheck_temp", "log_success", "end"])
        #expect(sim.state?.variables["temperature"] == 22)
    }

    @Test func coolingFailsEscalates() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.deliver(event: telemetry("hp1", 27.5))
        await sim.deliver(event: telemetry("hp1", 28.0))
        await sim.runTimers()
        #expect(sim.path.suffix(3) == ["recheck_temp", "escalate", "end"])
        #expect(sim.effects.last?.payload == ["channel": "alert", "message": "Temperature still high after cooling"])
    }

    @Test func aReadingForAnotherRoomDoesNotTouchThisInstance() async throws {
        var (sim, _) = try simulation("temperature-control")
        await sim.deliver(event: telemetry("hp1", 27.5))
        await sim.deliver(event: telemetry("hp2", 22.0))
        await sim.runTimers()
        #expect(sim.path.suffix(2) == ["escalate", "end"])
        #expect(sim.notes.contains { $0.contains("'hp2'") })
    }
}

@Suite struct DeviceOnboardingScenarios {
    func registration(_ id: String, model: String? = "HP-200", firmware: Double = 3) -> Value {
        var fields: [String: Value] = ["firmware": .number(firmware), "owner_email": "owner@example.com"]
        if let model { fields["model"] = .string(model) }
        return ["name": "device_registered", "tags": ["device_id": .string(id)], "fields": .context(fields)]
    }

    @Test func successfulOnboarding() async throws {
        var (sim, _) = try simulation("device-onboarding")
        await sim.deliver(event: registration("dev-1"))
        #expect(sim.statusWord == "completed")
        #expect(sim.actions == ["http", "mqtt_publish", "database_log", "notify"])
        #expect(sim.effects[0].payload[member: "body"] == ["device_id": "dev-1", "model": "HP-200"])
        #expect(sim.effects[1].payload[member: "topic"] == "home/devices/dev-1/config")
        #expect(sim.state?.variables["onboarding"] == "completed")
    }

    @Test func invalidDeviceData() async throws {
        var (sim, _) = try simulation("device-onboarding")
        await sim.deliver(event: registration("dev-2", model: nil))
        #expect(sim.path == ["start", "validate_device_info", "info_ok", "log_invalid", "notify_admin", "end"])
        #expect(sim.effects.map(\.action) == ["database_log", "notify"])
    }

    @Test func incompatibleDevice() async throws {
        var (sim, _) = try simulation("device-onboarding")
        await sim.deliver(event: registration("dev-3", model: "XYZ-1"))
        #expect(sim.path.contains("log_error"))
        #expect(sim.effects.last?.payload == ["channel": "admin", "message": "Device dev-3 could not be onboarded"])
    }

    @Test func networkFailureDuringProvisioningIsRetriedWithBackoff() async throws {
        var (sim, recorder) = try simulation("device-onboarding") { $0.fail("http", times: 2, message: "connection refused") }
        await sim.deliver(event: registration("dev-4"))
        #expect(sim.statusWord == "waiting")  // waiting for the retry backoff
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
        #expect(recorder.calls.filter { $0.action == "http" }.map(\.attempt) == [1, 2, 3])
        #expect(sim.now == simStart + 2 + 4)  // backoff 2s, then 4s
    }

    @Test func provisioningThatKeepsFailingBecomesAnIncident() async throws {
        var (sim, recorder) = try simulation("device-onboarding") { $0.fail("http", message: "registry down") }
        await sim.deliver(event: registration("dev-5"))
        await sim.runTimers()
        #expect(sim.statusWord == "waiting")
        #expect(recorder.calls.filter { $0.action == "http" }.count == 4)
        let incident = try #require(sim.state?.incidents.first)
        #expect(incident.elementId == "provision_device")
        #expect(incident.message.contains("registry down"))
    }

    @Test func duplicateRegistrationJoinsTheRunningOnboarding() async throws {
        var (sim, _) = try simulation("device-onboarding") { $0.fail("http", message: "registry down") }
        await sim.deliver(event: registration("dev-6"))
        await sim.deliver(event: registration("dev-6", firmware: 4))
        #expect(sim.history.filter { $0.event == "started" }.count == 1)
        #expect(sim.history.contains { $0.event == "correlated" })
        #expect(sim.state?.variables["firmware"] == 4)
    }
}

@Suite struct MaintenanceAlertScenarios {
    func alarm(_ device: String, severity: Double, active: Bool = true, code: String = "E42") -> Value {
        ["tags": ["device_id": .string(device)], "fields": ["severity": .number(severity), "active": .bool(active), "code": .string(code)]]
    }

    @Test func criticalAlertActsImmediately() async throws {
        var (sim, _) = try simulation("maintenance-alert") { $0.respond("http", with: ["ticket_id": "T-1"]) }
        await sim.deliver(event: alarm("d1", severity: 9))
        #expect(sim.actions == ["notify", "http"])
        #expect(sim.state?.variables["ticket"] == ["ticket_id": "T-1"])
        let task = try #require(sim.openTasks.first)
        #expect(task.candidateGroups == ["technicians"])
        #expect(task.description == "Fix alarm E42 on d1")
        await sim.completeTask(task.id, variables: ["fixed": false])  // verification fails: back to the technician
        let again = try #require(sim.openTasks.first)
        await sim.completeTask(again.id, variables: ["fixed": true])
        #expect(sim.statusWord == "completed")
        #expect(sim.path.suffix(3) == ["verify_fix", "close_ticket", "closed"])
    }

    @Test func warningThatAutoResolves() async throws {
        var (sim, _) = try simulation("maintenance-alert")
        await sim.deliver(event: alarm("d2", severity: 5))
        #expect(sim.state?.currentActivities == ["schedule_check"])
        await sim.deliver(event: alarm("d2", severity: 5, active: false))
        await sim.runTimers()
        #expect(sim.path.suffix(3) == ["resolved", "close_warning", "closed"])
    }

    @Test func warningThatEscalates() async throws {
        var (sim, _) = try simulation("maintenance-alert")
        await sim.deliver(event: alarm("d3", severity: 5))
        await sim.runTimers()
        #expect(sim.path.contains("escalate_to_critical"))
        #expect(sim.state?.variables["escalated"] == true)
        #expect(sim.openTasks.first?.elementId == "wait_for_resolution")
    }

    @Test func infoIsOnlyLogged() async throws {
        var (sim, _) = try simulation("maintenance-alert")
        await sim.deliver(event: alarm("d4", severity: 1))
        #expect(sim.path == ["start", "categorize_alert", "severity", "log_only", "end"])
    }

    @Test func multipleAlertsForTheSameDeviceShareOneInstance() async throws {
        var (sim, _) = try simulation("maintenance-alert")
        await sim.deliver(event: alarm("d5", severity: 5, code: "E1"))
        await sim.deliver(event: alarm("d5", severity: 6, code: "E2"))
        #expect(sim.history.filter { $0.event == "started" }.count == 1)
        #expect(sim.state?.variables["alarm_code"] == "E2")
    }
}

@Suite struct EnergyOptimizationScenarios {
    func power(_ watts: Double) -> Value {
        ["tags": ["site_id": "s1"], "fields": ["power_w": .number(watts), "consumers": [["name": "heatpump", "watts": 800], ["name": "fridge", "watts": 150]]]]
    }

    @Test func successfulOptimization() async throws {
        var (sim, _) = try simulation("energy-optimization")
        await sim.deliver(event: power(1500))
        #expect(sim.effects.first?.payload[member: "payload"] == ["command": "reduce_load", "targets": ["heatpump"]])
        await sim.deliver(event: power(800))
        await sim.runTimers()
        #expect(sim.statusWord == "completed")
        #expect(sim.state?.variables["outcome"] == "optimized")
        #expect(sim.state?.variables["cycle"] == 1)
    }

    @Test func optimizationThatFailsNeedsManualIntervention() async throws {
        var (sim, _) = try simulation("energy-optimization")
        await sim.deliver(event: power(1500))
        await sim.runTimers()
        #expect(sim.actions == ["mqtt_publish", "mqtt_publish", "notify"])
        #expect(sim.effects.last?.payload[member: "message"] == "Site s1 still draws 1500 W after 2 optimization cycles; manual action needed")
    }

    @Test func multipleOptimizationCycles() async throws {
        var (sim, _) = try simulation("energy-optimization")
        await sim.deliver(event: power(1500))
        await sim.deliver(event: power(1400))
        await sim.runTimers(until: simStart + 15 * 60)
        #expect(sim.state?.variables["cycle"] == 1)
        #expect(sim.state?.currentActivities == ["wait_settle"])
        await sim.deliver(event: power(900))
        await sim.runTimers()
        #expect(sim.state?.variables["cycle"] == 2)
        #expect(sim.path.filter { $0 == "further_optimization" }.count == 1)
        #expect(sim.path.suffix(2) == ["log_optimization", "done"])
    }
}

@Suite struct DataQualityScenarios {
    func batch(_ readings: Value?) -> Value {
        var fields: [String: Value] = [:]
        if let readings { fields["readings"] = readings }
        return ["name": "batch", "tags": ["source": "gw1", "batch": "b1"], "fields": .context(fields)]
    }

    @Test func validData() async throws {
        var (sim, _) = try simulation("data-quality-check")
        await sim.deliver(event: batch([20, 22, 24]))
        #expect(sim.path.suffix(4) == ["transform_data", "store", "publish_success", "accepted"])
        #expect(sim.state?.variables["average"] == 22)
        #expect(sim.effects.last?.payload[member: "topic"] == "data-quality/gw1/success")
    }

    @Test func invalidFormatIsCorrected() async throws {
        var (sim, _) = try simulation("data-quality-check")
        await sim.deliver(event: batch([20, nil, 24, 22]))
        #expect(sim.path.contains("attempt_correction"))
        #expect(sim.path.suffix(3) == ["store_corrected", "publish_warning", "accepted"])
        #expect(sim.state?.variables["readings"] == [20, 22, 24, 22])
    }

    @Test func missingRequiredFieldsAreRejected() async throws {
        var (sim, _) = try simulation("data-quality-check")
        await sim.deliver(event: batch(nil))
        #expect(sim.path.suffix(4) == ["reject", "error_rate_check", "notify_source", "end"])
        #expect(sim.state?.variables["format_ok"] == false)
        #expect(sim.actions.last == "mqtt_publish")
        #expect(sim.effects.last?.payload[member: "topic"] == "data-quality/gw1/rejected")
    }

    @Test func highErrorRateAlertsTheAdmin() async throws {
        var (sim, _) = try simulation("data-quality-check")
        await sim.deliver(event: batch([20, nil, nil, nil]))
        #expect(sim.path.contains("alert_admin"))
        #expect(sim.effects.last?.payload == ["channel": "admin", "message": "High error rate from gw1: 0.75"])
    }
}

@Suite struct ApprovalScenarios {
    func request(_ amount: Double) -> Value {
        ["tags": ["request_id": "r1"], "fields": ["amount": .number(amount), "requester": "ann@example.com", "action": "buy pump"]]
    }

    @Test func approvalGranted() async throws {
        var (sim, _) = try simulation("approval")
        await sim.deliver(event: request(500))
        let task = try #require(sim.openTasks.first)
        #expect(task.elementId == "wait_for_approval")
        #expect(task.form?[member: "required"] == ["approved"])
        await sim.completeTask(task.id, variables: ["approved": true])
        #expect(sim.actions == ["mqtt_publish", "notify"])
        #expect(sim.state?.variables["request_status"] == "approved")
    }

    @Test func approvalDenied() async throws {
        var (sim, _) = try simulation("approval")
        await sim.deliver(event: request(500))
        await sim.completeTask(try #require(sim.openTasks.first).id, variables: ["approved": false])
        #expect(sim.actions == ["notify", "database_log"])
        #expect(sim.state?.variables["request_status"] == "rejected")
    }

    @Test func approvalTimeoutEscalates() async throws {
        var (sim, _) = try simulation("approval")
        await sim.deliver(event: request(500))
        await sim.runTimers()
        #expect(sim.now == simStart + 48 * 3600)
        #expect(sim.history.contains { $0.elementId == "wait_for_approval" && $0.event == "terminated" })
        let director = try #require(sim.openTasks.first)
        #expect(director.candidateGroups == ["directors"])
        await sim.completeTask(director.id, variables: ["approved": true])
        #expect(sim.state?.variables["request_status"] == "approved")
    }

    @Test func largeRequestsNeedTwoApproversInParallel() async throws {
        var (sim, _) = try simulation("approval")
        await sim.deliver(event: request(20000))
        #expect(Set(sim.openTasks.map(\.elementId)) == ["finance_approval", "operations_approval"])
        let finance = try #require(sim.openTasks.first { $0.elementId == "finance_approval" })
        await sim.completeTask(finance.id, variables: ["finance_approved": true])
        #expect(sim.statusWord == "waiting")
        let ops = try #require(sim.openTasks.first)
        await sim.completeTask(ops.id, variables: ["operations_approved": true])
        #expect(sim.state?.variables["request_status"] == "approved")
    }
}

@Suite struct ScheduledMaintenanceScenarios {
    @Test func routineCheckWithNoIssues() async throws {
        var (sim, _) = try simulation("scheduled-maintenance") { $0.respond("http", with: ["devices": [["id": "a", "status": "ok"], ["id": "b", "status": "ok"]]]) }
        await sim.start(variables: [:])
        #expect(sim.path.suffix(2) == ["log_healthy", "end"])
        #expect(sim.effects.last?.payload == ["message": "All devices healthy: 2 devices checked, 0 with issues"])
    }

    @Test func issuesDetectedScheduleMaintenance() async throws {
        var (sim, _) = try simulation("scheduled-maintenance") { $0.respond("http", with: ["devices": [["id": "a", "status": "ok"], ["id": "b", "status": "error"]]]) }
        await sim.start(variables: [:])
        #expect(sim.actions == ["http", "database_log", "notify"])
        #expect(sim.state?.variables["issue_count"] == 1)
        #expect(sim.openTasks.first?.elementId == "create_maintenance_tasks")
    }

    @Test func maintenanceCompletionIsVerified() async throws {
        var (sim, _) = try simulation("scheduled-maintenance") { $0.respond("http", with: ["devices": [["id": "b", "status": "error"]]]) }
        await sim.start(variables: [:])
        await sim.completeTask(try #require(sim.openTasks.first).id, variables: ["all_fixed": false])
        #expect(sim.openTasks.count == 1, "not verified: the task comes back")
        await sim.completeTask(try #require(sim.openTasks.first).id, variables: ["all_fixed": true])
        #expect(sim.statusWord == "completed")
        #expect(sim.path.suffix(3) == ["verify_completion", "log_completed", "finished"])
    }

    @Test func overdueMaintenanceIsReported() async throws {
        var (sim, _) = try simulation("scheduled-maintenance") { $0.respond("http", with: ["devices": [["id": "b", "status": "error"]]]) }
        await sim.start(variables: [:])
        await sim.runTimers()
        #expect(sim.path.contains("maintenance_overdue"))
        #expect(sim.statusWord == "completed")
    }
}
