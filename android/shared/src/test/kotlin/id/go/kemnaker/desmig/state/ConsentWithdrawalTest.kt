package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.DesmigException
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsentWithdrawalTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    @Test
    fun `a withdrawal is confirmed, shown on the file, and stops new records here and on the server`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah") }; assertTrue(save()) }.state.saved!!
        // A draft visit from before the withdrawal.
        val draft = VisitFormModel(sri.store).apply { start(siti.id, "kur_readiness") }
        assertNotNull(draft.state.visit)
        assertEquals(0uL, assertNotNull(SyncModel(sri).syncNow()).rejected)

        val file = BeneficiaryFileModel(sri.store, siti.id)
        file.load()
        assertNull(file.state.consentWithdrawnAt)
        assertTrue(file.state.canAddRecords)
        assertTrue(file.state.canWithdrawConsent)

        // Nothing happens without the confirmation step, nor when the user cancels it.
        assertFalse(file.confirmWithdrawal())
        file.askToWithdrawConsent()
        assertTrue(file.state.confirmingWithdrawal)
        file.cancelWithdrawal()
        assertFalse(file.state.confirmingWithdrawal)
        assertFalse(file.confirmWithdrawal())
        assertNull(sri.store.beneficiaryFile(siti.id).beneficiary.consentWithdrawnAt)

        // Asked and confirmed: recorded by the core, and the file is reloaded showing it.
        val before = System.currentTimeMillis()
        file.askToWithdrawConsent()
        assertTrue(file.confirmWithdrawal())
        val at = assertNotNull(file.state.consentWithdrawnAt)
        assertTrue(at >= before - 60_000 && at <= System.currentTimeMillis() + 60_000, "stamped now: $at")
        assertEquals(at, file.state.file?.beneficiary?.consentWithdrawnAt)
        assertFalse(file.state.confirmingWithdrawal)
        assertFalse(file.state.canAddRecords)
        assertFalse(file.state.canWithdrawConsent)
        assertNull(file.state.error)
        // Offered once: asking again does nothing.
        file.askToWithdrawConsent()
        assertFalse(file.state.confirmingWithdrawal)

        // A new visit is refused by the core with consent_withdrawn, in words for the facilitator.
        val visit = VisitFormModel(sri.store)
        visit.start(siti.id, "kur_readiness")
        assertEquals(UiMessage("error_consent_withdrawn"), visit.state.error)
        assertNull(visit.state.visit)
        assertEquals("consent_withdrawn", assertThrows<DesmigException.NotAllowed> { sri.store.startVisit(siti.id, "kur_readiness", null) }.code)
        assertEquals("consent_withdrawn", assertThrows<DesmigException.NotAllowed> { sri.store.addFollowUp(siti.id, null, "Kunjungan lagi", "2026-12-10") }.code)
        // So is carrying on with the draft from before.
        assertFalse(draft.saveDraft())
        assertEquals("error_consent_withdrawn", draft.state.error?.key)

        // The withdrawal reaches the server, and the supervisor's phone shows it too.
        val report = assertNotNull(SyncModel(sri).syncNow())
        assertEquals(0uL, report.rejected)
        assertEquals(0uL, sri.store.outboxStatus().pending)
        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val seen = BeneficiaryFileModel(budi.store, siti.id).apply { load() }
        assertEquals(at, seen.state.consentWithdrawnAt)
        assertFalse(seen.state.canAddRecords)
        assertEquals("consent_withdrawn", assertThrows<DesmigException.NotAllowed> { budi.store.startVisit(siti.id, "kur_readiness", null) }.code)
    }

    @Test
    fun `withdrawing for someone not on this phone says so`() {
        val sri = phone(server).logIn("sri")
        val file = BeneficiaryFileModel(sri.store, "no-such-person")
        file.load()
        assertEquals("error_not_found", file.state.error?.key)
        file.askToWithdrawConsent()
        assertFalse(file.state.confirmingWithdrawal, "nothing to withdraw without a file")
    }
}
