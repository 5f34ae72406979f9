/**
 * The base of every error Switchboard throws on purpose. Each carries a stable `code`
 * (`ERR_SIP_TIMEOUT`, `ERR_CONFIG`, ...) that callers switch on, in the style of Node and undici;
 * messages are for humans and may change.
 */
export class SwitchboardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A bad configuration value or command-line argument; `field` names it for the one-line message. */
export class ConfigError extends SwitchboardError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('ERR_CONFIG', `${field}: ${message}`);
  }
}

/** Returns the message of anything thrown, for log lines. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
