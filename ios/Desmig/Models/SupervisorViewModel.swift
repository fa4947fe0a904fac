import Foundation
import DesmigCore

struct SupervisorState: Equatable {
    var month = ""
    var villages: [VillageOverview] = []
    /// Every village in scope added up: the district's total.
    var total: VillageIndicators?
    var toVerify: [VisitToVerify] = []
    var conflicts: [Conflict] = []
    /// The team by facilitator this month: their work phone, visits, people visited, visits to verify.
    var facilitators: [FacilitatorOverview] = []
    /// The checklists, to name each visit by its checklist's title.
    var templates: [ChecklistTemplate] = []
    var error: UiMessage?
}

/// A supervisor's team overview (by village and by facilitator), the visits to verify, and the
/// conflicts to resolve.
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
            let (month, villages, visits, conflicts, templates, facilitators) = try await Core.run {
                () throws -> (String, [VillageOverview], [VisitToVerify], [Conflict], [ChecklistTemplate], [FacilitatorOverview]) in
                let current = store.thisMonth()
                return try (
                    current,
                    store.teamOverview(month: current),
                    store.visitsToVerify(limit: 200),
                    store.conflicts(includeResolved: false),
                    store.templates(),
                    store.facilitatorOverview(month: current)
                )
            }
            state.month = month
            state.villages = villages
            state.facilitators = facilitators
            // Added up by the core from the overview just read, not queried again.
            state.total = indicatorsTotal(parts: villages.map(\.indicators))
            state.toVerify = visits
            state.conflicts = conflicts
            state.templates = templates
            state.error = nil
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    /// A checklist's title in the device's language, or its id.
    func templateTitle(_ templateId: String) -> String {
        state.templates.first(where: { $0.id == templateId })?.title.localized ?? templateId
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
