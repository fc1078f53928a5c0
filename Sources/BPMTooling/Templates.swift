/// Starting points for new processes (`bpm new TEMPLATE NAME`): a definition and its test
/// file, valid and passing as generated. `__ID__` is replaced by the process id and
/// `__TITLE__` by a human name made from it.
public enum ProcessTemplates {
    public struct Template: Sendable {
        public var name: String
        public var summary: String
        public var definition: String
        public var test: String
    }

    /// The files of a template for a process id: (definition, test).
    public static func render(_ t: Template, id: String) -> (definition: String, test: String) {
        let title = id.split(whereSeparator: { $0 == "-" || $0 == "_" }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        func fill(_ s: String) -> String { s.replacingOccurrences(of: "__ID__", with: id).replacingOccurrences(of: "__TITLE__", with: title) }
        return (fill(t.definition), fill(t.test))
    }

    public static func named(_ name: String) -> Template? { all.first { $0.name == name } }

    public static let all: [Template] = [threshold, approval, scheduledCheck, deviceOnboarding]

    static let threshold = Template(
        name: "threshold",
        summary: "an event-triggered process: a reading over a threshold acts, waits, re-checks and escalates",
        definition: """
        # __TITLE__: started when a reading on the topic crosses the threshold.
        # Acts (MQTT command), waits, and escalates when the next reading is still too high.
        id: __ID__
        name: __TITLE__
        version: 1.0

        trigger:
          type: event
          source: redpanda
          topic: sensor-telemetry             # the Redpanda/Kafka topic to watch
          condition: fields.value > 25

        variables:
          - name: device_id
            source: tags.device_id
          - name: value
            source: fields.value
          - name: threshold
            value: 25

        # later readings of the same device refresh `value` in the running instance
        correlation_key: device_id

        activities:
          - id: act
            type: service
            action: mqtt_publish
            topic: devices/${device_id}/control
            payload:
              device_id: ${device_id}
              command: reduce
            retries: 3
          - id: wait
            type: timer
            duration: 5m
          - id: recheck
            type: decision
            condition: value <= threshold
            true_path: log_recovered
            false_path: escalate
          - id: log_recovered
            type: service
            action: database_log
            message: "${device_id} back to ${value}"
            next: recovered
          - id: recovered
            type: end
            result:
              outcome: recovered
          - id: escalate
            type: service
            action: notify
            channel: alert
            message: "${device_id} still at ${value} after 5 minutes"
          - id: escalated
            type: end
            result:
              outcome: escalated

        """,
        test: """
        # Scenarios for __ID__.yaml. Run: bpm test __ID__.test.yaml
        scenarios:
          - name: a normal reading starts nothing
            events:
              - {tags: {device_id: d1}, fields: {value: 20}}
            expect:
              status: not_started

          - name: the value recovers after the command
            events:
              - {tags: {device_id: d1}, fields: {value: 30}}
              - {tags: {device_id: d1}, fields: {value: 22}}
            expect:
              status: completed
              path: [start, act, wait, recheck, log_recovered, recovered]
              variables: {outcome: recovered}
              calls:
                - action: mqtt_publish
                  payload: {topic: devices/d1/control, payload: {command: reduce}}
                - action: database_log

          - name: still too high after the wait escalates
            events:
              - {tags: {device_id: d1}, fields: {value: 30}}
            expect:
              path_includes: [recheck, escalate, escalated]
              variables: {outcome: escalated}

          - name: a failing command becomes an incident
            stubs:
              mqtt_publish: {fail: broker unreachable}
            events:
              - {tags: {device_id: d1}, fields: {value: 30}}
            expect:
              status: waiting
              incidents: [{element: act, message: broker unreachable}]

        """)

    static let approval = Template(
        name: "approval",
        summary: "a person approves or rejects; no answer in time escalates to someone else",
        definition: """
        # __TITLE__: a request is approved or rejected by a person; after 48 hours without an
        # answer it escalates to the leads.
        id: __ID__
        name: __TITLE__
        version: 1.0

        trigger:
          type: manual                        # started with POST /processes/__ID__/start

        activities:
          - id: approve
            type: user
            name: Approve request
            candidate_groups: [approvers]
            description: "Approve: ${subject}"
            form:
              type: object
              required: [approved]
              properties:
                approved: {type: boolean}
                comment: {type: string}
            timeout:
              after: 48h
              next: escalate
            next: decide
          - id: escalate
            type: user
            name: Approve request (escalated)
            candidate_groups: [leads]
            priority: 90
            description: "Overdue: ${subject}"
          - id: decide
            type: decision
            condition: approved = true
            true_path: notify_approved
            false_path: notify_rejected
          - id: notify_approved
            type: service
            action: notify
            channel: email
            to: ${requester}
            message: "Approved: ${subject}"
            next: approved_end
          - id: approved_end
            type: end
            result:
              status: approved
          - id: notify_rejected
            type: service
            action: notify
            channel: email
            to: ${requester}
            message: "Rejected: ${subject}"
          - id: rejected_end
            type: end
            result:
              status: rejected

        """,
        test: """
        # Scenarios for __ID__.yaml. Run: bpm test __ID__.test.yaml
        scenarios:
          - name: approved
            variables: {subject: new pump, requester: ann@example.com}
            steps:
              - complete: approve
                variables: {approved: true}
            expect:
              status: completed
              variables: {status: approved}
              tasks: [{element: approve, candidateGroups: [approvers], description: "Approve: new pump"}]
              calls: [{action: notify, payload: {to: ann@example.com, message: "Approved: new pump"}}]

          - name: rejected
            variables: {subject: new pump, requester: ann@example.com}
            steps:
              - complete: approve
                variables: {approved: false, comment: too expensive}
            expect:
              variables: {status: rejected}

          - name: no answer in 48 hours escalates to the leads
            variables: {subject: new pump, requester: ann@example.com}
            steps:
              - advance: 48h
              - complete: escalate
                variables: {approved: true}
            expect:
              status: completed
              variables: {status: approved}
              tasks: [{element: approve}, {element: escalate, candidateGroups: [leads], priority: 90}]

        """)

    static let scheduledCheck = Template(
        name: "scheduled-check",
        summary: "runs on a schedule, asks a service for device status, and reports problems",
        definition: """
        # __TITLE__: every morning, fetch the devices' status and report the ones with problems.
        id: __ID__
        name: __TITLE__
        version: 1.0

        trigger:
          type: timer
          cron: "0 7 * * *"                   # minute hour day month weekday
          timezone: UTC

        activities:
          - id: fetch_status
            type: service
            action: http
            method: GET
            url: http://device-registry.local/devices/status
            retries: 2
          - id: evaluate
            type: script
            set:
              problems: devices[status != "ok"]
              problem_count: count(devices[status != "ok"])
          - id: any_problems
            type: decision
            condition: problem_count > 0
            true_path: report_problems
            false_path: log_healthy
          - id: report_problems
            type: service
            action: notify
            channel: operations
            message: "${problem_count} device(s) need attention"
            next: done
          - id: log_healthy
            type: service
            action: database_log
            message: All devices healthy
          - id: done
            type: end

        """,
        test: """
        # Scenarios for __ID__.yaml. Run: bpm test __ID__.test.yaml
        scenarios:
          - name: all devices healthy
            stubs:
              http: {output: {devices: [{id: a, status: ok}]}}
            expect:
              status: completed
              path: [start, fetch_status, evaluate, any_problems, log_healthy, done]

          - name: problems are reported
            stubs:
              http: {output: {devices: [{id: a, status: ok}, {id: b, status: error}]}}
            expect:
              status: completed
              variables: {problem_count: 1}
              calls:
                - action: http
                - action: notify
                  payload: {message: 1 device(s) need attention}

          - name: the status service failing is retried
            stubs:
              http: [{fail: timeout}, {output: {devices: []}}]
            expect:
              status: completed
              calls: [{action: http, attempt: 1}, {action: http, attempt: 2}, {action: database_log}]

        """)

    static let deviceOnboarding = Template(
        name: "device-onboarding",
        summary: "a registration event validates, provisions and configures a new device",
        definition: """
        # __TITLE__: a registration event is validated; a valid device is provisioned in the
        # registry and sent its configuration; an invalid one is reported to the admins.
        id: __ID__
        name: __TITLE__
        version: 1.0

        trigger:
          type: event
          source: redpanda
          topic: device-registrations
          condition: name = "device_registered"

        variables:
          - name: device_id
            source: tags.device_id
          - name: model
            source: fields.model
          - name: supported_models
            value: [HP-100, HP-200]

        correlation_key: device_id             # a repeated registration joins the running one

        activities:
          - id: check
            type: decision
            condition: model != null and list contains(supported_models, model)
            true_path: provision
            false_path: report_invalid
          - id: provision
            type: service
            action: http
            method: POST
            url: http://device-registry.local/devices
            body:
              device_id: ${device_id}
              model: ${model}
            retries: 3
          - id: configure
            type: service
            action: mqtt_publish
            topic: devices/${device_id}/config
            payload:
              reporting_interval_s: 60
            next: onboarded
          - id: onboarded
            type: end
            result:
              onboarding: completed
          - id: report_invalid
            type: service
            action: notify
            channel: admin
            message: "Device ${device_id} (${model}) cannot be onboarded"
          - id: rejected
            type: end
            result:
              onboarding: rejected

        """,
        test: """
        # Scenarios for __ID__.yaml. Run: bpm test __ID__.test.yaml
        scenarios:
          - name: a supported device is onboarded
            events:
              - {name: device_registered, tags: {device_id: dev-1}, fields: {model: HP-200}}
            expect:
              status: completed
              path: [start, check, provision, configure, onboarded]
              variables: {onboarding: completed}
              calls:
                - {action: http, payload: {body: {device_id: dev-1, model: HP-200}}}
                - {action: mqtt_publish, payload: {topic: devices/dev-1/config}}

          - name: an unknown model is reported
            events:
              - {name: device_registered, tags: {device_id: dev-2}, fields: {model: XYZ}}
            expect:
              path: [start, check, report_invalid, rejected]
              variables: {onboarding: rejected}

          - name: a registry outage is retried, then the device is onboarded
            stubs:
              http: [{fail: connection refused}, {output: {}}]
            events:
              - {name: device_registered, tags: {device_id: dev-3}, fields: {model: HP-100}}
            expect:
              status: completed
              calls: [{action: http, attempt: 1}, {action: http, attempt: 2}, {action: mqtt_publish}]

        """)
}
