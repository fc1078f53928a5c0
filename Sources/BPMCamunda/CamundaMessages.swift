import BPMExpressions
import Foundation

/// `PublishMessageRequest`.
public struct CamundaPublishMessage: Sendable {
    public var name: String
    public var correlationKey: String
    /// How long the message is buffered for instances that start waiting later (ms; 0: not buffered).
    public var timeToLive: Int64
    /// A second message with the same id and name while the first is buffered is refused
    /// (`alreadyExists`), as Zeebe does; empty: no de-duplication.
    public var messageId: String
    public var variables: CamundaVariables
    public var tenantId: String?

    public init(name: String, correlationKey: String, timeToLive: Int64 = 0, messageId: String = "",
                variables: CamundaVariables = [:], tenantId: String? = nil)
    {
        self.name = name
        self.correlationKey = correlationKey
        self.timeToLive = timeToLive
        self.messageId = messageId
        self.variables = variables
        self.tenantId = tenantId
    }
}

/// `PublishMessageResponse`.
public struct CamundaPublishedMessage: Sendable, Equatable {
    public var key: CamundaKey
    public var tenantId: String
}

/// REST v2 `POST /v2/messages/correlation`'s answer: the message and the instance it reached.
public struct CamundaCorrelatedMessage: Sendable, Equatable {
    public var messageKey: CamundaKey
    public var tenantId: String
    public var processInstanceKey: CamundaKey
}

/// `BroadcastSignalResponse`.
public struct CamundaBroadcastSignal: Sendable, Equatable {
    public var key: CamundaKey
    public var tenantId: String
}

// MARK: decisions

/// `EvaluateDecisionResponse`.
public struct CamundaDecisionEvaluation: Sendable, Equatable {
    public var decisionKey: CamundaKey
    public var decisionId: String
    public var decisionName: String
    public var decisionVersion: Int32
    public var decisionRequirementsId: String
    public var decisionRequirementsKey: CamundaKey
    /// The decision's result (JSON in the protocols).
    public var decisionOutput: Value
    public var evaluatedDecisions: [CamundaEvaluatedDecision]
    /// Empty when the evaluation succeeded.
    public var failedDecisionId: String
    public var failureMessage: String
    public var tenantId: String
    /// The evaluation's key (REST v2 `decisionInstanceKey`).
    public var decisionInstanceKey: CamundaKey
}

public struct CamundaEvaluatedDecision: Sendable, Equatable {
    public var decisionKey: CamundaKey
    public var decisionId: String
    public var decisionName: String
    public var decisionVersion: Int32
    /// `DECISION_TABLE`, `LITERAL_EXPRESSION`, ….
    public var decisionType: String
    public var decisionOutput: Value
    public var matchedRules: [CamundaMatchedRule]
    public var evaluatedInputs: [CamundaEvaluatedInput]
    public var tenantId: String
}

public struct CamundaMatchedRule: Sendable, Equatable {
    public var ruleId: String
    /// From 1, as Zeebe counts.
    public var ruleIndex: Int32
    public var evaluatedOutputs: [CamundaEvaluatedOutput]
}

public struct CamundaEvaluatedInput: Sendable, Equatable {
    public var inputId: String
    public var inputName: String
    public var inputValue: Value
}

public struct CamundaEvaluatedOutput: Sendable, Equatable {
    public var outputId: String
    public var outputName: String
    public var outputValue: Value
}
