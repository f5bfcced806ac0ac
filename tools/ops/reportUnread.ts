/**
 * The instances a report could not read (issue 34): rows with AWS's reason, and a "not read" figure
 * in the headline, so the report never shows a fleet smaller than it is without saying so. Kept
 * apart from report.ts and reportHtml.ts, which draw what was read.
 */
import { Outcome } from "./perInstance";
import { ReportData, ReportInstance, UnreadInstance } from "./report";

const escapeHtml = (text: string) =>
    text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/**
 * Splits a Systems Manager read: an instance whose read failed (its outcome an error) leaves the
 * charts and figures of the read ones, and becomes an unread row with the reason. `outcomes` is in
 * the order of `instances` (readEach's).
 */
export function withUnread<T extends ReportData>(
    data: T & { outcomes: readonly (Outcome<unknown> | undefined)[] },
): ReportData {
    const unread: UnreadInstance[] = [];
    const read: ReportInstance[] = [];
    data.instances.forEach((instance, i) => {
        const outcome = data.outcomes[i];
        if (outcome?.error === undefined) read.push(instance);
        else unread.push({ ...pick(instance), reason: outcome.reason });
    });
    const rest: Partial<typeof data> = { ...data };
    delete rest.outcomes;
    return { ...(rest as ReportData), instances: read, unread: [...(data.unread ?? []), ...unread] };
}

function pick(i: ReportInstance): Omit<UnreadInstance, "reason"> {
    return { account: i.account, region: i.region, id: i.id, name: i.name, os: i.os, stack: i.stack };
}

/** How many instances were not read. */
export const unreadCount = (data: ReportData) => data.unread?.length ?? 0;

/** The headline figure, or nothing when every instance was read. */
export function unreadFigure(data: ReportData): string {
    const n = unreadCount(data);
    return n === 0 ? "" : `<div class="figure not-read"><b>${n}</b>not read</div>`;
}

/** The table of the unread instances with their reasons, or nothing when every instance was read. */
export function unreadSection(data: ReportData): string {
    const unread = data.unread ?? [];
    if (unread.length === 0) return "";
    const rows = unread
        .map(
            (i) =>
                "<tr>" +
                [i.account, i.stack, i.id, i.name, i.os, i.reason].map((c) => `<td>${escapeHtml(c)}</td>`).join("") +
                "</tr>",
        )
        .join("\n");
    return `<section id="not-read">
<h2>Instances not read (${unread.length})</h2>
<p>AWS did not answer for these instances (a terminated node, say): they are in no chart or figure above but this one.</p>
<table>
<thead><tr><th>Account</th><th>Patch group</th><th>Instance</th><th>Name</th><th>OS</th><th>Reason</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}
