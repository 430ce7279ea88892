import type { EventStorage } from '../../storage/eventStorage';
import type { CliArgs } from '../args';

export async function health(storage: EventStorage, args: CliArgs, print: (line: string) => void): Promise<void> {
  const report = await storage.health();
  if (args.values.json) {
    print(JSON.stringify(report, null, 2));
    return;
  }
  const s = report.stream;
  print(`${report.status}: nats-server ${report.server.version} at ${report.server.url}`);
  print(`stream ${s.name} (${s.subjects.join(', ')}): ${s.messages} messages, ${s.bytes} bytes, sequences ${s.firstSeq}..${s.lastSeq}`);
  print(`consumers on the stream: ${s.consumerCount}${report.consumers.length ? ` (${report.consumers.join(', ')})` : ''}`);
  print(`JetStream account: ${report.jetstream.streams} streams, ${report.jetstream.consumers} consumers, ${report.jetstream.storage} bytes stored`);
}
