/**
 * Runs a TypeScript program in a child Node process and kills it with SIGKILL the moment it
 * prints a line the caller is waiting for: the harness for "acknowledged means durable" tests
 * (a store resolved, the program said so, and nothing after that may be lost). The registrar's
 * end-to-end SIGKILL test can use it with its own program.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface KilledRun {
  /** Every stdout line up to and including the one that triggered the kill. */
  readonly lines: string[];
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Starts `node --import tsx <script> ...args`; SIGKILLs it on the first line where `until` is true. */
export function runUntilLine(
  script: string,
  args: readonly string[],
  until: (line: string) => boolean,
): Promise<KilledRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let killed = false;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => {
      stderr += d;
    });
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (line) => {
      if (killed) return;
      lines.push(line);
      if (until(line)) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (!killed) {
        reject(new Error(`child exited (code ${code}, signal ${signal}) before the awaited line; stderr: ${stderr}`));
        return;
      }
      resolve({ lines, signal, stderr });
    });
  });
}
