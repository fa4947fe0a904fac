import Foundation
import DesmigCore

struct SupervisorState: Equatable {
    var month = ""
    var villages: [VillageOverview] = []
    var toVerify: [VisitToVerify] = []
    var conflicts: [Conflict] = []
    var error: UiMessage?
}

/// A supervisor's team overview, the visits to verify, and the conflicts to resolve.
@MainActor
final class SupervisorViewModel: ObservableObject {
    @Published private(set) var state = SupervisorState()
    private let store: FieldStore

    init(store: FieldStore) {
        self.store = store
    }

    func load() async {
        let store = self.store
        do {
            let (month, villages, visits, conflicts) = try await Core.run {
                () throws -> (String, [VillageOverview], [VisitToVerify], [Conflict]) in
                let month = store.thisMonth()
                return try (month, store.teamOverview(month: month), store.visitsToVerify(limit: 200), store.conflicts(includeResolved: false))
            }
            state.month = month
            state.villages = villages
            state.toVerify = visits
            state.conflicts = conflicts
            state.error = nil
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    func verify(_ visitId: String) async {
        let store = self.store
        var failure: UiMessage?
        do {
            _ = try await Core.run { try store.verifyVisit(visitId: visitId) }
        } catch {
            failure = uiMessage(for: error)
        }
        await load()
        if let failure { state.error = failure }
    }

    func resolve(_ conflictId: String, _ resolution: Resolution) async {
        let store = self.store
        var failure: UiMessage?
        do {
            try await Core.run { try store.resolveConflict(conflictId: conflictId, resolution: resolution) }
        } catch {
            failure = uiMessage(for: error)
        }
        await load()
        if let failure { state.error = failure }
    }
}
