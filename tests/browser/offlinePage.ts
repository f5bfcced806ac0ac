/**
 * A report page opened as a user opens the file, in headless Chromium (Debian's package), with every
 * request outside the file refused and recorded, and every console error or warning and page error
 * recorded: the browser specs require both lists empty.
 */
import puppeteer, { Browser, Page } from "puppeteer-core";

/** Debian's chromium; CHROMIUM_PATH overrides where it is. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface OfflinePage {
    readonly browser: Browser;
    readonly page: Page;
    /** The URLs the page asked for outside its own file (refused). */
    readonly outside: string[];
    /** Console errors and warnings, and uncaught page errors. */
    readonly problems: string[];
}

export async function openOffline(file: string): Promise<OfflinePage> {
    const outside: string[] = [];
    const problems: string[] = [];
    const browser = await puppeteer.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu"],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 1000 });
    await page.setRequestInterception(true);
    page.on("request", (request) => {
        if (request.url().startsWith("file://")) return void request.continue();
        outside.push(request.url());
        void request.abort();
    });
    page.on("console", (message) => {
        if (message.type() === "error" || message.type() === "warn")
            problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${(error as Error).message}`));
    await page.goto(`file://${file}`, { waitUntil: "load" });
    return { browser, page, outside, problems };
}
