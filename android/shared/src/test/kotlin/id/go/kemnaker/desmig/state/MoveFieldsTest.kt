package id.go.kemnaker.desmig.state

import id.go.kemnaker.desmig.core.BusinessSector
import id.go.kemnaker.desmig.core.BusinessStatus
import id.go.kemnaker.desmig.core.CapitalSource
import id.go.kemnaker.desmig.core.CardAction
import id.go.kemnaker.desmig.core.CardKind
import id.go.kemnaker.desmig.core.CardLine
import id.go.kemnaker.desmig.core.InputKind
import id.go.kemnaker.desmig.core.MoveField
import id.go.kemnaker.desmig.core.MoveOption
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.SalesChannel
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
 * What a move asks for is the core's (each field's control, whether it is required, a choice's
 * options): the Prakerja purchase names one of the file's own trainings, a required field left
 * empty comes back typed from the core; and a training or a business of the file is edited
 * beyond its status through its form, the same record updated.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoveFieldsTest {
    private lateinit var server: TestServer

    @BeforeAll fun start() { server = TestServer() }
    @AfterAll fun stop() { server.close() }

    private val today: LocalDate = LocalDate.now(ZoneOffset.UTC)

    private fun AppSession.register(name: String): String =
        RegistrationModel(store, VILLAGE).apply { edit { it.copy(fullName = name) }; assertTrue(save()) }.state.saved!!.id

    private fun AppSession.addTraining(beneficiaryId: String, title: String): String =
        TrainingFormModel(store, beneficiaryId).apply {
            edit { it.copy(title = title, provider = "BLK Indramayu", kind = TrainingKind.DIGITAL_MARKETING, viaPrakerja = true) }
            assertTrue(save(), "$state")
        }.state.saved!!.id

    private fun BeneficiaryFileModel.card(kind: CardKind, subjectId: String? = null): StatusCard =
        state.cards.first { it.kind == kind && (subjectId == null || it.subjectId == subjectId) }

    private fun StatusCard.action(toKey: String): CardAction = assertNotNull(actions.firstOrNull { it.stageKey == toKey }, "$toKey offered by $stageKey: $actions")

    @Test
    fun `a Prakerja purchase names one of the file's own trainings, and another person's is refused`() {
        val sri = phone(server).logIn("sri")
        val siti = sri.register("Siti Aminah")
        val first = sri.addTraining(siti, "Pemasaran digital untuk UMKM")
        val second = sri.addTraining(siti, "Fotografi produk")
        sri.store.savePrakerja(Prakerja(siti, PrakerjaStage.SELECTED, 72u, today.minusDays(3).toString(), null, null, null, 0u, 0), null)
        val file = BeneficiaryFileModel(sri.store, siti).apply { load() }

        // The core offers the file's trainings as a choice (value: the id, label: the title), optional.
        val purchase = file.card(CardKind.PRAKERJA).action("prakerja_training_purchased")
        val choice = purchase.fields.single()
        assertEquals(MoveFields.TRAINING_ID, choice.name)
        assertEquals(InputKind.CHOICE, choice.kind)
        assertFalse(choice.required)
        assertEquals(
            setOf(MoveOption(first, "Pemasaran digital untuk UMKM"), MoveOption(second, "Fotografi produk")),
            choice.options.toSet(),
        )

        file.moves.start(file.card(CardKind.PRAKERJA), purchase)
        assertEquals(listOf(MoveFields.TRAINING_ID), file.moves.state.move?.fieldNames)
        assertNull(file.moves.state.move?.values?.get(MoveFields.TRAINING_ID), "nothing chosen yet")
        // The user picks the second option: its value is what is kept.
        file.moves.edit(MoveFields.TRAINING_ID, choice.options.first { it.label == "Fotografi produk" }.value)
        assertTrue(file.moves.save(), "${file.moves.state}")
        assertEquals("prakerja_training_purchased", file.card(CardKind.PRAKERJA).stageKey)
        val bought = assertNotNull(sri.store.beneficiaryFile(siti).prakerja)
        assertEquals(PrakerjaStage.TRAINING_PURCHASED, bought.stage)
        assertEquals(second, bought.trainingId)

        // Another person's purchase naming Siti's training: the core refuses it (not found), nothing saved.
        val ani = sri.register("Ani Rahmawati")
        sri.addTraining(ani, "Menjahit")
        sri.store.savePrakerja(Prakerja(ani, PrakerjaStage.SELECTED, 72u, today.minusDays(3).toString(), null, null, null, 0u, 0), null)
        val aniFile = BeneficiaryFileModel(sri.store, ani).apply { load() }
        val aniPurchase = aniFile.card(CardKind.PRAKERJA).action("prakerja_training_purchased")
        assertEquals(listOf("Menjahit"), aniPurchase.fields.single().options.map { it.label }, "only Ani's own trainings are offered")
        aniFile.moves.start(aniFile.card(CardKind.PRAKERJA), aniPurchase)
        aniFile.moves.edit(MoveFields.TRAINING_ID, first)
        assertFalse(aniFile.moves.save())
        assertEquals("error_not_found", aniFile.moves.state.error?.key)
        assertEquals(PrakerjaStage.SELECTED, sri.store.beneficiaryFile(ani).prakerja?.stage)
        assertNull(sri.store.beneficiaryFile(ani).prakerja?.trainingId)

        // Without trainings on the file the purchase asks for nothing (a note only).
        val wati = sri.register("Wati")
        sri.store.savePrakerja(Prakerja(wati, PrakerjaStage.SELECTED, 72u, today.minusDays(3).toString(), null, null, null, 0u, 0), null)
        val watiFile = BeneficiaryFileModel(sri.store, wati).apply { load() }
        assertEquals(emptyList(), watiFile.card(CardKind.PRAKERJA).action("prakerja_training_purchased").fields)
    }

    /**
     * Opens the move to [toKey], empties every field the core requires, and saves: the core
     * refuses it with a typed problem under each of them, and nothing is saved. Then [fill]s them.
     */
    private fun BeneficiaryFileModel.requiredLeftEmpty(kind: CardKind, subjectId: String?, toKey: String, vararg fill: Pair<String, String>) {
        val card = card(kind, subjectId)
        val action = card.action(toKey)
        val required = action.fields.filter { it.required }.map { it.name }
        assertTrue(required.isNotEmpty(), "$toKey requires something: ${action.fields}")
        moves.start(card, action)
        required.forEach { moves.edit(it, "") }
        assertFalse(moves.save(), "$toKey saved with ${required} empty")
        assertEquals("error_validation", moves.state.error?.key)
        for (name in required) {
            val problems = moves.state.problems[name]
            assertTrue(!problems.isNullOrEmpty(), "$toKey: no problem under $name: ${moves.state.problems}")
            assertTrue(problems.all { it.field == name && it.code.isNotEmpty() }, "$problems")
        }
        load()
        assertEquals(card.stageKey, card(kind, subjectId).stageKey, "nothing saved")
        fill.forEach { (f, v) -> moves.edit(f, v) }
        assertTrue(moves.save(), "$toKey: ${moves.state}")
        assertEquals(toKey, card(kind, subjectId).stageKey)
    }

    @Test
    fun `each field the core requires, left empty, comes back typed from the core under its name`() {
        val sri = phone(server).logIn("sri")
        val id = sri.register("Kartini Rahayu")
        sri.store.savePrakerja(Prakerja(id, PrakerjaStage.TEST_PASSED, null, null, null, null, null, 0u, 0), null)
        val file = BeneficiaryFileModel(sri.store, id).apply { load() }

        file.requiredLeftEmpty(CardKind.PRAKERJA, null, "prakerja_selected", MoveFields.WAVE to "72", MoveFields.SELECTED_ON to today.minusDays(2).toString())
        // Every field the core asks for and does not require may stay empty.
        file.moves.start(file.card(CardKind.PRAKERJA), file.card(CardKind.PRAKERJA).action("prakerja_training_purchased"))
        assertTrue(file.moves.state.move!!.fields.none { it.required })
        assertTrue(file.moves.save(), "${file.moves.state}")

        val grant = CapitalFormModel(sri.store, id, CapitalSource.VILLAGE_FUND).apply { edit { it.copy(amountRequested = 3_000_000) }; assertTrue(save()) }.state.saved!!.id
        file.load()
        file.moves.start(file.card(CardKind.CAPITAL, grant), file.card(CardKind.CAPITAL, grant).action("capital_submitted"))
        assertEquals(listOf(false), file.moves.state.move!!.fields.map { it.required })
        assertTrue(file.moves.save(), "the submission date may stay empty: ${file.moves.state}")
        // The approved amount starts as the one requested; emptied, the core wants it.
        file.requiredLeftEmpty(CardKind.CAPITAL, grant, "capital_approved", MoveFields.AMOUNT_APPROVED to "3.000.000")
        file.requiredLeftEmpty(
            CardKind.CAPITAL, grant, "capital_disbursed",
            MoveFields.AMOUNT_DISBURSED to "3000000", MoveFields.DISBURSED_ON to today.minusDays(1).toString(),
        )
        assertTrue(CardLine.Amount("line_disbursed", 3_000_000) in file.card(CardKind.CAPITAL, grant).lines)

        val other = CapitalFormModel(sri.store, id, CapitalSource.VILLAGE_FUND).apply { edit { it.copy(amountRequested = 2_000_000) }; assertTrue(save()) }.state.saved!!.id
        file.load()
        file.moves.start(file.card(CardKind.CAPITAL, other), file.card(CardKind.CAPITAL, other).action("capital_submitted"))
        assertTrue(file.moves.save())
        file.requiredLeftEmpty(CardKind.CAPITAL, other, "capital_rejected", MoveFields.REJECTION_REASON to "Dana desa tahun ini sudah habis")
    }

    @Test
    fun `a business of the file is edited through its form, the same record showing the new revenue and workers after reload`() {
        val sri = phone(server).logIn("sri")
        val id = sri.register("Siti Aminah")
        val created = BusinessFormModel(sri.store, id).apply {
            edit {
                it.copy(
                    name = "Warung Siti", sector = BusinessSector.FOOD_BEVERAGE, status = BusinessStatus.RUNNING, startedOn = today.minusDays(60).toString(),
                    monthlyRevenue = 4_500_000, workers = 1u, products = listOf("Nasi uduk"),
                )
            }
            toggleChannel(SalesChannel.SHOP, true)
            assertTrue(save(), "$state")
        }.state.saved!!
        val file = BeneficiaryFileModel(sri.store, id).apply { load() }
        val card = file.card(CardKind.BUSINESS, created.id)
        assertTrue(file.state.canEdit(card), "a business card offers editing")
        assertFalse(file.state.canEdit(file.card(CardKind.PRAKERJA)), "a Prakerja card does not")

        // The form opens on the stored record, found by the card's subject.
        val form = BusinessFormModel(sri.store, id, card.subjectId)
        assertTrue(form.state.editing)
        assertNull(form.state.error)
        assertEquals(created, form.state.input)

        // A problem is the core's, by field, and nothing changes.
        form.edit { it.copy(name = "") }
        assertFalse(form.save())
        assertEquals(setOf("name"), form.state.problems.keys)
        assertEquals("Warung Siti", sri.store.beneficiaryFile(id).businesses.single().name)

        form.edit { it.copy(name = "Warung Siti", monthlyRevenue = 6_000_000, workers = 3u, products = listOf("Nasi uduk", "Gorengan"), exportReady = true) }
        form.toggleChannel(SalesChannel.SOCIAL_MEDIA, true)
        // The status is the card's: a form that says otherwise does not move it.
        form.edit { it.copy(status = BusinessStatus.CLOSED) }
        assertTrue(form.save(), "${form.state}")
        assertEquals(created.id, form.state.saved?.id)

        file.load()
        val stored = sri.store.beneficiaryFile(id).businesses.single()
        assertEquals(created.id, stored.id, "the same record, updated")
        assertEquals(6_000_000L, stored.monthlyRevenue)
        assertEquals(3u, stored.workers)
        assertEquals(listOf("Nasi uduk", "Gorengan"), stored.products)
        assertEquals(listOf(SalesChannel.SHOP, SalesChannel.SOCIAL_MEDIA), stored.salesChannels)
        assertTrue(stored.exportReady)
        assertEquals(BusinessStatus.RUNNING, stored.status)
        assertEquals(created.startedOn, stored.startedOn)
        val edited = file.card(CardKind.BUSINESS, created.id)
        assertEquals("business_running", edited.stageKey)
        assertTrue(CardLine.Revenue(6_000_000) in edited.lines && CardLine.Workers(3u) in edited.lines, "${edited.lines}")

        // The update reaches the server and the supervisor's phone sees it.
        assertEquals(0uL, assertNotNull(SyncModel(sri).syncNow()).rejected)
        val budi = phone(server).logIn("budi")
        assertNotNull(SyncModel(budi).syncNow())
        val seen = budi.store.beneficiaryFile(id).businesses.single()
        assertEquals(created.id, seen.id)
        assertEquals(6_000_000L, seen.monthlyRevenue)
        assertEquals(3u, seen.workers)
    }

    @Test
    fun `a training of the file is edited beyond its status, and a record the file does not hold is not made anew`() {
        val sri = phone(server).logIn("sri")
        val id = sri.register("Warsini")
        val trainingId = sri.addTraining(id, "Pemasaran digitl")
        val file = BeneficiaryFileModel(sri.store, id).apply { load() }
        file.moves.start(file.card(CardKind.TRAINING, trainingId), file.card(CardKind.TRAINING, trainingId).action("training_enrolled"))
        file.moves.edit(MoveFields.START_DATE, today.minusDays(5).toString())
        assertTrue(file.moves.save())
        assertTrue(file.state.canEdit(file.card(CardKind.TRAINING, trainingId)))

        val form = TrainingFormModel(sri.store, id, trainingId)
        assertTrue(form.state.editing)
        assertEquals(TrainingStatus.ENROLLED, form.state.input.status)
        assertEquals(today.minusDays(5).toString(), form.state.input.startDate)
        form.edit { it.copy(title = "Pemasaran digital", provider = "BLK Indramayu (daring)") }
        assertTrue(form.save(), "${form.state}")
        val stored = sri.store.beneficiaryFile(id).trainings.single()
        assertEquals(trainingId, stored.id)
        assertEquals("Pemasaran digital", stored.title)
        assertEquals("BLK Indramayu (daring)", stored.provider)
        assertEquals(TrainingStatus.ENROLLED, stored.status)
        file.load()
        assertEquals("Pemasaran digital", file.card(CardKind.TRAINING, trainingId).title)

        // A record the file does not hold: the form says so and saving makes nothing.
        val ghost = BusinessFormModel(sri.store, id, "00000000-0000-4000-8000-000000000000")
        assertEquals("error_not_found", ghost.state.error?.key)
        ghost.edit { it.copy(name = "Usaha baru") }
        assertFalse(ghost.save())
        assertEquals("error_not_found", ghost.state.error?.key)
        assertEquals(emptyList(), sri.store.beneficiaryFile(id).businesses)
        // Another person's training is not this file's.
        val other = sri.register("Dewi")
        assertEquals("error_not_found", TrainingFormModel(sri.store, other, trainingId).state.error?.key)
    }
}
