package id.go.kemnaker.desmig.app.ui.screens

import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.padding
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.foundation.rememberScrollState
import androidx.compose.foundation.verticalScroll
import androidx.compose.material.icons.Icons
import androidx.compose.material.icons.filled.Lock
import androidx.compose.material.icons.filled.Warning
import androidx.compose.material3.Icon
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.text.style.TextAlign
import androidx.compose.ui.unit.dp
import id.go.kemnaker.desmig.R
import id.go.kemnaker.desmig.app.ui.text
import id.go.kemnaker.desmig.state.UiMessage

/**
 * The phone's store cannot be opened: [locked] when its key is lost or refused (the store stays,
 * untouched, with its unsent changes), otherwise another failure (e.g. a full disk). The only
 * screen then: it offers nothing that could delete or recreate the store.
 */
@Composable
fun StoreUnavailableScreen(message: UiMessage, locked: Boolean) {
    Column(
        modifier = Modifier.fillMaxSize().safeDrawingPadding().verticalScroll(rememberScrollState()).padding(24.dp),
        verticalArrangement = Arrangement.spacedBy(16.dp, Alignment.CenterVertically),
        horizontalAlignment = Alignment.CenterHorizontally,
    ) {
        Icon(
            if (locked) Icons.Filled.Lock else Icons.Filled.Warning,
            contentDescription = null,
            tint = MaterialTheme.colorScheme.error,
        )
        Text(
            stringResource(if (locked) R.string.store_locked_title else R.string.store_failed_title),
            style = MaterialTheme.typography.titleLarge,
            textAlign = TextAlign.Center,
        )
        Text(message.text(), style = MaterialTheme.typography.bodyLarge, textAlign = TextAlign.Center)
        if (locked) {
            Text(
                stringResource(R.string.store_locked_keep),
                style = MaterialTheme.typography.bodyMedium,
                color = MaterialTheme.colorScheme.error,
                textAlign = TextAlign.Center,
            )
        }
    }
}
