"""Open the HTML report in a real browser (headless Chromium) and check what a reader sees.

    python -m nnrec.report_check results/report.html results/report_screenshot.png   (make report-check)

A copy of the report gets a short script that, once the page has rendered, walks the report's
own navigation (``app.showCategory`` and ``app.setView``, what its menu links call): every
category, every subcategory and the results each lists, and every HTML result (the tables)
opened in the content frame and parsed for its rows. Chromium prints the page after its
JavaScript ran (``--dump-dom``) and the findings are read back from it; a second run saves a
screenshot of the report showing the summary table.
"""

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from nnrec import DataError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FINDINGS_ID = "nnrec-report-check"

# Runs inside the report page. Waits are virtual time (--virtual-time-budget), so they cost
# no wall-clock time; React renders between them.
DRIVER = """
<script>
(async function () {
  const wait = (ms) => new Promise((done) => setTimeout(done, ms));
  const found = {categories: {}, tables: {}, errors: []};
  // what the report's own code reports while we click through it (React logs render errors)
  const logError = console.error;
  console.error = function (...args) {
    found.errors.push(args.map(String).join(" ").slice(0, 300));
    logError.apply(console, args);
  };
  window.addEventListener("error", (event) => found.errors.push(event.message));
  // as a reader clicks: home, the category, its subcategory (each view drawn afresh)
  async function open(category, subcategory) {
    app.setView({navbarMode: "menu"});
    await wait(50);
    app.showCategory(category);
    await wait(50);
    app.setView({navbarMode: "subcategory", category: category, subcategory: subcategory});
    await wait(50);
  }
  try {
    await wait(200);
    for (const category of Object.keys(categories)) {
      found.categories[category] = {};
      for (const subcategory of Object.keys(categories[category])) {
        await open(category, subcategory);
        const listed = document.querySelectorAll("table tbody tr").length;
        found.categories[category][subcategory] = {results: categories[category][subcategory].length, listed: listed};
        for (const path of categories[category][subcategory]) {
          const entry = results[path];
          if (entry.mime_type !== "text/html") continue;
          app.setView({content: "html", contentPath: entry.data_uri, resultPath: path});
          await wait(50);
          const frame = [...document.querySelectorAll("iframe")].some((f) => f.getAttribute("src") === entry.data_uri);
          const page = new DOMParser().parseFromString(await (await fetch(entry.data_uri)).text(), "text/html");
          found.tables[path] = {category: category, subcategory: subcategory, shown: frame,
                                title: (page.querySelector("h1") || {}).textContent || "",
                                rows: page.querySelectorAll("table tbody tr").length,
                                text: page.querySelectorAll("pre").length};
        }
      }
    }
    const summary = Object.keys(results).find((p) => p.endsWith("tables/summary.html"));
    if (summary) {
      await open("Summary", "tables");
      app.setView({content: "html", contentPath: results[summary].data_uri, resultPath: summary});
    }
  } catch (error) {
    found.errors.push(String(error));
  }
  const out = document.createElement("pre");
  out.id = "%s";
  out.hidden = true;
  out.textContent = JSON.stringify(found);
  document.body.appendChild(out);
})();
</script>
""" % FINDINGS_ID


def find_browser():
    """Path of a Chromium-type browser, or None."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _chromium(browser, page, *args, timeout_s=120):
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   f"--user-data-dir={profile}", "--virtual-time-budget=60000", *args, page.as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)


def browse(report, screenshot=None, browser=None):
    """Findings of the walk through ``report`` (see the module docstring); saves ``screenshot``.

    Returns {"categories": {category: {subcategory: {"results": n, "listed": rows shown}}},
    "tables": {path: {"category", "subcategory", "shown", "title", "rows", "text"}}, "errors": [...]}.
    """
    browser = browser or find_browser()
    if browser is None:
        raise DataError("no Chromium found (Debian/Ubuntu: apt-get install chromium)")
    report = Path(report)
    text = report.read_text(errors="replace")
    if "</body>" not in text:
        raise DataError(f"{report}: no </body>; expected a Snakemake HTML report")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / report.name
        head, _, tail = text.rpartition("</body>")
        page.write_text(head + DRIVER + "</body>" + tail)
        dom = _chromium(browser, page, "--dump-dom").stdout
        if screenshot:
            Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
            _chromium(browser, page, f"--screenshot={Path(screenshot).resolve()}", "--window-size=1400,900",
                      "--hide-scrollbars")
    match = re.search(rf'<pre id="{FINDINGS_ID}"[^>]*>(.*?)</pre>', dom, re.S)
    if not match:
        raise DataError(f"{report}: the page did not finish rendering in {browser} (no findings in its DOM)")
    return json.loads(html.unescape(match.group(1)))


def problems(findings, expected_categories=()):
    """What a reader would miss, one line each (empty when the report reads as it should)."""
    found = []
    categories = findings["categories"]
    found += [f"category {name} missing" for name in expected_categories if name not in categories]
    for category, subcategories in categories.items():
        if category == "Other":
            found.append(f"results without a category: {', '.join(subcategories)}")
        for subcategory, shown in subcategories.items():
            if subcategory == "Other":
                found.append(f"category {category}: results without a subcategory")
            if shown["listed"] < 1:
                found.append(f"{category} / {subcategory}: no result listed")
    for path, table in findings["tables"].items():
        if not table["shown"]:
            found.append(f"{path}: not shown when opened")
        if table["rows"] < 1 and table["text"] < 1:
            found.append(f"{path}: no table rows")
    return found + [f"page error: {error}" for error in findings["errors"]]


def main(argv=None):
    args = list(argv if argv is not None else sys.argv[1:])
    if len(args) > 2:
        print("usage: python -m nnrec.report_check [REPORT.html [SCREENSHOT.png]]", file=sys.stderr)
        return 2
    report = args[0] if args else "results/report.html"
    screenshot = args[1] if len(args) > 1 else str(Path(report).with_name("report_screenshot.png"))
    try:
        findings = browse(report, screenshot)
    except DataError as error:
        print(f"nnrec: {error}", file=sys.stderr)
        return 2
    for category, subcategories in findings["categories"].items():
        print(f"{category}: " + ", ".join(f"{s} ({v['listed']})" for s, v in subcategories.items()))
    for path, table in findings["tables"].items():
        print(f"  {path}: {table['rows']} rows" + (" (text)" if table["text"] else ""))
    trouble = problems(findings)
    for line in trouble:
        print(f"problem: {line}", file=sys.stderr)
    print(f"screenshot: {screenshot}")
    return 1 if trouble else 0


if __name__ == "__main__":
    sys.exit(main())
