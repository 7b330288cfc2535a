import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/worker/domain/format";
import { lastMailTo, signedUpClient, TEST_PASSWORD } from "../helpers/client";
import { exportArchive, importInto, rowsOf } from "../helpers/data-jobs";
import { createDraftVia, draftBody, insertClient, readyAccount } from "../helpers/invoicing";

// Issue #13, "Emails": a preview with editable subject and message before a document or a
// reminder leaves, per-type templates in FR and EN saved in Paramètres, and a send that happens
// once per preview whatever the double clicks.

type Account = Awaited<ReturnType<typeof readyAccount>>;
const year = new Date().getUTCFullYear();

async function issued(a: Account, body: Record<string, unknown>): Promise<{ id: string; number: string; dueCents: number }> {
  const id = await createDraftVia(a.client, body);
  const res = await a.client.json("POST", `/api/v1/documents/${id}/issue`, {});
  if (res.status !== 200) throw new Error(`issue refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { document: { id: string; number: string; dueCents: number } }).document;
}

const decode = (s: string) => s.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const inputValue = (html: string, name: string) => decode(new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? "");
const textareaValue = (html: string, name: string) => decode(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? "");

async function mailCount(to: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM mail_log WHERE to_address = ?").bind(to).first<{ n: number }>())?.n ?? 0;
}

describe("the send preview of a document", () => {
  it("shows recipient, subject and message filled from the template, then sends the edited text with the link appended", async () => {
    const a = await readyAccount();
    const doc = await issued(a, draftBody(a.clientId));
    const page = await a.client.get(`/documents/${doc.id}/envoyer`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(inputValue(html, "to")).toBe("compta@cliente.fr");
    expect(inputValue(html, "subject")).toContain(doc.number);
    const message = textareaValue(html, "message");
    expect(message).toContain(`la facture ${doc.number}`);
    expect(message).toContain(formatMoney(doc.dueCents, "fr"));
    expect(message).not.toMatch(/\{(numero|montant|entreprise)\}/);
    // The mandatory part is shown, outside the editable message.
    expect(html).toContain("Vous pouvez aussi la consulter en ligne");
    expect(message).not.toContain("consulter en ligne");

    const res = await a.client.postForm(`/documents/${doc.id}/envoyer`, {
      key: inputValue(html, "key"),
      to: "compta@cliente.fr",
      subject: `Votre facture ${doc.number} — merci !`,
      message: "Bonjour Jeanne,\n\nVoici la facture de mars, montant {montant}.\n\nLéa",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/documents/${doc.id}#envoi`);
    const mail = await lastMailTo("compta@cliente.fr");
    expect(mail.subject).toBe(`Votre facture ${doc.number} — merci !`);
    expect(mail.bodyText).toContain(`Bonjour Jeanne,\n\nVoici la facture de mars, montant ${formatMoney(doc.dueCents, "fr")}.\n\nLéa`);
    // Editing the message cannot remove the link: it is appended after the user's text.
    expect(mail.bodyText).toMatch(/Léa\n\nVous pouvez aussi la consulter en ligne : https?:\/\/\S+\/p\/\S+/);
    expect(mail.bodyText).not.toContain("Veuillez trouver ci-joint");
  });

  it("sends once for a double submit of the same preview, sequential or parallel", async () => {
    const a = await readyAccount();
    const doc = await issued(a, draftBody(a.clientId));
    const to = `double-${crypto.randomUUID().slice(0, 8)}@cliente.fr`;
    const html = await (await a.client.get(`/documents/${doc.id}/envoyer`)).text();
    const fields = { key: inputValue(html, "key"), to, subject: inputValue(html, "subject"), message: textareaValue(html, "message") };
    expect(fields.key.length).toBeGreaterThanOrEqual(8);
    const both = await Promise.all([a.client.postForm(`/documents/${doc.id}/envoyer`, fields), a.client.postForm(`/documents/${doc.id}/envoyer`, fields)]);
    expect(both.map((r) => r.status)).toEqual([303, 303]);
    const again = await a.client.postForm(`/documents/${doc.id}/envoyer`, fields);
    expect(again.status).toBe(303);
    expect(await mailCount(to)).toBe(1);
    const sends = await env.DB.prepare("SELECT count(*) AS n FROM document_sends WHERE account_id = ? AND to_address = ?").bind(a.accountId, to).first<{ n: number }>();
    expect(sends?.n).toBe(1);
    // A new preview is a new send.
    const next = await (await a.client.get(`/documents/${doc.id}/envoyer`)).text();
    expect(inputValue(next, "key")).not.toBe(fields.key);
    await a.client.postForm(`/documents/${doc.id}/envoyer`, { ...fields, key: inputValue(next, "key") });
    expect(await mailCount(to)).toBe(2);
  });

  it("refuses an unknown placeholder in the edited text: the preview again with the message, nothing sent", async () => {
    const a = await readyAccount();
    const doc = await issued(a, draftBody(a.clientId));
    const to = `typo-${crypto.randomUUID().slice(0, 8)}@cliente.fr`;
    const html = await (await a.client.get(`/documents/${doc.id}/envoyer`)).text();
    const res = await a.client.postForm(`/documents/${doc.id}/envoyer`, { key: inputValue(html, "key"), to, subject: "Facture", message: "Montant : {montnat}" });
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("Variable inconnue : {montnat}");
    expect(textareaValue(page, "message")).toBe("Montant : {montnat}");
    expect(await mailCount(to)).toBe(0);
  });

  it("takes subject and message overrides through the API, with stable codes for bad input and an Idempotency-Key", async () => {
    const a = await readyAccount();
    const doc = await issued(a, draftBody(a.clientId));
    const to = `api-${crypto.randomUUID().slice(0, 8)}@cliente.fr`;
    const bad = await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, { to, subject: "Facture {numéro}" });
    expect(bad.status).toBe(400);
    const err = ((await bad.json()) as { error: { code: string; fields: Record<string, string> } }).error;
    expect(err.code).toBe("invalid");
    expect(err.fields.subject).toContain("{numéro}");
    const empty = await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, { to, message: "   " });
    expect(((await empty.json()) as { error: { code: string; fields: Record<string, string> } }).error.fields).toHaveProperty("message");
    expect(await mailCount(to)).toBe(0);

    const key = `retry-${crypto.randomUUID()}`;
    const send = () =>
      a.client.fetch(`/api/v1/documents/${doc.id}/send`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": a.client.csrf ?? "", "idempotency-key": key },
        body: JSON.stringify({ to, subject: "Facture {numero}", message: "Ci-joint, {client}." }),
      });
    const first = await send();
    expect(first.status).toBe(201);
    const second = await send();
    expect(second.status).toBe(200);
    expect(((await second.json()) as { already: boolean }).already).toBe(true);
    expect(await mailCount(to)).toBe(1);
    const mail = await lastMailTo(to);
    expect(mail.subject).toBe(`Facture ${doc.number}`);
    expect(mail.bodyText).toMatch(/^Ci-joint, Société Cliente[^\n]*\.\n\nVous pouvez aussi la consulter en ligne/);
  });
});

