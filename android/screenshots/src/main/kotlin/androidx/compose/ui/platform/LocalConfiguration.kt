package androidx.compose.ui.platform

import android.content.res.Configuration
import androidx.compose.runtime.staticCompositionLocalOf

val LocalConfiguration = staticCompositionLocalOf { Configuration() }
