import BackgroundTasks
import DesmigCore
import Foundation
import os

/// Syncs while the app is in the background, when iOS lets it: a short app refresh now and
/// then, and a longer processing task (network required) for a big first sync or a long backlog.
/// Both run the same sync as the Sync screen, off the main thread, and schedule the next one.
enum BackgroundSync {
    /// Both identifiers are listed in Info.plist (BGTaskSchedulerPermittedIdentifiers).
    static let refreshIdentifier = "id.go.kemnaker.desmig.sync"
    static let processingIdentifier = "id.go.kemnaker.desmig.sync.processing"

    private static let log = Logger(subsystem: "id.go.kemnaker.desmig", category: "background-sync")

    /// Registers the launch handlers; called once while the app launches.
    static func register(session: AppSession) {
        for identifier in [refreshIdentifier, processingIdentifier] {
            let registered = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
                run(task, session: session)
            }
            if !registered { log.error("could not register \(identifier, privacy: .public)") }
        }
    }

    /// When the store cannot be opened (its key is lost, the disk is full): a task that iOS
    /// launches the app for ends at once, and nothing more is scheduled.
    static func registerIdle() {
        BGTaskScheduler.shared.cancelAllTaskRequests()
        for identifier in [refreshIdentifier, processingIdentifier] {
            let registered = BGTaskScheduler.shared.register(forTaskWithIdentifier: identifier, using: nil) { task in
                task.setTaskCompleted(success: false)
            }
            if !registered { log.error("could not register \(identifier, privacy: .public)") }
        }
    }

    /// Asks iOS for the next background syncs (it decides when, by how the phone is used).
    static func schedule() {
        let refresh = BGAppRefreshTaskRequest(identifier: refreshIdentifier)
        refresh.earliestBeginDate = Date(timeIntervalSinceNow: 30 * 60)
        let processing = BGProcessingTaskRequest(identifier: processingIdentifier)
        processing.requiresNetworkConnectivity = true
        processing.requiresExternalPower = false
        processing.earliestBeginDate = Date(timeIntervalSinceNow: 2 * 60 * 60)
        for request in [refresh, processing] as [BGTaskRequest] {
            do {
                try BGTaskScheduler.shared.submit(request)
            } catch {
                log.error("could not schedule \(request.identifier, privacy: .public): \(String(describing: error), privacy: .public)")
            }
        }
    }

    /// Runs on a background queue of BGTaskScheduler: the sync itself blocks a thread of its
    /// own, and the task ends when the sync does or when iOS says its time is up.
    private static func run(_ task: BGTask, session: AppSession) {
        schedule()
        let completion = TaskCompletion(task)
        task.expirationHandler = {
            session.store.cancelSync()
            completion.finish(success: false)
        }
        DispatchQueue.global(qos: .utility).async {
            guard let config = session.syncConfig() else {
                completion.finish(success: false)
                return
            }
            do {
                let report = try session.runSync(config: config, listener: nil)
                completion.finish(success: report != nil)
            } catch {
                log.notice("background sync stopped: \(String(describing: error), privacy: .public)")
                completion.finish(success: false)
            }
        }
    }
}

/// Tells iOS a background task is done exactly once, from whichever side ends first.
private final class TaskCompletion: @unchecked Sendable {
    private let task: BGTask
    private let lock = NSLock()
    private var done = false

    init(_ task: BGTask) {
        self.task = task
    }

    func finish(success: Bool) {
        lock.lock()
        let first = !done
        done = true
        lock.unlock()
        if first { task.setTaskCompleted(success: success) }
    }
}
