import Foundation
import DesmigCore

struct VillageState: Equatable {
    var villageCode: String
    var villageName: String
    var month = ""
    var indicators: VillageIndicators?
    var followUps: [DueFollowUp] = []
    var error: UiMessage?
}

/// A village's indicators this month and the follow-ups due in the coming week.
@MainActor
final class VillageViewModel: ObservableObject {
    @Published private(set) var state: VillageState
    private let store: FieldStore

    init(store: FieldStore, village: Region) {
        self.store = store
        state = VillageState(villageCode: village.code, villageName: village.name)
    }

    func load() async {
        let store = self.store
        let code = state.villageCode
        do {
            let (month, indicators, due) = try await Core.run { () throws -> (String, VillageIndicators, [DueFollowUp]) in
                let current = store.thisMonth()
                return try (current, store.villageIndicators(villageCode: code, month: current), store.followUpsDue(withinDays: 7))
            }
            state.month = month
            state.indicators = indicators
            state.followUps = due.filter { $0.villageCode == code }
            state.error = nil
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    func markDone(_ followUpId: String) async {
        let store = self.store
        let today = Format.today()
        var failure: UiMessage?
        do {
            _ = try await Core.run { try store.completeFollowUp(id: followUpId, doneOn: today) }
        } catch {
            failure = uiMessage(for: error)
        }
        await load()
        if let failure { state.error = failure }
    }
}
