/** The input and output a command uses, injected so that tests can run commands in-process. */
export interface CommandIO {
  stdout(line: string): void;
  stderr(line: string): void;
  readStdin(): Promise<Buffer>;
}

export const processIO: CommandIO = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};
