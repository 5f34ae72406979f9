/** The util layer: clock, identifiers, errors, logging. Imports nothing from other layers. */
export { type Clock, RealClock, type TimerHandle, VirtualClock } from './clock.js';
export { Emitter, type EventMap } from './emitter.js';
export { ConfigError, errorMessage, SwitchboardError } from './errors.js';
export { MAGIC_COOKIE, newBranch, newCallId, newTag, randomToken } from './ids.js';
export { JsonLogger, type LineSink, type LogFields, type Logger, type LogLevel, nullLogger } from './logger.js';
