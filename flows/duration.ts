// ISO 8601 durations of fixed length (days, hours, minutes, seconds) as milliseconds.
import { DURATION_PATTERN } from './schema';

const DURATION = new RegExp(DURATION_PATTERN);
const PARTS = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function durationToMs(duration: string): number {
  const match = DURATION.test(duration) ? PARTS.exec(duration) : null;
  if (!match) throw new RangeError(`"${duration}" is not an ISO 8601 duration such as P2D or PT12H`);
  const [, days, hours, minutes, seconds] = match;
  return ((Number(days ?? 0) * 24 + Number(hours ?? 0)) * 60 + Number(minutes ?? 0)) * 60_000 + Math.round(Number(seconds ?? 0) * 1000);
}
