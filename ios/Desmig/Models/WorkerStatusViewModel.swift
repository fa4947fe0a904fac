import Foundation
import DesmigCore

struct WorkerState: Equatable {
    var status: WorkerStatus?
    var error: UiMessage?
}

/// "My status" for a returning worker: read-only, their own record only (the core's scope).
@MainActor
final class WorkerStatusViewModel: ObservableObject {
    @Published private(set) var state = WorkerState()
    private let store: FieldStore

    init(store: FieldStore) {
        self.store = store
    }

    func load() async {
        let store = self.store
        do {
            let status = try await Core.run { try store.myStatus() }
            state = WorkerState(status: status, error: nil)
        } catch {
            state.error = uiMessage(for: error)
        }
    }
}
