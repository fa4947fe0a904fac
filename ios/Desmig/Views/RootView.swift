import SwiftUI
import DesmigCore

/// Chooses the home screen by who is signed in (the core's identity), and keeps the sync model
/// that every role's Sync tab shares.
struct RootView: View {
    @Environment(\.scenePhase) private var scenePhase
    @StateObject private var session: SessionViewModel
    @StateObject private var sync: SyncViewModel

    init(session: AppSession) {
        _session = StateObject(wrappedValue: SessionViewModel(session: session))
        _sync = StateObject(wrappedValue: SyncViewModel(session: session))
    }

    var body: some View {
        Group {
            if !session.loaded {
                ProgressView()
            } else {
                switch session.home {
                case .login:
                    LoginView(session: session.session) { await loggedIn() }
                case .facilitatorVillages:
                    FacilitatorHomeView(store: session.session.store)
                case .workerStatus:
                    WorkerHomeView(store: session.session.store)
                case .supervisorOverview:
                    SupervisorHomeView(store: session.session.store)
                }
            }
        }
        .environmentObject(session)
        .environmentObject(sync)
        .task { await session.refresh() }
        .onChange(of: scenePhase) { phase in
            // Back from the background: a background sync may have changed the counts.
            if phase == .active { Task { await sync.load() } }
        }
    }

    private func loggedIn() async {
        sync.loginDone()
        await session.refresh()
        await sync.load()
    }
}

/// The facilitator: villages and beneficiaries, and sync.
struct FacilitatorHomeView: View {
    let store: FieldStore
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var navigator = FacilitatorNavigator()

    var body: some View {
        TabView {
            NavigationStack(path: $navigator.path) {
                BeneficiaryListView(store: store)
            }
            .environmentObject(navigator)
            .tabItem { Label("tab_villages", systemImage: "house") }

            NavigationStack {
                SyncView()
            }
            .tabItem { Label("tab_sync", systemImage: "arrow.triangle.2.circlepath") }
            .badge(Int(clamping: sync.state.pending))
        }
    }
}

/// The returning worker: their own status, and sync.
struct WorkerHomeView: View {
    let store: FieldStore
    @EnvironmentObject private var sync: SyncViewModel

    var body: some View {
        TabView {
            NavigationStack {
                WorkerStatusView(store: store)
            }
            .tabItem { Label("tab_my_status", systemImage: "person.text.rectangle") }

            NavigationStack {
                SyncView()
            }
            .tabItem { Label("tab_sync", systemImage: "arrow.triangle.2.circlepath") }
            .badge(Int(clamping: sync.state.pending))
        }
    }
}

/// The supervisor: the team, visits to verify, conflicts, and sync.
struct SupervisorHomeView: View {
    @EnvironmentObject private var sync: SyncViewModel
    @StateObject private var model: SupervisorViewModel

    init(store: FieldStore) {
        _model = StateObject(wrappedValue: SupervisorViewModel(store: store))
    }

    var body: some View {
        TabView {
            NavigationStack {
                TeamOverviewView(model: model)
            }
            .tabItem { Label("tab_team", systemImage: "person.3") }

            NavigationStack {
                VisitsToVerifyView(model: model)
            }
            .tabItem { Label("tab_verify", systemImage: "checkmark.seal") }
            .badge(model.state.toVerify.count)

            NavigationStack {
                ConflictsView(model: model)
            }
            .tabItem { Label("tab_conflicts", systemImage: "exclamationmark.arrow.triangle.2.circlepath") }
            .badge(model.state.conflicts.count)

            NavigationStack {
                SyncView()
            }
            .tabItem { Label("tab_sync", systemImage: "arrow.triangle.2.circlepath") }
            .badge(Int(clamping: sync.state.pending))
        }
        .task { await model.load() }
        .onChange(of: sync.state.last) { _ in Task { await model.load() } }
    }
}
