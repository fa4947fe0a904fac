package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.Bank
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CapitalStage
import id.go.kemnaker.desmig.core.CardAction
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.CardLine
import id.go.kemnaker.desmig.core.InputKind
import id.go.kemnaker.desmig.core.KurScheme
import id.go.kemnaker.desmig.core.MoveField
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.SaleMarket
import id.go.kemnaker.desmig.core.StatusCard
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingStatus
import org.junit.jupiter.api.AfterAll
import org.junit.jupiter.api.BeforeAll
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestInstance
import java.time.LocalDate
import java.time.ZoneOffset
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

/**
 * A facilitator moves a worker's programme statuses from the file's cards (only the moves the
 * core offers), adds a training, capital and a business, records a sale abroad; the supervisor's
 * phone counts it all after a sync, and the worker sees their statuses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusMovesTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    // The store's default zone is UTC (the app passes the phone's).
    private val today: LocalDate = LocalDate.now(ZoneOffset.UTC)

    private fun field(name: String, kind: InputKind, required: Boolean = false) = MoveField(name, kind, required, emptyList())

    private fun BeneficiaryFileModel.card(kind: CardKind, subjectId: String? = null): StatusCard =
        state.cards.first { it.kind == kind && (subjectId == null || it.subjectId == subjectId) }

    /** Opens the move to [toKey], which the card must offer, with the values typed. */
    private fun BeneficiaryFileModel.open(card: StatusCard, toKey: String, vararg values: Pair<String, String>, note: String = "") {
        val action = card.actions.firstOrNull { it.stageKey == toKey }
        assertNotNull(action, "$toKey is offered by ${card.stageKey}: ${card.actions}")
        moves.start(card, action)
        assertNull(moves.state.error)
        values.forEach { (f, v) -> moves.edit(f, v) }
        if (note.isNotEmpty()) moves.editNote(note)
    }

    private fun BeneficiaryFileModel.moveTo(card: StatusCard, toKey: String, vararg values: Pair<String, String>, note: String = "") {
        open(card, toKey, *values, note = note)
        assertTrue(moves.save(), "$toKey: ${moves.state}")
        assertEquals(toKey, moves.state.saved)
        assertNull(moves.state.move)
        // The file reloaded: the card now stands at the new stage.
        assertEquals(toKey, state.cards.first { it.kind == card.kind && (card.subjectId.isEmpty() || it.subjectId == card.subjectId) }.stageKey)
    }

    @Test
    fun `a worker's programme, moved from the cards, reaches the supervisor's indicators and the worker`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Siti Aminah") }; assertTrue(save()) }.state.saved!!
        val file = BeneficiaryFileModel(sri.store, siti.id).apply { load() }
        assertNull(file.state.error)

        // Prakerja: not started, then through the programme's steps to the incentive.
        val none = file.card(CardKind.PRAKERJA)
        assertEquals("prakerja_none", none.stageKey)
        assertEquals(listOf("prakerja_registered"), none.actions.map { it.stageKey })
        file.moveTo(none, "prakerja_registered")
        assertEquals(listOf("prakerja_test_passed"), file.card(CardKind.PRAKERJA).actions.map { it.stageKey })
        file.moveTo(file.card(CardKind.PRAKERJA), "prakerja_test_passed")
        assertEquals(listOf("prakerja_selected", "prakerja_not_selected"), file.card(CardKind.PRAKERJA).actions.map { it.stageKey })

        // Selected needs the wave and the date: asked for, and required by the core.
        file.open(file.card(CardKind.PRAKERJA), "prakerja_selected")
        // The core says which control each field takes and that both are required.
        assertEquals(
            listOf(MoveField(MoveFields.WAVE, InputKind.INTEGER, true, emptyList()), MoveField(MoveFields.SELECTED_ON, InputKind.DATE, true, emptyList())),
            file.moves.state.move?.fields,
        )
        assertFalse(file.moves.save())
        assertEquals(setOf("wave", "selected_on"), file.moves.state.problems.keys)
        assertEquals("required", file.moves.state.problems["wave"]?.single()?.code)
        assertEquals("error_validation", file.moves.state.error?.key)
        assertEquals("prakerja_test_passed", file.card(CardKind.PRAKERJA).stageKey, "nothing saved")
        val selectedOn = today.minusDays(3)
        file.moves.edit(MoveFields.WAVE, "72")
        file.moves.edit(MoveFields.SELECTED_ON, selectedOn.toString())
        assertTrue(file.moves.save(), "${file.moves.state}")
        val selected = file.card(CardKind.PRAKERJA)
        assertEquals("prakerja_selected", selected.stageKey)
        assertTrue(CardLine.Wave(72u) in selected.lines, "${selected.lines}")
        // The core computes the 30-day purchase deadline.
        assertTrue(CardLine.PurchaseDeadline(selectedOn.plusDays(30).toString(), 27) in selected.lines, "${selected.lines}")
        assertEquals(emptyList(), selected.warnings)

        file.moveTo(selected, "prakerja_training_purchased")
        file.open(file.card(CardKind.PRAKERJA), "prakerja_certified")
        assertEquals(listOf(MoveField(MoveFields.CERTIFICATE_NO, InputKind.TEXT, false, emptyList())), file.moves.state.move?.fields)
        file.moves.edit(MoveFields.CERTIFICATE_NO, "PK-2026-000123")
        assertTrue(file.moves.save())
        file.moveTo(file.card(CardKind.PRAKERJA), "prakerja_rated")
        // The incentive: an instalment needs its amount (more than Rp 0, says the core).
        file.open(file.card(CardKind.PRAKERJA), "prakerja_incentive_paid")
        assertFalse(file.moves.save())
        assertEquals("out_of_range", file.moves.state.problems["incentive_received"]?.first()?.code)
        file.moves.edit(MoveFields.INCENTIVE_RECEIVED, "600.000")
        assertTrue(file.moves.save())
        val paid = file.card(CardKind.PRAKERJA)
        assertEquals("prakerja_incentive_paid", paid.stageKey)
        assertTrue(CardLine.Incentive(1u, 600_000) in paid.lines, "${paid.lines}")
        assertTrue(CardLine.Certificate("PK-2026-000123") in paid.lines)
        assertEquals(listOf("prakerja_incentive_paid"), paid.actions.map { it.stageKey }, "a further instalment")

        // A training: added (the core names the missing fields), then enrolled and completed.
        val training = TrainingFormModel(sri.store, siti.id)
        assertFalse(training.save())
        assertEquals(setOf("title", "provider"), training.state.problems.keys)
        training.edit { it.copy(title = "Pengolahan keripik", provider = "BLK Indramayu", kind = TrainingKind.VOCATIONAL) }
        assertTrue(training.save())
        val trainingId = assertNotNull(training.state.saved).id
        file.load()
        val planned = file.card(CardKind.TRAINING, trainingId)
        assertEquals("training_planned", planned.stageKey)
        assertEquals("Pengolahan keripik", planned.title)
        assertEquals(listOf("training_enrolled", "training_dropped"), planned.actions.map { it.stageKey })
        file.moveTo(planned, "training_enrolled", MoveFields.START_DATE to today.minusDays(20).toString())
        val enrolled = file.card(CardKind.TRAINING, trainingId)
        file.open(enrolled, "training_completed", MoveFields.END_DATE to today.minusDays(25).toString(), MoveFields.CERTIFICATE_NO to "BLK/2026/0042")
        assertFalse(file.moves.save(), "ends before it starts")
        assertEquals("out_of_range", file.moves.state.problems["end_date"]?.single()?.code)
        file.moves.edit(MoveFields.END_DATE, today.minusDays(10).toString())
        assertTrue(file.moves.save())
        val completed = file.card(CardKind.TRAINING, trainingId)
        assertEquals("training_completed", completed.stageKey)
        assertTrue(CardLine.Certificate("BLK/2026/0042") in completed.lines)
        assertEquals(emptyList(), completed.actions, "a completed training is final")

        // KUR: through a bank, within its scheme's ceiling.
        val kurForm = CapitalFormModel(sri.store, siti.id, CapitalSource.KUR)
        assertTrue(kurForm.state.asksBankAndScheme)
        assertTrue(kurForm.state.isLoan)
        kurForm.edit { it.copy(amountRequested = 15_000_000, purpose = "Mesin pengiris") }
        assertFalse(kurForm.save())
        assertEquals(setOf("bank", "kur_scheme"), kurForm.state.problems.keys)
        kurForm.edit { it.copy(bank = Bank.BRI, kurScheme = KurScheme.SUPER_MIKRO) }
        assertFalse(kurForm.save())
        assertEquals("over_ceiling", kurForm.state.problems["amount_requested"]?.single()?.code)
        kurForm.edit { it.copy(amountRequested = 10_000_000) }
        assertTrue(kurForm.save())
        val kurId = assertNotNull(kurForm.state.saved).id
        file.load()
        assertEquals("capital_interest", file.card(CardKind.CAPITAL, kurId).stageKey)
        file.moveTo(file.card(CardKind.CAPITAL, kurId), "capital_submitted", MoveFields.SUBMITTED_ON to today.minusDays(9).toString(), note = "Diajukan ke BRI unit Haurgeulis")
        val submitted = file.card(CardKind.CAPITAL, kurId)
        assertEquals(listOf("capital_approved", "capital_rejected", "capital_withdrawn"), submitted.actions.map { it.stageKey })
        assertEquals(
            listOf(listOf(field("amount_approved", InputKind.RUPIAH, true)), listOf(field("rejection_reason", InputKind.TEXT, true)), emptyList()),
            submitted.actions.map { it.fields }, "what each move asks for is the core's",
        )
        // Skipping approval is not offered; forged anyway, the core refuses it, typed.
        file.moves.start(submitted, CardAction("capital_disbursed", listOf(field("amount_disbursed", InputKind.RUPIAH, true), field("disbursed_on", InputKind.DATE, true))))
        file.moves.edit(MoveFields.AMOUNT_DISBURSED, "10000000")
        file.moves.edit(MoveFields.DISBURSED_ON, today.minusDays(1).toString())
        assertFalse(file.moves.save())
        val skipped = assertNotNull(file.moves.state.conflict)
        assertTrue("disbursed" in skipped, skipped)
        assertEquals("error_conflict", file.moves.state.error?.key)
        file.moves.cancel()
        assertNull(file.moves.state.move)
        assertEquals("capital_submitted", file.card(CardKind.CAPITAL, kurId).stageKey)
        // Approved: the amount starts as the one requested.
        file.open(submitted, "capital_approved")
        assertEquals("10000000", file.moves.state.move?.values?.get(MoveFields.AMOUNT_APPROVED))
        assertTrue(file.moves.save())
        // Disbursed needs the amount (it starts as the approved one) and the date.
        file.open(file.card(CardKind.CAPITAL, kurId), "capital_disbursed")
        assertFalse(file.moves.save())
        assertEquals(setOf("disbursed_on"), file.moves.state.problems.keys)
        file.moves.edit(MoveFields.DISBURSED_ON, today.minusDays(2).toString())
        assertTrue(file.moves.save())
        val disbursed = file.card(CardKind.CAPITAL, kurId)
        assertTrue(CardLine.Amount("line_disbursed", 10_000_000) in disbursed.lines)
        assertEquals(listOf("capital_repaying", "capital_repaid"), disbursed.actions.map { it.stageKey })
        file.moveTo(disbursed, "capital_repaying")
        assertTrue(file.state.file!!.history.any { it.subjectId == kurId && it.to == "submitted" && it.note == "Diajukan ke BRI unit Haurgeulis" }, "the move's note is kept")

        // A village-fund grant: no bank or scheme; disbursed, then used, never repaid.
        val grantForm = CapitalFormModel(sri.store, siti.id, CapitalSource.KUR)
        grantForm.edit { it.copy(bank = Bank.BRI, kurScheme = KurScheme.MIKRO) }
        grantForm.selectSource(CapitalSource.VILLAGE_FUND)
        assertFalse(grantForm.state.asksBankAndScheme)
        assertFalse(grantForm.state.isLoan)
        assertNull(grantForm.state.input.kurScheme)
        grantForm.edit { it.copy(amountRequested = 3_000_000) }
        assertTrue(grantForm.save(), "${grantForm.state}")
        val grantId = assertNotNull(grantForm.state.saved).id
        file.load()
        file.moveTo(file.card(CardKind.CAPITAL, grantId), "capital_submitted", MoveFields.SUBMITTED_ON to today.minusDays(8).toString())
        file.moveTo(file.card(CardKind.CAPITAL, grantId), "capital_approved")
        file.moveTo(file.card(CardKind.CAPITAL, grantId), "capital_disbursed", MoveFields.DISBURSED_ON to today.minusDays(1).toString())
        val grant = file.card(CardKind.CAPITAL, grantId)
        assertTrue(CardLine.Source("source_village_fund", false) in grant.lines)
        assertEquals(listOf("capital_used"), grant.actions.map { it.stageKey })
        file.moves.start(grant, CardAction("capital_repaying", emptyList()))
        assertFalse(file.moves.save())
        assertTrue("grant" in assertNotNull(file.moves.state.conflict))
        file.moves.cancel()
        file.moveTo(grant, "capital_used")
        assertEquals(emptyList(), file.card(CardKind.CAPITAL, grantId).actions)

        // A business, opened, and a sale abroad.
        val businessForm = BusinessFormModel(sri.store, siti.id)
        assertFalse(businessForm.save())
        assertEquals(setOf("name"), businessForm.state.problems.keys)
        businessForm.edit { it.copy(name = "Keripik Siti", products = listOf("Keripik pisang")) }
        assertTrue(businessForm.save())
        val businessId = assertNotNull(businessForm.state.saved).id
        file.load()
        val idea = file.card(CardKind.BUSINESS, businessId)
        assertEquals("business_idea", idea.stageKey)
        file.moveTo(idea, "business_running", MoveFields.STARTED_ON to today.minusDays(5).toString(), MoveFields.MONTHLY_REVENUE to "4.500.000", MoveFields.WORKERS to "2")
        val running = file.card(CardKind.BUSINESS, businessId)
        assertTrue(CardLine.Revenue(4_500_000) in running.lines && CardLine.Workers(2u) in running.lines, "${running.lines}")

        val sale = SaleFormModel(sri.store, siti.id, businessId, today.toString(), product = "Keripik pisang")
        assertFalse(sale.state.asksExportCountry)
        sale.selectMarket(SaleMarket.EXPORT)
        assertTrue(sale.state.asksExportCountry)
        sale.edit { it.copy(quantity = parseQuantity("50,5")!!, unit = "kg", revenue = 2_500_000, buyer = "Kedai Melaka") }
        assertFalse(sale.save())
        assertEquals("required", sale.state.problems["export_country"]?.single()?.code)
        sale.edit { it.copy(exportCountry = "ID") }
        assertFalse(sale.save())
        assertEquals("not_applicable", sale.state.problems["export_country"]?.single()?.code)
        sale.edit { it.copy(exportCountry = "MY") }
        assertTrue(sale.save(), "${sale.state}")
        val saved = assertNotNull(sale.state.saved)
        assertEquals(50.5, saved.quantity)
        assertTrue(saved.recordedBy.isNotEmpty(), "the core names who recorded it")
        // Another market clears the country.
        val local = SaleFormModel(sri.store, siti.id, businessId, today.toString(), product = "Keripik pisang")
        local.selectMarket(SaleMarket.EXPORT)
        local.edit { it.copy(exportCountry = "MY") }
        local.selectMarket(SaleMarket.DISTRICT_CITY)
        assertNull(local.state.input.exportCountry)
        file.load()
        val selling = file.card(CardKind.BUSINESS, businessId)
        assertTrue(CardLine.SalesThisMonth(2_500_000, 1u) in selling.lines, "${selling.lines}")
        assertTrue(CardLine.FurthestMarket("market_export", "MY") in selling.lines, "${selling.lines}")

        // Everything reaches the server.
        assertEquals(0uL, assertNotNull(SyncModel(sri).syncNow()).rejected)
        assertEquals(0uL, sri.store.outboxStatus().pending)
        val sriCards = sri.store.statusCards(siti.id)

        // The supervisor's phone: the village's indicators moved, and the same cards.
        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val village = VillageModel(budi.store, VILLAGE).apply { load() }
        val ind = assertNotNull(village.state.indicators, "${village.state.error}")
        assertEquals(1uL, ind.beneficiaries)
        assertEquals(1uL, ind.trained)
        assertEquals(1uL, ind.prakerjaIncentiveReceived)
        assertEquals(2uL, ind.capitalDisbursedCount)
        assertEquals(13_000_000L, ind.capitalDisbursedRupiah)
        assertEquals(1uL, ind.runningBusinesses)
        assertEquals(1uL, ind.businessesSellingBeyondVillage)
        assertEquals(1uL, ind.businessesExporting)
        assertEquals(2_500_000L, ind.salesRevenueThisMonth)
        // Capital by source, and the supervisor's total of every village of the district.
        assertEquals(setOf(CapitalSource.KUR, CapitalSource.VILLAGE_FUND), ind.capitalBySource.map { it.source }.toSet())
        assertEquals(13_000_000L, ind.capitalBySource.sumOf { it.rupiah })
        val team = SupervisorModel(budi.store).apply { load() }
        val total = assertNotNull(team.state.total, "${team.state.error}")
        assertEquals(ind.capitalBySource, total.capitalBySource)
        assertEquals(ind.beneficiaries, total.beneficiaries)
        val seen = BeneficiaryFileModel(budi.store, siti.id).apply { load() }
        assertEquals(sriCards.map { it.stageKey }, seen.state.cards.map { it.stageKey })
        assertEquals(1, seen.state.file?.productSales?.size)

        // The worker sees their own statuses.
        server.admin("user", "add", "--username", "siti", "--password", PASSWORD, "--name", "Siti Aminah", "--role", "worker", "--beneficiary", siti.id)
        val own = phone(server).logIn("siti")
        assertNotNull(SyncModel(own).syncNow())
        val status = assertNotNull(WorkerStatusModel(own.store).apply { load() }.state.status)
        assertEquals(PrakerjaStage.INCENTIVE_PAID, status.prakerja?.stage)
        assertEquals(600_000L, status.prakerja?.incentiveReceived)
        assertEquals(listOf(TrainingStatus.COMPLETED), status.trainings.map { it.status })
        assertEquals(setOf(CapitalStage.REPAYING, CapitalStage.USED), status.capital.map { it.application.stage }.toSet())
        assertEquals(listOf(BusinessStatus.RUNNING), status.businesses.map { it.status })
    }

    @Test
    fun `each incentive instalment is counted by the core and its amount added`() {
        val sri = phone(server).logIn("sri")
        val ani = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Ani Rahmawati") }; assertTrue(save()) }.state.saved!!
        // Rated, set up through the core: the incentive is the next move.
        sri.store.savePrakerja(Prakerja(ani.id, PrakerjaStage.RATED, 72u, today.minusDays(40).toString(), null, null, "PK-2026-000777", 0u, 0), null)
        val file = BeneficiaryFileModel(sri.store, ani.id).apply { load() }

        file.moveTo(file.card(CardKind.PRAKERJA), "prakerja_incentive_paid", MoveFields.INCENTIVE_RECEIVED to "600.000", note = "Termin 1")
        val first = assertNotNull(sri.store.beneficiaryFile(ani.id).prakerja)
        assertEquals(1u.toUByte(), first.incentiveInstalments)
        assertEquals(600_000L, first.incentiveReceived)
        assertTrue(CardLine.Incentive(1u, 600_000) in file.card(CardKind.PRAKERJA).lines)

        // A further instalment, from the same card: counted again, the amounts added up.
        file.moveTo(file.card(CardKind.PRAKERJA), "prakerja_incentive_paid", MoveFields.INCENTIVE_RECEIVED to "400000")
        val second = assertNotNull(sri.store.beneficiaryFile(ani.id).prakerja)
        assertEquals(PrakerjaStage.INCENTIVE_PAID, second.stage)
        assertEquals(2u.toUByte(), second.incentiveInstalments)
        assertEquals(1_000_000L, second.incentiveReceived)
        assertTrue(CardLine.Incentive(2u, 1_000_000) in file.card(CardKind.PRAKERJA).lines, "${file.card(CardKind.PRAKERJA).lines}")
        assertTrue(file.state.file!!.history.any { it.note == "Termin 1" }, "the instalment's note is kept")
    }

    @Test
    fun `a move for a record not on this phone says so, and cancelling saves nothing`() {
        val sri = phone(server).logIn("sri")
        val siti = RegistrationModel(sri.store, VILLAGE).apply { edit { it.copy(fullName = "Warsini") }; assertTrue(save()) }.state.saved!!
        val file = BeneficiaryFileModel(sri.store, siti.id).apply { load() }
        val ghost = file.card(CardKind.PRAKERJA).copy(kind = CardKind.CAPITAL, subjectId = "00000000-0000-4000-8000-000000000000", stageKey = "capital_interest")
        file.moves.start(ghost, CardAction("capital_submitted", listOf(field("submitted_on", InputKind.DATE))))
        assertEquals("error_not_found", file.moves.state.error?.key)
        assertNull(file.moves.state.move)
        assertFalse(file.moves.save())

        file.moves.start(file.card(CardKind.PRAKERJA), CardAction("prakerja_registered", emptyList()))
        assertEquals(emptyList(), file.moves.state.move?.fields)
        file.moves.cancel()
        file.load()
        assertEquals("prakerja_none", file.card(CardKind.PRAKERJA).stageKey)
        assertNull(sri.store.beneficiaryFile(siti.id).prakerja)
    }
}
