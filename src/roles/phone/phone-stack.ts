/**
 * What a phone is made of, built from its settings: the SIP transport and transaction layer
 * (RFC 3261 timers from the settings), the UserAgent (the address of record user@domain, or
 * user@<our address:port> for peer-to-peer use; the proxies in failover order; the digest
 * account; a MediaSession bound per call), and the local audio device on one FrameTicker shared
 * by every call's RTP and the PhoneAudio bridge.
 */
import { type AudioSource, createMediaSession, FrameTicker, PhoneAudio, type ToneReading } from '../../media/index.js';
import { NameAddr, parseUri, SipUri } from '../../sip/index.js';
import { TransactionLayer } from '../../transaction/index.js';
import { bracketHost, TransportManager } from '../../transport/index.js';
import { type SessionMedia, UserAgent } from '../../ua/index.js';
import type { Clock } from '../../util/clock.js';
import { errorMessage } from '../../util/errors.js';
import type { Logger } from '../../util/logger.js';
import { DigestAuthenticator } from './digest-authenticator.js';
import type { PhoneConfig } from './phone-config.js';
import { openAudioSource, PhoneSpeaker } from './phone-device.js';
import { PhoneError } from './phone-results.js';
import { PhoneSessionMedia } from './session-media.js';

export interface PhoneStack {
  readonly transport: TransportManager;
  readonly transactions: TransactionLayer;
  readonly ua: UserAgent;
  readonly audio: PhoneAudio;
  readonly speaker: PhoneSpeaker;
  /** The microphone as opened from the settings. */
  readonly source: AudioSource;
}

export async function openPhoneStack(
  config: PhoneConfig,
  clock: Clock,
  logger: Logger,
  hooks: { readonly config: () => PhoneConfig; readonly onSpeakerChange: (r: ToneReading) => void },
): Promise<PhoneStack> {
  const source = await openAudioSource(config.audio.source).catch((err: unknown) => {
    throw new PhoneError('ERR_PHONE_START', `audio.source: ${errorMessage(err)}`, { cause: err });
  });
  const transport = new TransportManager({
    listen: [{ transport: config.transport, host: config.host, port: config.port }],
    clock,
    logger,
  });
  try {
    await transport.start();
  } catch (err) {
    throw new PhoneError('ERR_PHONE_START', `cannot listen on ${config.host}:${config.port}: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const transactions = new TransactionLayer({
    transport,
    clock,
    logger,
    timers: { T1: config.timers.t1, T2: config.timers.t2, T4: config.timers.t4 },
  });
  const ticker = new FrameTicker({ clock, onError: (err) => logger.error('media tick failed', { error: err }) });
  const ua = createPhoneUa(config, transactions, clock, logger, async () => {
    // Settings changed by reconfigure() (hold style, codecs) apply to the next call.
    const c = hooks.config();
    const session = await createMediaSession({
      localAddress: c.rtp.address,
      ...(c.rtp.portMin !== undefined && c.rtp.portMax !== undefined
        ? { portRange: { min: c.rtp.portMin, max: c.rtp.portMax } }
        : {}),
      codecs: c.codecs,
      holdStyle: c.holdStyle,
      ticker,
      clock,
      logger,
    });
    return new PhoneSessionMedia(session);
  });
  const speaker = new PhoneSpeaker(hooks.onSpeakerChange, config.audio.record !== undefined);
  const audio = new PhoneAudio({ ticker, microphone: source, speaker });
  return { transport, transactions, ua, audio, speaker, source };
}

function createPhoneUa(
  config: PhoneConfig,
  transactions: TransactionLayer,
  clock: Clock,
  logger: Logger,
  createMedia: () => Promise<SessionMedia>,
): UserAgent {
  const ep = transactions.transport.localEndpoint(config.transport) ?? transactions.transport.endpoints()[0];
  if (!ep) throw new Error('the phone transport has no listening endpoint');
  let aor: SipUri;
  if (config.domain !== undefined) {
    const domain = parseUri(`sip:${config.domain}`) as SipUri;
    aor = new SipUri({
      user: config.user,
      host: domain.host,
      ...(domain.port !== undefined ? { port: domain.port } : {}),
    });
  } else {
    aor = new SipUri({ user: config.user, host: bracketHost(ep.host), port: ep.port });
  }
  const identity = new NameAddr(aor, config.displayName !== undefined ? { displayName: config.displayName } : {});
  const authenticator =
    config.password !== undefined
      ? new DigestAuthenticator(
          { username: config.authUser ?? config.user, password: config.password },
          { outboundProxyRealms: [] },
        )
      : undefined;
  return new UserAgent({
    transactions,
    identity,
    proxies: config.proxies,
    clock,
    logger,
    userAgent: config.userAgent,
    createMedia,
    ...(authenticator ? { authenticator } : {}),
  });
}
