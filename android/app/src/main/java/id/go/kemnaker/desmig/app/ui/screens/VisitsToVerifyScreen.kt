package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.items
import androidx.compose.material3.Button
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.ListItem
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.formatTimestamp
import id.go.kemnaker.desmig.app.ui.localized
import id.go.kemnaker.desmig.state.SupervisorState

/** Completed visits of the team waiting for the supervisor: each opens, to be read before it is verified. */
@Composable
fun VisitsToVerifyScreen(state: SupervisorState, onOpenVisit: (visitId: String) -> Unit) {
    val villageNames = state.villages.associate { it.villageCode to it.villageName }
    LazyColumn(Modifier.fillMaxSize(), contentPadding = PaddingValues(vertical = 8.dp)) {
        if (state.toVerify.isEmpty()) item { ListItem(headlineContent = { Text(stringResource(R.string.supervisor_nothing_to_verify)) }) }
        items(state.toVerify, key = { it.visit.id }) { v ->
            ListItem(
                headlineContent = { Text(v.beneficiaryName) },
                overlineContent = { Text(villageNames[v.villageCode] ?: v.villageCode) },
                supportingContent = {
                    Text(
                        stringResource(
                            R.string.supervisor_visit_line,
                            state.templateTitles[v.visit.templateId]?.localized() ?: v.visit.templateId,
                            formatTimestamp(v.visit.startedAt),
                            v.visit.completeness.toInt(),
                        ),
                    )
                },
                trailingContent = { Button(onClick = { onOpenVisit(v.visit.id) }) { Text(stringResource(R.string.supervisor_open_visit)) } },
                modifier = Modifier.clickable { onOpenVisit(v.visit.id) },
            )
            HorizontalDivider()
        }
    }
}
