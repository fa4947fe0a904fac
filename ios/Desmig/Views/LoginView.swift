import SwiftUI
import DesmigCore

/// Username and password; the core logs in, the token goes to the Keychain.
struct LoginView: View {
    @StateObject private var model: LoginViewModel
    @FocusState private var focus: Field?
    private let onLoggedIn: () async -> Void

    private enum Field { case username, password }

    init(session: AppSession, onLoggedIn: @escaping () async -> Void) {
        _model = StateObject(wrappedValue: LoginViewModel(session: session))
        self.onLoggedIn = onLoggedIn
    }

    var body: some View {
        NavigationStack {
            Form {
                Section {
                    TextField("login_username", text: Binding(get: { model.state.username }, set: { model.edit(username: $0) }))
                        .textContentType(.username)
                        .textInputAutocapitalization(.never)
                        .autocorrectionDisabled()
                        .focused($focus, equals: .username)
                        .submitLabel(.next)
                        .onSubmit { focus = .password }
                    SecureField("login_password", text: Binding(get: { model.state.password }, set: { model.edit(password: $0) }))
                        .textContentType(.password)
                        .focused($focus, equals: .password)
                        .submitLabel(.go)
                        .onSubmit { submit() }
                } footer: {
                    Text("login_hint")
                }

                if model.state.error != nil {
                    Section {
                        ErrorBanner(message: model.state.error)
                    }
                }

                Section {
                    Button(action: submit) {
                        HStack {
                            Text("login_submit")
                            Spacer()
                            if model.state.busy { ProgressView() }
                        }
                    }
                    .disabled(model.state.busy)
                }
            }
            .navigationTitle(Text("login_title"))
        }
    }

    private func submit() {
        Task {
            await model.submit()
            if model.state.home != .login { await onLoggedIn() }
        }
    }
}
