/**
 * The dialogs of one UA, indexed by dialog id (Call-ID, local tag, remote tag) so that requests
 * within a dialog find it (section 12.2.2), and by (Call-ID, local tag) so that forked provisional
 * and 2xx responses to one INVITE find their early dialogs (section 12.1.2; section 13.2.2.4: each
 * 2xx with a new To tag creates a dialog of its own).
 */
import type { IncomingRequest, IncomingResponse } from '../sip/index.js';
import { type Dialog, dialogKey } from './dialog.js';

export class DialogTable {
  private readonly byId = new Map<string, Dialog>();

  get size(): number {
    return this.byId.size;
  }

  add(dialog: Dialog): void {
    this.byId.set(dialog.id, dialog);
    dialog.onTerminated((d) => {
      if (this.byId.get(d.id) === d) this.byId.delete(d.id);
    });
  }

  get(callId: string, localTag: string, remoteTag: string): Dialog | undefined {
    return this.byId.get(dialogKey(callId, localTag, remoteTag));
  }

  /** The dialog an incoming request belongs to: its To tag is our tag, its From tag theirs. */
  forRequest(request: IncomingRequest): Dialog | undefined {
    const toTag = request.toTag;
    const fromTag = request.fromTag;
    if (toTag === undefined || fromTag === undefined) return undefined;
    return this.get(request.callId, toTag, fromTag);
  }

  /** The dialog a response to a request we sent belongs to: From tag ours, To tag theirs. */
  forResponse(response: IncomingResponse): Dialog | undefined {
    const toTag = response.toTag;
    const fromTag = response.fromTag;
    if (toTag === undefined || fromTag === undefined) return undefined;
    return this.get(response.callId, fromTag, toTag);
  }

  /** Every dialog of one dialog-creating request (early dialogs of each fork). */
  ofCall(callId: string, localTag: string): Dialog[] {
    return [...this.byId.values()].filter((d) => d.callId === callId && d.localTag === localTag);
  }

  all(): Dialog[] {
    return [...this.byId.values()];
  }
}
