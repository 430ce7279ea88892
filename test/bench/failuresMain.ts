import { NatsServer } from '../support/natsServer';
import { benchFailures, failuresTitle } from './failuresBench';
import { report } from './stats';

/** The failures part of `npm run bench` alone, on its own nats-server: `npm run bench:failures`. */
async function main(): Promise<void> {
  const server = await NatsServer.start();
  try {
    const ok = report(failuresTitle(), await benchFailures(server));
    console.log(ok ? '\nall targets met' : '\nsome targets missed');
    process.exitCode = ok ? 0 : 1;
  } finally {
    await server.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
