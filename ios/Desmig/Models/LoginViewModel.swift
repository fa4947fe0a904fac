import Foundation
import DesmigCore

struct LoginState: Equatable {
    var username = ""
    var password = ""
    var busy = false
    var error: UiMessage?
    var home: Home = .login
}

/// The login screen: logs in through the core and keeps the token in the Keychain.
@MainActor
final class LoginViewModel: ObservableObject {
    @Published private(set) var state = LoginState()
    private let session: AppSession

    init(session: AppSession) {
        self.session = session
    }

    func edit(username: String? = nil, password: String? = nil) {
        if let username { state.username = username }
        if let password { state.password = password }
        state.error = nil
    }

    /// Logs in and keeps the token; on success `state.home` says where to go.
    func submit() async {
        guard !state.username.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, !state.password.isEmpty else {
            state.error = UiMessage("login_missing_fields")
            return
        }
        state.busy = true
        state.error = nil
        let session = self.session
        let username = state.username.trimmingCharacters(in: .whitespacesAndNewlines)
        let password = state.password
        do {
            let home = try await Core.run { () throws -> Home in
                let result = try session.store.login(serverUrl: session.serverUrl, username: username, password: password)
                try session.tokens.save(result.token)
                return Home(role: result.identity.role)
            }
            state.busy = false
            state.password = ""
            state.home = home
        } catch {
            state.busy = false
            if let coreError = error as? DesmigError, case .LoginRequired = coreError {
                state.error = UiMessage("login_wrong_credentials")
            } else if error is KeychainError {
                state.error = UiMessage("error_storage", [String(describing: error)])
            } else {
                state.error = uiMessage(for: error)
            }
        }
    }
}
