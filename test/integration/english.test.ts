import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { createApp } from "../../src/worker/app";
import type { AppEnv } from "../../src/worker/env";
import { handleError } from "../../src/worker/http/errors";
import { translator } from "../../src/worker/ui/i18n";
import * as schema from "../../src/worker/db/schema";
import { seedDemoBusiness } from "../../src/worker/features/dev/demo-business";
import { CREDIT_TAKEN_BACK_REFERENCE, paymentReferenceText } from "../../src/worker/features/payments/verbs";
import { en } from "../../src/worker/ui/i18n/en";
import { fr } from "../../src/worker/ui/i18n/fr";
import { TestClient } from "../helpers/client";
import { decodeEntities } from "../helpers/fuzz-html";
import { FRANCHISE_PROFILE, insertClient, readyAccount, verbCtx } from "../helpers/invoicing";

// English is complete (issue #13): every page of the router, rendered in English for an account
// with a year of data, shows no French UI wording and no raw stored value. The markers come from
// the dictionaries themselves: every literal piece of a French message that no English message
// contains (so a new French string that leaks is caught without editing this file). What the
// account itself wrote (names, line descriptions, the French legal mentions of a French client's
// documents) is taken out of the page first: it is the user's text, not the interface's.

type Row = Record<string, unknown>;

const wordRe = (text: string) => new RegExp(`(?<![\\p{L}\\p{N}_])${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\p{L}\\p{N}_])`, "u");

const enTexts = Object.values(en as Record<string, string>);
const inEnglish = (fragment: string) => enTexts.some((text) => wordRe(fragment).test(text));

/** Literal pieces of a message: ICU plural forms opened, `{placeholders}` as cuts. */
function pieces(message: string): string[] {
  const opened = message.replace(/\{\w+, plural,((?:\s*(?:=\d+|\w+)\s*\{[^{}]*\})+)\s*\}/g, (_m, body: string) =>
    [...body.matchAll(/\{([^{}]*)\}/g)].map((f) => `{}${f[1]}{}`).join(""),
  );
  return opened
    .split(/\{[^{}]*\}|#|[«»"“”:;!?()]|\s[-–—]\s|\.\s/)
    .map((p) => p.trim().replace(/[.,]$/, "").trim())
    .filter((p) => /\p{L}{3}/u.test(p));
}

/** French wording that must never be shown to an English reader. */
const MARKERS = (() => {
  const out = new Set<string>();
  for (const [key, message] of Object.entries(fr as Record<string, string>)) {
    if (message === (en as Record<string, string>)[key]) continue;
    for (const piece of pieces(message)) {
      // A lone short word ("Note", "Date", "Type", "Client") reads the same in both languages.
      if (!/\s/.test(piece) && piece.length < 5) continue;
      if (!inEnglish(piece)) out.add(piece);
    }
  }
  return [...out].sort((a, b) => b.length - a.length);
})();

/** Every value of every enum column of the schema. */
const ENUM_VALUES = (() => {
  const values = new Set<string>(["partially_paid", "overdue"]);
  for (const table of Object.values(schema)) {
    if (!table || typeof table !== "object") continue;
    for (const column of Object.values(table as unknown as Record<string, unknown>)) {
      const e = (column as { enumValues?: unknown })?.enumValues;
      if (Array.isArray(e)) for (const v of e) if (typeof v === "string") values.add(v);
    }
  }
  return values;
})();

/**
 * Stored values that are not words for a reader, once printed: codes with an underscore
 * ("partially_paid", "credit_note"), unit codes ("DAY"), French stored values ("virement",
 * "sarl"). Values that are plain English words ("paid", "draft", "network") prove nothing.
 */
const RAW_VALUES = (() => {
  const units = ["C62", "H87", "XPP", "HUR", "DAY", "WEE", "MON", "ANN", "KGM", "GRM", "TNE", "MTR", "KMT", "MTK", "MTQ", "LTR", "E48"];
  const french = [...schema.PAYMENT_METHODS, ...schema.LEGAL_FORMS, "bic", "bnc", "rcs", "rm"];
  return [...new Set([...units, ...french, ...[...ENUM_VALUES].filter((v) => v.includes("_"))])].filter((v) => v.length > 2 && !inEnglish(v));
})();

/** French month and day names: a date written the French way on an English page. */
const FRENCH_CALENDAR = (() => {
  const names = new Set<string>();
  for (let m = 0; m < 12; m++) {
    for (const month of ["long", "short"] as const) {
      const d = new Date(Date.UTC(2026, m, 15));
      const frName = new Intl.DateTimeFormat("fr-FR", { month, timeZone: "UTC" }).format(d).replace(/\.$/, "");
      if (frName.length >= 4 && frName !== new Intl.DateTimeFormat("en-GB", { month, timeZone: "UTC" }).format(d)) names.add(frName);
    }
  }
  for (let day = 0; day < 7; day++) names.add(new Intl.DateTimeFormat("fr-FR", { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2026, 0, 5 + day))));
  return [...names];
})();

