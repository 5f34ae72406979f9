/** Waiting for the signal that stops a long-running command (SIGINT from a terminal, SIGTERM from a supervisor). */

/** Resolves with the name of the first of SIGINT or SIGTERM to arrive; both handlers are then removed. */
export function signalled(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.once('SIGINT', onInt);
    process.once('SIGTERM', onTerm);
  });
}
