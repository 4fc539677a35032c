// Turns an error answer (Glance's WebOb bodies, Keystone's JSON, plain text or HTML) into one readable line. Pure.

const stripTags = (s: string) =>
  s
    .replace(/<[^>]*>/g, " ")
    .replace(
      /&(amp|lt|gt|quot|#x27);/g,
      (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#x27": "'" })[e] ?? "",
    )
    .replace(/\s+/g, " ")
    .trim();

/**
 * What went wrong, in the API's own words. Glance's errors are WebOb bodies: JSON
 * {"message": "<explanation><br /><br />\n<detail>", "code", "title"} when asked for JSON, else HTML or text;
 * Keystone's are {"error": {"message", "title"}}. The specific detail wins over the generic explanation.
 */
export function errorMessage(status: number, body: string): string {
  let message = body;
  try {
    const j = JSON.parse(body) as { message?: unknown; title?: unknown; error?: { message?: unknown } };
    const m = j.message ?? j.error?.message ?? j.title;
    if (typeof m === "string") message = m;
  } catch {
    const h1 = /<\/h1>([\s\S]*?)<\/body>/i.exec(body);
    if (h1?.[1]) message = h1[1];
  }
  const [explanation = "", detail = ""] = message.split(/<br \/>\s*<br \/>/);
  const text = stripTags(detail) || stripTags(explanation);
  return text ? `${text} (HTTP ${status})` : `HTTP ${status}`;
}
