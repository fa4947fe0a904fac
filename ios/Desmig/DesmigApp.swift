import SwiftUI
import DesmigCore

/// The app: opens the device's one store, registers the background sync, and shows the home
/// screen of whoever is signed in. Every rule is the core's; the app only shows and asks.
@main
struct DesmigApp: App {
    @Environment(\.scenePhase) private var scenePhase
    private let startup: Startup

    init() {
        let startup = Startup.open()
        self.startup = startup
        // Background tasks must be registered before the app finishes launching.
        if case .ready(let session) = startup {
            BackgroundSync.register(session: session)
        } else {
            // No store to sync: tasks scheduled earlier end at once, and none is scheduled.
            BackgroundSync.registerIdle()
        }
    }

    var body: some Scene {
        WindowGroup {
            switch startup {
            case .ready(let session):
                RootView(session: session)
            case .locked(let reason):
                StoreLockedView(reason: reason)
            case .failed(let reason):
                StartupFailureView(reason: reason)
            }
        }
        .onChange(of: scenePhase) { phase in
            if phase == .background, case .ready = startup {
                BackgroundSync.schedule()
            }
        }
    }
}
