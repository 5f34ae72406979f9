/**
 * The SDP bodies of the RFC 5118 IPv6 torture messages (sections 4.6 and 4.11), read by path from
 * the shared conformance corpus (never copied into the project): everything after the empty line
 * that ends the SIP header section.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformanceDir } from '../helpers/paths.js';

export function rfc5118Body(name: 'ipv6-in-sdp' | 'mult-ip-in-sdp'): string {
  const text = readFileSync(join(conformanceDir(), 'rfc5118', `${name}.dat`), 'latin1');
  const at = text.indexOf('\r\n\r\n');
  if (at < 0) throw new Error(`${name}.dat has no header/body separator`);
  return text.slice(at + 4);
}
