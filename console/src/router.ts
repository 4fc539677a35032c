// A hash router: #/images?name=x, #/images/<id>, #/create, #/shared, #/usage. Nothing secret ever goes in a URL.
import { useEffect, useState } from "preact/hooks";

export interface Route {
  /** Path segments after "#/", e.g. ["images", "<id>"]. */
  parts: string[];
  query: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#\/?/, "");
  const [path = "", query = ""] = raw.split("?", 2);
  return {
    parts: path
      .split("/")
      .filter((p) => p !== "")
      .map(decodeURIComponent),
    query: new URLSearchParams(query),
  };
}

export const href = (path: string, query?: URLSearchParams | Record<string, string>) => {
  const q = query instanceof URLSearchParams ? query.toString() : new URLSearchParams(query).toString();
  return `#/${path}${q ? `?${q}` : ""}`;
};

export function navigate(path: string, query?: URLSearchParams | Record<string, string>, replace = false): void {
  const target = href(path, query);
  if (replace) history.replaceState(null, "", target);
  else location.hash = target;
  if (replace) window.dispatchEvent(new HashChangeEvent("hashchange"));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}
