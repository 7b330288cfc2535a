// Which tests prove each promise of the privacy policy (../shared/PRIVACY.md), by exact id: the
// test file and its describe titles and test title joined by " > " (e2e tests: their title). Read by
// scripts/check-privacy-coverage.mjs, which fails when a row has no entry, an entry names a test that
// does not exist, or a named test did not pass (skipped, todo and `.fails` tests never count).
// `each` names a family of generated tests (it.each): every one of them must pass, at least `min`.
// `pending` keeps a row honest while its feature is not built: the reason is printed on every run.

const PROFILE = "src/worker/features/profile/schemas.test.ts";
const IDS = "src/worker/domain/identifiers.test.ts";
const RIGHTS = "test/integration/privacy-rights.test.ts";
const RETENTION = "test/integration/privacy-retention.test.ts";
const CONSENT = "test/integration/privacy-consent.test.ts";
const POLICY = "test/integration/privacy-policy.test.ts";
const AUTH = "test/integration/auth.test.ts";
const E2E_PRIVACY = "test/e2e/privacy.test.ts";

export const PROOFS = [
  {
    section: "3.1",
    promise: /^collects name/,
    tests: [
      [PROFILE, "§3.1 ProfileInput: name, email, optional phone, company, SIRET, address > normalises a valid form post and derives the SIREN from the SIRET"],
      [PROFILE, "§3.1 ProfileInput: name, email, optional phone, company, SIRET, address > rejects a SIRET whose Luhn key is wrong"],
      [PROFILE, "§3.1 ProfileInput: name, email, optional phone, company, SIRET, address > rejects an email and a phone number that cannot be right"],
      [IDS, "§3.1 SIRET > rejects a valid SIRET (La Poste aside) with any single digit changed"],
    ],
  },
  {
    section: "3.2",
    promise: /^card numbers never stored/,
    tests: [
      ["test/integration/privacy-security.test.ts", "§8 card numbers are never stored > has no column meant for a card number, its expiry or its security code in any table"],
      ["test/integration/privacy-security.test.ts", "§8 card numbers are never stored > refuses a card number typed as a payment reference, and records nothing"],
    ],
  },
  {
    section: "3.2",
    promise: /^billing data of the subscription/,
    tests: [],
    pending: "Factumo's own subscription (Stripe Billing, issue #18) is not built: no subscription data is collected yet",
  },
  {
    section: "3.3",
    promise: /^connection logs/,
    tests: [
      [AUTH, "§8 secure authentication: sign-up, verification and login > §3.3 logs every login attempt in the connection log with time, IP, user agent and outcome"],
      ["test/integration/privacy-access-log.test.ts", "§8 access log of sensitive actions > records sign-ins, downloads of issued documents, profile, bank and password changes"],
    ],
  },
  {
    section: "3.4",
    promise: /^business data: clients/,
    tests: [
      ["test/integration/clients.test.ts", "clients API > creates, reads and replaces a client; what GET returns can be PUT back"],
      ["test/integration/products.test.ts", "catalogue API > creates, reads and replaces an item; what GET returns can be PUT back"],
      ["test/integration/documents.test.ts", "gapless numbering > gives 100 concurrent issues in one account the numbers 1..100, no gap, no duplicate"],
      ["test/integration/payments.test.ts", "recording payments > derives issued, then partially paid, then paid as money comes in"],
      ["test/integration/time.test.ts", "time entries > §3.4 time tracking: creates, lists, updates and deletes an entry"],
      ["test/integration/stock.test.ts", "§3.4 stock: movements recorded by hand > §3.4 stock: records the opening stock, a reception, an adjustment and an inventory count, and the level is their sum"],
    ],
  },
  {
    section: "3.4",
    promise: /^business data also covers purchases/,
    tests: [
      ["test/integration/purchases-privacy.test.ts", "§3.4 purchases > §3.4 purchases: the file is kept in R2 as received, with its sha256 in D1"],
      ["test/integration/purchases-privacy.test.ts", "§3.4 purchases > §3.4 purchases travel in the export/import round trip, files included"],
      ["test/integration/purchases-privacy.test.ts", "§3.4 purchases > §3.4 purchases stay at closure (legal retention), and go with their file 10 years after their date"],
    ],
  },
  {
    section: "4",
    promise: /^marketing only with consent/,
    tests: [
      [RIGHTS, "§4 and §9.7 marketing: consent off by default, withdrawable in one click > is off at sign-up and shows the exact wording in the settings"],
      [RIGHTS, "§4 and §9.7 marketing: consent off by default, withdrawable in one click > records the time and wording version of an opt-in, and refuses marketing without it"],
    ],
  },
  {
    section: "5",
    promise: /^processors/,
    tests: [
      ["src/worker/lib/outbound.test.ts", "§5 outbound allow-list > is exactly the hosts of the processors the policy page lists"],
      ["src/worker/lib/outbound.test.ts", "§5 outbound allow-list > refuses a request to an undeclared host before it leaves, and passes the others through"],
      ["src/worker/lib/outbound.test.ts", "§5 outbound allow-list > guards the Worker's global fetch, which the Stripe and Resend SDKs use"],
      [POLICY, "§5 processors on the policy page > lists every processor of the table with its purpose and location, in French and in English"],
    ],
  },
  {
    section: "5",
    promise: /^recipients by law/,
    tests: [
      ["src/worker/lib/outbound.test.ts", "§5 recipients by law > §5 recipients by law: every listed Plateforme Agréée is a declared recipient, reachable in production, and nothing else is exempt but the k-anonymous password check"],
      ["test/integration/passwords.test.ts", "§8 secure authentication: breached and common passwords are refused > sends only the first 5 hex characters of the SHA-1, with Add-Padding"],
      ["test/integration/turnstile.test.ts", "Turnstile configuration > lets production reach only Cloudflare's siteverify host, never the local stand-in"],
    ],
  },
  {
    section: "6",
    promise: /^inactive account/,
    tests: [[RETENTION, "§6 time travel: 13 months, 3 years, 10 years > keeps exactly what the policy promises at each step"]],
  },
  {
    section: "6",
    promise: /^billing data/,
    tests: [
      [RETENTION, "§6 time travel: 13 months, 3 years, 10 years > keeps exactly what the policy promises at each step"],
      [RETENTION, "§6 the immutability exception is narrow > still refuses to delete an issued invoice without a purge record, and refuses a purge before ten years"],
    ],
  },
  {
    section: "6",
    promise: /^payment data/,
    tests: [[RETENTION, "§6 payment details: 13 months after the transaction > blanks the payer's reference 13 months after the day received and keeps the accounting entry"]],
  },
  {
    section: "6",
    promise: /^connection logs/,
    tests: [
      [RETENTION, "§6 connection logs: 12 months maximum > deletes a connection log exactly when the period shown on the policy page has passed"],
      ["test/integration/privacy-access-log.test.ts", "§8 access log of sensitive actions > is purged with the connection logs after 12 months"],
    ],
  },
  {
    section: "6",
    promise: /^business data: export offered/,
    tests: [
      [RIGHTS, "§9.3 erasure: closing the account > §6 export offered at termination: the closure page offers the export first, then lists what is deleted and what stays with its legal ground"],
      [E2E_PRIVACY, "§6 export offered at termination: closing the account offers the full export first, then closes it"],
    ],
  },
  {
    section: "7",
    promise: /^data hosted in the EU/,
    tests: [["test/integration/platform.test.ts", "bindings live in the EU (privacy policy §7) > declares the D1 database and the R2 bucket in the eu jurisdiction"]],
  },
  {
    section: "8",
    promise: /^TLS in transit/,
    tests: [[AUTH, "§8 secure authentication: sign-up, verification and login > sets the session cookie HttpOnly, Secure, SameSite=Lax with the __Host- prefix"]],
    each: [["test/integration/isolation.test.ts", "§8 TLS in transit: security headers on every GET route > GET ", 40]],
  },
  {
    section: "8",
    promise: /^sensitive data encrypted at rest/,
    tests: [
      ["test/integration/profile.test.ts", "company profile page > never stores the IBAN or the BIC in clear in D1"],
      ["test/integration/privacy-key-rotation.test.ts", "§8 key rotation > covers every sealed column of the schema"],
      ["test/integration/privacy-key-rotation.test.ts", "§8 key rotation > re-seals every value under the new key, keeps it readable, and does nothing the second time"],
      ["src/worker/lib/crypto/envelope.test.ts", "seal and open > never contains the plaintext"],
    ],
  },
  {
    section: "8",
    promise: /^secure authentication/,
    tests: [
      [AUTH, "§8 secure authentication: sign-up, verification and login > stores only the hash of the session id"],
      [AUTH, "§8 secure authentication: password reset by one-time link > resets by a one-time emailed link and closes every session"],
      [AUTH, "§8 secure authentication: two-factor authentication (TOTP) > enrols with a first code, then requires a code at login; a code is not accepted twice"],
      ["test/integration/passwords.test.ts", "§8 secure authentication: breached and common passwords are refused > refuses a breached password at sign-up (API and form) with a stable code and a French message, and creates nothing"],
    ],
  },
  {
    section: "8",
    promise: /^strict access control/,
    tests: [
      ["test/integration/isolation.test.ts", "§8 strict access control: tenant isolation over every route with a param > uses ids that are real: A reads its own documents and a visitor reads the shared quote"],
      ["test/integration/isolation.test.ts", "§8 strict access control: tenant isolation over every route with a param > lets the real public token open only its own document"],
    ],
    each: [["test/integration/isolation.test.ts", "§8 strict access control: tenant isolation over every route with a param > ", 60]],
    pending: "account scoping is proven over every route; roles (owner, member, accountant: issue #18) and scoped API keys (issue #16) are not built yet",
  },
  {
    section: "8",
    promise: /^regular backups/,
    tests: [["test/integration/privacy-backups.test.ts", "§8 regular backups: each account exported to R2 every week > exports every open account unattended, with its issued documents, and tells nobody"]],
  },
  {
    section: "8",
    promise: /^monitoring and access logging/,
    tests: [
      ["test/integration/privacy-logs.test.ts", "§8 structured logs > logs JSON events with ids only through a whole working session"],
      ["test/integration/privacy-access-log.test.ts", "§8 access log of sensitive actions > shows an account only its own entries"],
    ],
  },
  {
    section: "9.1",
    promise: /^right of access/,
    tests: [
      [E2E_PRIVACY, "§9.1 right of access: Mes données shows the person, the company, the connection log and the consents"],
      ["src/worker/features/data/labels.test.ts", "§9.1 table labels on Mes données > §9.1 has a French and an English label for every exported account table"],
    ],
  },
  {
    section: "9.2",
    promise: /^rectification/,
    tests: [[E2E_PRIVACY, "§9.2 rectification: the profile is corrected in place; an issued invoice is corrected by a credit note"]],
  },
  {
    section: "9.3",
    promise: /^erasure/,
    tests: [
      [RIGHTS, "§9.3 erasure: closing the account > erases every personal datum not under legal hold and keeps exactly the sealed accounting records"],
      [RIGHTS, "§9.3 bad input: erasing data under legal hold > records an erasure request, answers with the legal-hold explanation, and loses nothing"],
    ],
  },
  {
    section: "9.4",
    promise: /^restriction/,
    tests: [[RIGHTS, "§9.4 restriction: freeze and unfreeze > freezes with a recorded reason, shows a banner, refuses sending, and sends again once unfrozen"]],
  },
  {
    section: "9.5",
    promise: /^portability/,
    tests: [
      ["test/integration/privacy-export.test.ts", "export of every account table > builds a zip in R2 by steps, with JSON and CSV of each table, the issued files, and a manifest whose hashes match"],
      ["test/integration/privacy-export.test.ts", "export → import round trip > re-creates every row in a fresh account, continues the numbering and copies the files"],
      ["test/integration/privacy-exports.test.ts", "§9.5 exports: deleted 7 days after creation > keeps the archive until the 7 days have passed, then deletes it from R2 and marks the job expired"],
    ],
  },
  {
    section: "9.6",
    promise: /^objection/,
    tests: [[RIGHTS, "§9.6 objection: product analytics > lets the objection win over a cookie consent to performance measurement"]],
  },
  {
    section: "9.7",
    promise: /^withdraw consent/,
    tests: [
      [CONSENT, "§9.7 withdrawing consent is as easy as giving it > replaces an acceptance by a refusal from the preferences page, keeping both proofs"],
      [RIGHTS, "§4 and §9.7 marketing: consent off by default, withdrawable in one click > sends a marketing email with RFC 8058 one-click unsubscribe headers that work without a session"],
    ],
  },
  {
    section: "9.8",
    promise: /^answer within one month/,
    tests: [
      [RIGHTS, "§9.8 rights requests: recorded with a one-month due date, seen by the operator > records a request from the form with its due date and lists it to its author"],
      [RIGHTS, "§9.8 rights requests: recorded with a one-month due date, seen by the operator > shows open requests only to an operator, oldest due first, overdue ones highlighted, and closes them"],
    ],
  },
  {
    section: "10",
    promise: /^cookies/,
    tests: [
      [CONSENT, "§10 cookies before consent > sets only strictly necessary cookies, all HttpOnly and Secure, on a first visit"],
      [CONSENT, "§10 cookies before consent > shows the banner, server-rendered, with the three choices as the same element and class"],
      [CONSENT, "§10 recording the choice > stores a per-category choice"],
    ],
  },
  {
    section: "11",
    promise: /^users told of substantial changes/,
    tests: [
      [RIGHTS, "§11 policy versioning: sign-up records the version accepted > records the policy version in force at sign-up, so no notice shows until a newer one"],
      [POLICY, "§11 policy versions > shows the notice to a user who accepted an older version until they acknowledge it"],
    ],
  },
];
