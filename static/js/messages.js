// The page's strings, translated on the server (workshop/boards/messages.py) and embedded in the
// page's data: the one lookup every page uses.

/**
 * The lookups for `messages` ({key: "text with {name} slots"}):
 * `t(key, vars)` the message with its slots filled (the key itself when the table lacks it);
 * `count(key, n, vars)` a count in words: the `${key}.one` message for 1 when there is one, else `key`.
 */
export function translator(messages) {
  const t = (key, vars = {}) => (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => vars[name] ?? "");
  const count = (key, n, vars = {}) => t(n === 1 && messages[`${key}.one`] ? `${key}.one` : key, { n, ...vars });
  return { t, count };
}

/** The start of `text`, cut at `length` characters with an ellipsis (for links, selects and lists). */
export function excerpt(text, length = 60) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The cities of a presence summary in words: "Glasgow (2), Bologna (1)". */
export function cityCounts(cities) {
  return cities.map((city) => `${city.name} (${city.count})`).join(", ");
}
