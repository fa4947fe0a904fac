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
import id.go.kemnaker.desmig.state.SupervisorState

/** The villages of the supervisor's districts this month, each with its indicators. */
@Composable
fun TeamOverviewScreen(state: SupervisorState) {
    LazyColumn(
        modifier = Modifier.fillMaxSize(),
        contentPadding = PaddingValues(16.dp),
        verticalArrangement = Arrangement.spacedBy(12.dp),
    ) {
        item { Text(stringResource(R.string.supervisor_month, state.month), style = MaterialTheme.typography.titleSmall) }
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
