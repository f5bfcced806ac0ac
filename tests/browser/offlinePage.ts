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

/** What Chart.js drew on a canvas: its type, labels, datasets, and how many pixels are painted. */
export interface DrawnChart {
    readonly type: string;
    readonly labels: unknown[];
    readonly datasets: [string, number[]][];
    readonly painted: number;
}

/**
 * The chart Chart.js registered on the canvas `id` (so the library drew it, not a stand-in), or
 * undefined when there is no such canvas or no chart on it.
 */
export function readChart(page: Page, id: string): Promise<DrawnChart | undefined> {
    return page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement | null;
        type Drawn = {
            config: { type: string };
            data: { labels: unknown[]; datasets: { label: string; data: number[] }[] };
        };
        const chart =
            canvas &&
            (window as unknown as { Chart: { getChart(c: Element): Drawn | undefined } }).Chart.getChart(canvas);
        if (!canvas || !chart) return undefined;
        const pixels = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {
            type: chart.config.type,
            labels: chart.data.labels,
            datasets: chart.data.datasets.map((d): [string, number[]] => [d.label, d.data]),
            painted,
        };
    }, id);
}
