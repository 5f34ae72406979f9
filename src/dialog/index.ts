/** The dialog layer: RFC 3261 section 12 dialogs, their route sets and usages. */
export {
  DIALOG_STATE_CHANNEL,
  Dialog,
  DialogError,
  type DialogInit,
  type DialogState,
  type DialogStateEvent,
  dialogKey,
  TARGET_REFRESH_METHODS,
} from './dialog.js';
export { DialogTable } from './dialog-table.js';
export { isLooseRoute, type RequestTarget, stripForRequestUri, targetRequest } from './route-set.js';
