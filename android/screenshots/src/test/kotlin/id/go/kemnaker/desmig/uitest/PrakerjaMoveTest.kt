package id.go.kemnaker.desmig.uitest

import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.isSelectable
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.onFirst
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performTextInput
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.core.Prakerja
import id.go.kemnaker.desmig.core.PrakerjaStage
import id.go.kemnaker.desmig.core.Training
import id.go.kemnaker.desmig.core.TrainingKind
import id.go.kemnaker.desmig.core.TrainingMode
import id.go.kemnaker.desmig.core.TrainingStatus
import id.go.kemnaker.desmig.state.formatRupiah
import id.go.kemnaker.desmig.state.isoDateText
import java.time.LocalDate
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test

/** A facilitator moves a worker's Kartu Prakerja from the card of the file, in the move's dialog. */
class PrakerjaMoveTest {
    @get:Rule val ui = createComposeRule()

    companion object {
        @BeforeClass @JvmStatic fun strings() = loadStrings()
    }

    /** Taps the card's button for the move to [stageKey] (its words: "Catat: <stage>"). */
    private fun tapMove(stageKey: String) = ui.scrollAndTap(onScreen(button(str(R.string.action_move_to, keyString(stageKey)))))

    private fun save() = ui.onNode(inDialog(button(str(R.string.action_save)))).performClick()

    @Test
    fun `selected in a wave on a date, from the card, after the core asked for the date`() {
        val phone = facilitatorPhone()
        val id = phone.register("Siti Aminah")
        ui.setContent { FileFlow(phone, id) }
        ui.onNodeWithTextOnScreen(keyString("prakerja_none"))

        // Registered, then passed the test: moves without inputs, each a note-only dialog.
        tapMove("prakerja_registered")
        ui.onNode(inDialog(hasText(str(R.string.move_no_fields)))).assertIsDisplayed()
        save()
        ui.onNodeWithTextOnScreen(keyString("prakerja_registered"))
        tapMove("prakerja_test_passed")
        save()
        ui.onNodeWithTextOnScreen(keyString("prakerja_test_passed"))

        // Selected: the dialog asks for the wave and the date, both marked required as the core says;
        // the date left empty is refused by the core.
        tapMove("prakerja_selected")
        ui.onNode(inDialog(hasText(str(R.string.move_required_hint)))).assertIsDisplayed()
        ui.onNode(inDialog(field(required(str(R.string.field_wave))))).performTextInput("72")
        save()
        val dateField = inDialog(field(required(str(R.string.field_selected_on))))
        ui.onNode(dateField and hasText(str(R.string.problem_required))).assertIsDisplayed()
        ui.onNode(inDialog(hasText(str(R.string.error_validation, "1")))).assertIsDisplayed()
        assertEquals(PrakerjaStage.TEST_PASSED, phone.store.beneficiaryFile(id).prakerja?.stage, "nothing saved")

        // The date picked in the picker: the first day of this month.
        ui.onNode(dateField).performClick()
        ui.onAllNodes(inDialog(isSelectable() and hasClickAction())).onFirst().performClick()
        ui.onNode(inDialog(button(str(R.string.action_ok)))).performClick()
        val firstOfMonth = LocalDate.now().withDayOfMonth(1).toString()
        // The day in the core's words, in the app's language (Indonesian here).
        ui.onNode(dateField and hasText(isoDateText(firstOfMonth, english = false))).assertIsDisplayed()
        save()

        // The dialog is gone, the card stands at the new stage with its wave, and the core has it.
        ui.onAllNodes(isDialog()).assertCountEquals(0)
        ui.onNodeWithTextOnScreen(keyString("prakerja_selected"))
        ui.onNodeWithTextOnScreen(str(R.string.prakerja_wave, "72"))
        val prakerja = assertNotNull(phone.store.beneficiaryFile(id).prakerja)
        assertEquals(PrakerjaStage.SELECTED, prakerja.stage)
        assertEquals(72u, prakerja.wave)
        assertEquals(firstOfMonth, prakerja.selectedOn)
    }

