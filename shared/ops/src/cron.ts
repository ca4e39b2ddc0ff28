import { CronExpressionParser } from 'cron-parser';
import { ConfigError } from '@wxyc/job-runtime';

/** The station's time zone: cron schedules are read in it, on the host and on Kubernetes. */
export const STATION_TIME_ZONE = 'America/New_York';

/** Milliseconds between the two most recent fire times before `now` (a schedule's current period). */
export function scheduleIntervalMs(schedule: string, now: Date, tz = STATION_TIME_ZONE): number {
  let expr;
  try {
    expr = CronExpressionParser.parse(schedule, { currentDate: now, tz });
  } catch (err) {
    throw new ConfigError(`cron schedule ${JSON.stringify(schedule)} is invalid: ${(err as Error).message}`);
  }
  const last = expr.prev().getTime();
  const before = expr.prev().getTime();
  return last - before;
}
