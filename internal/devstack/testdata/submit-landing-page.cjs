// Fills in and submits the example landing page in headless Chromium, the
// way a person would, and reports where the browser ended up.
// Usage: node submit-landing-page.cjs PAGE_URL CHROMIUM_PATH [SCREENSHOT] [MIN_FILL_SECONDS]
// With MIN_FILL_SECONDS it submits no sooner than that after the render time
// the page posts (_ts), as a person would: a quicker form is a bot's.
const { chromium } = require("playwright-core");

(async () => {
  const [pageURL, executablePath, screenshot, minFillSeconds] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(pageURL);
    await page.fill("#email", "  Lena.Fischer@Kontor.io ");
    await page.fill("#first_name", "Lena");
    await page.fill("#last_name", "Fischer");
    await page.fill("#company", "Kontor GmbH");
    await page.fill("#job_title", "Head of Platform");
    await page.fill("#country", "Germany");
    await page.selectOption("#industry", "Software");
    await page.selectOption("#employees", "201-1000");
    await page.selectOption("#cloudSpend", "Idle resources");
    await page.check("input[name=consent]");
    if (minFillSeconds) {
      await page.waitForFunction((ms) => Date.now() - Number(document.querySelector("input[name=_ts]").value) >= ms,
        Number(minFillSeconds) * 1000, { polling: 100 });
    }
    await Promise.all([
      page.waitForURL("**/thanks.html"),
      page.click("button[type=submit]"),
    ]);
    const result = { url: page.url(), heading: (await page.textContent("h1")).trim() };
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    console.log(JSON.stringify(result));
  } finally {
    await browser.close();
  }
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
