/**
 * The `location` table's columns and the mapping between rows and Bindings, shared by the SQLite
 * and PostgreSQL backends so that both keep exactly the same fields. Numbers may come back as
 * strings (PostgreSQL BIGINT through pg) and are converted here.
 */
import type { TransportProtocol } from '../sip/index.js';
import type { Binding } from './binding.js';

/** Column order of INSERTs; the same names exist in both schemas. */
export const BINDING_COLUMNS = [
  'aor',
  'contact',
  'contact_key',
  'expires_at',
  'q',
  'call_id',
  'cseq',
  'instance_id',
  'reg_id',
  'path',
  'flow_transport',
  'flow_local_address',
  'flow_local_port',
  'flow_remote_address',
  'flow_remote_port',
  'flow_connection_id',
  'user_agent',
  'contact_params',
  'updated_at',
] as const;

type Cell = string | number | bigint | null;
export type BindingRow = { readonly [K in (typeof BINDING_COLUMNS)[number]]: Cell };

const TRANSPORTS: readonly string[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

function num(v: Cell): number {
  return typeof v === 'number' ? v : Number(v);
}

function numOrNull(v: Cell): number | null {
  return v === null ? null : num(v);
}

function strOrNull(v: Cell): string | null {
  return v === null ? null : String(v);
}

/** Parameters for an INSERT, in BINDING_COLUMNS order. */
export function bindingValues(b: Binding): (string | number | null)[] {
  const f = b.flow;
  return [
    b.aor,
    b.contact,
    b.contactKey,
    b.expiresAt,
    b.q,
    b.callId,
    b.cseq,
    b.instanceId,
    b.regId,
    JSON.stringify(b.path),
    f ? f.transport : null,
    f ? f.localAddress : null,
    f ? f.localPort : null,
    f ? f.remoteAddress : null,
    f ? f.remotePort : null,
    f && f.connectionId !== undefined ? f.connectionId : null,
    b.userAgent,
    b.contactParams,
    b.updatedAt,
  ];
}

function parsePath(v: Cell): string[] {
  if (v === null) return [];
  const parsed: unknown = JSON.parse(String(v));
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}

export function rowToBinding(r: BindingRow): Binding {
  const transport = strOrNull(r.flow_transport);
  const flow =
    transport !== null && TRANSPORTS.includes(transport)
      ? {
          transport: transport as TransportProtocol,
          localAddress: String(r.flow_local_address ?? ''),
          localPort: num(r.flow_local_port ?? 0),
          remoteAddress: String(r.flow_remote_address ?? ''),
          remotePort: num(r.flow_remote_port ?? 0),
          connectionId: r.flow_connection_id === null ? undefined : num(r.flow_connection_id),
        }
      : null;
  return {
    aor: String(r.aor),
    contact: String(r.contact),
    contactKey: String(r.contact_key),
    expiresAt: num(r.expires_at),
    q: numOrNull(r.q),
    callId: String(r.call_id),
    cseq: num(r.cseq),
    instanceId: strOrNull(r.instance_id),
    regId: numOrNull(r.reg_id),
    path: parsePath(r.path),
    flow,
    userAgent: strOrNull(r.user_agent),
    contactParams: strOrNull(r.contact_params),
    updatedAt: num(r.updated_at),
  };
}
