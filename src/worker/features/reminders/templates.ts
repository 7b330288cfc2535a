import { daysBetween } from "../../domain/invoice-status";
import { formatDate, formatMoney } from "../../domain/format";
import { formatIban } from "../../domain/identifiers";
import { type EditableMail, fillTemplate, type MailLanguage, mailText } from "../sending/templates";
import { plural } from "../../ui/i18n";

export interface ReminderMailInput {
  language: MailLanguage;
  sellerName: string;
  number: string;
  issueDate: string;
  dueDate: string;
  today: string;
  /** What the client still owes on this invoice (after credit notes and payments). */
  outstandingCents: number;
  /**
   * The invoice's own late-penalty and 40 € indemnity wordings (snapshot.payment), for a business
   * client only; null for a private client, to whom neither applies.
   */
  b2b: { latePenalty: string; recoveryIndemnity: string } | null;
  iban: string | null;
  clientName?: string;
  /** A public link of the invoice, when it has one ({lien} of an account's template). */
  link?: string;
}

/**
 * Subject, message and mandatory part of a payment reminder, in the client's language: the
 * account's own template when it wrote one, else the built-in text, which adapts to the due date.
 * No attachment: the invoice was sent already. What is owed, how to pay and the invoice's B2B
 * mentions are the mandatory part, appended whatever the message says. Pure.
 */
export function reminderMail(m: ReminderMailInput, custom?: { subject?: string; body?: string } | null): EditableMail & { text: string } {
  const amount = formatMoney(m.outstandingCents, m.language);
  const due = formatDate(m.dueDate, m.language);
  const issued = formatDate(m.issueDate, m.language);
  const mentions = m.b2b ? [m.b2b.latePenalty, m.b2b.recoveryIndemnity].map((s) => `${s}.`).join("\n") : null;
  const en = m.language === "en";
  const mandatory = [
    en ? `Amount still due: ${amount}.` : `Montant restant dû : ${amount}.`,
    m.iban ? (en ? `Bank transfer to IBAN ${formatIban(m.iban)}, quoting ${m.number}.` : `Virement sur l'IBAN ${formatIban(m.iban)}, en indiquant ${m.number}.`) : "",
    mentions ? (en ? `As stated on the invoice:\n${mentions}` : `Rappel des conditions de la facture :\n${mentions}`) : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const values = { numero: m.number, montant: amount, echeance: due, date: issued, lien: m.link ?? "", entreprise: m.sellerName, client: m.clientName ?? "" };
  const builtin = builtIn(m, due, issued);
  const body = {
    subject: custom?.subject !== undefined ? fillTemplate(custom.subject, values) : builtin.subject,
    message: custom?.body !== undefined ? fillTemplate(custom.body, values) : builtin.message,
  };
  const mail = { ...body, mandatory };
  return { ...mail, text: mailText(mail) };
}

function builtIn(m: ReminderMailInput, due: string, issued: string): { subject: string; message: string } {
  const late = daysBetween(m.dueDate, m.today);
  if (m.language === "en") {
    const lead =
      late < 0
        ? `A friendly reminder: invoice ${m.number} of ${issued} falls due on ${due}.`
        : late === 0
          ? `Invoice ${m.number} of ${issued} falls due today, ${due}.`
          : `Unless we are mistaken, invoice ${m.number} of ${issued}, due on ${due}, has not been paid in full yet (${late} ${plural("en", late, { one: "day", other: "days" })} late).`;
    return {
      subject: late > 0 ? `${m.sellerName} — payment reminder, invoice ${m.number}` : `${m.sellerName} — invoice ${m.number} due on ${due}`,
      message: [
        "Hello,",
        lead,
        "If you have paid in the meantime, please disregard this message. You can reply to this email to reach us directly.",
        `Best regards,\n${m.sellerName}`,
      ].join("\n\n"),
    };
  }
  const lead =
    late < 0
      ? `Pour mémoire, la facture ${m.number} du ${issued} arrive à échéance le ${due}.`
      : late === 0
        ? `La facture ${m.number} du ${issued} arrive à échéance aujourd'hui, ${due}.`
        : `Sauf erreur de notre part, la facture ${m.number} du ${issued}, échue le ${due}, n'est pas encore entièrement réglée (${late} ${plural("fr", late, { one: "jour", other: "jours" })} de retard).`;
  return {
    subject: late > 0 ? `${m.sellerName} — Relance, facture ${m.number}` : `${m.sellerName} — Facture ${m.number} à échéance le ${due}`,
    message: [
      "Bonjour,",
      lead,
      "Si vous avez réglé entre-temps, merci de ne pas tenir compte de ce message. Répondez simplement à cet email pour nous écrire.",
      `Cordialement,\n${m.sellerName}`,
    ].join("\n\n"),
  };
}
