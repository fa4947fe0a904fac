// The key of the phone's encrypted store (SQLCipher inside the core): 32 random bytes, made once
// on the phone's first run and kept only *wrapped* (encrypted) by a key that never leaves the
// platform's secure hardware: the Android Keystore in the app (KeystoreKeyWrapper), AES-GCM from
// javax.crypto in the JVM tests. Plain Kotlin, no Android imports, so it is tested on the desktop.
package id.go.kemnaker.desmig.security

import java.security.SecureRandom

/** The length of the store's key: SQLCipher's raw 256-bit key, as the core requires it. */
const val STORE_KEY_BYTES = 32

/**
 * Seals and opens the store's key with a key that stays in secure hardware (the Android Keystore).
 *
 * Both calls may talk to the Keystore's hardware and take tens or hundreds of milliseconds:
 * **never call them on the main thread.** [StoreKeyVault] (their only caller) refuses to run there.
 */
interface KeyWrapper {
    /** The sealed form of [key], safe to write to ordinary storage. */
    fun wrap(key: ByteArray): ByteArray

    /** [wrap]'s input again; throws when it cannot (the wrapping key is gone, the bytes are damaged). */
    fun unwrap(wrapped: ByteArray): ByteArray
}

/**
 * Where the wrapped key is kept (private SharedPreferences in the app, excluded from backups).
 * Only the wrapped bytes ever reach it, never the key. Kept apart from the device token: signing
 * out clears the token and must never touch this.
 */
interface WrappedKeyStorage {
    /** The wrapped key, or null when none was ever saved; throws when it exists but cannot be read. */
    fun load(): ByteArray?

    /** Stores [wrapped] durably (on disk when it returns), or throws. */
    fun save(wrapped: ByteArray)
}

/** A [WrappedKeyStorage] in memory: for tests and the desktop renders. */
class InMemoryWrappedKeyStorage : WrappedKeyStorage {
    @Volatile private var wrapped: ByteArray? = null
    override fun load(): ByteArray? = wrapped?.copyOf()
    override fun save(wrapped: ByteArray) { this.wrapped = wrapped.copyOf() }
}

/**
 * The store's key cannot be had: the app shows that the phone's data cannot be unlocked, and
 * **never deletes or recreates the store**, whose unsent changes exist nowhere else.
 */
class StoreKeyUnavailable(val code: String, message: String, cause: Throwable? = null) : Exception(message, cause) {
    /** True when a key was made for this phone before and is lost: the store stays locked. */
    val locked: Boolean get() = code != NOT_SAVED

    companion object {
        /** A wrapped key exists but does not open (the Keystore was reset, or its key removed). */
        const val UNWRAP_FAILED = "unwrap_failed"

        /** The stored wrapped key cannot be read back from its storage. */
        const val UNREADABLE = "unreadable"

        /**
         * First run: the new key could not be wrapped or stored. Nothing was encrypted with it and
         * nothing is lost; the next start tries again.
         */
        const val NOT_SAVED = "not_saved"
    }
}

/**
 * Gives the store's key. On the phone's first run (no wrapped key in [storage]) it makes 32 bytes
 * with [SecureRandom], wraps them with [wrapper], saves only the wrapped bytes and reads them back
 * before anything is encrypted with the key. On later runs it unwraps the saved bytes.
 *
 * When a wrapped key exists but cannot be unwrapped or read, it throws [StoreKeyUnavailable] and
 * changes nothing: **it never makes a new key then**, since a new key cannot open the store and
 * the store holds changes not yet sent.
 *
 * Blocking, and never on the main thread ([KeyWrapper]): [isMainThread] tells it where it runs
 * (the app passes `Looper.getMainLooper().isCurrentThread`), and it refuses to run there.
 */
class StoreKeyVault(
    private val wrapper: KeyWrapper,
    private val storage: WrappedKeyStorage,
    private val random: SecureRandom = SecureRandom(),
    private val isMainThread: () -> Boolean = { false },
) {
    /** The store's key, a fresh copy for each call (the caller may wipe it after opening the store). */
    @Synchronized
    fun storeKey(): ByteArray {
        check(!isMainThread()) { "the store key is unwrapped by the Keystore: call StoreKeyVault off the main thread" }
        val wrapped = try {
            storage.load()
        } catch (e: Exception) {
            throw StoreKeyUnavailable(StoreKeyUnavailable.UNREADABLE, "the wrapped store key cannot be read", e)
        }
        return if (wrapped == null) makeKey() else unwrap(wrapped)
    }

    private fun unwrap(wrapped: ByteArray): ByteArray {
        val key = try {
            wrapper.unwrap(wrapped)
        } catch (e: Exception) {
            throw StoreKeyUnavailable(StoreKeyUnavailable.UNWRAP_FAILED, "the store key does not unwrap: the Keystore lost its key", e)
        }
        if (key.size != STORE_KEY_BYTES) {
            key.fill(0)
            throw StoreKeyUnavailable(StoreKeyUnavailable.UNWRAP_FAILED, "the unwrapped store key is not $STORE_KEY_BYTES bytes")
        }
        return key
    }

    /** First run: a new key, kept only once its wrapped bytes are stored and unwrap to it again. */
    private fun makeKey(): ByteArray {
        val key = ByteArray(STORE_KEY_BYTES).also(random::nextBytes)
        try {
            val wrapped = wrapper.wrap(key)
            check(!wrapped.contentEquals(key)) { "the wrapper returned the key itself" }
            check(wrapper.unwrap(wrapped).contentEquals(key)) { "the wrapped key does not unwrap to the key" }
            storage.save(wrapped)
            check(storage.load()?.contentEquals(wrapped) == true) { "the wrapped key did not read back as saved" }
        } catch (e: Exception) {
            key.fill(0)
            throw StoreKeyUnavailable(StoreKeyUnavailable.NOT_SAVED, "a new store key could not be wrapped and saved", e)
        }
        return key
    }
}
