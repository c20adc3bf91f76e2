// Opens a page in headless Chromium with a bearer token, takes a full-page
// screenshot, and reports what a reader sees first.
// Usage: node screenshot.cjs URL CHROMIUM_PATH SCREENSHOT TOKEN
const { chromium } = require("playwright-core");

(async () => {
  const [url, executablePath, screenshot, token] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    await page.setExtraHTTPHeaders({ Authorization: "Bearer " + token });
    const resp = await page.goto(url);
    await page.screenshot({ path: screenshot, fullPage: true });
    const alerts = [];
    page.on("dialog", (d) => { alerts.push(d.message()); d.dismiss(); });
    console.log(JSON.stringify({
      status: resp.status(),
      heading: (await page.textContent("h1")).trim(),
      sections: await page.locator("section h2").allTextContents(),
      svgs: await page.locator("section svg").count(),
      alerts,
    }));
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
