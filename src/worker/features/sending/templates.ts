import { formatDate, formatMoney } from "../../domain/format";

export type MailLanguage = "fr" | "en";
type SendableType = "quote" | "invoice" | "deposit_invoice" | "credit_note";

export interface DocumentMailInput {
  language: MailLanguage;
  type: SendableType;
  number: string;
  sellerName: string;
  amountCents: number;
  dueDate: string | null;
  validUntil: string | null;
  link: string;
  /** "Payer en ligne" URL (features/stripe), present when the seller takes online payment. */
  payLink?: string | null;
}

/** The French object pronoun of each noun: "le devis", but "la facture". */
const PRONOUN_FR: Record<SendableType, "le" | "la"> = { quote: "le", invoice: "la", deposit_invoice: "la", credit_note: "le" };

const NOUN: Record<MailLanguage, Record<SendableType, string>> = {
  fr: { quote: "le devis", invoice: "la facture", deposit_invoice: "la facture d'acompte", credit_note: "l'avoir" },
  en: { quote: "quote", invoice: "invoice", deposit_invoice: "deposit invoice", credit_note: "credit note" },
};

/** Subject and plain-text body of the email carrying a document, in the client's language. Pure. */
export function documentMail(m: DocumentMailInput): { subject: string; text: string } {
  const amount = formatMoney(m.amountCents, m.language);
  if (m.language === "en") {
    const noun = NOUN.en[m.type];
    const when =
      m.type === "quote" && m.validUntil
        ? `This quote is valid until ${formatDate(m.validUntil, "en")}.`
        : m.dueDate && m.type !== "credit_note"
          ? `Payment is due by ${formatDate(m.dueDate, "en")}.`
          : "";
    return {
      subject: `${m.sellerName} — ${noun} ${m.number}`,
      text: [
        "Hello,",
        `Please find attached ${noun} ${m.number} from ${m.sellerName}, for ${amount}. ${when}`.trim(),
        `You can also view it online: ${m.link}`,
        ...(m.payLink ? [`Pay online by card: ${m.payLink}`] : []),
        "You can reply to this email to reach us directly.",
        `Best regards,\n${m.sellerName}`,
      ].join("\n\n"),
    };
  }
  const noun = NOUN.fr[m.type];
  const when =
    m.type === "quote" && m.validUntil
      ? `Ce devis est valable jusqu'au ${formatDate(m.validUntil, "fr")}.`
      : m.dueDate && m.type !== "credit_note"
        ? `Échéance de paiement : ${formatDate(m.dueDate, "fr")}.`
        : "";
  const capital = noun.charAt(0).toUpperCase() + noun.slice(1);
  return {
    subject: `${m.sellerName} — ${capital} ${m.number}`,
    text: [
      "Bonjour,",
      `Veuillez trouver ci-joint ${noun} ${m.number} de ${m.sellerName}, d'un montant de ${amount}. ${when}`.trim(),
      `Vous pouvez aussi ${PRONOUN_FR[m.type]} consulter en ligne : ${m.link}`,
      ...(m.payLink ? [`Payer en ligne par carte : ${m.payLink}`] : []),
      "Répondez simplement à cet email pour nous écrire.",
      `Cordialement,\n${m.sellerName}`,
    ].join("\n\n"),
  };
}
