import { readdirSync, readFileSync } from 'node:fs';
import { waitUntil } from './waits';

/**
 * Stopping code-server means stopping everything it started: its wrapper, the server, the extension
 * host, the file watcher and pty host. They share code-server's process group, except terminal
 * shells, which node-pty starts in a session of their own; those are found through the parent links.
 * Linux only (reads /proc), like the CI machines.
 */

interface ProcessInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  /** 'Z' for a zombie: it has exited and only waits to be reaped, so it counts as stopped. */
  state: string;
}

function readProcesses(): ProcessInfo[] {
  const result: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited while we were reading
    }
    // The command name is in parentheses and may itself contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    result.push({ pid: Number(entry), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) });
  }
  return result;
}

/**
 * The leader, the members of its process group and all their descendants. `withLeader: false`
 * leaves out the leader's own pid (and so its children): once the leader has exited, that pid may
 * be another process's.
 */
export function processTree(leader: number, withLeader = true): number[] {
  const all = readProcesses();
  const members = all.filter((p) => p.pgrp === leader && p.pid !== leader).map((p) => p.pid);
  const found = new Set<number>(withLeader ? [leader, ...members] : members);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  return [...found];
}

function living(pids: number[]): number[] {
  const alive = new Set(readProcesses().filter((p) => p.state !== 'Z').map((p) => p.pid));
  return pids.filter((pid) => alive.has(pid));
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Sends SIGTERM to the whole tree, then SIGKILL to what is left after `graceMs`; resolves when all are gone. */
export async function stopProcessTree(leader: number, graceMs = 10_000): Promise<void> {
  // Taken once, before anything exits: orphans are re-parented and could no longer be found.
  const pids = processTree(leader);
  signalAll(pids, 'SIGTERM');
  try {
    await waitUntil(() => living(pids).length === 0, { timeoutMs: graceMs, what: `process tree of ${leader} to exit on SIGTERM` });
  } catch {
    signalAll(living(pids), 'SIGKILL');
    await waitUntil(() => living(pids).length === 0, { timeoutMs: 5_000, what: `process tree of ${leader} to exit on SIGKILL` });
  }
  // A process started while the others were stopping (code-server launching an extension host as
  // it shuts down) is not in the snapshot, and would wait for its server for hours; it is still in
  // the leader's process group.
  const late = living(processTree(leader, false));
  if (late.length > 0) {
    signalAll(late, 'SIGKILL');
    await waitUntil(() => living(late).length === 0, { timeoutMs: 5_000, what: `late members of process group ${leader} to exit on SIGKILL` });
  }
}

/**
 * Kills the tree if this Node process ends first (a test runner timeout, Ctrl-C): code-server runs
 * in its own process group, so nothing else would stop it. Returns the function that unregisters this.
 */
export function killTreeOnExit(leader: number): () => void {
  const onExit = (): void => signalAll(processTree(leader), 'SIGKILL');
  const onSignal = (signal: NodeJS.Signals): void => {
    onExit();
    unregister();
    // Let the signal do what it would have done without this handler.
    process.kill(process.pid, signal);
  };
  const unregister = (): void => {
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return unregister;
}
