import { METRICS_MEASURES, MetricsGroupBy, MetricsMeasure, MetricsQuery } from '../protocol/metrics';

/** More points than a chart can show is a mistake in the step. */
export const MAX_POINTS = 20_000;

const GROUP_BYS: readonly MetricsGroupBy[] = ['none', 'queue', 'worker'];

export class MetricsParamsError extends TypeError {
  override name = 'MetricsParamsError';
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new MetricsParamsError(`metrics/query: ${field} must be a finite number of epoch seconds, got ${JSON.stringify(value)}`);
  return value;
}

/** A query as the wire may carry it, checked field by field; the error names the field and the rule. */
export function metricsQuery(params: unknown): MetricsQuery {
  if (typeof params !== 'object' || params === null) throw new MetricsParamsError('metrics/query: the parameters must be an object {from, to, step, groupBy, measures?}');
  const raw = params as Record<string, unknown>;
  const from = finite(raw.from, 'from');
  const to = finite(raw.to, 'to');
  if (to <= from) throw new MetricsParamsError(`metrics/query: to (${to}) must be after from (${from})`);
  const step = raw.step;
  if (typeof step !== 'number' || !Number.isFinite(step) || step < 1) throw new MetricsParamsError(`metrics/query: step must be a number of seconds, at least 1, got ${JSON.stringify(step)}`);
  if ((to - from) / step > MAX_POINTS) throw new MetricsParamsError(`metrics/query: step must give at most ${MAX_POINTS} points over the range, ${Math.ceil((to - from) / step)} asked for`);
  const groupBy = raw.groupBy ?? 'none';
  if (!GROUP_BYS.includes(groupBy as MetricsGroupBy)) throw new MetricsParamsError(`metrics/query: groupBy must be one of ${GROUP_BYS.join(', ')}, got ${JSON.stringify(groupBy)}`);
  const query: MetricsQuery = { from, to, step, groupBy: groupBy as MetricsGroupBy };
  if (raw.measures !== undefined) {
    if (!Array.isArray(raw.measures) || raw.measures.some((m) => !METRICS_MEASURES.includes(m as MetricsMeasure))) {
      throw new MetricsParamsError(`metrics/query: measures must be a list of ${METRICS_MEASURES.join(', ')}, got ${JSON.stringify(raw.measures)}`);
    }
    query.measures = raw.measures as MetricsMeasure[];
  }
  return query;
}
