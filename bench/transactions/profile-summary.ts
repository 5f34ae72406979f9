/** The layers of the auto-answer UAS that bench/transactions' profile reports (common/cpu-profile.ts). */
import type { LayerTable } from '../common/cpu-profile.js';

export const UAS_LAYERS: LayerTable = [
  [/\/src\/sip\//, 'sip (parser, headers, serializer)'],
  [/\/src\/transport\//, 'transport'],
  [/\/src\/transaction\//, 'transaction'],
  [/\/src\/dialog\//, 'dialog'],
  [/\/src\/ua\//, 'ua (UserAgent, Call)'],
  [/\/src\/sdp\//, 'sdp (offer/answer)'],
  [/\/src\/roles\//, 'role (autoanswer)'],
  [/\/src\/util\//, 'util (clock, ids, emitter)'],
];
