package id.go.kemnaker.desmig.uitest

import androidx.compose.runtime.getValue
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.performScrollTo
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onAllNodesWithText
import androidx.compose.ui.test.performClick
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.screens.VisitDetailScreen
import id.go.kemnaker.desmig.app.ui.theme.DesmigTheme
import id.go.kemnaker.desmig.state.SyncModel
import id.go.kemnaker.desmig.state.VisitFormModel
import id.go.kemnaker.desmig.state.VisitViewModel
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test

/** The supervisor reads a visit before verifying it; the facilitator amends her completed visit. */
class VisitDetailTest {
    @get:Rule val ui = createComposeRule()

    /** The screen is one scrolling column: scroll [m] into view, as a user would. */
    private fun shown(m: SemanticsMatcher) = ui.onNode(onScreen(m)).performScrollTo().assertIsDisplayed()

    companion object {
        @BeforeClass @JvmStatic fun strings() = loadStrings()
    }

    @Test
    fun `the supervisor opens the visit, reads its answers by their labels, and verifies it there`() {
        val sri = facilitatorPhone()
        val siti = sri.register("Siti Aminah")
        val form = VisitFormModel(sri.store).apply { start(siti, "kur_readiness"); fillAll() }
        kotlin.test.assertTrue(form.complete(), "${form.state.problems}")
        val visitId = sri.store.beneficiaryFile(siti).visits.single().id
        assertNotNull(SyncModel(sri).syncNow())

        val budi = phoneOf("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val model = VisitViewModel(budi.store, visitId).apply { load() }
        val view = assertNotNull(model.state.view)
        ui.setContent {
            DesmigTheme(dynamicColor = false) {
                val state by model.observe()
                VisitDetailScreen(state, onBack = {}, onVerify = { model.verify() }, onAmend = { model.amend() }, onContinue = {})
            }
        }
        shown(hasText("Siti Aminah"))
        // Every answer is shown under its label from the checklist.
        shown(hasText(view.answers.first().label.id))
        shown(hasText(view.answers.last().label.id))
        // The district's supervisor may verify (she did not record it) and amend (she writes in her district).
        shown(button(str(R.string.visit_detail_amend)))
        shown(button(str(R.string.supervisor_verify))).performClick()
        ui.waitForIdle()
        assertNotNull(budi.store.visitView(visitId).verifiedBy, "the core has the verification")
        // Verified once: the action is gone, the screen says when.
        ui.onAllNodes(button(str(R.string.supervisor_verify))).assertCountEquals(0)
        shown(hasText(str(R.string.file_visit_verified)))
    }

    @Test
    fun `the facilitator opens her completed visit read-only and amends it into a new draft`() {
        val sri = facilitatorPhone()
        val siti = sri.register("Rina Marlina")
        val form = VisitFormModel(sri.store).apply { start(siti, "initial_assessment"); fillAll() }
        kotlin.test.assertTrue(form.complete(), "${form.state.problems}")
        val visitId = sri.store.beneficiaryFile(siti).visits.single().id
        val model = VisitViewModel(sri.store, visitId).apply { load() }
        ui.setContent {
            DesmigTheme(dynamicColor = false) {
                val state by model.observe()
                VisitDetailScreen(state, onBack = {}, onVerify = { model.verify() }, onAmend = { model.amend() }, onContinue = {})
            }
        }
        shown(hasText(str(R.string.visit_detail_completed)))
        ui.onAllNodesWithText(str(R.string.supervisor_verify)).assertCountEquals(0)
        shown(button(str(R.string.visit_detail_amend))).performClick()
        ui.waitForIdle()
        val draftId = assertNotNull(model.state.amendmentDraftId)
        val draft = sri.store.visitView(draftId)
        assertEquals("visit_draft", draft.statusKey)
        assertEquals(visitId, draft.amends)
        assertNull(model.state.error)
    }
}
