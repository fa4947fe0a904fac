package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.DesmigException

data class LoginState(
    val username: String = "",
    val password: String = "",
    val busy: Boolean = false,
    val error: UiMessage? = null,
    val home: Home = Home.LOGIN,
)

class LoginModel(private val session: AppSession) : StateHolder<LoginState>(LoginState(home = session.home)) {
    fun edit(username: String = state.username, password: String = state.password) =
        update { it.copy(username = username, password = password, error = null) }

    /** Logs in and keeps the token; on success `home` says where to go. */
    fun submit() {
        if (state.username.isBlank() || state.password.isEmpty()) {
            update { it.copy(error = UiMessage("login_missing_fields")) }
            return
        }
        update { it.copy(busy = true, error = null) }
        try {
            val result = session.store.login(session.serverUrl, state.username.trim(), state.password)
            session.tokens.save(result.token)
            update { it.copy(busy = false, password = "", home = session.home) }
        } catch (e: DesmigException) {
            val message = if (e is DesmigException.LoginRequired) UiMessage("login_wrong_credentials") else e.toUiMessage()
            update { it.copy(busy = false, error = message) }
        }
    }
}
