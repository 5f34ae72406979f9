/**
 * The MediaSession factory: binds the RTP/RTCP socket pair, then builds the session on the given
 * ticker (or a private one on the given clock). Async because binding is.
 */
import { FrameTicker } from './frame-ticker.js';
import type { MediaSession } from './media-session.js';
import { type MediaSessionOptions, resolveMediaSessionOptions } from './media-session-options.js';
import { RtpMediaSession } from './rtp-media-session.js';
import { bindRtpSocketPair } from './rtp-socket.js';

export async function createMediaSession(options: MediaSessionOptions = {}): Promise<MediaSession> {
  const resolved = resolveMediaSessionOptions(options);
  const sockets = await bindRtpSocketPair({
    address: resolved.localAddress,
    ...(resolved.portRange ? { portRange: resolved.portRange } : {}),
  });
  const ticker =
    options.ticker ??
    new FrameTicker({
      clock: resolved.clock,
      onError: (err) => resolved.logger.error('media tick failed', { error: err }),
    });
  const session = new RtpMediaSession(sockets, ticker, resolved);
  session.announce();
  return session;
}
