import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/worker/config";
import type { VerbCtx } from "../../src/worker/context";
import { directoryDb } from "../../src/worker/db/client";
import { TOKEN_TTL_MS } from "../../src/worker/features/auth/tokens";
import { undoEmailChange } from "../../src/worker/features/auth/verbs";
import { translator } from "../../src/worker/ui/i18n";
import { lastMailTo, signedUpClient, TEST_PASSWORD, TestClient, tokenFromMail, uniqueEmail } from "../helpers/client";

// Issue #14: one-time links are bound to the state they were sent for. A reset link dies when a
// newer one is issued, when the password changes and when the email changes; an email change tells
// the old address, with a link that undoes it for 7 days.

const NEW_PASSWORD = "une toute nouvelle phrase";

async function requestReset(email: string): Promise<string> {
  expect((await new TestClient().postForm("/mot-de-passe/oublie", { email })).status).toBe(303);
  const mail = await lastMailTo(email);
  expect(mail.template).toBe("reset_password");
  return tokenFromMail(mail.bodyText);
}

const useReset = (token: string, password = NEW_PASSWORD) =>
  new TestClient().json("POST", "/api/v1/auth/password/reset", { token, password, confirm: password });

/** Changes the signed-in user's email to `to` through the settings form and the link sent there. */
async function changeEmail(client: TestClient, to: string, current = TEST_PASSWORD): Promise<void> {
  expect((await client.postForm("/parametres/securite/email", { email: to, current })).status).toBe(303);
  const token = tokenFromMail((await lastMailTo(to)).bodyText);
  expect((await new TestClient().get(`/email/confirmer?token=${encodeURIComponent(token)}`)).status).toBe(303);
}

const emailOf = async (userId: string) => (await env.DB.prepare("SELECT email FROM users WHERE id = ?").bind(userId).first<{ email: string }>())?.email;

const canLogIn = async (email: string, password: string) => (await new TestClient().json("POST", "/api/v1/auth/login", { email, password })).status === 200;

function directoryCtxAt(now: number): VerbCtx {
  return { env, config: loadConfig(env), db: directoryDb(env), now, locale: "fr", t: translator("fr") };
}

describe("a password-reset link is bound to the state it was sent for", () => {
  it("dies when a newer one is issued: only the newest works", async () => {
    const { email } = await signedUpClient();
    const first = await requestReset(email);
    const second = await requestReset(email);
    const refused = await useReset(first);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("invalid");
    expect((await useReset(second)).status).toBe(204);
    expect(await canLogIn(email, NEW_PASSWORD)).toBe(true);
  });

  it("dies when the password changes in the settings", async () => {
    const { client, email } = await signedUpClient();
    const token = await requestReset(email);
    const changed = await client.json("POST", "/api/v1/me/password", { current: TEST_PASSWORD, password: "changée dans les paramètres", confirm: "changée dans les paramètres" });
    expect(changed.status).toBe(204);
    expect((await useReset(token)).status).toBe(400);
    // The password set in the settings is the one that works.
    expect(await canLogIn(email, "changée dans les paramètres")).toBe(true);
    expect(await canLogIn(email, NEW_PASSWORD)).toBe(false);
  });

  it("dies when the email changes", async () => {
    const { client, email, userId } = await signedUpClient();
    const token = await requestReset(email);
    const next = uniqueEmail("moved");
    await changeEmail(client, next);
    expect(await emailOf(userId)).toBe(next);
    expect((await useReset(token)).status).toBe(400);
    expect(await canLogIn(next, TEST_PASSWORD)).toBe(true);
  });
});

describe("email-change links are bound to the current email", () => {
  it("a second pending change dies once the first is confirmed", async () => {
    const { client, userId } = await signedUpClient();
    const x = uniqueEmail("x");
    const y = uniqueEmail("y");
    expect((await client.postForm("/parametres/securite/email", { email: x, current: TEST_PASSWORD })).status).toBe(303);
    expect((await client.postForm("/parametres/securite/email", { email: y, current: TEST_PASSWORD })).status).toBe(303);
    const toX = tokenFromMail((await lastMailTo(x)).bodyText);
    const toY = tokenFromMail((await lastMailTo(y)).bodyText);
    expect((await new TestClient().get(`/email/confirmer?token=${encodeURIComponent(toX)}`)).status).toBe(303);
    const late = await new TestClient().get(`/email/confirmer?token=${encodeURIComponent(toY)}`);
    expect(late.status).toBe(400);
    expect(await emailOf(userId)).toBe(x);
  });

  it("a verification link sent to the old address no longer verifies anything", async () => {
    const { client, email, userId } = await signedUpClient({ verified: false });
    const verify = tokenFromMail((await lastMailTo(email)).bodyText);
    await changeEmail(client, uniqueEmail("verified-elsewhere"));
    await env.DB.prepare("UPDATE users SET email_verified_at = NULL WHERE id = ?").bind(userId).run();
    expect((await new TestClient().get(`/verification?token=${encodeURIComponent(verify)}`)).status).toBe(400);
    const row = await env.DB.prepare("SELECT email_verified_at AS v FROM users WHERE id = ?").bind(userId).first<{ v: number | null }>();
    expect(row?.v).toBeNull();
  });
});

