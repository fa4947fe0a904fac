package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Card
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.IndicatorGrid
import id.go.kemnaker.desmig.app.ui.LabeledValue
import id.go.kemnaker.desmig.app.ui.PhoneLine
import id.go.kemnaker.desmig.app.ui.SectionTitle
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.monthText
import id.go.kemnaker.desmig.core.FacilitatorOverview
import id.go.kemnaker.desmig.state.SupervisorState

/**
 * The supervisor's districts this month: the total, the team by facilitator (work phone, visits,
 * people visited, visits to verify), and each village with its indicators.
 */
@Composable
fun TeamOverviewScreen(state: SupervisorState, onCall: (phone: String) -> Unit = {}) {
    LazyColumn(
        modifier = Modifier.fillMaxSize(),
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        item { Text(stringResource(R.string.supervisor_month, monthText(state.month)), style = MaterialTheme.typography.titleSmall) }
        if (state.villages.isEmpty()) item { Text(stringResource(R.string.supervisor_no_villages)) }
        state.total?.let { total ->
            item(key = "total") {
                Card(Modifier.fillMaxWidth()) {
                    Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                        Text(stringResource(R.string.supervisor_total), style = MaterialTheme.typography.titleMedium)
                        IndicatorGrid(total)
                    }
                }
            }
        }
        item(key = "facilitators") { SectionTitle(stringResource(R.string.supervisor_facilitators)) }
        if (state.facilitators.isEmpty()) item { Text(stringResource(R.string.supervisor_no_facilitators)) }
        items(state.facilitators, key = { "facilitator:" + it.userId }) { f -> FacilitatorCard(f, onCall) }
        items(state.villages, key = { it.villageCode }) { village ->
            Card(Modifier.fillMaxWidth()) {
                Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(8.dp)) {
                    Text(village.villageName, style = MaterialTheme.typography.titleMedium)
                    Text(
                        stringResource(R.string.supervisor_village_line, village.villageCode, village.visitsToVerify.toLong()),
                        style = MaterialTheme.typography.bodySmall,
                        color = MaterialTheme.colorScheme.onSurfaceVariant,
                    )
                    IndicatorGrid(village.indicators)
                }
            }
        }
    }
}

/** One facilitator's month: name, work phone (tap to call), visits, people visited, visits to verify. */
@Composable
private fun FacilitatorCard(f: FacilitatorOverview, onCall: (phone: String) -> Unit) {
    Card(Modifier.fillMaxWidth()) {
        Column(Modifier.padding(16.dp), verticalArrangement = Arrangement.spacedBy(4.dp)) {
            Text(f.displayName.ifBlank { f.userId }, style = MaterialTheme.typography.titleMedium)
            f.phone?.let { phone -> PhoneLine(phone, onCall) }
            LabeledValue(stringResource(R.string.facilitator_visits_this_month), f.visitsThisMonth.toString())
            LabeledValue(stringResource(R.string.facilitator_people_visited), f.beneficiariesVisited.toString())
            LabeledValue(stringResource(R.string.facilitator_to_verify), f.visitsToVerify.toString())
            LabeledValue(stringResource(R.string.facilitator_beneficiaries), f.beneficiaries.toString())
            f.lastVisitAt?.let { LabeledValue(stringResource(R.string.facilitator_last_visit), formatTimestamp(it)) }
        }
    }
}
