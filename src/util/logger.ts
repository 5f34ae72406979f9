/**
 * Structured logging. Layers take a Logger by injection; the default is silent. Fields such as
 * callId, branch and dialog go on every line (child loggers carry them) so a log can be filtered
 * by call. The JSON-lines format is what pino and the ELK/Loki pipelines expect.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

class NullLogger implements Logger {
  debug(): void {}
  info(): void {}
  warn(): void {}
  error(): void {}
  child(): Logger {
    return this;
  }
}

/** A logger that writes nothing. */
export const nullLogger: Logger = new NullLogger();

export interface LineSink {
  write(line: string): unknown;
}

/** Writes one JSON object per line: {"level","time","msg",...fields}. */
export class JsonLogger implements Logger {
  constructor(
    private readonly sink: LineSink,
    private readonly level: LogLevel = 'info',
    private readonly fields: LogFields = {},
    private readonly time: () => number = Date.now,
  ) {}

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  child(fields: LogFields): Logger {
    return new JsonLogger(this.sink, this.level, { ...this.fields, ...fields }, this.time);
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    const record = { level, time: new Date(this.time()).toISOString(), msg, ...this.fields, ...fields };
    this.sink.write(`${JSON.stringify(record, replacer)}\n`);
  }
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === 'bigint') return value.toString();
  return value;
}
