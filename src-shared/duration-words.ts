/**
 * A length of time as a person says it: "4.2 s", "3 min 12 s", "2 h 5 min", "12 days 3 h",
 * "1 year 334 days" (a year is 365 days here; this is for reading, not for calendars).
 */
export function durationWords(ms: number): string {
  const abs = Math.abs(ms);
  if (!Number.isFinite(abs)) return '—';
  const s = abs / 1000;
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 60) return `${Math.round(s)} s`;
  const total = Math.round(s);
  const two = (big: number, bigUnit: string, small: number, smallUnit: string) =>
    small > 0 ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`;
  if (total < 3600) return two(Math.floor(total / 60), 'min', total % 60, 's');
  if (total < 86_400) return two(Math.floor(total / 3600), 'h', Math.floor((total % 3600) / 60), 'min');
  const days = Math.floor(total / 86_400);
  const plural = (n: number, one: string) => `${one}${n === 1 ? '' : 's'}`;
  if (days < 365) {
    const h = Math.floor((total % 86_400) / 3600);
    return two(days, plural(days, 'day'), h, 'h');
  }
  const years = Math.floor(days / 365);
  const rest = days % 365;
  return two(years, plural(years, 'year'), rest, plural(rest, 'day'));
}
