// Drives the pages in Debian's chromium: open an event, see the outlets side
// by side, follow a quote to its highlighted span, search; and check that
// the hostile page's markup never runs. Screenshots go to $SHOTS on failure.
//
// usage: node run.mjs http://127.0.0.1:PORT
import { chromium } from "playwright-core";

const base = process.argv[2];
const shots = process.env.SHOTS || "/tmp/storyline-browser";
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox"],
});
const page = await browser.newPage();
const dialogs = [];
page.on("dialog", async (d) => {
  dialogs.push(d.message());
  await d.dismiss();
});
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok   ${name}`);
  } catch (e) {
    await page.screenshot({ path: `${shots}-${name.replace(/\W+/g, "-")}.png`, fullPage: true });
    console.error(`FAIL ${name}: ${e.message}`);
    await browser.close();
    process.exit(1);
  }
}

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

await step("home lists storylines and events", async () => {
  await page.goto(base + "/");
  await page.getByRole("heading", { name: "Events" }).waitFor();
  expect((await page.locator("a[href^='/events/']").count()) > 0, "no event links");
});

await step("an event shows its outlets side by side", async () => {
  // The storm event is reported by three outlets.
  await page.getByRole("link", { name: /Storm shuts Halvik harbour/ }).first().click();
  await page.getByRole("heading", { name: "Outlets side by side" }).waitFor();
  const cols = await page.locator("section.col").count();
  expect(cols >= 2, `only ${cols} outlet column(s)`);
  expect((await page.locator("del, ins").count()) > 0, "no quote differences shown");
});

await step("a name leads to the entity: its quotes across outlets and its events", async () => {
  const back = page.url();
  expect((await page.locator(".has, .lacks").count()) > 0, "no names or numbers marked present/missing");
  await page.locator("section.col a[href^='/entities/']").first().click();
  await page.getByRole("heading", { name: /^Events/ }).waitFor();
  expect((await page.locator("a[href^='/events/']").count()) > 0, "entity page lists no events");
  await page.goto(back);
});

await step("a quote leads to its highlighted span", async () => {
  await page.getByRole("link", { name: "[in text]" }).first().click();
  const mark = page.locator("mark#hit");
  await mark.waitFor();
  expect((await mark.innerText()).trim().length > 0, "empty highlight");
});

await step("search finds the breakwater", async () => {
  await page.goto(base + "/");
  await page.getByRole("textbox", { name: "search" }).fill("breakwater");
  await page.getByRole("button", { name: "Search" }).first().click();
  await page.getByText(/^Results \d+–\d+$/).waitFor();
  expect((await page.locator("main li a").count()) > 0, "no results");
});

await step("search filters narrow the results and stay in the form", async () => {
  await page.goto(base + "/search?q=breakwater");
  await page.getByRole("textbox", { name: "To", exact: true }).fill("1900-01-01");
  await page.locator("main").getByRole("button", { name: "Search" }).click();
  await page.getByText("No results.").waitFor();
  const to = await page.getByRole("textbox", { name: "To", exact: true }).inputValue();
  expect(to === "1900-01-01", `the date filter was not kept (${to})`);
});

await step("hostile markup is shown, never run", async () => {
  await page.goto(base + "/search?q=pwned OR breakwater");
  const links = page.locator("main li a");
  const n = await links.count();
  for (let i = 0; i < n; i++) {
    await page.goto(base + "/search?q=breakwater");
    await page.locator("main li a").nth(i).click();
    await page.locator("pre.body").waitFor();
    const pwned = await page.evaluate(() => window.__pwned);
    expect(pwned === undefined, `script ran on ${page.url()} (${pwned})`);
    // Clicking the would-be javascript: link must not run it either.
    const fake = page.getByText("click here");
    if (await fake.count()) {
      expect((await page.locator("a[href^='javascript:']").count()) === 0, "a javascript: link became a link");
    }
  }
  expect(dialogs.length === 0, `dialogs opened: ${dialogs.join("; ")}`);
  expect(errors.length === 0, `page errors: ${errors.join("; ")}`);
});

await browser.close();
console.log("browser tests passed");
