package id.go.kemnaker.desmig.security

import id.go.kemnaker.desmig.state.toUiMessage
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

class StoreKeyVaultTest {
    private fun ByteArray.contains(part: ByteArray): Boolean =
        (0..size - part.size).any { start -> part.indices.all { this[start + it] == part[it] } }

    @Test
    fun `the first run makes a 32-byte key and keeps only its wrapped bytes`() {
        val storage = RecordingStorage()
        val keystore = AesGcmKeyWrapper()
        val key = StoreKeyVault(keystore, storage).storeKey()
        assertEquals(32, key.size)
        assertFalse(key.all { it == 0.toByte() })
        val stored = assertNotNull(storage.bytes, "the wrapped key is persisted")
        assertEquals(1, storage.saves)
        assertFalse(stored.contentEquals(key))
        assertFalse(stored.contains(key), "the stored bytes do not hold the key in the clear")
        assertEquals(1, keystore.wraps)
    }

    @Test
    fun `a later run unwraps the same key and saves nothing`() {
        val storage = RecordingStorage()
        val keystore = AesGcmKeyWrapper()
        val first = StoreKeyVault(keystore, storage).storeKey()
        val stored = storage.bytes!!.copyOf()
        val again = StoreKeyVault(keystore, storage).storeKey()
        assertContentEquals(first, again)
        assertContentEquals(stored, storage.bytes)
        assertEquals(1, storage.saves)
        assertEquals(1, keystore.wraps, "no second key is made")
        // Each call hands out its own copy: the caller may wipe it after opening the store.
        again.fill(0)
        assertContentEquals(first, StoreKeyVault(keystore, storage).storeKey())
    }

    @Test
    fun `two phones make different keys`() {
        val a = StoreKeyVault(AesGcmKeyWrapper(), RecordingStorage()).storeKey()
        val b = StoreKeyVault(AesGcmKeyWrapper(), RecordingStorage()).storeKey()
        assertFalse(a.contentEquals(b))
    }

    @Test
    fun `a key that no longer unwraps throws and makes no new key`() {
        val storage = RecordingStorage()
        StoreKeyVault(AesGcmKeyWrapper(), storage).storeKey()
        val stored = storage.bytes!!.copyOf()
        // The Keystore was reset: its wrapping key is another one now.
        val reset = AesGcmKeyWrapper()
        val e = assertThrows<StoreKeyUnavailable> { StoreKeyVault(reset, storage).storeKey() }
        assertEquals(StoreKeyUnavailable.UNWRAP_FAILED, e.code)
        assertTrue(e.locked)
        assertEquals(0, reset.wraps, "no new key was made")
        assertContentEquals(stored, storage.bytes, "the wrapped key is left as it was")
        assertEquals(1, storage.saves)
        assertEquals("error_store_locked", e.toUiMessage().key)
        assertEquals(listOf("unwrap_failed"), e.toUiMessage().args)
        // And it stays locked at every start: still no new key.
        assertThrows<StoreKeyUnavailable> { StoreKeyVault(reset, storage).storeKey() }
        assertContentEquals(stored, storage.bytes)
    }

    @Test
    fun `damaged wrapped bytes, an unreadable storage and a short key are locked too`() {
        val storage = RecordingStorage()
        val keystore = AesGcmKeyWrapper()
        StoreKeyVault(keystore, storage).storeKey()
        val stored = storage.bytes!!

        val damaged = RecordingStorage(stored.copyOf().also { it[it.size - 1] = (it[it.size - 1] + 1).toByte() })
        assertEquals(StoreKeyUnavailable.UNWRAP_FAILED, assertThrows<StoreKeyUnavailable> { StoreKeyVault(keystore, damaged).storeKey() }.code)
        assertEquals(0, damaged.saves)

        val unreadable = RecordingStorage(stored).apply { failLoad = true }
        val e = assertThrows<StoreKeyUnavailable> { StoreKeyVault(keystore, unreadable).storeKey() }
        assertEquals(StoreKeyUnavailable.UNREADABLE, e.code)
        assertTrue(e.locked)
        assertEquals(0, unreadable.saves)
        assertEquals(1, keystore.wraps)

        val short = object : KeyWrapper {
            override fun wrap(key: ByteArray) = error("never called")
            override fun unwrap(wrapped: ByteArray) = ByteArray(16)
        }
        assertEquals(StoreKeyUnavailable.UNWRAP_FAILED, assertThrows<StoreKeyUnavailable> { StoreKeyVault(short, RecordingStorage(stored)).storeKey() }.code)
    }

    @Test
    fun `a first run that cannot save its key says so and keeps nothing`() {
        val storage = RecordingStorage().apply { failSave = true }
        val e = assertThrows<StoreKeyUnavailable> { StoreKeyVault(AesGcmKeyWrapper(), storage).storeKey() }
        assertEquals(StoreKeyUnavailable.NOT_SAVED, e.code)
        assertFalse(e.locked, "nothing was encrypted with that key: the next start tries again")
        assertEquals("error_storage", e.toUiMessage().key)
        assertNull(storage.bytes)

        // A wrapper that cannot wrap (the Keystore refuses to make its key) is the same.
        val broken = object : KeyWrapper {
            override fun wrap(key: ByteArray): ByteArray = throw java.security.ProviderException("Keystore unavailable")
            override fun unwrap(wrapped: ByteArray): ByteArray = error("never called")
        }
        val empty = RecordingStorage()
        assertEquals(StoreKeyUnavailable.NOT_SAVED, assertThrows<StoreKeyUnavailable> { StoreKeyVault(broken, empty).storeKey() }.code)
        assertEquals(0, empty.saves)

        // Once the disk has room again, the next start makes the key.
        storage.failSave = false
        assertEquals(32, StoreKeyVault(AesGcmKeyWrapper(), storage).storeKey().size)
        assertNotNull(storage.bytes)
    }

    @Test
    fun `the vault refuses to run on the main thread`() {
        val storage = RecordingStorage()
        val keystore = AesGcmKeyWrapper()
        assertThrows<IllegalStateException> { StoreKeyVault(keystore, storage, isMainThread = { true }).storeKey() }
        assertEquals(0, keystore.wraps + keystore.unwraps)
        assertNull(storage.bytes)
    }
}
