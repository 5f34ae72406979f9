/**
 * Types for the third-party digest implementations the interop tests run against (devDependencies
 * without declarations of their own): JsSIP's DigestAuthentication, and the node `sip` package's
 * parser and digest module (kirm/sip.js).
 */
declare module 'jssip/lib/DigestAuthentication.js' {
  export interface JssipChallenge {
    algorithm?: string;
    realm: string;
    nonce: string;
    opaque?: string;
    stale?: boolean;
    qop?: string | readonly string[];
  }
  export default class DigestAuthentication {
    constructor(credentials: { username: string; password?: string; ha1?: string; realm?: string });
    authenticate(
      request: { method: string; ruri: string; body?: string },
      challenge: JssipChallenge,
      cnonce?: string | null,
    ): boolean;
    toString(): string;
  }
}

declare module 'sip/sip.js' {
  export interface NodeSipMessage {
    method?: string;
    uri?: unknown;
    status?: number;
    headers: Record<string, unknown>;
    content?: string;
  }
  export function parse(text: string): NodeSipMessage;
  export function stringify(message: NodeSipMessage): string;
}

declare module 'sip/digest.js' {
  import type { NodeSipMessage } from 'sip/sip.js';
  export interface NodeSipDigestContext {
    realm?: string;
    nonce?: string;
    proxy?: boolean;
    nc?: number;
    qop?: string;
    cnonce?: string;
    [key: string]: unknown;
  }
  export function calculateUserRealmPasswordHash(user: string, realm: string, password: string): string;
  export function calculateDigest(ctx: {
    ha1: string;
    method: string;
    nonce: string;
    nc?: string;
    cnonce?: string;
    qop?: string;
    uri: string;
    entity?: string;
  }): string;
  export function authenticateRequest(
    ctx: NodeSipDigestContext,
    rq: NodeSipMessage,
    creds: { user: string; password: string },
  ): boolean;
  export function signRequest(
    ctx: NodeSipDigestContext,
    rq: NodeSipMessage,
    rs: NodeSipMessage,
    creds: { user: string; password: string; realm?: string },
  ): NodeSipDigestContext | null;
}