describe("an email change can be undone from the old address for 7 days", () => {
  it("tells the old address, with a link to undo", async () => {
    const name = "Camille Martin";
    const { client, email } = await signedUpClient({ name });
    const next = uniqueEmail("new");
    await changeEmail(client, next);
    const mail = await lastMailTo(email);
    expect(mail.template).toBe("email_changed");
    expect(mail.subject).toBe("L'adresse email de votre compte Factumo a changé");
    expect(mail.bodyText).toContain(`Bonjour ${name}`);
    expect(mail.bodyText).toContain(next);
    expect(mail.bodyText).toContain("dans les 7 jours");
    expect(mail.bodyText).toMatch(/\/email\/annuler\?token=/);
  });

  it("restores the old address, closes every session, voids the password and hands a reset link to the clicker", async () => {
    const { client, email, userId } = await signedUpClient();
    const attacker = uniqueEmail("attacker");
    await changeEmail(client, attacker);
    const undo = tokenFromMail((await lastMailTo(email)).bodyText);

    const owner = new TestClient();
    // Opening the link changes nothing (a mail scanner may fetch it): the page asks for a click.
    const page = await owner.get(`/email/annuler?token=${encodeURIComponent(undo)}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Rétablir mon adresse");
    expect(await emailOf(userId)).toBe(attacker);

    const res = await owner.postForm("/email/annuler", { token: undo });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/mot-de-passe\/nouveau\?token=.+&ok=undone$/);
    expect(await emailOf(userId)).toBe(email);
    // Every session is closed, the attacker's included; the password they knew no longer works.
    expect((await client.json("GET", "/api/v1/me")).status).toBe(401);
    const sessions = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE user_id = ?").bind(userId).first<{ n: number }>();
    expect(sessions?.n).toBe(0);
    expect(await canLogIn(email, TEST_PASSWORD)).toBe(false);
    expect(await canLogIn(attacker, TEST_PASSWORD)).toBe(false);
    // The reset page says what happened; its link sets the new password.
    expect(await (await owner.get(location)).text()).toContain("Votre adresse est rétablie");
    const resetToken = decodeURIComponent(new URL(location, "https://x").searchParams.get("token")!);
    expect((await useReset(resetToken)).status).toBe(204);
    expect(await canLogIn(email, NEW_PASSWORD)).toBe(true);
    // The undo link works once.
    const again = await new TestClient().postForm("/email/annuler", { token: undo });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("Ce lien n'est plus valable");
    // The owner can read what happened in the access log.
    const logged = await env.DB.prepare("SELECT COUNT(*) AS n FROM access_log WHERE user_id = ? AND action = 'email_change_undone'").bind(userId).first<{ n: number }>();
    expect(logged?.n).toBe(1);
  });

  it("expires after 7 days", async () => {
    const { client, email, userId } = await signedUpClient();
    await changeEmail(client, uniqueEmail("later"));
    const undo = tokenFromMail((await lastMailTo(email)).bodyText);
    const later = Date.now() + TOKEN_TTL_MS.undo_email_change + 60_000;
    await expect(undoEmailChange(directoryCtxAt(later), undo)).rejects.toMatchObject({ code: "invalid" });
    const nearly = Date.now() + TOKEN_TTL_MS.undo_email_change - 60 * 60_000;
    await undoEmailChange(directoryCtxAt(nearly), undo);
    expect(await emailOf(userId)).toBe(email);
  });

  it("keeps the first owner's undo alive when a later change is undone, and voids the later ones", async () => {
    const { client, email, userId } = await signedUpClient();
    const b = uniqueEmail("b");
    const c = uniqueEmail("c");
    await changeEmail(client, b);
    const undoA = tokenFromMail((await lastMailTo(email)).bodyText);
    await changeEmail(client, c);
    const undoB = tokenFromMail((await lastMailTo(b)).bodyText);
    // Whoever holds b undoes the second change: b comes back, but a's undo still works…
    expect((await new TestClient().postForm("/email/annuler", { token: undoB })).status).toBe(303);
    expect(await emailOf(userId)).toBe(b);
    expect((await new TestClient().postForm("/email/annuler", { token: undoA })).status).toBe(303);
    expect(await emailOf(userId)).toBe(email);
    // …and the other way round, a's undo voids every link minted after the first change.
    const { client: client2, email: email2, userId: user2 } = await signedUpClient();
    const b2 = uniqueEmail("b2");
    const c2 = uniqueEmail("c2");
    await changeEmail(client2, b2);
    const undoA2 = tokenFromMail((await lastMailTo(email2)).bodyText);
    await changeEmail(client2, c2);
    const undoB2 = tokenFromMail((await lastMailTo(b2)).bodyText);
    expect((await new TestClient().postForm("/email/annuler", { token: undoA2 })).status).toBe(303);
    expect((await new TestClient().postForm("/email/annuler", { token: undoB2 })).status).toBe(400);
    expect(await emailOf(user2)).toBe(email2);
  });

  it("refuses, changing nothing, when the old address now belongs to another account", async () => {
    const { client, email, userId } = await signedUpClient();
    const next = uniqueEmail("next");
    await changeEmail(client, next);
    const undo = tokenFromMail((await lastMailTo(email)).bodyText);
    await signedUpClient({ email });
    const res = await new TestClient().postForm("/email/annuler", { token: undo });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("Cette adresse est désormais celle d'un autre compte");
    expect(await emailOf(userId)).toBe(next);
    expect((await client.json("GET", "/api/v1/me")).status).toBe(200);
  });
});
