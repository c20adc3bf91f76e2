// Drives the manager console in headless Chromium the way two managers
// would: marketing signs in, reads every page and approves a draft; sales
// signs in elsewhere, approves it (publishing it) and reassigns a lead from
// the sales queue; then signs out. Each page gets a full-page screenshot and
// an axe-core accessibility check. Prints what it saw as JSON.
// Usage: node console.cjs BASE CHROMIUM TOKEN SHOTS_DIR LEAD_EMAIL LEAD_ID
const { chromium } = require("playwright-core");
const fs = require("fs");
const path = require("path");

const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

(async () => {
  const [base, executablePath, token, shots, email, leadId] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const out = { pages: {}, violations: {}, steps: [] };
  // axe runs through the DevTools protocol, which the console's
  // Content-Security-Policy (no script at all) does not govern.
  const check = async (page, name) => {
    await page.screenshot({ path: path.join(shots, name + ".png"), fullPage: true });
    await page.evaluate(axeSource);
    const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    out.violations[name] = res.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
    out.pages[name] = { url: page.url(), heading: (await page.textContent("h1")).trim() };
  };
  const flash = async (page) => ((await page.locator('[role="status"]').allTextContents())[0] || "").trim();
  const signIn = async (name, role) => {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    await page.goto(base + "/console");
    await page.getByLabel("Bearer token").fill(token);
    await page.getByLabel("Your name or email").fill(name);
    await page.getByLabel("Role").selectOption(role);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(base + "/console");
    return page;
  };
  try {
    // The sign-in page, and that the keyboard alone reaches its controls.
    const first = await (await browser.newContext()).newPage();
    await first.goto(base + "/console/queue");
    await check(first, "login");
    const focused = [];
    for (let i = 0; i < 8; i++) {
      await first.keyboard.press("Tab");
      focused.push(await first.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
    }
    out.keyboard = focused;

    const maria = await signIn("maria.lopez@leadgate.example", "marketing");
    await check(maria, "campaigns");
    await maria.getByRole("link", { name: "Book a demo" }).click();
    await check(maria, "campaign");
    const draft = maria.locator("section.card").first();
    await draft.getByLabel("Note").fill("Fine by marketing");
    await draft.getByRole("button", { name: "Approve" }).click();
    out.steps.push({ who: "marketing", flash: await flash(maria), state: (await maria.locator("section.card").first().textContent()).includes("awaiting sales") });
    await maria.getByRole("link", { name: "Lead lookup" }).click();
    await maria.getByLabel("Email or name").fill(email);
    await maria.keyboard.press("Enter");
    await maria.waitForURL(/\/console\/leads\?q=/);
    await check(maria, "lookup");
    await maria.locator(`a[href="/console/leads/${leadId}"]`).click();
    await check(maria, "lead");

    const daniel = await signIn("daniel.osei@leadgate.example", "sales");
    await daniel.goto(base + "/console/campaigns/demo-request");
    await daniel.locator("section.card").first().getByRole("button", { name: "Approve" }).click();
    out.steps.push({ who: "sales", flash: await flash(daniel), sub: (await daniel.locator("p.sub").first().textContent()).trim() });
    await daniel.goto(base + "/console/campaigns/demo-request?diffFrom=1&diffTo=2#versions");
    await check(daniel, "campaign-published");
    await daniel.getByRole("link", { name: "Sales queue" }).click();
    await check(daniel, "queue");
    const row = daniel.locator("tr", { has: daniel.locator(`a[href="/console/leads/${leadId}"]`) }).first();
    await row.getByLabel("To").selectOption("na-1");
    await row.getByRole("button", { name: "Reassign" }).click();
    out.steps.push({ who: "sales", flash: await flash(daniel), url: daniel.url() });
    await daniel.getByRole("button", { name: "Sign out" }).click();
    await daniel.waitForURL(base + "/console/login");
    await daniel.goto(base + "/console");
    out.afterLogout = daniel.url();
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
