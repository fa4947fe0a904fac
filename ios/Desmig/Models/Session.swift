import Foundation
import DesmigCore

/// The first screen each role lands on.
enum Home: Equatable {
    case login, facilitatorVillages, workerStatus, supervisorOverview

    init(role: Role?) {
        switch role {
        case nil: self = .login
        case .facilitator?: self = .facilitatorVillages
        case .worker?: self = .workerStatus
        case .supervisor?, .admin?: self = .supervisorOverview
        }
    }
}

/// The device: its one store, its token and its server (the Android app's `AppSession`).
/// Shared by the screens and by the background sync; its calls block, so callers use `Core.run`.
final class AppSession: Sendable {
    let store: FieldStore
    let tokens: any TokenStore
    let serverUrl: String
    let syncGate = SyncGate()

    init(store: FieldStore, tokens: any TokenStore, serverUrl: String) {
        self.store = store
        self.tokens = tokens
        self.serverUrl = serverUrl
    }

    /// The sync settings, or nil when the user must log in again.
    func syncConfig() -> SyncConfig? {
        tokens.load().map { SyncConfig(serverUrl: serverUrl, token: $0) }
    }

    /// Forgets the token and who is signed in. Unsent changes stay, for that user's next sync;
    /// the store's key (`KeychainStoreKey`, its own Keychain item) is never touched.
    func signOut() throws {
        tokens.clear()
        try store.signOut()
    }

    /// Runs one sync and blocks until it ends; nil when this device is already syncing.
    func runSync(config: SyncConfig, listener: SyncProgressListener?) throws -> SyncReport? {
        guard syncGate.enter() else { return nil }
        defer { syncGate.leave() }
        return try store.syncNow(config: config, listener: listener)
    }
}

/// How the app started: with its store, or with the reason it could not open it.
enum Startup {
    case ready(AppSession)
    /// The store's key is lost or does not open it. The app shows why and nothing else: it never
    /// deletes or recreates the store, whose changes not yet sent exist nowhere else.
    case locked(UiMessage)
    /// The store could not be opened for another reason (a full disk); the next launch tries again.
    case failed(UiMessage)

    /// Opens the device's store once, in Application Support (kept out of backups: it holds NIKs
    /// and the device's identity), encrypted with its key from the Keychain (`KeychainStoreKey`;
    /// a plain store of an older version is encrypted once, inside `open`), with the token in the
    /// Keychain and the server of Info.plist.
    static func open() -> Startup {
        let key: Data
        do {
            key = try KeychainStoreKey().key()
        } catch let error as StoreKeyError {
            return error.locksStore ? .locked(error.message) : .failed(error.message)
        } catch {
            return .failed(uiMessage(for: error))
        }
        do {
            let store = try FieldStore.open(path: try databasePath(), key: key)
            // "Today", months and what is overdue follow the phone's own zone (WIB, WITA, WIT).
            try store.setUtcOffsetMinutes(minutes: Int32(TimeZone.current.secondsFromGMT() / 60))
            return .ready(AppSession(store: store, tokens: KeychainTokenStore(), serverUrl: serverUrl()))
        } catch DesmigError.StoreKey(let code, _) {
            // `wrong_key` (this key does not open the store) or `invalid_key`: nothing was changed.
            return .locked(UiMessage("error_store_locked", [code]))
        } catch {
            return .failed(uiMessage(for: error))
        }
    }

    private static func databasePath() throws -> String {
        let files = FileManager.default
        var directory = try files
            .url(for: .applicationSupportDirectory, in: .userDomainMask, appropriateFor: nil, create: true)
            .appendingPathComponent("Desmig", isDirectory: true)
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        var values = URLResourceValues()
        values.isExcludedFromBackup = true
        try? directory.setResourceValues(values)
        return directory.appendingPathComponent("desmig.db").path
    }

    /// The sync server, from the `DesmigServerURL` key (build setting DESMIG_SERVER_URL).
    private static func serverUrl() -> String {
        (Bundle.main.object(forInfoDictionaryKey: "DesmigServerURL") as? String)?
            .trimmingCharacters(in: .whitespaces) ?? ""
    }
}

/// Who is signed in and which home screen to show; signs out.
@MainActor
final class SessionViewModel: ObservableObject {
    @Published private(set) var identity: Identity?
    @Published private(set) var loaded = false
    let session: AppSession

    init(session: AppSession) {
        self.session = session
    }

    var home: Home { Home(role: identity?.role) }

    /// Reads who is signed in on this device (after launch, login or sign-out).
    func refresh() async {
        let store = session.store
        // The identity is a local read; it fails only if the database does, and then the
        // login screen is the honest answer.
        let identity: Identity? = try? await Core.run { store.identity() }
        self.identity = identity
        loaded = true
    }

    func signOut() async {
        let session = self.session
        _ = try? await Core.run { try session.signOut() }
        await refresh()
    }
}
