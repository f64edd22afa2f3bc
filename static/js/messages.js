// The page's strings, translated on the server (workshop/boards/messages.py) and embedded in the
// page's data: the one lookup every page uses.

/** The page's language, as the server wrote it in `<html lang>`: every format in the browser follows it. */
export const pageLanguage = () => document.documentElement.lang.replace("_", "-") || undefined;

/**
 * The lookups for `messages` ({key: "text with {name} slots"}):
 * `t(key, vars)` the message with its slots filled (the key itself when the table lacks it), a
 * number written the page's language's way (1,000 / 1 000 / 1.000);
 * `count(key, n, vars)` a count in words: the form of the page's language's plural category for `n`
 * (`${key}.one`, `${key}.few`, ...: the server sends each one the language has), else `key`.
 */
export function translator(messages) {
  const numbers = new Intl.NumberFormat(pageLanguage());
  const plurals = new Intl.PluralRules(pageLanguage());
  const fill = (value) => (typeof value === "number" ? numbers.format(value) : value ?? "");
  const t = (key, vars = {}) => (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => fill(vars[name]));
  const count = (key, n, vars = {}) => {
    const form = `${key}.${plurals.select(n)}`;
    return t(form in messages ? form : key, { n, ...vars });
  };
  return { t, count };
}

/**
 * Dates in words, the page's language's way: `writtenDates("2026-03-01", "2026-06-30")` gives
 * "Mar 1 – Jun 30, 2026" / "1 mars – 30 juin 2026"; either may be missing. ISO dates are days, not
 * moments: read and written in UTC, so that no time zone moves them by a day.
 */
export function writtenDates(start, end) {
  const format = new Intl.DateTimeFormat(pageLanguage(), { dateStyle: "medium", timeZone: "UTC" });
  const [from, to] = [start, end].map((iso) => (iso ? new Date(`${iso}T00:00:00Z`) : null));
  if (from && to && from <= to) return format.formatRange(from, to);
  return [from, to].filter(Boolean).map((day) => format.format(day)).join(" – ");
}

/** A moment in words, the page's language's way (a card's time as a tooltip: "1 Dec 2026, 09:05"). */
export function writtenMoment(iso) {
  return new Intl.DateTimeFormat(pageLanguage(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** The start of `text`, cut at `length` characters with an ellipsis (for links, selects and lists). */
export function excerpt(text, length = 60) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The cities of a presence summary in words: "Glasgow (2), Bologna (1)". */
export function cityCounts(cities) {
  const numbers = new Intl.NumberFormat(pageLanguage());
  return cities.map((city) => `${city.name} (${numbers.format(city.count)})`).join(", ");
}
