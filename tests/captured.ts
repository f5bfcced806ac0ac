/** What a command printed when run in this process: its exit code and its stdout and stderr. */
export interface Captured {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs a command's main in this process, capturing what it prints (the specs of plan and fleet share it). */
export async function captured(run: () => Promise<number>): Promise<Captured> {
    const out = { stdout: "", stderr: "" };
    const writes = [process.stdout.write, process.stderr.write];
    process.stdout.write = ((text: string) => ((out.stdout += text), true)) as typeof process.stdout.write;
    process.stderr.write = ((text: string) => ((out.stderr += text), true)) as typeof process.stderr.write;
    try {
        return { code: await run(), ...out };
    } finally {
        [process.stdout.write, process.stderr.write] = writes;
        process.exitCode = undefined;
    }
}
