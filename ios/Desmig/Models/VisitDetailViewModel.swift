import Foundation
import DesmigCore

/// A visit as it is read: by the supervisor before verifying, by anyone opening a completed visit
/// (read-only, with an amend action). What it shows and which actions it offers are the core's
/// (`visitView`: every answer's label, `canVerify`, `canAmend`), as on Android.
@MainActor
final class VisitDetailViewModel: ObservableObject {
    @Published private(set) var view: VisitView?
    @Published private(set) var error: UiMessage?
    private let store: FieldStore
    private let visitId: String

    init(store: FieldStore, visitId: String) {
        self.store = store
        self.visitId = visitId
    }

    func load() async {
        let (store, id) = (self.store, self.visitId)
        do {
            view = try await Core.run { try store.visitView(visitId: id) }
            error = nil
        } catch {
            self.error = uiMessage(for: error)
        }
    }

    /// Verifies the visit when the core offers it.
    func verify() async {
        guard view?.canVerify == true else { return }
        let (store, id) = (self.store, self.visitId)
        do {
            _ = try await Core.run { try store.verifyVisit(visitId: id) }
        } catch {
            self.error = uiMessage(for: error)
        }
        await load()
    }

    /// Opens an amendment (a new draft that keeps the original) when the core offers it.
    func amend() async -> Visit? {
        guard view?.canAmend == true else { return nil }
        let (store, id) = (self.store, self.visitId)
        do {
            return try await Core.run { try store.amendVisit(visitId: id) }
        } catch {
            self.error = uiMessage(for: error)
            return nil
        }
    }
}
