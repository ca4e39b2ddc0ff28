import { CronExpressionParser, type CronExpression } from 'cron-parser';
import { ConfigError } from '@wxyc/job-runtime';

/** The station's time zone: cron schedules are read in it, on the host and on Kubernetes. */
export const STATION_TIME_ZONE = 'America/New_York';

/** The reference window starts on a Monday in January, read in UTC: no DST change anywhere in it. */
const REFERENCE_START_MS = Date.UTC(2025, 0, 6);
const WEEK_MS = 7 * 86_400_000;
/** A schedule with gaps of four weeks or more (monthly, yearly) is read over a whole year. */
const LONG_GAP_MS = 28 * 86_400_000;
const YEAR_MS = 400 * 86_400_000;

const periods = new Map<string, number>();

/**
 * A schedule's period: the longest gap between two consecutive fire times over a fixed reference
 * window (a week from REFERENCE_START in UTC; a year for monthly or rarer schedules). It depends on
 * the expression only, never on today's date: a DST change does not turn a daily job's period into
 * 23 h (or an hourly one's into 0), `*\/45` is 45 min whatever the hour, and generated manifests are
 * the same whenever they are generated.
 */
export function schedulePeriodMs(schedule: string): number {
  const known = periods.get(schedule);
  if (known !== undefined) return known;
  let expr: CronExpression;
  try {
    expr = CronExpressionParser.parse(schedule, { currentDate: new Date(REFERENCE_START_MS - 1), tz: 'UTC' });
  } catch (err) {
    throw new ConfigError(`cron schedule ${JSON.stringify(schedule)} is invalid: ${(err as Error).message}`);
  }
  let prev = expr.next().getTime();
  let longest = 0;
  for (;;) {
    const t = expr.next().getTime();
    longest = Math.max(longest, t - prev);
    prev = t;
    const covered = t - REFERENCE_START_MS;
    if (covered >= (longest >= LONG_GAP_MS ? YEAR_MS : WEEK_MS)) break;
  }
  periods.set(schedule, longest);
  return longest;
}