/** The visible text of a page: text nodes and the attributes a reader hears or sees. */
function visibleText(html: string): string {
  // Parts marked as French on purpose (lang="fr": what a French client will read) are not the interface.
  const body = html
    .replace(/<script\b[\s\S]*?<\/script>|<style\b[\s\S]*?<\/style>|<!--[\s\S]*?-->/gi, " ")
    .replace(/<(\w+)\b[^>]*\slang="fr"[^>]*>[\s\S]*?<\/\1>/gi, " ");
  const attrs = [...body.matchAll(/\s(?:aria-label|title|placeholder|alt|aria-description)="([^"]*)"/gi)].map((m) => m[1]!);
  const text = body.replace(/<[^>]*>/g, "\n");
  return decodeEntities(`${text}\n${attrs.join("\n")}`).replace(/[ \t\u00a0\u202f]+/g, " ");
}

/** Every string the account wrote, longest first (JSON snapshots opened). */
async function accountStrings(accountId: string): Promise<string[]> {
  const out = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.trim().startsWith("{") || value.trim().startsWith("[")) {
        try {
          return add(JSON.parse(value));
        } catch {
          /* plain text */
        }
      }
      const v = value.trim();
      if (/\p{L}{3}/u.test(v) && !ENUM_VALUES.has(v)) out.add(v);
    } else if (Array.isArray(value)) value.forEach(add);
    else if (value && typeof value === "object") Object.values(value).forEach(add);
  };
  const tables = (await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite%'").all<{ name: string }>()).results;
  for (const { name } of tables) {
    const cols = (await env.DB.prepare(`SELECT name FROM pragma_table_info('${name}')`).all<{ name: string }>()).results.map((c) => c.name);
    const where = cols.includes("account_id") ? "account_id = ?" : name === "accounts" ? "id = ?" : null;
    if (!where) continue;
    for (const row of (await env.DB.prepare(`SELECT * FROM "${name}" WHERE ${where}`).bind(accountId).all<Row>()).results) add(Object.values(row));
  }
  return [...out].sort((a, b) => b.length - a.length);
}

interface Finding {
  path: string;
  kind: "french" | "raw";
  found: string;
  near: string;
}

function findLeaks(path: string, text: string, own: readonly string[]): Finding[] {
  let rest = text;
  for (const s of own) rest = rest.split(s).join(" ");
  // French quoted as such (« TVA non applicable, art. 259-1 du CGI ») is the legal wording an
  // English label names on purpose.
  rest = rest.replace(/«[^»]*»/g, " ");
  const findings: Finding[] = [];
  const near = (i: number) => rest.slice(Math.max(0, i - 50), i + 60).replace(/\s+/g, " ");
  for (const marker of new Set([...MARKERS, ...FRENCH_CALENDAR])) {
    const m = wordRe(marker).exec(rest);
    if (m) findings.push({ path, kind: "french", found: marker, near: near(m.index) });
  }
  for (const value of RAW_VALUES.filter((v) => !MARKERS.includes(v))) {
    const m = wordRe(value).exec(rest);
    if (m) findings.push({ path, kind: "raw", found: value, near: near(m.index) });
  }
  // French money ("1 234,56 €") or a French month next to English amounts.
  const money = /\d+(?:[\u202f\u00a0 ]\d{3})*,\d{2}[\u00a0 ]?€/.exec(rest);
  if (money) findings.push({ path, kind: "french", found: money[0], near: near(money.index) });
  return findings;
}

