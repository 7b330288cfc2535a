import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LIMITS } from "../../src/worker/http/throttle";
import { lastMailTo, signedUpClient, TEST_PASSWORD, TestClient, uniqueEmail } from "../helpers/client";

// Issue #14: signing up with an email that already has an account answers exactly like a new
// sign-up (status, headers that matter, body, similar time) and emails the owner instead, so the
// form cannot tell anyone which addresses have accounts.

const form = (email: string) => ({ name: "Intrus Curieux", email, password: "une autre phrase de passe", companyName: "Intrus SARL", acceptTerms: "on" });

const count = async (sql: string, ...binds: unknown[]) => (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())?.n ?? 0;

/** What an observer sees of an answer: status, where it leads, which cookies it sets, its body. */
async function observed(res: Response) {
  return {
    status: res.status,
    location: res.headers.get("location"),
    cookies: res.headers
      .getSetCookie()
      .map((c) => c.split("=")[0])
      .sort(),
    body: await res.text(),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("sign-up with an email that already has an account", () => {
  it("answers the form exactly like a new sign-up, opens no session, and changes nothing of the account", async () => {
    const owner = await signedUpClient();
    const before = await env.DB.prepare("SELECT name, password_hash AS h FROM users WHERE id = ?").bind(owner.userId).first();
    const accountsBefore = await count("SELECT count(*) AS n FROM accounts");

    const taken = await observed(await new TestClient().postForm("/inscription", form(owner.email)));
    const fresh = await observed(await new TestClient().postForm("/inscription", form(uniqueEmail("fresh"))));
    expect(taken).toEqual(fresh);
    expect(taken.status).toBe(303);
    expect(taken.location).toBe("/connexion?ok=signup");
    expect(taken.cookies).not.toContain("__Host-session");

    // Only the fresh sign-up created an account; the owner's row is untouched.
    expect(await count("SELECT count(*) AS n FROM accounts")).toBe(accountsBefore + 1);
    expect(await env.DB.prepare("SELECT name, password_hash AS h FROM users WHERE id = ?").bind(owner.userId).first()).toEqual(before);
    expect(await count("SELECT count(*) AS n FROM users WHERE email = ?", owner.email)).toBe(1);
    // The page both land on says the same thing.
    const page = await (await new TestClient().get("/connexion?ok=signup")).text();
    expect(page).toContain("Nous avons envoyé un email à cette adresse");
  });

  it("answers the API with the same status and body (202), and the new account signs in", async () => {
    const owner = await signedUpClient();
    const freshEmail = uniqueEmail("api");
    const taken = await new TestClient().json("POST", "/api/v1/auth/signup", form(owner.email));
    const fresh = await new TestClient().json("POST", "/api/v1/auth/signup", form(freshEmail));
    expect(taken.status).toBe(202);
    expect(fresh.status).toBe(202);
    expect(await taken.json()).toEqual(await fresh.json());
    expect(taken.headers.getSetCookie().some((c) => c.startsWith("__Host-session="))).toBe(false);
    expect((await new TestClient().json("POST", "/api/v1/auth/login", { email: freshEmail, password: "une autre phrase de passe" })).status).toBe(200);
    // The intruder's password opens nothing.
    expect((await new TestClient().json("POST", "/api/v1/auth/login", { email: owner.email, password: "une autre phrase de passe" })).status).toBe(401);
    expect((await new TestClient().json("POST", "/api/v1/auth/login", { email: owner.email, password: TEST_PASSWORD })).status).toBe(200);
  });

  it("emails the owner instead, in their language, and the new address its verification link", async () => {
    const owner = await signedUpClient({ name: "Camille Martin" });
    await new TestClient().postForm("/inscription", form(owner.email));
    const notice = await lastMailTo(owner.email);
    expect(notice.template).toBe("signup_existing");
    expect(notice.subject).toBe("Tentative d'inscription avec votre adresse email");
    expect(notice.bodyText).toContain("Bonjour Camille Martin");
    expect(notice.bodyText).toContain("Aucun compte n'a été créé et rien n'a changé sur le vôtre");
    expect(notice.bodyText).toContain("/mot-de-passe/oublie");
    const freshEmail = uniqueEmail("fresh");
    await new TestClient().postForm("/inscription", form(freshEmail));
    expect((await lastMailTo(freshEmail)).template).toBe("verify_email");
  });

  it(`sends the owner at most ${LIMITS.signupNotice.limit} notices an hour, answering the same every time`, async () => {
    const owner = await signedUpClient();
    const answers = [];
    for (let i = 0; i < LIMITS.signupNotice.limit + 3; i++) answers.push((await new TestClient().postForm("/inscription", form(owner.email))).status);
    expect(new Set(answers)).toEqual(new Set([303]));
    expect(await count("SELECT count(*) AS n FROM mail_log WHERE to_address = ? AND template = 'signup_existing'", owner.email)).toBe(LIMITS.signupNotice.limit);
  });

  it("takes about as long as a new sign-up (both hash the password once)", async () => {
    const owner = await signedUpClient();
    const timed = async (email: string) => {
      const client = new TestClient();
      await client.ensureCsrf();
      const start = performance.now();
      await client.postForm("/inscription", form(email));
      return performance.now() - start;
    };
    const taken: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < 5; i++) {
      taken.push(await timed(owner.email));
      fresh.push(await timed(uniqueEmail("timing")));
    }
    const ratio = median(taken) / median(fresh);
    // A taken email that skipped the hash would answer several times faster.
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it("creates one account when two sign-ups race on one new email, answering both alike", async () => {
    const email = uniqueEmail("race");
    const [a, b] = await Promise.all([new TestClient().postForm("/inscription", form(email)), new TestClient().postForm("/inscription", form(email))]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(await count("SELECT count(*) AS n FROM users WHERE email = ?", email)).toBe(1);
  });
});
