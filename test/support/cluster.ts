import { connect, JetStreamManager, NatsConnection } from 'nats';
import { freePort, NatsServer } from './natsServer';
import { withTimeout } from '../../server/src/util/timeout';

/**
 * A nats-server cluster with JetStream on loopback: every node its own client port, cluster port,
 * store directory and `server_name`, each routing to all the others. Nodes can be killed and started
 * again (same ports, same store) to move stream leadership around.
 */

export interface ClusterNode {
  /** The node's `server_name`: what stream info reports as `cluster.leader` and `replicas[].name`. */
  readonly name: string;
  readonly clientPort: number;
  readonly clusterPort: number;
  readonly server: NatsServer;
}

export interface NatsClusterOptions {
  size?: number;
  /** The cluster's name (`cluster { name }`). */
  name?: string;
  /** Extra configuration lines for every node. */
  config?: string;
}

function nodeConfig(name: string, clusterName: string, clusterPort: number, routes: number[], extra: string): string {
  return [
    `server_name: ${name}`,
    'cluster {',
    `  name: ${clusterName}`,
    `  listen: 127.0.0.1:${clusterPort}`,
    `  routes: [${routes.map((port) => `nats-route://127.0.0.1:${port}`).join(', ')}]`,
    '}',
    extra,
  ].join('\n');
}


export class NatsCluster {
  private constructor(readonly nodes: readonly ClusterNode[]) {}

  /** Starts every node; resolves once JetStream has a meta leader and answers account info. */
  static async start(options: NatsClusterOptions = {}): Promise<NatsCluster> {
    const size = options.size ?? 3;
    const clusterName = options.name ?? 'naq-test';
    const clientPorts: number[] = [];
    const clusterPorts: number[] = [];
    // Ports are taken one by one and held by nothing in between: make sure none repeats.
    while (clientPorts.length < size || clusterPorts.length < size) {
      const port = await freePort();
      if (clientPorts.includes(port) || clusterPorts.includes(port)) continue;
      if (clientPorts.length < size) clientPorts.push(port);
      else clusterPorts.push(port);
    }
    const nodes: ClusterNode[] = [];
    try {
      // Started together: a lone node of a JetStream cluster waits for its peers before it is ready.
      const started = await Promise.all(
        clientPorts.map(async (clientPort, i) => {
          const name = `n${i + 1}`;
          const clusterPort = clusterPorts[i] as number;
          const routes = clusterPorts.filter((_, j) => j !== i);
          const server = await NatsServer.start({ port: clientPort, config: nodeConfig(name, clusterName, clusterPort, routes, options.config ?? '') });
          return { name, clientPort, clusterPort, server };
        }),
      );
      nodes.push(...started);
    } catch (error) {
      await Promise.all(nodes.map((node) => node.server.dispose()));
      throw error;
    }
    const cluster = new NatsCluster(nodes);
    try {
      await cluster.waitForJetStream();
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** Every node's client URL, comma-separated: what `naq.serverUrl` takes. */
  get serverList(): string {
    return this.nodes.map((node) => node.server.url).join(',');
  }

  node(name: string): ClusterNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no cluster node named ${JSON.stringify(name)} (nodes: ${this.nodes.map((n) => n.name).join(', ')})`);
    return node;
  }

  others(name: string): ClusterNode[] {
    return this.nodes.filter((n) => n.name !== name);
  }

  /** Waits until JetStream answers through every node in `nodes` (default all): a meta leader exists. */
  async waitForJetStream(nodes: readonly ClusterNode[] = this.nodes, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (const node of nodes) {
      let last: unknown;
      for (;;) {
        let nc: NatsConnection | undefined;
        try {
          nc = await withTimeout(connect({ servers: node.server.url, timeout: 2_000, reconnect: false }), 3_000, 'connect');
          const jsm = await withTimeout(nc.jetstreamManager({ timeout: 2_000 }), 3_000, 'jetstream manager');
          await withTimeout(jsm.getAccountInfo(), 3_000, 'account info');
          break;
        } catch (error) {
          last = error;
          if (Date.now() > until) throw new Error(`JetStream not available through ${node.name} within ${timeoutMs} ms: ${(last as Error).message}`);
          await new Promise((r) => setTimeout(r, 200));
        } finally {
          await nc?.close().catch(() => undefined);
        }
      }
    }
  }

  /** The node leading `stream` now (polls: right after a change there may be none for a while). */
  async streamLeader(jsm: JetStreamManager, stream: string, timeoutMs = 20_000, not?: string): Promise<ClusterNode> {
    const until = Date.now() + timeoutMs;
    let seen = 'nothing';
    for (;;) {
      try {
        const info = await withTimeout(jsm.streams.info(stream), 5_000, 'stream info');
        const leader = info.cluster?.leader;
        seen = leader ?? 'no leader';
        if (leader !== undefined && leader !== '' && leader !== not) return this.node(leader);
      } catch (error) {
        seen = (error as Error).message;
      }
      if (Date.now() > until) throw new Error(`no leader for stream ${stream}${not ? ` other than ${not}` : ''} within ${timeoutMs} ms (last: ${seen})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /**
   * Waits until `stream` has a leader and every other replica is current (a restarted node has caught up).
   * `jsm` must be connected through a node that stays up.
   */
  async waitForStreamCurrent(jsm: JetStreamManager, stream: string, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let seen = 'nothing';
    for (;;) {
      try {
        const info = await withTimeout(jsm.streams.info(stream), 5_000, 'stream info');
        const replicas = info.cluster?.replicas ?? [];
        seen = JSON.stringify(info.cluster);
        if (info.cluster?.leader && replicas.length === this.nodes.length - 1 && replicas.every((r) => r.current && !r.offline)) return;
      } catch (error) {
        seen = (error as Error).message;
      }
      if (Date.now() > until) throw new Error(`stream ${stream} not fully replicated within ${timeoutMs} ms (last: ${seen})`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops every node and removes the stores. */
  async dispose(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.server.dispose()));
  }
}
