/**
 * The reconcile-query function: an ApiServerSource event about a DuckLakeQuery → read it fresh,
 * decide, apply, patch its status once. Side effects: through handleResourceEvent.
 */
import type { Answer, HandlerDeps, IncomingRequest } from './deps.ts';
import { handleResourceEvent } from './resource-event.ts';

/** reconcileQueryHandler handles one event for a DuckLakeQuery. */
export function reconcileQueryHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  return handleResourceEvent(deps, 'DuckLakeQuery', request);
}