const PARAM = /:(\w+)(\{[^}]*\})?/g;
/**
 * Pages that show an email as its recipient will read it, in the client's language (the sending
 * preview and reminder preview, the templates of both languages): not the interface's language.
 */
const RECIPIENT_LANGUAGE = /\/(envoyer|relancer)$|^\/parametres\/emails/;
const isPage = (path: string) =>
  !RECIPIENT_LANGUAGE.test(path) &&
  !path.startsWith("/api/") && !path.startsWith("/webhooks/") && !/\.\w+$|:format|\/telecharger|\/logo$|\/ubl$/.test(path);

describe("English is complete: no French wording and no raw stored value on any page", { timeout: 600_000 }, () => {
  let signedIn: TestClient;
  let visitor: TestClient;
  let own: string[] = [];
  const values = new Map<string, string[]>();

  beforeAll(async () => {
    const a = await readyAccount(FRANCHISE_PROFILE);
    await seedDemoBusiness(verbCtx(a.accountId));
    // A client who reads English: its documents are English too.
    const english = await insertClient(a.accountId, { name: "Acme Trading Ltd", language: "en", email: "accounts@acme.example" });
    const draft = await a.client.json("POST", "/api/v1/documents", {
      type: "invoice",
      clientId: english,
      lines: [{ description: "Consulting day", quantity: "1", unitCode: "DAY", unitPriceCents: 65_000, vatCategory: "E", vatRateBp: 0, exemptionCode: "VATEX-FR-FRANCHISE", kind: "service" }],
    });
    expect(draft.status).toBe(201);
    const invoiceId = ((await draft.json()) as { document: { id: string } }).document.id;
    expect((await a.client.json("POST", `/api/v1/documents/${invoiceId}/issue`, {})).status).toBe(200);
    const share = await a.client.json("POST", `/api/v1/documents/${invoiceId}/share`);
    const token = new URL(((await share.json()) as { url: string }).url).pathname.split("/")[2]!;

    const lang = await a.client.postForm("/preferences/langue", { locale: "en", next: "/" });
    expect(lang.status).toBe(303);
    signedIn = a.client;
    visitor = new TestClient({ "cf-connecting-ip": "198.51.100.77" });
    await visitor.postForm("/preferences/langue", { locale: "en", next: "/" });
    own = await accountStrings(a.accountId);

    const ids = async (sql: string) => (await env.DB.prepare(sql).bind(a.accountId).all<{ id: string }>()).results.map((r) => r.id);
    // One document of each type and status, then one row of each other kind.
    const docs = await ids("SELECT min(id) id FROM documents WHERE account_id = ? GROUP BY type, status");
    values.set("id", [
      invoiceId,
      ...docs,
      ...(await ids("SELECT id FROM clients WHERE account_id = ? LIMIT 3")),
      ...(await ids("SELECT id FROM products WHERE account_id = ? LIMIT 3")),
      ...(await ids("SELECT id FROM purchases WHERE account_id = ? LIMIT 2")),
    ]);
    values.set("productId", await ids("SELECT DISTINCT product_id id FROM stock_movements WHERE account_id = ? LIMIT 2"));
    values.set("timeEntryId", await ids("SELECT id FROM time_entries WHERE account_id = ? LIMIT 2"));
    values.set("token", [token]);
  }, 300_000);

  it("renders every page in English", async () => {
    const routes = [...new Map(createApp().routes.filter((r) => r.method === "GET" && isPage(r.path)).map((r) => [r.path, r])).keys()];
    const findings: Finding[] = [];
    const read: string[] = [];
    for (const route of routes) {
      const first = [...route.matchAll(PARAM)][0];
      const candidates = first ? (values.get(first[1]!) ?? []) : [undefined];
      for (const value of candidates) {
        const path = value === undefined ? route : route.replace(PARAM, encodeURIComponent(value));
        for (const client of [signedIn, visitor]) {
          const res = await client.get(path);
          if (res.status !== 200 || !(res.headers.get("content-type") ?? "").includes("text/html")) {
            await res.arrayBuffer();
            continue;
          }
          const html = await res.text();
          expect(html, path).toMatch(/<html lang="en"/);
          read.push(path);
          findings.push(...findLeaks(path, visibleText(html), own));
          break;
        }
      }
    }
    // The walk really reached the account's pages (a broken walk would find nothing).
    expect(read.length).toBeGreaterThan(60);
    for (const p of ["/tableau-de-bord", "/factures", "/devis", "/documents/", "/clients/", "/produits/", "/paiements", "/paiements/a-encaisser", "/livres/urssaf", "/temps", "/stock/", "/p/"]) {
      expect(read.some((r) => r.startsWith(p)), p).toBe(true);
    }
    // Error pages too: a page that does not exist, for a signed-in reader and a visitor.
    for (const client of [signedIn, visitor]) {
      const res = await client.get("/no-such-page");
      expect(res.status).toBe(404);
      findings.push(...findLeaks("/no-such-page", visibleText(await res.text()), own));
    }
    const unique = [...new Map(findings.map((f) => [`${f.kind}|${f.found}|${f.path.replace(/[0-9a-f-]{16,}|[A-Za-z0-9_-]{30,}/g, ":id")}`, f])).values()];
    expect(unique).toEqual([]);
  });

  it("answers an error page in English with an English message", async () => {
    const app = new Hono<AppEnv>()
      .use((c, next) => {
        c.set("locale", "en");
        c.set("t", translator("en"));
        return next();
      })
      .get("/forbidden", () => {
        throw new HTTPException(403);
      })
      .get("/broken", () => {
        throw new Error("boom");
      });
    app.onError(handleError);
    for (const [path, status, message] of [["/forbidden", 403, "Access denied."], ["/broken", 500, "Something went wrong"]] as const) {
      const res = await app.request(path, { headers: { accept: "text/html" } });
      expect(res.status).toBe(status);
      const html = await res.text();
      expect(html).toContain(message);
      expect(findLeaks(path, visibleText(html), [])).toEqual([]);
    }
  });

  it("builds its markers from the dictionaries (a French leak of the dashboard's wording would be caught)", () => {
    expect(MARKERS).toContain("Tableau de bord");
    expect(MARKERS).not.toContain("Client");
    expect(RAW_VALUES).toEqual(expect.arrayContaining(["partially_paid", "virement", "DAY"]));
    const leaks = findLeaks("/x", visibleText(`<main><h1>Dashboard</h1><p title="Tableau de bord">Hi</p><td>virement</td><td>12,50&nbsp;€</td><td>3 décembre</td></main>`), []);
    expect(leaks.map((l) => l.found).sort()).toEqual(["12,50 €", "Tableau de bord", "décembre", "virement"]);
    // The account's own text and quoted French legal wording are not the interface's.
    expect(findLeaks("/x", visibleText(`<p>Audit de site web</p><p>Label (« TVA non applicable, art. 293 B du CGI »)</p>`), ["Audit de site web"])).toEqual([]);
    // Text declared French (an email to a French client) is not a leak; the same text undeclared is.
    expect(findLeaks("/x", visibleText(`<label>Message</label><textarea lang="fr">Tableau de bord</textarea>`), [])).toEqual([]);
    expect(findLeaks("/x", visibleText(`<label>Message</label><textarea>Tableau de bord</textarea>`), []).map((l) => l.found)).toEqual(["Tableau de bord"]);
  });
});

describe("what Factumo writes itself in a stored row", () => {
  it("shows the reference of a credit taken back in the reader's language", () => {
    expect(paymentReferenceText(CREDIT_TAKEN_BACK_REFERENCE, translator("en"))).toBe("Credit taken back (refund)");
    expect(paymentReferenceText(CREDIT_TAKEN_BACK_REFERENCE, translator("fr"))).toBe(CREDIT_TAKEN_BACK_REFERENCE);
    expect(paymentReferenceText("VIR 2026-118", translator("en"))).toBe("VIR 2026-118");
  });
});
