/**
 * The phone role: a scriptable SIP phone (Phone), its settings (parsePhoneConfig,
 * loadPhoneConfigFile), dial plan, events and command results, and the text command
 * interpreter the `switchboard phone` CLI and other drivers use.
 */
export { type CallRoute, CallRouter, type RouteOutcome } from './call-routing.js';
export { DialPlan, type DialPlanMatch, type DialRoute, type DialTemplate } from './dial-plan.js';
export { type DigestAccount, DigestAuthenticator } from './digest-authenticator.js';
export { type DialOptions, type DialResult, Phone, type PhoneOptions } from './phone.js';
export type { PhoneCall } from './phone-call.js';
export { COMMAND_HELP, type CommandOutcome, runPhoneCommand, splitWords } from './phone-commands.js';
export {
  type AudioSourceSetting,
  loadPhoneConfigFile,
  type PhoneConfig,
  type PhoneConfigInput,
  parsePhoneConfig,
  phoneConfigSchema,
} from './phone-config.js';
export { describeSource, type Hearing, openAudioSource, PhoneSpeaker } from './phone-device.js';
export type {
  CallEvent,
  CallSnapshot,
  PhoneCallState,
  PhoneEvent,
  PhoneEventName,
  PhoneEvents,
  RegistrationEventState,
  TransferPhase,
} from './phone-events.js';
export { formatEventText, formatOutcomeJson, formatOutcomeText } from './phone-format.js';
export { type ActionResult, PhoneError, type PhoneErrorCode } from './phone-results.js';
export { PhoneSessionMedia } from './session-media.js';
