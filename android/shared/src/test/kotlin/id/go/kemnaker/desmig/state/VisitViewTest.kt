package id.go.kemnaker.desmig.state

import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VisitViewTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    @Test
    fun `the supervisor opens a visit with its labels before verifying, and the facilitator amends a completed one`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah") }; assertTrue(save()) }.state.saved!!
        val form = VisitFormModel(sri.store).apply { start(siti.id, "kur_readiness"); fillAll() }
        assertTrue(form.complete(), "${form.state.problems}")
        val visitId = assertNotNull(sri.store.beneficiaryFile(siti.id).visits.single()).id
        assertEquals(0uL, assertNotNull(SyncModel(sri).syncNow()).rejected)

        // The facilitator's own completed visit: read-only, amend offered, verify not.
        val mine = VisitViewModel(sri.store, visitId).apply { load() }
        val view = assertNotNull(mine.state.view)
        assertEquals("Siti Aminah", view.beneficiaryName)
        assertEquals("visit_completed", view.statusKey)
        assertTrue(view.canAmend)
        assertFalse(view.canVerify)
        assertFalse(mine.verify(), "not offered, not done")
        assertTrue(view.answers.isNotEmpty() && view.answers.all { it.label.id.isNotBlank() && it.label.en.isNotBlank() })

        // The supervisor's phone, after a sync: the same visit with its checklist's title and labels.
        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val check = VisitViewModel(budi.store, visitId).apply { load() }
        val opened = assertNotNull(check.state.view)
        assertEquals(view.templateTitle, opened.templateTitle)
        assertEquals(view.answers, opened.answers)
        assertTrue(opened.canVerify)
        assertTrue(check.verify())
        assertNotNull(assertNotNull(check.state.view).verifiedBy)
        assertFalse(assertNotNull(check.state.view).canVerify, "verified once")

        // Amending opens a new draft that names the original, which stays as it was.
        val draftId = assertNotNull(mine.amend())
        assertEquals(draftId, mine.state.amendmentDraftId)
        val draft = sri.store.visitView(draftId)
        assertEquals("visit_draft", draft.statusKey)
        assertEquals(visitId, draft.amends)
        assertFalse(draft.canAmend)
        assertNull(mine.state.error)
    }
}
