import PostalMime from "postal-mime";
import { Resend } from "resend";
import { describe, expect, it } from "vitest";
import { POSTAL_MIME_UNAVAILABLE } from "./postal-mime.ts";

// wrangler.toml [alias] replaces postal-mime in the Worker; vitest.config.ts applies the same table,
// so this is the module the resend SDK gets in production too.
describe("postal-mime stub", () => {
  it("is what the tests import, and refuses to parse rather than returning an empty message", async () => {
    const raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: Bonjour\r\n\r\nCorps";
    await expect(PostalMime.parse(raw)).rejects.toThrow(POSTAL_MIME_UNAVAILABLE);
  });

  it("leaves the resend SDK loadable for sending and webhook verification", () => {
    const resend = new Resend("re_test_key");
    expect(typeof resend.emails.send).toBe("function");
    expect(typeof resend.webhooks.verify).toBe("function");
  });
});
