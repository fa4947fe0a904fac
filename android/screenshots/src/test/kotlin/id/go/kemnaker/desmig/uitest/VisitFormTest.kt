package id.go.kemnaker.desmig.uitest

import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.assertIsDisplayed
import androidx.compose.ui.test.assertCountEquals
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasScrollToKeyAction
import androidx.compose.ui.test.hasSetTextAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.junit4.createComposeRule
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToKey
import androidx.compose.ui.test.performTextInput
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.screens.checklistItemTag
import id.go.kemnaker.desmig.core.AnswerValue
import id.go.kemnaker.desmig.core.ChecklistTemplate
import id.go.kemnaker.desmig.core.VisitStatus
import id.go.kemnaker.desmig.state.VisitFormModel
import kotlin.test.assertEquals
import kotlin.test.assertNotNull
import org.junit.BeforeClass
import org.junit.Rule
import org.junit.Test

/** A KUR-readiness visit, from the file's "new visit" to a completed visit in the core. */
class VisitFormTest {
    @get:Rule val ui = createComposeRule()

    companion object {
        @BeforeClass @JvmStatic fun strings() = loadStrings()
    }

    private lateinit var template: ChecklistTemplate

    /** Inside the checklist item [itemId] (its label, its answer, the core's problems with it). */
    private fun inItem(itemId: String, m: SemanticsMatcher) = m and hasAnyAncestor(hasTestTag(checklistItemTag(itemId)))

    /** Scrolls the form to the item (the list holds only the items the core shows). */
    private fun show(itemId: String) = ui.onNode(onScreen(hasScrollToKeyAction())).performScrollToKey(itemId)

    private fun yesNo(itemId: String, yes: Boolean) {
        show(itemId)
        ui.onNode(inItem(itemId, button(str(if (yes) R.string.answer_yes else R.string.answer_no)))).performClick()
    }

    /** Taps the option [value] of a choice item, by its label in the template (Indonesian). */
    private fun choose(itemId: String, value: String) {
        val label = template.items.first { it.id == itemId }.options.first { it.value == value }.label.id
        show(itemId)
        ui.onNode(inItem(itemId, button(label))).performClick()
    }

    private fun type(itemId: String, text: String) {
        show(itemId)
        ui.onNode(inItem(itemId, hasSetTextAction())).performTextInput(text)
    }

    private fun complete() = ui.onNode(onScreen(button(str(R.string.visit_complete)))).performClick()

    @Test
    fun `a visit completed only once the core has every answer it requires`() {
        val phone = facilitatorPhone()
        val id = phone.register("Siti Aminah")
        template = phone.store.template("kur_readiness", null)
        var form: VisitFormModel? = null
        ui.setContent { FileFlow(phone, id, onVisitModel = { form = it }) }

        // From the file: a new visit of the KUR-readiness checklist, a draft in the core.
        ui.scrollAndTap(onScreen(button(str(R.string.file_new_visit))))
        ui.onNode(menuItem(template.title.id)).performClick()
        ui.onNode(onScreen(hasText(template.title.id))).assertIsDisplayed()
        assertEquals(VisitStatus.DRAFT, phone.store.beneficiaryFile(id).visits.single().status)

        // Two answers, then "complete": the core refuses, and says what is missing, by item.
        yesNo("punya_ektp", yes = true)
        type("jumlah_pinjaman", "10000000")
        complete()
        val problems = assertNotNull(form).state.problems
        assertEquals("required", problems["punya_kk"]?.single()?.code, "$problems")
        show("error") // the form's banner, at its top
        ui.onNode(onScreen(hasText(str(R.string.error_validation, problems.values.sumOf { it.size }.toString())))).assertIsDisplayed()
        show("punya_kk")
        ui.onNode(inItem("punya_kk", hasText(str(R.string.problem_required)))).assertIsDisplayed()
        show("jumlah_pinjaman")
        ui.onAllNodes(inItem("jumlah_pinjaman", hasText(str(R.string.problem_required)))).assertCountEquals(0)
        assertEquals(VisitStatus.DRAFT, phone.store.beneficiaryFile(id).visits.single().status, "still a draft")

        // Everything else the core asks for; its skip logic leaves out what does not apply.
        yesNo("punya_kk", yes = true)
        yesNo("sudah_menikah", yes = false)
        choose("legalitas_usaha", "sku")
        yesNo("usaha_berjalan", yes = false)
        yesNo("punya_rekening", yes = true)
        yesNo("sedang_ada_pinjaman", yes = false)
        choose("riwayat_kredit", "belum_pernah")
        choose("bank_tujuan", "bri")
        choose("skema_kur", "super_mikro")
        choose("tujuan_pinjaman", "modal_kerja")
        choose("kesimpulan", "siap")
        show("punya_kk")
        ui.onAllNodes(inItem("punya_kk", hasText(str(R.string.problem_required)))).assertCountEquals(0)
        complete()

        // Back on the file: the visit is completed, in the core with the answers given on screen.
        ui.onNodeWithTextOnScreen(template.title.id)
        ui.scrollTo(onScreen(hasText(" · ${str(R.string.visit_status_completed)} · ", substring = true))).assertIsDisplayed()
        val visit = phone.store.beneficiaryFile(id).visits.single()
        assertEquals(VisitStatus.COMPLETED, visit.status)
        assertEquals(AnswerValue.YesNo(true), visit.answers["punya_ektp"])
        assertEquals(AnswerValue.Number(10_000_000), visit.answers["jumlah_pinjaman"])
        assertEquals(AnswerValue.Choices(listOf("sku")), visit.answers["legalitas_usaha"])
        assertEquals(AnswerValue.Choice("siap"), visit.answers["kesimpulan"])
        assertEquals(100, visit.completeness.toInt())
    }
}
