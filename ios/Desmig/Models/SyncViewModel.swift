import Foundation
import DesmigCore

struct SyncState: Equatable {
    var pending: UInt64 = 0
    var rejected: UInt64 = 0
    /// The changes the server refused, with its reasons: they stay on the phone.
    var rejectedChanges: [RejectedChange] = []
    var running = false
    var progress: SyncProgress?
    var last: SyncReport?
    /// Why the last sync stopped, in words a facilitator understands.
    var error: UiMessage?
    var needsLogin = false
}

/// Receives the core's sync progress on the thread that runs the sync and hands it on.
final class SyncProgressForwarder: SyncProgressListener {
    private let forward: @Sendable (SyncProgress) -> Void

    init(_ forward: @escaping @Sendable (SyncProgress) -> Void) {
        self.forward = forward
    }

    func onProgress(progress: SyncProgress) {
        forward(progress)
    }
}

/// The sync screen: what waits to be sent, a sync with its progress, the last result.
@MainActor
final class SyncViewModel: ObservableObject {
    @Published private(set) var state = SyncState()
    private let session: AppSession

    init(session: AppSession) {
        self.session = session
    }

    /// Reads what waits to be sent and the last sync's outcome (also after a restart).
    func load() async {
        let store = session.store
        guard let loaded = try? await Core.run({
            try (store.outboxStatus(), store.lastSync(), store.rejectedChanges())
        }) else { return }
        let (counts, last, rejected) = loaded
        state.pending = counts.pending
        state.rejected = counts.rejected
        state.rejectedChanges = rejected
        state.last = last
        state.error = last?.errorCode.map(uiMessage(forCode:))
    }

    /// Runs a sync off the main thread; progress arrives in `state` as it goes. Returns the
    /// report, or nil when it failed (the reason is in `state.error`) or another sync was running.
    @discardableResult
    func syncNow() async -> SyncReport? {
        guard !state.running else { return nil }
        guard let config = session.syncConfig() else {
            state.needsLogin = true
            state.error = UiMessage("error_login_required")
            return nil
        }
        state.running = true
        state.progress = nil
        state.error = nil
        let listener = SyncProgressForwarder { [weak self] progress in
            Task { @MainActor in self?.receive(progress) }
        }
        let session = self.session
        var report: SyncReport?
        var failure: UiMessage?
        do {
            report = try await Core.run { try session.runSync(config: config, listener: listener) }
        } catch {
            if let coreError = error as? DesmigError, case .LoginRequired = coreError { state.needsLogin = true }
            // The stored report's code, typed by the core: whether the session ended, whether the
            // phone was revoked (lost: it erased its data, and its token goes too).
            if let code = (try? session.store.lastSync())?.errorCode.map({ codeOf(code: $0) }) {
                if codeNeedsLogin(code: code) { state.needsLogin = true }
                if code == .deviceRevoked { session.tokens.clear() }
            }
            failure = uiMessage(for: error)
        }
        state.running = false
        await load()
        // The stored report names the failure; an error before any report (no identity) is kept.
        if state.error == nil, let failure { state.error = failure }
        return report
    }

    /// Stops the running sync at its next batch or page; what was stored stays stored.
    func cancel() {
        let store = session.store
        Task { _ = try? await Core.run { store.cancelSync() } }
    }

    /// After logging in again.
    func loginDone() {
        state.needsLogin = false
        state.error = nil
    }

    /// The progress as a fraction for a progress bar, when it is known.
    func fraction(_ p: SyncProgress) -> Double? {
        p.phase == .pushing && p.total > 0 ? Double(p.done) / Double(p.total) : nil
    }

    private func receive(_ progress: SyncProgress) {
        guard state.running else { return }
        state.progress = progress
    }
}
