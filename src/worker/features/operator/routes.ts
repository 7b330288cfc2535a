import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { AppError } from "../../http/errors";
import { timingSafeEqual } from "../../lib/crypto/random";
import { rotateSealedValues } from "../../jobs/rotate-keys";

/**
 * Operator commands run from a terminal (`npm run keys:rotate`), authenticated by the
 * OPERATOR_TOKEN secret as a bearer token, not by a browser session: without that secret the
 * routes do not exist (404), and a wrong token is refused (401) without saying more.
 */
export const operatorApi = new Hono<AppEnv>()
  .use("*", async (c, next) => {
    const expected = c.var.config.OPERATOR_TOKEN;
    if (!expected) throw new AppError("not_found", c.var.t("err.not_found"));
    const sent = c.req.header("authorization")?.match(/^Bearer (\S+)$/)?.[1];
    if (!sent || !timingSafeEqual(sent, expected)) throw new AppError("unauthorized", "Jeton opérateur invalide.");
    return next();
  })
  /** One bounded batch of re-sealing under the current DATA_KEY; call again while `remaining` > 0. */
  .post("/keys/rotate", async (c) => c.json(await rotateSealedValues(c.env, Date.now())));
