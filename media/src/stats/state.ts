/** What the dashboard page keeps across reloads (`getState`/`setState`), checked when read back. */
import { StatsGroupBys, StatsRangePresets, type StatsViewState } from '../../../client/src/webview/messages';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

export function isStatsState(value: unknown): value is StatsViewState {
  if (!isRecord(value)) return false;
  const showAll = value.showAll;
  if (!isRecord(showAll) || typeof showAll.workers !== 'boolean' || typeof showAll.queues !== 'boolean') return false;
  if (value.preset !== undefined && !(StatsRangePresets as readonly unknown[]).includes(value.preset)) return false;
  if (value.groupBy !== undefined && !(StatsGroupBys as readonly unknown[]).includes(value.groupBy)) return false;
  const custom = value.custom;
  if (custom !== undefined && custom !== null && !(isRecord(custom) && Number.isSafeInteger(custom.from) && Number.isSafeInteger(custom.to))) return false;
  return true;
}

export function initialState(saved: StatsViewState | undefined): Required<StatsViewState> {
  return {
    showAll: saved?.showAll ?? { workers: false, queues: false },
    preset: saved?.preset ?? '1h',
    custom: saved?.custom ?? null,
    groupBy: saved?.groupBy ?? 'queue',
  };
}
