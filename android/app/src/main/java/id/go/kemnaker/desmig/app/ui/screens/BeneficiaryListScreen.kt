package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.clickable
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.PaddingValues
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.lazy.LazyColumn
import androidx.compose.foundation.lazy.LazyRow
import androidx.compose.foundation.lazy.items
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Add
import androidx.compose.material.icons.filled.Clear
import androidx.compose.material.icons.filled.Info
import androidx.compose.material.icons.filled.Search
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.ExtendedFloatingActionButton
import androidx.compose.material3.FilterChip
import androidx.compose.material3.HorizontalDivider
import androidx.compose.material3.Icon
import androidx.compose.material3.IconButton
import androidx.compose.material3.ListItem
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.Scaffold
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.DesmigTopBar
import id.go.kemnaker.desmig.app.ui.ErrorBanner
import id.go.kemnaker.desmig.app.ui.LoadingBox
import id.go.kemnaker.desmig.app.ui.beneficiaryKindRes
import id.go.kemnaker.desmig.app.ui.observe
import id.go.kemnaker.desmig.app.ui.rememberActions
import id.go.kemnaker.desmig.app.ui.rememberHolder
import id.go.kemnaker.desmig.core.BeneficiarySummary
import id.go.kemnaker.desmig.core.Region
import id.go.kemnaker.desmig.state.AppSession
import id.go.kemnaker.desmig.state.BeneficiaryListModel
import id.go.kemnaker.desmig.state.BeneficiaryListState

@Composable
fun BeneficiaryListRoute(
    session: AppSession,
    onOpen: (String) -> Unit,
    onRegister: (villageCode: String) -> Unit,
    onVillage: (Region) -> Unit,
    onSync: () -> Unit,
    onSignOut: () -> Unit,
) {
    val model = rememberHolder("beneficiaries") { BeneficiaryListModel(session.store) } ?: return LoadingBox()
    val state by model.observe()
    val actions = rememberActions()
    var query by rememberSaveable { mutableStateOf(state.query) }
    // On first show: the villages; on coming back (after a registration, a visit, a sync): fresh rows.
    LaunchedEffect(model) {
        actions.io {
            val s = model.state
            when {
                s.villages.isEmpty() -> model.load()
                s.query.isNotBlank() -> model.search(s.query)
                else -> s.village?.let(model::selectVillage)
            }
        }
    }
    BeneficiaryListScreen(
        state = state,
        query = query,
        onSearch = { text ->
            query = text
            actions.io { model.search(text) }
        },
        onSelectVillage = { village ->
            query = ""
            actions.io { model.selectVillage(village) }
        },
        onLoadMore = { actions.io { model.loadMore() } },
        onOpen = onOpen,
        onRegister = { state.village?.let { onRegister(it.code) } },
        onVillageInfo = { state.village?.let(onVillage) },
        onSync = onSync,
        onSignOut = onSignOut,
    )
}

/** The facilitator's home: their villages, the selected village's beneficiaries, search by name or NIK. */
@Composable
fun BeneficiaryListScreen(
    state: BeneficiaryListState,
    query: String,
    onSearch: (String) -> Unit,
    onSelectVillage: (Region) -> Unit,
    onLoadMore: () -> Unit,
    onOpen: (String) -> Unit,
    onRegister: () -> Unit,
    onVillageInfo: () -> Unit,
    onSync: () -> Unit,
    onSignOut: () -> Unit,
) {
    Scaffold(
        topBar = {
            DesmigTopBar(
                title = stringResource(R.string.beneficiaries_title),
                onSync = onSync,
                onSignOut = onSignOut,
                actions = {
                    if (state.village != null) {
                        IconButton(onClick = onVillageInfo) {
                            Icon(Icons.Filled.Info, contentDescription = stringResource(R.string.village_title))
                        }
                    }
                },
            )
        },
        floatingActionButton = {
            if (state.village != null) {
                ExtendedFloatingActionButton(
                    onClick = onRegister,
                    icon = { Icon(Icons.Filled.Add, contentDescription = null) },
                    text = { Text(stringResource(R.string.beneficiaries_register)) },
                )
            }
        },
    ) { padding ->
        Column(Modifier.fillMaxSize().padding(padding)) {
            if (state.villages.size > 1) {
                LazyRow(
                    contentPadding = PaddingValues(horizontal = 16.dp),
                    horizontalArrangement = Arrangement.spacedBy(8.dp),
                ) {
                    items(state.villages, key = { it.code }) { village ->
                        FilterChip(
                            selected = state.query.isBlank() && state.village?.code == village.code,
                            onClick = { onSelectVillage(village) },
                            label = { Text(village.name) },
                        )
                    }
                }
            } else if (state.village != null) {
                Text(
                    stringResource(R.string.beneficiaries_village, state.village!!.name),
                    modifier = Modifier.padding(horizontal = 16.dp),
                    style = MaterialTheme.typography.titleSmall,
                )
            }
            OutlinedTextField(
                value = query,
                onValueChange = onSearch,
                modifier = Modifier.fillMaxWidth().padding(horizontal = 16.dp, vertical = 8.dp),
                placeholder = { Text(stringResource(R.string.beneficiaries_search_hint)) },
                leadingIcon = { Icon(Icons.Filled.Search, contentDescription = null) },
                trailingIcon = {
                    if (query.isNotEmpty()) {
                        IconButton(onClick = { onSearch("") }) {
                            Icon(Icons.Filled.Clear, contentDescription = stringResource(R.string.action_clear))
                        }
                    }
                },
                singleLine = true,
            )
            ErrorBanner(state.error, Modifier.padding(horizontal = 16.dp))
            when {
                state.villages.isEmpty() && state.error == null -> EmptyText(stringResource(R.string.beneficiaries_no_villages))
                state.items.isEmpty() && state.nextOffset == null -> EmptyText(
                    stringResource(if (state.query.isBlank()) R.string.beneficiaries_empty else R.string.beneficiaries_not_found),
                )
                else -> LazyColumn(Modifier.fillMaxSize(), contentPadding = PaddingValues(bottom = 88.dp)) {
                    items(state.items, key = { it.id }) { b ->
                        BeneficiaryRow(b, onClick = { onOpen(b.id) })
                        HorizontalDivider()
                    }
                    if (state.nextOffset != null) {
                        item(key = "more") {
                            // Reaching the end of the list asks for the next page.
                            LaunchedEffect(state.items.size) { onLoadMore() }
                            Box(Modifier.fillMaxWidth().padding(16.dp), contentAlignment = Alignment.Center) {
                                CircularProgressIndicator()
                            }
                        }
                    }
                }
            }
        }
    }
}

@Composable
private fun BeneficiaryRow(b: BeneficiarySummary, onClick: () -> Unit) {
    val phone = b.phone
    ListItem(
        headlineContent = { Text(b.fullName) },
        supportingContent = {
            val nik = b.maskedNik ?: stringResource(R.string.beneficiaries_no_nik)
            Text("$nik · ${stringResource(beneficiaryKindRes(b.kind))}")
        },
        trailingContent = if (phone == null) null else ({ Text(phone, style = MaterialTheme.typography.bodySmall) }),
        modifier = Modifier.clickable(onClick = onClick),
    )
}

@Composable
private fun EmptyText(text: String) {
    Box(Modifier.fillMaxSize().padding(32.dp), contentAlignment = Alignment.Center) {
        Text(text, style = MaterialTheme.typography.bodyLarge, color = MaterialTheme.colorScheme.onSurfaceVariant)
    }
}
