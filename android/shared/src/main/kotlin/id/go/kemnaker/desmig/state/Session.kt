package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.core.Identity
import id.go.kemnaker.desmig.core.Role
import id.go.kemnaker.desmig.core.SyncConfig

/** Where the device token lives: the Android Keystore or the iOS Keychain in the apps. */
interface TokenStore {
    fun load(): String?
    fun save(token: String)
    fun clear()
}

class InMemoryTokenStore : TokenStore {
    @Volatile private var token: String? = null
    override fun load() = token
    override fun save(token: String) { this.token = token }
    override fun clear() { token = null }
}

/** The first screen each role lands on. */
enum class Home { LOGIN, FACILITATOR_VILLAGES, WORKER_STATUS, SUPERVISOR_OVERVIEW }

/** The signed-in device: its store, its token and its server. */
class AppSession(val store: FieldStore, val tokens: TokenStore, val serverUrl: String) {
    val identity: Identity? get() = store.identity()

    val home: Home
        get() = when (identity?.role) {
            null -> Home.LOGIN
            Role.FACILITATOR -> Home.FACILITATOR_VILLAGES
            Role.WORKER -> Home.WORKER_STATUS
            Role.SUPERVISOR, Role.ADMIN -> Home.SUPERVISOR_OVERVIEW
        }

    /** The sync settings, or null when the user must log in again. */
    fun syncConfig(): SyncConfig? = tokens.load()?.let { SyncConfig(serverUrl, it) }

    fun signOut() {
        tokens.clear()
        store.signOut()
    }
}
