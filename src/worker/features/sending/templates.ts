import { formatDate, formatMoney } from "../../domain/format";

export type MailLanguage = "fr" | "en";
type SendableType = "quote" | "invoice" | "deposit_invoice" | "credit_note";

/** The emails an account may word itself (Paramètres › Emails); a deposit invoice uses "invoice". */
export const TEMPLATE_KINDS = ["invoice", "quote", "credit_note", "reminder"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];
export const templateKindOf = (type: SendableType): TemplateKind => (type === "deposit_invoice" ? "invoice" : type);

/** The placeholders a template may use, filled when the email is written. */
export const PLACEHOLDERS = ["numero", "montant", "echeance", "date", "lien", "entreprise", "client"] as const;
export type MailValues = Record<(typeof PLACEHOLDERS)[number], string>;

export interface EditableMail {
  subject: string;
  /** The user's text (editable in the preview and in Paramètres). */
  message: string;
  /** What the email must carry whatever the user writes (link, amount due, legal mentions): appended. */
  mandatory: string;
}

/** Limits of a subject and a message, checked on save and on send. */
export const SUBJECT_MAX = 200;
export const MESSAGE_MAX = 5000;

/** The placeholders of `s` that are not in PLACEHOLDERS ("{montnat}"), each once. */
export function unknownPlaceholders(s: string): string[] {
  const known: readonly string[] = PLACEHOLDERS;
  return [...new Set([...s.matchAll(/\{([^{}\n]{0,40})\}/g)].map((m) => m[1]!).filter((name) => !known.includes(name)))];
}

/** Replaces each known {placeholder}; unknown ones are refused before (unknownPlaceholders). */
export function fillTemplate(s: string, values: MailValues): string {
  return s.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name as keyof MailValues] : whole));
}

/** The final plain text: the user's message, then the part no edit removes. */
export const mailText = (m: Pick<EditableMail, "message" | "mandatory">): string => [m.message.trim(), m.mandatory].filter(Boolean).join("\n\n");

interface Template {
  subject: string;
  body: string;
}

// Built-in wordings, as placeholders: what an account sends until it writes its own, and what
// "Rétablir le texte par défaut" puts back. The reminder's built-in text adapts to the due date
// (reminderMail); this one is the overdue wording, shown as the starting point in Paramètres.
const DEFAULTS: Record<MailLanguage, Record<SendableType | "reminder", Template>> = {
  fr: {
    invoice: {
      subject: "{entreprise} — Facture {numero}",
      body: "Bonjour,\n\nVeuillez trouver ci-joint la facture {numero} de {entreprise}, d'un montant de {montant}. Échéance de paiement : {echeance}.\n\nRépondez simplement à cet email pour nous écrire.\n\nCordialement,\n{entreprise}",
    },
    deposit_invoice: {
      subject: "{entreprise} — Facture d'acompte {numero}",
      body: "Bonjour,\n\nVeuillez trouver ci-joint la facture d'acompte {numero} de {entreprise}, d'un montant de {montant}. Échéance de paiement : {echeance}.\n\nRépondez simplement à cet email pour nous écrire.\n\nCordialement,\n{entreprise}",
    },
    quote: {
      subject: "{entreprise} — Devis {numero}",
      body: "Bonjour,\n\nVeuillez trouver ci-joint le devis {numero} de {entreprise}, d'un montant de {montant}. Ce devis est valable jusqu'au {echeance}.\n\nRépondez simplement à cet email pour nous écrire.\n\nCordialement,\n{entreprise}",
    },
    credit_note: {
      subject: "{entreprise} — Avoir {numero}",
      body: "Bonjour,\n\nVeuillez trouver ci-joint l'avoir {numero} de {entreprise}, d'un montant de {montant}.\n\nRépondez simplement à cet email pour nous écrire.\n\nCordialement,\n{entreprise}",
    },
    reminder: {
      subject: "{entreprise} — Relance, facture {numero}",
      body: "Bonjour,\n\nSauf erreur de notre part, la facture {numero} du {date}, échue le {echeance}, n'est pas encore entièrement réglée.\n\nSi vous avez réglé entre-temps, merci de ne pas tenir compte de ce message. Répondez simplement à cet email pour nous écrire.\n\nCordialement,\n{entreprise}",
    },
  },
  en: {
    invoice: {
      subject: "{entreprise} — invoice {numero}",
      body: "Hello,\n\nPlease find attached invoice {numero} from {entreprise}, for {montant}. Payment is due by {echeance}.\n\nYou can reply to this email to reach us directly.\n\nBest regards,\n{entreprise}",
    },
    deposit_invoice: {
      subject: "{entreprise} — deposit invoice {numero}",
      body: "Hello,\n\nPlease find attached deposit invoice {numero} from {entreprise}, for {montant}. Payment is due by {echeance}.\n\nYou can reply to this email to reach us directly.\n\nBest regards,\n{entreprise}",
    },
    quote: {
      subject: "{entreprise} — quote {numero}",
      body: "Hello,\n\nPlease find attached quote {numero} from {entreprise}, for {montant}. This quote is valid until {echeance}.\n\nYou can reply to this email to reach us directly.\n\nBest regards,\n{entreprise}",
    },
    credit_note: {
      subject: "{entreprise} — credit note {numero}",
      body: "Hello,\n\nPlease find attached credit note {numero} from {entreprise}, for {montant}.\n\nYou can reply to this email to reach us directly.\n\nBest regards,\n{entreprise}",
    },
    reminder: {
      subject: "{entreprise} — payment reminder, invoice {numero}",
      body: "Hello,\n\nUnless we are mistaken, invoice {numero} of {date}, due on {echeance}, has not been paid in full yet.\n\nIf you have paid in the meantime, please disregard this message. You can reply to this email to reach us directly.\n\nBest regards,\n{entreprise}",
    },
  },
};

