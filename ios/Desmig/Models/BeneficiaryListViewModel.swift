import Foundation
import DesmigCore

/// Rows per page of a village's beneficiaries, and results of a search.
let beneficiaryPageSize: UInt32 = 50

struct BeneficiaryListState: Equatable {
    var villages: [Region] = []
    var village: Region?
    var query = ""
    var items: [BeneficiarySummary] = []
    var nextOffset: UInt32?
    var loading = false
    var error: UiMessage?
}

/// The facilitator's villages and a village's beneficiaries, with search (name or NIK).
@MainActor
final class BeneficiaryListViewModel: ObservableObject {
    @Published private(set) var state = BeneficiaryListState()
    private let store: FieldStore
    /// Bumped by every new village or search, so that a late answer to an older one is dropped.
    private var generation = 0
    private var pageInFlight: Int?

    init(store: FieldStore) {
        self.store = store
    }

    func load() async {
        let store = self.store
        do {
            let villages = try await Core.run { try store.villages() }
            state.villages = villages
            state.error = nil
            if let current = state.village, villages.contains(current) {
                await refresh()
            } else if let first = villages.first {
                await selectVillage(first)
            }
        } catch {
            state.error = uiMessage(for: error)
        }
    }

    func selectVillage(_ village: Region) async {
        generation += 1
        state.village = village
        state.query = ""
        state.items = []
        state.nextOffset = 0
        await loadMore()
    }

    /// Reads the list again (after a registration or a sync), keeping the search if any.
    func refresh() async {
        if state.query.trimmingCharacters(in: .whitespaces).isEmpty {
            if let village = state.village { await selectVillage(village) }
        } else {
            await search(state.query)
        }
    }

    func loadMore() async {
        guard let village = state.village, let offset = state.nextOffset, pageInFlight != generation else { return }
        let requested = generation
        pageInFlight = requested
        state.loading = true
        let store = self.store
        do {
            let page = try await Core.run {
                try store.listBeneficiaries(villageCode: village.code, offset: offset, limit: beneficiaryPageSize)
            }
            if requested == generation {
                state.items += page.items
                state.nextOffset = page.nextOffset
                state.error = nil
            }
        } catch {
            if requested == generation { state.error = uiMessage(for: error) }
        }
        if pageInFlight == requested {
            pageInFlight = nil
            state.loading = false
        }
    }

    /// Searches all the user's villages; an empty query goes back to the village's list.
    func search(_ text: String) async {
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            if let village = state.village { await selectVillage(village) }
            return
        }
        generation += 1
        let requested = generation
        state.query = text
        let store = self.store
        do {
            let found = try await Core.run { try store.searchBeneficiaries(text: text, limit: beneficiaryPageSize) }
            guard requested == generation else { return }
            state.items = found
            state.nextOffset = nil
            state.error = nil
        } catch {
            if requested == generation { state.error = uiMessage(for: error) }
        }
    }
}
