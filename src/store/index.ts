/**
 * The storage layer: the location service, user accounts and call-forwarding rules, each an
 * asynchronous interface with two implementations, SQLite (embedded, the default) and
 * PostgreSQL (shared by several instances). Layers above import only from here.
 */
export { normalizeAor, splitAor } from './aor.js';
export type {
  Binding,
  BindingFlow,
  BindingInput,
  ContactUpdate,
  LocationStats,
  RegisterGuard,
  RegisterOutcome,
  RegisterPlanView,
  RegisterRejection,
  RegisterUpdate,
} from './binding.js';
export { compareBindings, orderBindings, sameContact, sameInstance } from './binding-rules.js';
export { contactKey, contactsMatch } from './contact-key.js';
export {
  DuplicateUserError,
  InvalidAorError,
  InvalidRecordError,
  SchemaVersionError,
  StoreClosedError,
  StoreError,
  UnknownUserError,
} from './errors.js';
export {
  FORWARDING_KINDS,
  type ForwardingKind,
  type ForwardingRule,
  type ForwardingRuleInput,
  type ForwardingStore,
} from './forwarding-store.js';
export { computeAllHa1, HA1_HASHES, hashFor } from './ha1.js';
export type { LocationStore } from './location-store.js';
export { defaultDataDir, openStores, storeOptionsFrom } from './open-stores.js';
export { SQLITE_FILE_NAME } from './sqlite/open-sqlite.js';
export type { PostgresStoreOptions, SqliteStoreOptions, StoreOptions, Stores } from './stores.js';
export { checkDomain, checkUsername } from './user-rules.js';
export type { NewUser, UserAccount, UserStore } from './user-store.js';
