import Foundation

/// Every call into the core blocks (SQLite on the phone, HTTP while syncing). View models call it
/// through `Core.run`, which runs the call on a background queue and resumes the caller (on the
/// main actor, for a view model) with its result. The core is safe to call from many threads.
enum Core {
    private static let queue = DispatchQueue(
        label: "id.go.kemnaker.desmig.core",
        qos: .userInitiated,
        attributes: .concurrent
    )

    static func run<T>(_ work: @escaping () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, Error>) in
            queue.async {
                continuation.resume(with: Result<T, Error> { try work() })
            }
        }
    }
}

/// Lets one sync of this device run at a time, whether the user or a background task starts it.
final class SyncGate: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false

    /// True when the caller may sync now (and must call `leave()` afterwards).
    func enter() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if busy { return false }
        busy = true
        return true
    }

    func leave() {
        lock.lock()
        busy = false
        lock.unlock()
    }
}
