package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.LabeledValue
import id.go.kemnaker.desmig.app.ui.conflictFieldRes
import id.go.kemnaker.desmig.app.ui.entityText
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.isEnglish
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.core.Resolution
import id.go.kemnaker.desmig.state.SupervisorState
import id.go.kemnaker.desmig.state.fieldWords
import id.go.kemnaker.desmig.state.words

/**
 * Concurrent edits of the same field: the core's merge kept one value and this other one. The
 * supervisor keeps the current value or takes the other; the core records the decision and syncs it.
 */
@Composable
fun ConflictsScreen(state: SupervisorState, onResolve: (conflictId: String, resolution: Resolution) -> Unit, onOpenBeneficiary: (String) -> Unit) {
    LazyColumn(
        modifier = Modifier.fillMaxSize(),
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        if (state.conflicts.isEmpty()) item { Text(stringResource(R.string.supervisor_no_conflicts)) }
        items(state.conflicts, key = { it.id }) { c ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
                    Text(
                        c.beneficiaryName,
                        style = MaterialTheme.typography.titleMedium,
                        modifier = Modifier.clickable { onOpenBeneficiary(c.beneficiaryId) },
                    )
                    // The field by its label and both values as a person reads them (the core's `Shown`).
                    val record = entityText(c.entity)
                    val field = conflictFieldRes(c.entity, c.fieldKey)?.let { stringResource(it) } ?: c.fieldWords.text()
                    LabeledValue(stringResource(R.string.conflict_record), "$record · $field")
                    LabeledValue(stringResource(R.string.conflict_current), c.current.words(isEnglish()).text())
                    LabeledValue(stringResource(R.string.conflict_other), c.losing.words(isEnglish()).text())
                    LabeledValue(stringResource(R.string.conflict_detected), formatTimestamp(c.detectedAt))
                    Row(Modifier.fillMaxWidth().padding(top = 8.dp), horizontalArrangement = Arrangement.spacedBy(8.dp)) {
                        OutlinedButton(onClick = { onResolve(c.id, Resolution.KEEP_CURRENT) }, modifier = Modifier.weight(1f)) {
                            Text(stringResource(R.string.conflict_keep_current))
                        }
                        Button(onClick = { onResolve(c.id, Resolution.TAKE_LOSING) }, modifier = Modifier.weight(1f)) {
                            Text(stringResource(R.string.conflict_take_other))
                        }
                    }
                }
            }
        }
    }
}
