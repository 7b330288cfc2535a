import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RETENTION_CLASSES, RETENTION_CLASS_IDS, describeDuration, type RetentionClass } from "../../src/worker/domain/retention";
import { COOKIE_CATEGORIES, CURRENT_POLICY, POLICY_VERSIONS, PROCESSORS, acceptedPolicyVersion, needsPolicyNotice } from "../../src/worker/features/privacy/policy";
import { isMessageKey } from "../../src/worker/ui/i18n";
import { TestClient, signedUpClient } from "../helpers/client";

// The policy pages are rendered from the tables the code enforces (PRIVACY.md intro, §5, §6, §10),
// and users who accepted an older version see a notice until they acknowledge it (§11).

const decode = (html: string) =>
  html.replace(/&#39;|&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

async function page(path: string, client = new TestClient()) {
  const res = await client.get(path);
  expect(res.status).toBe(200);
  return decode(await res.text());
}

/** The text of the retention table row of a class, cells separated by "|". */
function retentionRow(html: string, id: string): string {
  const row = html.match(new RegExp(`<tr data-retention-class="${id}">([\\s\\S]*?)</tr>`))?.[1];
  if (!row) throw new Error(`no retention row for ${id}`);
  return row.replace(/<\/t[hd]>/g, "|").replace(/<[^>]+>/g, "");
}

describe("§5 processors on the policy page", () => {
  it("lists every processor of the table with its purpose and location, in French and in English", async () => {
    const fr = await page("/confidentialite");
    const en = await page("/privacy");
    for (const p of PROCESSORS) {
      expect(fr).toContain(p.name);
      expect(fr).toContain(p.purpose.fr);
      expect(fr).toContain(p.location.fr);
      expect(en).toContain(p.location.en);
    }
    expect(fr.match(/data-processor="/g)).toHaveLength(PROCESSORS.length);
    // The seed policy's former hosts are gone: only the table speaks.
    expect(fr).not.toMatch(/Vercel|Railway/);
  });
});

describe("§6 retention periods on the policy page", () => {
  it("shows every retention class of domain/retention.ts with the very duration the job uses", async () => {
    for (const [path, locale] of [["/confidentialite", "fr"], ["/privacy", "en"]] as const) {
      const html = await page(path);
      expect(html.match(/data-retention-class="/g)).toHaveLength(RETENTION_CLASS_IDS.length);
      for (const id of RETENTION_CLASS_IDS) {
        const duration: { months?: number; days?: number } | null = RETENTION_CLASSES[id].duration;
        const [, shown] = retentionRow(html, id).split("|");
        if (duration && (duration.months || duration.days)) expect(shown, id).toBe(describeDuration(duration, locale));
      }
    }
  });

  it("states the promised periods of the published policy: 12 months, 13 months, 3 years, 10 years", async () => {
    const html = await page("/confidentialite");
    expect(retentionRow(html, "connection_logs")).toContain("|12 mois|");
    expect(retentionRow(html, "payment_details")).toContain("|13 mois|");
    expect(retentionRow(html, "inactive_account")).toContain("|3 ans|");
    expect(retentionRow(html, "billing_records")).toContain("|10 ans|");
    expect(retentionRow(html, "inactive_account")).toContain("30 jours");
  });

  it("says where deletion is not automatic yet instead of pretending", async () => {
    const html = await page("/confidentialite");
    for (const id of RETENTION_CLASS_IDS) {
      const cls: RetentionClass = RETENTION_CLASSES[id];
      const pending = cls.enforcedBy === "pending";
      expect(retentionRow(html, id).includes("en cours de mise en place"), id).toBe(pending);
    }
  });
});

describe("the tables and the wording stay in step", () => {
  it("has a label for every retention class, start and cookie category (keys built from table ids)", () => {
    for (const id of RETENTION_CLASS_IDS) {
      expect(isMessageKey(`privacy.class.${id}`), id).toBe(true);
      expect(isMessageKey(`privacy.start.${RETENTION_CLASSES[id].start}`), id).toBe(true);
    }
    for (const c of COOKIE_CATEGORIES) {
      expect(isMessageKey(`privacy.cat.${c.id}`), c.id).toBe(true);
      expect(isMessageKey(`privacy.cat.${c.id}.purpose`), c.id).toBe(true);
    }
  });
});

describe("§10 cookie categories and §2 controller", () => {
  it("lists the cookie categories with their purpose and the cookies actually set", async () => {
    const html = await page("/confidentialite");
    for (const c of COOKIE_CATEGORIES) {
      expect(html).toContain(`data-cookie-category="${c.id}"`);
      for (const name of c.cookies) expect(html).toContain(name);
    }
    expect(html).toContain('href="/cookies"');
  });

  it("names the controller configured for this deployment on the policy, the legal notice and the terms", async () => {
    for (const path of ["/confidentialite", "/mentions-legales", "/conditions", "/legal-notice", "/terms"]) {
      const html = await page(path);
      expect(html, path).toContain(env.CONTROLLER_NAME);
    }
    const legal = await page("/mentions-legales");
    expect(legal).toContain(env.CONTROLLER_SIRET);
    expect(legal).toContain(env.CONTROLLER_ADDRESS);
    expect(legal).toContain(env.PUBLICATION_DIRECTOR);
    expect(legal).toContain("Cloudflare, Inc.");
    expect(await page("/conditions")).toContain(`conservés ${describeDuration(RETENTION_CLASSES.billing_records.duration, "fr")} après`);
  });
});

describe("§11 policy versions", () => {
  it("stands a user on the version in force at sign-up, or the latest acknowledged", () => {
    const first = POLICY_VERSIONS[0]!;
    expect(acceptedPolicyVersion(first.publishedAt - 1, [])).toBeNull();
    expect(acceptedPolicyVersion(first.publishedAt, [])).toBe(first.version);
    expect(acceptedPolicyVersion(first.publishedAt - 1, [CURRENT_POLICY.version])).toBe(CURRENT_POLICY.version);
    expect(needsPolicyNotice(null)).toBe(true);
    expect(needsPolicyNotice(CURRENT_POLICY.version)).toBe(false);
  });

  it("shows no notice to a user who signed up under the current version", async () => {
    const { client } = await signedUpClient();
    expect(await page("/tableau-de-bord", client)).not.toContain("policy-notice");
  });

  it("shows the notice to a user who accepted an older version until they acknowledge it", async () => {
    const { client, userId } = await signedUpClient();
    // This user signed up before the current version was published.
    await env.DB.prepare("UPDATE users SET created_at = ? WHERE id = ?").bind(CURRENT_POLICY.publishedAt - 24 * 3600 * 1000, userId).run();
    // …and accepted the version in force then (sign-up now records the version accepted).
    await env.DB.prepare("DELETE FROM policy_acknowledgements WHERE user_id = ?").bind(userId).run();
    await env.DB.prepare("INSERT INTO policy_acknowledgements (user_id, version, at) VALUES (?, '2025-01-01', ?)").bind(userId, CURRENT_POLICY.publishedAt - 24 * 3600 * 1000).run();

    const before = await page("/tableau-de-bord", client);
    expect(before).toContain("policy-notice");
    expect(before).toContain(`Notre politique de confidentialité a changé (version du ${CURRENT_POLICY.version})`);
    expect(await page("/clients", client)).toContain("policy-notice");

    const ack = await client.postForm("/confidentialite/prise-de-connaissance", { next: "/clients" });
    expect(ack.status).toBe(303);
    expect(ack.headers.get("location")).toBe("/clients");
    const row = await env.DB.prepare("SELECT version FROM policy_acknowledgements WHERE user_id = ? ORDER BY at DESC LIMIT 1").bind(userId).first<{ version: string }>();
    expect(row?.version).toBe(CURRENT_POLICY.version);
    expect(await page("/tableau-de-bord", client)).not.toContain("policy-notice");

    // Acknowledging twice is harmless.
    expect((await client.postForm("/confidentialite/prise-de-connaissance", {})).status).toBe(303);
  });

  it("asks a visitor to sign in before acknowledging", async () => {
    const res = await new TestClient().postForm("/confidentialite/prise-de-connaissance", {});
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/connexion/);
  });
});
