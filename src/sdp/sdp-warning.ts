/**
 * SIP Warning codes for session-description problems (RFC 3261 section 20.43, the 3xx range):
 * the reason a UAS gives in a Warning header of a 488 Not Acceptable Here (section 21.4.26).
 * The text is the RFC's; the UA adds the warn-agent (its host) when it writes the header.
 */
export type SdpWarningCode = 301 | 302 | 304 | 305 | 399;

export interface SdpWarning {
  code: SdpWarningCode;
  text: string;
}

const TEXT: Readonly<Record<SdpWarningCode, string>> = {
  301: 'Incompatible network address formats',
  302: 'Incompatible transport protocol',
  304: 'Media type not available',
  305: 'Incompatible media format',
  399: 'Miscellaneous warning',
};

export function sdpWarning(code: SdpWarningCode, detail?: string): SdpWarning {
  return { code, text: detail ? `${TEXT[code]}: ${detail}` : TEXT[code] };
}
