package id.go.kemnaker.desmig.uitest

import androidx.compose.runtime.Composable
import androidx.compose.runtime.getValue
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.performClick
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.screens.BundlesScreen
import id.go.kemnaker.desmig.app.ui.screens.bundleRowTag
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme
import id.go.kemnaker.desmig.core.BundleKind
import id.go.kemnaker.desmig.core.ImportOutcome
import id.go.kemnaker.desmig.state.BundleFile
import id.go.kemnaker.desmig.core.BundleGroup
import id.go.kemnaker.desmig.state.BundlesModel
import id.go.kemnaker.desmig.state.SyncModel
import id.go.kemnaker.desmig.state.UiMessage
import id.go.kemnaker.desmig.state.phoneCode
import java.io.ByteArrayInputStream
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test

/**
 * Sending without signal on the bundle screen, tapped through the app's own screen over the real
 * core and server: the facilitator packs her changes and later opens the server's receipt; the
 * supervisor opens her file, syncs, and shares the receipt back.
 */
class BundlesTest {
    @get:Rule val ui = createComposeRule()

    companion object {
        @BeforeClass @JvmStatic fun strings() = loadStrings()
    }

    /** What the share sheet got, and what the document picker will return. */
    private var shared: BundleFile? = null
    private var picked = ByteArray(0)

    /** The screen wired as BundlesRoute wires it; the share sheet and the picker stand in as [shared] and [picked]. */
    @Composable
    private fun BundlesFlow(model: BundlesModel) {
        DesmigTheme(dynamicColor = false) {
            val state by model.observe()
            BundlesScreen(
                state = state,
                onExport = { model.export()?.let { shared = it } },
                onImport = { model.importFrom { ByteArrayInputStream(picked) } },
                onShare = { id -> model.shareAgain(id)?.let { shared = it } },
                onBack = {},
            )
        }
    }

    private fun tap(label: Int) {
        ui.onNode(onScreen(button(str(label)))).performClick()
        ui.waitForIdle()
    }

    private fun shown(text: String) = ui.scrollTo(onScreen(hasText(text, substring = true))).assertIsDisplayed()

    @Test
    fun `the facilitator packs her changes into a file, and later opens the receipt a supervisor brought back`() {
        val sri = facilitatorPhone()
        sri.register("Siti Aminah")
        val model = BundlesModel(sri.store).apply { load() }
        val pending = model.state.pending
        ui.setContent { BundlesFlow(model) }
        shown(str(R.string.bundles_none))

        tap(R.string.bundles_export)
        val file = assertNotNull(shared, "${model.state.error}")
        assertEquals("desmig-${file.bundleId}.desmig", file.fileName)
        shown(messageString(UiMessage("bundle_exported", listOf(pending.toString()))))
        shown(str(R.string.bundles_group_waiting))
        ui.scrollTo(hasTestTag(bundleRowTag(file.bundleId))).assertIsDisplayed()

        // A supervisor carries it to the server at his sync; the receipt comes back with him.
        val budi = phoneOf("budi")
        val carrier = BundlesModel(budi.store).apply { check(import(file.bytes)) { "${state.error}" } }
        assertNotNull(SyncModel(budi).syncNow())
        carrier.load()
        val receipt = carrier.state.inGroup(BundleGroup.TO_HAND_ON).single { it.kind == BundleKind.RECEIPT }
        val receiptBytes = budi.store.bundleFile(receipt.bundleId)

        // A copy damaged on the way: refused with its reason, her changes still waiting.
        picked = receiptBytes.copyOf().also { it[it.size - 10] = (it[it.size - 10].toInt() xor 1).toByte() }
        tap(R.string.bundles_import)
        shown(messageString(UiMessage("code_bundle_damaged")))
        shown(str(R.string.bundles_group_waiting))
        assertEquals(pending.toULong(), sri.store.outboxStatus().pending)

        // The genuine receipt: answered as by a sync.
        picked = receiptBytes
        tap(R.string.bundles_import)
        shown(messageString(UiMessage("bundle_imported_acknowledged", listOf(receipt.count.toString()))))
        shown(str(R.string.bundles_group_acknowledged))
        assertEquals(0uL, sri.store.outboxStatus().pending)
        assertEquals(listOf(file.bundleId), model.state.inGroup(BundleGroup.ACKNOWLEDGED).map { it.bundleId })
    }

    @Test
    fun `the supervisor opens a facilitator's file, delivers it at his sync, and shares her receipt back`() {
        val sri = facilitatorPhone()
        sri.register("Warsini")
        val file = assertNotNull(BundlesModel(sri.store).export())

        val budi = phoneOf("budi")
        val model = BundlesModel(budi.store).apply { load() }
        ui.setContent { BundlesFlow(model) }
        picked = file.bytes
        tap(R.string.bundles_import)
        shown(messageString(model.state.notice!!))
        assertEquals("bundle_imported_to_deliver", model.state.notice?.key)
        shown(str(R.string.bundles_group_to_deliver))

        // His sync (BundlesRoute reads the list again when a sync ends).
        assertNotNull(SyncModel(budi).syncNow())
        model.load()
        ui.waitForIdle()
        shown(str(R.string.bundles_group_delivered))
        shown(str(R.string.bundles_group_to_hand_on))
        // Her receipt (and her news), each for her phone by its code.
        val receipt = model.state.inGroup(BundleGroup.TO_HAND_ON).single { it.kind == BundleKind.RECEIPT }
        val forHer = hasText(str(R.string.bundles_for_phone, phoneCode(sri.store.deviceId())), substring = true)
        ui.scrollTo(onScreen(forHer and hasTestTag(bundleRowTag(receipt.bundleId)))).assertIsDisplayed()

        // Share the receipt from its row; her phone takes it.
        val share = button(str(R.string.bundles_share)) and hasAnyAncestor(hasTestTag(bundleRowTag(receipt.bundleId)))
        ui.scrollTo(onScreen(share)).performClick()
        ui.waitForIdle()
        val back = assertNotNull(shared)
        assertEquals(receipt.bundleId, back.bundleId)
        assertEquals(ImportOutcome.ACKNOWLEDGED, sri.store.importBundle(back.bytes).outcome)
        assertEquals(0uL, sri.store.outboxStatus().pending)
    }
}
