#!/usr/bin/env python3
"""Prepares the Android app's Compose screens for a desktop (Compose Multiplatform) build that
renders them to PNG: copies the UI sources without their Route composables (which need the
Android platform: ViewModels, WorkManager, permissions), and generates `R` from the string
resources. The screens themselves are compiled unchanged."""
import pathlib, re, sys, xml.etree.ElementTree as ET

here = pathlib.Path(__file__).resolve().parent
app = here.parent / "app" / "src" / "main"
ui = app / "java" / "id" / "go" / "kemnaker" / "desmig" / "app" / "ui"
out = here / "target" / "generated-sources" / "screens"
skip_files = {"HolderState.kt", "MainActivity.kt", "DesmigNavHost.kt"}
strip_imports = re.compile(
    r"^import (android\.(widget|net|location|app|Manifest)[\w.]*|androidx\.(activity|lifecycle|navigation|work|core)\.[\w.]*"
    r"|id\.go\.kemnaker\.desmig\.app\.(location|sync|security|DesmigApplication)[\w.]*"
    r"|id\.go\.kemnaker\.desmig\.app\.ui\.(observe|rememberHolder|rememberActions|ScreenActions|SyncControls))\s*$"
)

def strip_routes(text: str) -> str:
    """Removes top-level functions named *Route (with their annotations)."""
    lines = text.split("\n")
    result, i = [], 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^(@Composable\s*)?(internal |private )?fun \w+Route\(", line) or (
            line.strip() == "@Composable" and i + 1 < len(lines) and re.match(r"^(internal |private )?fun \w+Route\(", lines[i + 1])
        ):
            depth, started = 0, False
            while i < len(lines):
                depth += lines[i].count("{") - lines[i].count("}")
                started = started or "{" in lines[i]
                i += 1
                if started and depth <= 0:
                    break
            continue
        result.append(line)
        i += 1
    return "\n".join(result)

for src in sorted(ui.rglob("*.kt")):
    if src.name in skip_files:
        continue
    text = src.read_text(encoding="utf-8")
    text = "\n".join(l for l in text.split("\n") if not strip_imports.match(l))
    text = strip_routes(text)
    dest = out / src.relative_to(ui.parent.parent.parent.parent.parent.parent)
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(text, encoding="utf-8")

# R: every string, plural and drawable name the app declares, as Int ids.
values = ET.parse(app / "res" / "values" / "strings.xml").getroot()
strings = [e.get("name") for e in values if e.tag == "string"]
plurals = [e.get("name") for e in values if e.tag == "plurals"]
drawables = sorted(p.stem for p in (app / "res").glob("drawable*/*.xml"))
r = ["package id.go.kemnaker.desmig", "", "object R {"]
for kind, names in (("string", strings), ("plurals", plurals), ("drawable", drawables)):
    r.append(f"    object {kind} {{")
    r += [f"        const val {n} = {i}" for i, n in enumerate(names, start=1)]
    r.append("    }")
r.append("}")
r.append("")
r.append("/** Resource names by id, for the desktop string lookup. */")
r.append("object RNames {")
for kind, names in (("string", strings), ("plurals", plurals)):
    r.append(f"    val {kind}: Array<String> = arrayOf(\"\", " + ", ".join(f'\"{n}\"' for n in names) + ")")
r.append("}")
(out / "id" / "go" / "kemnaker" / "desmig").mkdir(parents=True, exist_ok=True)
(out / "id" / "go" / "kemnaker" / "desmig" / "R.kt").write_text("\n".join(r) + "\n", encoding="utf-8")
print(f"prepared {len(strings)} strings, {len(plurals)} plurals in {out}")
