import BPMAPI

extension OwnAPIHandler {
    func listSchedules(_ input: Operations.ListSchedules.Input) async throws -> Operations.ListSchedules.Output {
        try await json { _ in try await api.schedules(count: input.query.count) }
    }

    func getSchedule(_ input: Operations.GetSchedule.Input) async throws -> Operations.GetSchedule.Output {
        try await json { _ in try await api.schedule(input.path.id, count: input.query.count) }
    }

    func pauseSchedule(_ input: Operations.PauseSchedule.Input) async throws -> Operations.PauseSchedule.Output {
        try await json { _ in try await api.setSchedule(input.path.id, paused: true) }
    }

    func resumeSchedule(_ input: Operations.ResumeSchedule.Input) async throws -> Operations.ResumeSchedule.Output {
        try await json { _ in try await api.setSchedule(input.path.id, paused: false) }
    }
}

extension Operations.ListSchedules.Output: RepliedOutput {}
extension Operations.GetSchedule.Output: RepliedOutput {}
extension Operations.PauseSchedule.Output: RepliedOutput {}
extension Operations.ResumeSchedule.Output: RepliedOutput {}
