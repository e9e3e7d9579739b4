/**
 * The local API server as a command: `node --import tsx local/apiserver/main.ts
 * --data-dir X --port N` starts it and prints the kubeconfig path on stdout.
 */
import { parseArgs } from 'node:util';
import { startApiServer } from './server.ts';

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    port: { type: 'string', default: '0' },
    kubeconfig: { type: 'string' },
  },
});

const server = await startApiServer({
  dataDir: values['data-dir'],
  port: Number(values.port),
  kubeconfigPath: values.kubeconfig,
});
process.stdout.write(`${server.kubeconfigPath}\n`);

const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