    @Test
    fun `an incentive instalment left empty is refused with the core's words under the field, then recorded`() {
        val phone = facilitatorPhone()
        val id = phone.register("Warsini")
        // Set up through the core: certified and rated, so the incentive is the next move.
        val selectedOn = LocalDate.now().minusDays(20).toString()
        phone.store.savePrakerja(Prakerja(id, PrakerjaStage.RATED, 72u, selectedOn, null, null, "PK-2026-000123", 0u, 0), null)
        ui.setContent { FileFlow(phone, id) }

        tapMove("prakerja_incentive_paid")
        val amount = inDialog(field(required(str(R.string.field_incentive_instalment))))
        save()
        // The core counts the instalment and wants more than Rp 0: its problem, under the field.
        ui.onNode(amount and hasText(str(R.string.problem_out_of_range))).assertIsDisplayed()
        assertEquals(PrakerjaStage.RATED, phone.store.beneficiaryFile(id).prakerja?.stage, "nothing saved")

        ui.onNode(amount).performTextInput("600.000")
        save()
        ui.onAllNodes(isDialog()).assertCountEquals(0)
        ui.onNodeWithTextOnScreen(keyString("prakerja_incentive_paid"))
        ui.onNodeWithTextOnScreen(str(R.string.line_incentive, 1, formatRupiah(600_000)))
        val prakerja = assertNotNull(phone.store.beneficiaryFile(id).prakerja)
        assertEquals(PrakerjaStage.INCENTIVE_PAID, prakerja.stage)
        assertEquals(600_000L, prakerja.incentiveReceived)
        assertEquals(1u.toUByte(), prakerja.incentiveInstalments)

        // A second instalment from the same card: the core counts it and adds it up.
        tapMove("prakerja_incentive_paid")
        ui.onNode(inDialog(field(required(str(R.string.field_incentive_instalment))))).performTextInput("400000")
        save()
        ui.onAllNodes(isDialog()).assertCountEquals(0)
        ui.onNodeWithTextOnScreen(str(R.string.line_incentive, 2, formatRupiah(1_000_000)))
        assertEquals(2u.toUByte(), phone.store.beneficiaryFile(id).prakerja?.incentiveInstalments)
    }

    @Test
    fun `the training bought with the card is picked among the file's own in the move's dialog`() {
        val phone = facilitatorPhone()
        val id = phone.register("Kartini Rahayu")
        // Set up through the core: two trainings on the file, selected in a wave.
        val training = { title: String ->
            phone.store.saveTraining(Training("", id, title, "BLK Indramayu", TrainingKind.DIGITAL_MARKETING, TrainingMode.ONLINE, true, null, null, TrainingStatus.PLANNED, null), null).id
        }
        training("Menjahit busana")
        val photo = training("Fotografi produk")
        phone.store.savePrakerja(Prakerja(id, PrakerjaStage.SELECTED, 72u, LocalDate.now().minusDays(3).toString(), null, null, null, 0u, 0), null)
        ui.setContent { FileFlow(phone, id) }

        tapMove("prakerja_training_purchased")
        // A choice the core offers, not required (no *): none chosen yet.
        val bought = inDialog(field(str(R.string.field_training_id)))
        ui.onNode(bought and hasText(str(R.string.choice_none))).assertIsDisplayed()
        ui.onAllNodes(inDialog(hasText(str(R.string.move_required_hint)))).assertCountEquals(0)
        ui.onNode(bought).performClick()
        ui.onNode(menuItem("Menjahit busana")).assertIsDisplayed()
        ui.onNode(menuItem("Fotografi produk")).performClick()
        ui.onNode(bought and hasText("Fotografi produk")).assertIsDisplayed()
        save()

        ui.onAllNodes(isDialog()).assertCountEquals(0)
        ui.onNodeWithTextOnScreen(keyString("prakerja_training_purchased"))
        val prakerja = assertNotNull(phone.store.beneficiaryFile(id).prakerja)
        assertEquals(PrakerjaStage.TRAINING_PURCHASED, prakerja.stage)
        assertEquals(photo, prakerja.trainingId, "the option's value, the training's id, is kept")
    }
}
