/** Wordings of the one-time links bound to the account's state (issue #14): the email-change undo. */
export const authLinksFr = {
  "mail.emailChanged.subject": "L'adresse email de votre compte Factumo a changé",
  "mail.emailChanged.body":
    "Bonjour {name},\n\nL'adresse email de votre compte Factumo est désormais {newEmail}.\n\nSi vous n'êtes pas à l'origine de ce changement, ouvrez ce lien dans les 7 jours pour rétablir cette adresse-ci. Toutes les sessions seront fermées et vous choisirez un nouveau mot de passe :\n{link}\n\nSi c'est bien vous, ignorez ce message.",
  "auth.undo.title": "Rétablir votre adresse email",
  "auth.undo.lead":
    "Cette adresse redeviendra celle de votre compte. Par sécurité, toutes les sessions ouvertes seront fermées et le mot de passe actuel ne fonctionnera plus : vous en choisirez un nouveau juste après.",
  "auth.undo.submit": "Rétablir mon adresse",
  "auth.undo.taken": "Cette adresse est désormais celle d'un autre compte : elle ne peut pas être rétablie. Rien n'a été modifié.",
  "auth.undo.done": "Votre adresse est rétablie et toutes les sessions sont fermées. Choisissez un nouveau mot de passe.",
} as const;

export const authLinksEn: Record<keyof typeof authLinksFr, string> = {
  "mail.emailChanged.subject": "The email address of your Factumo account changed",
  "mail.emailChanged.body":
    "Hello {name},\n\nThe email address of your Factumo account is now {newEmail}.\n\nIf you did not make this change, open this link within 7 days to restore this address. Every session will be closed and you will choose a new password:\n{link}\n\nIf it was you, ignore this message.",
  "auth.undo.title": "Restore your email address",
  "auth.undo.lead":
    "This address will be your account's again. For safety, every open session will be closed and the current password will stop working: you will choose a new one right after.",
  "auth.undo.submit": "Restore my address",
  "auth.undo.taken": "This address now belongs to another account: it cannot be restored. Nothing was changed.",
  "auth.undo.done": "Your address is restored and every session is closed. Choose a new password.",
};