/** The built-in wording of a kind, as Paramètres shows it before any change. */
export const defaultTemplate = (kind: TemplateKind, language: MailLanguage): Template => DEFAULTS[language][kind];

export interface DocumentMailInput {
  language: MailLanguage;
  type: SendableType;
  number: string;
  sellerName: string;
  clientName?: string;
  issueDate?: string | null;
  amountCents: number;
  dueDate: string | null;
  validUntil: string | null;
  link: string;
  /** "Payer en ligne" URL (features/stripe), present when the seller takes online payment. */
  payLink?: string | null;
}

/** The French object pronoun of each noun: "le devis", but "la facture". */
const PRONOUN_FR: Record<SendableType, "le" | "la"> = { quote: "le", invoice: "la", deposit_invoice: "la", credit_note: "le" };

/**
 * Subject, message and mandatory part of the email carrying a document, in the client's language:
 * the account's own template when it wrote one, else the built-in text. Pure.
 */
export function documentMail(m: DocumentMailInput, custom?: Partial<Template> | null): EditableMail & { text: string } {
  const en = m.language === "en";
  const due = m.type === "quote" ? m.validUntil : m.type === "credit_note" ? null : m.dueDate;
  const base = DEFAULTS[m.language][m.type];
  // The built-in text drops its sentence about a date the document does not have.
  const tpl = { subject: custom?.subject ?? base.subject, body: custom?.body ?? (due ? base.body : base.body.replace(/ [^.]*\{echeance\}\./, "")) };
  const values: MailValues = {
    numero: m.number,
    montant: formatMoney(m.amountCents, m.language),
    echeance: due ? formatDate(due, m.language) : "",
    date: m.issueDate ? formatDate(m.issueDate, m.language) : "",
    lien: m.link,
    entreprise: m.sellerName,
    client: m.clientName ?? "",
  };
  const mandatory = [
    en ? `You can also view it online: ${m.link}` : `Vous pouvez aussi ${PRONOUN_FR[m.type]} consulter en ligne : ${m.link}`,
    ...(m.payLink ? [en ? `Pay online by card: ${m.payLink}` : `Payer en ligne par carte : ${m.payLink}`] : []),
  ].join("\n\n");
  const mail = { subject: fillTemplate(tpl.subject, values), message: fillTemplate(tpl.body, values), mandatory };
  return { ...mail, text: mailText(mail) };
}
