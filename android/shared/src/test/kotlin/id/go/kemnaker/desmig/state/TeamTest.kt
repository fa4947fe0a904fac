package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.CapitalApplication
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.Role
import id.go.kemnaker.desmig.core.Shown
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * The team as the core has it from the sync: the supervisor's view per facilitator (name, work
 * phone, this month's visits), the worker's facilitator, and a conflict between two facilitators
 * shown as a person reads it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TeamTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() {
        server = TestServer()
        server.admin("user", "phone", "--username", "sri", "--phone", "0812 3456 7890")
        server.admin(
            "user", "add", "--username", "wati", "--password", PASSWORD, "--name", "Wati Susanti", "--role", "facilitator",
            "--village", VILLAGE, "--phone", "0813 2222 3333",
        )
    }

    @AfterAll fun stop() { server.close() }

    @Test
    fun `the supervisor sees each facilitator with their phone and this month's visits, and a changed phone`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah") }; assertTrue(save()) }.state.saved!!
        val visit = VisitFormModel(sri.store)
        visit.start(siti.id, "kur_readiness")
        visit.fillAll()
        assertTrue(visit.complete(), "${visit.state.problems}")
        assertNotNull(SyncModel(sri).syncNow())

        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val team = SupervisorModel(budi.store).apply { load() }
        assertNull(team.state.error)
        val facilitator = team.state.facilitators.first { it.displayName == "Sri Wahyuni" }
        assertEquals("+6281234567890", facilitator.phone)
        assertEquals(listOf(VILLAGE), facilitator.villages)
        assertEquals(1uL, facilitator.visitsThisMonth)
        assertEquals(1uL, facilitator.beneficiariesVisited)
        assertEquals(1uL, facilitator.visitsToVerify)
        assertNotNull(facilitator.lastVisitAt)
        assertTrue(team.state.facilitators.any { it.displayName == "Wati Susanti" && it.visitsThisMonth == 0uL })

        // Her work phone changes on the server: the supervisor's phone has it after the next sync.
        server.admin("user", "phone", "--username", "sri", "--phone", "0812 1111 2222")
        assertNotNull(SyncModel(budi).syncNow())
        team.load()
        assertEquals("+6281211112222", team.state.facilitators.first { it.displayName == "Sri Wahyuni" }.phone)
        // Verifying the visit leaves nothing to verify for her.
        team.verify(team.state.toVerify.single().visit.id)
        assertEquals(0uL, team.state.facilitators.first { it.displayName == "Sri Wahyuni" }.visitsToVerify)
    }

    @Test
    fun `a worker's status names their facilitator with the work phone`() {
        val sri = phone(server).logIn("sri")
        val dewi = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Dewi Lestari") }; assertTrue(save()) }.state.saved!!
        assertNotNull(SyncModel(sri).syncNow())

        server.admin("user", "add", "--username", "dewi", "--password", PASSWORD, "--name", "Dewi", "--role", "worker", "--beneficiary", dewi.id)
        val worker = phone(server).logIn("dewi")
        assertNotNull(SyncModel(worker).syncNow())
        val mine = WorkerStatusModel(worker.store).apply { load() }
        assertNull(mine.state.error)
        val facilitator = mine.state.facilitators.first { it.displayName == "Sri Wahyuni" }
        assertEquals(Role.FACILITATOR, facilitator.role)
        assertTrue(facilitator.phone == "+6281234567890" || facilitator.phone == "+6281211112222", "${facilitator.phone}")
        assertEquals(listOf(VILLAGE), facilitator.villages)
        assertEquals("+6281322223333", mine.state.facilitators.first { it.displayName == "Wati Susanti" }.phone)
    }

    @Test
    fun `two facilitators change the same amount, and the supervisor reads the field and both amounts in words`() {
        val sri = phone(server).logIn("sri")
        val wati = phone(server).logIn("wati")
        val rina = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Rina Wulandari") }; assertTrue(save()) }.state.saved!!
        val app = sri.store.saveCapitalApplication(
            CapitalApplication("", rina.id, CapitalSource.VILLAGE_FUND, null, null, null, "Oven", 8_000_000, null, null, CapitalStage.INTEREST, null, null, null),
            null,
        )
        assertNotNull(SyncModel(sri).syncNow())
        assertNotNull(SyncModel(wati).syncNow())
        // Offline, both change the amount asked for.
        sri.store.saveCapitalApplication(app.copy(amountRequested = 9_000_000), null)
        wati.store.saveCapitalApplication(wati.store.beneficiaryFile(rina.id).capitalApplications.single().copy(amountRequested = 7_000_000), null)
        for (p in listOf(wati, sri, wati, sri)) assertNotNull(SyncModel(p).syncNow())

        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val team = SupervisorModel(budi.store).apply { load() }
        val conflict = team.state.conflicts.single { it.entityId == app.id }
        assertEquals("amount_requested", conflict.field)
        assertEquals(Words.Key("field_amount_requested", "amount_requested"), conflict.fieldWords)
        assertTrue(conflict.current is Shown.Rupiah && conflict.losing is Shown.Rupiah, "${conflict.current} ${conflict.losing}")
        assertEquals(
            setOf(Words.Plain("Rp 9.000.000"), Words.Plain("Rp 7.000.000")),
            setOf(conflict.current.words(english = false), conflict.losing.words(english = false)),
        )
        assertEquals("Rina Wulandari", conflict.beneficiaryName)
    }
}
