/**
 * The media layer: RTP/RTCP sessions over UDP (RFC 3550), G.711, RFC 4733 DTMF, jitter buffer,
 * tone generation and detection, WAV files, the conference bridge, and the MediaSession the UA
 * consumes. Imports util and sdp only; never SIP code.
 */
export {
  type AudioSink,
  type AudioSource,
  type BridgePort,
  dbfsToAmplitude,
  FRAME_MS,
  FRAME_SAMPLES,
  rmsToDbfs,
  SAMPLE_RATE,
} from './audio-port.js';
export {
  type AddPortOptions,
  BridgeError,
  ConferenceBridge,
  localAudioPort,
  type Slot,
} from './conference-bridge.js';
export { createMediaSession } from './create-media-session.js';
export {
  DtmfDigitError,
  type DtmfDigitEvent,
  DtmfReceiver,
  DtmfSender,
  type DtmfSenderOptions,
  dtmfDigit,
  dtmfEventCode,
} from './dtmf.js';
export { Fft } from './fft.js';
export {
  FrameTicker,
  type FrameTickerOptions,
  type FrameTickerStats,
  type TickParticipant,
} from './frame-ticker.js';
export {
  A_LAW_DECODE,
  A_LAW_ENCODE,
  decodeTable,
  encodeTable,
  type G711Law,
  g711Decode,
  g711Encode,
  g711Silence,
  MU_LAW_DECODE,
  MU_LAW_ENCODE,
} from './g711.js';
export {
  JitterBuffer,
  type JitterBufferOptions,
  type JitterBufferState,
  type JitterBufferStats,
  type PlayoutResult,
} from './jitter-buffer.js';
export {
  CHANNEL_MEDIA_NEGOTIATED,
  CHANNEL_MEDIA_RTCP,
  CHANNEL_MEDIA_RTP,
  CHANNEL_MEDIA_STATE,
  type MediaEndpoint,
  type MediaNegotiatedEvent,
  type MediaPacketEvent,
  type MediaStateEvent,
} from './media-channels.js';
export type {
  MediaSession,
  MediaSessionEvents,
  MediaSessionState,
  MediaStats,
  OfferOptions,
  ReceiveAnswerResult,
  ReceiveOfferResult,
  RemoteReport,
} from './media-session.js';
export type { MediaSessionOptions } from './media-session-options.js';
export { PhoneAudio, type PhoneAudioMode, type PhoneAudioOptions } from './phone-audio.js';
export {
  ntpFromWallMs,
  ntpMiddle32,
  parseRtcpCompound,
  type RtcpPacket,
  type RtcpReportBlock,
  type RtcpSenderInfo,
  writeBye,
  writeReceiverReport,
  writeSdesCname,
  writeSenderReport,
} from './rtcp-packet.js';
export { newRtpHeader, parseRtpHeader, RTP_HEADER_SIZE, type RtpHeader, writeRtpHeader } from './rtp-packet.js';
export { type ReceptionReport, RtpReceiverStats } from './rtp-receiver-stats.js';
export { bindRtpSocketPair, RtpPortError, type RtpSocketPair } from './rtp-socket.js';
export { type SpectralPeak, ToneDetector, type ToneDetectorOptions, type ToneReading } from './tone-detector.js';
export { SilenceSource, type ToneComponent, ToneSource, type ToneSourceOptions } from './tone-source.js';
export { type Listener, TypedEvents } from './typed-events.js';
export { encodeWav, monoSamples, parseWav, type WavAudio, type WavFormat, WavFormatError } from './wav-file.js';
export { WavPlayer, type WavPlayerOptions } from './wav-player.js';
export { WavRecorder } from './wav-recorder.js';
