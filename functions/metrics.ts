/**
 * Prometheus metrics of the functions: events by type and outcome, Jobs created, and
 * reconcile latency, on a registry of their own (served on GET /metrics).
 * The Grafana dashboard (dashboards/featherman.json) queries exactly these families.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Request, Response } from 'express';

/** FunctionsMetrics holds the registry and the three metric families. */
export interface FunctionsMetrics {
  registry: Registry;
  /** events counts handled events by handler, CloudEvent type and outcome (ok, invalid, unauthorized, error). */
  events: Counter<'handler' | 'type' | 'outcome'>;
  /** jobsCreated counts runner Jobs created by operation (AlreadyExists does not count). */
  jobsCreated: Counter<'operation'>;
  /** reconcileSeconds observes how long one reconcile of one resource took, by kind and outcome. */
  reconcileSeconds: Histogram<'kind' | 'outcome'>;
}

/** METRIC_FAMILIES names the families the functions export (the dashboard test reads it). */
export const METRIC_FAMILIES = {
  events: 'featherman_events_total',
  jobsCreated: 'featherman_jobs_created_total',
  reconcileSeconds: 'featherman_reconcile_duration_seconds',
} as const;

/** createFunctionsMetrics builds a fresh registry with the three families; withDefaults adds process metrics (no I/O). */
export function createFunctionsMetrics(withDefaults = false): FunctionsMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    events: new Counter({ name: METRIC_FAMILIES.events, help: 'Events handled by the functions, by handler, type and outcome.', labelNames: ['handler', 'type', 'outcome'], registers: [registry] }),
    jobsCreated: new Counter({ name: METRIC_FAMILIES.jobsCreated, help: 'Runner Jobs created, by operation.', labelNames: ['operation'], registers: [registry] }),
    reconcileSeconds: new Histogram({
      name: METRIC_FAMILIES.reconcileSeconds,
      help: 'Time to reconcile one resource, by kind and outcome.',
      labelNames: ['kind', 'outcome'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

/** metricsRoute returns an express handler that answers the registry in the Prometheus text format. */
export function metricsRoute(registry: Registry): (request: Request, response: Response) => Promise<void> {
  return async (_request, response) => {
    response.setHeader('Content-Type', registry.contentType);
    response.send(await registry.metrics());
  };
}
