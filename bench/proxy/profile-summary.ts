/** The layers of the Switchboard server that bench/proxy's profile reports (common/cpu-profile.ts). */
import type { LayerTable } from '../common/cpu-profile.js';

export const PROXY_LAYERS: LayerTable = [
  [/\/src\/sip\//, 'sip (parser, headers, serializer)'],
  [/\/src\/transport\//, 'transport'],
  [/\/src\/transaction\//, 'transaction'],
  [/\/src\/roles\/proxy\//, 'proxy'],
  [/\/src\/roles\/registrar\//, 'registrar'],
  [/\/src\/roles\/server\//, 'server (dispatcher)'],
  [/\/src\/store\//, 'store (location, users)'],
  [/\/src\/auth\//, 'auth (digest)'],
  [/\/src\/util\//, 'util (clock, ids, emitter)'],
  [/\/src\//, 'src (other)'],
];
