/**
 * Running the servers: `startServer` (a proxy, a registrar, or both on one port, in-process, for
 * the CLI, tests and benchmarks), the configuration file schema with its one-line errors, and
 * the dispatcher that puts the registrar in front of the proxy. Other code imports only from here.
 */
export {
  parseServerConfig,
  type ServerConfig,
  ServerConfigError,
  type ServerConfigInput,
  serverConfigSchema,
} from './config-schema.js';
export { endpointText, LISTEN_SPEC_PATTERN, type ListenObject, parseListenText, toListenSpec } from './listen-spec.js';
export {
  applyFlags,
  loadServerConfig,
  readConfigDocument,
  type ServerFlags,
  startOptionsFromConfig,
} from './server-config.js';
export { ServerDispatcher } from './server-dispatcher.js';
export {
  type ProxyTuning,
  type RegistrarTuning,
  type RunningServer,
  type ServerAuthOptions,
  type ServerRole,
  type StartServerOptions,
  startServer,
} from './start-server.js';
