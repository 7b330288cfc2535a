import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO, payDemoInvoiceOnline, seedDemo } from "../../scripts/lib/seed.mjs";
import { ApiClient } from "./api.ts";
import { BASE_URL } from "./browser.ts";

// What `npm start` does on a fresh clone (scripts/start.mjs): seed the demo account through the
// dev route, then have one of its overdue invoices paid online through the Stripe stand-in's
// Connect onboarding and Checkout, whose signed webhook records the payment.
test("npm start's demo: a year of business, and an invoice paid online through Stripe Checkout", { timeout: 600_000 }, async () => {
  const seeded = await seedDemo(BASE_URL);
  assert.equal(seeded.created, true);
  assert.equal((await seedDemo(BASE_URL)).created, false, "a second seeding changes nothing");

  const paid = await payDemoInvoiceOnline(BASE_URL);
  const api = new ApiClient();
  assert.equal((await api.json("POST", "/api/v1/auth/login", { email: DEMO.email, password: DEMO.password })).status, 200);
  const state = await api.json<{ status: string; outstandingCents: number; payments: Array<{ method: string; amountCents: number }> }>("GET", `/api/v1/documents/${paid.id}/payments`);
  assert.equal(state.status, 200);
  assert.equal(state.body.status, "paid", JSON.stringify(state.body));
  assert.equal(state.body.outstandingCents, 0);
  assert.equal(state.body.payments.filter((p) => p.method === "stripe").length, 1, "one Stripe payment, booked by the webhook");

  const invoices = await api.json<{ items: unknown[] }>("GET", "/api/v1/documents?type=invoice&status=paid");
  assert.ok(invoices.body.items.length >= 10, `paid invoices in the demo: ${invoices.body.items.length}`);
});
