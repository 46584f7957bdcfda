/**
 * Cron expressions of snapshot schedules: five fields (minute hour day-of-month month
 * day-of-week) or a nickname such as `@daily`, evaluated in cluster time (UTC) with
 * cron-parser, and described in words for the UI ("every day at 00:00").
 */
import { CronExpressionParser } from 'cron-parser';
import { ErrorCode, PitrError } from '../errors.ts';

const NICKNAMES: Record<string, string> = {
  '@yearly': 'every year on January 1 at 00:00',
  '@annually': 'every year on January 1 at 00:00',
  '@monthly': 'on day 1 of every month at 00:00',
  '@weekly': 'every Sunday at 00:00',
  '@daily': 'every day at 00:00',
  '@midnight': 'every day at 00:00',
  '@hourly': 'every hour at minute 0',
};
// Nicknames cron-parser knows under another name.
const ALIASES: Record<string, string> = { '@annually': '@yearly', '@midnight': '@daily' };
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const EXAMPLES = '`0 0 * * *` = every day at 00:00, `30 * * * *` = every hour at minute 30, `*/15 * * * *` = every 15 minutes';

function invalid(expr: string, why: string): PitrError {
  return new PitrError(ErrorCode.InvalidArgument, `"${expr}" is not a valid cron expression (${why}): use five fields "minute hour day-of-month month day-of-week" in cluster time (UTC), e.g. ${EXAMPLES}`);
}

/** Checks a cron expression and returns it normalised (single spaces, nickname lower-cased). */
export function parseCron(expr: string): string {
  const e = expr.trim().replace(/\s+/g, ' ');
  if (e.startsWith('@')) {
    if (!(e.toLowerCase() in NICKNAMES)) throw invalid(expr, `unknown nickname; use one of ${Object.keys(NICKNAMES).join(', ')}`);
    return e.toLowerCase();
  }
  const fields = e === '' ? 0 : e.split(' ').length;
  // cron-parser also takes a leading seconds field; a snapshot every second is not a schedule.
  if (fields !== 5) throw invalid(expr, `${fields} field${fields === 1 ? '' : 's'} instead of 5`);
  try {
    CronExpressionParser.parse(e, { tz: 'UTC' });
  } catch (err) {
    throw invalid(expr, (err as Error).message);
  }
  return e;
}

/** The first run strictly after afterMs (cluster time, Unix ms), for a checked expression. */
export function nextRun(expr: string, afterMs: number): number {
  const e = ALIASES[expr] ?? expr;
  return CronExpressionParser.parse(e, { currentDate: new Date(afterMs), tz: 'UTC' }).next().getTime();
}

const isNum = (f: string): boolean => /^\d{1,2}$/.test(f);
const hhmm = (h: string, m: string): string => `${h.padStart(2, '0')}:${m.padStart(2, '0')}`;

function weekdays(f: string): string | null {
  if (f === '1-5') return 'every weekday (Monday to Friday)';
  if (f === '0,6' || f === '6,0') return 'every Saturday and Sunday';
  const parts = f.split(',');
  if (!parts.every((p) => /^[0-7]$/.test(p))) return null;
  return `every ${parts.map((p) => DAYS[Number(p)]).join(', ')}`;
}

/** The expression in words for common forms; the expression itself for anything else. */
export function describeCron(expr: string): string {
  const e = expr.trim().replace(/\s+/g, ' ');
  const nick = NICKNAMES[e.toLowerCase()];
  if (nick) return nick;
  const [m, h, dom, mon, dow] = e.split(' ');
  if (m === undefined || h === undefined || dom === undefined || mon === undefined || dow === undefined || e.split(' ').length !== 5) return e;
  const everyDay = dom === '*' && mon === '*';
  if (everyDay && dow === '*') {
    if (m === '*' && h === '*') return 'every minute';
    const step = /^\*\/(\d+)$/.exec(m);
    if (step && h === '*') return `every ${step[1]} minutes`;
    if (isNum(m) && h === '*') return `every hour at minute ${Number(m)}`;
    const hstep = /^\*\/(\d+)$/.exec(h);
    if (isNum(m) && hstep) return `every ${hstep[1]} hours at minute ${Number(m)}`;
    if (isNum(m) && isNum(h)) return `every day at ${hhmm(h, m)}`;
    if (isNum(m) && /^\d{1,2}(,\d{1,2})+$/.test(h)) return `every day at ${h.split(',').map((x) => hhmm(x, m)).join(', ')}`;
    return e;
  }
  if (!isNum(m) || !isNum(h)) return e;
  if (everyDay) {
    const days = weekdays(dow);
    return days ? `${days} at ${hhmm(h, m)}` : e;
  }
  if (isNum(dom) && mon === '*' && dow === '*') return `on day ${Number(dom)} of every month at ${hhmm(h, m)}`;
  return e;
}
