/** What the operations print: to `out` the results (tables, JSON), to `err` progress and problems. */
export interface Io {
    out(text: string): void;
    err(text: string): void;
}

/** Plain-text tables: a header, a rule, left-aligned text and right-aligned numbers. */
export function renderTable(headers: string[], rows: (string | number)[][], footer?: (string | number)[]): string {
    const all = [headers, ...rows, ...(footer ? [footer] : [])].map((row) => row.map(String));
    const widths = headers.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
    const numeric = headers.map((_, i) => rows.length > 0 && rows.every((row) => typeof row[i] === "number"));
    const line = (row: string[]) =>
        row
            .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    const rule = widths.map((w) => "-".repeat(w)).join("  ");
    return (
        [
            line(all[0]),
            rule,
            ...all.slice(1, rows.length + 1).map(line),
            ...(footer ? [rule, line(all[all.length - 1])] : []),
        ].join("\n") + "\n"
    );
}
