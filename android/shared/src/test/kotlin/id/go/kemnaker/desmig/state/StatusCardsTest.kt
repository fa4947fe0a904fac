package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.CapitalApplication
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.CardLine
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.capitalIsLoan
import id.go.kemnaker.desmig.core.capitalNextStages
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertTrue

/** The status cards and next steps come from the core across the FFI: the app only maps keys. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusCardsTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    @Test
    fun `a grant's card offers used, a loan's repaying, and a refused move comes back typed`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah") }; assertTrue(save()) }.state.saved!!
        val grant = CapitalApplication("", siti.id, CapitalSource.VILLAGE_FUND, null, null, null, "Oven", 3_000_000, 3_000_000, 3_000_000,
            CapitalStage.DISBURSED, "2026-11-01", "2026-11-20", null)
        val saved = sri.store.saveCapitalApplication(grant, null)
        val kur = sri.store.saveCapitalApplication(grant.copy(source = CapitalSource.KUR, bank = Bank.BRI, kurScheme = KurScheme.SUPER_MIKRO), null)

        val cards = sri.store.statusCards(siti.id)
        assertEquals(listOf(CardKind.PRAKERJA, CardKind.CAPITAL, CardKind.CAPITAL), cards.map { it.kind })
        assertEquals("prakerja_none", cards[0].stageKey)
        assertEquals(listOf("prakerja_registered"), cards[0].actions.map { it.stageKey })
        val grantCard = cards.first { it.subjectId == saved.id }
        assertEquals("capital_disbursed", grantCard.stageKey)
        assertEquals(listOf("capital_used"), grantCard.actions.map { it.stageKey })
        assertTrue(CardLine.Source("source_village_fund", false) in grantCard.lines)
        assertEquals(listOf("capital_repaying", "capital_repaid"), cards.first { it.subjectId == kur.id }.actions.map { it.stageKey })

        assertEquals(listOf(CapitalStage.USED), capitalNextStages(CapitalSource.PROGRAMME_INCENTIVE, CapitalStage.DISBURSED))
        assertFalse(capitalIsLoan(CapitalSource.VILLAGE_FUND))
        val refused = assertThrows<DesmigException.Conflict> {
            sri.store.saveCapitalApplication(saved.copy(stage = CapitalStage.REPAYING), null)
        }
        assertTrue(refused.reason.contains("grant"), refused.reason)
    }
}
