/**
 * The functions process: builds the app from the environment and listens on $PORT
 * (Knative sets it; default 8080). KUBECONFIG or the in-cluster config reaches the API.
 * Side effects: a listening port, a `functions ready` log line with the time since the process started.
 */
import type { AddressInfo } from 'node:net';
import { createLogger } from '../runner/log.ts';
import { createFunctionsApp } from './handlers/app.ts';

const log = createLogger({ component: 'functions' });
const app = createFunctionsApp({ log });
const port = Number(process.env.PORT ?? 8080);
const server = app.listen(port, process.env.HOST ?? '0.0.0.0', () => {
  const address = server.address() as AddressInfo;
  log.info({ port: address.port, startupMs: Math.round(performance.now()), handler: process.env.FEATHERMAN_HANDLER ?? 'all' }, 'functions ready');
});

function stop(): void {
  server.close(() => {
    void app.closeFunctions().finally(() => process.exit(0));
  });
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
