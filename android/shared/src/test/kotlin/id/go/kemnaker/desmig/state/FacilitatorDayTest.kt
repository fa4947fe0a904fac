package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.DesmigException
import id.go.kemnaker.desmig.core.SyncPhase
import id.go.kemnaker.desmig.core.VisitStatus
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import org.junit.jupiter.api.assertThrows
import kotlin.test.assertContains
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FacilitatorDayTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    @Test
    fun `a facilitator's day reaches the supervisor through the real server`() {
        // Morning: log in, and the app opens on the facilitator's villages.
        val sri = phone(server)
        val login = LoginModel(sri)
        login.edit(username = "sri", password = PASSWORD)
        login.submit()
        assertEquals(Home.FACILITATOR_VILLAGES, login.state.home)
        assertNotNull(sri.tokens.load())

        val list = BeneficiaryListModel(sri.store)
        list.load()
        assertEquals(listOf("Haurkolot"), list.state.villages.map { it.name })

        // Registering with a NIK that says "man born 17-08-1990" for a woman: core names the field.
        val form = RegistrationModel(sri.store, VILLAGE)
        form.edit { it.copy(fullName = "  Siti   Aminah ", nik = "3212011708900001", phone = "0812-3456-7890") }
        assertFalse(form.save())
        assertEquals(setOf("nik"), form.state.problems.keys)
        assertEquals("sex_mismatch", form.state.problems.getValue("nik").single().code)
        form.edit { it.copy(nik = "3212015708900001") }
        assertTrue(form.save())
        val siti = form.state.saved!!
        assertEquals("Siti Aminah", siti.fullName)
        assertEquals("+6281234567890", siti.phone)

        list.selectVillage(list.state.villages.first())
        assertEquals(listOf("Siti Aminah"), list.state.items.map { it.fullName })
        assertEquals("321201**********", list.state.items.single().maskedNik)
        list.search("sit")
        assertEquals(1, list.state.items.size)

        // A KUR-readiness visit: the form follows core's skip logic as she answers.
        val visit = VisitFormModel(sri.store)
        visit.start(siti.id, "kur_readiness")
        val shownAtFirst = visit.state.items.map { it.id }
        assertFalse("jadwal_rekam_ektp" in shownAtFirst)
        visit.answer("punya_ektp", AnswerValue.YesNo(false))
        assertContains(visit.state.items.map { it.id }, "jadwal_rekam_ektp")
        visit.answer("punya_ektp", AnswerValue.YesNo(true))
        assertFalse("jadwal_rekam_ektp" in visit.state.items.map { it.id })

        // Completing too early lists every missing item by its id, and keeps the draft.
        assertFalse(visit.complete())
        assertEquals("error_validation", visit.state.error?.key)
        assertContains(visit.state.problems.keys, "punya_kk")
        assertTrue(visit.state.problems.values.flatten().all { it.code == "required" })
        assertEquals(VisitStatus.DRAFT, sri.store.beneficiaryFile(siti.id).visits.single().status)

        visit.fillAll()
        assertEquals(100, visit.state.completeness)
        visit.addFollowUp("Antar ke BRI unit Haurgeulis", "2026-12-05")
        assertTrue(visit.complete(), "${visit.state.problems}")
        assertTrue(visit.state.completed)

        // Back in coverage: sync, with progress on the way.
        val sync = SyncModel(sri)
        sync.load()
        assertEquals(4L, sync.state.pending) // the beneficiary, the visit started and completed, the follow-up
        val seen = mutableListOf<SyncState>()
        sync.subscribe { seen.add(it) }
        val report = sync.syncNow()
        assertNotNull(report)
        assertEquals(4uL, report.pushed)
        assertTrue(seen.any { it.running && it.progress?.phase == SyncPhase.PUSHING }, "push progress arrived")
        assertTrue(seen.any { it.progress?.phase == SyncPhase.DONE })
        assertEquals(0L, sync.state.pending)
        assertNull(sync.state.error)
        assertFalse(sync.state.running)

        // The supervisor's phone receives it, and verifies the visit.
        val budi = phone(server).logIn("budi")
        assertEquals(Home.SUPERVISOR_OVERVIEW, budi.home)
        SyncModel(budi).syncNow()
        val overview = SupervisorModel(budi.store)
        overview.load()
        val waiting = overview.state.toVerify.single()
        assertEquals("Siti Aminah", waiting.beneficiaryName)
        assertEquals(1uL, overview.state.villages.first { it.villageCode == VILLAGE }.visitsToVerify)
        overview.verify(waiting.visit.id)
        assertTrue(overview.state.toVerify.isEmpty())
        assertEquals(1uL, overview.state.villages.first { it.villageCode == VILLAGE }.indicators.visitsThisMonth)
    }

    @Test
    fun `the worker sees only their own record and cannot change it`() {
        val sri = phone(server).logIn("sri")
        val dewi = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Dewi Lestari") }; assertTrue(save()) }.state.saved!!
        RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Rina Wulandari") }; assertTrue(save()) }
        sri.store.addFollowUp(dewi.id, null, "Ikut pelatihan pemasaran digital", "2026-12-10")
        SyncModel(sri).syncNow()

        server.admin("user", "add", "--username", "dewi", "--password", PASSWORD, "--name", "Dewi", "--role", "worker", "--beneficiary", dewi.id)
        val phone = phone(server).logIn("dewi")
        assertEquals(Home.WORKER_STATUS, phone.home)
        SyncModel(phone).syncNow()
        val mine = WorkerStatusModel(phone.store).apply { load() }.state.status!!
        assertEquals("Dewi Lestari", mine.beneficiary.fullName)
        assertEquals(listOf("Ikut pelatihan pemasaran digital"), mine.nextSteps.map { it.action })
        assertTrue(phone.store.searchBeneficiaries("rina", 10u).isEmpty())
        assertThrows<DesmigException.NotAllowed> { phone.store.registerBeneficiary(emptyInput(VILLAGE).copy(fullName = "Orang Lain")) }
    }

    @Test
    fun `calls from several threads are safe, even while a sync runs`() {
        val sri = phone(server).logIn("sri")
        val pool = java.util.concurrent.Executors.newFixedThreadPool(8)
        val errors = java.util.concurrent.ConcurrentLinkedQueue<Throwable>()
        val names = listOf("Ani", "Budi", "Citra", "Dedi", "Eka", "Fitri", "Gita", "Hadi")
        for (t in names.indices) {
            pool.submit {
                try {
                    repeat(10) { i ->
                        sri.store.registerBeneficiary(emptyInput(VILLAGE).copy(fullName = "${names[t]} ${"abcdefghij"[i]}"))
                        sri.store.searchBeneficiaries(names[t], 20u)
                    }
                } catch (e: Throwable) {
                    errors.add(e)
                }
            }
        }
        pool.submit { try { SyncModel(sri).syncNow() } catch (e: Throwable) { errors.add(e) } }
        pool.shutdown()
        assertTrue(pool.awaitTermination(120, java.util.concurrent.TimeUnit.SECONDS))
        assertTrue(errors.isEmpty(), "$errors")
        for (n in names) assertEquals(10, sri.store.searchBeneficiaries(n, 50u).size, n)
        SyncModel(sri).syncNow()
        assertEquals(0uL, sri.store.outboxStatus().pending)
    }

    @Test
    fun `wrong passwords and unreachable servers are told apart`() {
        val s = phone(server)
        val login = LoginModel(s)
        login.edit(username = "sri", password = "salah-sandi")
        login.submit()
        assertEquals("login_wrong_credentials", login.state.error?.key)
        assertEquals(Home.LOGIN, login.state.home)

        val offline = AppSession(s.store, s.tokens, "http://127.0.0.1:9")
        val again = LoginModel(offline)
        again.edit(username = "sri", password = PASSWORD)
        again.submit()
        assertEquals("error_network", again.state.error?.key)
    }

    @Test
    fun `a sync without a token asks to log in, and a failed sync says why after a restart`() {
        val sri = phone(server).logIn("sri")
        val sync = SyncModel(AppSession(sri.store, InMemoryTokenStore(), server.url))
        assertNull(sync.syncNow())
        assertTrue(sync.state.needsLogin)

        val unreachable = SyncModel(AppSession(sri.store, sri.tokens, "http://127.0.0.1:9"))
        RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Ani") }; assertTrue(save()) }
        // No retries are configurable from the app; the core gives up after its attempts.
        val t = Thread { unreachable.syncNow() }
        t.start()
        Thread.sleep(300)
        unreachable.cancel()
        t.join(60_000)
        assertFalse(unreachable.state.running)
        val reopened = SyncModel(sri).apply { load() }
        assertNotNull(reopened.state.error)
        assertEquals(1L, reopened.state.pending, "the change waits safely for the next sync")
    }
}
