/**
 * "Did you mean ...?" for names people type: the closest known name by edit distance, as
 * commander suggests subcommands and options (its `suggestSimilar.js`: Damerau-Levenshtein, at most
 * 40% of the name's length). Used for config namespaces, stack names and the CLIs' subcommands.
 */

/** The optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
    const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/** The known names closest to `word`, if any is within 40% of its length (commander's threshold). */
export function closest(word: string, known: readonly string[]): string[] {
    let best = Number.POSITIVE_INFINITY;
    let names: string[] = [];
    for (const name of known) {
        if (name.length <= 1) continue;
        const distance = editDistance(word, name);
        if (distance > Math.max(1, Math.floor(word.length * 0.4))) continue;
        if (distance < best) [best, names] = [distance, [name]];
        else if (distance === best) names.push(name);
    }
    return names.sort();
}

/** " (Did you mean x?)" or "", as commander words it. */
export function didYouMean(word: string, known: readonly string[]): string {
    const names = closest(word, known);
    return names.length === 0 ? "" : ` Did you mean ${names.join(" or ")}?`;
}
