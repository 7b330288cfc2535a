/** Strings of the sending feature (documents by email, delivery status) for the app's own UI. */
export const sendingFr = {
  "sending.title": "Envoi par email",
  "sending.to": "Destinataire",
  "sending.submit": "Envoyer au client",
  "sending.none": "Jamais envoyé par email.",
  "sending.err.noEmail": "Ce client n'a pas d'adresse email : ajoutez-la sur sa fiche ou saisissez un destinataire.",
  "sending.err.draft": "Seul un document émis peut être envoyé.",
  "sending.err.frozen": "Votre compte est gelé : aucun email n'est envoyé.",
  "sending.err.noPdf": "Le PDF de ce document est introuvable.",
  "sending.err.unverified":
    "Confirmez d'abord votre adresse email : tant qu'elle n'est pas vérifiée, Factumo n'envoie aucun email à vos clients (documents, devis, relances). Ouvrez le lien reçu à l'inscription, ou demandez-en un nouveau depuis le tableau de bord.",
  "sending.err.quota":
    "Limite d'envoi atteinte : pendant ses {days} premiers jours, un compte envoie au plus {limit} emails à ses clients par 24 heures. Réessayez dans {hours} h.",
  "sending.suppressed": "Cette adresse a rejeté nos emails ({reason}) : aucun envoi automatique ne lui parvient plus.",
  "sending.status.sent": "envoyé",
  "sending.status.failed": "échec",
  "sending.status.delivered": "remis",
  "sending.status.bounced": "rejeté",
  "sending.status.complained": "signalé comme spam",
  "outbox.attachment": "pièce jointe : {name} ({size} Ko)",
} as const;

export const sendingEn: Record<keyof typeof sendingFr, string> = {
  "sending.title": "Send by email",
  "sending.to": "Recipient",
  "sending.submit": "Send to the client",
  "sending.none": "Never sent by email.",
  "sending.err.noEmail": "This client has no email address: add it to their record or type a recipient.",
  "sending.err.draft": "Only an issued document can be sent.",
  "sending.err.frozen": "Your account is frozen: no email is sent.",
  "sending.err.noPdf": "This document's PDF cannot be found.",
  "sending.err.unverified":
    "Confirm your email address first: until it is verified, Factumo sends no email to your clients (documents, quotes, reminders). Open the link you received when signing up, or ask for a new one from the dashboard.",
  "sending.err.quota": "Sending limit reached: in its first {days} days, an account sends at most {limit} emails to its clients per 24 hours. Try again in {hours} h.",
  "sending.suppressed": "This address rejected our emails ({reason}): no automatic email reaches it any more.",
  "sending.status.sent": "sent",
  "sending.status.failed": "failed",
  "sending.status.delivered": "delivered",
  "sending.status.bounced": "bounced",
  "sending.status.complained": "marked as spam",
  "outbox.attachment": "attachment: {name} ({size} KB)",
};
