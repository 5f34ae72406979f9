/**
 * Real SIP phones for the interop tests (../shared/peers/README.md): baresip over ctrl_tcp,
 * linphonec over stdin/stdout, each in its own temp directory on probed loopback ports; tone WAV
 * files and the analysis of what they recorded; a SIP trace of the Switchboard side.
 */
export {
  type AudioWindow,
  analyseSamples,
  describeWindows,
  hearsExactly,
  longestRunS,
  readRecording,
  recordingHolds,
  writeToneWav,
} from './audio.js';
export { BARESIP_PACKAGE, Baresip, type BaresipEvent, type BaresipOptions, type BaresipResponse } from './baresip.js';
export { LINPHONE_PACKAGE, Linphonec, type LinphonecOptions } from './linphonec.js';
export { clock, findBinary, INSTALL_HINT, PeerGroup, PeerProcess, sleep, until, within } from './peer-process.js';
export { SipTrace, sdpDirection, type TracedMessage } from './sip-trace.js';
