// Finding what a user sees, by its words (the app's strings) and, where words repeat, by where it is.
package id.go.kemnaker.desmig.uitest

import androidx.compose.ui.semantics.SemanticsProperties
import androidx.compose.ui.test.SemanticsMatcher
import androidx.compose.ui.test.SemanticsNodeInteraction
import androidx.compose.ui.test.hasAnyAncestor
import androidx.compose.ui.test.hasClickAction
import androidx.compose.ui.test.hasScrollToKeyAction
import androidx.compose.ui.test.hasTestTag
import androidx.compose.ui.test.hasText
import androidx.compose.ui.test.isDialog
import androidx.compose.ui.test.isPopup
import androidx.compose.ui.test.junit4.ComposeContentTestRule
import androidx.compose.ui.test.performClick
import androidx.compose.ui.test.performScrollToNode
import androidx.compose.ui.test.assertIsDisplayed
import id.go.kemnaker.desmig.app.ui.screens.statusCardTag
import id.go.kemnaker.desmig.core.CardKind

/** Inside the dialog on top (a status move, a date picker). */
fun inDialog(m: SemanticsMatcher): SemanticsMatcher = m and hasAnyAncestor(isDialog())

/** On the screen itself, not in a dialog or a menu over it. */
fun onScreen(m: SemanticsMatcher): SemanticsMatcher = m and !hasAnyAncestor(isDialog()) and !hasAnyAncestor(isPopup())

/** A button (or anything tappable) that says [text]. */
fun button(text: String): SemanticsMatcher = hasText(text) and hasClickAction()

/** An item of the open menu (a dropdown) that says [text]. */
fun menuItem(text: String): SemanticsMatcher = hasText(text) and hasClickAction() and hasAnyAncestor(isPopup())

/**
 * A form field by its label: the text field's node holds its label, its value and the core's
 * problems shown under it (the supporting text), so a problem matched together with the label is
 * under that field.
 */
fun field(label: String): SemanticsMatcher = hasText(label) and SemanticsMatcher.keyIsDefined(SemanticsProperties.EditableText)

/** Inside the status card of [kind] about [subjectId] (every training and business card says "Ubah"). */
fun onCard(kind: CardKind, subjectId: String, m: SemanticsMatcher): SemanticsMatcher = m and hasAnyAncestor(hasTestTag(statusCardTag(kind, subjectId)))

/** Scrolls the screen's lazy list (the file, the visit form) until [m] is composed and shown; then taps it. */
fun ComposeContentTestRule.scrollAndTap(m: SemanticsMatcher) {
    scrollTo(m).performClick()
}

fun ComposeContentTestRule.scrollTo(m: SemanticsMatcher): SemanticsNodeInteraction {
    onNode(onScreen(hasScrollToKeyAction())).performScrollToNode(m)
    return onNode(m)
}

/** Asserts the screen (not a dialog) shows [text]. */
fun ComposeContentTestRule.onNodeWithTextOnScreen(text: String) {
    scrollTo(onScreen(hasText(text))).assertIsDisplayed()
}
