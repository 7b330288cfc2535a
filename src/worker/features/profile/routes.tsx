import { Hono } from "hono";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { accountCtx } from "../../context";
import type { AppEnv } from "../../env";
import { AppError, type FieldErrors } from "../../http/errors";
import { handleForm } from "../../http/forms";
import { requireAuth } from "../../http/session";
import { jsonBody, readForm } from "../../http/validate";
import type { Flash } from "../../ui/layout";
import { pageContext } from "../../ui/page-context";
import { render } from "../../ui/render";
import { profileCompleteness } from "./completeness";
import { LOGO_PATH, PROFILE_PATH, ProfilePage, profileValues } from "./pages";
import { ProfileInput } from "./schemas";
import { getLogo, getProfile, maskIban, removeLogo, updateProfile, uploadLogo, type Profile } from "./verbs";

const OK_MESSAGES = { saved: "form.saved", logo: "profile.logo.saved", "logo-removed": "profile.logo.removed" } as const;

function flashOf(c: Context<AppEnv>): Flash | null {
  const ok = c.req.query("ok");
  return ok && ok in OK_MESSAGES ? { kind: "success", text: c.var.t(OK_MESSAGES[ok as keyof typeof OK_MESSAGES]) } : null;
}

interface PageState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  logoErrors?: FieldErrors;
  status?: ContentfulStatusCode;
}

/** Renders the page for the saved profile; submitted values and errors, when given, win. */
function renderProfilePage(c: Context<AppEnv>, profile: Profile, state: PageState = {}): Response {
  return render(
    c,
    <ProfilePage
      ctx={pageContext(c)}
      values={state.values ?? profileValues(profile, c.var.locale)}
      errors={state.errors}
      logoErrors={state.logoErrors}
      missing={profileCompleteness(profile)}
      logo={profile.logoKey ? { version: profile.updatedAt } : null}
      flash={state.errors || state.logoErrors ? null : flashOf(c)}
    />,
    state.status ?? 200,
  );
}

async function profilePage(c: Context<AppEnv>, state: PageState = {}): Promise<Response> {
  return renderProfilePage(c, await getProfile(accountCtx(c)), state);
}

/** Paramètres → Entreprise: the profile form, and the logo upload, removal and display. */
export const profilePages = new Hono<AppEnv>()
  .use(PROFILE_PATH, requireAuth)
  .use(`${PROFILE_PATH}/*`, requireAuth)
  .get(PROFILE_PATH, (c) => profilePage(c))
  .post(PROFILE_PATH, async (c) => {
    const ctx = accountCtx(c);
    // Read first: a rejected form is shown again next to the completeness of what is saved.
    const saved = await getProfile(ctx);
    return handleForm(
      c,
      ProfileInput,
      async (input) => {
        await updateProfile(ctx, input);
        return c.redirect(`${PROFILE_PATH}?ok=saved`, 303);
      },
      (values, errors, status) => renderProfilePage(c, saved, { values, errors, status }),
    );
  })
  .post(LOGO_PATH, async (c) => {
    const body = await readForm(c);
    const file = body.logo;
    try {
      if (!(file instanceof File)) throw new AppError("invalid", c.var.t("err.logo.missing"), { logo: c.var.t("err.logo.missing") });
      await uploadLogo(accountCtx(c), file);
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return profilePage(c, { logoErrors: err.fields ?? { logo: err.message }, status: err.status });
      throw err;
    }
    return c.redirect(`${PROFILE_PATH}?ok=logo`, 303);
  })
  .post(`${LOGO_PATH}/supprimer`, async (c) => {
    await removeLogo(accountCtx(c));
    return c.redirect(`${PROFILE_PATH}?ok=logo-removed`, 303);
  })
  .get(LOGO_PATH, async (c) => {
    const logo = await getLogo(accountCtx(c));
    if (!logo) throw new AppError("not_found", c.var.t("err.not_found"));
    // An SVG opened directly must stay inert: no script, no subresource, its own sandboxed origin.
    const headers = {
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-cache",
      ETag: logo.etag,
    };
    if (c.req.header("if-none-match") === logo.etag) {
      await logo.body.cancel();
      return c.body(null, 304, headers);
    }
    return c.body(logo.body, 200, { ...headers, "Content-Type": logo.type });
  });

/** The profile as the API shows it: bank details masked, completeness computed. */
function profileJson(p: Profile) {
  const { iban, bic, logoKey, logoType, ...rest } = p;
  return {
    profile: { ...rest, iban: iban ? maskIban(iban) : null, bic, logo: logoKey ? { type: logoType, url: LOGO_PATH } : null },
    completeness: profileCompleteness(p),
  };
}

/** JSON API: GET and PUT /api/v1/account/profile (PUT replaces the whole profile). */
export const profileApi = new Hono<AppEnv>()
  .use("/account/profile", requireAuth)
  .get("/account/profile", async (c) => c.json(profileJson(await getProfile(accountCtx(c)))))
  .put("/account/profile", async (c) => {
    const input = await jsonBody(c, ProfileInput);
    // The GET answer masks the IBAN, so a client that leaves the bank fields out keeps them.
    const raw: unknown = await c.req.json();
    const has = (k: string) => typeof raw === "object" && raw !== null && k in raw;
    const profile = await updateProfile(accountCtx(c), input, { keepIban: !has("iban"), keepBic: !has("bic") });
    return c.json(profileJson(profile));
  });