describe("email templates in Paramètres", () => {
  it("saves a template whose placeholders are filled when sending, and puts the default back on reset", async () => {
    const a = await readyAccount();
    const form = await (await a.client.get("/parametres/emails?type=quote&langue=fr")).text();
    expect(inputValue(form, "subject")).toBe("{entreprise} — Devis {numero}");
    expect(textareaValue(form, "message")).toContain("Veuillez trouver ci-joint le devis {numero}");
    for (const name of ["numero", "montant", "echeance", "lien", "entreprise"]) expect(form).toContain(`{${name}}`);

    const saved = await a.client.postForm("/parametres/emails", { kind: "quote", language: "fr", subject: "Devis {numero} pour {client}", message: "Bonjour,\n\nMon devis de {montant}, valable jusqu'au {echeance}.\n\nLéa" });
    expect(saved.status).toBe(303);
    expect((await a.client.get(saved.headers.get("location")!)).status).toBe(200);

    const quote = await issued(a, draftBody(a.clientId, { type: "quote", validUntil: `${year + 1}-03-31` }));
    const preview = await (await a.client.get(`/documents/${quote.id}/envoyer`)).text();
    expect(inputValue(preview, "subject")).toMatch(new RegExp(`^Devis ${quote.number} pour Société Cliente`));
    expect(textareaValue(preview, "message")).toContain(`valable jusqu'au 31/03/${year + 1}`);

    expect((await a.client.json("POST", `/api/v1/documents/${quote.id}/send`, {})).status).toBe(201);
    const mail = await lastMailTo("compta@cliente.fr");
    expect(mail.subject).toMatch(new RegExp(`^Devis ${quote.number} pour Société Cliente`));
    expect(mail.bodyText).toContain(`Mon devis de ${formatMoney(quote.dueCents, "fr")}, valable jusqu'au 31/03/${year + 1}.`);
    expect(mail.bodyText).toContain("Vous pouvez aussi le consulter en ligne");

    const reset = await a.client.postForm("/parametres/emails/reinitialiser", { kind: "quote", language: "fr" });
    expect(reset.status).toBe(303);
    expect(inputValue(await (await a.client.get("/parametres/emails?type=quote&langue=fr")).text(), "subject")).toBe("{entreprise} — Devis {numero}");
    expect((await a.client.json("POST", `/api/v1/documents/${quote.id}/send`, {})).status).toBe(201);
    expect((await lastMailTo("compta@cliente.fr")).bodyText).toContain(`Veuillez trouver ci-joint le devis ${quote.number}`);
  });

  it("refuses an unknown placeholder with a clear French message, and saves nothing", async () => {
    const a = await readyAccount();
    const res = await a.client.postForm("/parametres/emails", { kind: "invoice", language: "fr", subject: "Facture {numero}", message: "Total : {montnat}, échéance {date_limite}" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("Variables inconnues : {montnat}, {date_limite}. Variables possibles : {numero}, {montant}");
    expect(textareaValue(html, "message")).toBe("Total : {montnat}, échéance {date_limite}");
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM email_templates WHERE account_id = ?").bind(a.accountId).first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("writes to an English client with the English template", async () => {
    const a = await readyAccount();
    const en = await insertClient(a.accountId, { language: "en", email: `ap-${crypto.randomUUID().slice(0, 8)}@client.co.uk`, name: "Client Ltd", search_name: "client ltd" });
    const email = (await env.DB.prepare("SELECT email FROM clients WHERE id = ?").bind(en).first<{ email: string }>())!.email;
    await a.client.postForm("/parametres/emails", { kind: "invoice", language: "fr", subject: "FR {numero}", message: "Texte français." });
    const saved = await a.client.postForm("/parametres/emails", { kind: "invoice", language: "en", subject: "Your invoice {numero}", message: "Dear {client},\n\nplease find {numero} attached ({montant})." });
    expect(saved.status).toBe(303);
    const doc = await issued(a, draftBody(en));
    const preview = await (await a.client.get(`/documents/${doc.id}/envoyer`)).text();
    expect(inputValue(preview, "subject")).toBe(`Your invoice ${doc.number}`);
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/send`, {})).status).toBe(201);
    const mail = await lastMailTo(email);
    expect(mail.subject).toBe(`Your invoice ${doc.number}`);
    expect(mail.bodyText).toContain(`Dear Client Ltd,\n\nplease find ${doc.number} attached (${formatMoney(doc.dueCents, "en")}).`);
    expect(mail.bodyText).toContain("You can also view it online");
    expect(mail.bodyText).not.toContain("Texte français");
  });
});

describe("the templates as account data", () => {
  it("travel through the export and import, and go at account closure", async () => {
    const a = await readyAccount();
    const fields = { kind: "credit_note", language: "en", subject: "Credit note {numero}", message: "Dear {client},\n\nhere is our credit note." };
    expect((await a.client.postForm("/parametres/emails", fields)).status).toBe(303);
    const b = await signedUpClient();
    expect((await importInto(b.client, await exportArchive(a.client))).error).toBeNull();
    const imported = await rowsOf("email_templates", b.accountId);
    expect(imported).toEqual([expect.objectContaining({ account_id: b.accountId, kind: "credit_note", language: "en", subject: fields.subject, body: fields.message })]);
    const form = await (await b.client.get("/parametres/emails?type=credit_note&langue=en")).text();
    expect(inputValue(form, "subject")).toBe(fields.subject);

    expect((await a.client.postForm("/mes-donnees/cloture", { password: TEST_PASSWORD, confirmation: "SUPPRIMER" })).status).toBe(200);
    expect(await rowsOf("email_templates", a.accountId)).toEqual([]);
  }, 120_000);
});

describe("the reminder preview", () => {
  it("shows the reminder with the amount due and the IBAN outside the editable text, sends the edit once a day", async () => {
    const a = await readyAccount();
    const to = `relance-${crypto.randomUUID().slice(0, 8)}@cliente.fr`;
    const doc = await issued(a, draftBody(await insertClient(a.accountId, { email: to })));
    const html = await (await a.client.get(`/documents/${doc.id}/relancer`)).text();
    expect(inputValue(html, "subject")).toContain(doc.number);
    expect(textareaValue(html, "message")).toContain(doc.number);
    expect(textareaValue(html, "message")).not.toContain("Montant restant dû");
    expect(html).toContain(`Montant restant dû : ${formatMoney(doc.dueCents, "fr")}`);
    expect(html).toContain("FR76 3000 6000 0112 3456 7890 189");

    const fields = { subject: "Petit rappel {numero}", message: "Bonjour,\n\nun petit rappel amical.\n\nLéa" };
    const res = await a.client.postForm(`/documents/${doc.id}/relancer`, fields);
    expect(res.status).toBe(303);
    const mail = await lastMailTo(to);
    expect(mail.subject).toBe(`Petit rappel ${doc.number}`);
    expect(mail.bodyText).toContain("un petit rappel amical.\n\nLéa\n\nMontant restant dû");
    expect(mail.bodyText).toContain("FR76 3000 6000 0112 3456 7890 189");
    expect((await a.client.postForm(`/documents/${doc.id}/relancer`, fields)).status).toBe(303);
    expect(await mailCount(to)).toBe(1);
    expect(await (await a.client.get(`/documents/${doc.id}/relancer`)).text()).toContain("déjà partie aujourd");

    const bad = await a.client.postForm(`/documents/${doc.id}/relancer`, { subject: "Relance", message: "{inconnue}" });
    expect(bad.status).toBe(400);
  });

  it("uses the account's reminder template in deliverReminder, the path of the daily job too", async () => {
    const a = await readyAccount();
    await a.client.postForm("/parametres/emails", { kind: "reminder", language: "fr", subject: "Rappel {numero} ({montant})", message: "Bonjour {client},\n\nsauf erreur, {numero} reste à régler." });
    const doc = await issued(a, draftBody(a.clientId));
    expect((await a.client.json("POST", `/api/v1/documents/${doc.id}/reminders`)).status).toBe(201);
    const mail = await lastMailTo("compta@cliente.fr");
    expect(mail.subject).toBe(`Rappel ${doc.number} (${formatMoney(doc.dueCents, "fr")})`);
    expect(mail.bodyText).toMatch(/^Bonjour Société Cliente[^\n]*,\n\nsauf erreur, .* reste à régler\.\n\nMontant restant dû/);
  });
});
