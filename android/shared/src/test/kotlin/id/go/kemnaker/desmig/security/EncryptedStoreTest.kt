package id.go.kemnaker.desmig.security

import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.FieldStore
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.InMemoryTokenStore
import id.go.kemnaker.desmig.state.RegistrationModel
import id.go.kemnaker.desmig.state.TestServer
import id.go.kemnaker.desmig.state.VILLAGE
import id.go.kemnaker.desmig.state.logIn
import id.go.kemnaker.desmig.state.storeKey
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import java.io.File
import java.nio.file.Files
import java.security.MessageDigest
import kotlin.test.assertContentEquals
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertIs
import kotlin.test.assertNotNull
import kotlin.test.assertTrue

/** The real library: the store encrypted with the vault's key, and what a lost key does (nothing). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EncryptedStoreTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    private fun newPath(): String {
        val dir = Files.createTempDirectory("desmig-phone").toFile()
        dir.deleteOnExit()
        return File(dir, "field.db").absolutePath
    }

    private fun digest(path: String): List<Byte> = MessageDigest.getInstance("SHA-256").digest(File(path).readBytes()).toList()

    private fun readyStore(path: String, vault: StoreKeyVault): FieldStore = assertIs<StoreOpening.Ready>(openFieldStore(path, vault)).store

    @Test
    fun `the store reopens with the vault's key, and another key is wrong_key and changes nothing`() {
        val path = newPath()
        val storage = InMemoryWrappedKeyStorage()
        val keystore = AesGcmKeyWrapper()
        val vault = StoreKeyVault(keystore, storage)

        // First run: a new key; a facilitator records someone, offline (not synced).
        val sri = AppSession(readyStore(path, vault), InMemoryTokenStore(), server.url).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah", nik = "3212015708900001") }; assertTrue(save()) }.state.saved!!
        assertEquals(1uL, sri.store.outboxStatus().pending)
        sri.store.close()

        // The file is encrypted: neither the SQLite header nor the name or NIK is in it.
        val bytes = File(path).readBytes()
        assertFalse(String(bytes, Charsets.ISO_8859_1).startsWith("SQLite format 3"))
        assertFalse(String(bytes, Charsets.ISO_8859_1).contains("Siti Aminah"))
        assertFalse(String(bytes, Charsets.ISO_8859_1).contains("3212015708900001"))
        val before = digest(path)

        // Another key: refused as wrong_key, and the file is left exactly as it was.
        val wrong = assertThrows<DesmigException.StoreKey> { FieldStore.open(path, storeKey()) }
        assertEquals("wrong_key", wrong.code)
        assertEquals(before, digest(path))
        // A key that is not 32 bytes: invalid_key.
        assertEquals("invalid_key", assertThrows<DesmigException.StoreKey> { FieldStore.open(path, ByteArray(31)) }.code)
        assertEquals(before, digest(path))

        // The app's path: a lost wrapped key makes a new key, which the store refuses: locked.
        val lostPrefs = openFieldStore(path, StoreKeyVault(AesGcmKeyWrapper(), InMemoryWrappedKeyStorage()))
        assertEquals("error_store_locked", assertIs<StoreOpening.Locked>(lostPrefs).message.key)
        assertEquals(listOf("wrong_key"), lostPrefs.message.args)
        // A reset Keystore: the wrapped key does not unwrap; locked, and no new key is saved.
        val stored = storage.load()!!
        val reset = openFieldStore(path, StoreKeyVault(AesGcmKeyWrapper(), storage))
        assertEquals(listOf("unwrap_failed"), assertIs<StoreOpening.Locked>(reset).message.args)
        assertContentEquals(stored, storage.load())
        assertEquals(before, digest(path))

        // The vault's key still opens it, with the person and the unsent change still there.
        val again = readyStore(path, StoreKeyVault(keystore, storage))
        assertEquals("Sri Wahyuni", again.identity()?.displayName)
        assertEquals(listOf("Siti Aminah"), again.searchBeneficiaries("siti", 10u).map { it.fullName })
        assertEquals(siti.id, again.beneficiaryFile(siti.id).beneficiary.id)
        assertEquals(1uL, again.outboxStatus().pending, "the unsent change waits for the next sync")
        again.close()
    }

    @Test
    fun `signing out clears the token and leaves the store key alone`() {
        val path = newPath()
        val storage = InMemoryWrappedKeyStorage()
        val keystore = AesGcmKeyWrapper()
        val sri = AppSession(readyStore(path, StoreKeyVault(keystore, storage)), InMemoryTokenStore(), server.url).logIn("sri")
        assertNotNull(sri.tokens.load())
        RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Dewi Lestari") }; assertTrue(save()) }
        val stored = storage.load()!!
        sri.signOut()
        assertEquals(null, sri.tokens.load())
        assertContentEquals(stored, storage.load())
        sri.store.close()

        val reopened = readyStore(path, StoreKeyVault(keystore, storage))
        assertEquals(null, reopened.identity())
        assertEquals(1uL, reopened.outboxStatus().pending, "unsent changes stay for the next sign-in")
        reopened.close()
    }
}
