/**
 * The reconcile-catalog function: an ApiServerSource event about a DuckLakeCatalog → read it fresh,
 * decide, apply, patch its status once. Side effects: through handleResourceEvent.
 */
import type { Answer, HandlerDeps, IncomingRequest } from './deps.ts';
import { handleResourceEvent } from './resource-event.ts';

/** reconcileCatalogHandler handles one event for a DuckLakeCatalog. */
export function reconcileCatalogHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  return handleResourceEvent(deps, 'DuckLakeCatalog', request);
}
