/** Wordings of the sign-up without enumeration and of the one-time links bound to state (issue #14). */
export const authLinksFr = {
  "mail.emailChanged.subject": "L'adresse email de votre compte Factumo a changé",
  "mail.emailChanged.body":
    "Bonjour {name},\n\nL'adresse email de votre compte Factumo est désormais {newEmail}.\n\nSi vous n'êtes pas à l'origine de ce changement, ouvrez ce lien dans les 7 jours pour rétablir cette adresse-ci. Toutes les sessions seront fermées et vous choisirez un nouveau mot de passe :\n{link}\n\nSi c'est bien vous, ignorez ce message.",
  "mail.signupExisting.subject": "Tentative d'inscription avec votre adresse email",
  "mail.signupExisting.body":
    "Bonjour {name},\n\nQuelqu'un, peut-être vous, a voulu créer un compte Factumo avec cette adresse email, qui en a déjà un. Aucun compte n'a été créé et rien n'a changé sur le vôtre.\n\nSi c'était vous, connectez-vous :\n{login}\n\nMot de passe oublié ? Choisissez-en un nouveau :\n{reset}\n\nSinon, ignorez ce message.",
  "auth.signup.sent":
    "Nous avons envoyé un email à cette adresse : ouvrez-le pour confirmer votre inscription. Vous pouvez déjà vous connecter avec votre mot de passe.",
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
  "mail.signupExisting.subject": "Sign-up attempt with your email address",
  "mail.signupExisting.body":
    "Hello {name},\n\nSomeone, maybe you, tried to create a Factumo account with this email address, which already has one. No account was created and nothing changed on yours.\n\nIf it was you, sign in:\n{login}\n\nForgot your password? Choose a new one:\n{reset}\n\nOtherwise, ignore this message.",
  "auth.signup.sent": "We sent an email to this address: open it to confirm your sign-up. You can already sign in with your password.",
  "auth.undo.title": "Restore your email address",
  "auth.undo.lead":
    "This address will be your account's again. For safety, every open session will be closed and the current password will stop working: you will choose a new one right after.",
  "auth.undo.submit": "Restore my address",
  "auth.undo.taken": "This address now belongs to another account: it cannot be restored. Nothing was changed.",
  "auth.undo.done": "Your address is restored and every session is closed. Choose a new password.",
};
