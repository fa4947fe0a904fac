package androidx.compose.ui.res

import androidx.compose.runtime.Composable
import androidx.compose.runtime.ReadOnlyComposable
import id.go.kemnaker.desmig.screenshots.Strings

@Composable
@ReadOnlyComposable
fun stringResource(id: Int): String = Strings.string(id)

@Composable
@ReadOnlyComposable
fun stringResource(id: Int, vararg formatArgs: Any): String = Strings.string(id, *formatArgs)

@Composable
@ReadOnlyComposable
fun pluralStringResource(id: Int, count: Int, vararg formatArgs: Any): String = Strings.plural(id, count, *formatArgs)
