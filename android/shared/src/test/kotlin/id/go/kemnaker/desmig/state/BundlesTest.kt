package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.core.BundleKind
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * Store-and-forward through the bundle screen's holder: a facilitator out of coverage shares her
 * changes as a file, a supervisor carries it to the server at his sync and brings the receipt
 * back, and her phone takes it as if it had synced. The real core and the real server binary.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BundlesTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    private fun AppSession.registerOffline(name: String) =
        RegistrationModel(store, VILLAGE).apply { edit { it.copy(fullName = name) }; assertTrue(save()) }.state.saved!!

    /** A copy of [bytes] with one byte flipped, [fromEnd] bytes before the end (inside the sealed part). */
    private fun damaged(bytes: ByteArray, fromEnd: Int = 10) = bytes.copyOf().also { it[it.size - fromEnd] = (it[it.size - fromEnd].toInt() xor 0x01).toByte() }

    @Test
    fun `a facilitator's changes reach the server through a supervisor's phone, and her phone takes the receipt`() {
        // Logged in once while online; then out of coverage: she records and never syncs.
        val sri = phone(server).logIn("sri")
        val rina = sri.registerOffline("Rina Wulandari")
        val mine = BundlesModel(sri.store).apply { load() }
        assertTrue(mine.state.pending > 0)

        val file = assertNotNull(mine.export(), "${mine.state.error}")
        assertEquals("desmig-${file.bundleId}.desmig", file.fileName)
        assertEquals(UiMessage("bundle_exported", listOf(mine.state.pending.toString())), mine.state.notice)
        assertEquals(listOf(file.bundleId), mine.state.inGroup(BundleGroup.WAITING).map { it.bundleId })
        assertTrue(mine.state.pending > 0, "the changes wait until a receipt answers them")
        // Her own bundle is no use to her phone.
        assertTrue(!mine.import(file.bytes))
        assertEquals("code_bundle_own", mine.state.error?.key)

        // The supervisor takes the file; his phone cannot read it, only carry it.
        val budi = phone(server).logIn("budi")
        val carried = BundlesModel(budi.store).apply { load() }
        assertTrue(carried.import(file.bytes), "${carried.state.error}")
        assertEquals("bundle_imported_to_deliver", carried.state.notice?.key)
        assertEquals(listOf(file.bundleId), carried.state.inGroup(BundleGroup.TO_DELIVER).map { it.bundleId })
        assertEquals(sri.store.deviceId().takeLast(6).uppercase(), mine.state.phoneCode)
        // The same file twice changes nothing.
        assertTrue(carried.import(file.bytes))
        assertEquals(UiMessage("bundle_imported_already_had"), carried.state.notice)

        // His ordinary sync delivers it and brings back her receipt (and her news) to hand on.
        assertNotNull(SyncModel(budi).syncNow())
        carried.load()
        assertEquals(listOf(file.bundleId), carried.state.inGroup(BundleGroup.DELIVERED).map { it.bundleId })
        val toHandOn = carried.state.inGroup(BundleGroup.TO_HAND_ON)
        assertTrue(toHandOn.isNotEmpty() && toHandOn.all { it.peer == sri.store.deviceId() }, "$toHandOn")
        assertTrue(toHandOn.all { it.peerPhone == mine.state.phoneCode })
        val receipt = toHandOn.single { it.kind == BundleKind.RECEIPT }
        assertEquals(file.bundleId, receipt.answers)
        assertTrue(receipt.shareable)
        assertEquals(
            listOf(BundleGroup.TO_HAND_ON, BundleGroup.DELIVERED),
            carried.state.groups.map { it.first },
        )

        // He shares the receipt with her; a copy damaged on the way is refused and changes nothing.
        val receiptFile = assertNotNull(carried.shareAgain(receipt.bundleId))
        assertNull(carried.state.error)
        val before = mine.state.bundles
        assertTrue(!mine.import(damaged(receiptFile.bytes)))
        assertEquals(UiMessage("code_bundle_damaged"), mine.state.error)
        assertNull(mine.state.notice)
        assertEquals(before, mine.state.bundles, "nothing is listed")
        assertTrue(mine.state.pending > 0)

        // The genuine receipt: her changes are answered, as if she had synced.
        assertTrue(mine.import(receiptFile.bytes), "${mine.state.error}")
        assertEquals("bundle_imported_acknowledged", mine.state.notice?.key)
        assertEquals(0L, mine.state.pending)
        assertEquals(listOf(file.bundleId), mine.state.inGroup(BundleGroup.ACKNOWLEDGED).map { it.bundleId })
        assertTrue(mine.state.inGroup(BundleGroup.WAITING).isEmpty())
        assertEquals(0L, SyncModel(sri).apply { load() }.state.pending)
        // Her news (she never pulled): applied on her phone, which lists both answers as received.
        val news = toHandOn.single { it.kind == BundleKind.INBOUND }
        assertTrue(mine.import(assertNotNull(carried.shareAgain(news.bundleId)).bytes), "${mine.state.error}")
        assertEquals("bundle_imported_applied", mine.state.notice?.key)
        assertEquals(setOf(receipt.bundleId, news.bundleId), mine.state.inGroup(BundleGroup.RECEIVED).map { it.bundleId }.toSet())

        // The server has her registration: the supervisor sees it at his next sync.
        assertNotNull(SyncModel(budi).syncNow())
        assertTrue(budi.store.listBeneficiaries(VILLAGE, 0u, 100u).items.any { it.id == rina.id })
    }

    @Test
    fun `a carried bundle damaged on the way is refused by the server, with its reason`() {
        val sri = phone(server).logIn("sri")
        sri.registerOffline("Dewi Lestari")
        val file = assertNotNull(BundlesModel(sri.store).export())

        // A phone never signed in has no server key to check a file against: it takes none.
        val never = BundlesModel(phone(server).store)
        assertTrue(!never.import(file.bytes))
        assertEquals(UiMessage("code_no_server_keys"), never.state.error)

        // A carrier cannot open what it carries: the damage shows only at the server.
        val budi = phone(server).logIn("budi")
        val carried = BundlesModel(budi.store)
        assertTrue(carried.import(damaged(file.bytes)))
        assertNotNull(SyncModel(budi).syncNow())
        carried.load()
        val refused = carried.state.inGroup(BundleGroup.REFUSED).single()
        assertEquals(file.bundleId, refused.bundleId)
        assertEquals(UiMessage("code_bundle_damaged"), refused.refusal)
        assertTrue(!refused.shareable)
        assertTrue(carried.state.inGroup(BundleGroup.TO_HAND_ON).isEmpty())
    }

    @Test
    fun `a phone never signed in cannot make a bundle, and a file that is no bundle is refused`() {
        val fresh = BundlesModel(phone(server).store)
        assertNull(fresh.export())
        assertEquals("error_login_required", fresh.state.error?.key)

        val budi = BundlesModel(phone(server).logIn("budi").store)
        assertTrue(!budi.import("not a bundle at all".toByteArray()))
        assertEquals(UiMessage("code_bundle_malformed"), budi.state.error)
        // A picked document the platform cannot read, and one far too big to be a bundle (not read whole).
        assertTrue(!budi.importFrom { throw java.io.IOException("the provider went away") })
        assertEquals(UiMessage("bundle_unreadable"), budi.state.error)
        assertTrue(!budi.importFrom { null })
        assertEquals(UiMessage("bundle_unreadable"), budi.state.error)
        assertTrue(!budi.importFrom { java.io.ByteArrayInputStream(ByteArray(64 shl 20)) })
        assertEquals(UiMessage("code_payload_too_large"), budi.state.error)
        assertTrue(budi.state.bundles.isEmpty())
    }
}
