/**
 * The reconcile-table function: an ApiServerSource event about a DuckLakeTable → read it fresh,
 * decide, apply, patch its status once. Side effects: through handleResourceEvent.
 */
import type { Answer, HandlerDeps, IncomingRequest } from './deps.ts';
import { handleResourceEvent } from './resource-event.ts';

/** reconcileTableHandler handles one event for a DuckLakeTable. */
export function reconcileTableHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  return handleResourceEvent(deps, 'DuckLakeTable', request);
}
