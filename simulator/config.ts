/**
 * Reads what the simulator needs from shopify.app.toml: client_id, handle, scopes,
 * [auth] redirect_urls and [webhooks] api_version + subscriptions (topics,
 * compliance_topics, uri). A small TOML subset parser (tables, arrays of tables, strings,
 * numbers, booleans, multi-line arrays) — enough for the app config file.
 */
import { readFileSync } from "node:fs";

type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
interface TomlTable {
  [key: string]: TomlValue;
}

function stripComment(line: string): string {
  let inStr: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (inStr) {
      if (c === "\\" && inStr === '"') i++;
      else if (c === inStr) inStr = null;
    } else if (c === '"' || c === "'") inStr = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function parseValue(src: string): TomlValue {
  const s = src.trim();
  if (s.startsWith('"')) return JSON.parse(s) as string;
  if (s.startsWith("'")) return s.slice(1, -1);
  if (s === "true" || s === "false") return s === "true";
  if (s.startsWith("[")) {
    const inner = s.slice(1, -1);
    const items: TomlValue[] = [];
    let depth = 0;
    let cur = "";
    let inStr: string | null = null;
    for (let i = 0; i < inner.length; i++) {
      const c = inner.charAt(i);
      if (inStr) {
        cur += c;
        if (c === "\\" && inStr === '"') cur += inner.charAt(++i);
        else if (c === inStr) inStr = null;
        continue;
      }
      if (c === '"' || c === "'") inStr = c;
      if (c === "[") depth++;
      if (c === "]") depth--;
      if (c === "," && depth === 0) {
        if (cur.trim()) items.push(parseValue(cur));
        cur = "";
        continue;
      }
      cur += c;
    }
    if (cur.trim()) items.push(parseValue(cur));
    return items;
  }
  const n = Number(s);
  return Number.isNaN(n) ? s : n;
}

export function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let current: TomlTable = root;
  const lines = text.split(/\r?\n/);
  const tableAt = (path: string[], arrayTable: boolean): TomlTable => {
    let t: TomlTable = root;
    path.forEach((k, i) => {
      const last = i === path.length - 1;
      const existing = t[k];
      if (last && arrayTable) {
        const arr = Array.isArray(existing) ? existing : [];
        const next: TomlTable = {};
        arr.push(next);
        t[k] = arr;
        t = next;
        return;
      }
      if (Array.isArray(existing)) {
        const lastItem = existing[existing.length - 1];
        t = lastItem && typeof lastItem === "object" && !Array.isArray(lastItem) ? lastItem : {};
      } else if (existing && typeof existing === "object") {
        t = existing;
      } else {
        const next: TomlTable = {};
        t[k] = next;
        t = next;
      }
    });
    return t;
  };
  for (let i = 0; i < lines.length; i++) {
    let line = stripComment(lines[i] ?? "").trim();
    if (!line) continue;
    const arrTable = line.match(/^\[\[\s*([^\]]+?)\s*\]\]$/);
    if (arrTable) {
      current = tableAt(
        (arrTable[1] ?? "").split(".").map((s) => s.trim()),
        true,
      );
      continue;
    }
    const table = line.match(/^\[\s*([^\]]+?)\s*\]$/);
    if (table) {
      current = tableAt(
        (table[1] ?? "").split(".").map((s) => s.trim()),
        false,
      );
      continue;
    }
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().replace(/^"|"$/g, "");
    let value = line.slice(eq + 1).trim();
    if (value.startsWith("[")) {
      // multi-line arrays: keep reading until brackets balance
      const depth = (s: string): number =>
        (s.match(/\[/g)?.length ?? 0) - (s.match(/\]/g)?.length ?? 0);
      while (depth(value) > 0 && i + 1 < lines.length) {
        line = stripComment(lines[++i] ?? "").trim();
        value += " " + line;
      }
    }
    current[key] = parseValue(value);
  }
  return root;
}

export interface AppConfig {
  clientId: string;
  handle: string;
  name: string;
  scopes: string[];
  redirectUrls: string[];
  webhookApiVersion: string;
  subscriptions: { topics: string[]; uri: string }[];
}

function str(v: TomlValue | undefined, fallback: string): string {
  return typeof v === "string" ? v : fallback;
}
function strs(v: TomlValue | undefined): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
function tbl(v: TomlValue | undefined): TomlTable {
  return v && typeof v === "object" && !Array.isArray(v) ? v : {};
}

export function readAppConfig(path: string): AppConfig {
  return appConfigFromToml(parseToml(readFileSync(path, "utf8")));
}

export function appConfigFromToml(t: TomlTable): AppConfig {
  const webhooks = tbl(t.webhooks);
  const subsRaw = Array.isArray(webhooks.subscriptions) ? webhooks.subscriptions : [];
  const subscriptions = subsRaw.map((s) => {
    const st = tbl(s);
    return {
      topics: [...strs(st.topics), ...strs(st.compliance_topics)],
      uri: str(st.uri, "/webhooks"),
    };
  });
  return {
    clientId: str(t.client_id, ""),
    handle: str(t.handle, "app"),
    name: str(t.name, "App"),
    scopes: str(tbl(t.access_scopes).scopes, "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    redirectUrls: strs(tbl(t.auth).redirect_urls),
    webhookApiVersion: str(webhooks.api_version, "2026-10"),
    subscriptions,
  };
}

export const DEFAULT_APP_CONFIG: AppConfig = {
  clientId: "",
  handle: "propel-segments",
  name: "Propel",
  scopes: ["read_customers", "write_customers", "read_orders", "read_all_orders"],
  redirectUrls: [],
  webhookApiVersion: "2026-10",
  subscriptions: [],
};
