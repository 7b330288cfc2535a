import { daysBetween } from "../../domain/invoice-status";
import { formatDate, formatMoney } from "../../domain/format";
import { formatIban } from "../../domain/identifiers";
import type { MailLanguage } from "../sending/templates";
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
}

/**
 * Subject and plain-text body of a payment reminder, in the client's language. No attachment: the
 * invoice was sent already; the reminder names it, says what is still owed and how to pay. Pure.
 */
export function reminderMail(m: ReminderMailInput): { subject: string; text: string } {
  const amount = formatMoney(m.outstandingCents, m.language);
  const due = formatDate(m.dueDate, m.language);
  const issued = formatDate(m.issueDate, m.language);
  const late = daysBetween(m.dueDate, m.today);
  const mentions = m.b2b ? [m.b2b.latePenalty, m.b2b.recoveryIndemnity].map((s) => `${s}.`).join("\n") : null;
  if (m.language === "en") {
    const lead =
      late < 0
        ? `A friendly reminder: invoice ${m.number} of ${issued} falls due on ${due}.`
        : late === 0
          ? `Invoice ${m.number} of ${issued} falls due today, ${due}.`
          : `Unless we are mistaken, invoice ${m.number} of ${issued}, due on ${due}, has not been paid in full yet (${late} ${plural("en", late, { one: "day", other: "days" })} late).`;
    return {
      subject: late > 0 ? `${m.sellerName} — payment reminder, invoice ${m.number}` : `${m.sellerName} — invoice ${m.number} due on ${due}`,
      text: [
        "Hello,",
        lead,
        `Amount still due: ${amount}.`,
        m.iban ? `Bank transfer to IBAN ${formatIban(m.iban)}, quoting ${m.number}.` : "",
        mentions ? `As stated on the invoice:\n${mentions}` : "",
        "If you have paid in the meantime, please disregard this message. You can reply to this email to reach us directly.",
        `Best regards,\n${m.sellerName}`,
      ]
        .filter(Boolean)
        .join("\n\n"),
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
    text: [
      "Bonjour,",
      lead,
      `Montant restant dû : ${amount}.`,
      m.iban ? `Virement sur l'IBAN ${formatIban(m.iban)}, en indiquant ${m.number}.` : "",
      mentions ? `Rappel des conditions de la facture :\n${mentions}` : "",
      "Si vous avez réglé entre-temps, merci de ne pas tenir compte de ce message. Répondez simplement à cet email pour nous écrire.",
      `Cordialement,\n${m.sellerName}`,
    ]
      .filter(Boolean)
      .join("\n\n"),
  };
}
